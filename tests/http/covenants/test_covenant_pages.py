"""Covenant pages: the list with its filters, starting a covenant, the covenant page and what its forms do,
the clause removal step, and a page whose number of queries does not grow with its clauses."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from civic.auth.models import Account
from civic.covenants import drafters, service
from civic.covenants.models import Clause, Covenant, CovenantDrafter, CovenantStatus, DrafterStatus
from tests.statements import recorded
from tests.unit.covenants.builders import NOW, PETS, build_world, set_status


@pytest.fixture
def w(session, make_account):
    """build_world, with each viewer's account to sign in as."""
    w = build_world(session, make_account)
    for name in ("staff", "other_staff", "drafter", "zhang", "li", "stranger"):
        setattr(w, f"{name}_account", session.get(Account, getattr(w, name).account_id))
    w.url = f"/covenants/{w.covenant.id}"
    return w


def fresh(session, model, id_):
    session.rollback()
    session.expire_all()
    return session.get(model, id_)


def covenants(session) -> int:
    session.rollback()
    return session.execute(select(func.count()).select_from(Covenant)).scalar_one()


def other_covenant(session, w, title="沙湖苑小区业主管理规约", kind="owners") -> Covenant:
    covenant = service.create_covenant(session, viewer=w.other_staff, scope_place_id=w.r.other_compound.id, kind=kind,
                                       title=title, now=NOW)
    session.commit()
    return covenant


# ---- the list -------------------------------------------------------------------------------------


def test_anyone_sees_the_list_with_place_kind_status_and_clauses(client, w):
    page = client.get("/covenants")
    assert page.status_code == 200
    assert f'href="{w.url}"' in page.text and "南苑村小区文明公约" in page.text
    assert "南苑村小区" in page.text and "residents' convention" in page.text and "drafting" in page.text
    assert '<td class="num">1</td>' in page.text
    assert 'href="/covenants/new"' not in page.text


def test_the_list_shows_the_start_link_to_staff_only(client, w):
    client.login_as(w.staff_account)
    assert 'href="/covenants/new"' in client.get("/covenants").text
    client.login_as(w.zhang_account)
    assert 'href="/covenants/new"' not in client.get("/covenants").text


def test_the_list_filters_by_place_including_the_places_below_and_by_status(client, session, w):
    other = other_covenant(session, w)
    def titles(query: str) -> set[str]:
        page = client.get(f"/covenants?{query}")
        assert page.status_code == 200
        return {t for t in ("南苑村小区文明公约", other.title) if t in page.text.split("</form>", 2)[-1]}

    assert titles("") == {"南苑村小区文明公约", other.title}
    assert titles(f"place={w.r.community.id}") == {"南苑村小区文明公约"}  # its compound's covenant
    assert titles(f"place={w.r.other_compound.id}") == {other.title}
    assert titles(f"place={w.r.district.id}") == {"南苑村小区文明公约", other.title}
    set_status(session, other, CovenantStatus.consultation)
    assert titles("status=consultation") == {other.title}
    assert titles(f"status=consultation&place={w.r.community.id}") == set()
    assert "No covenant matches this filter." in client.get("/covenants?status=adopted").text
    assert titles("status=nonsense&place=x") == {"南苑村小区文明公约", other.title}  # odd filters are ignored
    assert client.get("/covenants?place=999999").status_code == 404
    choices = client.get("/covenants").text
    assert "北环社区 › 南苑村小区" in choices and "沙湖社区 › 沙湖苑小区" in choices


def test_the_list_is_paginated_and_keeps_the_filter(client, session, w, app, settings):
    app.state.settings = settings.with_(page_size=2)
    for n in range(3):
        service.create_covenant(session, viewer=w.staff, scope_place_id=w.r.compound.id, kind="owners",
                                title=f"公约{n}", now=NOW)
    session.commit()
    first = client.get(f"/covenants?place={w.r.compound.id}")
    assert "Page 1 of 2" in first.text
    assert f'href="?place={w.r.compound.id}&amp;page=2"' in first.text
    second = client.get(f"/covenants?place={w.r.compound.id}&page=2")
    assert "Page 2 of 2" in second.text and second.text.count('href="/covenants/') - second.text.count(
        'href="/covenants/new"') >= 2


# ---- a new covenant -------------------------------------------------------------------------------


def new_form(w, **changes) -> dict:
    form = {"scope": str(w.r.compound.id), "kind": "owners", "title": "南苑村小区管理规约",
            "preamble": "第一段。\r\n第二段。"}
    form.update(changes)
    return form


