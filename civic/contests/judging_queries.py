"""What the judging pages show, each in a constant number of queries: a judge's queue with their own progress
and conflicts, staff following each judge's progress (counts only, never a score), a judge's score sheet and
the page that confirms a conflict."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from civic.contests import access, judging, queries, rules
from civic.contests.models import Contest, ContestEntry, Phase, ScoreItem, ScoreSheet
from civic.errors import Conflict, NotFound, PermissionDenied
from civic.i18n import N_
from civic.places.models import Place
from civic.places.rules import Viewer

# Phases in which a judge has a queue: conflicts from screening, scores while judging, a read-only view after.
JUDGE_PHASES = (Phase.screening, Phase.backing, Phase.judging, Phase.results)


@dataclass(frozen=True)
class QueueItem:
    entry_id: int
    title: str
    summary: str
    conflict: str | None  # "team", "household", "declared" or None
    scored: int  # criteria scored on the judge's own sheet (0: not started)
    complete: bool
    total: int | None  # the judge's own total: never anyone else's


@dataclass(frozen=True)
class JudgeProgress:
    name: str
    complete: int
    partial: int
    queue: int  # judged entries minus the judge's conflicts
    declared: int
    automatic: int


@dataclass
class JudgingPage:
    contest: Contest
    place: Place
    phase: Phase
    roles: frozenset[str]
    criteria: list[queries.Criterion]
    queue: list[QueueItem] = field(default_factory=list)  # the judge's: entries they may score
    conflicted: list[QueueItem] = field(default_factory=list)
    progress: list[JudgeProgress] = field(default_factory=list)  # for staff

    @property
    def is_judge(self) -> bool:
        return rules.JUDGE in self.roles

    @property
    def done(self) -> int:
        return sum(item.complete for item in self.queue)

    @property
    def max_total(self) -> int:
        return queries.max_total(self.criteria)

    def can(self, action: str) -> bool:
        return rules.allowed(action, self.phase, self.roles)


def _entries(session: Session, contest_id: int, phase: Phase) -> list[ContestEntry]:
    """The entries judges deal with: the judged ones from judging on, those known before."""
    where = judging.JUDGED if phase in (Phase.judging, Phase.results) else (
        ContestEntry.status.in_(judging.KNOWN),)
    return list(session.execute(select(ContestEntry).where(ContestEntry.contest_id == contest_id, *where)
                                .order_by(ContestEntry.id)).scalars())


def _check_page(phase: Phase, roles: frozenset[str], place: Place) -> None:
    """Judges from screening on, staff once judging has opened; others are refused as scoring would be."""
    if rules.JUDGE in roles and phase in JUDGE_PHASES:
        return
    if rules.STAFF in roles:
        access.check("see_progress", phase, roles, place)
        return
    access.check("score", phase, roles, place)


def judging_page(session: Session, *, viewer: Viewer, contest_id: int, now: datetime) -> JudgingPage:
    """The judging page: for a judge the rubric, their queue, their own progress and conflicts; for staff
    each judge's progress in counts. Backing is settled first if no job has done it yet (a write)."""
    contest, place = judging.settled_contest(session, contest_id, now, lock=None)
    roles = access.roles_of(session, viewer=viewer, contest=contest, place=place, now=now)
    phase = rules.contest_phase(contest, now)
    if phase == Phase.draft and rules.STAFF not in roles:
        raise NotFound(N_("There is no such contest."))
    _check_page(phase, roles, place)
    page = JudgingPage(contest=contest, place=place, phase=phase, roles=roles,
                       criteria=queries.rubric(session, contest.id))
    entries = _entries(session, contest.id, phase)
    ids = [e.id for e in entries]
    if page.is_judge:
        me = judging.judges(session, contest.id, only=viewer.account_id)
        found = judging.conflicts(session, contest_id=contest.id, judge_list=me, entry_ids=ids)
        sheets = {entry_id: (n, complete, total) for entry_id, n, complete, total in session.execute(
            select(ScoreSheet.entry_id, select(func.count(ScoreItem.id)).where(ScoreItem.sheet_id == ScoreSheet.id)
                   .correlate(ScoreSheet).scalar_subquery(), ScoreSheet.complete, ScoreSheet.total)
            .where(ScoreSheet.contest_id == contest.id, ScoreSheet.judge_id == viewer.account_id)).all()}
        for e in entries:
            n, complete, total = sheets.get(e.id, (0, False, None))
            item = QueueItem(entry_id=e.id, title=e.title, summary=e.summary, conflict=found.get((viewer.account_id,
                             e.id)), scored=n, complete=complete, total=total)
            (page.conflicted if item.conflict else page.queue).append(item)
    if rules.STAFF in roles and rules.allowed("see_progress", phase, roles):
        page.progress = staff_progress(session, contest_id=contest.id, entry_ids=ids)
    return page


