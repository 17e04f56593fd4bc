"""Uploaded files served from the database with safe headers (see civic/uploads.py): only to whoever may see
what the file is attached to, with the type read from its content and nothing the browser could run."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from civic import clock, uploads
from civic.auth.permissions import place_viewer
from civic.web.deps import call


async def serve(request: Request):
    """The file's bytes, inline, as the type its content showed; a sandbox policy in case a browser still
    tried to treat it as a document."""
    row = await call(request, uploads.viewable_file, viewer=place_viewer(request.user),
                     file_id=request.path_params["id"], now=clock.now())
    return Response(row.data, media_type=row.content_type, headers={
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f'inline; filename="{uploads.filename(row)}"',
        # Private: whether it may be seen depends on who asks (a draft's images are its team's only).
        "Cache-Control": "private, max-age=3600",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    })


routes = [
    Route("/{id:int}", serve, name="file"),
]
