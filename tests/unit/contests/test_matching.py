"""The matching pool (DOMAIN-RULES §3): quadratic and proportional shares, the cap and its
redistribution, largest-remainder rounding to the fen, all worked out by hand; then properties."""

from __future__ import annotations

from decimal import Decimal as D
from math import sqrt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civic.contests.matching import (
    allocate,
    allocation_json,
    amount_fen,
    equal_shares,
    read_contributions,
)
from civic.errors import FileInputError, InvalidInput


def matches(allocation) -> dict[str, str]:
    return {e.entry_id: f"{e.match:f}" for e in allocation.entries}


# "1": four backers of ¥1. In fen: (√100 · 4)² − 4 · 100 = 1600 − 400 = 1200 fen, raw ¥12.
# "2": one backer of ¥100: (√10000)² − 10000 = 0 — a lone backer brings no match, however big.
# "3": ¥100 and ¥1: (100 + 10)² − 10100 = 12100 − 10100 = 2000 fen, raw ¥20.
SMALL_AND_BIG = [("1", "a", D(1)), ("1", "b", D(1)), ("1", "c", D(1)), ("1", "d", D(1)),
                 ("2", "x", D(100)), ("3", "x", D(100)), ("3", "y", D(1))]


def test_quadratic_favours_many_small_backers():
    a = allocate(D(100), SMALL_AND_BIG, "quadratic")
    # Σ raw = 12 + 0 + 20 = 32: "1" gets 100 · 12/32 = 37.50, "3" 100 · 20/32 = 62.50.
    assert matches(a) == {"1": "37.50", "2": "0.00", "3": "62.50"}
    assert [(e.entry_id, e.backers, f"{e.contributions:f}", e.raw) for e in a.entries] == [
        ("1", 4, "4.00", 12), ("2", 1, "100.00", 0), ("3", 2, "101.00", 20)]
    assert a.unallocated == 0 and f"{a.unallocated:f}" == "0.00"


def test_proportional_and_largest_remainder():
    # Σ c = 4 + 100 + 101 = 205. In fen: 10000 · 4/205 = 195.12, · 100/205 = 4878.05, · 101/205 = 4926.83;
    # floors 195 + 4878 + 4926 = 9999, one fen left: the largest remainder (.83, entry "3") gets it.
    assert matches(allocate(D(100), SMALL_AND_BIG, "proportional")) == {"1": "1.95", "2": "48.78", "3": "49.27"}


def test_rows_for_the_same_backer_and_entry_are_summed():
    # a gives ¥0.50 twice → c(a) = ¥1 = 100 fen; b gives ¥1: (10 + 10)² − 200 = 200 fen = ¥2.
    a = allocate(D(10), [("1", "a", D("0.50")), ("1", "a", D("0.50")), ("1", "b", D(1))], "quadratic")
    assert [(e.backers, e.contributions, e.raw, e.match) for e in a.entries] == [(2, D(2), D(2), D(10))]


def test_cap_redistributes_over_two_rounds():
    # Pool ¥100, cap 0.4 → at most ¥40 each. Raw (proportional, one backer each) 50, 35, 15.
    # Round 1: 50, 35, 15 → "A" is over: ¥40. Round 2: the other ¥60 by raw among B and C (35 + 15 = 50):
    # B 60 · 35/50 = 42 → over: ¥40. Round 3: C gets the remaining ¥20. Nothing is left over.
    rows = [("A", "a", D(50)), ("B", "b", D(35)), ("C", "c", D(15))]
    a = allocate(D(100), rows, "proportional", cap=D("0.4"))
    assert matches(a) == {"A": "40.00", "B": "40.00", "C": "20.00"} and a.unallocated == 0


def test_unallocated_when_every_entry_is_capped():
    # Three equal entries, cap 0.25: ¥25 each, ¥25 cannot be placed.
    rows = [(e, "k", D(1)) for e in ("1", "2", "3")]
    a = allocate(D(100), rows, "proportional", cap=D("0.25"))
    assert matches(a) == {"1": "25.00", "2": "25.00", "3": "25.00"} and f"{a.unallocated:f}" == "25.00"
    # Pool ¥100.01, cap 0.3: 3000.3 fen each. What can be placed, 9000.9 fen, is rounded down to 9000
    # (so the caps are never exceeded together): ¥30.00 each and ¥10.01 unallocated, a whole number of fen.
    a = allocate(D("100.01"), rows, "proportional", cap=D("0.3"))
    assert matches(a) == {"1": "30.00", "2": "30.00", "3": "30.00"} and f"{a.unallocated:f}" == "10.01"
    # Pool ¥0.10, cap 0.35, two equal entries: 3.5 fen each; 7 fen placed: floors 3 + 3 and the odd fen
    # to the lower id — "1" gets 4 fen, half a fen above its cap (the rounding), 3 fen unallocated.
    a = allocate(D("0.10"), rows[:2], "proportional", cap=D("0.35"))
    assert matches(a) == {"1": "0.04", "2": "0.03"} and f"{a.unallocated:f}" == "0.03"


def test_largest_remainder_ties_go_to_the_lower_numeric_id():
    # ¥1 among three equal entries: 33.33 fen each, floors 99, the last fen to the lowest id, "9" < "10".
    a = allocate(D(1), [(e, "k", D(1)) for e in ("10", "9", "11")], "proportional")
    assert [(e.entry_id, f"{e.match:f}") for e in a.entries] == [("9", "0.34"), ("10", "0.33"), ("11", "0.33")]
    # ¥0.10 by raw 1 : 2 : 3 → 1.667, 3.333, 5 fen: floors 1 + 3 + 5 = 9, the fen to the .667.
    a = allocate(D("0.10"), [("x", "k", D(1)), ("y", "k", D(2)), ("z", "k", D(3))], "proportional")
    assert matches(a) == {"x": "0.02", "y": "0.03", "z": "0.05"}


