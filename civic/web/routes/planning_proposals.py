"""Proposals on a planning map: adding one (drawn, typed as coordinates, or a register place), its page,
support, following, comments, statuses, themes; planners' annotations."""

from __future__ import annotations

from starlette.routing import Route

routes: list[Route] = []
