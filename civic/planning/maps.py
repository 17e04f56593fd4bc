"""Each project's Folium map, served as a script (`/planning/<id>/map.js`), never as a page of its own.

Folium writes the Leaflet set-up: the map, the boundary, the register's compounds and buildings, the
configured tiles, the point cluster group or the drawing control. What it does not do is done elsewhere:
loading the libraries (static/js/planning-map.js, from /static/vendor, in the order below), loading the
features of the visible area (the same script, from features.py's endpoint), and copying drawn shapes into
the form. Four Folium habits are undone here (DOMAIN-RULES §5, STACK-NOTES "Folium offline"):
- its CDN lists: each element gets its own list of local files (the class lists are shared: never
  `add_js_link`);
- its random element names: every element gets an id derived from the project and mode, so the map's
  name is the id of the container the page renders;
- its page header (`html, body {height: 100%}`, global switches): only the script is served; the container
  is styled by civic.css, and Leaflet reads `L_NO_TOUCH`/`L_DISABLE_3D` as optional globals;
- unescaped tooltips: register names are escaped before Folium puts them into `innerHTML`.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import folium
from branca.element import Element, MacroElement
from folium.plugins import Draw, MarkerCluster
from folium.template import Template
from shapely.errors import ShapelyError
from shapely.geometry import shape
from sqlalchemy import select
from sqlmodel import Session

from civic.errors import InvalidInput, NotFound, PermissionDenied
from civic.i18n import N_
from civic.places import rules as place_rules
from civic.places.models import Place, PlaceKind
from civic.places.rules import Viewer
from civic.planning import access, gcj02, rules
from civic.planning.models import BaseLayer

MODES = ("view", "draw", "boundary")
VENDOR = "/static/vendor"
MAP_JS = [("leaflet", f"{VENDOR}/leaflet-1.9.4/leaflet.js")]
MAP_CSS = [("leaflet_css", f"{VENDOR}/leaflet-1.9.4/leaflet.css")]
CLUSTER_JS = [("markerclusterjs", f"{VENDOR}/leaflet.markercluster-1.5.3/leaflet.markercluster.js")]
CLUSTER_CSS = [("markerclustercss", f"{VENDOR}/leaflet.markercluster-1.5.3/MarkerCluster.css"),
               ("markerclusterdefaultcss", f"{VENDOR}/leaflet.markercluster-1.5.3/MarkerCluster.Default.css")]
DRAW_JS = [("leaflet_draw_js", f"{VENDOR}/leaflet-draw-1.0.4/leaflet.draw.js")]
DRAW_CSS = [("leaflet_draw_css", f"{VENDOR}/leaflet-draw-1.0.4/leaflet.draw.css")]
# What the page loads before any map script, in this order (templates/_partials/map.html lists the same).
VENDOR_SCRIPTS = [path for _name, path in (*MAP_JS, *CLUSTER_JS, *DRAW_JS)]
VENDOR_STYLES = [path for _name, path in (*MAP_CSS, *CLUSTER_CSS, *DRAW_CSS)]

MAX_ZOOM = 19
FALLBACK_CENTRE = (114.3162, 30.5544)  # lon, lat: Wuchang, when a place has nothing on the register map
BOUNDARY_STYLE = {"color": "#1a365d", "weight": 3, "opacity": 0.9, "fill": True, "fillOpacity": 0.04,
                  "dashArray": "6 4"}
REGISTER_STYLE = {
    PlaceKind.compound: {"radius": 6, "color": "#4a5568", "weight": 2, "fillColor": "#ffffff", "fillOpacity": 0.9},
    PlaceKind.building: {"radius": 3, "color": "#718096", "weight": 1, "fillColor": "#a0aec0", "fillOpacity": 0.9},
}
DRAWN_STYLE = {"color": "#b7791f", "weight": 3}
DRAW_OPTIONS = {
    "draw": {"marker": True, "polyline": {"shapeOptions": DRAWN_STYLE},
             "polygon": {"allowIntersection": False, "showArea": False, "shapeOptions": DRAWN_STYLE},
             "rectangle": False, "circle": False, "circlemarker": False},
    "boundary": {"marker": False, "polyline": False,
                 "polygon": {"allowIntersection": False, "showArea": False, "shapeOptions": DRAWN_STYLE},
                 "rectangle": False, "circle": False, "circlemarker": False},
}
LAYER_NAMES = {PlaceKind.compound: N_("Compounds"), PlaceKind.building: N_("Buildings")}
REGISTER_TYPES = {"Point", "LineString", "Polygon", "MultiPolygon"}
BAD_MODE = N_("The map mode must be view, draw or boundary.")
NO_PLACE = N_("Choose the place whose boundary you are drawing.")


@dataclass(frozen=True)
class Display:
    """How the map is drawn: the configured tiles (empty: none) and whether to shift onto GCJ-02."""

    tiles: str = ""
    attribution: str = ""
    gcj02: bool = False


@dataclass(frozen=True)
class RegisterPoint:
    kind: str
    name: str
    geometry: dict


def map_key(*, project_id: int | None = None, place_id: int | None = None, mode: str) -> str:
    """The id every element of one map is named after; the container's id is "map_" + this."""
    return f"planning_{project_id}_{mode}" if project_id is not None else f"place_{place_id}_{mode}"


