"""Who the viewer is towards one contest (staff, judge, treasurer, resident) and one entry (team, backer),
the refusals in words, and the row loads every contest use case starts from."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import exists, false, select
from sqlmodel import Session

from civic.auth.models import Role, RoleGrant, ScopeType
from civic.contests import rules
from civic.contests.models import Contest, ContestEntry, EntryMember, Phase, Pledge, PledgeStatus
from civic.errors import Conflict, NotFound, PermissionDenied
from civic.i18n import N_
from civic.places import rules as place_rules
from civic.places.models import Place, Unit, UnitLink
from civic.places.rules import Viewer
from civic.places.service import REGISTER_TZ, current_link

ROLE_MESSAGES = {
    "edit_setup": N_("Only staff of %(place)s can change this contest."),
    "publish": N_("Only staff of %(place)s can publish this contest."),
    "assign_judges": N_("Only staff of %(place)s can appoint judges and treasurers."),
    "see_draft": N_("There is no such contest."),
    "create_entry": N_("Only residents of %(place)s can enter this contest."),
    "edit_entry": N_("Only the entry's team can change it."),
    "screen": N_("Only staff of %(place)s can screen entries."),
    "pledge": N_("Only residents of %(place)s can back entries in this contest."),
    "cancel_pledge": N_("You have no pledge to cancel on this entry."),
    "post_update": N_("Only the entry's team can post updates."),
    "comment": N_("Sign in to comment."),
    "moderate": N_("Only staff of %(place)s can moderate comments."),
    "declare_conflict": N_("Only the contest's judges can declare conflicts."),
    "score": N_("Only the contest's judges can score entries."),
    "confirm_money": N_("Only the contest's treasurers and staff of %(place)s can confirm money received."),
    "see_ledger": N_("Only the contest's treasurers and staff of %(place)s can see the pledge ledger."),
    "see_progress": N_("Only staff of %(place)s can follow the judging."),
    "see_dashboard": N_("Only staff of %(place)s can see the judging dashboard."),
}
PHASE_MESSAGES = {
    "edit_setup": N_("Judging has opened: the contest's rules are frozen."),
    "publish": N_("This contest is already published."),
    "assign_judges": N_("The results are out: judges can no longer change."),
    "see_draft": N_("There is no such contest."),
    "create_entry": N_("Entries can be started only while submissions are open."),
    "edit_entry": N_("Entries can change only while submissions are open; after the deadline they are locked."),
    "screen": N_("Entries are screened only between the submission deadline and the start of backing."),
    "pledge": N_("Pledges are taken only while public backing is open."),
    "cancel_pledge": N_("Backing has closed: pledges can no longer be cancelled."),
    "post_update": N_("Updates can be posted once the entry has been submitted and screened."),
    "comment": N_("Comments open with the submissions."),
    "moderate": N_("Comments open with the submissions."),
    "declare_conflict": N_("Conflicts can be declared from screening until judging closes."),
    "score": N_("Scores are given only while judging is open."),
    "confirm_money": N_("Money is confirmed only after backing has closed."),
    "see_ledger": N_("The ledger opens when the contest is published."),
    "see_progress": N_("Judging has not opened yet."),
    "see_dashboard": N_("The judging dashboard opens when judging closes."),
}


def contest_path(contest_id: int) -> str:
    return f"/contests/{contest_id}"


def entry_path(entry_id: int) -> str:
    return f"/contests/entries/{entry_id}"


def register_day(now: datetime) -> date:
    return now.astimezone(REGISTER_TZ).date()


def contest_and_place(session: Session, contest_id: int, *, lock: str | None = None) -> tuple[Contest, Place]:
    """The contest and its place; `lock="share"` holds the contest's set-up until the transaction ends,
    `lock="update"` changes it. Rows are read afresh when locking."""
    stmt = select(Contest, Place).join(Place, Place.id == Contest.place_id).where(Contest.id == contest_id)
    if lock:
        stmt = stmt.with_for_update(read=lock == "share", of=Contest).execution_options(populate_existing=True)
    row = session.execute(stmt).first()
    if row is None:
        raise NotFound(N_("There is no such contest."))
    return row[0], row[1]


def entry_contest_place(session: Session, entry_id: int, *, lock: str | None = None
                        ) -> tuple[ContestEntry, Contest, Place]:
    """An entry with its contest and place; with `lock`, the contest is locked first and then the entry
    (always in this order, so that concurrent use cases never deadlock)."""
    contest_id = session.execute(select(ContestEntry.contest_id).where(ContestEntry.id == entry_id)).scalar()
    if contest_id is None:
        raise NotFound(N_("There is no such entry."))
    contest, place = contest_and_place(session, contest_id, lock=lock)
    stmt = select(ContestEntry).where(ContestEntry.id == entry_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.execute(stmt).scalar_one(), contest, place


def roles_of(session: Session, *, viewer: Viewer, contest: Contest, place: Place, now: datetime,
             entry_id: int | None = None) -> frozenset[str]:
    """The viewer's roles towards the contest and, given `entry_id`, towards that entry. One query at most."""
    roles = set()
    if place_rules.can_manage(viewer, place.path):
        roles.add(rules.STAFF)
    if viewer.account_id is None:
        return frozenset(roles)
    roles.add(rules.SIGNED_IN)

    def grant(role: Role):
        return exists().where(RoleGrant.account_id == viewer.account_id, RoleGrant.role == role,
                              RoleGrant.scope_type == ScopeType.contest, RoleGrant.scope_id == contest.id)

    resident = (exists().where(UnitLink.person_id == viewer.person_id, current_link(register_day(now)),
                               UnitLink.unit_id == Unit.id, Unit.building_id == Place.id,
                               Place.path.startswith(place.path))
                if viewer.person_id is not None else false())
    team = (exists().where(EntryMember.entry_id == entry_id, EntryMember.account_id == viewer.account_id)
            if entry_id is not None else false())
    backer = (exists().where(Pledge.entry_id == entry_id, Pledge.account_id == viewer.account_id,
                             Pledge.status == PledgeStatus.standing)
              if entry_id is not None else false())
    row = session.execute(select(grant(Role.judge), grant(Role.treasurer), resident, team, backer)).one()
    for held, role in zip(row, (rules.JUDGE, rules.TREASURER, rules.RESIDENT, rules.TEAM, rules.BACKER), strict=True):
        if held:
            roles.add(role)
    return frozenset(roles)


