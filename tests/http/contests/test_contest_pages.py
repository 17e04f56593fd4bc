"""Contest pages: the list, starting a contest, its rules and rubric forms, judges and treasurers,
publishing, and the contest page (its declared rules, entries, and a query count that does not grow)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from civic import clock
from civic.auth.models import Account, Role, RoleGrant, ScopeType
from civic.contests.models import Contest, ContestStatus, EntryStatus, Phase, Pledge, RubricCriterion
from tests.statements import recorded
from tests.unit.contests.builders import add_entry, build_contest_world


def world(session, make_account, phase: Phase):
    w = build_contest_world(session, make_account, phase=phase, now=clock.now())
    for name in ("staff", "other_staff", "judge", "treasurer", "zhang", "stranger"):
        setattr(w, f"{name}_account", session.get(Account, getattr(w, name).account_id))
    w.url = f"/contests/{w.contest.id}"
    return w


@pytest.fixture
def w(session, make_account):
    return world(session, make_account, Phase.submission)


def count(session, model) -> int:
    session.rollback()
    return session.execute(select(func.count()).select_from(model)).scalar_one()


FORM = {"title": "社区花园大赛", "description": "**种花**", "prize_pool": "50,000", "advance_count": "10",
        "winner_count": "3", "normalize": "zscore", "jury_weight": "60", "tie_rule": "support",
        "matching_method": "proportional", "matching_cap_percent": "",
        "submission_opens_at": "2030-01-01T09:00", "submission_closes_at": "2030-02-01T09:00",
        "backing_opens_at": "2030-02-08T09:00", "backing_closes_at": "2030-03-01T09:00",
        "judging_closes_at": "2030-03-15 18:00"}


# ---- the list ---------------------------------------------------------------------------------------

def test_anyone_sees_published_contests_and_staff_their_drafts(client, session, make_account, w):
    draft = Contest(**{**w.contest.model_dump(exclude={"id"}), "title": "草稿大赛", "status": ContestStatus.draft})
    session.add(draft)
    session.commit()
    page = client.get("/contests")
    assert page.status_code == 200
    assert "了不起的居民 2026" in page.text and "草稿大赛" not in page.text
    assert "武昌区 › 水果湖街 › 北环社区" in page.text and "¥100,000.00" in page.text and "submission" in page.text
    assert 'href="/contests/new"' not in page.text
    client.login_as(w.staff_account)
    page = client.get("/contests")
    assert "草稿大赛" in page.text and 'href="/contests/new"' in page.text
    client.login_as(w.other_staff_account)
    assert "草稿大赛" not in client.get("/contests").text
    assert client.get(f"/contests/{draft.id}").status_code == 404


def test_the_empty_list_says_so(client):
    assert "No contests have been announced yet." in client.get("/contests").text


# ---- starting a contest ---------------------------------------------------------------------------------

def test_staff_start_a_contest_and_are_sent_to_its_rubric(client, session, w):
    client.login_as(w.staff_account)
    page = client.get("/contests/new")
    assert page.status_code == 200 and "武昌区 › 水果湖街 › 北环社区" in page.text
    assert "沙湖社区" not in page.text  # only the places the viewer is staff of
    answer = client.post_form("/contests/new", {**FORM, "place": str(w.r.community.id)})
    assert answer.status_code == 303
    session.rollback()
    contest = session.execute(select(Contest).where(Contest.title == "社区花园大赛")).scalar_one()
    assert answer.headers["location"] == f"/contests/{contest.id}/rubric"
    assert (contest.prize_pool_fen, contest.jury_weight, contest.support_weight, contest.matching_cap_percent,
            contest.status) == (50_000_00, 60, 40, None, ContestStatus.draft)
    assert contest.judging_closes_at.isoformat() == "2030-03-15T10:00:00+00:00"  # 18:00 Wuhan time


def test_every_bad_field_is_reported_at_once_and_nothing_is_written(client, session, w):
    client.login_as(w.staff_account)
    before = count(session, Contest)
    bad = {**FORM, "place": "", "prize_pool": "lots", "advance_count": "-1", "jury_weight": "x",
           "backing_closes_at": "next week"}
    page = client.post_form("/contests/new", bad)
    assert page.status_code == 400
    for message in ("Choose the district, street, community or compound", "Enter the prize pool in yuan",
                    "Enter how many entries advance", "Enter the weight of the jury score",
                    "Enter the backing deadline as a date and a time"):
        assert message in page.text
    assert 'id="prize_pool" name="prize_pool"' in page.text and 'value="lots"' in page.text
    assert count(session, Contest) == before


def test_dates_out_of_order_are_refused_by_the_service(client, session, w):
    client.login_as(w.staff_account)
    page = client.post_form("/contests/new", {**FORM, "place": str(w.r.community.id),
                                              "backing_opens_at": "2030-01-15T09:00"})
    assert page.status_code == 400 and "Backing must open after the submission deadline" in page.text


def test_residents_cannot_start_contests(client, w):
    client.login_as(w.zhang_account)
    assert client.get("/contests/new").status_code == 403
    assert client.post_form("/contests/new", {**FORM, "place": str(w.r.community.id)}).status_code == 403
    client.cookies.clear()
    assert client.get("/contests/new").status_code == 303


def test_staff_of_another_place_cannot_start_one_here(client, session, w):
    client.login_as(w.other_staff_account)
    before = count(session, Contest)
    assert client.post_form("/contests/new", {**FORM, "place": str(w.r.community.id)}).status_code == 403
    assert count(session, Contest) == before


# ---- the rules, the rubric, the people ----------------------------------------------------------------------

def test_staff_change_the_rules_before_judging(client, session, w):
    client.login_as(w.staff_account)
    form = client.get(f"{w.url}/edit")
    assert form.status_code == 200 and 'value="了不起的居民 2026"' in form.text
    values = {name: "" for name in FORM}
    for name in FORM:
        found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', form.text)
        if found:
            values[name] = found.group(1)
    values.update(normalize="none", tie_rule="jury", matching_method="quadratic", description="新的说明",
                  winner_count="2", advance_count="5")
    answer = client.post_form(f"{w.url}/edit", values)
    assert answer.status_code == 303, answer.text
    session.rollback()
    contest = session.get(Contest, w.contest.id)
    assert (contest.description, contest.advance_count, contest.normalize) == ("新的说明", 5, "none")


def test_the_rules_pages_say_they_are_frozen_once_judging_opens(client, session, make_account):
    w = world(session, make_account, Phase.judging)
    client.login_as(w.staff_account)
    for path in ("edit", "rubric"):
        page = client.get(f"{w.url}/{path}")
        assert page.status_code == 200 and "the contest's rules are frozen" in page.text and "<form" not in page.text.split("<main")[1]
    assert client.post_form(f"{w.url}/rubric", {"criterion-0-name": "x", "criterion-0-weight": "1",
                                                "criterion-0-levels": "1 = a\n2 = b"}).status_code == 409


def test_others_cannot_open_the_rules_pages(client, w):
    for account in (w.zhang_account, w.judge_account, w.other_staff_account):
        client.login_as(account)
        for path in ("edit", "rubric", "people"):
            assert client.get(f"{w.url}/{path}").status_code == 403, (account.display_name, path)


def test_staff_declare_the_rubric_as_score_equals_description_lines(client, session, w):
    client.login_as(w.staff_account)
    page = client.get(f"{w.url}/rubric")
    assert "5 = 5 分" in page.text  # the current levels, highest first
    answer = client.post_form(f"{w.url}/rubric", {
        "criterion-0-name": "影响力", "criterion-0-weight": "50", "criterion-0-levels": "5 = 显著\n3：一般\n\n1、较弱",
        "criterion-1-name": "可行性", "criterion-1-weight": "50", "criterion-1-levels": "2 = 可行\n0 = 不可行",
        "criterion-2-name": "", "criterion-2-weight": "", "criterion-2-levels": ""})
    assert answer.status_code == 303
    session.rollback()
    names = session.execute(select(RubricCriterion.name).where(RubricCriterion.contest_id == w.contest.id)
                            .order_by(RubricCriterion.position)).scalars().all()
    assert names == ["影响力", "可行性"]


def test_a_level_line_that_cannot_be_read_is_reported(client, session, w):
    client.login_as(w.staff_account)
    page = client.post_form(f"{w.url}/rubric", {"criterion-0-name": "影响力", "criterion-0-weight": "50",
                                                "criterion-0-levels": "excellent\n1 = poor"})
    assert page.status_code == 400 and "write each level as" in page.text
    assert "excellent" in page.text  # the typed text comes back
    session.rollback()
    assert len(session.execute(select(RubricCriterion).where(RubricCriterion.contest_id == w.contest.id)).all()) == 3


def test_staff_appoint_and_remove_a_treasurer(client, session, make_account, w):
    person = make_account("钱会计", phone="+8613800000009", locale="en")
    client.login_as(w.staff_account)
    answer = client.post_form(f"{w.url}/people", {"contact": "138 0000 0009", "role": "treasurer"})
    assert answer.status_code == 303
    page = client.get(f"{w.url}/people")
    assert "钱会计" in page.text and "评委甲" in page.text
    session.rollback()
    grant = session.execute(select(RoleGrant).where(RoleGrant.account_id == person.id)).scalar_one()
    assert (grant.role, grant.scope_type, grant.scope_id) == (Role.treasurer, ScopeType.contest, w.contest.id)
    grant_id = grant.id
    assert client.post_form(f"/contests/people/{grant_id}/remove").status_code == 303
    session.rollback()
    session.expunge_all()
    assert session.get(RoleGrant, grant_id) is None
    page = client.post_form(f"{w.url}/people", {"contact": "nobody@example.test", "role": "judge"})
    assert page.status_code == 400 and "No active account has this e-mail address or phone number." in page.text


def test_publishing_a_draft(client, session, make_account):
    w = world(session, make_account, Phase.draft)
    client.login_as(w.zhang_account)
    assert client.post_form(f"{w.url}/publish").status_code == 404  # a draft does not exist for residents
    client.login_as(w.staff_account)
    assert client.post_form(f"{w.url}/publish").status_code == 303
    session.rollback()
    assert session.get(Contest, w.contest.id).status == ContestStatus.published


# ---- the contest page ---------------------------------------------------------------------------------------

def test_the_contest_page_declares_its_rules_and_lists_entries(client, session, make_account, w):
    add_entry(session, w, lead=w.zhang, title="楼道微花园", status=EntryStatus.submitted)
    add_entry(session, w, lead=w.li, title="草稿项目", status=EntryStatus.draft)
    page = client.get(w.url)
    assert page.status_code == 200
    text = page.text
    assert "楼道微花园" in text and "草稿项目" not in text  # a draft is its team's own
    assert "影响力 Impact" in text and "at most 500" in text  # the rubric: weights 40/30/30 × level 5
    assert "Combined score = 70% × jury score + 30% × public support" in text
    assert "No entry gets more than 50% of the pool." in text
    assert 'aria-current="step"' in text and "Enter a project" not in text  # anonymous: no entry form
    client.login_as(w.zhang_account)
    text = client.get(w.url).text
    assert f'href="/contests/{w.contest.id}/entries/new"' in text and "Your entries" in text
    client.login_as(w.staff_account)
    text = client.get(w.url).text
    assert "Change the rules and dates" in text and "Judges and treasurers" in text


def test_the_entry_list_is_an_htmx_block_and_filters_by_status(client, session, w):
    add_entry(session, w, lead=w.zhang, title="楼道微花园", status=EntryStatus.submitted)
    add_entry(session, w, lead=w.li, title="老人助餐", status=EntryStatus.withdrawn)
    fragment = client.get(f"{w.url}?status=withdrawn", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "老人助餐" in fragment.text and "楼道微花园" not in fragment.text


def test_the_contest_page_reads_a_constant_number_of_queries(client, session, engine, make_account):
    w = world(session, make_account, Phase.backing)
    counts = []
    for n in (2, 40):
        for i in range(n - (0 if not counts else 2)):
            entry = add_entry(session, w, lead=w.zhang, title=f"项目{len(counts)}-{i}")
            session.add(Pledge(entry_id=entry.id, account_id=w.li.account_id, kind="money", amount_fen=100_00))
            session.add(Pledge(entry_id=entry.id, account_id=w.wang.account_id, kind="hours", hours=3))
        session.commit()
        client.login_as(w.zhang_account)
        with recorded(engine, selects_only=True) as statements:
            assert client.get(w.url).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
