"""The map: the bounding-box GeoJSON endpoint and each project's Folium map script."""

from __future__ import annotations

import json

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from civic import clock
from civic.db import read_only, run_in_session
from civic.errors import DomainError, InvalidInput
from civic.places.rules import Viewer
from civic.planning import features, filters, maps
from civic.web.deps import id_param, optional_viewer
from civic.web.render import gettext

GEOJSON = "application/geo+json"
JAVASCRIPT = "application/javascript"
NO_STORE = {"Cache-Control": "private, no-cache", "Vary": "Cookie"}


def _viewer(request: Request) -> Viewer:
    return optional_viewer(request) or Viewer(account_id=None)


def _display(request: Request) -> maps.Display:
    settings = request.app.state.settings
    return maps.Display(tiles=settings.map_tiles, attribution=settings.map_attribution,
                        gcj02=settings.map_display_crs == "gcj02")


def _json_error(request: Request, exc: DomainError) -> Response:
    body = json.dumps({"error": exc.render(lambda m: gettext(request, m))}, ensure_ascii=False)
    return Response(body, status_code=exc.status_code, media_type="application/json", headers=NO_STORE)


async def _read(request: Request, fn, **kwargs):
    """A read-only unit of work in the threadpool (no BEGIN/COMMIT round trips on PostgreSQL)."""
    return await run_in_threadpool(run_in_session, read_only(request.app.state.engine), fn, **kwargs)


async def features_geojson(request: Request):
    """The project's proposals and annotations inside `bbox` (or grid clusters of them), with the list's
    filter; errors as JSON."""
    params = request.query_params
    try:
        bbox = features.parse_bbox(params.get("bbox"))
        body = await _read(request, features.feature_collection, viewer=_viewer(request),
                           project_id=request.path_params["id"], bbox=bbox, zoom=features.parse_zoom(params.get("zoom")),
                           chosen=filters.parse_filter(params), gettext=lambda m: gettext(request, m),
                           now=clock.now())
    except DomainError as exc:
        return _json_error(request, exc)
    return Response(body, media_type=GEOJSON, headers=NO_STORE)


def _script(body: str) -> Response:
    return Response(body, media_type=JAVASCRIPT, headers=NO_STORE)


async def project_map(request: Request):
    """A project's Folium map as a script (`mode` = view, draw or boundary), run by static/js/planning-map.js."""
    body = await _read(request, maps.project_map_script, viewer=_viewer(request), project_id=request.path_params["id"],
                       mode=request.query_params.get("mode", "view"), display=_display(request),
                       gettext=lambda m: gettext(request, m), now=clock.now())
    return _script(body)


async def place_map(request: Request):
    """The boundary map of a project not yet created, around a place's compounds and buildings (staff only)."""
    if request.query_params.get("mode", "boundary") != "boundary":
        raise InvalidInput(maps.BAD_MODE, field="mode")
    place_id = id_param(request.query_params.get("place"))
    if place_id is None:
        raise InvalidInput(maps.NO_PLACE, field="place")
    body = await _read(request, maps.place_map_script, viewer=_viewer(request), place_id=place_id,
                       display=_display(request), gettext=lambda m: gettext(request, m))
    return _script(body)


routes = [
    Route("/map.js", place_map, name="place_map_script"),
    Route("/{id:int}/map.js", project_map, name="map_script"),
]
async def open_data_index(request: Request):
    """Every published planning project with its GeoJSON link (the open-data list)."""
    projects = await _read(request, features.published_projects)
    body = json.dumps({"projects": projects}, ensure_ascii=False)
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-cache"})


api_routes = [
    Route("/", open_data_index, name="index"),
    Route("/{id:int}/features.geojson", features_geojson, name="features"),
]
