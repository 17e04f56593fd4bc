"""Contest open data under /api/contests/<id>/: scores.csv and contributions.csv in the `civic rank` and
`civic match` formats, and results.json; all published with the results, a 404 that says when before."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from civic import clock
from civic.contests import exports
from civic.web.deps import call

MEDIA_TYPES = {"scores": exports.CSV_TYPE, "contributions": exports.CSV_TYPE, "results": "application/json"}


async def index(request: Request):
    """Every contest with published results, with its results page and its three files."""
    contests = await call(request, exports.published_contests)
    return Response(json.dumps({"contests": contests}, ensure_ascii=False, indent=1), media_type="application/json")


def _download(file: str):
    async def download(request: Request):
        contest_id = request.path_params["id"]
        text = await call(request, exports.open_file, contest_id=contest_id, file=file, now=clock.now())
        return Response(text.encode("utf-8"), media_type=MEDIA_TYPES[file], headers={
            "Content-Disposition": f'attachment; filename="{exports.download_name(contest_id, file)}"'})

    download.__name__ = f"{file}_file"
    download.__doc__ = f"A contest's {exports.FILES[file]}; 404 until its results are published."
    return download


routes = [
    Route("/", index, name="index"),
    *(Route(f"/{{id:int}}/{name}", _download(file), name=file) for file, name in exports.FILES.items()),
]
