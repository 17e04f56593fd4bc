"""Open data: the /open-data index, and each vote's files under /api/votes/<id>/ for anyone to download."""

from __future__ import annotations

from functools import partial

from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

from civic import clock
from civic.contests import exports as contest_exports
from civic.db import run_in_session
from civic.pagination import page_number
from civic.planning import features as planning_features
from civic.votes import exports, queries
from civic.web.deps import call
from civic.web.render import render

MEDIA_TYPES = {
    "roll": "text/csv; charset=utf-8",
    "ballots": "text/csv; charset=utf-8",
    "result": "application/json",
    "chain": "application/x-ndjson",
}


async def index(request: Request):
    """Every vote that publishes open data, newest first, with its files and how to recount them."""
    found = await call(request, exports.published_votes, number=page_number(request.query_params.get("page")),
                       size=request.app.state.settings.page_size, now=clock.now())
    contests = await call(request, contest_exports.published_contests)
    projects = await call(request, planning_features.published_projects)
    return render(request, "open_data/index.html", {"found": found, "files": exports.FILES, "labels": queries,
                                                    "contests": contests, "projects": projects})


def _download(file: str):
    async def download(request: Request):
        vote = await call(request, exports.published_vote, vote_id=request.path_params["id"], file=file,
                          now=clock.now())
        # Each page of rows is read in its own short transaction while the response streams (see exports).
        read = partial(run_in_session, request.app.state.engine)
        return StreamingResponse(exports.file_chunks(read, vote, file), media_type=MEDIA_TYPES[file], headers={
            "Content-Disposition": f'attachment; filename="{exports.download_name(vote.id, file)}"'})

    download.__name__ = f"{file}_file"
    download.__doc__ = f"A vote's {exports.FILES[file]}, streamed; 404 until the vote publishes it."
    return download


routes = [Route(f"/{{id:int}}/{name}", _download(file), name=file) for file, name in exports.FILES.items()]
