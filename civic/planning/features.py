"""The map's data: the proposals and annotations inside a bounding box, as an RFC 7946 FeatureCollection.

The browser asks for the features of what it shows (`bbox`, `zoom`) with the list's own filter, so the map
never carries more than a screenful and always shows what the list shows. When the view holds more than
`CLUSTER_THRESHOLD` features, it gets one point per occupied grid cell of about `CELL_PX` pixels instead,
with the count: thousands of shapes are never sent.

Speed: the stored geometry is already normalised GeoJSON text (`geo.py`), so it is spliced into the answer
as it is, never parsed; the bounding box is four indexed comparisons on plain columns (no spatial
extension); and the whole answer takes a fixed number of statements: the project, the viewer's roles, one
count and one fetch (the features, or the grid cells).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Float, Integer, cast, func, literal_column, null, select, union_all
from sqlmodel import Session

from civic.errors import InvalidInput
from civic.i18n import N_
from civic.places.models import Place
from civic.places.rules import Viewer
from civic.planning import access, filters, rules
from civic.planning.models import (
    STATUS_LABELS,
    CategoryKey,
    PlanningAnnotation,
    PlanningCategory,
    PlanningProject,
    PlanningProposal,
    ProjectStatus,
    Visibility,
)

CLUSTER_THRESHOLD = 500  # more features than this in view → grid clusters
CELL_PX = 60  # a cluster cell's side on screen
TILE_PX = 256
MAX_ZOOM = 22
DEFAULT_ZOOM = 16  # about a community on a laptop screen
BAD_BBOX = N_("The bbox must be four numbers: west, south, east, north (longitude and latitude in degrees).")


@dataclass(frozen=True)
class BBox:
    west: float
    south: float
    east: float
    north: float


def parse_bbox(text: str | None) -> BBox | None:
    """"w,s,e,n" → a BBox; nothing given → None (the project's own box). Anything else is refused."""
    if text is None or not text.strip():
        return None
    parts = text.split(",")
    if len(parts) != 4:
        raise InvalidInput(BAD_BBOX, field="bbox")
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise InvalidInput(BAD_BBOX, field="bbox") from None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise InvalidInput(BAD_BBOX, field="bbox")
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise InvalidInput(N_("The bbox must have west ≤ east within -180…180 and south ≤ north within -90…90."),
                           field="bbox")
    return BBox(west, south, east, north)


def parse_zoom(text: str | None) -> int:
    """The map's zoom level, clamped to Leaflet's range; missing or malformed → a community-sized view."""
    try:
        zoom = int(float(text or ""))
    except (ValueError, OverflowError):
        return DEFAULT_ZOOM
    return max(0, min(MAX_ZOOM, zoom))


def cell_size(zoom: int, latitude: float) -> tuple[float, float]:
    """A cluster cell in degrees (longitude, latitude): CELL_PX pixels of Web Mercator at this zoom; a
    degree of latitude takes more pixels than one of longitude, by 1 / cos(latitude)."""
    lon_deg = CELL_PX * 360.0 / (TILE_PX * 2**zoom)
    return lon_deg, lon_deg * max(math.cos(math.radians(latitude)), 0.01)


def _in_box(model, box: BBox) -> list:
    return [model.max_lon >= box.west, model.min_lon <= box.east, model.max_lat >= box.south,
            model.min_lat <= box.north]


def _annotation_where(project_id: int, box: BBox, internal: bool) -> list:
    where = [PlanningAnnotation.project_id == project_id, *_in_box(PlanningAnnotation, box)]
    if not internal:
        where.append(PlanningAnnotation.visibility == Visibility.public)
    return where


def _floor(expr, dialect: str):
    """floor() on both backends: SQLite's build may lack math functions, and CAST truncates there (the
    values are made non-negative first), while PostgreSQL's CAST would round."""
    return cast(expr, Integer) if dialect == "sqlite" else cast(func.floor(expr), Integer)


def _features_statement(project_id: int, chosen: filters.ProposalFilter, box: BBox, internal: bool):
    """Proposals (with their category) and annotations in view, as one UNION ALL of the same columns."""
    p, c, a = PlanningProposal, PlanningCategory, PlanningAnnotation
    proposals = (select(literal_column("0").label("is_note"), p.id, p.geometry, p.title,
                        p.place_label.label("text"), p.status.label("state"), p.support_count, p.comment_count,
                        p.category_id, c.key, c.label, c.colour)
                 .join(c, c.id == p.category_id)
                 .where(*filters.conditions(project_id, chosen), *_in_box(p, box)))
    notes = (select(literal_column("1"), a.id, a.geometry, a.title, a.body, a.visibility, null(), null(), null(),
                    null(), null(), null())
             .where(*_annotation_where(project_id, box, internal)))
    return union_all(proposals, notes).order_by(literal_column("is_note"), literal_column("id"))


def _count_statement(project_id: int, chosen: filters.ProposalFilter, box: BBox, internal: bool):
    proposals = (select(func.count()).select_from(PlanningProposal)
                 .where(*filters.conditions(project_id, chosen), *_in_box(PlanningProposal, box)).scalar_subquery())
    notes = (select(func.count()).select_from(PlanningAnnotation)
             .where(*_annotation_where(project_id, box, internal)).scalar_subquery())
    return select(proposals, notes)


def _cluster_statement(project_id: int, chosen: filters.ProposalFilter, box: BBox, internal: bool, zoom: int,
                       dialect: str):
    """One row per occupied grid cell: the count and the mean and extent of its members' marker points."""
    points = union_all(
        select(PlanningProposal.lon, PlanningProposal.lat)
        .where(*filters.conditions(project_id, chosen), *_in_box(PlanningProposal, box)),
        select(PlanningAnnotation.lon, PlanningAnnotation.lat)
        .where(*_annotation_where(project_id, box, internal)),
    ).subquery()
    size_lon, size_lat = cell_size(zoom, (box.south + box.north) / 2)
    # Offset to non-negative values, so that truncation is floor on SQLite too.
    column = _floor((cast(points.c.lon, Float) + 180.0) / size_lon, dialect)
    row = _floor((cast(points.c.lat, Float) + 90.0) / size_lat, dialect)
    return (select(func.count(), func.avg(points.c.lon), func.avg(points.c.lat), func.min(points.c.lon),
                   func.min(points.c.lat), func.max(points.c.lon), func.max(points.c.lat))
            .group_by(column, row).order_by(column, row))


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _feature(feature_id: str, geometry: str, properties: dict) -> str:
    # The stored geometry is already canonical GeoJSON: it goes in as text, unparsed.
    return f'{{"type":"Feature","id":"{feature_id}","geometry":{geometry},"properties":{_dumps(properties)}}}'


def _proposal(row, gettext: Callable[[str], str]) -> str:
    built_in = row.key != CategoryKey.custom
    return _feature(f"proposal-{row.id}", row.geometry, {
        "kind": "proposal", "id": row.id, "title": row.title, "place_label": row.text,
        "category": row.category_id,
        "category_label": gettext(row.key) if built_in else row.label, "colour": row.colour,
        "status": row.state, "status_label": gettext(STATUS_LABELS.get(row.state, row.state)), "support": row.support_count,
        "comments": row.comment_count, "url": access.proposal_path(row.id)})


def _annotation(row) -> str:
    return _feature(f"annotation-{row.id}", row.geometry, {
        "kind": "annotation", "id": row.id, "title": row.title, "body": row.text, "visibility": row.state})


def _cluster(index: int, row) -> str:
    count, lon, lat, west, south, east, north = row
    geometry = _dumps({"type": "Point", "coordinates": [round(float(lon), 7), round(float(lat), 7)]})
    return (f'{{"type":"Feature","id":"cluster-{index}","bbox":{_dumps([west, south, east, north])},'
            f'"geometry":{geometry},"properties":{_dumps({"kind": "cluster", "count": count})}}}')


def feature_collection(session: Session, *, viewer: Viewer, project_id: int, bbox: BBox | None, zoom: int,
                       chosen: filters.ProposalFilter, gettext: Callable[[str], str], now: datetime) -> str:
    """The features (or grid clusters) of one project inside `bbox`, as GeoJSON text (NotFound for a
    project the viewer may not see)."""
    project, _place, roles = access.visible_project(session, viewer=viewer, project_id=project_id, now=now)
    box = bbox or BBox(project.min_lon, project.min_lat, project.max_lon, project.max_lat)
    internal = rules.allowed("see_internal", rules.project_phase(project, now), roles)
    proposals, notes = session.execute(_count_statement(project.id, chosen, box, internal)).one()
    if proposals + notes > CLUSTER_THRESHOLD:
        dialect = session.get_bind().dialect.name
        rows = session.execute(_cluster_statement(project.id, chosen, box, internal, zoom, dialect)).all()
        features = [_cluster(i, row) for i, row in enumerate(rows)]
    else:
        rows = session.execute(_features_statement(project.id, chosen, box, internal)).all()
        features = [_annotation(row) if row.is_note else _proposal(row, gettext) for row in rows]
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"



def published_projects(session: Session) -> list[dict]:
    """Every published planning project, newest first, with its proposal count, bounding box and GeoJSON
    link: the open-data list (one query). Drafts are not open data."""
    count = (select(func.count()).where(PlanningProposal.project_id == PlanningProject.id)
             .correlate(PlanningProject).scalar_subquery())
    rows = session.execute(
        select(PlanningProject.id, PlanningProject.title, Place.name, PlanningProject.min_lon, PlanningProject.min_lat,
               PlanningProject.max_lon, PlanningProject.max_lat, count)
        .join(Place, Place.id == PlanningProject.place_id)
        .where(PlanningProject.status == ProjectStatus.published)
        .order_by(PlanningProject.published_at.desc(), PlanningProject.id.desc())).all()
    return [{"id": pid, "title": title, "place": place, "proposals": proposals,
             "bbox": [min_lon, min_lat, max_lon, max_lat], "page": access.project_path(pid),
             "features": f"/api/planning/{pid}/features.geojson"}
            for pid, title, place, min_lon, min_lat, max_lon, max_lat, proposals in rows]
