"""Judging: which entries are judged, who is conflicted on which (team, household, declared), declaring a
conflict, and saving a score sheet. Scores stay private until judging closes: the pages in
`judging_queries` show each judge only their own sheets and staff only counts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from civic import audit
from civic.auth.models import Account, Role, RoleGrant, ScopeType
from civic.contests import access, backing, rules
from civic.contests.models import (
    Contest,
    ContestEntry,
    EntryMember,
    EntryStatus,
    Funding,
    JudgeConflict,
    Phase,
    RubricCriterion,
    RubricLevel,
    ScoreItem,
    ScoreSheet,
)
from civic.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from civic.i18n import N_
from civic.places.models import Person, Place
from civic.places.rules import Viewer

REASON_MAX = 500
# Judged entries: screened in and kept their pledges (all-or-nothing) when backing closed.
JUDGED = (ContestEntry.status == EntryStatus.accepted, ContestEntry.funding == Funding.funded)
# Before judging opens a judge may already declare conflicts on the entries that are known.
KNOWN = (EntryStatus.submitted, EntryStatus.accepted)
CONFLICT_MESSAGES = {
    "team": N_("You are on this entry's team: you cannot score it."),
    "household": N_("You share a household with a member of this entry's team: you cannot score it."),
    "declared": N_("You have declared a conflict of interest with this entry: you cannot score it."),
}


@dataclass(frozen=True)
class Judge:
    account_id: int
    name: str
    household_id: int | None


@dataclass(frozen=True)
class Declared:
    conflict: JudgeConflict
    sheet_deleted: bool  # the judge had scored the entry: that sheet is gone and will not count


def judges(session: Session, contest_id: int, *, only: int | None = None) -> list[Judge]:
    """The contest's judges in the order of their account ids, with their households (one query)."""
    stmt = (select(Account.id, Account.display_name, Person.household_id)
            .join(RoleGrant, RoleGrant.account_id == Account.id)
            .outerjoin(Person, Person.id == Account.person_id)
            .where(RoleGrant.role == Role.judge, RoleGrant.scope_type == ScopeType.contest,
                   RoleGrant.scope_id == contest_id)
            .order_by(Account.id))
    if only is not None:
        stmt = stmt.where(Account.id == only)
    return [Judge(account_id=a, name=n, household_id=h) for a, n, h in session.execute(stmt).all()]


def conflicts(session: Session, *, contest_id: int, judge_list: Iterable[Judge],
              entry_ids: Iterable[int] | None = None) -> dict[tuple[int, int], str]:
    """(judge account id, entry id) → "team", "household" or "declared", for every conflicted pair (two
    queries). A conflict found through the team or a household wins over a declared one: it says more."""
    judge_list = list(judge_list)
    if not judge_list:
        return {}
    members = (select(EntryMember.entry_id, EntryMember.account_id, Person.household_id)
               .join(ContestEntry, ContestEntry.id == EntryMember.entry_id)
               .join(Account, Account.id == EntryMember.account_id)
               .outerjoin(Person, Person.id == Account.person_id)
               .where(ContestEntry.contest_id == contest_id))
    declared = select(JudgeConflict.judge_id, JudgeConflict.entry_id).where(
        JudgeConflict.contest_id == contest_id, JudgeConflict.judge_id.in_([j.account_id for j in judge_list]))
    if entry_ids is not None:
        entry_ids = list(entry_ids)
        members = members.where(EntryMember.entry_id.in_(entry_ids))
        declared = declared.where(JudgeConflict.entry_id.in_(entry_ids))
    team: dict[int, set[int]] = defaultdict(set)
    households: dict[int, set[int | None]] = defaultdict(set)
    for entry_id, account_id, household_id in session.execute(members).all():
        team[entry_id].add(account_id)
        households[entry_id].add(household_id)
    found = {(judge_id, entry_id): "declared" for judge_id, entry_id in session.execute(declared).all()}
    for judge in judge_list:
        for entry_id in team:
            why = rules.automatic_conflict(judge_id=judge.account_id, judge_household=judge.household_id,
                                           team=team[entry_id], team_households=households[entry_id])
            if why is not None:
                found[(judge.account_id, entry_id)] = why
    return found


