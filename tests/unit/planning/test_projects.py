"""Setting a planning project up: creating it, its declared fields' checks, dates that cannot move, a new
boundary that must keep every shape inside, publishing, planners, categories and themes, and who may
do each."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from civic.audit import AuditEvent
from civic.auth.models import Role, RoleGrant, ScopeType
from civic.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from civic.notifications import Notification
from civic.planning import projects, rules
from civic.planning.models import (
    Phase,
    PlanningAnnotation,
    PlanningCategory,
    PlanningProject,
    PlanningTheme,
    ProjectStatus,
)
from tests.unit.planning.builders import (
    BOUNDARY,
    CENTRE,
    DAY,
    HALF,
    NOW,
    add_proposal,
    build_planning_world,
    inside_point,
    phase_dates,
    square,
)


def declared(**changes) -> dict:
    return {"title": "南苑村微更新", "description": "**美与痛**", "boundary_text": json.dumps(BOUNDARY),
            "base_layers": ["compounds", "tiles"], **phase_dates(Phase.upcoming, NOW), **changes}


def current(project: PlanningProject, **changes) -> dict:
    """The project's own declared fields, as an edit form sends them back."""
    names = ("title", "description", *projects.DATE_FIELDS)
    return {**{n: getattr(project, n) for n in names}, "boundary_text": None,
            "base_layers": sorted(rules.parse_layers(project.base_layers)), **changes}


@pytest.fixture
def world(session, make_account):
    return build_planning_world(session, make_account, phase=Phase.draft)


def test_staff_create_a_draft_with_the_built_in_categories(session, world):
    project = projects.create_project(session, viewer=world.staff, place_id=world.r.compound.id, now=NOW,
                                      **declared(title="  南苑村   微更新 "))
    session.commit()
    row = session.get(PlanningProject, project.id)
    assert (row.title, row.status, row.base_layers, row.created_by) == (
        "南苑村 微更新", ProjectStatus.draft, "tiles,compounds", world.staff.account_id)
    assert (row.min_lon, row.max_lat) == pytest.approx((CENTRE[0] - HALF, CENTRE[1] + HALF))
    keys = session.execute(select(PlanningCategory.key).where(PlanningCategory.project_id == project.id)
                           .order_by(PlanningCategory.position)).scalars().all()
    assert keys == ["beauty", "pain", "idea"]
    assert session.execute(select(AuditEvent.action).where(AuditEvent.object_id == str(project.id))).scalars().all() \
        == ["planning.project_created"]


@pytest.mark.parametrize("who", ["other_staff", "planner", "zhang", "stranger", "anonymous"])
def test_only_staff_of_the_place_create_a_project_there(session, world, who):
    with pytest.raises(PermissionDenied):
        projects.create_project(session, viewer=getattr(world, who), place_id=world.r.community.id, now=NOW,
                                **declared())


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": " "}, "title"),
    ({"title": "长" * 201}, "title"),
    ({"description": "x" * (rules.LONG_MAX + 1)}, "description"),
    ({"proposals_opens_at": NOW}, "proposals_opens_at"),  # before discovery opens
    ({"closes_at": NOW + 29 * DAY}, "closes_at"),  # before design feedback opens
    ({"base_layers": ["satellite"]}, "base_layers"),
    ({"boundary_text": ""}, "boundary"),
    ({"boundary_text": json.dumps({"type": "Point", "coordinates": list(CENTRE)})}, "boundary"),
    ({"boundary_text": json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]})},
     "boundary"),  # crosses itself
])
def test_bad_declarations_name_their_field_and_write_nothing(session, world, changes, field):
    with pytest.raises(InvalidInput) as refused:
        projects.create_project(session, viewer=world.staff, place_id=world.r.community.id, now=NOW,
                                **declared(**changes))
    assert refused.value.field == field
    session.rollback()
    assert session.execute(select(func.count()).select_from(PlanningProject)).scalar_one() == 1


@pytest.mark.parametrize("place", ["street", "building"])
def test_a_project_is_for_a_community_or_a_compound(session, world, place):
    with pytest.raises(InvalidInput) as refused:
        projects.create_project(session, viewer=world.staff, place_id=getattr(world.r, place).id, now=NOW,
                                **declared())
    assert refused.value.field == "place"


