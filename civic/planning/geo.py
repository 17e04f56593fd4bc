"""Geometry checks and normalisation with shapely (DOMAIN-RULES §5). Pure: text in, a `Shape` or an
`InvalidInput` with a message a resident can act on out. The browser's own checks are a convenience only;
this is the one that decides.

Everything is WGS-84 in GeoJSON order, [longitude, latitude]. Coordinates are rounded to 7 decimal places
(about 1 cm), polygons are oriented as RFC 7946 asks (outer ring counter-clockwise), and sizes are
measured on a local equirectangular projection, which is exact enough at the scale of a community.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import shapely
import shapely.affinity
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from shapely.validation import explain_validity

from civic.errors import InvalidInput
from civic.i18n import N_
from civic.planning.models import GeometryKind

PRECISION = 7  # decimal places kept: about 1 cm
MAX_TEXT = 200_000  # characters of GeoJSON accepted from a form
MAX_VERTICES = 500  # a proposal's shape
MAX_BOUNDARY_VERTICES = 5_000  # a project's boundary
MIN_LENGTH_M = 1.0  # a line shorter than this is a slip of the mouse
MIN_AREA_M2 = 1.0
MAX_BOUNDARY_SPAN_DEG = 0.5  # about 50 km: a community-planning boundary is never wider
EARTH_RADIUS_M = 6_371_008.8
TOLERANCE_DEG = 1e-7  # a shape may touch the boundary: forgive rounding at its edge

KIND_OF_TYPE = {"Point": GeometryKind.point, "LineString": GeometryKind.line, "Polygon": GeometryKind.polygon}


@dataclass(frozen=True)
class Shape:
    """A checked geometry, ready to store: its kind, canonical GeoJSON, bounding box and marker point."""

    kind: GeometryKind
    geojson: str
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float
    lon: float
    lat: float

    @property
    def geometry(self) -> BaseGeometry:
        return shape(json.loads(self.geojson))

    def columns(self) -> dict:
        """The values for a `_Shape` row (proposal or annotation)."""
        return {"kind": self.kind.value, "geometry": self.geojson, "min_lon": self.min_lon, "min_lat": self.min_lat,
                "max_lon": self.max_lon, "max_lat": self.max_lat, "lon": self.lon, "lat": self.lat}


def _bad(message: str, field: str = "geometry", **params) -> InvalidInput:
    return InvalidInput(message, field=field, **params)


def _single_geometry(data, field: str) -> dict:
    """The geometry object inside a geometry, a Feature, or a FeatureCollection of exactly one Feature
    (what Leaflet's `toGeoJSON()` gives for a drawing layer)."""
    if not isinstance(data, dict):
        raise _bad(N_("The shape is not a GeoJSON object."), field)
    kind = data.get("type")
    if kind == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or len(features) != 1:
            raise _bad(N_("Draw exactly one shape (the drawing has %(count)s)."), field,
                       count=len(features) if isinstance(features, list) else 0)
        return _single_geometry(features[0], field)
    if kind == "Feature":
        return _single_geometry(data.get("geometry"), field)
    return data


def _coordinates_ok(coords, depth: int, field: str) -> None:
    """Every position is two or three finite numbers, longitude first and within range."""
    if depth == 0:
        if (not isinstance(coords, list | tuple) or len(coords) not in (2, 3)
                or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in coords)):
            raise _bad(N_("A position must be a pair of numbers, [longitude, latitude]."), field)
        lon, lat = coords[0], coords[1]
        try:  # the altitude too: "Infinity" must not reach the stored GeoJSON
            finite = all(math.isfinite(c) for c in coords)
        except OverflowError:  # an integer too large for a float
            finite = False
        if not finite:
            raise _bad(N_("A position must be a pair of numbers, [longitude, latitude]."), field)
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            if -90 <= lon <= 90 and -180 <= lat <= 180:
                raise _bad(N_("The coordinates look swapped: GeoJSON puts the longitude first, [longitude, "
                              "latitude]."), field)
            raise _bad(N_("Longitude must be between -180 and 180 and latitude between -90 and 90."), field)
        return
    if not isinstance(coords, list | tuple) or not coords:
        raise _bad(N_("The shape has no coordinates."), field)
    for part in coords:
        _coordinates_ok(part, depth - 1, field)


