"""The pure planning rules: the role × phase table as a person reads it, phases at their boundaries, the
proposal status workflow and the base layers."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from civic.planning import rules
from civic.planning.models import BaseLayer, Phase, ProjectStatus, ProposalStatus
from tests.unit.planning.builders import NOW, phase_dates

SECOND = timedelta(seconds=1)

# Who may do what in each phase, as a person reads it (staff = staff of the project's place or above,
# planner = holds the planner role on the project, resident = lives under the project's place, signed_in = any
# signed-in account, author = wrote the proposal; "-" nobody). docs/planning.md shows the same table.
TABLE = """
action            draft          upcoming       discovery               proposals               feedback                closed
see_draft         staff,planner  -              -                       -                       -                       -
edit_project      staff,planner  staff,planner  staff,planner           staff,planner           staff,planner           staff,planner
publish           staff,planner  -              -                       -                       -                       -
appoint_planners  staff          staff          staff                   staff                   staff                   staff
propose           -              -              resident                resident                -                       -
edit_proposal     -              -              author                  author                  -                       -
support           -              -              resident                resident                resident                -
comment           -              -              resident,planner,staff  resident,planner,staff  resident,planner,staff  -
follow            -              signed_in      signed_in               signed_in               signed_in               signed_in
moderate          -              planner,staff  planner,staff           planner,staff           planner,staff           planner,staff
set_status        -              planner,staff  planner,staff           planner,staff           planner,staff           planner,staff
manage_themes     staff,planner  staff,planner  staff,planner           staff,planner           staff,planner           staff,planner
annotate          staff,planner  staff,planner  staff,planner           staff,planner           staff,planner           staff,planner
see_internal      staff,planner  staff,planner  staff,planner           staff,planner           staff,planner           staff,planner
"""
EVERY_ROLE = {rules.STAFF, rules.PLANNER, rules.RESIDENT, rules.SIGNED_IN, rules.AUTHOR}


def _table() -> dict[tuple[str, str], frozenset[str]]:
    lines = [line.split() for line in TABLE.strip().splitlines()]
    phases = lines[0][1:]
    return {(row[0], phase): frozenset() if cell == "-" else frozenset(cell.split(","))
            for row in lines[1:] for phase, cell in zip(phases, row[1:], strict=True)}


def test_the_written_table_is_the_rule():
    table = _table()
    assert {action for action, _phase in table} == set(rules.PERMISSIONS)
    assert {phase for _action, phase in table} == {p.value for p in Phase}
    for (action, phase), roles in table.items():
        allowed = {role for role in EVERY_ROLE if rules.allowed(action, phase, {role})}
        assert allowed == roles, (action, phase)


def test_a_stranger_learns_nothing_about_phases():
    assert rules.refusal("set_status", Phase.draft, {rules.RESIDENT}) == "role"
    assert rules.refusal("set_status", Phase.draft, {rules.PLANNER}) == "phase"
    assert rules.refusal("propose", Phase.feedback, {rules.SIGNED_IN}) == "role"
    assert rules.refusal("propose", Phase.feedback, {rules.SIGNED_IN, rules.RESIDENT}) == "phase"
    assert rules.refusal("propose", Phase.proposals, {rules.SIGNED_IN, rules.RESIDENT}) is None


BOUNDARIES = {Phase.discovery: "discovery_opens_at", Phase.proposals: "proposals_opens_at",
              Phase.feedback: "feedback_opens_at", Phase.closed: "closes_at"}


@pytest.mark.parametrize("phase", [Phase.upcoming, *BOUNDARIES])
def test_every_boundary_belongs_to_the_phase_it_opens(phase):
    dates = phase_dates(phase, NOW)
    kw = {"status": ProjectStatus.published, **dates}
    assert rules.phase_at(now=NOW, **kw) == phase
    if phase in BOUNDARIES:
        at = dates[BOUNDARIES[phase]]
        before = rules.PHASE_ORDER[rules.PHASE_ORDER.index(phase) - 1]
        assert (rules.phase_at(now=at - SECOND, **kw), rules.phase_at(now=at, **kw)) == (before, phase)


def test_a_draft_is_a_draft_whatever_the_dates():
    assert rules.phase_at(status=ProjectStatus.draft, now=NOW, **phase_dates(Phase.proposals, NOW)) == Phase.draft


def test_project_phase_reads_a_row():
    row = SimpleNamespace(status=ProjectStatus.published, **phase_dates(Phase.feedback, NOW))
    assert rules.project_phase(row, NOW) == Phase.feedback


# ---- the status workflow ----------------------------------------------------------------------------------

S = ProposalStatus
# from → where a planner may move it, in the order the form offers them
NEXT = {
    S.received: [S.under_review, S.declined],
    S.under_review: [S.received, S.in_plan, S.declined],
    S.in_plan: [S.under_review, S.in_design, S.declined],
    S.in_design: [S.in_plan, S.built, S.declined],
    S.built: [],  # final
    S.declined: [S.under_review],  # reconsidered
}


@pytest.mark.parametrize("current", list(S))
def test_the_status_workflow(current):
    assert rules.next_statuses(current) == NEXT[current]
    for target in S:
        assert rules.can_move(current, target) == (target in NEXT[current]), (current, target)
    assert not rules.can_move(current, current)


def test_built_is_final_and_declined_may_be_reconsidered():
    assert rules.next_statuses("built") == []
    assert rules.can_move("declined", "under_review") and not rules.can_move("declined", "in_plan")
    assert all(rules.can_move(s, "declined") for s in (S.received, S.under_review, S.in_plan, S.in_design))


def test_only_declining_needs_a_reason():
    assert [s for s in S if rules.needs_reason(s)] == [S.declined]


def test_an_unknown_status_is_an_error():
    with pytest.raises(ValueError):
        rules.can_move("received", "approved")


# ---- categories and layers ----------------------------------------------------------------------------------

def test_the_built_in_categories_have_distinct_safe_colours():
    colours = [colour for _key, colour in rules.DEFAULT_CATEGORIES]
    assert [key.value for key, _c in rules.DEFAULT_CATEGORIES] == ["beauty", "pain", "idea"]
    assert len(set(colours)) == 3 and set(colours) <= set(rules.CATEGORY_COLOURS)


@pytest.mark.parametrize(("text", "layers"), [
    ("tiles,compounds,buildings", {"tiles", "compounds", "buildings"}),
    ("buildings", {"buildings"}),
    ("", set()),
    ("satellite,tiles,,tiles", {"tiles"}),
])
def test_parse_layers(text, layers):
    assert rules.parse_layers(text) == {BaseLayer(layer) for layer in layers}


def test_layers_text_is_in_a_fixed_order_and_round_trips():
    assert rules.layers_text(["buildings", "tiles", "roads"]) == "tiles,buildings"
    assert rules.layers_text([]) == ""
    for text in ("tiles,compounds,buildings", "compounds,buildings", "tiles"):
        assert rules.layers_text(rules.parse_layers(text)) == text


def test_the_docs_show_the_same_table():
    """docs/planning.md's table names the actions in words, in the order of PERMISSIONS."""
    lines = (Path(__file__).parents[3] / "docs" / "planning.md").read_text(encoding="utf-8").splitlines()
    start = lines.index("| action | draft | upcoming | discovery | proposals | feedback | closed |")
    rows = [[cell.strip() for cell in line.strip("|").split("|")]
            for line in itertools.takewhile(lambda line: line.startswith("|"), lines[start + 2:])]
    phases = ["draft", "upcoming", "discovery", "proposals", "feedback", "closed"]
    table = _table()
    for action, row in zip(rules.PERMISSIONS, rows, strict=True):
        for phase, cell in zip(phases, row[1:], strict=True):
            roles = set() if cell == "—" else {r.strip().replace(" ", "_") for r in cell.split(",")}
            assert roles == table[action, phase], (row[0], phase)
