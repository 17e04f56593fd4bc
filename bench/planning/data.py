"""The bench's planning data, written with SQLAlchemy Core: a project over a district-sized square (about
10 km × 10 km) whose proposals — points, lines and areas in the proportions 6 : 2 : 2 — are spread evenly
over it, with planners' annotations (public and internal) among them. Every shape goes through the same
checks and normalisation as a resident's (`geo.proposal_shape`), so the stored text is what the endpoint
really serves."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import Engine, insert

from bench.votes.data import complete
from civic.clock import now
from civic.planning import geo, rules
from civic.planning.models import (
    PlanningAnnotation,
    PlanningCategory,
    PlanningProject,
    PlanningProposal,
    ProjectStatus,
    ProposalStatus,
    Visibility,
)

CENTRE = (114.3162, 30.5544)  # lon, lat: 武昌
HALF_LON, HALF_LAT = 0.052, 0.045  # the district: about 10 km × 10 km
NOTES_PER_1000 = 5  # annotations per thousand proposals (at least 10)
STATUSES = [s.value for s in ProposalStatus]
DAY = timedelta(days=1)


def _square(lon: float, lat: float, half_lon: float, half_lat: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[lon - half_lon, lat - half_lat], [lon + half_lon, lat - half_lat],
                                                [lon + half_lon, lat + half_lat], [lon - half_lon, lat + half_lat],
                                                [lon - half_lon, lat - half_lat]]]}


def _shape(rng: random.Random, i: int) -> dict:
    """The i-th feature: a point, a short line (street furniture, a path) or a small area (a yard, a corner)."""
    lon = CENTRE[0] + rng.uniform(-HALF_LON * 0.98, HALF_LON * 0.98)
    lat = CENTRE[1] + rng.uniform(-HALF_LAT * 0.98, HALF_LAT * 0.98)
    kind = i % 10
    if kind < 6:
        return {"type": "Point", "coordinates": [lon, lat]}
    if kind < 8:
        return {"type": "LineString", "coordinates": [[lon, lat], [lon + rng.uniform(2e-4, 8e-4), lat + rng.uniform(
            -4e-4, 4e-4)], [lon + rng.uniform(8e-4, 1.2e-3), lat + rng.uniform(-4e-4, 4e-4)]]}
    return _square(lon, lat, rng.uniform(1e-4, 4e-4), rng.uniform(1e-4, 4e-4))


def _insert(conn, model, rows: list[dict]) -> list[int]:
    table = model.__table__
    return conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True),
                        [complete(model, r) for r in rows]).scalars().all()


def add_project(engine: Engine, place_id: int, author_id: int, n: int, *, seed: int) -> int:
    """A published project in its discovery phase with `n` proposals and its annotations; its id."""
    rng = random.Random(seed)
    boundary = geo.boundary_shape(json.dumps(_square(*CENTRE, HALF_LON, HALF_LAT)))
    at = now()
    with engine.begin() as conn:
        project_id = _insert(conn, PlanningProject, [dict(
            place_id=place_id, title=f"武昌区微更新 {n}", description="区级规划：找一找每个社区的美与痛",
            status=ProjectStatus.published, boundary=boundary.geojson, min_lon=boundary.min_lon,
            min_lat=boundary.min_lat, max_lon=boundary.max_lon, max_lat=boundary.max_lat, published_at=at - 2 * DAY,
            discovery_opens_at=at - DAY, proposals_opens_at=at + 10 * DAY, feedback_opens_at=at + 20 * DAY,
            closes_at=at + 30 * DAY)])[0]
        categories = _insert(conn, PlanningCategory, [dict(project_id=project_id, position=p, key=key, colour=colour)
                                                      for p, (key, colour) in enumerate(rules.DEFAULT_CATEGORIES)])
        prepared = geo.boundary_of(SimpleNamespace(boundary=boundary.geojson))
        rows = []
        for i in range(n):
            shape = geo.proposal_shape(json.dumps(_shape(rng, i)), boundary=prepared)
            rows.append(dict(project_id=project_id, author_id=author_id, category_id=categories[i % 3],
                             title=f"提案 {i + 1}：路灯、长椅或花坛", place_label=f"第 {i % 97 + 1} 号楼旁",
                             description="居民在地图上标出的地方。", phase="discovery", status=STATUSES[i % len(STATUSES)],
                             status_reason="不在本次范围" if STATUSES[i % len(STATUSES)] == "declined" else "",
                             support_count=rng.randint(0, 40), comment_count=rng.randint(0, 12), created_at=at,
                             updated_at=at, **shape.columns()))
        for start in range(0, len(rows), 5000):
            _insert(conn, PlanningProposal, rows[start:start + 5000])
        notes = []
        for i in range(max(10, n * NOTES_PER_1000 // 1000)):
            shape = geo.proposal_shape(json.dumps(_shape(rng, 9)), boundary=prepared)
            notes.append(dict(project_id=project_id, author_id=author_id, title=f"规划师备注 {i + 1}", body="消防通道",
                              visibility=Visibility.internal if i % 3 == 0 else Visibility.public, **shape.columns()))
        _insert(conn, PlanningAnnotation, notes)
    return project_id


def community_views(count: int, *, seed: int) -> list[str]:
    """`count` bounding boxes of about 1 km × 1 km inside the district, as the `bbox` parameter."""
    rng = random.Random(seed)
    half_lon, half_lat = 0.0052, 0.0045
    views = []
    for _ in range(count):
        lon = CENTRE[0] + rng.uniform(-HALF_LON + half_lon, HALF_LON - half_lon)
        lat = CENTRE[1] + rng.uniform(-HALF_LAT + half_lat, HALF_LAT - half_lat)
        views.append(f"{lon - half_lon:.6f},{lat - half_lat:.6f},{lon + half_lon:.6f},{lat + half_lat:.6f}")
    return views
