"""The judging pages over HTTP: a judge's queue and rubric, the score sheet (saved whole or in part, with
HTMX or without), declaring a conflict (and what it does to a sheet already given), refusals with their
messages, and staff following the judges' progress without ever seeing a score."""

from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import func, select

from civic import clock
from civic.auth.models import Account
from civic.contests.models import Funding, JudgeConflict, Phase, ScoreItem, ScoreSheet
from tests.unit.contests.builders import add_entry, build_contest_world


@pytest.fixture
def w(session, make_account):
    w = build_contest_world(session, make_account, phase=Phase.judging, now=clock.now())
    w.contest.backing_settled_at = w.contest.backing_closes_at
    w.zhangs = add_entry(session, w, lead=w.zhang, title="张伟的花园")
    w.lis = add_entry(session, w, lead=w.li, title="李娜的书角")
    w.wangs = add_entry(session, w, lead=w.wang, title="王芳的菜园")
    for entry in (w.zhangs, w.lis, w.wangs):
        entry.funding = Funding.funded
    session.commit()
    for name in ("staff", "judge", "household_judge", "zhang"):
        setattr(w, f"{name}_account", session.get(Account, getattr(w, name).account_id))
    w.form = lambda *levels: {f"criterion-{c.id}": str(level) for c, level in zip(w.criteria, levels, strict=False)}
    return w


def count(session, model) -> int:
    session.rollback()
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_judge_sees_the_rubric_their_queue_and_their_conflicts(client, w):
    client.login_as(w.household_judge_account)
    page = client.get(f"/contests/{w.contest.id}/judging")
    assert page.status_code == 200
    text = page.text
    assert "Your queue" in text and "影响力 Impact" in text and "5 分" in text
    assert f'href="/contests/entries/{w.lis.id}/score"' in text and f'href="/contests/entries/{w.lis.id}/conflict"' in text
    assert f'href="/contests/entries/{w.zhangs.id}/score"' not in text
    assert "you share a household with a member of its team" in text
    assert '<progress id="own-progress" max="2" value="0">' in text and "0 of 2 entries scored completely" in text


def test_a_judge_scores_in_part_then_in_full_and_revises(client, session, w):
    client.login_as(w.judge_account)
    url = f"/contests/entries/{w.lis.id}/score"
    sheet = client.get(url)
    assert sheet.status_code == 200
    assert f'name="criterion-{w.criteria[0].id}" value="5"' in sheet.text and "<legend>影响力 Impact" in sheet.text
    answer = client.post_form(url, w.form(4))
    assert answer.status_code == 303 and answer.headers["location"] == f"/contests/{w.contest.id}/judging"
    session.rollback()
    row = session.execute(select(ScoreSheet)).scalar_one()
    assert (row.total, row.complete) == (160, False)
    page = client.get(answer.headers["location"])
    assert "The sheet is not complete yet" in page.text and "Partly scored: 1 of 3 criteria" in page.text
    answer = client.post_form(url, {**w.form(4, 5, 4), "next": "1"})
    assert answer.status_code == 303 and answer.headers["location"] == f"/contests/entries/{w.wangs.id}/score"
    session.rollback()
    session.expire_all()
    row = session.execute(select(ScoreSheet)).scalar_one()
    assert (row.total, row.complete) == (40 * 4 + 30 * 5 + 30 * 4, True)
    again = client.get(url)
    assert f'id="criterion-{w.criteria[1].id}-5" name="criterion-{w.criteria[1].id}" value="5" checked' in again.text
    assert "Your total: 430." in again.text


