"""Planners' notes on the map: made by planners and staff with a checked shape, public or internal; an internal
note never reaches a resident (not found, not even refused); deleted by its author or staff."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from civic.auth.models import Role, ScopeType
from civic.errors import InvalidInput, NotFound, PermissionDenied
from civic.planning import annotations
from civic.planning.models import Phase, PlanningAnnotation, Visibility
from tests.unit.planning.builders import HALF, build_planning_world, inside_point, viewer_of


@pytest.fixture
def w(session, make_account):
    w = build_planning_world(session, make_account, phase=Phase.feedback)
    w.second_planner = viewer_of(make_account, "另一位规划师",
                                 roles=[(Role.planner, ScopeType.planning_project, w.project.id)])
    return w


def note(session, w, viewer=None, **changes) -> PlanningAnnotation:
    kwargs = {"title": "拓宽南门", "body": "设计方案草图", "visibility": Visibility.public,
              "geometry_text": json.dumps(inside_point(0.001)), **changes}
    return annotations.create_annotation(session, viewer=viewer or w.planner, project_id=w.project.id, now=w.now,
                                         **kwargs)


def count(session) -> int:
    return session.execute(select(func.count()).select_from(PlanningAnnotation)).scalar_one()


def test_planners_and_staff_annotate_with_a_checked_shape(session, w):
    public = note(session, w)
    internal = note(session, w, viewer=w.staff, visibility=Visibility.internal, geometry_text="",
                    latitude="30.557", longitude="114.3452")
    session.commit()
    assert (public.kind, internal.kind, internal.visibility) == ("point", "point", "internal")
    for viewer in (w.zhang, w.stranger, w.other_staff, w.anonymous):
        with pytest.raises(PermissionDenied):
            note(session, w, viewer=viewer)
    with pytest.raises(InvalidInput) as caught:
        note(session, w, title="", visibility="secret", geometry_text=json.dumps(inside_point(HALF * 3)))
    assert [p.field for p in caught.value.problems] == ["title", "visibility", "geometry"]
    session.rollback()
    assert count(session) == 2


def test_an_internal_note_never_reaches_a_resident(session, w):
    public, internal = note(session, w), note(session, w, visibility=Visibility.internal)
    session.commit()
    for viewer in (w.zhang, w.stranger, w.other_staff, w.anonymous):
        assert annotations.visible_annotation(session, viewer=viewer, annotation_id=public.id, now=w.now)
        with pytest.raises(NotFound):
            annotations.visible_annotation(session, viewer=viewer, annotation_id=internal.id, now=w.now)
        with pytest.raises(NotFound):  # not even "refused": nothing says that it exists
            annotations.deletable_annotation(session, viewer=viewer, annotation_id=internal.id, now=w.now)
    for viewer in (w.planner, w.second_planner, w.staff):
        assert annotations.visible_annotation(session, viewer=viewer, annotation_id=internal.id, now=w.now)


def test_the_author_or_staff_deletes_a_note(session, w):
    mine, other = note(session, w), note(session, w, viewer=w.second_planner)
    session.commit()
    for viewer in (w.second_planner, w.zhang):
        with pytest.raises(PermissionDenied):
            annotations.delete_annotation(session, viewer=viewer, annotation_id=mine.id, now=w.now)
    annotations.delete_annotation(session, viewer=w.planner, annotation_id=mine.id, now=w.now)
    annotations.delete_annotation(session, viewer=w.staff, annotation_id=other.id, now=w.now)
    session.commit()
    assert count(session) == 0
    with pytest.raises(NotFound):
        annotations.delete_annotation(session, viewer=w.staff, annotation_id=other.id, now=w.now)
