"""What the contest list, the contest page and the set-up pages show, each in a constant number of queries."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlmodel import Session

from civic.auth.models import Account, Role, RoleGrant, ScopeType
from civic.contests import access, rules, setup
from civic.contests.models import (
    Contest,
    ContestEntry,
    ContestResult,
    ContestStatus,
    EntryMember,
    EntryStatus,
    Phase,
    RubricCriterion,
    RubricLevel,
)
from civic.contests.progress import entry_progress
from civic.pagination import Page, paginate
from civic.places.models import Place
from civic.places.rules import Viewer
from civic.places.service import in_scope, place_labels, trail

ENTRIES_PER_PAGE = 50
LISTED_STATUSES = (EntryStatus.submitted, EntryStatus.accepted, EntryStatus.rejected, EntryStatus.withdrawn)
# What the entry list shows unless asked: withdrawn entries only on request.
DEFAULT_STATUSES = (EntryStatus.submitted, EntryStatus.accepted, EntryStatus.rejected)


@dataclass(frozen=True)
class ContestRow:
    contest: Contest
    place_label: str
    phase: Phase
    entries: int


def browse_contests(session: Session, *, viewer: Viewer | None, now: datetime, number: int) -> Page[ContestRow]:
    """Published contests, newest first, and the drafts of places the viewer is staff of (four queries)."""
    viewer = viewer or Viewer(account_id=None)
    shown = Contest.status == ContestStatus.published
    if viewer.is_staff:
        shown = or_(shown, Place.id.in_(select(Place.id).where(in_scope(viewer, Place.path))))
    entries = (select(func.count()).where(ContestEntry.contest_id == Contest.id,
                                          ContestEntry.status.in_(DEFAULT_STATUSES))
               .correlate(Contest).scalar_subquery())
    stmt = (select(Contest, Place.path, entries).join(Place, Place.id == Contest.place_id).where(shown)
            .order_by(Contest.submission_opens_at.desc(), Contest.id.desc()))
    page = paginate(session, stmt, number=number, size=20, scalars=False)
    names = place_labels(session, {path for _, path, _ in page.items})
    return dataclasses.replace(page, items=[
        ContestRow(contest=c, place_label=trail(names, path), phase=rules.contest_phase(c, now), entries=n)
        for c, path, n in page.items])


@dataclass
class Criterion:
    row: RubricCriterion
    levels: list[RubricLevel] = field(default_factory=list)


@dataclass(frozen=True)
class Appointment:
    grant_id: int
    account_id: int
    name: str
    role: str


@dataclass
class ContestPage:
    contest: Contest
    place: Place
    place_label: str
    phase: Phase
    roles: frozenset[str]
    criteria: list[Criterion]
    appointments: list[Appointment]  # judges and treasurers: names for staff only
    judges: int
    counts: dict[str, int]
    entries: Page[ContestEntry]
    status_filter: str
    progress: dict
    my_entries: list[ContestEntry]
    has_results: bool

    def can(self, action: str) -> bool:
        return rules.allowed(action, self.phase, self.roles)

    @property
    def max_total(self) -> int:
        return max_total(self.criteria)


def max_total(criteria: list[Criterion]) -> int:
    """The highest total a score sheet can reach: Σ weight × the criterion's top level."""
    return sum(c.row.weight * max((lvl.score for lvl in c.levels), default=0) for c in criteria)


def rubric(session: Session, contest_id: int) -> list[Criterion]:
    """The rubric in order, each criterion with its levels from the highest score down (two queries)."""
    criteria = [Criterion(row) for row in session.execute(
        select(RubricCriterion).where(RubricCriterion.contest_id == contest_id)
        .order_by(RubricCriterion.position, RubricCriterion.id)).scalars()]
    by_id = {c.row.id: c for c in criteria}
    if by_id:
        for level in session.execute(select(RubricLevel).where(RubricLevel.criterion_id.in_(by_id))
                                     .order_by(RubricLevel.score.desc())).scalars():
            by_id[level.criterion_id].levels.append(level)
    return criteria


