"""The server's geometry checks (civic/planning/geo.py): what a resident may draw inside a project's boundary,
and the message and field of every refusal."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import LinearRing, shape

from civic.errors import InvalidInput
from civic.planning import geo
from civic.planning.models import GeometryKind
from tests.unit.planning.builders import BOUNDARY, CENTRE, HALF, square

LON, LAT = CENTRE
AREA = geo.boundary_of(SimpleNamespace(boundary=geo.boundary_shape(json.dumps(BOUNDARY)).geojson))

OUTSIDE = "The shape is outside the project's boundary."
PARTLY = "Part of the shape is outside the project's boundary; keep it inside."
SWAPPED = "The coordinates look swapped: GeoJSON puts the longitude first, [longitude, latitude]."
RANGE = "Longitude must be between -180 and 180 and latitude between -90 and 90."
POSITION = "A position must be a pair of numbers, [longitude, latitude]."
NOT_GEOJSON = "The shape is not valid GeoJSON."
FIELDS = "Enter the latitude and longitude as decimal degrees, such as 30.5062 and 114.3356."


def point(lon: float = LON, lat: float = LAT) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def line(*coordinates) -> dict:
    return {"type": "LineString", "coordinates": [list(c) for c in coordinates]}


def feature(geometry: dict) -> dict:
    return {"type": "Feature", "properties": {}, "geometry": geometry}


def accepted(geometry, **kw) -> geo.Shape:
    text = geometry if isinstance(geometry, str) else json.dumps(geometry)
    return geo.proposal_shape(text, boundary=AREA, **kw)


def refused(geometry, message: str, field: str = "geometry", **params) -> None:
    with pytest.raises(InvalidInput) as caught:
        accepted(geometry)
    assert (caught.value.message, caught.value.field) == (message, field)
    assert caught.value.params == params


# ---- inside and outside ---------------------------------------------------------------------------------

def test_a_point_inside_is_stored_with_its_box_and_marker():
    shape_ = accepted(point(114.3462, 30.5541))
    assert shape_.kind == GeometryKind.point
    assert json.loads(shape_.geojson) == {"type": "Point", "coordinates": [114.3462, 30.5541]}
    assert (shape_.lon, shape_.lat) == (shape_.min_lon, shape_.min_lat) == (114.3462, 30.5541)
    assert shape_.columns()["kind"] == "point" and shape_.columns()["geometry"] == shape_.geojson


def test_shapes_touching_the_edge_are_inside():
    assert accepted(point(LON + HALF, LAT)).kind == GeometryKind.point  # on the edge
    assert accepted(point(LON - HALF, LAT - HALF)).kind == GeometryKind.point  # on a corner
    assert accepted(line((LON + HALF, LAT), (LON + HALF, LAT + 0.001))).kind == GeometryKind.line  # along it
    assert accepted(square(LON + HALF - 0.001, LAT, 0.001)).kind == GeometryKind.polygon  # one side on it


def test_a_shape_partly_outside_is_refused():
    refused(square(LON + HALF, LAT, 0.001), PARTLY)
    refused(line((LON, LAT), (LON, LAT + 2 * HALF)), PARTLY)


def test_a_shape_wholly_outside_is_refused():
    refused(point(LON, LAT + HALF + 0.001), OUTSIDE)
    refused(square(LON + 0.02, LAT, 0.001), OUTSIDE)


def test_swapped_coordinates_out_of_range_are_named():
    refused(point(LAT, LON), SWAPPED)  # [30.55, 114.34]: no latitude is 114
    refused(line((LAT, LON), (LAT + 0.001, LON)), SWAPPED)


def test_swapped_coordinates_that_land_inside_when_swapped_back_are_named():
    # Near the equator both orders are in range; the shape is outside, but its mirror is inside.
    near = geo.boundary_of(SimpleNamespace(boundary=geo.boundary_shape(json.dumps(square(10.0, 5.0, 0.01))).geojson))
    with pytest.raises(InvalidInput) as caught:
        geo.proposal_shape(json.dumps(point(5.001, 10.002)), boundary=near)
    assert (caught.value.message, caught.value.field) == (SWAPPED, "geometry")
    assert geo.proposal_shape(json.dumps(point(10.002, 5.001)), boundary=near).kind == GeometryKind.point


@pytest.mark.parametrize("coordinates", [[200, 30], [30, 200], [LON, 95], [-181, -91]])
def test_coordinates_out_of_range(coordinates):
    refused({"type": "Point", "coordinates": coordinates}, RANGE)


# ---- validity and limits ---------------------------------------------------------------------------------

def test_a_bow_tie_is_refused():
    bow_tie = {"type": "Polygon", "coordinates": [[[LON, LAT], [LON + 0.001, LAT + 0.001], [LON + 0.001, LAT],
                                                   [LON, LAT + 0.001], [LON, LAT]]]}
    refused(bow_tie, "The area crosses itself; draw its outline without crossing lines.")


def test_too_many_vertices():
    ring = [[LON + 0.001 * math.cos(2 * math.pi * k / 501), LAT + 0.001 * math.sin(2 * math.pi * k / 501)]
            for k in range(501)]
    refused({"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
            "The shape has more than %(max)s points; draw it with fewer.", max=geo.MAX_VERTICES)
    assert accepted({"type": "Polygon", "coordinates": [[*ring[:499], ring[0]]]}).kind == GeometryKind.polygon


def test_too_many_boundary_vertices():
    # Seven decimal places, as a drawing tool writes them: 5,001 positions still fit in MAX_TEXT.
    ring = [[round(LON + 0.01 * math.cos(2 * math.pi * k / 5001), 7),
             round(LAT + 0.01 * math.sin(2 * math.pi * k / 5001), 7)] for k in range(5001)]
    with pytest.raises(InvalidInput) as caught:
        geo.boundary_shape(json.dumps({"type": "Polygon", "coordinates": [[*ring, ring[0]]]}))
    assert (caught.value.message, caught.value.field) == (
        "The boundary has more than %(max)s points; simplify it.", "boundary")


@pytest.mark.parametrize("geometry", [
    {"type": "Polygon", "coordinates": [[[LON, LAT], [LON + 0.001, LAT], [LON, LAT]]]},  # three positions
    line((LON, LAT), (LON, LAT)),  # both ends at one place
])
def test_too_few_points(geometry):
    refused(geometry, "The shape has too few points.")


def test_a_line_of_one_position_is_not_geojson():
    refused(line((LON, LAT)), NOT_GEOJSON)


def test_a_line_shorter_than_a_metre():
    refused(line((LON, LAT), (LON + 0.000005, LAT)), "The line is shorter than %(min)s m.", min=1)  # ≈ 0.5 m
    assert geo.length_m(shape(line((LON, LAT), (LON, LAT + 0.001)))) == pytest.approx(111.2, abs=0.1)
    assert accepted(line((LON, LAT), (LON + 0.00002, LAT))).kind == GeometryKind.line  # ≈ 1.9 m


def test_a_tiny_area():
    refused(square(LON, LAT, 0.000003), "The area is smaller than %(min)s m².", min=1)  # ≈ 0.4 m²
    assert geo.area_m2(shape(square(LON, LAT, 0.0005))) == pytest.approx(111.2 * 111.2 * math.cos(math.radians(LAT)),
                                                                             rel=0.01)


def test_a_polygon_with_a_hole_is_an_area_with_a_hole():
    outer, hole = square(LON, LAT, 0.002)["coordinates"][0], square(LON, LAT, 0.001)["coordinates"][0]
    stored = json.loads(accepted({"type": "Polygon", "coordinates": [outer, hole]}).geojson)
    assert len(stored["coordinates"]) == 2
    assert not shape(stored).contains(shape(point()))


def test_rings_are_oriented_as_rfc_7946_asks():
    outer, hole = square(LON, LAT, 0.002)["coordinates"][0], square(LON, LAT, 0.001)["coordinates"][0]
    clockwise = {"type": "Polygon", "coordinates": [outer[::-1], hole]}  # outer clockwise, hole anticlockwise
    assert not LinearRing(clockwise["coordinates"][0]).is_ccw
    stored = json.loads(accepted(clockwise).geojson)["coordinates"]
    assert LinearRing(stored[0]).is_ccw and not LinearRing(stored[1]).is_ccw


def test_coordinates_are_rounded_to_seven_places():
    stored = json.loads(accepted(point(LON + 0.0012345678, LAT - 0.00000004)).geojson)
    assert stored["coordinates"] == [round(LON + 0.0012345678, 7), round(LAT, 7)]
    coordinates = json.loads(accepted(line((LON + 0.123456789e-2, LAT), (LON, LAT + 0.00111111111))).geojson)
    for x, y in coordinates["coordinates"]:
        assert (x, y) == (round(x, 7), round(y, 7))


# ---- what a form may post ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    '{"type": "Point", "coordinates": [NaN, 30.5561]}',
    '{"type": "Point", "coordinates": [114.3452, 30.5561, Infinity]}',  # no "Infinity" in the stored text
    '{"type": "Point", "coordinates": [1' + "0" * 400 + ', 30.5561]}',  # too big for a float
    json.dumps(point("114.3452", LAT)),
    json.dumps(point(True, LAT)),
    json.dumps({"type": "Point", "coordinates": [LON, LAT, 0, 0]}),
    json.dumps({"type": "Point", "coordinates": [LON]}),
    json.dumps({"type": "Point", "coordinates": "114.3452,30.5561"}),
])
def test_a_position_is_two_or_three_finite_numbers(text):
    refused(text, POSITION)


def test_an_altitude_is_kept():
    assert json.loads(accepted({"type": "Point", "coordinates": [LON, LAT, 23.5]}).geojson)["coordinates"][2] == 23.5


def test_empty_coordinates():
    refused({"type": "Polygon", "coordinates": []}, "The shape has no coordinates.")
    refused({"type": "Point"}, POSITION)


def test_a_feature_collection_of_exactly_one_feature():
    for count in (0, 2):
        refused({"type": "FeatureCollection", "features": [feature(point())] * count},
                "Draw exactly one shape (the drawing has %(count)s).", count=count)
    refused({"type": "FeatureCollection"}, "Draw exactly one shape (the drawing has %(count)s).", count=0)
    one = accepted({"type": "FeatureCollection", "features": [feature(point())]})
    assert one.geojson == accepted(point()).geojson


def test_a_feature():
    assert accepted(feature(line((LON, LAT), (LON, LAT + 0.001)))).kind == GeometryKind.line
    refused({"type": "Feature", "geometry": None, "properties": {}}, "The shape is not a GeoJSON object.")


@pytest.mark.parametrize("kind", ["MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection", "Circle"])
def test_other_kinds_of_geometry(kind):
    refused({"type": kind, "coordinates": [[LON, LAT]]}, "A %(kind)s cannot be used here; draw a point, a line or "
            "an area.", kind=kind)


@pytest.mark.parametrize("text", ["{bad", "[" * 100_000, "{'type': 'Point'}"])
def test_malformed_json(text):
    refused(text, NOT_GEOJSON)


@pytest.mark.parametrize("text", ["[1, 2]", '"Point"', "null"])
def test_json_that_is_not_an_object(text):
    refused(text, "The shape is not a GeoJSON object.")


def test_empty_and_oversized_text():
    refused("  ", "Draw the shape on the map, or give its coordinates.")
    refused(json.dumps({**feature(point()), "properties": {"note": "x" * geo.MAX_TEXT}}),
            "The shape is too large to store.")


def test_the_field_is_the_callers():
    with pytest.raises(InvalidInput) as caught:
        geo.proposal_shape(json.dumps(point(LON + 1, LAT)), boundary=AREA, field="annotation_geometry")
    assert (caught.value.message, caught.value.field) == (OUTSIDE, "annotation_geometry")


# ---- boundaries ---------------------------------------------------------------------------------------------

def boundary_refused(geometry: dict, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        geo.boundary_shape(json.dumps(geometry))
    assert (caught.value.message, caught.value.field) == (message, "boundary")


def test_boundaries():
    two = {"type": "MultiPolygon", "coordinates": [square(LON, LAT, 0.001)["coordinates"],
                                                   square(LON + 0.01, LAT, 0.001)["coordinates"]]}
    assert geo.boundary_shape(json.dumps(two)).kind == GeometryKind.polygon
    boundary_refused(point(), "A %(kind)s cannot be used here; draw an area.")
    boundary_refused(square(LON, LAT, 0.3), "The boundary is wider than a planning project can be (about 50 km); "
                                            "check its coordinates.")
    boundary_refused(square(LAT, LON, 0.001), SWAPPED)
    overlapping = {"type": "MultiPolygon", "coordinates": [square(LON, LAT, 0.001)["coordinates"],
                                                           square(LON + 0.0005, LAT, 0.001)["coordinates"]]}
    boundary_refused(overlapping, "The area crosses itself; draw its outline without crossing lines.")


# ---- the no-JavaScript way in: two typed fields ---------------------------------------------------------------

@pytest.mark.parametrize(("latitude", "longitude"), [
    ("30.5561", "114.3452"), ("30,5561", "114,3452"), (" 30，5561 ", "114.3452"), ("30.5561000", "+114.3452")])
def test_a_point_typed_into_two_fields(latitude, longitude):
    stored = geo.point_from_fields(latitude, longitude, boundary=AREA)
    assert json.loads(stored.geojson) == {"type": "Point", "coordinates": [114.3452, 30.5561]}


@pytest.mark.parametrize(("latitude", "longitude", "message", "field"), [
    ("", "114.3452", FIELDS, "latitude"),
    ("三十", "114.3452", FIELDS, "latitude"),
    ("30.5561", "114°20'", FIELDS, "longitude"),
    ("30.5.561", "114.3452", FIELDS, "latitude"),
    ("nan", "114.3452", FIELDS, "latitude"),
    ("30.5561", "inf", FIELDS, "longitude"),
    ("30.5561", "1e400", FIELDS, "longitude"),
    ("95", "114.3452", RANGE, "latitude"),
    ("30.5561", "200", RANGE, "longitude"),
    ("114.3452", "30.5561", "The latitude and the longitude look swapped: the latitude is the one between -90 and "
                            "90, such as 30.5062.", "latitude"),
    ("30.6", "114.3452", OUTSIDE, "latitude"),
])
def test_what_the_fields_refuse(latitude, longitude, message, field):
    with pytest.raises(InvalidInput) as caught:
        geo.point_from_fields(latitude, longitude, boundary=AREA)
    assert (caught.value.message, caught.value.field) == (message, field)


# ---- the property ---------------------------------------------------------------------------------------------

offsets = st.floats(min_value=-HALF, max_value=HALF, allow_nan=False)


@given(dx=offsets, dy=offsets)
def test_any_point_inside_is_accepted_and_round_trips(dx, dy):
    lon, lat = LON + dx, LAT + dy
    stored = json.loads(accepted(point(lon, lat)).geojson)["coordinates"]
    assert abs(stored[0] - lon) <= 1e-7 and abs(stored[1] - lat) <= 1e-7


beyond = st.floats(min_value=HALF + 1e-6, max_value=1.0, allow_nan=False)


@given(far=beyond, along=st.floats(min_value=-1.0, max_value=1.0, allow_nan=False), side=st.sampled_from(range(4)))
def test_any_point_outside_is_refused(far, along, side):
    dx, dy = [(far, along), (-far, along), (along, far), (along, -far)][side]
    with pytest.raises(InvalidInput) as caught:
        accepted(point(LON + dx, LAT + dy))
    assert (caught.value.message, caught.value.field) == (OUTSIDE, "geometry")
