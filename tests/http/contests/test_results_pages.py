"""The results page and the staff dashboard over HTTP: nothing before the close but when; every step after it
with judges as letters; staff alone see names next to letters; a query count that does not grow with the
number of entries."""

from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import delete, func, select

from civic import clock
from civic.contests.models import ContestEntry, ContestResult, Funding, Phase, ScoreSheet
from tests.http.contests.recompute import judged_world
from tests.statements import recorded
from tests.unit.contests.builders import add_entry


@pytest.fixture
def w(session, make_account):
    return judged_world(session, make_account, now=clock.now(), phase=Phase.results)


def test_before_the_close_the_page_says_when_results_come(client, session, make_account):
    w = judged_world(session, make_account, now=clock.now(), phase=Phase.judging)
    page = client.get(f"/contests/{w.contest.id}/results")
    assert page.status_code == 200
    assert "The results are published when judging closes on" in page.text
    assert "Judge A" not in page.text and "500" not in page.text
    client.login_as(w.staff_account)
    page = client.get(f"/contests/{w.contest.id}/results")
    assert "The results are published when judging closes on" in page.text and "Judge A" not in page.text
    session.rollback()
    assert session.execute(select(func.count()).select_from(ContestResult)).scalar_one() == 0


def test_after_the_close_every_step_is_public_with_judges_as_letters(client, session, w):
    page = client.get(f"/contests/{w.contest.id}/results")  # the first request publishes them
    assert page.status_code == 200
    text = unescape(page.text)
    for expected in ("z = (total − m) / s", "Combined score = (70 × jury score + 30 × support z) / 100.",
                     "separated by the higher jury score, then more backers, then the higher mean of raw scores, "
                     "then the lower entry number", "The first 2 advance and the first 1 win.",
                     "(Σ √c)² − Σ c", "No entry gets more than 60% of the pool",
                     "Judge A", "Judge B", "Judge C", "163.299316",
                     "0.965926", "0.676148", "¥40,000.00", "¥60,000.00", "not scored: no complete score sheet",
                     f"/api/contests/{w.contest.id}/scores.csv", f"/api/contests/{w.contest.id}/contributions.csv",
                     f"/api/contests/{w.contest.id}/results.json",
                     f"civic rank --scores contest-{w.contest.id}-scores.csv --normalize zscore --advance 2 --json",
                     f"civic match --pool 100000.00 --contributions contest-{w.contest.id}-contributions.csv "
                     "--method quadratic --cap 0.6 --json"):
        assert expected in text, expected
    for private in ("评委甲", "评委乙", "评委丙", "我是该项目的顾问"):
        assert private not in text
    assert "Judging dashboard" not in text
    session.rollback()
    assert session.execute(select(ContestEntry.rank).where(ContestEntry.id == w.e1.id)).scalar_one() == 1


def test_ties_say_how_they_were_broken(client, session, w):
    # Judged on the jury alone, with e2 given exactly e1's totals (A 500, C 400; B's sheet no longer complete):
    # equal combined and jury scores, so the declared rule separates them: e2 has more backers (3 against 2).
    w.contest.jury_weight, w.contest.support_weight = 100, 0
    for sheet in session.execute(select(ScoreSheet).where(ScoreSheet.entry_id == w.e2.id)).scalars():
        if sheet.judge_id == w.judge.account_id:
            sheet.total = 500
        elif sheet.judge_id == w.household_judge.account_id:
            sheet.complete = False
    session.commit()
    text = unescape(client.get(f"/contests/{w.contest.id}/results").text)
    assert "Tied on the combined score with the entry above: separated by more backers." in text
    assert "No. 2 “楼道微花园” had the same combined score as the entry ranked above it" in text


def test_staff_see_the_dashboard_with_names_next_to_letters(client, session, w):
    client.login_as(w.staff_account)
    page = client.get(f"/contests/{w.contest.id}/dashboard")
    assert page.status_code == 200
    text = unescape(page.text)
    assert "Krippendorff's alpha (interval): 0.289" in text and "talk the flagged entries" in text
    assert "评委甲" in text and "评委乙" in text and "评委丙" in text and "Judge C" in text
    assert "老人陪伴" in text and "1.096" in text  # the flagged entry and its spread
    assert "我是该项目的顾问" in text  # the declared conflict's reason, for staff
    assert "Judging dashboard (staff)" in client.get(f"/contests/{w.contest.id}/results").text
    for account in (w.judge_account, w.zhang_account, w.treasurer_account):
        client.login_as(account)
        assert client.get(f"/contests/{w.contest.id}/dashboard").status_code == 403


def test_the_dashboard_opens_only_after_the_close(client, session, make_account):
    w = judged_world(session, make_account, now=clock.now(), phase=Phase.judging)
    client.login_as(w.staff_account)
    answer = client.get(f"/contests/{w.contest.id}/dashboard")
    assert answer.status_code == 409 and "opens when judging closes" in answer.text


def test_a_draft_contest_has_no_results_page(client, session, w):
    w.contest.status = "draft"
    session.commit()
    assert client.get(f"/contests/{w.contest.id}/results").status_code == 404


def test_the_results_page_makes_the_same_queries_for_3_and_40_entries(client, session, engine, w):
    url = f"/contests/{w.contest.id}/results"
    client.get(url)  # publishes

    def queries() -> int:
        with recorded(engine, selects_only=True) as seen:
            assert client.get(url).status_code == 200
        return len(seen)

    few = queries()
    session.rollback()  # read afresh: the app wrote meanwhile
    for n in range(37):
        entry = add_entry(session, w, lead=w.li, title=f"项目{n}", money_goal_fen=0)
        entry.funding = Funding.funded
        for judge, total in ((w.judge, 100 + n * 10), (w.judge3, 500 - n * 10)):
            session.add(ScoreSheet(contest_id=w.contest.id, entry_id=entry.id, judge_id=judge.account_id,
                                   total=total, complete=True))
    session.execute(delete(ContestResult))
    session.commit()
    assert "项目36" in client.get(url).text  # republished, with the 40 entries on one page
    assert queries() == few


def test_htmx_asks_for_one_page_of_the_ranking(client, session, w):
    answer = client.get(f"/contests/{w.contest.id}/results?page=1", headers={"HX-Request": "true"})
    assert answer.status_code == 200 and "<html" not in answer.text and 'id="ranking"' in answer.text
