"""The capability sections not built yet: empty states until each capability lands."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from civic.i18n import N_
from civic.web.render import render

SECTIONS = {
    "grants": (N_("Grants"), N_("Venture-philanthropy grants for community organisations: calls, applications, reviews, awards and every tranche disclosed."), N_("No grant programmes have been opened yet.")),
}


async def section_page(request: Request, key: str):
    title, intro, empty = SECTIONS[key]
    return render(request, "sections/section.html", {"key": key, "title": title, "intro": intro, "empty": empty})


def _section(key: str):
    async def page(request: Request):
        return await section_page(request, key)

    page.__name__ = f"{key}_index"
    page.__doc__ = f"The {key} section."
    return page


routes = [Route(f"/{key}", _section(key), name=key) for key in SECTIONS]