def test_htmx_swaps_the_sheet_in_place(client, session, w):
    client.login_as(w.judge_account)
    url = f"/contests/entries/{w.lis.id}/score"
    answer = client.post_form(url, w.form(3, 3, 3), headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith('<div id="sheet">') and "<html" not in answer.text
    assert 'role="status"' in answer.text and "the sheet is complete" in answer.text
    answer = client.post_form(url, {**w.form(3, 3, 3), "next": "1"}, headers={"HX-Request": "true"})
    assert answer.headers["HX-Redirect"] == f"/contests/entries/{w.wangs.id}/score"  # the next one in the queue


def test_a_level_outside_the_rubric_is_refused_and_nothing_is_saved(client, session, w):
    client.login_as(w.judge_account)
    answer = client.post_form(f"/contests/entries/{w.lis.id}/score", w.form(9, 3, 3))
    assert answer.status_code == 400
    assert "Choose one of the levels described for “影响力 Impact”." in answer.text
    assert f'id="criterion-{w.criteria[0].id}-error"' in answer.text
    answer = client.post_form(f"/contests/entries/{w.lis.id}/score", {})
    assert answer.status_code == 400 and "Choose a level for at least one criterion." in answer.text
    assert count(session, ScoreSheet) == 0


def test_a_conflicted_judge_is_refused_with_a_clear_message(client, session, w):
    client.login_as(w.household_judge_account)
    for answer in (client.get(f"/contests/entries/{w.zhangs.id}/score"),
                   client.post_form(f"/contests/entries/{w.zhangs.id}/score", w.form(3, 3, 3))):
        assert answer.status_code == 403
        assert "You share a household with a member of this entry's team: you cannot score it." in unescape(answer.text)
    assert count(session, ScoreSheet) == 0


def test_declaring_a_conflict_after_scoring_says_the_sheet_goes(client, session, w):
    client.login_as(w.judge_account)
    client.post_form(f"/contests/entries/{w.wangs.id}/score", w.form(5, 5, 5))
    url = f"/contests/entries/{w.wangs.id}/conflict"
    page = client.get(url)
    assert page.status_code == 200 and "You have already scored this entry." in page.text
    assert "Declare the conflict and delete my scores" in page.text and 'name="reason"' in page.text
    refused = client.post_form(url, {"reason": "  "})
    assert refused.status_code == 400 and 'id="reason-error"' in refused.text
    assert count(session, JudgeConflict) == 0 and count(session, ScoreSheet) == 1
    answer = client.post_form(url, {"reason": "王芳是我表姐"})
    assert answer.status_code == 303 and answer.headers["location"] == f"/contests/{w.contest.id}/judging"
    assert count(session, JudgeConflict) == 1 and count(session, ScoreSheet) == 0 and count(session, ScoreItem) == 0
    page = client.get(answer.headers["location"])
    assert "has been deleted and does not count" in page.text and "you declared a conflict" in page.text
    assert client.get(url).status_code == 409  # already declared
    assert client.get(f"/contests/entries/{w.wangs.id}/score").status_code == 403


def test_staff_see_each_judges_progress_but_no_score(client, session, w):
    client.login_as(w.judge_account)
    client.post_form(f"/contests/entries/{w.lis.id}/score", w.form(4, 5, 4))  # a total of 430
    client.login_as(w.staff_account)
    page = client.get(f"/contests/{w.contest.id}/judging")
    assert page.status_code == 200
    assert "Judges' progress" in unescape(page.text) and "评委甲" in page.text and "评委乙" in page.text
    assert "430" not in page.text and "Your queue" not in page.text
    assert 'value="1"' in page.text  # 评委甲's progress bar: one complete sheet
    assert client.get(f"/contests/entries/{w.lis.id}/score").status_code == 403


def test_a_judge_never_sees_another_judges_score(client, session, w):
    client.login_as(w.judge_account)
    client.post_form(f"/contests/entries/{w.lis.id}/score", w.form(4, 5, 4))
    client.login_as(w.household_judge_account)
    for url in (f"/contests/{w.contest.id}/judging", f"/contests/entries/{w.lis.id}/score",
                f"/contests/{w.contest.id}/results"):
        answer = client.get(url)
        assert "430" not in answer.text and "checked" not in answer.text
    assert client.get(f"/api/contests/{w.contest.id}/scores.csv").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, w):
    for url in (f"/contests/{w.contest.id}/judging", f"/contests/entries/{w.lis.id}/score",
                f"/contests/entries/{w.lis.id}/conflict", f"/contests/{w.contest.id}/dashboard"):
        answer = client.get(url)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next=")
