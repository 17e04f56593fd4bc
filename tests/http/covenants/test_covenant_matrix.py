"""Who may do what on the covenant page, in which status, over HTTP: every role × status for each form, against
`civic.covenants.rules` (PERMISSIONS for the actions, TRANSITIONS for status changes). Allowed: 303 back to the
covenant and a change; refused: 403 (role) or 409 (status) and nothing changed; anonymous: sent to sign in. The
page shows a form exactly when posting it would work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from civic.auth.models import Account
from civic.covenants import drafters, rules
from civic.covenants.models import Clause, Covenant, CovenantDrafter, CovenantStatus, DrafterStatus
from tests.unit.covenants.builders import NOW, build_world, set_status

S = CovenantStatus
STATUSES = [S.drafting, S.consultation, S.ratification, S.adopted]
# Each role: the viewer in build_world, and the roles rules know it by towards the covenant.
ROLES = {
    "anonymous": (None, frozenset()),
    "stranger": ("stranger", frozenset()),
    "resident": ("zhang", frozenset({rules.RESIDENT})),
    "drafter": ("drafter", frozenset({rules.DRAFTER})),
    "staff": ("staff", frozenset({rules.STAFF})),
    "other_staff": ("other_staff", frozenset()),
}


@dataclass(frozen=True)
class Case:
    action: str  # in rules.PERMISSIONS
    post: Callable  # (client, w) -> response
    marker: Callable  # (w) -> what the covenant page holds when it offers the form
    state: Callable  # (session, w) -> what the action changes
    ok: int = 303


def _drafter_status(session, covenant_id, account_id):
    return session.execute(select(CovenantDrafter.status).where(CovenantDrafter.covenant_id == covenant_id,
                                                                CovenantDrafter.account_id == account_id)).scalar()


CASES = {
    "edit title": Case(
        "edit", lambda c, w: c.post_form(f"{w.url}/text", {"title": "新标题", "preamble": "新序言"}),
        lambda w: f'action="{w.url}/text"', lambda s, w: s.get(Covenant, w.covenant.id).title),
    "add a clause": Case(
        "edit", lambda c, w: c.post_form(f"{w.url}/clauses", {"source": "template", "template": "noise"}),
        lambda w: f'action="{w.url}/clauses"',
        lambda s, w: s.execute(select(func.count(Clause.id)).where(Clause.covenant_id == w.covenant.id)).scalar()),
    "remove a clause": Case(
        "edit", lambda c, w: c.post_form(f"/covenants/clauses/{w.clause.id}/remove"),
        lambda w: f'href="/covenants/clauses/{w.clause.id}/remove"', lambda s, w: s.get(Clause, w.clause.id).removed_at),
    "ask before removing a clause": Case(
        "edit", lambda c, w: c.get(f"/covenants/clauses/{w.clause.id}/remove"),
        lambda w: f'href="/covenants/clauses/{w.clause.id}/remove"', lambda s, w: None, ok=200),
    "ask to join": Case(
        "request_to_join", lambda c, w: c.post_form(f"{w.url}/drafters/join", {"note": "愿意帮忙"}),
        lambda w: f'action="{w.url}/drafters/join"',
        lambda s, w: s.execute(select(func.count(CovenantDrafter.id))).scalar()),
    "appoint a drafter": Case(
        "manage_drafters", lambda c, w: c.post_form(f"{w.url}/drafters", {"contact": w.li_account.email}),
        lambda w: f'action="{w.url}/drafters"', lambda s, w: _drafter_status(s, w.covenant.id, w.li.account_id)),
    "decide a request": Case(
        "manage_drafters",
        lambda c, w: c.post_form(f"/covenants/drafters/{w.request_id}/decide", {"decision": "decline", "reason": "人够了"}),
        lambda w: f'action="/covenants/drafters/{w.request_id}/decide"',
        lambda s, w: s.get(CovenantDrafter, w.request_id).status),
    "remove a drafter": Case(
        "manage_drafters",
        lambda c, w: c.post_form(f"/covenants/drafters/{w.drafter_row}/remove", {"reason": "搬走了"}),
        lambda w: f'action="/covenants/drafters/{w.drafter_row}/remove"',
        lambda s, w: s.get(CovenantDrafter, w.drafter_row).status),
}


def arrange(session, make_account, status: str):
    """build_world, plus 李娜's pending request to join; then the covenant set to `status`."""
    w = build_world(session, make_account)
    w.request_id = drafters.request_to_join(session, viewer=w.li, covenant_id=w.covenant.id, note="", now=NOW).id
    w.drafter_row = session.execute(select(CovenantDrafter.id).where(
        CovenantDrafter.account_id == w.drafter.account_id)).scalar_one()
    session.commit()
    set_status(session, w.covenant, status)
    w.url = f"/covenants/{w.covenant.id}"
    w.li_account = session.get(Account, w.li.account_id)
    return w


