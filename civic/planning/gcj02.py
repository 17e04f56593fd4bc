"""WGS-84 ↔ GCJ-02, for display only (DOMAIN-RULES §5).

Tile sets published in China (AMap, Tencent) are drawn in GCJ-02, an obfuscated datum that shifts
positions by a few hundred metres. Civic always stores WGS-84; when `CIVIC_MAP_DISPLAY_CRS=gcj02` the map
shifts what it shows onto those tiles — here what Folium embeds (boundary, register points, the view),
in static/js/planning-map.js what the browser loads and draws — and shifts drawn shapes back before they
are posted. Outside mainland China the transform is the identity, as in every published implementation.

The forward formula is the widely used public one (it gives (116.41024449916938, 39.91640428150164) for
(116.404, 39.915), the reference vector of coordtransform and eviltransform); the inverse is found by
iterating it, to well under a centimetre.
"""

from __future__ import annotations

import math

A = 6378245.0  # the Krasovsky 1940 ellipsoid the formula is defined on
EE = 0.00669342162296594323
INVERSE_STEPS = 30
INVERSE_TOLERANCE_DEG = 1e-10  # about 0.01 mm


def out_of_china(lon: float, lat: float) -> bool:
    """The rough rectangle around mainland China outside which GCJ-02 equals WGS-84."""
    return not (73.66 < lon < 135.05 and 3.86 < lat < 53.55)


def _d_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _d_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """A WGS-84 position (lon, lat) as GCJ-02 (lon, lat)."""
    if out_of_china(lon, lat):
        return lon, lat
    d_lat = _d_lat(lon - 105.0, lat - 35.0)
    d_lon = _d_lon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((A * (1 - EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (A / sqrt_magic * math.cos(rad) * math.pi)
    return lon + d_lon, lat + d_lat


def to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """A GCJ-02 position back to WGS-84, by fixed-point iteration of the forward formula."""
    if out_of_china(lon, lat):
        return lon, lat
    x, y = lon, lat
    for _ in range(INVERSE_STEPS):
        gx, gy = to_gcj02(x, y)
        dx, dy = lon - gx, lat - gy
        x, y = x + dx, y + dy
        if abs(dx) < INVERSE_TOLERANCE_DEG and abs(dy) < INVERSE_TOLERANCE_DEG:
            break
    return x, y


def _positions(coordinates, convert):
    if coordinates and isinstance(coordinates[0], int | float):
        lon, lat = convert(coordinates[0], coordinates[1])
        return [lon, lat, *coordinates[2:]]
    return [_positions(part, convert) for part in coordinates]


def geometry_to_gcj02(geometry: dict) -> dict:
    """A GeoJSON geometry (or Feature, or FeatureCollection) with every position shifted to GCJ-02."""
    kind = geometry.get("type")
    if kind == "FeatureCollection":
        return {**geometry, "features": [geometry_to_gcj02(f) for f in geometry["features"]]}
    if kind == "Feature":
        return {**geometry, "geometry": geometry_to_gcj02(geometry["geometry"])}
    if kind == "GeometryCollection":
        return {**geometry, "geometries": [geometry_to_gcj02(g) for g in geometry["geometries"]]}
    return {**geometry, "coordinates": _positions(geometry["coordinates"], to_gcj02)}
