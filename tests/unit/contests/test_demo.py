"""The demo contests (`civic fixtures load demo`): the finished one modelled on the seed (72 entries, 20 advance,
5 win, ¥100,000 matched, 5 judges, one declared conflict) reproduces from its open data over HTTP; the other is
open for backing now; loading again creates nothing. The demo is loaded once per module and backend."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from civic import clock, fixtures
from civic.auth.models import Account, Role, RoleGrant, ScopeType
from civic.contests import demo, rules
from civic.contests.models import (
    Contest,
    ContestEntry,
    ContestResult,
    EntryComment,
    EntryMember,
    EntryStatus,
    EntryUpdate,
    Funding,
    JudgeConflict,
    Phase,
    Pledge,
    PledgeKind,
    PledgeStatus,
    ScoreItem,
    ScoreSheet,
)
from civic.settings import Settings
from civic.web.app import create_app
from tests.conftest import SECRET, CivicClient, _wipe
from tests.http.contests.recompute import assert_recomputes

TABLES = (Contest, ContestEntry, EntryMember, Pledge, ScoreSheet, ScoreItem, JudgeConflict, ContestResult,
          EntryUpdate, EntryComment, Account, RoleGrant)


@pytest.fixture(scope="module")
def loaded(_schema_engine, _arrange_engine, database_url, tmp_path_factory):
    """The demo, loaded once; a session to read it (on its own engine, as the `session` fixture) and an
    anonymous client on an app over it."""
    message = fixtures.load(_schema_engine, "demo", progress=False)
    settings = Settings(database_url=database_url, secret_key=SECRET, default_locale="en",
                        var_dir=tmp_path_factory.mktemp("var"))
    try:
        with Session(_arrange_engine, expire_on_commit=False) as session, \
                CivicClient(create_app(settings, engine=_schema_engine), follow_redirects=False) as client:
            by_title = {c.title: c for c in session.execute(select(Contest)).scalars()}
            yield SimpleNamespace(session=session, client=client, message=message, engine=_schema_engine,
                                  finished=by_title[demo.FINISHED_TITLE], open=by_title[demo.BACKING_TITLE])
    finally:
        _wipe(_schema_engine)


def _entries(session: Session, contest: Contest) -> list[ContestEntry]:
    return list(session.execute(select(ContestEntry).where(ContestEntry.contest_id == contest.id)).scalars())


def _account_id(session: Session, email: str) -> int:
    return session.execute(select(Account.id).where(Account.email == email)).scalar_one()


def test_the_finished_contest_is_the_seeds(loaded):
    session, contest = loaded.session, loaded.finished
    assert loaded.message.startswith("Loaded the Wuchang demo register")
    assert rules.contest_phase(contest, clock.now()) == Phase.results
    assert (contest.prize_pool_fen, contest.advance_count, contest.winner_count) == (100_000_00, 20, 5)
    rows = _entries(session, contest)
    assert len(rows) == 72
    rejected = [e for e in rows if e.status == EntryStatus.rejected]
    assert len(rejected) == 6 and all(e.screening_reason for e in rejected)
    assert sum(e.funding == Funding.released for e in rows) == 6
    assert sum(e.advances for e in rows) == 20 and sum(e.wins for e in rows) == 5
    document = json.loads(session.execute(select(ContestResult.document)
                                          .where(ContestResult.contest_id == contest.id)).scalar_one())
    assert sum(e.match_fen or 0 for e in rows) + document["matching"]["unallocated_fen"] == 100_000_00
    assert document["agreement"]["alpha"] is not None


def test_five_judges_scored_and_one_declared_a_conflict(loaded):
    session, contest = loaded.session, loaded.finished
    [conflict] = session.execute(select(JudgeConflict).where(JudgeConflict.contest_id == contest.id)).scalars()
    assert conflict.judge_id == _account_id(session, "judge@civic.test") and conflict.reason
    judges = session.execute(select(func.count(func.distinct(ScoreSheet.judge_id)))
                             .where(ScoreSheet.contest_id == contest.id)).scalar_one()
    assert judges == 5
    assert session.execute(select(ScoreSheet.id).where(ScoreSheet.entry_id == conflict.entry_id,
                                                       ScoreSheet.judge_id == conflict.judge_id)).first() is None
    incomplete = session.execute(select(func.count()).where(ScoreSheet.contest_id == contest.id,
                                                            ScoreSheet.complete.is_(False))).scalar_one()
    assert incomplete == 1
    funded = sum(e.funding == Funding.funded for e in _entries(session, contest))
    sheets = session.execute(select(func.count()).where(ScoreSheet.contest_id == contest.id)).scalar_one()
    assert sheets == 5 * funded - 1  # every funded entry by every judge, but the conflicted pair


def test_the_backing_of_the_finished_contest(loaded):
    """About 250 backers, the demo accounts among them; quadratic matching is not proportional to money."""
    session, contest = loaded.session, loaded.finished
    rows = {e.id: e for e in _entries(session, contest)}
    pledges = session.execute(select(Pledge).where(Pledge.entry_id.in_(rows))).scalars().all()
    backers = {p.account_id for p in pledges}
    assert 240 <= len(backers) <= 260
    for email in ("owner@civic.test", "owner2@civic.test", "tenant@civic.test"):
        assert _account_id(session, email) in backers
    assert {p.kind for p in pledges} == set(PledgeKind)
    assert any(p.status == PledgeStatus.cancelled for p in pledges)
    assert any(p.confirmed_at is not None for p in pledges)
    for p in pledges:
        assert (p.status == PledgeStatus.released) == (rows[p.entry_id].funding == Funding.released)
    money = {e: sum(p.amount_fen for p in pledges if p.entry_id == e and p.kind == PledgeKind.money
                    and p.status == PledgeStatus.standing) for e in rows}
    advancing = sorted((e for e in rows.values() if e.advances), key=lambda e: money[e.id])
    assert any(a.match_fen > b.match_fen for i, a in enumerate(advancing) for b in advancing[i + 1:])


def test_the_published_ranking_and_allocation_recompute_from_the_open_data(loaded, tmp_path):
    loaded.session.rollback()
    document = assert_recomputes(loaded.client, loaded.finished.id, tmp_path)
    assert sum(e["advances"] for e in document["entries"]) == 20


def test_the_other_contest_is_open_for_backing(loaded):
    session, contest, now = loaded.session, loaded.open, clock.now()
    assert rules.contest_phase(contest, now) == Phase.backing
    assert timedelta(days=5) < contest.backing_closes_at - now < timedelta(days=7)
    rows = _entries(session, contest)
    assert sum(e.status == EntryStatus.accepted for e in rows) == 12
    garden = next(e for e in rows if e.title == "南苑村小区楼道微花园")
    team = dict(session.execute(select(EntryMember.account_id, EntryMember.is_lead)
                                .where(EntryMember.entry_id == garden.id)).all())
    assert team == {_account_id(session, "owner@civic.test"): True, _account_id(session, "tenant@civic.test"): False}
    backed = session.execute(select(Pledge.entry_id).where(
        Pledge.account_id == _account_id(session, "owner2@civic.test"), Pledge.status == PledgeStatus.standing,
        Pledge.entry_id.in_([e.id for e in rows]))).scalars().all()
    assert backed and garden.id not in backed
    for email, role in (("judge@civic.test", Role.judge), ("treasurer@civic.test", Role.treasurer)):
        held = set(session.execute(select(RoleGrant.scope_id).where(
            RoleGrant.account_id == _account_id(session, email), RoleGrant.role == role,
            RoleGrant.scope_type == ScopeType.contest)).scalars())
        assert held == {loaded.finished.id, contest.id}


def test_a_second_load_creates_nothing(loaded):
    def counts() -> dict[str, int]:
        found = {t.__name__: loaded.session.execute(select(func.count()).select_from(t)).scalar_one() for t in TABLES}
        loaded.session.rollback()  # no read transaction left open while the loader writes
        return found

    before = counts()
    assert fixtures.load(loaded.engine, "demo", progress=False).startswith("Demo data is already loaded")
    assert counts() == before