def test_planners_change_only_what_differs(session, world):
    project = world.project
    project.closes_at += timedelta(seconds=30)
    session.commit()
    shown = {n: getattr(project, n).replace(second=0, microsecond=0) for n in projects.DATE_FIELDS}  # to the minute
    projects.update_project(session, viewer=world.planner, project_id=project.id, now=NOW,
                            **current(project, **shown, description="新的说明", base_layers=[]))
    session.commit()
    row = session.get(PlanningProject, project.id)
    assert (row.description, row.base_layers, row.title) == ("新的说明", "", "北环社区微更新")
    assert row.closes_at.second == 30  # shown to the minute, sent back unchanged: kept as it was
    payload = session.execute(select(AuditEvent.payload).where(AuditEvent.action == "planning.project_updated")
                              ).scalar_one()
    assert json.loads(payload) == {"changed": ["base_layers", "description"]}


@pytest.mark.parametrize("who", ["zhang", "other_staff", "stranger"])
def test_others_cannot_change_a_project(session, make_account, who):
    w = build_planning_world(session, make_account, phase=Phase.discovery)
    with pytest.raises(PermissionDenied):
        projects.update_project(session, viewer=getattr(w, who), project_id=w.project.id, now=NOW,
                                **current(w.project, title="改"))


def test_a_published_project_keeps_the_dates_already_passed(session, make_account):
    w = build_planning_world(session, make_account, phase=Phase.discovery)
    dates = phase_dates(Phase.discovery, NOW)
    projects.update_project(session, viewer=w.staff, project_id=w.project.id, now=NOW,
                            **current(w.project, closes_at=dates["closes_at"] + DAY))
    session.commit()
    assert session.get(PlanningProject, w.project.id).closes_at == dates["closes_at"] + DAY
    for name, moved in (("discovery_opens_at", dates["discovery_opens_at"] + timedelta(hours=1)),  # passed
                        ("proposals_opens_at", NOW - timedelta(minutes=1))):  # into the past
        with pytest.raises(InvalidInput) as refused:
            projects.update_project(session, viewer=w.staff, project_id=w.project.id, now=NOW,
                                    **current(w.project, **{name: moved}))
        assert refused.value.field == name
        session.rollback()


def test_a_new_boundary_must_keep_every_proposal_and_note_inside(session, make_account):
    w = build_planning_world(session, make_account, phase=Phase.proposals)
    add_proposal(session, w, author=w.zhang, geometry=inside_point(HALF * 0.8, HALF * 0.8))
    add_proposal(session, w, author=w.li, geometry=inside_point())
    note = add_proposal(session, w, author=w.li, geometry=inside_point(-HALF * 0.8, 0))  # its shape, as a note
    session.add(PlanningAnnotation(project_id=w.project.id, author_id=w.planner.account_id, title="施工范围",
                                   **{k: getattr(note, k) for k in ("kind", "geometry", "min_lon", "min_lat", "max_lon",
                                                                    "max_lat", "lon", "lat")}))
    session.commit()
    smaller = json.dumps(square(*CENTRE, HALF / 2))  # leaves out the first proposal, the third and the note
    with pytest.raises(InvalidInput) as refused:
        projects.update_project(session, viewer=w.planner, project_id=w.project.id, now=NOW,
                                **current(w.project, boundary_text=smaller))
    assert refused.value.field == "boundary" and refused.value.params["count"] == 3
    session.rollback()
    larger = json.dumps(square(*CENTRE, HALF * 2))
    projects.update_project(session, viewer=w.planner, project_id=w.project.id, now=NOW,
                            **current(w.project, boundary_text=larger))
    session.commit()
    assert session.get(PlanningProject, w.project.id).max_lon == pytest.approx(CENTRE[0] + 2 * HALF)


def test_publishing_a_draft(session, world):
    with pytest.raises(NotFound):  # a draft does not exist for residents
        projects.publish(session, viewer=world.zhang, project_id=world.project.id, now=NOW)
    projects.publish(session, viewer=world.planner, project_id=world.project.id, now=NOW)
    session.commit()
    row = session.get(PlanningProject, world.project.id)
    assert (row.status, row.published_at) == (ProjectStatus.published, NOW)
    with pytest.raises(Conflict):
        projects.publish(session, viewer=world.staff, project_id=world.project.id, now=NOW)


def test_a_draft_whose_dates_have_passed_is_not_published(session, world):
    with pytest.raises(Conflict):
        projects.publish(session, viewer=world.staff, project_id=world.project.id, now=NOW + 100 * DAY)


