"""Entries: a resident starts one while submissions are open and leads its team; the team edits it, submits
it and may withdraw it until the submission deadline, when it is locked; staff screen it in or out with a
public reason. Team members and images are in entry_team."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlmodel import Session

from civic import audit
from civic.contests import access, rules
from civic.contests.entry_input import EntryFields, EntryForm, clean, read_entry
from civic.contests.entry_queries import CHANGEABLE, SCREENABLE, SeenEntry, visible_entry
from civic.contests.models import BudgetLine, ContestEntry, EntryMember, EntryStatus, MaterialNeed
from civic.errors import Conflict, InvalidInput
from civic.i18n import N_
from civic.notifications import notify
from civic.places.models import Place, PlaceKind
from civic.places.rules import Viewer

LOCKED = {
    EntryStatus.accepted: N_("This entry has been screened: it can no longer change."),
    EntryStatus.rejected: N_("This entry has been screened: it can no longer change."),
    EntryStatus.withdrawn: N_("This entry has been withdrawn: it can no longer change."),
}
DECISIONS = {"accept": EntryStatus.accepted, "reject": EntryStatus.rejected}
SCREENED = {
    EntryStatus.accepted: N_("Your entry “%(title)s” has been accepted: it is open for backing when backing opens. "
                             "%(reason)s"),
    EntryStatus.rejected: N_("Your entry “%(title)s” was not accepted: %(reason)s"),
}


def changeable_entry(session: Session, *, viewer: Viewer, entry_id: int, now: datetime,
                     lock: str | None = None) -> SeenEntry:
    """The entry, if the viewer is on its team, submissions are open and it is a draft or submitted."""
    seen = visible_entry(session, viewer=viewer, entry_id=entry_id, now=now, lock=lock)
    access.check("edit_entry", seen.phase, seen.roles, seen.place)
    if seen.entry.status not in CHANGEABLE:
        raise Conflict(LOCKED[seen.entry.status])
    return seen


def _check_place(session: Session, contest_place: Place, place_id: int | None) -> None:
    """An entry's own place is one of entry_queries.place_choices: under the contest's place, not a building."""
    if place_id is None:
        return
    place = session.get(Place, place_id)
    if (place is None or place.id == contest_place.id or not place.path.startswith(contest_place.path)
            or place.kind == PlaceKind.building):
        raise InvalidInput(N_("Choose the place from the list, or leave it empty."), field="place")


def _write_details(session: Session, entry: ContestEntry, fields: EntryFields) -> None:
    """The entry's columns, budget lines and material needs, replacing what was there."""
    for name in ("title", "summary", "beneficiaries", "plan", "place_id", "latitude", "longitude", "money_goal_fen",
                 "hours_goal"):
        setattr(entry, name, getattr(fields, name))
    # Lines and needs are replaced whole: no pledge can name a need before the entry is accepted.
    session.execute(delete(BudgetLine).where(BudgetLine.entry_id == entry.id))
    session.execute(delete(MaterialNeed).where(MaterialNeed.entry_id == entry.id))
    session.add_all([BudgetLine(entry_id=entry.id, position=n, item=item, amount_fen=fen)
                     for n, (item, fen) in enumerate(fields.budget)])
    session.add_all([MaterialNeed(entry_id=entry.id, position=n, item=item, quantity=quantity, unit=unit)
                     for n, (item, quantity, unit) in enumerate(fields.materials)])
    session.flush()


def create_entry(session: Session, *, viewer: Viewer, contest_id: int, form: EntryForm, now: datetime) -> ContestEntry:
    """A resident of the contest's place starts an entry (a draft only the team sees) and leads its team."""
    contest, place = access.contest_and_place(session, contest_id, lock="share")
    access.authorise(session, viewer=viewer, action="create_entry", contest=contest, place=place, now=now)
    fields = read_entry(form)
    _check_place(session, place, fields.place_id)
    entry = ContestEntry(contest_id=contest.id, title=fields.title, created_by=viewer.account_id, created_at=now,
                         updated_at=now, status=EntryStatus.draft)
    session.add(entry)
    session.flush()
    session.add(EntryMember(entry_id=entry.id, account_id=viewer.account_id, is_lead=True, added_at=now))
    _write_details(session, entry, fields)
    audit.record(session, actor_id=viewer.account_id, action="contest.entry_created", object_type="contest_entry",
                 object_id=entry.id, payload={"contest": contest.id, "title": entry.title}, now=now)
    return entry