def settled_contest(session: Session, contest_id: int, now: datetime, *, lock: str | None = "share"
                    ) -> tuple[Contest, Place]:
    """The contest, with backing settled first if its deadline has passed and no job has settled it yet (so
    that every judge's queue holds exactly the funded entries), then locked as asked."""
    contest, _place = access.contest_and_place(session, contest_id)
    if contest.backing_settled_at is None and rules.contest_phase(contest, now) in (Phase.judging, Phase.results):
        backing.settle_backing(session, contest_id=contest.id, now=now)
    return access.contest_and_place(session, contest_id, lock=lock)


def entry_for_judging(session: Session, entry_id: int, now: datetime) -> tuple[ContestEntry, Contest, Place]:
    contest_id = session.execute(select(ContestEntry.contest_id).where(ContestEntry.id == entry_id)).scalar()
    if contest_id is None:
        raise NotFound(N_("There is no such entry."))
    contest, place = settled_contest(session, contest_id, now)
    entry = session.execute(select(ContestEntry).where(ContestEntry.id == entry_id)
                            .execution_options(populate_existing=True)).scalar_one()
    return entry, contest, place


def is_judged(entry: ContestEntry) -> bool:
    return entry.status == EntryStatus.accepted and entry.funding == Funding.funded


def conflict_of(session: Session, *, contest_id: int, judge_id: int, entry_id: int) -> str | None:
    """Why this judge may not score this entry, or None (three queries)."""
    found = conflicts(session, contest_id=contest_id, judge_list=judges(session, contest_id, only=judge_id),
                      entry_ids=[entry_id])
    return found.get((judge_id, entry_id))


def rubric_levels(session: Session, contest_id: int) -> tuple[dict[int, int], dict[int, set[int]], dict[int, str]]:
    """The rubric as the sheet needs it: weights, allowed level scores and names by criterion id (one query)."""
    weights: dict[int, int] = {}
    allowed: dict[int, set[int]] = defaultdict(set)
    names: dict[int, str] = {}
    for cid, weight, name, score in session.execute(
            select(RubricCriterion.id, RubricCriterion.weight, RubricCriterion.name, RubricLevel.score)
            .join(RubricLevel, RubricLevel.criterion_id == RubricCriterion.id)
            .where(RubricCriterion.contest_id == contest_id)).all():
        weights[cid], names[cid] = weight, name
        allowed[cid].add(score)
    return weights, dict(allowed), names


def check_levels(levels: Mapping[int, int | None], allowed: Mapping[int, set[int]],
                 names: Mapping[int, str]) -> dict[int, int]:
    """The levels chosen (criteria left unscored dropped), or InvalidInput naming the criterion."""
    chosen = {}
    for cid, level in levels.items():
        if cid not in allowed:
            raise InvalidInput(N_("This criterion is not in the contest's rubric."), field="levels")
        if level is None:
            continue
        if level not in allowed[cid]:
            raise InvalidInput(N_("Choose one of the levels described for “%(name)s”."), field=f"criterion-{cid}",
                               name=names[cid])
        chosen[cid] = level
    if not chosen:
        raise InvalidInput(N_("Choose a level for at least one criterion."), field="levels")
    return chosen


def _locked_sheet(session: Session, *, contest_id: int, entry_id: int, judge_id: int, now: datetime) -> ScoreSheet:
    """The judge's sheet for the entry, created if need be, locked to the end of the transaction: two saves
    by the same judge (two tabs) take turns, so the items and the total always agree."""
    stmt = (select(ScoreSheet).where(ScoreSheet.entry_id == entry_id, ScoreSheet.judge_id == judge_id)
            .with_for_update().execution_options(populate_existing=True))
    sheet = session.execute(stmt).scalar()
    if sheet is None:
        try:
            with session.begin_nested():
                sheet = ScoreSheet(contest_id=contest_id, entry_id=entry_id, judge_id=judge_id, created_at=now,
                                   updated_at=now)
                session.add(sheet)
                session.flush()
        except IntegrityError:  # the other tab created it first: wait for it and take it over
            sheet = session.execute(stmt).scalar_one()
    return sheet


