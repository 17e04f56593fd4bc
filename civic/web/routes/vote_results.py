"""A closed vote's printable result certificate."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from civic import clock
from civic.votes import certificate as certificates
from civic.votes import exports, queries
from civic.web.deps import call
from civic.web.render import render


async def certificate(request: Request):
    """The result certificate of a closed vote; before it closes, a 409 page saying when it will exist."""
    try:
        found = await call(request, certificates.certificate, vote_id=request.path_params["id"], now=clock.now())
    except certificates.VoteNotClosed as refused:
        return render(request, "votes/certificate.html", {"pending": refused.vote, "labels": queries},
                      status_code=409)
    return render(request, "votes/certificate.html", {"cert": found, "pending": None, "labels": queries,
                                                      "cert_labels": certificates, "files": exports.FILES})


routes = [
    Route("/{id:int}/certificate", certificate, name="certificate"),
]
