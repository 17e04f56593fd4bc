"""A contest's open data over HTTP: the three files with the right headers once the results are out, a clear
404 before (scores are private), the /api/contests/ index and the /open-data page; and the recompute test:
`civic rank` and `civic match` on the downloaded files give the published jury scores, ranking and matching."""

from __future__ import annotations

import random
from html import unescape

import pytest

from civic import clock
from civic.auth.models import Role, ScopeType
from civic.contests.models import (
    Funding,
    MatchingMethod,
    Normalize,
    Phase,
    Pledge,
    PledgeKind,
    ScoreSheet,
    TieRule,
)
from tests.http.contests.recompute import assert_recomputes, judged_world
from tests.unit.contests.builders import DAY, add_entry, build_contest_world, viewer_of


@pytest.fixture
def w(session, make_account):
    return judged_world(session, make_account, now=clock.now(), phase=Phase.results)


def test_the_published_results_recompute_from_the_open_data(client, w, tmp_path):
    document = assert_recomputes(client, w.contest.id, tmp_path)
    assert [e["match"] for e in document["entries"][:2]] == ["40000.00", "60000.00"]


@pytest.mark.parametrize(("file", "media_type"), [("scores.csv", "text/csv; charset=utf-8"),
                                                  ("contributions.csv", "text/csv; charset=utf-8"),
                                                  ("results.json", "application/json")])
def test_each_file_is_an_attachment_of_its_type(client, w, file, media_type):
    answer = client.get(f"/api/contests/{w.contest.id}/{file}")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == media_type
    assert answer.headers["content-disposition"] == f'attachment; filename="contest-{w.contest.id}-{file}"'
    assert "评委" not in answer.text and str(w.li.account_id) != answer.text.splitlines()[1].split(",")[1]


@pytest.mark.parametrize("file", ["scores.csv", "contributions.csv", "results.json"])
def test_nothing_before_judging_closes(client, session, make_account, file):
    w = judged_world(session, make_account, now=clock.now(), phase=Phase.judging)
    answer = client.get(f"/api/contests/{w.contest.id}/{file}")
    assert answer.status_code == 404
    assert "is published with its results, once judging closes on" in unescape(answer.text)
    assert client.get("/api/contests/").json() == {"contests": []}


def test_the_index_lists_contests_with_results(client, w):
    assert client.get("/api/contests/").json() == {"contests": []}  # nothing published yet: nobody asked
    client.get(f"/contests/{w.contest.id}/results")
    [listed] = client.get("/api/contests/").json()["contests"]
    assert listed["id"] == w.contest.id and listed["results_page"] == f"/contests/{w.contest.id}/results"
    assert listed["files"]["scores"] == f"/api/contests/{w.contest.id}/scores.csv"


def test_the_open_data_page_explains_the_contest_files(client, w):
    page = unescape(client.get("/open-data").text)
    assert 'href="/api/contests/"' in page and "Header judge_id,entry_id,score" in page
    assert "B followed by the rank of the backer's first pledge" in page


@pytest.mark.parametrize(("normalize", "method", "tie_rule", "cap"), [
    (Normalize.zscore, MatchingMethod.quadratic, TieRule.jury, 25),
    (Normalize.none, MatchingMethod.proportional, TieRule.support, None),
    (Normalize.zscore, MatchingMethod.none, TieRule.jury, None),
])
def test_a_larger_random_contest_recomputes_too(client, session, make_account, tmp_path, normalize, method,
                                                tie_rule, cap):
    """Five judges (one conflicted on a few entries), thirty entries, scores on a coarse scale so that ties
    happen, and a few hundred pledges of odd amounts."""
    rng = random.Random(20261124)
    w = build_contest_world(session, make_account, phase=Phase.results, now=clock.now(), method=method)
    w.contest.normalize, w.contest.tie_rule, w.contest.matching_cap_percent = normalize, tie_rule, cap
    w.contest.advance_count, w.contest.winner_count = 8, 3
    w.contest.prize_pool_fen = 100_000_00 + 7
    w.contest.backing_settled_at = w.contest.backing_closes_at
    judges = [w.judge, w.household_judge] + [
        viewer_of(make_account, f"评委{n}", roles=[(Role.judge, ScopeType.contest, w.contest.id)]) for n in range(3)]
    backers = [w.li, w.wang, w.stranger, w.zhang] + [viewer_of(make_account, f"居民{n}") for n in range(20)]
    entries = []
    for n in range(30):
        entry = add_entry(session, w, lead=w.zhang if n % 7 == 0 else w.li, title=f"项目{n}", money_goal_fen=0)
        entry.funding = Funding.funded
        entries.append(entry)
    for entry in entries:
        for judge in judges:
            if judge is w.household_judge and entry.created_by == w.zhang.account_id:
                continue  # a conflict through 张伟's household: never scored
            if rng.random() < 0.9:
                session.add(ScoreSheet(contest_id=w.contest.id, entry_id=entry.id, judge_id=judge.account_id,
                                       total=100 * rng.randint(1, 5), complete=rng.random() < 0.95))
        for _ in range(rng.randint(0, 12)):
            session.add(Pledge(entry_id=entry.id, account_id=rng.choice(backers).account_id, kind=PledgeKind.money,
                               amount_fen=rng.choice([100, 1_00, 10_00, 33_33, 50_00, 200_01]),
                               created_at=w.contest.backing_opens_at + DAY))
    session.commit()
    document = assert_recomputes(client, w.contest.id, tmp_path)
    assert sum(e["conflicts"] for e in document["entries"]) == 5  # 张伟's entries 0, 7, 14, 21, 28
    assert sum(e["advances"] for e in document["entries"]) == 8