def test_staff_start_a_covenant_in_a_place_they_are_staff_of(client, session, w):
    client.login_as(w.staff_account)
    form = client.get("/covenants/new")
    assert form.status_code == 200 and 'name="csrf_token"' in form.text
    assert "北环社区 › 南苑村小区" in form.text and "沙湖" not in form.text and "1栋" not in form.text
    assert "Civil Code Art. 278" in form.text and "residents' meeting" in form.text
    done = client.post_form("/covenants/new", new_form(w))
    assert done.status_code == 303
    covenant_id = int(done.headers["location"].rsplit("/", 1)[1])
    covenant = fresh(session, Covenant, covenant_id)
    assert (covenant.scope_place_id, covenant.kind, covenant.title, covenant.status) == \
        (w.r.compound.id, "owners", "南苑村小区管理规约", "drafting")
    assert covenant.preamble == "第一段。\n第二段。"
    page = client.get(done.headers["location"])
    assert "The covenant has been started." in page.text and "第一段。<br>第二段。" in page.text


def test_residents_are_refused_and_anonymous_sent_to_sign_in(client, session, w):
    before = covenants(session)
    anonymous = client.get("/covenants/new")
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login?next=/covenants/new"
    assert client.post_form("/covenants/new", new_form(w)).status_code == 303
    client.login_as(w.zhang_account)
    refused = client.get("/covenants/new")
    assert refused.status_code == 403 and "Only community staff and administrators can start a covenant." in refused.text
    assert client.post_form("/covenants/new", new_form(w)).status_code == 403
    assert covenants(session) == before


def test_bad_input_comes_back_next_to_each_field_and_writes_nothing(client, session, w):
    before = covenants(session)
    client.login_as(w.staff_account)
    page = client.post_form("/covenants/new", new_form(w, scope="", kind="", title="  ", preamble="长" * 5001))
    assert page.status_code == 400
    for field in ("scope", "kind", "title", "preamble"):
        assert f'id="{field}-error"' in page.text, field
    assert 'aria-invalid="true" aria-describedby="title-error"' in page.text
    assert "There are 4 problems with this form" in page.text
    building = client.post_form("/covenants/new", new_form(w, scope=str(w.r.building.id)))
    assert building.status_code == 400 and "A covenant belongs to a community or a compound." in building.text
    assert 'value="南苑村小区管理规约"' in building.text  # what was typed stays
    assert covenants(session) == before


def test_staff_cannot_start_a_covenant_outside_their_scope_by_a_forged_choice(client, session, w):
    before = covenants(session)
    client.login_as(w.other_staff_account)
    refused = client.post_form("/covenants/new", new_form(w))
    assert refused.status_code == 403 and "Only staff of this place can start a covenant here." in refused.text
    assert covenants(session) == before


# ---- the covenant page ----------------------------------------------------------------------------


def test_anyone_reads_the_covenant_clause_by_clause_without_forms(client, session, w):
    service.update_covenant(session, viewer=w.staff, covenant_id=w.covenant.id, title="南苑村小区文明公约",
                            preamble="第一行 **不是粗体**\n第二行 <b>", now=NOW)
    session.commit()
    page = client.get(w.url)
    assert page.status_code == 200
    text = page.text
    assert "<h1>南苑村小区文明公约</h1>" in text
    assert "第一行 **不是粗体**<br>第二行 &lt;b&gt;" in text  # plain text, escaped, line breaks kept
    assert "residents' convention" in text and "drafting" in text
    assert "1. 文明养犬" in text and PETS in text and "version 1" in text
    assert "0 comments" in text and "0 open amendments" in text
    assert f'href="/covenants/clauses/{w.clause.id}"' in text and f'href="{w.url}/diff"' in text
    assert "周敏" in text  # the drafter
    assert f'href="/covenants?place={w.r.community.id}"' in text  # the trail filters the list
    assert f'action="{w.url}' not in text and "/remove" not in text
    assert "{% block" not in text
    assert client.get("/covenants/999999").status_code == 404


