"""Around a proposal: residents support it (once each) and comment; anyone signed in follows it; planners and
staff hide comments, move it through the status workflow (followers are told) and group it under a design
theme.

The support and comment counts on the proposal row change by `UPDATE … SET n = n ± 1` in the same transaction
as the row they count: concurrent supports never lose one, and the unique (proposal, account) constraint is
what makes a second support by the same person fail, whatever the timing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from civic import audit
from civic.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from civic.i18n import N_
from civic.notifications import notify
from civic.places.rules import Viewer
from civic.planning import access, rules
from civic.planning.models import (
    PlanningComment,
    PlanningFollow,
    PlanningProposal,
    PlanningStatusChange,
    PlanningSupport,
    PlanningTheme,
    ProposalStatus,
)
from civic.planning.proposals import clean

# One subject per status, so that each follower reads the news in their own language (a status word filled in
# as a parameter would stay in English).
STATUS_NEWS = {
    ProposalStatus.received: N_("“%(title)s”, a proposal you follow, is back with the planners as received."),
    ProposalStatus.under_review: N_("“%(title)s”, a proposal you follow, is under review by the planners."),
    ProposalStatus.in_plan: N_("“%(title)s”, a proposal you follow, is now in the plan."),
    ProposalStatus.in_design: N_("“%(title)s”, a proposal you follow, is now being designed."),
    ProposalStatus.built: N_("“%(title)s”, a proposal you follow, has been built."),
    ProposalStatus.declined: N_("“%(title)s”, a proposal you follow, was declined: %(reason)s"),
}


def _authorised(session: Session, viewer: Viewer, proposal_id: int, action: str, now: datetime, *,
                lock: bool = False) -> tuple[PlanningProposal, frozenset[str]]:
    proposal, project, place = access.proposal_project_place(session, proposal_id, lock=lock)
    roles = access.authorise(session, viewer=viewer, action=action, project=project, place=place, now=now,
                             proposal=proposal)
    return proposal, roles


def _count(session: Session, proposal: PlanningProposal, column: str, change: int) -> None:
    """Add `change` to a counter in the database itself (never from the value this session read)."""
    session.execute(update(PlanningProposal).where(PlanningProposal.id == proposal.id)
                    .values({column: getattr(PlanningProposal, column) + change})
                    .execution_options(synchronize_session=False))
    session.expire(proposal, [column])


def _follow(session: Session, proposal_id: int, account_id: int) -> bool:
    """Make the account follow the proposal; False when it already did."""
    mine = (PlanningFollow.proposal_id == proposal_id, PlanningFollow.account_id == account_id)
    if session.execute(select(PlanningFollow.id).where(*mine)).first() is not None:
        return False
    try:
        with session.begin_nested():
            session.add(PlanningFollow(proposal_id=proposal_id, account_id=account_id))
            session.flush()
    except IntegrityError:  # followed meanwhile, by another request of the same person
        return False
    return True


def support(session: Session, *, viewer: Viewer, proposal_id: int, now: datetime) -> PlanningProposal:
    """A resident supports someone else's proposal, once, and follows it from then on."""
    proposal, roles = _authorised(session, viewer, proposal_id, "support", now)
    if rules.AUTHOR in roles:
        raise PermissionDenied(N_("You cannot support your own proposal."))
    try:
        with session.begin_nested():
            session.add(PlanningSupport(proposal_id=proposal.id, account_id=viewer.account_id, created_at=now))
            session.flush()
    except IntegrityError:  # the unique (proposal, account): the real guard against a double support
        raise Conflict(N_("You already support this proposal.")) from None
    _count(session, proposal, "support_count", +1)
    _follow(session, proposal.id, viewer.account_id)
    audit.record(session, actor_id=viewer.account_id, action="planning.supported", object_type="planning_proposal",
                 object_id=proposal.id, now=now)
    return proposal


def withdraw_support(session: Session, *, viewer: Viewer, proposal_id: int, now: datetime) -> PlanningProposal:
    """A resident takes their support back while support is open (they still follow the proposal)."""
    proposal, _roles = _authorised(session, viewer, proposal_id, "support", now)
    gone = session.execute(delete(PlanningSupport).where(PlanningSupport.proposal_id == proposal.id,
                                                         PlanningSupport.account_id == viewer.account_id)).rowcount
    if not gone:
        raise Conflict(N_("You do not support this proposal."))
    _count(session, proposal, "support_count", -1)
    audit.record(session, actor_id=viewer.account_id, action="planning.support_withdrawn",
                 object_type="planning_proposal", object_id=proposal.id, now=now)
    return proposal


def follow(session: Session, *, viewer: Viewer, proposal_id: int, now: datetime) -> PlanningProposal:
    """Be told when the proposal moves on; following twice is following."""
    proposal, _roles = _authorised(session, viewer, proposal_id, "follow", now)
    if _follow(session, proposal.id, viewer.account_id):
        audit.record(session, actor_id=viewer.account_id, action="planning.followed",
                     object_type="planning_proposal", object_id=proposal.id, now=now)
    return proposal


