"""Staff schedule votes: who may, what the form offers, Wuhan times, and bad input that writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from civic.auth.models import Role, ScopeType
from civic.votes.models import Vote, VoteOption
from tests.unit.places.builders import build_register

STAFF = (Role.staff, ScopeType.place)


def vote_form(scope_id: int, **changes) -> dict:
    form = {"title": "更换物业服务企业", "description": "第一段。\r\n\r\n第二段。", "scope": str(scope_id),
            "matter": "cn278-4-property-manager", "kind": "yes_no", "options": "", "ballots": "named",
            "opens_at": "2030-03-01T09:00", "closes_at": "2030-03-08T18:00"}
    form.update(changes)
    return form


def votes(session) -> int:
    session.rollback()
    return session.execute(select(func.count()).select_from(Vote)).scalar_one()


@pytest.fixture
def r(session, make_account):
    r = build_register(session)
    r.staff = make_account("北环社区工作人员", roles=[(*STAFF, r.community.id)])
    r.other_staff = make_account("沙湖社区工作人员", roles=[(*STAFF, r.other_community.id)])
    r.resident = make_account("张伟", person_id=r.zhang.id)
    return r


def test_staff_see_the_form_with_their_places_and_each_matters_rule(client, r):
    client.login_as(r.staff)
    page = client.get("/votes/new")
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.text and 'type="datetime-local"' in page.text
    assert "北环社区 › 南苑村小区 › 1栋" in page.text and "沙湖" not in page.text
    assert "Raising the maintenance fund (Art. 278 item 6) (needs ≥ 2/3 of owners and of floor area taking part, " \
           "and ≥ 3/4 of them approving)" in page.text.replace("&gt;", ">")
    assert "A secret vote can never be made named later." in page.text
    assert "one per line" in page.text


def test_the_votes_list_links_the_form_for_staff_only(client, r):
    client.login_as(r.staff)
    assert 'href="/votes/new"' in client.get("/votes").text
    client.login_as(r.resident)
    listing = client.get("/votes").text
    assert 'href="/votes/new"' not in listing and 'href="/votes/proposals"' in listing


def test_residents_are_refused_and_anonymous_sent_to_sign_in(client, session, r):
    anonymous = client.get("/votes/new")
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login?next=/votes/new"
    assert client.post_form("/votes/new", vote_form(r.compound.id)).status_code == 303
    client.login_as(r.resident)
    assert client.get("/votes/new").status_code == 403
    assert client.post_form("/votes/new", vote_form(r.compound.id)).status_code == 403
    assert votes(session) == 0


def test_staff_cannot_schedule_outside_their_scope_even_by_a_forged_choice(client, session, r):
    client.login_as(r.other_staff)
    assert "南苑村小区" not in client.get("/votes/new").text
    refused = client.post_form("/votes/new", vote_form(r.compound.id))
    assert refused.status_code == 403 and "Only staff of this place can open a vote here." in refused.text
    assert votes(session) == 0


def test_a_yes_no_vote_is_scheduled_in_wuhan_time(client, session, r):
    client.login_as(r.staff)
    done = client.post_form("/votes/new", vote_form(r.compound.id))
    assert done.status_code == 303
    vote = session.execute(select(Vote)).scalar_one()
    assert done.headers["location"] == f"/votes/{vote.id}"
    # 09:00 in Wuhan is 01:00 UTC; the form never depends on the server's or the browser's zone.
    assert vote.opens_at == datetime(2030, 3, 1, 1, 0, tzinfo=UTC)
    assert vote.closes_at == datetime(2030, 3, 8, 10, 0, tzinfo=UTC)
    assert (vote.scope_place_id, vote.rule_name, vote.secret, vote.kind) == (r.compound.id, "cn278-ordinary", False,
                                                                            "yes_no")
    assert vote.description == "第一段。\n\n第二段。" and vote.created_by == r.staff.id
    assert session.execute(select(func.count()).select_from(VoteOption)).scalar_one() == 0
    assert "The vote has been scheduled." in client.get(done.headers["location"]).text


@pytest.mark.parametrize("typed", ["2030/3/1 9:00", "2030-03-01 09:00:00", "２０３０-０３-０１ ０９：００"])
def test_times_typed_without_a_picker_are_understood(client, session, r, typed):
    client.login_as(r.staff)
    assert client.post_form("/votes/new", vote_form(r.compound.id, opens_at=typed)).status_code == 303
    assert session.execute(select(Vote.opens_at)).scalar_one() == datetime(2030, 3, 1, 1, 0, tzinfo=UTC)


def test_an_options_vote_keeps_its_options_in_order_and_a_secret_one_stays_secret(client, session, r):
    client.login_as(r.staff)
    done = client.post_form("/votes/new", vote_form(
        r.community.id, matter="residents-matter", kind="options", ballots="secret",
        options="周六上午\r\n\r\n周日下午\r\n  工作日晚上  \r\n"))
    assert done.status_code == 303
    vote = session.execute(select(Vote)).scalar_one()
    assert (vote.kind, vote.secret, vote.rule_name) == ("options", True, "cn-residents-meeting")
    labels = session.execute(select(VoteOption.label).where(VoteOption.vote_id == vote.id)
                             .order_by(VoteOption.position)).scalars().all()
    assert labels == ["周六上午", "周日下午", "工作日晚上"]


def test_the_options_text_is_ignored_for_a_yes_no_vote(client, session, r):
    client.login_as(r.staff)
    assert client.post_form("/votes/new", vote_form(r.compound.id, options="甲\n乙")).status_code == 303
    assert session.execute(select(func.count()).select_from(VoteOption)).scalar_one() == 0


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"title": ""}, "title", "Give the vote a title."),
    ({"scope": ""}, "scope", "Choose the place whose residents or owners vote."),
    ({"matter": "whatever"}, "matter", "Choose what kind of matter this vote decides."),
    ({"kind": "options", "options": "只有一个"}, "options", "Give between 2 and 10 options, one per line."),
    ({"kind": "options", "options": "甲\n甲"}, "options", "Two options have the same name."),
    ({"opens_at": ""}, "opens_at", "Give the date and time the vote opens."),
    ({"opens_at": "next tuesday"}, "opens_at", "Enter the opening time as a date and a time in Wuhan time, e.g. 2026-12-01 09:00."),
    ({"closes_at": "2030-02-30T10:00"}, "closes_at", "Enter the closing time as a date and a time in Wuhan time"),
    ({"closes_at": "2030-03-01T08:00"}, "closes_at", "The vote must close after it opens."),
    ({"opens_at": "2020-01-01T09:00", "closes_at": "2020-01-02T09:00"}, "closes_at", "The closing time has already passed."),
    ({"ballots": "public"}, "ballots", "Choose named or secret ballots."),
    ({"description": "长" * 5001}, "description", "The description is too long (at most 5000 characters)."),
])
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_written(client, session, r, changes, field, message):
    client.login_as(r.staff)
    page = client.post_form("/votes/new", vote_form(r.compound.id, **changes))
    assert page.status_code == 400
    assert f'<p class="field-error" id="{field}-error">{message}' in page.text
    assert 'role="alert"' in page.text  # the summary above the form
    if field in ("title", "scope", "matter", "options", "opens_at", "closes_at", "description"):
        assert f'aria-invalid="true" aria-describedby="{field}-error' in page.text
    if "title" not in changes:
        assert 'value="更换物业服务企业"' in page.text  # what was typed is kept
    assert votes(session) == 0


def test_administrators_may_schedule_anywhere(client, session, r, make_account):
    client.login_as(make_account("管理员", roles=[(Role.administrator, ScopeType.global_, 0)]))
    page = client.get("/votes/new").text
    assert "南苑村小区" in page and "沙湖苑小区" in page
    assert client.post_form("/votes/new", vote_form(r.other_compound.id)).status_code == 303
    assert votes(session) == 1
