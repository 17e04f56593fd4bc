"""Around an entry: the team posts updates for its backers; signed-in people comment (a flat list); staff hide
a comment with a reason shown in its place, and restore it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from civic import audit
from civic.contests import access, rules
from civic.contests.entry_input import clean
from civic.contests.entry_queries import SeenEntry, visible_entry
from civic.contests.models import EntryComment, EntryStatus, EntryUpdate, Pledge, PledgeStatus
from civic.errors import Conflict, InvalidInput, NotFound
from civic.i18n import N_
from civic.notifications import notify
from civic.places.rules import Viewer

REASON_MAX = 500


def _body(body: str, limit: int, empty: str) -> str:
    body = clean(body)
    if not body:
        raise InvalidInput(empty, field="body")
    if len(body) > limit:
        raise InvalidInput(N_("The text is too long (at most %(max)s characters)."), field="body", max=limit)
    return body


def _public_entry(session: Session, viewer: Viewer, entry_id: int, action: str, now: datetime) -> SeenEntry:
    seen = visible_entry(session, viewer=viewer, entry_id=entry_id, now=now)
    access.check(action, seen.phase, seen.roles, seen.place)
    if seen.entry.status == EntryStatus.draft:
        raise Conflict(N_("The entry has not been submitted yet."))
    return seen


def post_update(session: Session, *, viewer: Viewer, entry_id: int, body: str, now: datetime) -> EntryUpdate:
    """The team tells its backers how the project goes; each standing backer is told once."""
    seen = _public_entry(session, viewer, entry_id, "post_update", now)
    update = EntryUpdate(entry_id=seen.entry.id, author_id=viewer.account_id,
                         body=_body(body, rules.UPDATE_MAX, N_("The update is empty.")), created_at=now)
    session.add(update)
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="contest.update_posted", object_type="contest_entry",
                 object_id=seen.entry.id, payload={"update": update.id}, now=now)
    backers = session.execute(select(Pledge.account_id).where(
        Pledge.entry_id == seen.entry.id, Pledge.status == PledgeStatus.standing).distinct()
        .order_by(Pledge.account_id)).scalars().all()
    for account_id in backers:
        notify(session, account_id=account_id, url=f"{access.entry_path(seen.entry.id)}#update-{update.id}",
               subject=N_("News from “%(title)s”, which you back."), params={"title": seen.entry.title})
    return update


def add_comment(session: Session, *, viewer: Viewer, entry_id: int, body: str, now: datetime) -> EntryComment:
    """Anyone signed in comments on a submitted entry."""
    seen = _public_entry(session, viewer, entry_id, "comment", now)
    comment = EntryComment(entry_id=seen.entry.id, author_id=viewer.account_id,
                           body=_body(body, rules.COMMENT_MAX, N_("The comment is empty.")), created_at=now)
    session.add(comment)
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="contest.comment_added", object_type="entry_comment",
                 object_id=comment.id, payload={"entry": seen.entry.id}, now=now)
    return comment


def _moderated(session: Session, viewer: Viewer, comment_id: int, now: datetime) -> tuple[EntryComment, SeenEntry]:
    comment = session.get(EntryComment, comment_id)
    if comment is None:
        raise NotFound(N_("There is no such comment."))
    seen = visible_entry(session, viewer=viewer, entry_id=comment.entry_id, now=now, lock="share")
    access.check("moderate", seen.phase, seen.roles, seen.place)
    session.refresh(comment)  # read again now that the entry is locked: another moderator may have acted
    return comment, seen


def hide_comment(session: Session, *, viewer: Viewer, comment_id: int, reason: str, now: datetime) -> EntryComment:
    """Staff hide a comment; the reason is shown in its place and its author is told."""
    comment, seen = _moderated(session, viewer, comment_id, now)
    if comment.hidden_at is not None:
        raise Conflict(N_("This comment has already been hidden by a moderator."))
    reason = " ".join(clean(reason).split())
    if not reason or len(reason) > REASON_MAX:
        raise InvalidInput(N_("Give a reason of at most %(max)s characters."), field="reason", max=REASON_MAX)
    comment.hidden_at, comment.hidden_by, comment.hidden_reason = now, viewer.account_id, reason
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="contest.comment_hidden", object_type="entry_comment",
                 object_id=comment.id, payload={"entry": comment.entry_id, "reason": reason}, now=now)
    notify(session, account_id=comment.author_id, url=f"{access.entry_path(comment.entry_id)}#comment-{comment.id}",
           subject=N_("Your comment on “%(title)s” was hidden by a moderator: %(reason)s"),
           params={"title": seen.entry.title, "reason": reason})
    return comment


def restore_comment(session: Session, *, viewer: Viewer, comment_id: int, now: datetime) -> EntryComment:
    """Staff show a hidden comment again."""
    comment, _seen = _moderated(session, viewer, comment_id, now)
    if comment.hidden_at is None:
        raise Conflict(N_("This comment is not hidden."))
    comment.hidden_at, comment.hidden_by, comment.hidden_reason = None, None, ""
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="contest.comment_restored", object_type="entry_comment",
                 object_id=comment.id, payload={"entry": comment.entry_id}, now=now)
    return comment
