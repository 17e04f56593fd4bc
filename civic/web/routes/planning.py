"""Planning projects: the index, setting a project up, its planners, themes, and the project page (the list
of proposals beside the map)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from civic.web.routes.sections import section_page


async def index(request: Request):
    """Every planning project the viewer may see."""
    return await section_page(request, "planning")


routes: list[Route] = []
