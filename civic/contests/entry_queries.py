"""Who may see an entry (one predicate for every page and for its images), and what the entry pages show,
each in a constant number of queries whatever the number of pledges, updates and comments."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, false, select
from sqlmodel import Session

from civic import uploads
from civic.contests import access, rules
from civic.contests.models import (
    BudgetLine,
    Contest,
    ContestEntry,
    EntryComment,
    EntryImage,
    EntryMember,
    EntryStatus,
    MaterialNeed,
    Phase,
    Pledge,
)
from civic.errors import NotFound
from civic.i18n import N_
from civic.places import rules as place_rules
from civic.places.models import Place, PlaceKind
from civic.places.rules import Viewer
from civic.places.service import place_labels

CHANGEABLE = (EntryStatus.draft, EntryStatus.submitted)  # what a team may still change before the deadline
SCREENABLE = (EntryStatus.submitted, EntryStatus.accepted, EntryStatus.rejected)


def can_see_entry(*, status: str, phase: Phase, roles: Collection[str]) -> bool:
    """The one visibility rule. A draft entry exists only for its own team (not for staff: it is not
    submitted yet); every other entry — submitted, accepted, rejected (with its public reason), withdrawn —
    for whoever sees the contest, and a draft contest only staff see."""
    if phase == Phase.draft and rules.STAFF not in roles:
        return False
    return status != EntryStatus.draft or rules.TEAM in roles


@dataclass
class SeenEntry:
    entry: ContestEntry
    contest: Contest
    place: Place
    roles: frozenset[str]
    phase: Phase

    def can(self, action: str) -> bool:
        return rules.allowed(action, self.phase, self.roles)


def visible_entry(session: Session, *, viewer: Viewer, entry_id: int, now: datetime,
                  lock: str | None = None) -> SeenEntry:
    """The entry with its contest, place and the viewer's roles, if the viewer may see it; else it does not
    exist (404). `lock` as access.entry_contest_place."""
    entry, contest, place = access.entry_contest_place(session, entry_id, lock=lock)
    roles = access.roles_of(session, viewer=viewer, contest=contest, place=place, now=now, entry_id=entry.id)
    phase = rules.contest_phase(contest, now)
    if not can_see_entry(status=entry.status, phase=phase, roles=roles):
        raise NotFound(N_("There is no such entry."))
    return SeenEntry(entry, contest, place, roles, phase)


@uploads.attachment("entry_image")
def entry_image_visible(session: Session, viewer: Viewer, file_id: int, now: datetime) -> bool:
    """An entry image is served to whoever may see its entry (one query)."""
    team = (exists().where(EntryMember.entry_id == ContestEntry.id, EntryMember.account_id == viewer.account_id)
            if viewer.account_id is not None else false())
    rows = session.execute(
        select(ContestEntry.status, Contest, Place.path, team)
        .join(EntryImage, EntryImage.entry_id == ContestEntry.id).join(Contest, Contest.id == ContestEntry.contest_id)
        .join(Place, Place.id == Contest.place_id).where(EntryImage.file_id == file_id)).all()
    for status, contest, path, on_team in rows:
        roles = {rules.TEAM} if on_team else set()
        if place_rules.can_manage(viewer, path):
            roles.add(rules.STAFF)
        if can_see_entry(status=status, phase=rules.contest_phase(contest, now), roles=roles):
            return True
    return False


# ---- the place an entry happens in ------------------------------------------------------------------

def place_choices(session: Session, place: Place) -> list[tuple[int, str]]:
    """Where an entry may say it happens: the streets, communities and compounds under the contest's place
    (buildings are left out: a district has thousands), labelled with their trail below the contest's place.
    Two queries."""
    rows = session.execute(select(Place.id, Place.path).where(
        Place.path.startswith(place.path), Place.id != place.id, Place.kind != PlaceKind.building)
        .order_by(Place.path)).all()
    names = place_labels(session, {path for _id, path in rows})
    depth = len(place_rules.path_ids(place.path))
    labels = [(pid, " › ".join(names.get(i, "") for i in place_rules.path_ids(path)[depth:])) for pid, path in rows]
    return sorted(labels, key=lambda choice: choice[1])


@dataclass
class EntryFormPage:
    contest: Contest
    place: Place
    places: list[tuple[int, str]]
    entry: ContestEntry | None = None


def new_entry_page(session: Session, *, viewer: Viewer, contest_id: int, now: datetime) -> EntryFormPage:
    """The empty entry form, for a resident while submissions are open (refused as creating would be)."""
    contest, place = access.contest_and_place(session, contest_id)
    access.authorise(session, viewer=viewer, action="create_entry", contest=contest, place=place, now=now)
    return EntryFormPage(contest=contest, place=place, places=place_choices(session, place))


def edit_entry_page(session: Session, *, viewer: Viewer, entry_id: int, now: datetime):
    """The entry's form as its team last saved it, with its budget lines and material needs."""
    from civic.contests import entries, entry_input  # the use case decides who may change what

    seen = entries.changeable_entry(session, viewer=viewer, entry_id=entry_id, now=now)
    budget = session.execute(select(BudgetLine).where(BudgetLine.entry_id == entry_id)
                             .order_by(BudgetLine.position, BudgetLine.id)).scalars().all()
    needs = session.execute(select(MaterialNeed).where(MaterialNeed.entry_id == entry_id)
                            .order_by(MaterialNeed.position, MaterialNeed.id)).scalars().all()
    page = EntryFormPage(contest=seen.contest, place=seen.place, places=place_choices(session, seen.place),
                         entry=seen.entry)
    return page, entry_input.form_of(seen.entry, budget, needs)


# ---- screening ------------------------------------------------------------------------------------------

@dataclass
class ScreeningPage:
    contest: Contest
    place: Place
    phase: Phase
    entries: list[ContestEntry]

    @property
    def waiting(self) -> int:
        return sum(e.status == EntryStatus.submitted for e in self.entries)


def screening_page(session: Session, *, viewer: Viewer, contest_id: int, now: datetime) -> ScreeningPage:
    """Staff, while screening is open: every submitted entry, those not yet screened first (two queries)."""
    contest, place = access.contest_and_place(session, contest_id)
    access.authorise(session, viewer=viewer, action="screen", contest=contest, place=place, now=now)
    rows = list(session.execute(
        select(ContestEntry).where(ContestEntry.contest_id == contest.id, ContestEntry.status.in_(SCREENABLE))
        .order_by((ContestEntry.status != EntryStatus.submitted), ContestEntry.submitted_at, ContestEntry.id))
        .scalars())
    return ScreeningPage(contest=contest, place=place, phase=rules.contest_phase(contest, now), entries=rows)



def contest_of_pledge(session: Session, *, pledge_id: int) -> int:
    """The contest a pledge was made in (for going back to its ledger)."""
    contest_id = session.execute(select(ContestEntry.contest_id).join(Pledge, Pledge.entry_id == ContestEntry.id)
                                 .where(Pledge.id == pledge_id)).scalar()
    if contest_id is None:
        raise NotFound(N_("There is no such pledge."))
    return contest_id


def contest_of_entry(session: Session, *, entry_id: int) -> int:
    contest_id = session.execute(select(ContestEntry.contest_id).where(ContestEntry.id == entry_id)).scalar()
    if contest_id is None:
        raise NotFound(N_("There is no such entry."))
    return contest_id


def entry_of_comment(session: Session, *, comment_id: int) -> int:
    entry_id = session.execute(select(EntryComment.entry_id).where(EntryComment.id == comment_id)).scalar()
    if entry_id is None:
        raise NotFound(N_("There is no such comment."))
    return entry_id