def container_id(**kwargs) -> str:
    return "map_" + map_key(**kwargs)


class Attach(MacroElement):
    """Hands the map (and its drawing layer or point cluster group) to static/js/planning-map.js."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            window.CivicPlanningMap.attach({{ this._parent.get_name() }},
                {{ this.drawn.get_name() if this.drawn else "null" }},
                {{ this.points.get_name() if this.points else "null" }});
        {% endmacro %}
    """)

    def __init__(self, drawn=None, points=None):
        super().__init__()
        self._name = "Attach"
        self.drawn = drawn
        self.points = points


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise InvalidInput(BAD_MODE, field="mode")


def register_points(session: Session, place: Place, layers: Iterable[str]) -> list[RegisterPoint]:
    """The compounds and buildings under `place` that have a position on the register, if the map
    shows their layers. One query."""
    kinds = [kind for kind, layer in ((PlaceKind.compound, BaseLayer.compounds),
                                      (PlaceKind.building, BaseLayer.buildings)) if layer in layers]
    if not kinds:
        return []
    rows = session.execute(select(Place.kind, Place.name, Place.geojson)
                           .where(Place.path.startswith(place.path), Place.kind.in_(kinds),
                                  Place.geojson.is_not(None))
                           .order_by(Place.path)).all()
    return [RegisterPoint(kind, name, geometry) for kind, name, text in rows
            if (geometry := _register_geometry(text)) is not None]


def _register_geometry(text: str | None) -> dict | None:
    """A register position as a GeoJSON geometry; a malformed one is the register's problem, not the map's,
    so it is left out rather than breaking the map."""
    try:
        geometry = json.loads(text or "")
    except ValueError:
        return None
    if not isinstance(geometry, dict) or geometry.get("type") not in REGISTER_TYPES:
        return None
    try:
        bounds = shape(geometry).bounds
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, ShapelyError):
        return None
    return geometry if bounds and all(math.isfinite(b) for b in bounds) else None


