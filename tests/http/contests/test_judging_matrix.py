"""Who may do what in judging, in which phase, over HTTP: every role × phase for declaring a conflict, scoring,
following the judging, the dashboard, the results page and the open data, against `civic.contests.rules`.
Allowed: the page or a 303 and a change; refused: 403 (role), 409 (phase) or 404 (open data before the
results) and nothing written; signed out: sent to sign in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from civic import clock
from civic.auth.models import Account
from civic.contests import rules
from civic.contests.models import ContestResult, Funding, JudgeConflict, Phase, ScoreSheet
from tests.unit.contests.builders import add_entry, build_contest_world

PHASES = [Phase.submission, Phase.screening, Phase.backing, Phase.judging, Phase.results]
ROLES = {
    "anonymous": (None, frozenset()),
    "stranger": ("stranger", frozenset({rules.SIGNED_IN})),
    "resident": ("zhang", frozenset({rules.SIGNED_IN, rules.RESIDENT})),
    "team": ("li", frozenset({rules.SIGNED_IN, rules.RESIDENT, rules.TEAM})),
    "judge": ("judge", frozenset({rules.SIGNED_IN, rules.JUDGE})),
    "treasurer": ("treasurer", frozenset({rules.SIGNED_IN, rules.TREASURER})),
    "staff": ("staff", frozenset({rules.SIGNED_IN, rules.STAFF})),
    "other_staff": ("other_staff", frozenset({rules.SIGNED_IN})),
}
REFUSED = {"role": 403, "phase": 409}


def _count(model) -> Callable:
    return lambda session, w: session.execute(select(func.count()).select_from(model)).scalar_one()


def _by_rule(action: str, ok: int = 200) -> Callable:
    def expected(phase: Phase, roles: frozenset[str]) -> int:
        why = rules.refusal(action, phase, roles)
        return ok if why is None else REFUSED[why]

    return expected


def _judging_page(phase: Phase, roles: frozenset[str]) -> int:
    """Judges from screening on (to declare conflicts, then score); staff once judging has opened."""
    if rules.JUDGE in roles:
        return 200 if phase != Phase.submission else 409
    if rules.STAFF in roles:
        return 200 if phase in (Phase.judging, Phase.results) else 409
    return 403


@dataclass(frozen=True)
class Case:
    request: Callable  # (client, w) -> response
    expected: Callable  # (phase, roles) -> status for a signed-in viewer
    state: Callable = _count(ContestResult)  # (session, w) -> what must not change when refused
    signed_out: int | None = 303  # to the sign-in page; None: as for a signed-in viewer without roles


CASES = {
    "declare a conflict": Case(
        lambda c, w: c.post_form(f"/contests/entries/{w.entry.id}/conflict", {"reason": "她是我的邻居"}),
        _by_rule("declare_conflict", 303), _count(JudgeConflict)),
    "score": Case(
        lambda c, w: c.post_form(f"/contests/entries/{w.entry.id}/score",
                                 {f"criterion-{crit.id}": "4" for crit in w.criteria}),
        _by_rule("score", 303), _count(ScoreSheet)),
    "follow the judging": Case(lambda c, w: c.get(f"/contests/{w.contest.id}/judging"), _judging_page),
    "see the dashboard": Case(lambda c, w: c.get(f"/contests/{w.contest.id}/dashboard"), _by_rule("see_dashboard")),
    "read the results": Case(lambda c, w: c.get(f"/contests/{w.contest.id}/results"), lambda phase, roles: 200,
                             signed_out=None),
    "download the scores": Case(lambda c, w: c.get(f"/api/contests/{w.contest.id}/scores.csv"),
                                lambda phase, roles: 200 if phase == Phase.results else 404, signed_out=None),
}


def arrange(session, make_account, phase: Phase):
    w = build_contest_world(session, make_account, phase=phase, now=clock.now())
    w.entry = add_entry(session, w, lead=w.li, title="李娜的书角", money_goal_fen=0)
    if phase in (Phase.judging, Phase.results):
        w.entry.funding = Funding.funded
        w.contest.backing_settled_at = w.contest.backing_closes_at
        session.commit()
    return w


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", CASES)
def test_each_judging_action_works_exactly_for_whom_and_when_the_rules_say(client, session, make_account, name,
                                                                         role, phase):
    case = CASES[name]
    w = arrange(session, make_account, phase)
    viewer, roles = ROLES[role]
    if viewer is not None:
        client.login_as(session.get(Account, getattr(w, viewer).account_id))
    before = case.state(session, w)
    session.commit()
    response = case.request(client, w)
    if viewer is None and case.signed_out is not None:
        assert response.status_code == case.signed_out and response.headers["location"].startswith("/login?next=")
        expected = None
    else:
        expected = case.expected(phase, roles)
        assert response.status_code == expected, response.text[:2000]
    session.rollback()
    session.expire_all()
    after = case.state(session, w)
    if expected in (200, 303) and name in ("declare a conflict", "score"):
        assert after == before + 1
    elif name not in ("read the results", "download the scores", "see the dashboard", "follow the judging"):
        assert after == before  # refused: nothing written
    if name == "read the results":
        published = "How the ranking was made" in response.text
        assert published == (phase == Phase.results)
        assert ("The results are published when judging closes on" in response.text) == (phase != Phase.results)
    if name == "download the scores" and phase != Phase.results:
        assert after == 0 and "published with its results" in response.text
