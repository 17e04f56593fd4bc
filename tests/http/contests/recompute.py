"""Recomputing a contest's published results from its open data, as anyone could: download scores.csv,
contributions.csv and results.json over HTTP, run the `civic rank` and `civic match` command lines that
results.json publishes, and check they give the published jury scores, ranking and matching funds.
`assert_recomputes` is reused for the demo contest.

Also the small hand-computed contest the judging tests share (`judged_world`)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shlex
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from civic import cli
from civic.auth.models import Account, Role, ScopeType
from civic.contests import judging, ranking
from civic.contests.models import EntryStatus, Funding, Phase, Pledge, PledgeKind, PledgeStatus
from tests.unit.contests.builders import DAY, add_entry, build_contest_world, viewer_of


def _run(argv: list[str]) -> dict:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = cli.main(argv)
    assert status == 0, out.getvalue()
    return json.loads(out.getvalue())


def _download(client, url: str, path: Path) -> bytes:
    answer = client.get(url)
    assert answer.status_code == 200, answer.text
    path.write_bytes(answer.content)
    return answer.content


def _argv(command: str, files: dict[str, Path]) -> list[str]:
    """The published command line with its file names replaced by where they were downloaded."""
    words = shlex.split(command)
    assert words[0] == "civic"
    return [str(files.get(word, word)) for word in words[1:]]


def assert_recomputes(client, contest_id: int, tmp_path: Path) -> dict:
    """Download the three files and recompute the jury scores, the combined order, the advancing and winning
    entries and the matching funds from them; returns the published document."""
    assert client.get(f"/api/contests/{contest_id}/results.json").status_code == 200  # published by now
    index = client.get("/api/contests/").json()
    listed = {c["id"]: c for c in index["contests"]}[contest_id]
    paths = {}
    for file, url in listed["files"].items():
        name = url.rsplit("/", 1)[1]
        paths[f"contest-{contest_id}-{name}"] = tmp_path / f"contest-{contest_id}-{name}"
        body = _download(client, url, paths[f"contest-{contest_id}-{name}"])
        if file == "results":
            assert hashlib.sha256(body).hexdigest() == listed["sha256"]
            document = json.loads(body)
    published = {e["entry_id"]: e for e in document["entries"]}
    scored = [e for e in document["entries"] if e["scored"]]

    rank = _run(_argv(document["commands"]["rank"], paths))
    assert rank["normalize"] == document["formula"]["normalize"]
    assert {int(e["entry_id"]) for e in rank["entries"]} == {e["entry_id"] for e in scored}
    for e in rank["entries"]:
        mine = published[int(e["entry_id"])]
        assert (e["score"], e["raw_mean"], e["judges"]) == (mine["jury_score"], mine["raw_mean"], mine["judges"])

    formula = document["formula"]
    again = ranking.combine({e["entry_id"]: Decimal(e["score"]) for e in rank["entries"]},
                            {e["entry_id"]: Decimal(e["raw_mean"]) for e in rank["entries"]},
                            {e["entry_id"]: published[int(e["entry_id"])]["support"] for e in rank["entries"]},
                            jury_weight=formula["jury_weight"], support_weight=formula["support_weight"],
                            tie_rule=formula["tie_rule"], advance=formula["advance_count"],
                            wins=formula["winner_count"])
    assert [int(c.entry_id) for c in again.entries] == [e["entry_id"] for e in scored]
    assert [(c.rank, c.advances, c.wins) for c in again.entries] == [(e["rank"], e["advances"], e["wins"])
                                                                     for e in scored]

    matching = document["matching"]
    if document["commands"]["match"] is not None:
        match = _run(_argv(document["commands"]["match"], paths))
        assert (match["pool"], match["method"], match["unallocated"]) == (
            matching["pool"], matching["method"], matching["unallocated"])
        recomputed = {int(e["entry_id"]): e["match"] for e in match["entries"]}
        for e in document["entries"]:
            expected = recomputed.get(e["entry_id"], "0.00") if e["advances"] else None
            assert e["match"] == expected, (e["entry_id"], e["match"], expected)
    total = sum(e["match_fen"] for e in document["entries"] if e["advances"])
    assert total + matching["unallocated_fen"] == matching["pool_fen"]
    return document


# ---- the hand-computed contest ----------------------------------------------------------------------------

def levels(w, *scores: int) -> dict[int, int]:
    """criterion id → level, in rubric order (weights 40/30/30): all three equal to k make a total of 100k."""
    return {c.id: s for c, s in zip(w.criteria, scores, strict=False)}


def judged_world(session, make_account, *, now, phase: Phase = Phase.results, method: str = "quadratic"):
    """Three judges and five entries, scored while judging was open (see the arithmetic in test_results):

    Judge A (w.judge):        e1 500, e2 300, e3 100, e4 partial (not counted)
    Judge B (household_judge): e1 — conflicted (shares 张伟's household), e2 200, e3 400
    Judge C (judge3):          e1 400, e2 400, e3 100, e4 — declared a conflict
    e5 missed its money goal (released): not judged. Backers: e1 李娜 ¥64 + 王芳 ¥36; e2 李娜 ¥25 + 王芳 ¥25 +
    路人 ¥50; e3 王芳 10 hours; e5 李娜 ¥10 (released). Pool ¥100,000, quadratic, cap 60%, 2 advance, 1 wins."""
    w = build_contest_world(session, make_account, phase=phase, now=now, method=method)
    w.contest.matching_cap_percent = 60
    w.contest.backing_settled_at = w.contest.backing_closes_at  # the test sets the funding itself
    w.judge3 = viewer_of(make_account, "评委丙", roles=[(Role.judge, ScopeType.contest, w.contest.id)])
    w.e1 = add_entry(session, w, lead=w.zhang, title="楼道微花园", money_goal_fen=100_00)
    w.e2 = add_entry(session, w, lead=w.li, title="社区图书角", money_goal_fen=100_00)
    w.e3 = add_entry(session, w, lead=w.wang, title="老人陪伴", money_goal_fen=0)
    w.e4 = add_entry(session, w, lead=w.li, title="垃圾分类宣传", money_goal_fen=0)
    w.e5 = add_entry(session, w, lead=w.wang, title="屋顶菜园", money_goal_fen=5_000_00)
    for entry in (w.e1, w.e2, w.e3, w.e4):
        entry.funding = Funding.funded
    w.e5.funding = Funding.released
    pledged_at = w.contest.backing_opens_at + DAY
    for entry, backer, fen, hours, status in (
            (w.e1, w.li, 64_00, 0, PledgeStatus.standing), (w.e1, w.wang, 36_00, 0, PledgeStatus.standing),
            (w.e2, w.li, 25_00, 0, PledgeStatus.standing), (w.e2, w.wang, 25_00, 0, PledgeStatus.standing),
            (w.e2, w.stranger, 50_00, 0, PledgeStatus.standing), (w.e3, w.wang, 0, 10, PledgeStatus.standing),
            (w.e5, w.li, 10_00, 0, PledgeStatus.released)):
        session.add(Pledge(entry_id=entry.id, account_id=backer.account_id, amount_fen=fen, hours=hours,
                           kind=PledgeKind.money if fen else PledgeKind.hours, status=status, created_at=pledged_at))
        session.flush()  # pledge ids in this order: the backer keys follow them
    session.commit()
    w.judging_at = w.contest.backing_closes_at + timedelta(hours=2)
    for judge, entry, scores in ((w.judge, w.e1, (5, 5, 5)), (w.judge, w.e2, (3, 3, 3)), (w.judge, w.e3, (1, 1, 1)),
                                 (w.judge, w.e4, (2, 2)), (w.household_judge, w.e2, (2, 2, 2)),
                                 (w.household_judge, w.e3, (4, 4, 4)), (w.judge3, w.e1, (4, 4, 4)),
                                 (w.judge3, w.e2, (4, 4, 4)), (w.judge3, w.e3, (1, 1, 1))):
        judging.save_sheet(session, viewer=judge, entry_id=entry.id, levels=levels(w, *scores), now=w.judging_at)
    judging.declare_conflict(session, viewer=w.judge3, entry_id=w.e4.id, reason="我是该项目的顾问", now=w.judging_at)
    session.commit()
    for name in ("staff", "judge", "household_judge", "judge3", "zhang", "li", "stranger", "treasurer"):
        setattr(w, f"{name}_account", session.get(Account, getattr(w, name).account_id))
    w.results_at = w.contest.judging_closes_at + timedelta(hours=1)
    assert all(e.status == EntryStatus.accepted for e in (w.e1, w.e2, w.e3, w.e4, w.e5))
    return w