def edit_entry(session: Session, *, viewer: Viewer, entry_id: int, form: EntryForm, now: datetime) -> ContestEntry:
    """The team changes its entry, draft or submitted, until the submission deadline."""
    seen = changeable_entry(session, viewer=viewer, entry_id=entry_id, now=now, lock="share")
    fields = read_entry(form)
    _check_place(session, seen.place, fields.place_id)
    _write_details(session, seen.entry, fields)
    seen.entry.updated_at = now
    audit.record(session, actor_id=viewer.account_id, action="contest.entry_edited", object_type="contest_entry",
                 object_id=seen.entry.id, payload={"title": seen.entry.title, "status": seen.entry.status}, now=now)
    return seen.entry


def submit_entry(session: Session, *, viewer: Viewer, entry_id: int, now: datetime) -> ContestEntry:
    """The team submits its draft: public from now on, and still theirs to change until the deadline."""
    seen = changeable_entry(session, viewer=viewer, entry_id=entry_id, now=now, lock="share")
    entry = seen.entry
    if entry.status != EntryStatus.draft:
        raise Conflict(N_("This entry has already been submitted."))
    if not entry.summary.strip():
        raise InvalidInput(N_("Write a summary before submitting the entry."), field="summary")
    if not entry.plan.strip():
        raise InvalidInput(N_("Write the plan before submitting the entry."), field="plan")
    entry.status, entry.submitted_at, entry.updated_at = EntryStatus.submitted, now, now
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="contest.entry_submitted", object_type="contest_entry",
                 object_id=entry.id, payload={"contest": seen.contest.id}, now=now)
    return entry


def withdraw_entry(session: Session, *, viewer: Viewer, entry_id: int, now: datetime) -> ContestEntry:
    """The team takes back its submitted entry before the deadline; it stays listed as withdrawn."""
    seen = changeable_entry(session, viewer=viewer, entry_id=entry_id, now=now, lock="share")
    entry = seen.entry
    if entry.status != EntryStatus.submitted:
        raise Conflict(N_("Only a submitted entry can be withdrawn; a draft is seen by nobody but its team."))
    entry.status, entry.updated_at = EntryStatus.withdrawn, now
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="contest.entry_withdrawn", object_type="contest_entry",
                 object_id=entry.id, payload={"contest": seen.contest.id}, now=now)
    _tell_team(session, entry, skip=viewer.account_id, params={"title": entry.title},
               subject=N_("Your team's entry “%(title)s” has been withdrawn from the contest."))
    return entry


def _tell_team(session: Session, entry: ContestEntry, *, subject: str, params: dict, skip: int | None = None) -> None:
    members = session.execute(select(EntryMember.account_id).where(EntryMember.entry_id == entry.id)
                              .order_by(EntryMember.id)).scalars().all()
    for account_id in members:
        if account_id != skip:
            notify(session, account_id=account_id, url=access.entry_path(entry.id), subject=subject, params=params)


def screen_entry(session: Session, *, viewer: Viewer, entry_id: int, decision: str, reason: str,
                 now: datetime) -> ContestEntry:
    """Staff accept or reject a submitted entry while screening is open, with a public reason (required to
    reject); a decision may be changed until screening closes. The team is told."""
    seen = visible_entry(session, viewer=viewer, entry_id=entry_id, now=now, lock="share")
    access.check("screen", seen.phase, seen.roles, seen.place)
    entry = seen.entry
    if entry.status not in SCREENABLE:
        raise Conflict(N_("Only submitted entries are screened."))
    status = DECISIONS.get(decision)
    if status is None:
        raise InvalidInput(N_("Choose whether to accept or reject the entry."), field="decision")
    reason = clean(reason)
    if len(reason) > rules.TEXT_MAX:
        raise InvalidInput(N_("The reason is too long (at most %(max)s characters)."), field="reason",
                           max=rules.TEXT_MAX)
    if status == EntryStatus.rejected and not reason:
        raise InvalidInput(N_("Give the public reason for rejecting the entry."), field="reason")
    if entry.status == status and entry.screening_reason == reason:
        raise Conflict(N_("This entry has already been screened so, with this reason."))
    entry.status, entry.screening_reason, entry.screened_by, entry.screened_at = status, reason, viewer.account_id, now
    entry.updated_at = now
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="contest.entry_screened", object_type="contest_entry",
                 object_id=entry.id, payload={"status": status, "reason": reason}, now=now)
    _tell_team(session, entry, subject=SCREENED[status], params={"title": entry.title, "reason": reason})
    return entry
