"""The map: the bounding-box GeoJSON endpoint and each project's Folium map script."""

from __future__ import annotations

from starlette.routing import Route

routes: list[Route] = []
api_routes: list[Route] = []