def sign_in(client, session, w, role: str) -> None:
    name = ROLES[role][0]
    if name is not None:
        client.login_as(session.get(Account, getattr(w, name).account_id))


def state(session, w, case: Case):
    session.rollback()
    session.expire_all()
    return case.state(session, w)


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", CASES)
def test_each_form_works_exactly_for_whom_and_when_the_rules_say(client, session, make_account, name, role, status):
    case = CASES[name]
    w = arrange(session, make_account, status)
    sign_in(client, session, w, role)
    why = rules.refusal(case.action, status, ROLES[role][1])
    offered = case.marker(w) in client.get(w.url).text
    assert offered == (role != "anonymous" and why is None)
    before = state(session, w, case)
    response = case.post(client, w)
    if role == "anonymous":
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
    elif why is None:
        assert response.status_code == case.ok, response.text
        if case.ok == 303:
            assert response.headers["location"] == w.url
            assert state(session, w, case) != before
        return
    else:
        assert response.status_code == {"role": 403, "status": 409}[why], response.text
    assert state(session, w, case) == before


MOVES = [(S.drafting, S.consultation), (S.consultation, S.drafting), (S.consultation, S.ratification),
         (S.ratification, S.drafting), (S.ratification, S.adopted), (S.adopted, S.repealed), (S.rejected, S.drafting)]


def expected_move(frm: str, to: str, roles: frozenset[str]) -> int:
    transition = rules.TRANSITIONS.get((frm, to))
    if transition is None:
        return 409  # no such move, whoever asks
    if transition.roles.isdisjoint(roles):
        return 403
    return 409 if transition.use_case else 303  # a move with its own use case is never a bare status change


@pytest.mark.parametrize("move", MOVES, ids=lambda m: f"{m[0]}-{m[1]}")
@pytest.mark.parametrize("role", ROLES)
def test_status_changes_follow_the_transition_table(client, session, make_account, role, move):
    frm, to = move
    w = arrange(session, make_account, frm)
    sign_in(client, session, w, role)
    expected = expected_move(frm, to, ROLES[role][1])
    page = client.get(w.url).text
    assert (f'action="{w.url}/status"' in page and f'name="to" value="{to}"' in page) == \
        (role != "anonymous" and expected == 303)
    response = client.post_form(f"{w.url}/status", {"to": to})
    session.rollback()
    session.expire_all()
    status = session.get(Covenant, w.covenant.id).status
    if role == "anonymous":
        assert response.status_code == 303 and response.headers["location"] == f"/login?next={w.url}"
        assert status == frm
    else:
        assert response.status_code == expected, response.text
        assert status == (to if expected == 303 else frm)


def test_a_declined_resident_may_ask_again_and_an_approved_one_is_a_drafter(client, session, make_account):
    w = arrange(session, make_account, S.drafting)
    drafters.decide_join(session, viewer=w.staff, request_id=w.request_id, approve=False, reason="人够了", now=NOW)
    session.commit()
    client.login_as(w.li_account)
    page = client.get(w.url).text
    assert "was declined" in page and f'action="{w.url}/drafters/join"' in page
    assert client.post_form(f"{w.url}/drafters/join", {"note": "再试一次"}).status_code == 303
    session.rollback()
    assert _drafter_status(session, w.covenant.id, w.li.account_id) == DrafterStatus.pending
