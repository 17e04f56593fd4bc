"""GCJ-02 display shifting: the published reference vector, the identity outside China, and a round trip
back to WGS-84 well under a metre."""

from __future__ import annotations

import math

import pytest

from civic.planning import gcj02
from civic.settings import SettingsError, load_settings


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    per_deg = math.pi * 6_371_008.8 / 180
    return math.hypot((a[0] - b[0]) * per_deg * math.cos(math.radians(a[1])), (a[1] - b[1]) * per_deg)


def test_the_reference_vectors():
    # coordtransform / eviltransform: wgs84togcj02(116.404, 39.915) (天安门)
    assert gcj02.to_gcj02(116.404, 39.915) == pytest.approx((116.41024449916938, 39.91640428150164), abs=1e-12)
    # 武昌 moves by a few hundred metres, mostly east and south.
    lon, lat = gcj02.to_gcj02(114.3452, 30.5561)
    assert 400 < metres((lon, lat), (114.3452, 30.5561)) < 800 and lon > 114.3452 and lat < 30.5561


@pytest.mark.parametrize("position", [(2.2945, 48.8584), (-74.0445, 40.6892), (151.2153, -33.8568)])
def test_outside_china_nothing_moves(position):
    assert gcj02.to_gcj02(*position) == position and gcj02.to_wgs84(*position) == position


@pytest.mark.parametrize("position", [(114.3452, 30.5561), (116.404, 39.915), (121.4998, 31.2397), (87.6, 43.8),
                                      (126.6, 45.75), (110.3, 20.0)])
def test_the_round_trip_is_under_a_centimetre(position):
    back = gcj02.to_wgs84(*gcj02.to_gcj02(*position))
    assert metres(back, position) < 0.01


def test_geometries_shift_every_position_and_keep_their_shape():
    ring = [[114.34, 30.55], [114.35, 30.55], [114.35, 30.56], [114.34, 30.55]]
    shifted = gcj02.geometry_to_gcj02({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "南苑村小区"}, "geometry": {"type": "Polygon", "coordinates": [ring]}},
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [114.34, 30.55, 20.0]}}]})
    polygon, point = (f["geometry"] for f in shifted["features"])
    assert polygon["coordinates"][0] == [list(gcj02.to_gcj02(*p)) for p in ring]
    assert point["coordinates"] == [*gcj02.to_gcj02(114.34, 30.55), 20.0]
    assert shifted["features"][0]["properties"] == {"name": "南苑村小区"}


def test_the_display_setting(tmp_path):
    def display(value: str) -> str:
        return load_settings({"CIVIC_VAR_DIR": str(tmp_path), "CIVIC_MAP_DISPLAY_CRS": value},
                             env_file=tmp_path / "none").map_display_crs

    assert [display(v) for v in ("", "wgs84", "GCJ02")] == ["", "", "gcj02"]
    with pytest.raises(SettingsError, match="CIVIC_MAP_DISPLAY_CRS"):
        display("bd09")
