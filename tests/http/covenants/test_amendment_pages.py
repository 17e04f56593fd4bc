"""Amendments over HTTP: proposing (residents, drafters, staff, in consultation), accepting and rejecting
(drafters, staff), withdrawing (the proposer); bad input next to its field; the role × status matrix for
amend, accept and reject against civic.covenants.rules.PERMISSIONS."""

from __future__ import annotations

import pytest
from markupsafe import escape

from civic.covenants import service
from civic.covenants.models import Amendment, AmendmentStatus, ClauseVersion, CovenantStatus
from tests.http.covenants.clause_world import (
    MATRIX_ROLES,
    MATRIX_STATUSES,
    count,
    expected_status,
    fresh,
    matrix_scene,
    propose,
    sign_in,
    world,
)
from tests.unit.covenants.builders import LATER, PETS

S = CovenantStatus
BETTER = PETS.replace("束犬绳", "束牵引绳")


@pytest.fixture
def w(session, make_account):
    return world(session, make_account, S.consultation)


def test_a_resident_proposes_an_amendment(client, session, w):
    sign_in(client, w, "zhang")
    form = client.get(w.url).text
    assert "Propose an amendment" in form and f'name="based_on" value="{w.v1.id}"' in form
    assert f">{PETS}</textarea>" in form  # prefilled with the current text
    done = client.post_form(f"{w.url}/amendments", {"text": BETTER, "reason": "牵引绳更准确", "based_on": str(w.v1.id)})
    assert done.status_code == 303
    amendment = fresh(session, Amendment, 1)
    assert done.headers["location"] == f"{w.url}#amendment-{amendment.id}"
    assert amendment.proposed_by == w.zhang.account_id and amendment.text == BETTER
    page = client.get(w.url).text
    assert "Your amendment has been proposed. The drafters have been told." in page
    assert "Amendment by 张伟" in page and "牵引绳更准确" in page and "Withdraw my amendment" in page
    assert "Accept: make it the next version" not in page  # residents do not decide


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"text": BETTER, "reason": ""}, "amend-reason", "Give a reason."),
    ({"text": PETS, "reason": "无"}, "amend-text", "The proposed text is the same as the clause's text: change something."),
    ({"text": "", "reason": "删掉"}, "amend-text", "The clause text is empty. To take a clause out, remove it instead."),
])
def test_bad_amendments_come_back_next_to_the_field(client, session, w, form, field, message):
    sign_in(client, w, "zhang")
    page = client.post_form(f"{w.url}/amendments", form)
    assert page.status_code == 400
    assert f'<p class="field-error" id="{field}-error">{escape(message)}</p>' in page.text
    assert f'id="{field}" name="' in page.text and f'aria-describedby="{field}-error' in page.text
    assert f">{form['reason']}</textarea>" in page.text  # what was typed stays
    assert count(session, Amendment) == 0


def test_a_drafter_accepts_an_amendment_crediting_its_proposer(client, session, w):
    amendment = propose(session, w)
    sign_in(client, w, "drafter")
    done = client.post_form(f"/covenants/amendments/{amendment.id}/accept")
    assert done.status_code == 303 and done.headers["location"] == f"{w.url}#amendment-{amendment.id}"
    assert fresh(session, Amendment, amendment.id).status == AmendmentStatus.accepted
    v2 = session.get(ClauseVersion, fresh(session, Amendment, amendment.id).resulting_version_id)
    assert v2.number == 2 and v2.author_id == w.li.account_id and v2.saved_by == w.drafter.account_id
    page = client.get(w.url).text
    assert "The amendment was accepted: it is now version 2." in page
    assert "amendment proposed by 李娜</a>,\n        accepted by 周敏" in page


