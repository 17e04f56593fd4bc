"""Where the demo planning projects' shapes go (civic/planning/demo.py): a community's boundary drawn the way
its streets run, named places inside it, and what residents draw at them — each shape checked by `geo` as a
resident's would be, and drawn again until it passes."""

from __future__ import annotations

import json
import math
import random

from shapely.geometry import Point

from civic.errors import InvalidInput
from civic.planning import geo

M = 1 / 111_320  # degrees of latitude in a metre
EAST = 1.16  # about 1 / cos 30.5°: at Wuhan's latitude a metre east is more degrees than a metre north


def at(xy, east: float, north: float) -> list[float]:
    """The point `east` and `north` metres from `xy`."""
    return [xy[0] + east * M * EAST, xy[1] + north * M]


def checked(geometry: dict, area) -> geo.Shape | None:
    try:
        return geo.proposal_shape(json.dumps(geometry), boundary=area)
    except InvalidInput:
        return None


def boundary_around(rng: random.Random, points: list[tuple[float, float]]) -> geo.Shape:
    """A community's outline as its streets draw it: a slightly turned block of 16–24 corners with bent
    sides, 100–150 m around `points`; checked as a planner's drawing is, and shown to hold every point."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    hx, hy = (max(xs) - min(xs)) / 2 + 0.0016, (max(ys) - min(ys)) / 2 + 0.0013
    corners = [(-hx, -hy), (hx, -hy), (hx, hy), (-hx, hy)]
    for _attempt in range(100):
        local = []
        for (ax, ay), (bx, by) in zip(corners, corners[1:] + corners[:1], strict=True):
            sides = rng.randint(4, 6)
            for i in range(sides):
                shift, bend = (rng.uniform(-0.3, 0.3), rng.uniform(-0.07, 0.07)) if i else (0, 0)
                t = (i + shift) / sides
                # A side's corners bend off it a little, as streets do.
                local.append((ax + (bx - ax) * t + bend * hx * (ay != by),
                              ay + (by - ay) * t + bend * hy * (ax != bx)))
        turn = rng.uniform(-0.12, 0.12)
        c, s = math.cos(turn), math.sin(turn)
        ring = [[round(cx + x * c - y * EAST * s, 6), round(cy + x / EAST * s + y * c, 6)] for x, y in local]
        try:
            shape = geo.boundary_shape(json.dumps({"type": "Polygon", "coordinates": [[*ring, ring[0]]]}))
        except InvalidInput:
            continue
        if all(checked({"type": "Point", "coordinates": list(p)}, shape.geometry) for p in points):
            return shape
    raise RuntimeError("no demo boundary holds the register's points")  # pragma: no cover


class SiteMap:
    """The named places inside one boundary: each has an anchor; a street (3–5 fairly straight legs of 40–90 m)
    or a plot (6–9 corners, 20–45 m from its anchor) is laid out the first time someone draws along or on it,
    and everyone after draws near the same one, a little differently."""

    def __init__(self, rng: random.Random, area, anchors: dict[str, tuple[float, float]]):
        self.rng, self.area, self.anchors, self.sites = rng, area, anchors, {}

    def _site(self, kind: str, anchor) -> list:
        rng = self.rng
        for attempt in range(200):
            shrink = 1 / (1 + attempt / 40)
            if kind == "line":
                heading, coordinates = rng.uniform(0, 2 * math.pi), [list(anchor)]
                for _leg in range(rng.randint(3, 5)):
                    heading += rng.uniform(-0.3, 0.3)
                    step = rng.uniform(40, 90) * shrink
                    coordinates.append(at(coordinates[-1], step * math.cos(heading), step * math.sin(heading)))
                geometry = {"type": "LineString", "coordinates": coordinates}
            else:
                radius = rng.uniform(20, 45) * shrink
                angles = sorted(rng.uniform(0, 2 * math.pi) for _ in range(rng.randint(6, 9)))
                coordinates = [at(anchor, radius * rng.uniform(0.7, 1) * math.cos(a),
                                   radius * rng.uniform(0.7, 1) * math.sin(a)) for a in angles]
                geometry = {"type": "Polygon", "coordinates": [[*coordinates, coordinates[0]]]}
            if checked(geometry, self.area):
                return coordinates
        raise RuntimeError(f"no {kind} fits at {anchor}")  # pragma: no cover

    def draw(self, kind: str, label: str, *, spread: float = 10.0, whole: bool = False) -> geo.Shape:
        """What one person drew at `label`: a point near it (on its street, if it has one), part of its street,
        or its plot as they saw it (`whole`: the street or plot itself, as a planner draws it)."""
        rng, anchor = self.rng, self.anchors[label]
        key = (label, "line" if kind == "point" else kind)
        if kind != "point" and key not in self.sites:
            self.sites[key] = self._site(kind, anchor)
        site = self.sites.get(key)

        def hand(xy, metres: float = 3.0) -> list[float]:
            return at(xy, rng.gauss(0, metres), rng.gauss(0, metres))

        for _attempt in range(100):
            if kind == "point" and site:
                i, t = rng.randrange(len(site) - 1), rng.random()
                on = [a + (b - a) * t for a, b in zip(site[i], site[i + 1], strict=True)]
                geometry = {"type": "Point", "coordinates": hand(on, 4)}
            elif kind == "point":
                geometry = {"type": "Point", "coordinates": hand(anchor, spread)}
            elif kind == "line":
                i = 0 if whole else rng.randrange(len(site) - 1)
                j = len(site) - 1 if whole else rng.randint(i + 1, len(site) - 1)
                geometry = {"type": "LineString", "coordinates": [hand(p, 0 if whole else 3) for p in site[i:j + 1]]}
            else:
                scale = 1 if whole else rng.uniform(0.75, 1.1)
                ring = [hand([anchor[0] + (x - anchor[0]) * scale, anchor[1] + (y - anchor[1]) * scale],
                             0 if whole else 3) for x, y in site]
                geometry = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
            shape = checked(geometry, self.area)
            if shape:
                return shape
        raise RuntimeError(f"no {kind} fits at {label}")  # pragma: no cover


def anywhere(rng: random.Random, shape: geo.Shape, area, south: bool = False) -> tuple[float, float]:
    """A random point at least 60 m inside the boundary (in its southern third, towards 南湖, when `south`)."""
    inner = area.buffer(-60 * M)
    top = shape.min_lat + (shape.max_lat - shape.min_lat) / 3 if south else shape.max_lat
    for _attempt in range(10_000):
        x, y = rng.uniform(shape.min_lon, shape.max_lon), rng.uniform(shape.min_lat, top)
        if inner.contains(Point(x, y)):
            return x, y
    raise RuntimeError("the boundary has no room inside")  # pragma: no cover