def check(action: str, phase: Phase, roles: frozenset[str], place: Place) -> None:
    """Refuse `action` unless these roles may do it in this phase (PermissionDenied, else Conflict)."""
    why = rules.refusal(action, phase, roles)
    if why == "role":
        raise PermissionDenied(ROLE_MESSAGES[action], place=place.name)
    if why == "phase":
        raise Conflict(PHASE_MESSAGES[action])


def authorise(session: Session, *, viewer: Viewer, action: str, contest: Contest, place: Place, now: datetime,
              entry_id: int | None = None) -> frozenset[str]:
    """The viewer's roles, if they may do `action` on this contest (or entry) in its phase; else the refusal."""
    roles = roles_of(session, viewer=viewer, contest=contest, place=place, now=now, entry_id=entry_id)
    phase = rules.contest_phase(contest, now)
    if phase == Phase.draft and rules.STAFF not in roles:
        raise NotFound(N_("There is no such contest."))  # a draft does not exist for anyone but staff
    check(action, phase, roles, place)
    return roles


def visible_contest(session: Session, *, viewer: Viewer, contest_id: int, now: datetime
                    ) -> tuple[Contest, Place, frozenset[str]]:
    """A contest the viewer may see (a draft only to staff: to others it does not exist) and their roles."""
    contest, place = contest_and_place(session, contest_id)
    roles = roles_of(session, viewer=viewer, contest=contest, place=place, now=now)
    if rules.contest_phase(contest, now) == Phase.draft and rules.STAFF not in roles:
        raise NotFound(N_("There is no such contest."))
    return contest, place, roles