def test_accepting_an_amendment_the_clause_moved_past_says_what_to_do(client, session, w):
    amendment = propose(session, w)  # 束犬绳 → 束牵引绳
    service.edit_clause(session, viewer=w.drafter, clause_id=w.clause.id, based_on_version_id=w.v1.id,
                        text=PETS.replace("束犬绳", "拴绳"), now=LATER)
    session.commit()
    sign_in(client, w, "staff")
    page = client.post_form(f"/covenants/amendments/{amendment.id}/accept")
    assert page.status_code == 409
    assert f'<p class="field-error" id="accept-{amendment.id}-error">The clause has changed since this amendment' in page.text
    assert fresh(session, Amendment, amendment.id).status == AmendmentStatus.open
    assert count(session, ClauseVersion) == 2


def test_rejecting_needs_a_reason_which_stays_visible(client, session, w):
    amendment = propose(session, w)
    sign_in(client, w, "staff")
    url = f"/covenants/amendments/{amendment.id}/reject"
    empty = client.post_form(url, {"reason": "  "})
    assert empty.status_code == 400
    key = f"reject-{amendment.id}"
    assert '<details open>' in empty.text and f'<p class="field-error" id="{key}-reason-error">Give a reason.</p>' in empty.text
    assert fresh(session, Amendment, amendment.id).status == AmendmentStatus.open
    done = client.post_form(url, {"reason": "已有类似规定"})
    assert done.status_code == 303 and done.headers["location"] == f"{w.url}#amendment-{amendment.id}"
    sign_in(client, w, "anonymous")
    page = client.get(w.url).text
    assert ">rejected</span>" in page and "Rejected by 社区工作人员 at" in page and "已有类似规定" in page
    assert "[inserted: </span>牵引" in page  # a rejected amendment stays on the page, with its diff


def test_only_the_proposer_withdraws(client, session, w):
    amendment = propose(session, w)
    url = f"/covenants/amendments/{amendment.id}/withdraw"
    sign_in(client, w, "drafter")
    assert "Withdraw my amendment" not in client.get(w.url).text
    assert client.post_form(url).status_code == 403
    sign_in(client, w, "li")
    done = client.post_form(url)
    assert done.status_code == 303
    assert fresh(session, Amendment, amendment.id).status == AmendmentStatus.withdrawn
    page = client.get(w.url).text
    assert "Your amendment has been withdrawn." in page and "Withdrawn by its proposer at" in page
    assert client.post_form(url).status_code == 409  # already withdrawn


def test_anonymous_posts_go_to_sign_in_and_back_to_the_clause(client, session, w):
    amendment = propose(session, w)
    for url in (f"/covenants/amendments/{amendment.id}/accept", f"/covenants/amendments/{amendment.id}/reject",
                f"{w.url}/amendments"):
        sent = client.post_form(url, {"reason": "x", "text": BETTER})
        assert sent.status_code == 303 and sent.headers["location"] == f"/login?next=/covenants/clauses/{w.clause.id}"
    assert client.post_form("/covenants/amendments/999999/accept").status_code == 404
    assert count(session, Amendment) == 1 and fresh(session, Amendment, amendment.id).status == AmendmentStatus.open


# ---- who may do what, in which status ----------------------------------------------------------------

ACTIONS = {"amend": "amend", "accept": "accept_amendment", "reject": "reject_amendment"}


@pytest.mark.parametrize("who", sorted(MATRIX_ROLES))
@pytest.mark.parametrize("status", MATRIX_STATUSES)
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_role_by_status_matrix(client, session, make_account, action, status, who):
    w = matrix_scene(session, make_account, status)
    sign_in(client, w, who)
    a = w.amendment.id
    url, form = {"amend": (f"{w.url}/amendments", {"text": PETS + "补充。", "reason": "补充"}),
                 "accept": (f"/covenants/amendments/{a}/accept", {}),
                 "reject": (f"/covenants/amendments/{a}/reject", {"reason": "不采纳"})}[action]
    sent = client.post_form(url, form)
    expected = expected_status(ACTIONS[action], status, who)
    assert sent.status_code == expected, sent.text[-2000:]
    allowed = expected == 303 and who != "anonymous"
    if who == "anonymous":
        assert sent.headers["location"].startswith("/login?next=")
    changed = (count(session, Amendment) == 2 if action == "amend"
               else fresh(session, Amendment, a).status != AmendmentStatus.open)
    assert changed == allowed
