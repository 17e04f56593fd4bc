"""Vote pages: the list, one vote with its live turnout and ballot form, casting, receipt checks."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from civic import clock
from civic.auth.permissions import place_viewer
from civic.errors import DomainError
from civic.pagination import page_number
from civic.votes import queries, service
from civic.web.deps import call, form_text, login_redirect
from civic.web.render import flash, gettext, redirect, render
from civic.web.routes import vote_admin, vote_paper, vote_results


async def index(request: Request):
    """Every vote, newest first, with its status."""
    found = await call(request, queries.list_votes, number=page_number(request.query_params.get("page")),
                       size=request.app.state.settings.page_size, now=clock.now())
    return render(request, "votes/index.html", {"found": found, "labels": queries})


async def _page(request: Request, vote_id: int) -> queries.VotePage:
    user = request.user
    return await call(request, queries.vote_page, vote_id=vote_id, person_id=user.person_id, now=clock.now(),
                      account_id=user.id if user.is_authenticated else None,
                      viewer=place_viewer(user) if user.is_authenticated else None)


async def detail(request: Request):
    """One vote; `?part=turnout` with HX-Request returns only the live turnout meter (polled)."""
    if request.query_params.get("part") == "turnout":
        # The poll is the hot path: only what the meter needs, none of the viewer's ballot lookups.
        page = await call(request, queries.vote_page, vote_id=request.path_params["id"], person_id=None,
                          now=clock.now())
        return render(request, "votes/detail.html", {"page": page, "labels": queries, "error": None},
                      block="turnout")
    page = await _page(request, request.path_params["id"])
    return render(request, "votes/detail.html", {"page": page, "labels": queries, "error": None})


async def cast(request: Request):
    """Cast or change the signed-in representative's ballot; answer with the receipt."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    form = await request.form()
    vote_id = request.path_params["id"]
    voter = service.Voter(account_id=request.user.id, person_id=request.user.person_id)
    for_key = form_text(form, "for_key", max_length=80) or None  # set when a proxy votes for someone
    try:
        receipt = await call(request, service.cast_ballot, vote_id=vote_id, voter=voter, for_key=for_key,
                             choice=form_text(form, "choice", max_length=20), now=clock.now())
    except DomainError as exc:
        if exc.status_code != 400:
            raise
        page = await _page(request, vote_id)
        return render(request, "votes/detail.html", {"page": page, "labels": queries, "error_key": for_key,
                      "error": exc.render(lambda m: gettext(request, m))}, status_code=400)
    message = gettext(request, "Your ballot has been changed. Receipt: %(receipt)s") if receipt.changed \
        else gettext(request, "Your ballot has been recorded. Receipt: %(receipt)s")
    flash(request, message % {"receipt": receipt.receipt}, "success")
    # A plain path, not url_for: this is the hot path, and url_for walks the whole route table.
    return redirect(request, f"/votes/{vote_id}")


async def receipt(request: Request):
    """Public check: is a receipt code on this vote's bulletin board?"""
    code = request.query_params.get("code", "")[:64]
    check = await call(request, queries.check_receipt, vote_id=request.path_params["id"], code=code)
    return render(request, "votes/receipt.html", {"check": check})


routes = [
    *vote_admin.routes,  # /new, /proposals …: scheduling votes and residents' proposals
    *vote_paper.routes,  # /{id}/paper …, /{id}/proxies …: staff entering paper ballots and proxy mandates
    *vote_results.routes,  # /{id}/certificate
    Route("/{id:int}", detail, name="detail"),
    Route("/{id:int}/ballot", cast, name="cast", methods=["POST"]),
    Route("/{id:int}/receipt", receipt, name="receipt"),
]
