"""A contest's open data: scores.csv and contributions.csv in the `civic rank` / `civic match` formats with
judges as letters and backers as pseudonyms, results.json as stored; nothing before the results."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from civic.contests import exports, results
from civic.contests.models import ContestStatus, Phase
from civic.errors import NotFound
from tests.http.contests.recompute import judged_world
from tests.unit.contests.builders import NOW


@pytest.fixture
def w(session, make_account):
    return judged_world(session, make_account, now=NOW, phase=Phase.judging)


def test_backers_are_numbered_by_their_first_pledge_in_the_contest(session, w):
    # 李娜 pledged first (e1), then 王芳 (e1), then 路人 (e2); 李娜's released pledge on e5 changes nothing.
    assert exports.backer_keys(session, w.contest.id) == {w.li.account_id: "B0001", w.wang.account_id: "B0002",
                                                          w.stranger.account_id: "B0003"}


@pytest.mark.parametrize(("fen", "text"), [(0, "0.00"), (5, "0.05"), (64_00, "64.00"), (100_000_01, "100000.01")])
def test_amounts_are_yuan_with_two_decimals(fen, text):
    assert exports.yuan_text(fen) == text


def test_the_files_hold_exactly_what_the_results_used(session, w):
    published = results.publish_results(session, contest_id=w.contest.id, now=w.results_at)
    session.commit()
    e1, e2, e3 = w.e1.id, w.e2.id, w.e3.id
    scores = exports.open_file(session, contest_id=w.contest.id, file="scores", now=w.results_at)
    # Complete sheets of judged entries only: judge A's partial sheet on e4 is not there, and judges are letters.
    assert scores == ("judge_id,entry_id,score\n"
                      f"A,{e1},500\nA,{e2},300\nA,{e3},100\nB,{e2},200\nB,{e3},400\nC,{e1},400\nC,{e2},400\nC,{e3},100\n")
    contributions = exports.open_file(session, contest_id=w.contest.id, file="contributions", now=w.results_at)
    # Standing money pledges of the advancing entries (e1, e2) only: e3's hours and e5's released ¥10 are not.
    assert contributions == ("entry_id,backer_key,amount\n"
                             f"{e1},B0001,64.00\n{e1},B0002,36.00\n{e2},B0001,25.00\n{e2},B0002,25.00\n"
                             f"{e2},B0003,50.00\n")
    assert exports.open_file(session, contest_id=w.contest.id, file="results", now=w.results_at) == published.document
    assert exports.published_contests(session) == [{
        "id": w.contest.id, "title": w.contest.title, "published_at": published.computed_at.isoformat(),
        "sha256": published.sha256, "results_page": f"/contests/{w.contest.id}/results",
        "files": {"scores": f"/api/contests/{w.contest.id}/scores.csv",
                  "contributions": f"/api/contests/{w.contest.id}/contributions.csv",
                  "results": f"/api/contests/{w.contest.id}/results.json"}}]


@pytest.mark.parametrize("file", list(exports.FILES))
def test_nothing_is_published_before_judging_closes(session, w, file):
    with pytest.raises(NotFound, match="published with its results"):
        exports.open_file(session, contest_id=w.contest.id, file=file, now=w.contest.judging_closes_at
                          - timedelta(seconds=1))
    assert exports.published_contests(session) == []


def test_after_the_close_the_first_download_publishes_the_results(session, w):
    document = json.loads(exports.open_file(session, contest_id=w.contest.id, file="results", now=w.results_at))
    assert document["contest"]["id"] == w.contest.id and len(document["entries"]) == 4


def test_a_draft_contest_has_no_open_data(session, w):
    w.contest.status = ContestStatus.draft
    session.commit()
    with pytest.raises(NotFound, match="no such contest"):
        exports.open_file(session, contest_id=w.contest.id, file="scores", now=w.results_at)
    with pytest.raises(NotFound):
        exports.open_file(session, contest_id=999_999, file="scores", now=w.results_at)
