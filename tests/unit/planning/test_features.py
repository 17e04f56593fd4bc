"""The map's bounding-box GeoJSON: RFC 7946 validity, the box, the list's own filter, grid clusters above
the threshold, internal notes kept from residents, and a fixed number of statements."""

from __future__ import annotations

import json

import pytest

from civic.errors import InvalidInput, NotFound
from civic.planning import features, geo
from civic.planning.filters import ProposalFilter
from civic.planning.models import Phase, PlanningAnnotation, PlanningCategory, ProposalStatus, Visibility
from tests.statements import recorded
from tests.unit.planning.builders import (
    CENTRE,
    HALF,
    NOW,
    add_proposal,
    build_planning_world,
    inside_point,
    square,
)

LON, LAT = CENTRE
LINE = {"type": "LineString", "coordinates": [[LON - 0.002, LAT + 0.001], [LON - 0.001, LAT + 0.002]]}
# Clockwise on purpose: the stored (and served) ring must come out counter-clockwise.
CLOCKWISE = {"type": "Polygon", "coordinates": [[[LON + 0.001, LAT - 0.001], [LON + 0.001, LAT - 0.002],
                                                 [LON + 0.002, LAT - 0.002], [LON + 0.002, LAT - 0.001],
                                                 [LON + 0.001, LAT - 0.001]]]}
WEST_HALF = features.BBox(LON - HALF, LAT - HALF, LON, LAT + HALF)


@pytest.fixture
def w(session, make_account):
    return world(session, make_account)


def world(session, make_account, **kwargs):
    w = build_planning_world(session, make_account, **kwargs)
    w.project_id = w.project.id  # read once: an expired row would reload inside the counted statements
    return w


def collection(session, w, viewer, *, bbox=None, zoom=16, chosen=ProposalFilter()) -> dict:
    text = features.feature_collection(session, viewer=viewer, project_id=w.project_id, bbox=bbox, zoom=zoom,
                                       chosen=chosen, gettext=lambda m: m.upper(), now=NOW)
    return json.loads(text)


def annotate(session, w, geometry: dict, *, visibility=Visibility.public, title="规划师备注") -> PlanningAnnotation:
    shape = geo.proposal_shape(json.dumps(geometry), boundary=geo.boundary_of(w.project))
    note = PlanningAnnotation(project_id=w.project.id, author_id=w.planner.account_id, title=title, body="<b>说明</b>",
                              visibility=visibility, **shape.columns())
    session.add(note)
    session.commit()
    return note


def ids(found: dict, kind: str = "proposal") -> set[int]:
    return {f["properties"]["id"] for f in found["features"] if f["properties"]["kind"] == kind}


def signed_area(ring) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False)) / 2


