"""What the planning index and the project page read: drafts only for their planners and staff, the
filtered proposals with their counts, and a number of queries that does not grow with the proposals."""

from __future__ import annotations

import pytest

from civic.errors import NotFound
from civic.planning import queries
from civic.planning.filters import ProposalFilter
from civic.planning.models import Phase, PlanningProject, PlanningTheme, ProjectStatus, ProposalStatus
from tests.statements import selects
from tests.unit.planning.builders import NOW, add_proposal, build_planning_world


@pytest.fixture
def world(session, make_account):
    return build_planning_world(session, make_account, phase=Phase.proposals)


def test_drafts_are_listed_only_for_their_planners_and_staff(session, world):
    draft = PlanningProject(**{**world.project.model_dump(exclude={"id"}), "title": "草稿项目",
                               "status": ProjectStatus.draft, "published_at": None})
    session.add(draft)
    session.commit()
    add_proposal(session, world, author=world.zhang)

    def titles(viewer):
        listing = queries.browse_projects(session, viewer=viewer, now=NOW, page=1)
        return {row.project.title: (row.phase, row.proposals, row.place_label) for row in listing.items}

    assert titles(None) == {"北环社区微更新": (Phase.proposals, 1, "武昌区 › 水果湖街 › 北环社区")}
    for viewer in (world.zhang, world.other_staff, world.stranger):
        assert "草稿项目" not in titles(viewer)
    assert titles(world.staff)["草稿项目"] == (Phase.draft, 0, "武昌区 › 水果湖街 › 北环社区")
    # The planner of the published project is not a planner of the draft.
    assert "草稿项目" not in titles(world.planner)
    with pytest.raises(NotFound):
        queries.project_page(session, viewer=world.zhang, project_id=draft.id, chosen=ProposalFilter(), page=1, now=NOW)


def test_the_filter_chooses_the_list_and_the_counts(session, world):
    theme = PlanningTheme(project_id=world.project.id, name="南门更安全")
    session.add(theme)
    session.commit()
    lamp = add_proposal(session, world, author=world.zhang, title="南门路灯太暗", category="pain")
    lamp.theme_id = theme.id
    session.commit()
    add_proposal(session, world, author=world.li, title="老槐树", category="beauty", status=ProposalStatus.in_plan)
    add_proposal(session, world, author=world.li, title="北门路灯", category="pain", status=ProposalStatus.declined,
                 phase=Phase.proposals)

    def page(**chosen):
        return queries.project_page(session, viewer=world.zhang, project_id=world.project.id,
                                    chosen=ProposalFilter(**chosen), page=1, now=NOW)

    everything = page()
    assert [p.title for p in everything.proposals.items] == ["北门路灯", "老槐树", "南门路灯太暗"]  # newest first
    first = everything.proposals.items[2]
    assert (first.category.key, first.category.colour, first.theme, first.kind) == ("pain", "#d55e00", "南门更安全",
                                                                                    "point")
    assert everything.can("propose") and not everything.can("edit_project")
    pains = page(category_id=world.categories["pain"].id, text="路灯")
    assert [p.title for p in pains.proposals.items] == ["北门路灯", "南门路灯太暗"]
    assert pains.proposals.query == {"category": str(world.categories["pain"].id), "q": "路灯"}  # kept by the pages
    declined = page(category_id=world.categories["pain"].id, status="declined")
    assert [p.title for p in declined.proposals.items] == ["北门路灯"]
    assert declined.counts == {"received": 1, "declined": 1}  # every status among the other filters' matches
    assert [p.title for p in page(phase="proposals").proposals.items] == ["北门路灯"]


def test_the_project_page_reads_a_constant_number_of_queries(session, world):
    counts, project_id = [], world.project.id  # read before the session is expired, not counted
    for total in (3, 60):
        for i in range(total - (counts and 3 or 0)):
            add_proposal(session, world, author=world.zhang, title=f"提议{i}", category=("pain", "idea")[i % 2])
        with selects(session) as statements:
            page = queries.project_page(session, viewer=world.planner, project_id=project_id,
                                        chosen=ProposalFilter(text="提议"), page=2 if total > 25 else 1, now=NOW)
        assert page.proposals.total == total and page.planners[0].name == "社区规划师"
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 9, counts
