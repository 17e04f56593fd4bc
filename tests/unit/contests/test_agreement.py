"""Agreement between judges: Krippendorff's alpha (interval) against published and hand-worked values,
and the spread of z-scores that flags entries."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from civic.contests.agreement import DISAGREEMENT_FLAG, disagreement, flagged, krippendorff_alpha_interval


def table(*coders: str) -> dict[tuple[int, int], int]:
    """Coders' rows of values, "*" where a coder did not rate the unit."""
    return {(c, u): int(v) for c, row in enumerate(coders) for u, v in enumerate(row.split()) if v != "*"}


def test_krippendorffs_own_example():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", 4 observers × 12 units with
    # missing data: α interval = 0.849 (nominal 0.743, ordinal 0.815). Unit 12 has one value: not pairable.
    alpha = krippendorff_alpha_interval(table("1 2 3 3 2 1 4 1 2 * * *",
                                              "1 2 3 3 2 2 4 1 2 5 * 3",
                                              "* 3 3 3 2 3 4 2 2 5 1 *",
                                              "1 2 3 3 2 4 4 1 2 5 1 *"))
    assert alpha == pytest.approx(0.849, abs=5e-4)


def test_the_wikipedia_example():
    # en.wikipedia.org "Krippendorff's alpha", 3 coders × 15 units: α interval = 0.811.
    alpha = krippendorff_alpha_interval(table("* * * * * 3 4 1 2 1 1 3 3 * 3",
                                              "1 * 2 1 3 3 4 3 * * * * * * *",
                                              "* * 2 1 3 4 4 * 2 1 1 3 3 * 4"))
    assert alpha == pytest.approx(0.811, abs=5e-4)


def test_a_small_case_by_hand():
    # Entry u1 rated (1, 1), u2 rated (3, 5), u3 rated once (7: not pairable, left out). n = 4 values 1, 1, 3, 5.
    # D_o = (1/n) Σ_u Σ_{i≠j} (vᵢ − vⱼ)² / (m_u − 1) = (1/4) · (0 + ((3−5)² + (5−3)²)/1) = 8/4 = 2.
    # D_e over all ordered pairs: unordered (1,1) 0, (1,3) 4 twice, (1,5) 16 twice, (3,5) 4 → 44; ordered 88;
    #   D_e = 88 / (4 · 3) = 22/3. α = 1 − 2 / (22/3) = 1 − 6/22 = 8/11.
    ratings = {("J1", "u1"): 1, ("J2", "u1"): 1, ("J1", "u2"): 3, ("J2", "u2"): D(5), ("J1", "u3"): 7.0}
    assert krippendorff_alpha_interval(ratings) == pytest.approx(8 / 11, abs=1e-12)


def test_alpha_is_none_without_pairable_values_or_variance():
    assert krippendorff_alpha_interval({}) is None
    assert krippendorff_alpha_interval({("J1", "u1"): 3, ("J1", "u2"): 4}) is None  # each entry rated once
    assert krippendorff_alpha_interval({("J1", "u1"): 3, ("J2", "u1"): 3, ("J1", "u2"): 3, ("J2", "u2"): 3}) is None
    # Perfect agreement with variance between entries: α = 1.
    assert krippendorff_alpha_interval({("J1", "u1"): 1, ("J2", "u1"): 1, ("J1", "u2"): 4, ("J2", "u2"): 4}) == 1.0


def test_disagreement_and_flags():
    z = {("J1", "A"): D(1), ("J2", "A"): D(-1),  # mean 0, deviations ±1: population sd 1.0 → flagged
         ("J1", "B"): D("0.5"), ("J2", "B"): D("0.5"),  # the same: 0.0
         ("J1", "C"): D(2),  # one judge: 0.0
         ("J1", "D"): D(3), ("J2", "D"): D(0), ("J3", "D"): D(0),  # mean 1; (4 + 1 + 1)/3 = 2: sd √2
         ("J1", "E"): D("0.9"), ("J2", "E"): D("-0.9")}  # sd 0.9: below the flag
    spread = disagreement(z)
    assert spread["A"] == 1.0 and spread["B"] == 0.0 and spread["C"] == 0.0
    assert spread["D"] == pytest.approx(2 ** 0.5) and spread["E"] == pytest.approx(0.9)
    assert DISAGREEMENT_FLAG == 1.0
    assert flagged(spread) == ["D", "A"]
    assert flagged({"10": 1.5, "9": 1.5, "8": 0.2}) == ["9", "10"]
