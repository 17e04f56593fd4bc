"""The Folium map scripts: nothing from another host, local vendor files, stable names, tiles only when
configured (with their attribution), register names escaped, the drawing control per mode, GCJ-02 shifting."""

from __future__ import annotations

import json
import re

import folium
import pytest
from folium.plugins import Draw, MarkerCluster

from civic.errors import InvalidInput, NotFound, PermissionDenied
from civic.planning import gcj02, maps
from tests.unit.planning.builders import CENTRE, NOW, build_planning_world

TILES = "https://{s}.tiles.example.com/{z}/{x}/{y}.png"
EVIL = "<img src=x onerror=alert(1)>"
URL = re.compile(r"https?://[^\s\"'`)]+")


@pytest.fixture
def w(session, make_account):
    w = build_planning_world(session, make_account)
    for place, dx in ((w.r.compound, 0.0), (w.r.building, 0.001), (w.r.building2, 0.002),
                      (w.r.other_building, 0.003)):
        place.geojson = json.dumps({"type": "Point", "coordinates": [CENTRE[0] + dx, CENTRE[1]]})
    w.r.building2.name = EVIL
    session.commit()
    return w


def script(session, w, mode="view", viewer=None, display=maps.Display(), layers=None) -> str:
    if layers is not None:
        w.project.base_layers = layers
        session.commit()
    return maps.project_map_script(session, viewer=viewer or w.zhang, project_id=w.project.id, mode=mode,
                                   display=display, gettext=lambda m: m, now=NOW)


def test_nothing_from_another_host_and_stable_names(session, w):
    key = f"planning_{w.project.id}"
    for mode in maps.MODES:
        text = script(session, w, mode, viewer=w.planner)
        assert URL.findall(text) == [] and "<script" not in text and "$(" not in text and '"maxZoom": 19' in text
        assert f'L.map(\n                "map_{key}_{mode}"' in text
        assert f'CivicPlanningMap.claim("map_{key}_{mode}")' in text
        assert text == script(session, w, mode, viewer=w.planner)  # the same names every time
        assert not re.search(r"_[0-9a-f]{32}\b", text)  # none of Folium's random names left
        assert maps.container_id(project_id=w.project.id, mode=mode) == f"map_{key}_{mode}"


def test_local_vendor_files_on_every_element():
    m = maps.build_map(key="k", mode="draw", extent=None, boundary=None, register=[], layers=(),
                       display=maps.Display(), gettext=str)
    view = maps.build_map(key="v", mode="view", extent=None, boundary=None, register=[], layers=(),
                          display=maps.Display(), gettext=str)
    header = m.get_root().render() + view.get_root().render()
    sources = re.findall(r'(?:src|href)="([^"]+)"', header)
    assert sources and all(s.startswith("/static/vendor/") for s in sources)
    assert set(sources) == set(maps.VENDOR_SCRIPTS) | set(maps.VENDOR_STYLES)
    # The class lists stay as Folium ships them: nothing was added to them (no add_js_link).
    assert all("/static/" not in url for cls in (folium.Map, Draw, MarkerCluster) for _n, url in cls.default_js)


def test_tiles_only_when_configured_and_chosen(session, w):
    display = maps.Display(tiles=TILES, attribution="© Example 地图")
    text = script(session, w, display=display)
    assert "L.tileLayer(" in text and json.dumps(TILES) in text and "© Example 地图" in json.loads(
        re.search(r'"attribution": ("[^"]*")', text).group(1))
    assert URL.findall(text) == ["https://{s}.tiles.example.com/{z}/{x}/{y}.png"]
    assert "L.tileLayer(" not in script(session, w)
    assert "L.tileLayer(" not in script(session, w, display=display, layers="compounds,buildings")


def test_register_layers_inside_the_place_with_names_escaped(session, w):
    text = script(session, w)
    assert "\\u5357\\u82d1\\u6751\\u5c0f\\u533a" in text  # 南苑村小区, as JSON escapes
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in text  # &lt;img …&gt; once in the browser
    assert "<img" not in text and "\\u003cimg" not in text
    assert str(CENTRE[0] + 0.003) not in text  # 沙湖苑's building is in another community
    assert str(CENTRE[0] + 0.001) not in script(session, w, layers="tiles,compounds")  # buildings not chosen
    assert "CircleMarker" not in script(session, w, layers="tiles")


def test_the_drawing_control_per_mode(session, w):
    view, draw, boundary = (script(session, w, mode, viewer=w.planner) for mode in maps.MODES)
    assert "L.markerClusterGroup(" in view and "L.Control.Draw" not in view
    assert re.search(r"CivicPlanningMap.attach\(map_\w+,\s+null,\s+marker_cluster_\w+\);", view)
    for text in (draw, boundary):
        assert "L.Control.Draw" in text and "alert(coords)" not in text
        assert re.search(r"CivicPlanningMap.attach\(map_\w+,\s+feature_group_\w+,\s+null\);", text)
    assert '"marker": true' in draw and '"polyline": {' in draw
    assert '"marker": false' in boundary and '"polyline": false' in boundary and '"polygon": {' in boundary


def test_who_gets_which_map(session, w):
    assert script(session, w, "draw", viewer=w.anonymous)  # the form checks who may post
    for viewer in (w.zhang, w.anonymous):
        with pytest.raises(PermissionDenied):
            script(session, w, "boundary", viewer=viewer)
    with pytest.raises(NotFound):
        maps.place_map_script(session, viewer=w.staff, place_id=99999, display=maps.Display(), gettext=str)
    with pytest.raises(PermissionDenied):
        maps.place_map_script(session, viewer=w.other_staff, place_id=w.r.community.id, display=maps.Display(),
                              gettext=str)
    text = maps.place_map_script(session, viewer=w.staff, place_id=w.r.community.id, display=maps.Display(),
                                 gettext=str)
    assert f'claim("map_place_{w.r.community.id}_boundary")' in text and "fitBounds" in text
    with pytest.raises(InvalidInput):
        script(session, w, "satellite")


def test_gcj02_shifts_what_folium_embeds(session, w):
    plain, shifted = script(session, w), script(session, w, display=maps.Display(gcj02=True))
    ring = json.loads(w.project.boundary)["coordinates"][0]
    assert json.dumps(ring[0]) in plain
    lon, lat = gcj02.to_gcj02(*ring[0])
    assert json.dumps([lon, lat]) in shifted and json.dumps(ring[0]) not in shifted