DEPTH = {"Point": 0, "LineString": 1, "Polygon": 2, "MultiPolygon": 3}


def parse(text: str, *, allowed: tuple[str, ...], field: str = "geometry") -> BaseGeometry:
    """GeoJSON text → a shapely geometry of one of the `allowed` types, with its coordinates checked."""
    text = (text or "").strip()
    if not text:
        raise _bad(N_("Draw the shape on the map, or give its coordinates."), field)
    if len(text) > MAX_TEXT:
        raise _bad(N_("The shape is too large to store."), field)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise _bad(N_("The shape is not valid GeoJSON."), field) from None
    geometry = _single_geometry(data, field)
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in allowed:
        if "Point" not in allowed:  # a boundary
            raise _bad(N_("A %(kind)s cannot be used here; draw an area."), field, kind=str(kind)[:40])
        raise _bad(N_("A %(kind)s cannot be used here; draw a point, a line or an area."), field,
                   kind=str(kind)[:40])
    _coordinates_ok(geometry.get("coordinates"), DEPTH[kind], field)
    try:
        return shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.ShapelyError):
        raise _bad(N_("The shape is not valid GeoJSON."), field) from None


def _metres_per_degree(lat: float) -> tuple[float, float]:
    per_deg = math.pi * EARTH_RADIUS_M / 180
    return per_deg * math.cos(math.radians(lat)), per_deg


def length_m(geometry: BaseGeometry) -> float:
    """A line's length in metres on a local equirectangular projection."""
    mx, my = _metres_per_degree(geometry.centroid.y)
    return shapely.affinity.scale(geometry, mx, my, origin=(0, 0)).length


def area_m2(geometry: BaseGeometry) -> float:
    """An area in square metres on a local equirectangular projection."""
    mx, my = _metres_per_degree(geometry.centroid.y)
    return shapely.affinity.scale(geometry, mx, my, origin=(0, 0)).area


def _round(geometry: BaseGeometry) -> BaseGeometry:
    return shapely.set_precision(geometry, 10 ** -PRECISION, mode="pointwise")


def _vertices(geometry: BaseGeometry) -> int:
    return shapely.get_num_coordinates(geometry)


def _geojson(geometry: BaseGeometry) -> str:
    if isinstance(geometry, Polygon):
        geometry = orient(geometry, sign=1.0)
    elif isinstance(geometry, MultiPolygon):
        geometry = MultiPolygon([orient(p, sign=1.0) for p in geometry.geoms])
    data = mapping(geometry)

    def rounded(value):
        if isinstance(value, float | int):
            return round(float(value), PRECISION)
        return [rounded(v) for v in value]

    data = {"type": data["type"], "coordinates": rounded(data["coordinates"])}
    return json.dumps(data, separators=(",", ":"))


def _shape_of(kind: GeometryKind, geometry: BaseGeometry) -> Shape:
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    marker = geometry if isinstance(geometry, Point) else geometry.representative_point()
    return Shape(kind=kind, geojson=_geojson(geometry), min_lon=min_lon, min_lat=min_lat, max_lon=max_lon,
                 max_lat=max_lat, lon=round(marker.x, PRECISION), lat=round(marker.y, PRECISION))


def _valid(geometry: BaseGeometry, field: str) -> None:
    if not geometry.is_valid:
        why = explain_validity(geometry)
        if "Self-intersection" in why or "Ring Self-intersection" in why:
            raise _bad(N_("The area crosses itself; draw its outline without crossing lines."), field)
        if "Too few points" in why:
            raise _bad(N_("The shape has too few points."), field)
        raise _bad(N_("The shape is not a valid geometry (%(why)s)."), field, why=why[:120])