def appointments(session: Session, contest_id: int) -> list[Appointment]:
    rows = session.execute(
        select(RoleGrant.id, Account.id, Account.display_name, RoleGrant.role)
        .join(Account, Account.id == RoleGrant.account_id)
        .where(RoleGrant.scope_type == ScopeType.contest, RoleGrant.scope_id == contest_id,
               RoleGrant.role.in_((Role.judge, Role.treasurer)))
        .order_by(RoleGrant.role, Account.id)).all()
    return [Appointment(grant_id=g, account_id=a, name=n, role=r) for g, a, n, r in rows]


def contest_page(session: Session, *, contest_id: int, viewer: Viewer | None, now: datetime, number: int = 1,
                 status: str = "") -> ContestPage:
    """The contest: its declared rules, the entries (paginated, ranked once results are out) with their
    progress, the viewer's own entries, and for staff the judges and treasurers."""
    viewer = viewer or Viewer(account_id=None)
    contest, place, roles = access.visible_contest(session, viewer=viewer, contest_id=contest_id, now=now)
    staff = rules.STAFF in roles
    people = appointments(session, contest.id)
    counts = dict(session.execute(select(ContestEntry.status, func.count()).where(
        ContestEntry.contest_id == contest.id, ContestEntry.status.in_(LISTED_STATUSES))
        .group_by(ContestEntry.status)).all())
    statuses = (status,) if status in LISTED_STATUSES else DEFAULT_STATUSES
    stmt = (select(ContestEntry).where(ContestEntry.contest_id == contest.id, ContestEntry.status.in_(statuses))
            .order_by(ContestEntry.rank.is_(None), ContestEntry.rank, ContestEntry.id))
    entries = paginate(session, stmt, number=number, size=ENTRIES_PER_PAGE,
                       query={"status": status} if status in LISTED_STATUSES else {})
    mine = list(session.execute(
        select(ContestEntry).join(EntryMember, EntryMember.entry_id == ContestEntry.id)
        .where(ContestEntry.contest_id == contest.id, EntryMember.account_id == viewer.account_id)
        .order_by(ContestEntry.id)).scalars()) if viewer.account_id else []
    has_results = session.execute(select(ContestResult.id).where(ContestResult.contest_id == contest.id)).first()
    return ContestPage(
        contest=contest, place=place, place_label=trail(place_labels(session, {place.path}), place.path),
        phase=rules.contest_phase(contest, now), roles=roles, criteria=rubric(session, contest.id),
        appointments=people if staff else [], judges=sum(a.role == Role.judge for a in people),
        counts=counts, entries=entries, status_filter=status if status in LISTED_STATUSES else "",
        progress=entry_progress(session, [e.id for e in entries.items]), my_entries=mine,
        has_results=has_results is not None)


def place_choices(session: Session, *, viewer: Viewer) -> list[tuple[int, str]]:
    """The places where the viewer may start a contest, labelled with their trail (two queries)."""
    if not viewer.is_staff:
        return []
    rows = session.execute(select(Place.id, Place.path).where(Place.kind.in_(setup.PLACE_KINDS),
                                                              in_scope(viewer, Place.path))
                           .order_by(Place.path)).all()
    names = place_labels(session, {path for _, path in rows})
    return sorted(((pid, trail(names, path)) for pid, path in rows), key=lambda choice: choice[1])


@dataclass(frozen=True)
class SetupPage:
    contest: Contest
    place: Place
    criteria: list[Criterion]
    appointed: list[Appointment]
    frozen: bool  # judging has opened: the pages show the rules, not a form


def contest_for_setup(session: Session, *, contest_id: int, viewer: Viewer, now: datetime) -> SetupPage:
    """The contest as its set-up pages show it, for staff only (refused as the change itself would be)."""
    contest, place = access.contest_and_place(session, contest_id)
    roles = access.roles_of(session, viewer=viewer, contest=contest, place=place, now=now)
    phase = rules.contest_phase(contest, now)
    if rules.STAFF not in roles:
        access.check("edit_setup", phase, roles, place)
    return SetupPage(contest=contest, place=place, criteria=rubric(session, contest.id),
                     appointed=appointments(session, contest.id), frozen=phase not in rules.BEFORE_JUDGING)