def _extent(geometries: Iterable[dict]) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of the positions in these GeoJSON geometries."""
    lons, lats = [], []

    def walk(coords):
        if coords and isinstance(coords[0], int | float):
            lons.append(coords[0])
            lats.append(coords[1])
        else:
            for part in coords:
                walk(part)

    for geometry in geometries:
        walk(geometry["coordinates"])
    return (min(lons), min(lats), max(lons), max(lats)) if lons else None


def _feature_collection(points: list[RegisterPoint], kind: str, shift: Callable[[dict], dict]) -> dict:
    # Folium's GeoJsonTooltip writes properties with innerHTML: register names are data, so escape them.
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": shift(p.geometry), "properties": {"name": html.escape(p.name)}}
        for p in points if p.kind == kind]}


def _name_elements(m: folium.Map, key: str) -> None:
    """Stable element names: the map is "map_<key>", every descendant "<kind>_<key>_<n>" in tree order."""
    m._id = key
    counter = 0

    def walk(element: Element) -> None:
        nonlocal counter
        for child in element._children.values():
            counter += 1
            child._id = f"{key}_{counter}"
            walk(child)

    walk(m)


def build_map(*, key: str, mode: str, extent: tuple[float, float, float, float] | None, boundary: dict | None,
              register: list[RegisterPoint], layers: Iterable[str], display: Display,
              gettext: Callable[[str], str]) -> folium.Map:
    """The Folium map of one project (or, for a new project's boundary, one place)."""
    _check_mode(mode)
    shift = gcj02.geometry_to_gcj02 if display.gcj02 else (lambda g: g)
    point = gcj02.to_gcj02 if display.gcj02 else (lambda lon, lat: (lon, lat))
    west, south, east, north = extent or (*FALLBACK_CENTRE, *FALLBACK_CENTRE)
    (west, south), (east, north) = point(west, south), point(east, north)
    # With no tile layer Leaflet has no maximum zoom, and markercluster refuses to start: give the map one
    # (Folium's own `max_zoom` only reaches a tile layer it creates).
    m = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=15 if extent else 13,
                   tiles=None, maxZoom=MAX_ZOOM, control_scale=True)
    m.default_js, m.default_css = list(MAP_JS), list(MAP_CSS)
    if display.tiles and BaseLayer.tiles in layers:
        folium.TileLayer(tiles=display.tiles, attr=display.attribution or _host(display.tiles),
                         name=gettext("Base map"), max_zoom=MAX_ZOOM, max_native_zoom=MAX_ZOOM).add_to(m)
    if boundary is not None:
        folium.GeoJson(shift(boundary), name=gettext("Project boundary"), style_function=lambda _f: BOUNDARY_STYLE,
                       interactive=False, control=False).add_to(m)
    for kind in (PlaceKind.compound, PlaceKind.building):
        data = _feature_collection(register, kind, shift)
        if data["features"]:
            folium.GeoJson(data, name=gettext(LAYER_NAMES[kind]), marker=folium.CircleMarker(**REGISTER_STYLE[kind]),
                           tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False), control=False).add_to(m)
    if extent:
        m.fit_bounds([[south, west], [north, east]], max_zoom=17)
    drawn = points = None
    if mode == "view":
        points = MarkerCluster(name=gettext("Proposals"), control=False,
                               options={"showCoverageOnHover": False, "maxClusterRadius": 50})
        points.default_js, points.default_css = list(CLUSTER_JS), list(CLUSTER_CSS)
        points.add_to(m)
    else:
        drawn = folium.FeatureGroup(name=gettext("Drawing"), control=False).add_to(m)
        draw = Draw(feature_group=drawn, show_geometry_on_click=False, position="topleft",
                    draw_options=DRAW_OPTIONS[mode], edit_options={"poly": {"allowIntersection": False}})
        draw.default_js, draw.default_css = list(DRAW_JS), list(DRAW_CSS)
        draw.add_to(m)
    Attach(drawn=drawn, points=points).add_to(m)
    _name_elements(m, key)
    return m


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


def script_of(m: folium.Map, key: str) -> str:
    """The map's script alone, inside a function that runs only if its container is on the page and not
    yet a map (an older request for the same map may have arrived after an HTMX swap)."""
    root = m.get_root()
    root.render()
    body = root.script.render()
    container = json.dumps("map_" + key)
    return ("(function () {\n"
            f"  if (!window.CivicPlanningMap || !window.CivicPlanningMap.claim({container})) {{ return; }}\n"
            f"{body}\n}})();\n")


def project_map_script(session: Session, *, viewer: Viewer, project_id: int, mode: str, display: Display,
                       gettext: Callable[[str], str], now: datetime) -> str:
    """A project's map as a script: anyone who may see the project gets its view and drawing maps; its
    boundary map only those who may edit it."""
    _check_mode(mode)
    project, place, roles = access.visible_project(session, viewer=viewer, project_id=project_id, now=now)
    if mode == "boundary":
        access.check("edit_project", rules.project_phase(project, now), roles, place)
    layers = rules.parse_layers(project.base_layers)
    key = map_key(project_id=project.id, mode=mode)
    m = build_map(key=key, mode=mode, extent=(project.min_lon, project.min_lat, project.max_lon, project.max_lat),
                  boundary=json.loads(project.boundary), register=register_points(session, place, layers),
                  layers=layers, display=display, gettext=gettext)
    return script_of(m, key)


def place_map_script(session: Session, *, viewer: Viewer, place_id: int, display: Display,
                     gettext: Callable[[str], str]) -> str:
    """The boundary map for a project not yet created: the place's compounds and buildings to draw around.
    Only staff of the place may ask (they set projects up)."""
    place = session.get(Place, place_id)
    if place is None:
        raise NotFound(N_("There is no such place."))
    if not place_rules.can_manage(viewer, place.path):
        raise PermissionDenied(N_("Only staff of %(place)s can draw a planning project's boundary there."),
                               place=place.name)
    layers = {BaseLayer.tiles, BaseLayer.compounds, BaseLayer.buildings}
    register = register_points(session, place, layers)
    own = _register_geometry(place.geojson)
    key = map_key(place_id=place.id, mode="boundary")
    m = build_map(key=key, mode="boundary", extent=_extent([*([own] if own else []), *(p.geometry for p in register)]),
                  boundary=None, register=register, layers=layers, display=display, gettext=gettext)
    return script_of(m, key)