def unfollow(session: Session, *, viewer: Viewer, proposal_id: int, now: datetime) -> PlanningProposal:
    """Stop being told about the proposal."""
    proposal, _roles = _authorised(session, viewer, proposal_id, "follow", now)
    gone = session.execute(delete(PlanningFollow).where(PlanningFollow.proposal_id == proposal.id,
                                                        PlanningFollow.account_id == viewer.account_id)).rowcount
    if gone:
        audit.record(session, actor_id=viewer.account_id, action="planning.unfollowed",
                     object_type="planning_proposal", object_id=proposal.id, now=now)
    return proposal


def comment(session: Session, *, viewer: Viewer, proposal_id: int, body: str, now: datetime) -> PlanningComment:
    """Residents, planners and staff comment in plain text; the commenter follows, the author is told."""
    proposal, _roles = _authorised(session, viewer, proposal_id, "comment", now)
    body = clean(body)
    if not body:
        raise InvalidInput(N_("The comment is empty."), field="body")
    if len(body) > rules.COMMENT_MAX:
        raise InvalidInput(N_("The comment is too long (at most %(max)s characters)."), field="body",
                           max=rules.COMMENT_MAX)
    row = PlanningComment(proposal_id=proposal.id, author_id=viewer.account_id, body=body, created_at=now)
    session.add(row)
    session.flush()
    _count(session, proposal, "comment_count", +1)
    _follow(session, proposal.id, viewer.account_id)
    audit.record(session, actor_id=viewer.account_id, action="planning.comment_added",
                 object_type="planning_comment", object_id=row.id, payload={"proposal": proposal.id}, now=now)
    if proposal.author_id != viewer.account_id:
        notify(session, account_id=proposal.author_id, url=f"{access.proposal_path(proposal.id)}?page=last#comment-{row.id}",
               subject=N_("A new comment on your proposal “%(title)s”."), params={"title": proposal.title})
    return row


def hide_comment(session: Session, *, viewer: Viewer, comment_id: int, now: datetime) -> PlanningComment:
    """A planner or staff hides a comment: its place shows that a moderator hid it."""
    row = session.get(PlanningComment, comment_id)
    if row is None:
        raise NotFound(N_("There is no such comment."))
    proposal, _roles = _authorised(session, viewer, row.proposal_id, "moderate", now, lock=True)
    session.refresh(row)  # read again under the proposal's lock: another moderator may have hidden it
    if row.hidden_at is not None:
        raise Conflict(N_("This comment has already been hidden by a moderator."))
    row.hidden_at, row.hidden_by = now, viewer.account_id
    session.flush()
    _count(session, proposal, "comment_count", -1)
    audit.record(session, actor_id=viewer.account_id, action="planning.comment_hidden",
                 object_type="planning_comment", object_id=row.id, payload={"proposal": proposal.id}, now=now)
    return row


def set_status(session: Session, *, viewer: Viewer, proposal_id: int, status: str, reason: str,
               now: datetime) -> PlanningProposal:
    """A planner or staff moves the proposal one step on (or declines it, with a public reason); every
    follower but the one who moved it is told."""
    proposal, _roles = _authorised(session, viewer, proposal_id, "set_status", now, lock=True)
    if status not in {s.value for s in ProposalStatus}:
        raise InvalidInput(N_("Choose the proposal's new status."), field="status")
    if not rules.can_move(proposal.status, status):
        raise InvalidInput(N_("The proposal cannot move to that status from where it is now; choose one of "
                              "those offered."), field="status")
    reason = clean(reason)
    if len(reason) > rules.REASON_MAX:
        raise InvalidInput(N_("The reason is too long (at most %(max)s characters)."), field="reason",
                           max=rules.REASON_MAX)
    if rules.needs_reason(status) and not reason:
        raise InvalidInput(N_("Give the public reason for declining the proposal."), field="reason")
    before = proposal.status
    proposal.status, proposal.status_reason, proposal.updated_at = status, reason, now
    session.add(PlanningStatusChange(proposal_id=proposal.id, from_status=before, to_status=status, reason=reason,
                                     changed_by=viewer.account_id, changed_at=now))
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="planning.status_changed",
                 object_type="planning_proposal", object_id=proposal.id,
                 payload={"from": before, "to": status, "reason": reason}, now=now)
    followers = session.execute(select(PlanningFollow.account_id).where(PlanningFollow.proposal_id == proposal.id)
                                .order_by(PlanningFollow.account_id)).scalars().all()
    for account_id in followers:
        if account_id != viewer.account_id:
            notify(session, account_id=account_id, url=access.proposal_path(proposal.id), body=reason,
                   subject=STATUS_NEWS[ProposalStatus(status)], params={"title": proposal.title, "reason": reason})
    return proposal


def set_theme(session: Session, *, viewer: Viewer, proposal_id: int, theme_id: int | None,
              now: datetime) -> PlanningProposal:
    """A planner or staff groups the proposal under one of the project's design themes (None: ungrouped)."""
    proposal, _roles = _authorised(session, viewer, proposal_id, "manage_themes", now, lock=True)
    if theme_id is not None:
        theme = session.get(PlanningTheme, theme_id)
        if theme is None or theme.project_id != proposal.project_id:
            raise InvalidInput(N_("Choose one of this project's design themes."), field="theme")
    before, proposal.theme_id = proposal.theme_id, theme_id
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="planning.theme_set", object_type="planning_proposal",
                 object_id=proposal.id, payload={"from": before, "to": theme_id}, now=now)
    return proposal