def save_sheet(session: Session, *, viewer: Viewer, entry_id: int, levels: Mapping[int, int | None],
               now: datetime) -> ScoreSheet:
    """A judge scores an entry on the rubric, one level per criterion; a partial sheet is kept but only a
    complete one counts. Revisable until judging closes."""
    entry, contest, place = entry_for_judging(session, entry_id, now)
    access.authorise(session, viewer=viewer, action="score", contest=contest, place=place, now=now,
                     entry_id=entry.id)
    if not is_judged(entry):
        raise Conflict(N_("This entry is not being judged: only accepted entries that reached their money goal "
                          "are."))
    weights, allowed, names = rubric_levels(session, contest.id)
    chosen = check_levels(levels, allowed, names)
    sheet = _locked_sheet(session, contest_id=contest.id, entry_id=entry.id, judge_id=viewer.account_id, now=now)
    # Checked once the sheet is locked: a conflict declared meanwhile (which deletes the sheet) is seen here.
    why = conflict_of(session, contest_id=contest.id, judge_id=viewer.account_id, entry_id=entry.id)
    if why is not None:
        raise PermissionDenied(CONFLICT_MESSAGES[why])
    session.execute(delete(ScoreItem).where(ScoreItem.sheet_id == sheet.id))
    session.add_all([ScoreItem(sheet_id=sheet.id, criterion_id=cid, level=level) for cid, level in chosen.items()])
    sheet.total, sheet.complete = rules.sheet_total(weights, chosen)
    sheet.updated_at = now
    session.flush()
    # The audit trail keeps that a sheet changed, not the score: scores are private until judging closes.
    audit.record(session, actor_id=viewer.account_id, action="contest.scored", object_type="contest",
                 object_id=contest.id, payload={"entry": entry.id, "complete": sheet.complete}, now=now)
    return sheet


def check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(N_("Say why you have a conflict of interest (staff see it; it is not published)."),
                           field="reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput(N_("The reason is too long (at most %(max)s characters)."), field="reason", max=REASON_MAX)
    return reason


def declare_conflict(session: Session, *, viewer: Viewer, entry_id: int, reason: str, now: datetime) -> Declared:
    """A judge declares a conflict of interest with an entry, with a reason; a sheet they already gave it is
    deleted and will not count."""
    entry, contest, place = entry_for_judging(session, entry_id, now)
    access.authorise(session, viewer=viewer, action="declare_conflict", contest=contest, place=place, now=now,
                     entry_id=entry.id)
    if entry.status not in KNOWN:
        raise Conflict(N_("This entry is not in the contest: there is nothing to declare."))
    reason = check_reason(reason)
    why = conflict_of(session, contest_id=contest.id, judge_id=viewer.account_id, entry_id=entry.id)
    if why == "declared":
        raise Conflict(N_("You have already declared a conflict of interest with this entry."))
    if why is not None:
        raise Conflict(CONFLICT_MESSAGES[why])
    conflict = JudgeConflict(contest_id=contest.id, entry_id=entry.id, judge_id=viewer.account_id, reason=reason,
                             declared_at=now)
    try:
        with session.begin_nested():
            session.add(conflict)
            session.flush()
    except IntegrityError:  # declared twice at once (two tabs)
        raise Conflict(N_("You have already declared a conflict of interest with this entry.")) from None
    sheet = session.execute(select(ScoreSheet).where(ScoreSheet.entry_id == entry.id,
                                                     ScoreSheet.judge_id == viewer.account_id)
                            .with_for_update()).scalar()
    if sheet is not None:
        session.execute(delete(ScoreItem).where(ScoreItem.sheet_id == sheet.id))
        session.delete(sheet)
        session.flush()
    audit.record(session, actor_id=viewer.account_id, action="contest.conflict_declared", object_type="contest",
                 object_id=contest.id, payload={"entry": entry.id, "sheet_deleted": sheet is not None}, now=now)
    return Declared(conflict=conflict, sheet_deleted=sheet is not None)
