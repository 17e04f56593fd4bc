"""Ranking from judges' scores (DOMAIN-RULES §3) and the combined jury + support ranking, checked against
numbers worked out by hand."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from civic.contests.ranking import (
    DuplicateScore,
    as_text,
    combine,
    id_order,
    rank,
    ranking_json,
    read_scores,
)
from civic.errors import FileInputError, InvalidInput

# J1 scores A=9, B=6, C=3: mean 6, variance (9 + 0 + 9)/3 = 6, sd √6 = 2.449490
#   z(A) = 3/√6 = 1.224745, z(B) = 0, z(C) = −1.224745
# J2 scores A=5, B=8, C=5: mean 6, variance (1 + 4 + 1)/3 = 2, sd √2 = 1.414214
#   z(A) = −1/√2 = −0.707107, z(B) = 2/√2 = 1.414214, z(C) = −0.707107
# Entry scores: A (1.224745 − 0.707107)/2 = 0.258819, B (0 + 1.414214)/2 = 0.707107,
#   C (−1.224745 − 0.707107)/2 = −0.965926. Raw means: A 7, B 7, C 4.
TWO_JUDGES = [("J1", "A", D(9)), ("J1", "B", D(6)), ("J1", "C", D(3)),
              ("J2", "A", D(5)), ("J2", "B", D(8)), ("J2", "C", D(5))]


def test_two_judges_three_entries_by_hand():
    r = rank(TWO_JUDGES, advance=2)
    assert [(e.entry_id, e.rank, as_text(e.score), as_text(e.raw_mean), e.judges, e.advances)
            for e in r.entries] == [("B", 1, "0.707107", "7.000000", 2, True),
                                    ("A", 2, "0.258819", "7.000000", 2, True),
                                    ("C", 3, "-0.965926", "4.000000", 2, False)]
    assert as_text(r.per_judge["J1"].sd) == "2.449490" and r.per_judge["J1"].mean == 6
    assert as_text(r.per_judge["J2"].sd) == "1.414214" and r.per_judge["J2"].n == 3
    assert as_text(r.z["J1", "A"]) == "1.224745" and r.z["J1", "B"] == 0
    assert as_text(r.z["J2", "C"]) == "-0.707107"
    # 50 digits, not floats: (3/√6 − 1/√2)/2 = (√6 − √2)/4 exactly, to far more places than shown.
    assert abs(r.entries[1].score - (D(6).sqrt() - D(2).sqrt()) / 4) < D("1e-25")
    assert all(e.tie_broken_by is None for e in r.entries)


def test_none_uses_raw_means_and_breaks_the_tie_by_entry_id():
    # A and B both have raw mean 7: the score ties, the raw mean ties, the entry id decides (A < B).
    r = rank(TWO_JUDGES, normalize="none")
    assert [(e.entry_id, e.score, e.tie_broken_by) for e in r.entries] == [
        ("A", 7, None), ("B", 7, "entry_id"), ("C", 4, None)]
    assert r.normalize == "none" and r.z["J2", "B"] > 0  # z is there for the spread between judges


def test_a_judge_whose_scores_do_not_vary_gives_z_zero():
    # J3 gives everything 5: sd 0, so z = 0 for each of J3's scores, and the entry scores become
    # A (1.224745 + 0)/2 = 0.612372, B 0, C −0.612372.
    r = rank([("J1", "A", D(9)), ("J1", "B", D(6)), ("J1", "C", D(3)),
              ("J3", "A", D(5)), ("J3", "B", D(5)), ("J3", "C", D(5))])
    assert r.per_judge["J3"].sd == 0 and r.per_judge["J3"].mean == 5
    assert {k: v for k, v in r.z.items() if k[0] == "J3"} == {("J3", "A"): 0, ("J3", "B"): 0, ("J3", "C"): 0}
    assert [(e.entry_id, as_text(e.score)) for e in r.entries] == [
        ("A", "0.612372"), ("B", "0.000000"), ("C", "-0.612372")]


def test_ties_broken_by_raw_mean_then_entry_id():
    # J1: A=10, B=0 → mean 5, sd 5: z(A) = 1, z(B) = −1. J2: C=2, D=0 → mean 1, sd 1: z(C) = 1, z(D) = −1.
    # A and C tie on z = 1; raw means 10 > 2 put A first. B and D tie on z = −1 and raw mean 0: B < D.
    r = rank([("J1", "A", D(10)), ("J1", "B", D(0)), ("J2", "C", D(2)), ("J2", "D", D(0))])
    assert [(e.entry_id, e.rank, e.tie_broken_by) for e in r.entries] == [
        ("A", 1, None), ("C", 2, "raw_mean"), ("B", 3, None), ("D", 4, "entry_id")]


def test_arithmetic_noise_never_decides_a_tie():
    # J2's scores are J1's times 3 (1, 2, 4 and 3, 6, 12): the z-scores are the same in theory, but they
    # come out of different divisions by different square roots. Ordering quantizes to 12 places, so
    # every pair ties on the score and the raw mean decides. Unquantized, Q's score (…653 in the 50th
    # digit) would beat S's (…654) and put Q first although S's raw mean (3) is higher than Q's (1).
    r = rank([("J1", "X", D(4)), ("J1", "P", D(2)), ("J1", "Q", D(1)),
              ("J2", "Y", D(12)), ("J2", "R", D(6)), ("J2", "S", D(3))])
    pairs = {e.entry_id: e for e in r.entries}
    assert [e.entry_id for e in r.entries] == ["Y", "X", "R", "P", "S", "Q"]
    assert pairs["X"].tie_broken_by == pairs["P"].tie_broken_by == pairs["Q"].tie_broken_by == "raw_mean"
    assert pairs["Q"].score > pairs["S"].score  # the noise is really there


def test_numeric_ids_sort_as_numbers_else_as_strings():
    scores = [("J", i, D(5)) for i in ("10", "9", "100")]
    assert [e.entry_id for e in rank(scores).entries] == ["9", "10", "100"]
    mixed = [*scores, ("J", "x", D(5))]
    assert [e.entry_id for e in rank(mixed).entries] == ["10", "100", "9", "x"]
    assert sorted(["07", "7", "8"], key=id_order(["07", "7", "8"])) == ["07", "7", "8"]


def test_advance_counts_from_the_top_and_may_exceed_the_entries():
    assert [e.advances for e in rank(TWO_JUDGES, advance=1).entries] == [True, False, False]
    assert all(e.advances for e in rank(TWO_JUDGES, advance=10).entries)
    assert not any(e.advances for e in rank(TWO_JUDGES).entries)


def test_bad_arguments_and_a_judge_scoring_twice():
    with pytest.raises(DuplicateScore, match="judge J1 scored entry A twice"):
        rank([*TWO_JUDGES, ("J1", "A", D(1))])
    with pytest.raises(InvalidInput):
        rank(TWO_JUDGES, normalize="minmax")
    with pytest.raises(InvalidInput):
        rank(TWO_JUDGES, advance=-1)
    with pytest.raises(InvalidInput):
        rank([("J1", "A", D("NaN"))])
    assert rank([]).entries == []


def test_ranking_json_shape():
    assert ranking_json(rank(TWO_JUDGES, advance=1)) == {"normalize": "zscore", "entries": [
        {"entry_id": "B", "rank": 1, "score": "0.707107", "raw_mean": "7.000000", "judges": 2, "advances": True},
        {"entry_id": "A", "rank": 2, "score": "0.258819", "raw_mean": "7.000000", "judges": 2, "advances": False},
        {"entry_id": "C", "rank": 3, "score": "-0.965926", "raw_mean": "4.000000", "judges": 2,
         "advances": False}]}
    assert as_text(D("-0.0000001")) == "0.000000" and as_text(D("0.0000005")) == "0.000001"


def test_read_scores(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("\ufeffjudge_id,entry_id,score\nJ1,E1, 7.5\n\nJ1,E2,-1\n", encoding="utf-8")
    assert read_scores(path) == [("J1", "E1", D("7.5")), ("J1", "E2", D(-1))]
    for body, line, message in [
        ("judge_id,score\n", 1, "missing column entry_id"),
        ("judge_id,entry_id,score\n,E1,3\n", 2, "judge_id is empty"),
        ("judge_id,entry_id,score\nJ1,,3\n", 2, "entry_id is empty"),
        ("judge_id,entry_id,score\nJ1,E1,3\nJ1,E2,seven\n", 3, "score 'seven' is not a decimal number"),
        ("judge_id,entry_id,score\nJ1,E1,NaN\n", 2, "score 'NaN' is not a decimal number"),
        ("judge_id,entry_id,score\nJ1,E1,Infinity\n", 2, "score 'Infinity' is not a decimal number"),
        ("judge_id,entry_id,score\nJ1,E4,1\nJ1,E5,3\nJ2,E5,3\nJ1,E5,4\n", 5,
         "judge J1 scored entry E5 twice (first on line 3)"),
    ]:
        path.write_text(body, encoding="utf-8")
        with pytest.raises(FileInputError) as caught:
            read_scores(path)
        assert (caught.value.line, caught.value.args[0]) == (line, message)


# Jury z-scores A 0.5, B 0, C −0.5; support (distinct backers) A 1, B 4, C 1: mean 2,
# variance (1 + 4 + 1)/3 = 2, sd √2, so support_z A −1/√2 = −0.707107, B 2/√2 = 1.414214, C −0.707107.
# 50/50: combined A (0.5 − 0.707107)/2 = −0.103553, B (0 + 1.414214)/2 = 0.707107, C (−0.5 − 0.707107)/2 = −0.603553.
JURY = {"A": D("0.5"), "B": D(0), "C": D("-0.5")}
RAW = {"A": D(8), "B": D(6), "C": D(4)}


def test_combine_by_hand():
    c = combine(JURY, RAW, {"A": 1, "B": 4, "C": 1}, jury_weight=50, support_weight=50, advance=2, wins=1)
    assert [(e.entry_id, e.rank, as_text(e.support_z), as_text(e.combined), e.support, e.advances, e.wins)
            for e in c.entries] == [("B", 1, "1.414214", "0.707107", 4, True, True),
                                    ("A", 2, "-0.707107", "-0.103553", 1, True, False),
                                    ("C", 3, "-0.707107", "-0.603553", 1, False, False)]
    assert c.support_mean == 2 and as_text(c.support_sd) == "1.414214"
    only_jury = combine(JURY, RAW, {"B": 4}, jury_weight=100, support_weight=0)
    assert [e.entry_id for e in only_jury.entries] == ["A", "B", "C"]
    assert only_jury.entries[2].support == 0  # no backers given: 0


def test_combine_tie_rules():
    # Supports 0 and 2: mean 1, sd 1, so support_z −1 and +1. A: jury 1, support 0 → (50·1 + 50·(−1))/100 = 0;
    # B: jury −1, support 2 → (−50 + 50)/100 = 0. Tied on combined; the declared rule decides.
    jury, raw, support = {"A": D(1), "B": D(-1)}, {"A": D(5), "B": D(5)}, {"A": 0, "B": 2}
    by_jury = combine(jury, raw, support, jury_weight=50, support_weight=50, tie_rule="jury")
    assert [(e.entry_id, e.tie_broken_by) for e in by_jury.entries] == [("A", None), ("B", "jury_score")]
    by_support = combine(jury, raw, support, jury_weight=50, support_weight=50, tie_rule="support")
    assert [(e.entry_id, e.tie_broken_by) for e in by_support.entries] == [("B", None), ("A", "support")]
    # Everyone equally supported: sd 0, support_z 0; equal jury scores and raw means fall to the entry id.
    flat = combine({"10": D(0), "9": D(0)}, {"10": D(1), "9": D(1)}, {"10": 3, "9": 3}, jury_weight=60,
                   support_weight=40, tie_rule="support")
    assert [(e.entry_id, e.support_z, e.tie_broken_by) for e in flat.entries] == [("9", 0, None),
                                                                                  ("10", 0, "entry_id")]


def test_combine_rejects_bad_weights_and_rules():
    for kwargs in ({"jury_weight": 60, "support_weight": 60}, {"jury_weight": 120, "support_weight": -20},
                   {"jury_weight": 50, "support_weight": 50, "tie_rule": "coin"}):
        with pytest.raises(InvalidInput):
            combine(JURY, RAW, {}, **kwargs)
