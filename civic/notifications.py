"""In-app notifications and the e-mail outbox that `civic jobs run-due` delivers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Field, Session, SQLModel

from civic.auth.models import Account
from civic.clock import now
from civic.db import UTCDateTime


class Notification(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    subject: str = Field(max_length=200)
    body: str = ""
    url: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class OutboxMail(SQLModel, table=True):
    """Mail waits here until a job sends it, so a slow SMTP server never slows a request."""

    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    body: str = ""
    status: str = Field(default="queued", max_length=16, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = Field(default="", max_length=500)


def notify(session: Session, *, account_id: int, subject: str, body: str = "", url: str = "",
           email: bool = True) -> Notification:
    """Put a message in the account's inbox and, if it has an e-mail address, queue the same by mail."""
    note = Notification(account_id=account_id, subject=subject[:200], body=body, url=url)
    session.add(note)
    if email:
        address = session.execute(select(Account.email).where(Account.id == account_id)).scalar()
        if address:
            session.add(OutboxMail(to_address=address, subject=subject[:200],
                                   body=f"{body}\n\n{url}".strip()))
    session.flush()
    return note
