"""Reading what the app committed from the arranging session."""

from sqlmodel import Session


def fresh(session: Session) -> None:
    """End the read snapshot AND expire loaded objects: the arranging session uses expire_on_commit=False,
    so after a commit `rollback()` alone leaves stale objects in the identity map."""
    session.rollback()
    session.expire_all()
