"""One-of-N votes: an option wins only if it meets the approval rule on its own (DOMAIN-RULES §1, issue 3)."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal as D

import pytest

from civic.errors import InvalidInput
from civic.votes import service
from civic.votes.rules import PRESETS, Measure, check_choice, check_option_labels, decide_options
from tests.unit.places.builders import build_register
from tests.unit.votes.test_vote_service import NOW, staff_of, voter

RESIDENTS, MAJORITY = PRESETS["cn-residents-meeting"], PRESETS["majority"]
PLANS = ["A 口袋公园", "B 共享菜园", "C 停车位改绿地"]


def options(*heads: int) -> list[tuple[str, str, Measure]]:
    return [(f"option:{i}", label, Measure(h, D(0))) for i, (label, h) in enumerate(zip(PLANS, heads, strict=True), 1)]


def test_an_option_with_more_than_half_of_participants_wins():
    d = decide_options(RESIDENTS, Measure(10, D(0)), options(4, 1, 1), Measure(0, D(0)))
    assert d.quorum_met and d.winner == "option:1" and d.approved
    assert d.explanation[-1] == "Decided: A 口袋公园 meets the approval rule."


def test_a_plurality_below_the_approval_rule_decides_nothing():
    d = decide_options(RESIDENTS, Measure(10, D(0)), options(3, 2, 1), Measure(0, D(0)))
    assert d.quorum_met and d.winner is None and not d.approved
    assert d.explanation[-1] == "No decision: no option meets the approval rule."


def test_exactly_half_is_not_more_than_half():
    d = decide_options(RESIDENTS, Measure(10, D(0)), options(3, 3, 0), Measure(0, D(0)))
    assert d.winner is None


def test_abstentions_count_against_every_option_under_a_participants_base():
    d = decide_options(RESIDENTS, Measure(10, D(0)), options(3, 1, 0), Measure(2, D(0)))
    assert d.winner is None  # 3 of 6 participants is not more than half


def test_without_quorum_no_option_wins():
    d = decide_options(RESIDENTS, Measure(10, D(0)), options(5, 0, 0), Measure(0, D(0)))
    assert not d.quorum_met and d.winner is None
    assert d.explanation[-1] == "No decision: without a valid participation no option can win."


def test_informal_polls_count_only_those_who_chose():
    d = decide_options(MAJORITY, Measure(100, D(0)), options(2, 1, 0), Measure(5, D(0)))
    assert d.winner == "option:1"  # 2 of 3 who chose; abstentions are outside a "cast" base


@pytest.mark.parametrize("labels", [["only one"], ["a", " "], ["same", "same"], ["x" * 201, "b"], [str(i) for i in range(11)]])
def test_bad_option_lists_are_refused(labels):
    with pytest.raises(InvalidInput) as error:
        check_option_labels(labels)
    assert error.value.field == "options"


def test_a_ballot_must_name_one_of_the_options_or_abstain():
    check_choice("option:3", options=3)
    check_choice("abstain", options=3)
    for bad in ("option:4", "option:0", "yes"):
        with pytest.raises(InvalidInput):
            check_choice(bad, options=3)


def test_an_options_vote_is_cast_and_closed_with_its_winner(session):
    r = build_register(session)
    vote = service.create_vote(session, viewer=staff_of(r.community), scope_place_id=r.compound.id,
                               title="绿化方案", description="", matter="poll", kind="options", secret=False,
                               opens_at=NOW, closes_at=NOW + timedelta(hours=1), now=NOW, options=PLANS)
    session.commit()
    assert [o.label for o in service.options_of(session, vote.id)] == PLANS
    service.cast_ballot(session, vote_id=vote.id, voter=voter(r.zhang), choice="option:2", now=NOW)
    service.cast_ballot(session, vote_id=vote.id, voter=voter(r.li), choice="option:2", now=NOW)
    session.commit()
    assert service.turnout(session, vote=vote).participation.heads == 2
    service.advance(session, vote=vote, now=NOW + timedelta(hours=1))
    session.commit()
    result = json.loads(vote.result_json)
    assert result["kind"] == "options" and result["winner"] == "option:2"
    assert [o["heads"] for o in result["options"]] == [0, 2, 0]
    assert result["sentences"][-1] == ["Decided: %(label)s meets the approval rule.", {"label": "B 共享菜园"}]