def test_the_page_shows_each_viewer_only_the_forms_that_work(client, w):
    client.login_as(w.drafter_account)
    drafter = client.get(w.url).text
    assert f'action="{w.url}/text"' in drafter and f'action="{w.url}/clauses"' in drafter
    assert f'href="/covenants/clauses/{w.clause.id}/remove"' in drafter
    assert 'value="consultation"' in drafter and "Open the consultation" in drafter
    assert f'action="{w.url}/drafters"' not in drafter and f'action="{w.url}/drafters/join"' not in drafter
    client.login_as(w.zhang_account)
    resident = client.get(w.url).text
    assert f'action="{w.url}/drafters/join"' in resident and f'action="{w.url}/text"' not in resident
    assert f'action="{w.url}/status"' not in resident
    client.login_as(w.staff_account)
    staff = client.get(w.url).text
    assert f'action="{w.url}/drafters"' in staff and "Requests to join" in staff
    assert f'action="{w.url}/drafters/join"' not in staff


def test_drafters_edit_the_title_and_preamble_and_bad_input_stays_next_to_its_field(client, session, w):
    client.login_as(w.drafter_account)
    done = client.post_form(f"{w.url}/text", {"title": "新标题", "preamble": "新序言"})
    assert done.status_code == 303 and done.headers["location"] == w.url
    assert "The title and preamble have been saved." in client.get(w.url).text
    assert fresh(session, Covenant, w.covenant.id).title == "新标题"
    bad = client.post_form(f"{w.url}/text", {"title": "", "preamble": "留下的序言"})
    assert bad.status_code == 400
    assert 'id="cov-title-error"' in bad.text and "Give the covenant a title." in bad.text
    assert "<details open>" in bad.text and "留下的序言</textarea>" in bad.text
    assert fresh(session, Covenant, w.covenant.id).preamble == "新序言"


def test_a_clause_is_added_from_a_template_or_blank(client, session, w):
    client.login_as(w.drafter_account)
    page = client.get(w.url).text
    assert "Noise: 邻里安宁" in page and "Shared spaces" in page
    assert client.post_form(f"{w.url}/clauses", {"source": "template", "template": "noise"}).status_code == 303
    assert client.post_form(f"{w.url}/clauses", {"subject": "parking", "heading": "电动车", "text": ""}).status_code == 303
    session.rollback()
    rows = session.execute(select(Clause.heading, Clause.subject).where(Clause.covenant_id == w.covenant.id)
                           .order_by(Clause.position)).all()
    assert rows == [("文明养犬", "pets"), ("邻里安宁", "noise"), ("电动车", "parking")]
    page = client.get(w.url).text
    assert "2. 邻里安宁" in page and "3. 电动车" in page and "No text yet." in page
    bad = client.post_form(f"{w.url}/clauses", {"subject": "pets", "heading": "", "text": "正文"})
    assert bad.status_code == 400 and 'id="clause-heading-error"' in bad.text and "正文</textarea>" in bad.text
    none = client.post_form(f"{w.url}/clauses", {"source": "template", "template": ""})
    assert none.status_code == 400 and 'id="template-error"' in none.text
    assert len(session.execute(select(Clause.id).where(Clause.covenant_id == w.covenant.id)).all()) == 3


def test_removing_a_clause_asks_first_and_keeps_its_record(client, session, w):
    client.login_as(w.drafter_account)
    ask = client.get(f"/covenants/clauses/{w.clause.id}/remove")
    assert ask.status_code == 200
    assert "Remove “文明养犬” from “南苑村小区文明公约”?" in ask.text and "stay on record" in ask.text
    assert f'action="/covenants/clauses/{w.clause.id}/remove"' in ask.text
    assert fresh(session, Clause, w.clause.id).removed_at is None  # asking changes nothing
    done = client.post_form(f"/covenants/clauses/{w.clause.id}/remove")
    assert done.status_code == 303 and done.headers["location"] == w.url
    assert fresh(session, Clause, w.clause.id).removed_at is not None
    page = client.get(w.url).text
    assert "has been removed" in page and "文明养犬</h3>" not in page and "no clauses yet" in page
    assert client.post_form(f"/covenants/clauses/{w.clause.id}/remove").status_code == 409
    assert client.get("/covenants/clauses/999999/remove").status_code == 404


def test_anonymous_posts_are_sent_to_sign_in_and_back_to_a_page(client, w):
    done = client.post_form(f"{w.url}/text", {"title": "x"})
    assert done.status_code == 303 and done.headers["location"] == f"/login?next={w.url}"
    ask = client.get(f"/covenants/clauses/{w.clause.id}/remove")
    assert ask.headers["location"] == f"/login?next=/covenants/clauses/{w.clause.id}/remove"


