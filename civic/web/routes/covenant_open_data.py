"""Open data of covenants under /api/covenants/: the adopted covenants with their signature counts, each
adopted text (JSON, and the exact plain text whose SHA-256 the vote recorded), and each version history."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from civic.covenants import published
from civic.web.deps import call


def _json(data) -> Response:
    return Response(json.dumps(data, ensure_ascii=False, indent=1), media_type="application/json")


async def index(request: Request):
    """Every adopted (or since superseded or repealed) covenant, with its hash and signature counts."""
    return _json({"covenants": await call(request, published.signature_counts)})


async def adopted_json(request: Request):
    """One covenant's adopted text, clause by clause, with its dates, vote, hash and signature counts."""
    covenant = await call(request, published.adopted_covenant, covenant_id=request.path_params["id"])
    return _json(published.adopted_record(covenant))


async def adopted_text(request: Request):
    """The adopted text exactly as hashed: `sha256sum` of this file equals the vote's recorded hash."""
    covenant = await call(request, published.adopted_covenant, covenant_id=request.path_params["id"])
    return Response(covenant.text.encode("utf-8"), media_type="text/plain; charset=utf-8", headers={
        "Content-Disposition": f'inline; filename="covenant-{covenant.id}-adopted.txt"'})


async def history_json(request: Request):
    """Every text frozen for a vote with its outcome, and every version of every clause."""
    return _json(await call(request, published.history_record, covenant_id=request.path_params["id"]))


routes = [
    Route("/{id:int}/adopted.json", adopted_json, name="adopted_json"),
    Route("/{id:int}/adopted.txt", adopted_text, name="adopted_text"),
    Route("/{id:int}/history.json", history_json, name="history_json"),
]
