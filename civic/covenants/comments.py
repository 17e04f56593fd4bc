"""Comments on a clause (threaded: a reply names the comment it answers and its thread's first comment),
reports, moderation by staff, and following a clause."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from civic import audit
from civic.auth.service import staff_accounts
from civic.covenants import access, rules
from civic.covenants.models import Clause, ClauseComment, ClauseCommentReport, ClauseFollow, Covenant
from civic.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from civic.i18n import N_
from civic.notifications import notify
from civic.places.models import Place
from civic.places.rules import Viewer


def _signed_in(viewer: Viewer) -> int:
    if viewer.account_id is None:
        raise PermissionDenied(N_("Sign in first."))
    return viewer.account_id


def check_body(body: str) -> str:
    body = rules.normalise(body).strip()
    if not body:
        raise InvalidInput(N_("The comment is empty."), field="body")
    if len(body) > rules.COMMENT_MAX:
        raise InvalidInput(N_("The comment is too long (at most %(max)d characters)."), field="body",
                           max=rules.COMMENT_MAX)
    return body


def add_comment(session: Session, *, viewer: Viewer, clause_id: int, body: str, now: datetime,
                parent_id: int | None = None) -> ClauseComment:
    """Comment on a clause, or reply to a comment on it (a reply to a reply joins the same thread).
    The commenter follows the clause from then on."""
    clause, covenant, place = access.clause_and_covenant(session, clause_id)
    access.authorise(session, viewer=viewer, action="comment", covenant=covenant, place=place, now=now)
    access.check_not_removed(clause)
    body = check_body(body)
    root_id = None
    if parent_id is not None:
        parent = session.get(ClauseComment, parent_id)
        if parent is None or parent.clause_id != clause.id:
            raise InvalidInput(N_("The comment you are replying to is not on this clause."), field="parent")
        if parent.hidden_at is not None:
            raise Conflict(N_("This comment has been hidden by a moderator; it cannot be answered."))
        root_id = parent.root_id or parent.id
    comment = ClauseComment(clause_id=clause.id, parent_id=parent_id, root_id=root_id, author_id=viewer.account_id,
                            body=body, created_at=now)
    session.add(comment)
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="comment.added", object_type="clause_comment",
                 object_id=comment.id, payload={"clause": clause.id, "parent": parent_id}, now=now)
    follow(session, viewer=viewer, clause_id=clause.id, now=now, quiet=True)
    return comment


def _comment(session: Session, comment_id: int, *, lock: bool = False) -> tuple[ClauseComment, Clause, Covenant, Place]:
    stmt = (select(ClauseComment, Clause, Covenant, Place).join(Clause, Clause.id == ClauseComment.clause_id)
            .join(Covenant, Covenant.id == Clause.covenant_id).join(Place, Place.id == Covenant.scope_place_id)
            .where(ClauseComment.id == comment_id))
    if lock:
        stmt = stmt.with_for_update(of=ClauseComment).execution_options(populate_existing=True)
    row = session.execute(stmt).first()
    if row is None:
        raise NotFound(N_("There is no such comment."))
    return row[0], row[1], row[2], row[3]


def report_comment(session: Session, *, viewer: Viewer, comment_id: int, reason: str, now: datetime) -> ClauseComment:
    """Anyone signed in reports a comment to the moderators, once; staff are told of its first open report."""
    account_id = _signed_in(viewer)
    comment, clause, covenant, place = _comment(session, comment_id)
    if comment.author_id == account_id:
        raise InvalidInput(N_("You cannot report your own comment."), field="comment")
    if comment.hidden_at is not None:
        raise Conflict(N_("This comment has already been hidden by a moderator."))
    reason = rules.normalise(reason).strip()
    if len(reason) > rules.NOTE_MAX:
        raise InvalidInput(N_("The reason is too long (at most %(max)d characters)."), field="reason", max=rules.NOTE_MAX)
    try:
        with session.begin_nested():
            session.add(ClauseCommentReport(comment_id=comment.id, account_id=account_id, reason=reason, created_at=now))
            session.flush()
    except IntegrityError:  # the unique (comment, account): one report per person
        raise Conflict(N_("You have already reported this comment.")) from None
    # Counted in the database, so two reports at once both count.
    session.execute(update(ClauseComment).where(ClauseComment.id == comment.id)
                    .values(reports=ClauseComment.reports + 1))
    session.refresh(comment)
    audit.record(session, actor_id=account_id, action="comment.reported", object_type="clause_comment",
                 object_id=comment.id, payload={"clause": clause.id}, now=now)
    if comment.reports == 1:
        for staff_id in staff_accounts(session, place.path):
            notify(session, account_id=staff_id, url=access.clause_path(clause.id),
                   subject=N_("A comment on “%(heading)s” was reported and waits for moderation."),
                   params={"heading": clause.heading})
    return comment


def _moderated(session: Session, viewer: Viewer, comment_id: int, now: datetime):
    comment, clause, covenant, place = _comment(session, comment_id, lock=True)
    access.authorise(session, viewer=viewer, action="moderate", covenant=covenant, place=place, now=now)
    return comment, clause, covenant


def hide_comment(session: Session, *, viewer: Viewer, comment_id: int, reason: str, now: datetime) -> ClauseComment:
    """Staff hide a comment, with a reason shown in its place; its open reports are settled, its author told."""
    comment, clause, covenant = _moderated(session, viewer, comment_id, now)
    if comment.hidden_at is not None:
        raise Conflict(N_("This comment has already been hidden by a moderator."))
    reason = rules.normalise(reason).strip()
    if not reason or len(reason) > rules.NOTE_MAX:
        raise InvalidInput(N_("Give a reason of at most %(max)d characters."), field="reason", max=rules.NOTE_MAX)
    comment.hidden_at, comment.hidden_by, comment.hidden_reason, comment.reports = now, viewer.account_id, reason, 0
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="comment.hidden", object_type="clause_comment",
                 object_id=comment.id, payload={"clause": clause.id, "reason": reason}, now=now)
    notify(session, account_id=comment.author_id, url=access.clause_path(clause.id),
           subject=N_("Your comment on “%(heading)s” was hidden by a moderator: %(reason)s"),
           params={"heading": clause.heading, "reason": reason})
    return comment


def restore_comment(session: Session, *, viewer: Viewer, comment_id: int, now: datetime) -> ClauseComment:
    """Staff show a hidden comment again."""
    comment, clause, _covenant = _moderated(session, viewer, comment_id, now)
    if comment.hidden_at is None:
        raise Conflict(N_("This comment is not hidden."))
    comment.hidden_at, comment.hidden_by, comment.hidden_reason = None, None, ""
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="comment.restored", object_type="clause_comment",
                 object_id=comment.id, payload={"clause": clause.id}, now=now)
    return comment


def dismiss_reports(session: Session, *, viewer: Viewer, comment_id: int, now: datetime) -> ClauseComment:
    """Staff keep a reported comment: its open reports are settled (those who reported cannot report it again)."""
    comment, clause, _covenant = _moderated(session, viewer, comment_id, now)
    if comment.reports == 0:
        raise Conflict(N_("This comment has no open reports."))
    comment.reports = 0
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="comment.reports_dismissed",
                 object_type="clause_comment", object_id=comment.id, payload={"clause": clause.id}, now=now)
    return comment


def follow(session: Session, *, viewer: Viewer, clause_id: int, now: datetime, quiet: bool = False) -> ClauseFollow:
    """Follow a clause (be told of new amendments to it); following twice is following. `quiet`: done on
    the viewer's behalf by commenting or proposing (no audit event of its own)."""
    account_id = _signed_in(viewer)
    if session.get(Clause, clause_id) is None:
        raise NotFound(N_("There is no such clause."))
    stmt = select(ClauseFollow).where(ClauseFollow.clause_id == clause_id, ClauseFollow.account_id == account_id)
    existing = session.execute(stmt).scalar()
    if existing is not None:
        return existing
    try:
        with session.begin_nested():
            row = ClauseFollow(clause_id=clause_id, account_id=account_id, created_at=now)
            session.add(row)
            session.flush()
    except IntegrityError:  # followed meanwhile (a double click)
        return session.execute(stmt).scalar_one()
    if not quiet:
        audit.record(session, actor_id=account_id, action="clause.followed", object_type="clause",
                     object_id=clause_id, now=now)
    return row


def unfollow(session: Session, *, viewer: Viewer, clause_id: int, now: datetime) -> bool:
    """Stop following a clause; returns whether the viewer was following it."""
    account_id = _signed_in(viewer)
    gone = session.execute(delete(ClauseFollow).where(ClauseFollow.clause_id == clause_id,
                                                      ClauseFollow.account_id == account_id)).rowcount
    if gone:
        audit.record(session, actor_id=account_id, action="clause.unfollowed", object_type="clause",
                     object_id=clause_id, now=now)
    return bool(gone)