def test_the_status_moves_and_the_flash_names_it(client, session, w):
    client.login_as(w.drafter_account)
    done = client.post_form(f"{w.url}/status", {"to": "consultation"})
    assert done.status_code == 303
    assert "The covenant is now in the status “consultation”." in client.get(w.url).text
    assert fresh(session, Covenant, w.covenant.id).status == "consultation"
    assert client.post_form(f"{w.url}/status", {"to": "adopted"}).status_code == 409
    assert fresh(session, Covenant, w.covenant.id).status == "consultation"


def test_a_resident_asks_to_join_and_staff_decide(client, session, w):
    client.login_as(w.zhang_account)
    long = client.post_form(f"{w.url}/drafters/join", {"note": "长" * 501})
    assert long.status_code == 400 and 'id="join-note-error"' in long.text
    assert client.post_form(f"{w.url}/drafters/join", {"note": "我养狗，愿意帮忙"}).status_code == 303
    page = client.get(w.url).text
    assert "staff have not answered yet" in page and f'action="{w.url}/drafters/join"' not in page
    client.login_as(w.staff_account)
    page = client.get(w.url).text
    assert "我养狗，愿意帮忙" in page and "张伟" in page
    session.rollback()
    request_id = session.execute(select(CovenantDrafter.id).where(
        CovenantDrafter.account_id == w.zhang.account_id)).scalar_one()
    no_reason = client.post_form(f"/covenants/drafters/{request_id}/decide", {"decision": "decline", "reason": ""})
    assert no_reason.status_code == 400 and f'id="decide-reason-{request_id}-error"' in no_reason.text
    assert fresh(session, CovenantDrafter, request_id).status == DrafterStatus.pending
    done = client.post_form(f"/covenants/drafters/{request_id}/decide", {"decision": "approve", "reason": ""})
    assert done.status_code == 303 and done.headers["location"] == w.url
    assert fresh(session, CovenantDrafter, request_id).status == DrafterStatus.approved
    assert client.post_form(f"/covenants/drafters/{request_id}/decide", {"decision": "approve"}).status_code == 409


def test_staff_appoint_by_e_mail_or_phone_and_remove_with_a_reason(client, session, w, make_account):
    make_account("赵磊", email="zhao@example.test", phone="+8613800138000")  # stored as sign-up stores it
    client.login_as(w.staff_account)
    unknown = client.post_form(f"{w.url}/drafters", {"contact": "nobody@example.test"})
    assert unknown.status_code == 400 and 'id="appoint-contact-error"' in unknown.text
    assert "No active account has the e-mail address or phone number “nobody@example.test”" in unknown.text
    assert client.post_form(f"{w.url}/drafters", {"contact": ""}).status_code == 400
    assert client.post_form(f"{w.url}/drafters", {"contact": "138 0013 8000"}).status_code == 303
    assert "赵磊" in client.get(w.url).text
    assert client.post_form(f"{w.url}/drafters", {"contact": "ZHAO@example.test"}).status_code == 409
    session.rollback()
    row = session.execute(select(CovenantDrafter).join(Account, Account.id == CovenantDrafter.account_id)
                          .where(Account.display_name == "赵磊")).scalar_one()
    no_reason = client.post_form(f"/covenants/drafters/{row.id}/remove", {"reason": " "})
    assert no_reason.status_code == 400 and f'id="remove-reason-{row.id}-error"' in no_reason.text
    assert client.post_form(f"/covenants/drafters/{row.id}/remove", {"reason": "搬走了"}).status_code == 303
    assert fresh(session, CovenantDrafter, row.id).status == DrafterStatus.removed


def test_only_staff_learn_whether_an_account_exists(client, w):
    client.login_as(w.zhang_account)
    refused = client.post_form(f"{w.url}/drafters", {"contact": "nobody@example.test"})
    assert refused.status_code == 403 and "nobody@example.test" not in refused.text


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_the_covenant_page_takes_the_same_number_of_queries_with_1_or_30_clauses(client, session, w, engine, who):
    if who == "staff":
        client.login_as(w.staff_account)
    drafters.request_to_join(session, viewer=w.zhang, covenant_id=w.covenant.id, note="", now=NOW)
    session.commit()

    def queries() -> int:
        with recorded(engine) as statements:
            assert client.get(w.url).status_code == 200
        return len(statements)

    client.get(w.url)  # warm the user cache like any later request
    one = queries()
    for n in range(29):
        service.add_clause(session, viewer=w.drafter, covenant_id=w.covenant.id, template="noise" if n % 2 else None,
                           heading=f"条款{n}", text="正文", now=NOW)
    session.commit()
    thirty = queries()
    assert "30. " in client.get(w.url).text
    assert thirty == one