def boundary_shape(text: str, *, field: str = "boundary") -> Shape:
    """A project's boundary: one valid area (Polygon or MultiPolygon) of a sensible size."""
    geometry = parse(text, allowed=("Polygon", "MultiPolygon"), field=field)
    if _vertices(geometry) > MAX_BOUNDARY_VERTICES:
        raise _bad(N_("The boundary has more than %(max)s points; simplify it."), field, max=MAX_BOUNDARY_VERTICES)
    geometry = _round(geometry)
    _valid(geometry, field)
    if geometry.is_empty or area_m2(geometry) < MIN_AREA_M2:
        raise _bad(N_("The boundary encloses no area."), field)
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    if max(max_lon - min_lon, max_lat - min_lat) > MAX_BOUNDARY_SPAN_DEG:
        raise _bad(N_("The boundary is wider than a planning project can be (about 50 km); check its "
                      "coordinates."), field)
    return _shape_of(GeometryKind.polygon, geometry)


def proposal_shape(text: str, *, boundary: BaseGeometry, field: str = "geometry") -> Shape:
    """A proposal's or annotation's point, line or area: valid, inside the project's boundary, within
    the vertex and size limits."""
    geometry = parse(text, allowed=tuple(KIND_OF_TYPE), field=field)
    if _vertices(geometry) > MAX_VERTICES:
        raise _bad(N_("The shape has more than %(max)s points; draw it with fewer."), field, max=MAX_VERTICES)
    kind = KIND_OF_TYPE[geometry.geom_type]
    geometry = _round(geometry)
    _valid(geometry, field)
    if geometry.is_empty:
        raise _bad(N_("The shape has too few points."), field)
    if kind == GeometryKind.line and length_m(geometry) < MIN_LENGTH_M:
        raise _bad(N_("The line is shorter than %(min)s m."), field, min=int(MIN_LENGTH_M))
    if kind == GeometryKind.polygon and area_m2(geometry) < MIN_AREA_M2:
        raise _bad(N_("The area is smaller than %(min)s m²."), field, min=int(MIN_AREA_M2))
    inside(geometry, boundary, field=field)
    return _shape_of(kind, geometry)


def inside(geometry: BaseGeometry, boundary: BaseGeometry, *, field: str = "geometry") -> None:
    """Refuse a shape that is not wholly inside the boundary, saying when its coordinates look swapped."""
    if boundary.buffer(TOLERANCE_DEG).covers(geometry):
        return
    swapped = shapely.transform(geometry, lambda xy: xy[:, ::-1])
    if boundary.buffer(TOLERANCE_DEG).covers(swapped):
        raise _bad(N_("The coordinates look swapped: GeoJSON puts the longitude first, [longitude, latitude]."),
                   field)
    if boundary.intersects(geometry):
        raise _bad(N_("Part of the shape is outside the project's boundary; keep it inside."), field)
    raise _bad(N_("The shape is outside the project's boundary."), field)


def point_from_fields(latitude: str, longitude: str, *, boundary: BaseGeometry) -> Shape:
    """The no-JavaScript way in: a latitude and a longitude typed into two fields (WGS-84, as a GPS
    shows them), checked like a drawn point."""
    values = []
    for name, text in (("latitude", latitude), ("longitude", longitude)):
        try:
            value = float((text or "").strip().replace("，", ".").replace(",", "."))
        except ValueError:
            raise _bad(N_("Enter the latitude and longitude as decimal degrees, such as 30.5062 and 114.3356."),
                       name) from None
        if not math.isfinite(value):
            raise _bad(N_("Enter the latitude and longitude as decimal degrees, such as 30.5062 and 114.3356."),
                       name)
        values.append(value)
    lat, lon = values
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        if -90 <= lon <= 90 and -180 <= lat <= 180:  # 114.3 typed as the latitude, 30.5 as the longitude
            raise _bad(N_("The latitude and the longitude look swapped: the latitude is the one between -90 "
                          "and 90, such as 30.5062."), "latitude")
        raise _bad(N_("Longitude must be between -180 and 180 and latitude between -90 and 90."),
                   "latitude" if not -90 <= lat <= 90 else "longitude")
    text = json.dumps({"type": "Point", "coordinates": [lon, lat]})
    return proposal_shape(text, boundary=boundary, field="latitude")


def boundary_of(project) -> BaseGeometry:
    """The stored boundary of a project row, as shapely geometry (prepared for repeated checks)."""
    geometry = shape(json.loads(project.boundary))
    shapely.prepare(geometry)
    return geometry
