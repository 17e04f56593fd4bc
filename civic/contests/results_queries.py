"""What the results page and the staff dashboard show. Both read the stored results document, so their
number of queries does not grow with the number of entries; both publish the results first when judging
has closed and no job has done it yet."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from civic.auth.models import Account
from civic.contests import access, results, rules
from civic.contests.models import Contest, ContestEntry, ContestResult, JudgeConflict, Phase
from civic.pagination import Page
from civic.places.models import Place
from civic.places.rules import Viewer

PER_PAGE = 100
# Krippendorff's own reading of alpha: from 0.8 reliable, from 0.667 enough for tentative conclusions.
RELIABLE, TENTATIVE = 0.8, 0.667


@dataclass
class ResultsPage:
    contest: Contest
    place: Place
    phase: Phase
    roles: frozenset[str]
    result: ContestResult | None = None
    document: dict = field(default_factory=dict)
    entries: Page | None = None  # one page of the document's entries

    @property
    def published(self) -> bool:
        return self.result is not None

    @property
    def letters(self) -> list[str]:
        return [j["judge"] for j in self.document.get("judges", [])]

    @property
    def ties(self) -> list[dict]:
        """The entries on this page whose combined score tied with the entry above, and how it was broken."""
        return [e for e in self.entries.items if e["tie_broken_by"]] if self.entries else []

    def can(self, action: str) -> bool:
        return rules.allowed(action, self.phase, self.roles)


def _load(session: Session, contest: Contest, now: datetime) -> tuple[ContestResult | None, dict]:
    if rules.contest_phase(contest, now) == Phase.results:
        results.publish_results(session, contest_id=contest.id, now=now)
    result = session.execute(select(ContestResult).where(ContestResult.contest_id == contest.id)).scalar()
    return result, json.loads(result.document) if result else {}


def results_page(session: Session, *, viewer: Viewer | None, contest_id: int, now: datetime,
                 number: int = 1) -> ResultsPage:
    """The published results (one page of entries), or before the close what and when will be published."""
    viewer = viewer or Viewer(account_id=None)
    contest, place, roles = access.visible_contest(session, viewer=viewer, contest_id=contest_id, now=now)
    page = ResultsPage(contest=contest, place=place, phase=rules.contest_phase(contest, now), roles=roles)
    if page.phase != Phase.results:
        return page
    page.result, page.document = _load(session, contest, now)
    rows = page.document.get("entries", [])
    number = max(1, min(number, -(-len(rows) // PER_PAGE) or 1))
    page.entries = Page(items=rows[(number - 1) * PER_PAGE:number * PER_PAGE], number=number, size=PER_PAGE,
                        total=len(rows))
    return page


@dataclass(frozen=True)
class JudgeRow:
    letter: str
    name: str
    n: int
    mean: str
    sd: str


@dataclass(frozen=True)
class DeclaredConflict:
    judge: str  # name, for staff
    letter: str | None  # their public letter, if they have one
    entry_id: int
    entry: str
    reason: str
    declared_at: datetime


@dataclass
class Dashboard:
    contest: Contest
    document: dict
    judges: list[JudgeRow]
    flagged: list[dict]  # entries, widest disagreement first
    conflicts: list[DeclaredConflict]

    @property
    def alpha(self) -> float | None:
        return self.document["agreement"]["alpha"]

    @property
    def band(self) -> str:
        """How to read alpha: "none" (not computable), "reliable", "tentative" or "low"."""
        alpha = self.alpha
        if alpha is None:
            return "none"
        return "reliable" if alpha >= RELIABLE else "tentative" if alpha >= TENTATIVE else "low"


def dashboard_page(session: Session, *, viewer: Viewer, contest_id: int, now: datetime) -> Dashboard:
    """Staff, after the close: agreement, flagged entries, each judge's mean and spread with their real name
    next to their letter, and the conflicts judges declared with their reasons (five queries or so)."""
    contest, place = access.contest_and_place(session, contest_id)
    access.authorise(session, viewer=viewer, action="see_dashboard", contest=contest, place=place, now=now)
    result, document = _load(session, contest, now)
    letters = {int(account_id): letter for letter, account_id in json.loads(result.judges).items()}
    declared = session.execute(
        select(Account.display_name, JudgeConflict.judge_id, ContestEntry.id, ContestEntry.title,
               JudgeConflict.reason, JudgeConflict.declared_at)
        .join(Account, Account.id == JudgeConflict.judge_id).join(ContestEntry, ContestEntry.id == JudgeConflict.entry_id)
        .where(JudgeConflict.contest_id == contest.id).order_by(ContestEntry.id, Account.id)).all()
    names = dict(session.execute(select(Account.id, Account.display_name).where(Account.id.in_(letters))).all())
    by_letter = {letter: names.get(account_id, "") for account_id, letter in letters.items()}
    rows = {e["entry_id"]: e for e in document["entries"]}
    return Dashboard(
        contest=contest, document=document,
        judges=[JudgeRow(letter=j["judge"], name=by_letter.get(j["judge"], ""), n=j["n"], mean=j["mean"], sd=j["sd"])
                for j in document["judges"]],
        flagged=[rows[e] for e in document["agreement"]["flagged"]],
        conflicts=[DeclaredConflict(judge=name, letter=letters.get(judge_id), entry_id=entry_id, entry=title,
                                    reason=reason, declared_at=at)
                   for name, judge_id, entry_id, title, reason, at in declared])
