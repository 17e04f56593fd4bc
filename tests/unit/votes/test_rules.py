"""The decision rules of DOMAIN-RULES §1, at and around every boundary."""

from decimal import Decimal as D

import pytest

from civic.votes.rules import PRESETS, Counts, Measure, decide

ORDINARY, MAJOR = PRESETS["cn278-ordinary"], PRESETS["cn278-major"]
RESIDENTS, MAJORITY, TWO_THIRDS = PRESETS["cn-residents-meeting"], PRESETS["majority"], PRESETS["two-thirds"]


def counts(electorate, yes, no=(0, "0"), abstain=(0, "0")) -> Counts:
    def m(pair):
        return Measure(pair[0], D(pair[1]))

    return Counts(m(electorate), m(yes), m(no), m(abstain))


def test_the_documented_example_reads_as_in_the_rules():
    d = decide(ORDINARY, counts((120, "10234.50"), (51, "4730.10"), (20, "2000.00"), (12, "1182.30")))
    assert d.quorum_met and d.approved
    assert d.explanation[0] == ("Valid: 83 of 120 owners (69.2%, needs ≥ 2/3) holding 7,912.40 of "
                                "10,234.50 m² (77.3%, needs ≥ 2/3) took part.")
    assert d.explanation[1].startswith("Approved: 51 of 83 participating owners")


def test_exactly_two_thirds_of_heads_and_area_meets_participation():
    d = decide(ORDINARY, counts((9, "900"), (6, "600")))
    assert d.quorum_met


def test_one_head_short_of_two_thirds_fails_participation():
    d = decide(ORDINARY, counts((9, "900"), (5, "800")))
    assert not d.quorum_met and not d.approved
    assert d.explanation[0].startswith("Not valid: 5 of 9 owners")


def test_area_short_of_two_thirds_fails_even_with_enough_heads():
    d = decide(ORDINARY, counts((9, "900.00"), (6, "599.99")))
    assert not d.quorum_met


def test_exactly_half_approval_fails_for_ordinary_matters():
    # 8 of 9 take part; 4 yes, 4 no: exactly half is not "more than half"
    d = decide(ORDINARY, counts((9, "900"), (4, "450"), (4, "350")))
    assert d.quorum_met and not d.approved


def test_one_more_than_half_approves_ordinary_matters():
    d = decide(ORDINARY, counts((9, "900"), (5, "500"), (3, "300")))
    assert d.approved


def test_area_majority_is_needed_as_well_as_heads():
    d = decide(ORDINARY, counts((9, "900"), (5, "300"), (3, "500")))
    assert d.quorum_met and not d.approved


def test_abstentions_count_as_participation_and_weigh_like_no():
    # 6 of 9 take part only because of 2 abstentions; 3 yes of 6 participants is not > 1/2
    d = decide(ORDINARY, counts((9, "900"), (3, "300"), (1, "100"), (2, "200")))
    assert d.quorum_met and not d.approved
    assert any("abstentions" in s for s in d.explanation)


def test_major_matters_need_three_quarters_inclusive():
    exactly = decide(MAJOR, counts((8, "800"), (6, "600"), (2, "200")))
    assert exactly.approved
    short = decide(MAJOR, counts((8, "800"), (5, "600"), (3, "200")))
    assert not short.approved


def test_residents_meeting_needs_strictly_more_than_half_present():
    half = decide(RESIDENTS, counts((10, "0"), (5, "0")))
    assert not half.quorum_met
    more = decide(RESIDENTS, counts((10, "0"), (4, "0"), (2, "0")))
    assert more.quorum_met and more.approved


def test_majority_counts_only_yes_and_no():
    d = decide(MAJORITY, counts((100, "0"), (3, "0"), (2, "0"), (50, "0")))
    assert d.quorum_met and d.approved


def test_two_thirds_of_cast_inclusive():
    assert decide(TWO_THIRDS, counts((10, "0"), (2, "0"), (1, "0"))).approved
    assert not decide(TWO_THIRDS, counts((10, "0"), (3, "0"), (2, "0"))).approved


@pytest.mark.parametrize("rule", [MAJORITY, TWO_THIRDS, RESIDENTS, ORDINARY])
def test_a_tie_never_approves(rule):
    d = decide(rule, counts((4, "400"), (2, "200"), (2, "200")))
    assert not d.approved
    assert d.tie


def test_empty_electorate_is_never_valid():
    d = decide(ORDINARY, counts((0, "0"), (0, "0")))
    assert not d.quorum_met and not d.approved


def test_nobody_voting_yes_never_approves_even_without_thresholds():
    assert not decide(MAJORITY, counts((10, "0"), (0, "0"), (0, "0"), (3, "0"))).approved
