"""The map over HTTP: the bounding-box endpoint (GeoJSON, JSON errors, drafts hidden), the map scripts (their
type and who may have which), the map partial's container, and the tile host in the CSP."""

from __future__ import annotations

import re
from html import unescape
from types import SimpleNamespace

import pytest

from civic import clock, i18n
from civic.auth.models import Account
from civic.planning import maps
from civic.planning.models import Phase, ProposalStatus
from civic.web.app import create_app
from civic.web.middleware import SecurityHeadersMiddleware
from tests.conftest import CivicClient
from tests.unit.planning.builders import CENTRE, add_proposal, build_planning_world

TILES = "https://{s}.tiles.example.com/{z}/{x}/{y}.png"
BOX = f"{CENTRE[0] - 0.01},{CENTRE[1] - 0.01},{CENTRE[0] + 0.01},{CENTRE[1] + 0.01}"


def world(session, make_account, phase=Phase.discovery):
    w = build_planning_world(session, make_account, phase=phase, now=clock.now())
    w.proposal = add_proposal(session, w, author=w.zhang, title="路灯太暗")
    w.features = f"/api/planning/{w.project.id}/features.geojson"
    w.script = f"/planning/{w.project.id}/map.js"
    return w


@pytest.fixture
def w(session, make_account):
    return world(session, make_account)


def login(client, session, viewer) -> None:
    client.login_as(session.get(Account, viewer.account_id))


def test_the_features_of_a_box_as_geojson(client, w):
    answer = client.get(w.features, params={"bbox": BOX, "zoom": "16"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/geo+json"
    [feature] = answer.json()["features"]
    assert feature["properties"]["title"] == "路灯太暗" and feature["properties"]["status_label"] == "new, not yet reviewed"
    assert client.get(w.features).json()["features"] == [feature]  # no box: the project's own
    assert client.get(w.features, params={"bbox": BOX, "status": ProposalStatus.declined}).json()["features"] == []
    far = f"{CENTRE[0] + 0.1},{CENTRE[1]},{CENTRE[0] + 0.2},{CENTRE[1] + 0.1}"
    assert client.get(w.features, params={"bbox": far}).json() == {"type": "FeatureCollection", "features": []}


def test_a_bad_bbox_is_a_400_in_json(client, w):
    for bbox in ("1,2,3", "x,0,1,1", "nan,0,1,1", "2,0,1,1", "0,1,1,0", "0,0,200,1"):
        answer = client.get(w.features, params={"bbox": bbox})
        assert answer.status_code == 400 and answer.headers["content-type"] == "application/json"
        assert answer.json()["error"].startswith("The bbox must")


def test_a_draft_is_404_except_to_its_planners(client, session, make_account):
    w = world(session, make_account, phase=Phase.draft)
    answer = client.get(w.features)
    assert answer.status_code == 404 and answer.json() == {"error": "There is no such planning project."}
    assert client.get(w.script).status_code == 404
    login(client, session, w.zhang)
    assert client.get(w.features).status_code == 404
    login(client, session, w.planner)
    assert len(client.get(w.features).json()["features"]) == 1
    assert client.get(w.script, params={"mode": "boundary"}).status_code == 200


def test_the_map_scripts(client, session, w):
    answer = client.get(w.script)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/javascript")
    assert answer.text.startswith("(function () {") and "<script" not in answer.text
    assert f'claim("map_planning_{w.project.id}_view")' in answer.text
    assert client.get(w.script, params={"mode": "draw"}).status_code == 200
    assert client.get(w.script, params={"mode": "satellite"}).status_code == 400
    place = f"/planning/map.js?mode=boundary&place={w.r.community.id}"
    login(client, session, w.zhang)
    assert client.get(w.script, params={"mode": "boundary"}).status_code == 403
    assert client.get(place).status_code == 403
    login(client, session, w.staff)
    assert client.get(w.script, params={"mode": "boundary"}).status_code == 200
    answer = client.get(place)
    assert answer.status_code == 200 and f'claim("map_place_{w.r.community.id}_boundary")' in answer.text
    assert client.get("/planning/map.js?mode=boundary").status_code == 400


def render_map(app, **arguments) -> str:
    template = app.state.jinja.from_string(
        '{% from "_partials/map.html" import planning_map with context %}{{ planning_map(**arguments) }}')
    return template.render(request=SimpleNamespace(app=app), settings=app.state.settings,
                           _translations=i18n.translations("en"), arguments=arguments)


def attributes(page: str, element_id: str) -> dict[str, str]:
    tag = re.search(rf'<div id="{element_id}"([^>]*)>', page).group(1)
    return {name: unescape(value) for name, value in re.findall(r'([\w-]+)="([^"]*)"', tag)}


def test_the_map_partial(app, w):
    page = render_map(app, project=w.project, mode="view", filter_query="status=received&q=<路灯>",
                      label="Map of the proposals listed")
    key = maps.container_id(project_id=w.project.id, mode="view")
    found = attributes(page, key)
    assert found["data-map-script"] == f"/planning/{w.project.id}/map.js?mode=view"
    assert found["data-features-url"] == f"/api/planning/{w.project.id}/features.geojson"
    assert found["data-filter-query"] == "status=received&q=<路灯>" and "<路灯>" not in page  # escaped in HTML
    assert found["data-vendor-js"].split() == maps.VENDOR_SCRIPTS
    assert found["data-vendor-css"].split() == maps.VENDOR_STYLES
    assert found["aria-label"] == "Map of the proposals listed" and found["data-display-crs"] == ""
    assert found["data-text-cluster-other"] == "{count} places here: zoom in to see them"
    assert "data-map-block hidden" in page and f'href="#{key}-after"' in page and f'id="{key}-after"' in page
    assert "The list has the same proposals as the map" in page
    draw = attributes(render_map(app, project=w.project, mode="draw", geometry_target="geometry"),
                      maps.container_id(project_id=w.project.id, mode="draw"))
    assert draw["data-geometry-target"] == "geometry" and "data-features-url" not in draw
    place = attributes(render_map(app, place=w.r.community, mode="boundary", geometry_target="boundary"),
                       maps.container_id(place_id=w.r.community.id, mode="boundary"))
    assert place["data-map-script"] == f"/planning/map.js?mode=boundary&place={w.r.community.id}"


def test_the_tile_host_is_allowed_for_images_only(settings, engine):
    with CivicClient(create_app(settings, engine=engine)) as plain:
        assert plain.get("/healthz").headers["content-security-policy"] == SecurityHeadersMiddleware.CSP
    app = create_app(settings.with_(map_tiles=TILES, map_attribution="© Example"), engine=engine)
    with CivicClient(app) as tiled:
        policy = tiled.get("/healthz").headers["content-security-policy"]
    assert policy == SecurityHeadersMiddleware.CSP.replace("img-src 'self' data:",
                                                           "img-src 'self' data: https://*.tiles.example.com")
    same_host = create_app(settings.with_(map_tiles="http://127.0.0.1:8000/tiles/{z}/{x}/{y}.png"), engine=engine)
    with CivicClient(same_host) as own:
        assert own.get("/healthz").headers["content-security-policy"] == SecurityHeadersMiddleware.CSP