def test_staff_appoint_a_planner_who_is_told_and_remove_them(session, world, make_account):
    person = make_account("规划师 林静", phone="+8613800000009", locale="en")
    grant = projects.appoint_planner(session, viewer=world.staff, project_id=world.project.id,
                                     contact="138 0000 0009", now=NOW)
    session.commit()
    assert (grant.account_id, grant.role, grant.scope_type, grant.scope_id) == (
        person.id, Role.planner, ScopeType.planning_project, world.project.id)
    note = session.execute(select(Notification).where(Notification.account_id == person.id)).scalar_one()
    assert "北环社区微更新" in note.subject and note.url == f"/planning/{world.project.id}"
    for contact, message in (("138 0000 0009", "already a planner"), ("nobody@example.test", "No active account"),
                             (" ", "Enter the e-mail address")):
        with pytest.raises(InvalidInput, match=message):
            projects.appoint_planner(session, viewer=world.staff, project_id=world.project.id, contact=contact,
                                     now=NOW)
    with pytest.raises(PermissionDenied):  # planners do not appoint planners
        projects.appoint_planner(session, viewer=world.planner, project_id=world.project.id,
                                 contact="138 0000 0009", now=NOW)
    session.rollback()
    assert projects.remove_planner(session, viewer=world.staff, grant_id=grant.id, now=NOW) == world.project.id
    session.commit()
    assert session.get(RoleGrant, grant.id) is None


def test_categories_of_a_project(session, make_account):
    w = build_planning_world(session, make_account, phase=Phase.proposals)
    add = projects.add_category
    mine = add(session, viewer=w.planner, project_id=w.project.id, label=" 停车 ", colour="#cc79a7", now=NOW)
    session.commit()
    assert (mine.key, mine.label, mine.position) == ("custom", "停车", 3)
    for label, colour, field in (("停车", "#cc79a7", "label"), ("", "#cc79a7", "label"), ("x" * 41, "#cc79a7", "label"),
                                 ("绿化", "#123456", "colour")):
        with pytest.raises(InvalidInput) as refused:
            add(session, viewer=w.planner, project_id=w.project.id, label=label, colour=colour, now=NOW)
        assert refused.value.field == field
    with pytest.raises(PermissionDenied):
        add(session, viewer=w.zhang, project_id=w.project.id, label="绿化", colour="#cc79a7", now=NOW)
    session.rollback()
    projects.rename_category(session, viewer=w.staff, category_id=mine.id, label="停车难", colour="#e69f00", now=NOW)
    with pytest.raises(Conflict):  # the built-in ones keep their names
        projects.rename_category(session, viewer=w.staff, category_id=w.categories["pain"].id, label="痛点",
                                 colour="#d55e00", now=NOW)
    add_proposal(session, w, author=w.zhang, category="pain")
    with pytest.raises(Conflict, match=r"in use \(proposals: 1\)"):
        projects.remove_category(session, viewer=w.staff, category_id=w.categories["pain"].id, now=NOW)
    session.rollback()
    for i in range(rules.CATEGORIES_MAX - 4):
        add(session, viewer=w.staff, project_id=w.project.id, label=f"类{i}", colour="#000000", now=NOW)
    with pytest.raises(InvalidInput, match="at most"):
        add(session, viewer=w.staff, project_id=w.project.id, label="再一个", colour="#000000", now=NOW)
    session.rollback()
    assert projects.remove_category(session, viewer=w.staff, category_id=mine.id, now=NOW) == w.project.id
    session.commit()
    assert session.get(PlanningCategory, mine.id) is None


def test_design_themes(session, make_account):
    w = build_planning_world(session, make_account, phase=Phase.feedback)
    theme = projects.create_theme(session, viewer=w.planner, project_id=w.project.id, name="南门更安全",
                                  description="路灯与台阶", now=NOW)
    session.commit()
    with pytest.raises(InvalidInput):
        projects.update_theme(session, viewer=w.planner, theme_id=theme.id, name=" ", description="", now=NOW)
    with pytest.raises(PermissionDenied):
        projects.create_theme(session, viewer=w.zhang, project_id=w.project.id, name="x", description="", now=NOW)
    session.rollback()
    projects.update_theme(session, viewer=w.staff, theme_id=theme.id, name="南门 更安全", description="", now=NOW)
    proposal = add_proposal(session, w, author=w.zhang)
    proposal.theme_id = theme.id
    session.commit()
    with pytest.raises(Conflict):
        projects.delete_theme(session, viewer=w.planner, theme_id=theme.id, now=NOW)
    session.rollback()
    proposal.theme_id = None
    session.add(proposal)
    session.commit()
    assert projects.delete_theme(session, viewer=w.planner, theme_id=theme.id, now=NOW) == w.project.id
    session.commit()
    assert session.get(PlanningTheme, theme.id) is None
