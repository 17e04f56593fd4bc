"""Publishing results against a small contest computed by hand: normalisation, the combined ranking, matching
with a cap, agreement; conflicts and partial sheets left out; idempotent; nothing before judging closes."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from civic.audit import AuditEvent
from civic.contests import results
from civic.contests.models import ContestEntry, ContestResult, MatchingMethod, Normalize, Phase
from civic.notifications import Notification
from tests.http.contests.recompute import judged_world
from tests.unit.contests.builders import NOW


@pytest.fixture
def w(session, make_account):
    return judged_world(session, make_account, now=NOW, phase=Phase.judging)


def publish(session, w, **changes):
    for name, value in changes.items():
        setattr(w.contest, name, value)
    session.commit()
    result = results.publish_results(session, contest_id=w.contest.id, now=w.results_at)
    session.commit()
    return result, json.loads(result.document)


def entries(document) -> dict:
    return {e["entry_id"]: e for e in document["entries"]}


def test_the_published_numbers_match_the_hand_computed_contest(session, w):
    result, doc = publish(session, w)
    assert result.sha256 == hashlib.sha256(result.document.encode("utf-8")).hexdigest()
    e = entries(doc)
    # Judge A (评委甲): e1 500, e2 300, e3 100; m = 300, s = √((200² + 0² + 200²) / 3) = 163.299316.
    # Judge B (评委乙): e2 200, e3 400 (e1 is 张伟's: same household); m = 300, s = 100.
    # Judge C (评委丙): e1 400, e2 400, e3 100 (declared a conflict on e4); m = 300, s = √20000 = 141.421356.
    # Judge A's partial sheet on e4 does not count: e4 is "not scored".
    assert doc["judges"] == [{"judge": "A", "n": 3, "mean": "300.000000", "sd": "163.299316"},
                             {"judge": "B", "n": 2, "mean": "300.000000", "sd": "100.000000"},
                             {"judge": "C", "n": 3, "mean": "300.000000", "sd": "141.421356"}]
    # z: A 1.224745 (= √1.5), 0, −1.224745; B −1, 1; C 0.707107 (= √0.5), 0.707107, −1.414214 (= −√2).
    assert e[w.e1.id]["scores"] == {"A": {"raw": 500, "z": "1.224745"}, "C": {"raw": 400, "z": "0.707107"}}
    assert e[w.e3.id]["scores"]["B"] == {"raw": 400, "z": "1.000000"}
    # Jury score = mean z: e1 (√1.5 + √0.5) / 2 = 0.965926; e2 (0 − 1 + √0.5) / 3 = −0.097631;
    # e3 (−√1.5 + 1 − √2) / 3 = −0.546319. Raw means 450, 300, 200.
    assert [(e[x.id]["jury_score"], e[x.id]["raw_mean"]) for x in (w.e1, w.e2, w.e3)] == [
        ("0.965926", "450.000000"), ("-0.097631", "300.000000"), ("-0.546319", "200.000000")]
    # Support = distinct standing backers: e1 2 (李娜, 王芳), e2 3, e3 1 (hours count too); over the ranked
    # entries mean 2, sd √(2/3) = 0.816497 → support z 0, 1.224745, −1.224745.
    assert doc["support"] == {"mean": "2.000000", "sd": "0.816497"}
    assert [(e[x.id]["support"], e[x.id]["support_z"]) for x in (w.e1, w.e2, w.e3)] == [
        (2, "0.000000"), (3, "1.224745"), (1, "-1.224745")]
    # Combined = (70 × jury + 30 × support z) / 100: e1 0.676148; e2 −0.068342 + 0.367423 = 0.299082;
    # e3 −0.382424 − 0.367423 = −0.749847.
    assert [e[x.id]["combined"] for x in (w.e1, w.e2, w.e3)] == ["0.676148", "0.299082", "-0.749847"]
    assert [(r["entry_id"], r["rank"], r["advances"], r["wins"]) for r in doc["entries"]] == [
        (w.e1.id, 1, True, True), (w.e2.id, 2, True, False), (w.e3.id, 3, False, False), (w.e4.id, None, False, False)]
    assert not e[w.e4.id]["scored"] and w.e5.id not in e  # e5 missed its goal: not judged
    # Quadratic matching over the advancing e1 and e2: raw(e1) = (√64 + √36)² − 100 = 96,
    # raw(e2) = (√25 + √25 + √50)² − 100 = 191.421356. e2's share, 100,000 × 191.42 / 287.42 = 66,599.6, is
    # over the cap of 60% (60,000): e2 gets 60,000 and the other 40,000 goes to e1, the only other entry.
    assert [(e[x.id]["match_fen"], e[x.id]["match"]) for x in (w.e1, w.e2, w.e3)] == [
        (40_000_00, "40000.00"), (60_000_00, "60000.00"), (None, None)]
    assert (doc["matching"]["unallocated"], doc["matching"]["matched"], doc["matching"]["cap"]) == (
        "0.00", "100000.00", "0.6")
    # Krippendorff's alpha (interval) over the counted totals: D_o = (20000 + 60000 + 180000) / 8 = 32500,
    # D_e = 2 (8 · 880000 − 2400²) / 56 = 45714.29 → α = 1 − 0.7109375 = 0.2890625.
    assert doc["agreement"]["alpha"] == pytest.approx(0.2890625)
    # Spread of z per entry: e1 0.258819, e2 0.700334, e3 1.096146 — only e3 reaches 1 and is flagged.
    assert [e[x.id]["disagreement"] for x in (w.e1, w.e2, w.e3)] == pytest.approx([0.258819, 0.700334, 1.096146])
    assert doc["agreement"]["flagged"] == [w.e3.id] and e[w.e3.id]["flagged"]
    assert [e[x.id]["conflicts"] for x in (w.e1, w.e2, w.e3, w.e4)] == [1, 0, 0, 1]
    assert doc["commands"] == {
        "rank": f"civic rank --scores contest-{w.contest.id}-scores.csv --normalize zscore --advance 2 --json",
        "match": f"civic match --pool 100000.00 --contributions contest-{w.contest.id}-contributions.csv "
                 "--method quadratic --cap 0.6 --json"}
    assert json.loads(result.judges) == {"A": w.judge.account_id, "B": w.household_judge.account_id,
                                         "C": w.judge3.account_id}
    assert "评委" not in result.document  # no judge's name (nor account id: judges are letters only)
    assert all(set(j) == {"judge", "n", "mean", "sd"} for j in doc["judges"])


def test_the_outcome_is_copied_onto_the_entries_and_everyone_is_told(session, w):
    publish(session, w)
    session.expire_all()
    rows = {e.id: (e.rank, e.advances, e.wins, e.match_fen) for e in session.execute(select(ContestEntry)).scalars()}
    assert rows == {w.e1.id: (1, True, True, 40_000_00), w.e2.id: (2, True, False, 60_000_00),
                    w.e3.id: (3, False, False, None), w.e4.id: (None, False, False, None),
                    w.e5.id: (None, False, False, None)}
    told = session.execute(select(Notification.account_id, Notification.subject).order_by(Notification.id)).all()
    by_account: dict[int, list[str]] = {}
    for account_id, subject in told:
        by_account.setdefault(account_id, []).append(subject)
    assert "is a winner" in by_account[w.zhang.account_id][0]
    assert sorted(by_account[w.li.account_id]) == sorted([
        f"“社区图书角” advances in “{w.contest.title}” (rank 2). The results show every step.",
        f"“垃圾分类宣传” received no complete score sheet in “{w.contest.title}” and is not ranked."])
    assert "ranked 3" in by_account[w.wang.account_id][0]
    for judge in (w.judge, w.household_judge, w.judge3):
        assert by_account[judge.account_id] == [f"The results of “{w.contest.title}” are published: thank you "
                                                "for judging."]


def test_publishing_is_idempotent_and_waits_for_judging_to_close(session, w):
    assert results.publish_results(session, contest_id=w.contest.id, now=w.contest.judging_closes_at
                                   - timedelta(seconds=1)) is None
    session.commit()
    assert session.execute(select(func.count()).select_from(ContestResult)).scalar_one() == 0
    first, _doc = publish(session, w)
    notes = session.execute(select(func.count()).select_from(Notification)).scalar_one()
    events = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    assert results.publish_results(session, contest_id=w.contest.id, now=w.results_at + timedelta(days=1)) is None
    session.commit()
    assert session.execute(select(func.count()).select_from(ContestResult)).scalar_one() == 1
    assert session.execute(select(func.count()).select_from(Notification)).scalar_one() == notes
    assert session.execute(select(func.count()).select_from(AuditEvent)).scalar_one() == events


def test_the_due_job_publishes_each_closed_contest_once(session, w, engine, settings):
    assert results.publish_due(engine, settings, w.contest.judging_closes_at - timedelta(minutes=1)) == 0
    assert results.publish_due(engine, settings, w.results_at) == 1
    assert results.publish_due(engine, settings, w.results_at) == 0


def test_raw_scores_and_equal_shares(session, w):
    _result, doc = publish(session, w, normalize=Normalize.none, matching_method=MatchingMethod.none,
                           prize_pool_fen=100_000_01)
    e = entries(doc)
    # Without normalisation the jury score is the raw mean: 450, 300, 200.
    assert [e[x.id]["jury_score"] for x in (w.e1, w.e2, w.e3)] == ["450.000000", "300.000000", "200.000000"]
    # Equal shares of ¥100,000.01 between e1 and e2: the odd fen goes to the lower entry id.
    assert (e[w.e1.id]["match"], e[w.e2.id]["match"], doc["matching"]["unallocated"]) == (
        "50000.01", "50000.00", "0.00")
    assert doc["commands"]["match"] is None and "--normalize none" in doc["commands"]["rank"]


def test_proportional_matching_without_a_cap(session, w):
    _result, doc = publish(session, w, matching_method=MatchingMethod.proportional, matching_cap_percent=None)
    e = entries(doc)
    # Σc: e1 ¥100, e2 ¥100 → half each.
    assert (e[w.e1.id]["match"], e[w.e2.id]["match"]) == ("50000.00", "50000.00")
    assert doc["commands"]["match"].endswith("--method proportional --json")


def test_a_contest_nobody_scored_publishes_every_entry_as_not_scored(session, make_account):
    from tests.unit.contests.builders import add_entry, build_contest_world

    w = build_contest_world(session, make_account, phase=Phase.judging)
    w.contest.backing_settled_at = w.contest.backing_closes_at
    entry = add_entry(session, w, lead=w.li, money_goal_fen=0)
    entry.funding = "funded"
    session.commit()
    result = results.publish_results(session, contest_id=w.contest.id, now=w.contest.judging_closes_at)
    doc = json.loads(result.document)
    assert [(r["entry_id"], r["scored"], r["rank"]) for r in doc["entries"]] == [(entry.id, False, None)]
    assert doc["judges"] == [] and doc["agreement"]["alpha"] is None
    assert doc["matching"]["unallocated"] == "100000.00"


def test_publishing_settles_backing_first_when_no_job_has_yet(session, w):
    # The world's funding agrees with its pledges (e1 and e2 reached ¥100, e3 and e4 ask for nothing), so
    # settling again at publication changes nothing but the record that it happened.
    _result, doc = publish(session, w, backing_settled_at=None)
    session.expire_all()
    assert session.get(type(w.contest), w.contest.id).backing_settled_at is not None
    assert [(r["entry_id"], r["match"]) for r in doc["entries"][:2]] == [(w.e1.id, "40000.00"), (w.e2.id, "60000.00")]