def test_a_valid_rfc7946_feature_collection(session, w):
    custom = PlanningCategory(project_id=w.project.id, position=9, key="custom", label="停车", colour="#cc79a7")
    session.add(custom)
    session.commit()
    w.categories["custom"] = custom
    point = add_proposal(session, w, author=w.zhang, title="<script>alert(1)</script>")
    line = add_proposal(session, w, author=w.li, geometry=LINE, category="beauty")
    area = add_proposal(session, w, author=w.li, geometry=CLOCKWISE, category="custom")
    note = annotate(session, w, square(LON, LAT, 0.001))
    found = collection(session, w, w.zhang)
    assert found["type"] == "FeatureCollection" and set(found) == {"type", "features"}
    by_id = {f["id"]: f for f in found["features"]}
    assert {f["geometry"]["type"] for f in found["features"]} == {"Point", "LineString", "Polygon"}
    for feature in found["features"]:
        assert set(feature) == {"type", "id", "geometry", "properties"} and feature["type"] == "Feature"
        coords = feature["geometry"]["coordinates"]
        positions = [coords] if feature["geometry"]["type"] == "Point" else (
            coords if feature["geometry"]["type"] == "LineString" else coords[0])
        assert all(114 < lon < 115 and 30 < lat < 31 for lon, lat in positions)  # [longitude, latitude]
    ring = by_id[f"proposal-{area.id}"]["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and signed_area(ring) > 0  # closed, outer ring counter-clockwise
    assert by_id[f"proposal-{point.id}"]["properties"] == {
        "kind": "proposal", "id": point.id, "title": "<script>alert(1)</script>", "place_label": "南门外",
        "category": w.categories["pain"].id, "category_label": "PAIN", "colour": "#d55e00", "status": "received",
        "status_label": "NEW, NOT YET REVIEWED", "support": 0, "comments": 0, "url": f"/planning/proposals/{point.id}"}
    assert by_id[f"proposal-{area.id}"]["properties"]["category_label"] == "停车"  # a custom label, as written
    assert by_id[f"proposal-{line.id}"]["properties"]["category_label"] == "BEAUTY"
    assert by_id[f"annotation-{note.id}"]["properties"] == {
        "kind": "annotation", "id": note.id, "title": "规划师备注", "body": "<b>说明</b>", "visibility": "public"}


def test_only_what_touches_the_box(session, w):
    west = add_proposal(session, w, author=w.zhang, geometry=inside_point(-0.003, 0.001))
    east = add_proposal(session, w, author=w.zhang, geometry=inside_point(0.003, 0.001))
    # Mostly east of the box's east edge (the centre line), with a sliver west of it: it is drawn.
    crossing = add_proposal(session, w, author=w.zhang, geometry=square(LON + 0.0015, LAT - 0.003, 0.0018))
    annotate(session, w, inside_point(0.004, 0.004))
    found = collection(session, w, w.zhang, bbox=WEST_HALF)
    assert ids(found) == {west.id, crossing.id} and ids(found, "annotation") == set()
    assert ids(collection(session, w, w.zhang)) == {west.id, east.id, crossing.id}  # no box: the project's


def test_the_same_filter_as_the_list(session, w):
    lamp = add_proposal(session, w, author=w.zhang, title="路灯", place_label="南门外")
    add_proposal(session, w, author=w.zhang, title="长椅", place_label="花园", category="beauty")
    declined = add_proposal(session, w, author=w.li, title="停车位", place_label="北门", status=ProposalStatus.declined)
    later = add_proposal(session, w, author=w.li, title="花坛", place_label="南门里", phase=Phase.proposals)
    assert ids(collection(session, w, w.zhang, chosen=ProposalFilter(text="南门"))) == {lamp.id, later.id}
    assert ids(collection(session, w, w.zhang, chosen=ProposalFilter(status="declined"))) == {declined.id}
    assert ids(collection(session, w, w.zhang, chosen=ProposalFilter(phase="proposals"))) == {later.id}
    pain = ProposalFilter(category_id=w.categories["pain"].id, text="门")
    assert ids(collection(session, w, w.zhang, chosen=pain)) == {lamp.id, declined.id, later.id}


def test_clusters_above_the_threshold(session, w, monkeypatch):
    monkeypatch.setattr(features, "CLUSTER_THRESHOLD", 4)
    for dx in (-0.004, -0.0039, 0.002, 0.004):
        add_proposal(session, w, author=w.zhang, geometry=inside_point(dx, 0.001))
    annotate(session, w, inside_point(0.0041, 0.001))
    fine = collection(session, w, w.zhang, zoom=19)  # a cell is ~0.0002°: the two close points share one
    clusters = [f for f in fine["features"] if f["properties"]["kind"] == "cluster"]
    assert len(clusters) == len(fine["features"]) == 4
    assert sorted(f["properties"]["count"] for f in clusters) == [1, 1, 1, 2]
    assert sum(f["properties"]["count"] for f in clusters) == 5
    assert all(f["geometry"]["type"] == "Point" and len(f["bbox"]) == 4 for f in clusters)
    [whole] = collection(session, w, w.zhang, zoom=3)["features"]
    assert whole["properties"] == {"kind": "cluster", "count": 5}
    assert whole["geometry"]["coordinates"][0] == pytest.approx(LON + (-0.004 - 0.0039 + 0.002 + 0.004 + 0.0041) / 5)
    assert len(collection(session, w, w.zhang, bbox=WEST_HALF, zoom=19)["features"]) == 2  # below: one by one


def test_internal_notes_only_for_planners_and_staff(session, w):
    public = annotate(session, w, inside_point(0.001), title="公开")
    internal = annotate(session, w, inside_point(0.002), visibility=Visibility.internal, title="内部")
    for viewer in (w.planner, w.staff):
        assert ids(collection(session, w, viewer), "annotation") == {public.id, internal.id}
    for viewer in (w.zhang, w.stranger, w.anonymous, w.other_staff):
        assert ids(collection(session, w, viewer), "annotation") == {public.id}


def test_a_draft_is_found_only_by_its_planners_and_staff(session, make_account):
    w = world(session, make_account, phase=Phase.draft)
    add_proposal(session, w, author=w.zhang)
    assert len(collection(session, w, w.planner)["features"]) == 1
    for viewer in (w.zhang, w.anonymous):
        with pytest.raises(NotFound):
            collection(session, w, viewer)


def test_a_fixed_number_of_statements(session, w, monkeypatch):
    def counted(viewer, **kwargs) -> int:
        session.expire_all()
        with recorded(session.get_bind(), selects_only=True) as seen:
            collection(session, w, viewer, **kwargs)
        return len(seen)

    add_proposal(session, w, author=w.zhang)
    few = counted(w.zhang), counted(w.anonymous)
    for i in range(12):
        add_proposal(session, w, author=w.li, geometry=LINE if i % 2 else square(LON, LAT, 0.001))
        annotate(session, w, inside_point(0.001 * (i % 4)))
    assert (counted(w.zhang), counted(w.anonymous)) == few == (4, 3)  # project, roles, count, features
    monkeypatch.setattr(features, "CLUSTER_THRESHOLD", 5)
    assert counted(w.zhang) == 4  # …or project, roles, count, cells


@pytest.mark.parametrize("text", ["1,2,3", "a,b,c,d", "nan,0,1,1", "0,0,inf,1", "1,0,0,1", "0,1,1,0",
                                  "-181,0,0,1", "0,-91,1,0", "0,0,1,91", "1,2,3,4,5", ","])
def test_a_bad_bbox_is_refused(text):
    with pytest.raises(InvalidInput):
        features.parse_bbox(text)


def test_bbox_and_zoom_parsing():
    assert features.parse_bbox("") is None and features.parse_bbox(None) is None
    assert features.parse_bbox("114.3, 30.5,114.4,30.6") == features.BBox(114.3, 30.5, 114.4, 30.6)
    assert [features.parse_zoom(z) for z in (None, "x", "17", "17.6", "-3", "99", "1e400")] == [16, 16, 17, 17, 0, 22, 16]