def staff_progress(session: Session, *, contest_id: int, entry_ids: list[int]) -> list[JudgeProgress]:
    """Each judge's progress over the judged entries: complete and partial sheets of their queue, and their
    conflicts (four queries). Counts only: staff see no score before the results."""
    everyone = judging.judges(session, contest_id)
    found = judging.conflicts(session, contest_id=contest_id, judge_list=everyone, entry_ids=entry_ids)
    wanted = set(entry_ids)
    sheets = session.execute(select(ScoreSheet.judge_id, ScoreSheet.entry_id, ScoreSheet.complete)
                             .where(ScoreSheet.contest_id == contest_id)).all()
    rows = []
    for judge in everyone:
        mine = [(e, c) for j, e, c in sheets if j == judge.account_id and e in wanted
                and (judge.account_id, e) not in found]
        whys = [why for (j, _e), why in found.items() if j == judge.account_id]
        rows.append(JudgeProgress(name=judge.name, complete=sum(c for _e, c in mine),
                                  partial=sum(not c for _e, c in mine),
                                  queue=len(wanted) - len(whys), declared=whys.count("declared"),
                                  automatic=len(whys) - whys.count("declared")))
    return rows


@dataclass
class SheetPage:
    entry: ContestEntry
    contest: Contest
    criteria: list[queries.Criterion]
    levels: dict[int, int]  # criterion id → the judge's chosen level
    sheet: ScoreSheet | None
    done: int
    queue: int
    next_entry_id: int | None  # the next entry of the queue without a complete sheet


def sheet_page(session: Session, *, viewer: Viewer, entry_id: int, now: datetime) -> SheetPage:
    """A judge's own sheet for an entry, refused as saving it would be (role, phase, judged, conflict)."""
    entry, contest, place = judging.entry_for_judging(session, entry_id, now)
    access.authorise(session, viewer=viewer, action="score", contest=contest, place=place, now=now,
                     entry_id=entry.id)
    if not judging.is_judged(entry):
        raise Conflict(N_("This entry is not being judged: only accepted entries that reached their money "
                                 "goal are."))
    queue_ids = [e.id for e in _entries(session, contest.id, Phase.judging)]
    found = judging.conflicts(session, contest_id=contest.id,
                              judge_list=judging.judges(session, contest.id, only=viewer.account_id),
                              entry_ids=queue_ids)
    why = found.get((viewer.account_id, entry.id))
    if why is not None:
        raise PermissionDenied(judging.CONFLICT_MESSAGES[why])
    sheets = {s.entry_id: s for s in session.execute(select(ScoreSheet).where(
        ScoreSheet.contest_id == contest.id, ScoreSheet.judge_id == viewer.account_id)).scalars()}
    sheet = sheets.get(entry.id)
    levels = dict(session.execute(select(ScoreItem.criterion_id, ScoreItem.level)
                                  .where(ScoreItem.sheet_id == sheet.id)).all()) if sheet else {}
    mine = [i for i in queue_ids if (viewer.account_id, i) not in found]
    later = [i for i in mine[mine.index(entry.id) + 1:] + mine[:mine.index(entry.id)]
             if not (i in sheets and sheets[i].complete)]
    return SheetPage(entry=entry, contest=contest, criteria=queries.rubric(session, contest.id), levels=levels,
                     sheet=sheet, done=sum(1 for i in mine if i in sheets and sheets[i].complete), queue=len(mine),
                     next_entry_id=later[0] if later else None)


@dataclass
class ConflictPage:
    entry: ContestEntry
    contest: Contest
    has_sheet: bool  # declaring deletes it


def conflict_page(session: Session, *, viewer: Viewer, entry_id: int, now: datetime) -> ConflictPage:
    """The confirmation before declaring a conflict, refused as the declaration itself would be."""
    entry, contest, place = judging.entry_for_judging(session, entry_id, now)
    access.authorise(session, viewer=viewer, action="declare_conflict", contest=contest, place=place, now=now,
                     entry_id=entry.id)
    if entry.status not in judging.KNOWN:
        raise Conflict(N_("This entry is not in the contest: there is nothing to declare."))
    why = judging.conflict_of(session, contest_id=contest.id, judge_id=viewer.account_id, entry_id=entry.id)
    if why == "declared":
        raise Conflict(N_("You have already declared a conflict of interest with this entry."))
    if why is not None:
        raise Conflict(judging.CONFLICT_MESSAGES[why])
    has_sheet = session.execute(select(ScoreSheet.id).where(ScoreSheet.entry_id == entry.id,
                                                           ScoreSheet.judge_id == viewer.account_id)).first()
    return ConflictPage(entry=entry, contest=contest, has_sheet=has_sheet is not None)
