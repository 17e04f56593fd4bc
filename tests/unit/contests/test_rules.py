"""The pure contest rules: phases at their boundaries, the role × phase table, money typed in yuan,
automatic conflicts, sheet totals and judges' letters."""

from __future__ import annotations

from datetime import timedelta

import pytest

from civic.contests import rules
from civic.contests.models import ContestStatus, Phase
from tests.unit.contests.builders import NOW, phase_dates

SECOND = timedelta(seconds=1)

# Who may do what in each phase, as a person reads it (staff, judge, treasurer, resident, signed_in = any
# signed-in account, team = the entry's team, backer = has a standing pledge on the entry; "-" nobody).
TABLE = """
action            draft  upcoming  submission  screening       backing            judging            results
edit_setup        staff  staff     staff       staff           staff              -                  -
publish           staff  -         -           -               -                  -                  -
assign_judges     staff  staff     staff       staff           staff              staff              -
see_draft         staff  -         -           -               -                  -                  -
create_entry      -      -         resident    -               -                  -                  -
edit_entry        -      -         team        -               -                  -                  -
screen            -      -         -           staff           -                  -                  -
pledge            -      -         -           -               resident           -                  -
cancel_pledge     -      -         -           -               backer             -                  -
post_update       -      -         -           team            team               team               team
comment           -      -         signed_in   signed_in       signed_in          signed_in          signed_in
moderate          -      staff     staff       staff           staff              staff              staff
declare_conflict  -      -         -           judge           judge              judge              -
score             -      -         -           -               -                  judge              -
confirm_money     -      -         -           -               -                  staff,treasurer    staff,treasurer
see_ledger        -      staff,treasurer staff,treasurer staff,treasurer staff,treasurer staff,treasurer staff,treasurer
see_progress      -      -         -           -               -                  staff              staff
see_dashboard     -      -         -           -               -                  -                  staff
"""


def _table() -> dict[tuple[str, str], frozenset[str]]:
    lines = [line.split() for line in TABLE.strip().splitlines()]
    phases = lines[0][1:]
    return {(row[0], phase): frozenset() if cell == "-" else frozenset(cell.split(","))
            for row in lines[1:] for phase, cell in zip(phases, row[1:], strict=True)}


def test_the_written_table_is_the_rule():
    assert {action for action, _phase in _table()} == set(rules.PERMISSIONS)
    every_role = {rules.STAFF, rules.JUDGE, rules.TREASURER, rules.RESIDENT, rules.SIGNED_IN, rules.TEAM, rules.BACKER}
    for (action, phase), roles in _table().items():
        allowed = {role for role in every_role if rules.allowed(action, phase, {role})}
        assert allowed == roles, (action, phase)


def test_a_stranger_learns_nothing_about_phases():
    assert rules.refusal("score", Phase.submission, {rules.RESIDENT}) == "role"
    assert rules.refusal("score", Phase.submission, {rules.JUDGE}) == "phase"


@pytest.mark.parametrize("phase", [p for p in Phase if p != Phase.draft])
def test_every_boundary_belongs_to_the_phase_it_opens(phase):
    dates = phase_dates(phase, NOW)
    kw = {"status": ContestStatus.published, **dates}
    assert rules.phase_at(now=NOW, **kw) == phase
    boundaries = {Phase.submission: "submission_opens_at", Phase.screening: "submission_closes_at",
                  Phase.backing: "backing_opens_at", Phase.judging: "backing_closes_at",
                  Phase.results: "judging_closes_at"}
    if phase in boundaries:
        at = dates[boundaries[phase]]
        assert rules.phase_at(now=at, **kw) == phase
        assert rules.phase_at(now=at - SECOND, **kw) == rules.PHASE_ORDER[rules.PHASE_ORDER.index(phase) - 1]


def test_a_draft_is_a_draft_whatever_the_dates():
    assert rules.phase_at(status=ContestStatus.draft, now=NOW, **phase_dates(Phase.judging, NOW)) == Phase.draft


@pytest.mark.parametrize(("text", "fen"), [("1200", 120000), ("1,200.5", 120050), ("¥1200.50", 120050),
                                           ("１２００", 120000), ("0.01", 1), ("300元", 30000), (" 12 ", 1200)])
def test_yuan_as_people_type_it(text, fen):
    assert rules.parse_yuan(text) == fen


@pytest.mark.parametrize("text", ["", "abc", "-5", "12.345", "1e3", "12.", "1" * 13])
def test_what_is_not_an_amount_of_money(text):
    assert rules.parse_yuan(text) is None


def test_yuan_for_pages():
    assert (rules.yuan(120050), rules.yuan(5), rules.yuan(-100)) == ("1,200.50", "0.05", "-1.00")


def test_automatic_conflicts():
    assert rules.automatic_conflict(judge_id=1, judge_household=None, team=[1, 2], team_households=[None]) == "team"
    assert rules.automatic_conflict(judge_id=3, judge_household=7, team=[1, 2], team_households=[7, None]) == "household"
    assert rules.automatic_conflict(judge_id=3, judge_household=None, team=[1], team_households=[None]) is None


def test_sheet_total_and_completeness():
    weights = {10: 40, 11: 30, 12: 30}
    assert rules.sheet_total(weights, {10: 5, 11: 4, 12: 3}) == (5 * 40 + 4 * 30 + 3 * 30, True)
    assert rules.sheet_total(weights, {10: 5}) == (200, False)


def test_judges_letters_go_past_z():
    letters = rules.judge_letters([5, 9, *range(100, 126)])
    assert (letters[5], letters[9], letters[123], letters[124], letters[125]) == ("A", "B", "Z", "AA", "AB")
