"""Who may do what with entries and backing, in which phase, over HTTP: every role × phase for creating,
editing, submitting and screening entries, pledging and cancelling, posting updates, commenting, confirming
money and seeing the ledger, against `civic.contests.rules`. Allowed: 303 (or the page) and a change;
refused: 403 (role), 409 (phase) or 404 (a draft, which exists only for its team) and nothing written;
signed out: sent to sign in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from civic import clock
from civic.contests import rules
from civic.contests.models import (
    ContestEntry,
    EntryComment,
    EntryStatus,
    EntryUpdate,
    Funding,
    Phase,
    Pledge,
    PledgeKind,
)
from tests.http.contests import sign_in
from tests.unit.contests.builders import DAY, add_entry, build_contest_world, viewer_of
from tests.unit.places.builders import add_person, link

PHASES = [Phase.submission, Phase.screening, Phase.backing, Phase.judging, Phase.results]
S = rules.SIGNED_IN
ROLES = {
    "anonymous": (None, frozenset()),
    "stranger": ("stranger", frozenset({S})),
    "resident": ("zhao", frozenset({S, rules.RESIDENT})),
    "backer": ("zhang", frozenset({S, rules.RESIDENT, rules.BACKER})),  # a standing pledge on the entry
    "team": ("li", frozenset({S, rules.RESIDENT, rules.TEAM})),
    "judge": ("judge", frozenset({S, rules.JUDGE})),
    "treasurer": ("treasurer", frozenset({S, rules.TREASURER})),
    "staff": ("staff", frozenset({S, rules.STAFF})),
    "other_staff": ("other_staff", frozenset({S})),
}
REFUSED = {"role": 403, "phase": 409}
FORM = {"title": "新的项目", "summary": "摘要", "plan": "计划", "money_goal": "100"}


def _count(model, *where) -> Callable:
    return lambda s, w: s.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _by_rule(action: str, ok: int = 303) -> Callable:
    def expected(phase: Phase, roles: frozenset[str]) -> int:
        why = rules.refusal(action, phase, roles)
        return ok if why is None else REFUSED[why]

    return expected


def _submit(phase: Phase, roles: frozenset[str]) -> int:
    """A draft exists only for its team: anyone else is told there is no such entry."""
    return _by_rule("edit_entry")(phase, roles) if rules.TEAM in roles else 404


def _pledge(phase: Phase, roles: frozenset[str]) -> int:
    """By the rule, and never on one's own entry."""
    outcome = _by_rule("pledge")(phase, roles)
    return 403 if outcome == 303 and rules.TEAM in roles else outcome


@dataclass(frozen=True)
class Case:
    request: Callable  # (client, w) -> response
    expected: Callable  # (phase, roles) -> status for a signed-in viewer
    state: Callable  # (session, w) -> what the action changes


CASES = {
    "create": Case(lambda c, w: c.post_form(f"/contests/{w.contest.id}/entries/new", FORM),
                   _by_rule("create_entry"), _count(ContestEntry)),
    "edit": Case(lambda c, w: c.post_form(f"/contests/entries/{w.submitted.id}/edit", {**FORM, "title": "改过"}),
                 _by_rule("edit_entry"), lambda s, w: s.get(ContestEntry, w.submitted.id).title),
    "submit": Case(lambda c, w: c.post_form(f"/contests/entries/{w.draft.id}/submit"), _submit,
                   lambda s, w: s.get(ContestEntry, w.draft.id).status),
    "screen": Case(lambda c, w: c.post_form(f"/contests/entries/{w.submitted.id}/screen",
                                            {"decision": "reject", "reason": "不符合要求"}),
                   _by_rule("screen"), lambda s, w: s.get(ContestEntry, w.submitted.id).status),
    "pledge": Case(lambda c, w: c.post_form(f"/contests/entries/{w.entry.id}/pledges", {"kind": "money", "amount": "5"}),
                   _pledge, _count(Pledge)),
    "cancel": Case(lambda c, w: c.post_form(f"/contests/pledges/{w.pledge.id}/cancel"), _by_rule("cancel_pledge"),
                   lambda s, w: s.get(Pledge, w.pledge.id).status),
    "post update": Case(lambda c, w: c.post_form(f"/contests/entries/{w.entry.id}/updates", {"body": "进展"}),
                        _by_rule("post_update"), _count(EntryUpdate)),
    "comment": Case(lambda c, w: c.post_form(f"/contests/entries/{w.entry.id}/comments", {"body": "加油"}),
                    _by_rule("comment"), _count(EntryComment)),
    "confirm money": Case(lambda c, w: c.post_form(f"/contests/pledges/{w.pledge.id}/confirm"),
                          _by_rule("confirm_money"), lambda s, w: s.get(Pledge, w.pledge.id).confirmed_at),
    "see the ledger": Case(lambda c, w: c.get(f"/contests/{w.contest.id}/ledger"), _by_rule("see_ledger", 200),
                           lambda s, w: None),
}


def arrange(session, make_account, phase: Phase):
    """李娜 leads an accepted entry (goal ¥50) that 张伟 backs with ¥60, a submitted one and a draft; 赵敏 is a
    resident who backs nothing. From judging on, backing is settled and the entry funded."""
    w = build_contest_world(session, make_account, phase=phase, now=clock.now())
    zhao = add_person(session, "赵敏")
    link(session, w.r.u201, zhao)
    w.zhao = viewer_of(make_account, "赵敏", person=zhao)
    w.entry = add_entry(session, w, lead=w.li, title="李娜的书角", money_goal_fen=50_00)
    w.submitted = add_entry(session, w, lead=w.li, title="李娜的菜园", status=EntryStatus.submitted)
    w.draft = add_entry(session, w, lead=w.li, title="李娜的草稿", status=EntryStatus.draft)
    w.draft.plan = "先做什么，再做什么"
    w.pledge = Pledge(entry_id=w.entry.id, account_id=w.zhang.account_id, kind=PledgeKind.money, amount_fen=60_00,
                      created_at=w.contest.submission_opens_at + DAY)
    session.add(w.pledge)
    if phase in (Phase.judging, Phase.results):
        w.entry.funding = Funding.funded
        w.contest.backing_settled_at = w.contest.backing_closes_at
    session.commit()
    return w


def state(session, w, case: Case):
    session.rollback()
    session.expire_all()
    return case.state(session, w)


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", CASES)
def test_each_entry_action_works_exactly_for_whom_and_when_the_rules_say(client, session, make_account, name, role,
                                                                        phase):
    case = CASES[name]
    w = arrange(session, make_account, phase)
    viewer, roles = ROLES[role]
    sign_in(client, session, getattr(w, viewer) if viewer else w.anonymous)
    before = state(session, w, case)
    response = case.request(client, w)
    after = state(session, w, case)
    if viewer is None:
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
        assert after == before
        return
    expected = case.expected(phase, roles)
    assert response.status_code == expected, response.text[:2000]
    if expected == 303:
        assert after != before
    else:
        assert after == before  # refused: nothing written