def test_nothing_to_match_leaves_the_pool_unallocated():
    lone = [("1", "a", D(5)), ("2", "b", D(7))]  # every entry a lone backer: Σ raw = 0
    a = allocate(D("500.50"), lone, "quadratic")
    assert matches(a) == {"1": "0.00", "2": "0.00"} and f"{a.unallocated:f}" == "500.50"
    a = allocate(D(10), [], "quadratic", entry_ids=["3"])
    assert matches(a) == {"3": "0.00"} and a.entries[0].backers == 0 and a.unallocated == 10
    assert matches(allocate(D(0), SMALL_AND_BIG, "quadratic")) == {"1": "0.00", "2": "0.00", "3": "0.00"}


def test_equal_shares():
    a = equal_shares(D(1), ["10", "9", "11"])
    assert a.method == "none" and matches(a) == {"9": "0.34", "10": "0.33", "11": "0.33"}
    assert a.entries[0].match_fen == 34
    assert f"{equal_shares(D(5), []).unallocated:f}" == "5.00"


def test_allocation_json_shape():
    assert allocation_json(allocate(D(100000), SMALL_AND_BIG[:4], "quadratic", cap=D(1))) == {
        "pool": "100000.00", "method": "quadratic", "unallocated": "0.00",
        "entries": [{"entry_id": "1", "backers": 4, "contributions": "4.00", "match": "100000.00"}]}


def test_bad_arguments():
    for kwargs in ({"pool": D(-1)}, {"pool": D("1.001")}, {"method": "linear"}, {"cap": D(0)},
                   {"cap": D("1.01")}, {"pool": D("NaN")}):
        with pytest.raises(InvalidInput):
            allocate(**{"pool": D(1), "contributions": [], "method": "quadratic", **kwargs})
    with pytest.raises(InvalidInput, match="amount must be positive"):
        allocate(D(1), [("1", "a", D(0))], "quadratic")
    assert amount_fen(D("1.500")) == 150 and amount_fen(D("1E+2")) == 10000
    with pytest.raises(ValueError, match="more than 2 decimals"):
        amount_fen(D("0.0001"))


def test_read_contributions(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("backer_key,entry_id,amount\nk1,E1,10\n\nk2,E1, 0.5 \n", encoding="utf-8")
    assert read_contributions(path) == [("E1", "k1", D(10)), ("E1", "k2", D("0.5"))]
    for body, line, message in [
        ("entry_id,amount\n", 1, "missing column backer_key"),
        ("entry_id,backer_key,amount\n,k,1\n", 2, "entry_id is empty"),
        ("entry_id,backer_key,amount\nE,,1\n", 2, "backer_key is empty"),
        ("entry_id,backer_key,amount\nE,k,1\nE,k,ten\n", 3, "amount 'ten' is not a number"),
        ("entry_id,backer_key,amount\nE,k,-5\n", 2, "amount must be positive"),
        ("entry_id,backer_key,amount\nE,k,0\n", 2, "amount must be positive"),
        ("entry_id,backer_key,amount\nE,k,1.234\n", 2, "amount has more than 2 decimals"),
    ]:
        path.write_text(body, encoding="utf-8")
        with pytest.raises(FileInputError) as caught:
            read_contributions(path)
        assert (caught.value.line, caught.value.args[0]) == (line, message)


ROWS = st.lists(st.tuples(st.sampled_from(["1", "2", "3", "10", "11"]), st.sampled_from("abcdefg"),
                          st.integers(1, 10_000_00).map(lambda fen: D(fen).scaleb(-2))), max_size=40)


@settings(max_examples=300, deadline=None)
@given(rows=ROWS, pool_fen=st.integers(0, 10_000_000_00), method=st.sampled_from(["quadratic", "proportional"]),
       cap=st.one_of(st.none(), st.integers(1, 100).map(lambda p: D(p).scaleb(-2))))
def test_properties(rows, pool_fen, method, cap):
    pool = D(pool_fen).scaleb(-2)
    a = allocate(pool, rows, method, cap)
    assert sum(e.match for e in a.entries) + a.unallocated == pool
    assert all(e.match >= 0 for e in a.entries) and 0 <= a.unallocated <= pool
    assert all(e.match == 0 for e in a.entries if e.raw == 0)
    if cap is not None:
        assert all(e.match <= cap * pool + D("0.01") for e in a.entries)
    funded = [e for e in a.entries if e.raw > 0]
    if funded and (cap is None or cap * len(funded) >= 1):
        assert a.unallocated == 0  # someone is always below the cap: the whole pool is placed
    if funded and cap is None:
        # Against a float recomputation from the rows: within a fen of pool · raw / Σ raw.
        per: dict[str, dict[str, float]] = {}
        for entry, backer, amount in rows:
            per.setdefault(entry, {}).setdefault(backer, 0.0)
            per[entry][backer] += float(amount)
        raw = {e: (sum(c.values()) if method == "proportional" else
                   (0.0 if len(c) < 2 else sum(map(sqrt, c.values())) ** 2 - sum(c.values())))
               for e, c in per.items()}
        total = sum(raw.values())
        for e in a.entries:
            assert abs(float(e.match) - float(pool) * raw[e.entry_id] / total) < 0.01 + 1e-8 * float(pool)
