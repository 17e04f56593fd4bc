"""Residents' proposals for a vote (Art. 10): the list, proposing, one proposal with its support, supporting
and withdrawing. Staff schedule a proposal's vote through the schedule-a-vote form (vote_admin)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from civic import clock
from civic.auth.permissions import place_viewer
from civic.errors import DomainError
from civic.pagination import page_number
from civic.places.service import register_today
from civic.votes import proposal_queries, proposals, scheduling
from civic.votes import rules as vote_rules
from civic.votes.queries import MATTER_LABELS
from civic.web.deps import call, form_text, id_param, login_redirect
from civic.web.render import flash, gettext, redirect, render


async def index(request: Request):
    """Every proposal, newest first, with its support against the fifth of households it needs."""
    status = request.query_params.get("status") or None
    found = await call(request, proposal_queries.list_proposals, status=status,
                       number=page_number(request.query_params.get("page")),
                       size=request.app.state.settings.page_size)
    return render(request, "votes/proposals.html", {
        "found": found, "status": status, "statuses": proposal_queries.STATUS_LABELS, "matters": MATTER_LABELS})


async def propose(request: Request):
    """A signed-in resident proposes a vote for a place they live in."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    viewer = place_viewer(request.user)
    values = {"title": "", "description": "", "scope": "", "matter": "residents-matter"}
    problem = None
    if request.method == "POST":
        form = await request.form()
        values = {"title": form_text(form, "title", max_length=vote_rules.TITLE_MAX),
                  "description": form_text(form, "description", max_length=proposals.DESCRIPTION_MAX),
                  "scope": form_text(form, "scope", max_length=20), "matter": form_text(form, "matter", max_length=40)}
        try:
            proposal = await call(request, proposals.propose, viewer=viewer, scope_place_id=id_param(values["scope"]),
                                  title=values["title"], description=values["description"], matter=values["matter"],
                                  now=clock.now())
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            problem = exc
        else:
            flash(request, gettext(request, "Your proposal is published. Ask your neighbours to support it."),
                  "success")
            return redirect(request, request.url_for("votes:proposal", id=proposal.id).path)
    scopes = await call(request, scheduling.proposal_scopes, viewer=viewer, on=register_today())
    message = problem.render(lambda m: gettext(request, m)) if problem else None
    return render(request, "votes/propose.html", {
        "scopes": scopes, "values": values, "matters": scheduling.matter_choices(),
        "errors": [message] if message else [], "field_errors": {problem.field: message} if problem and problem.field else {},
    }, status_code=400 if problem else 200)


async def _page(request: Request, status_code: int = 200, error: str | None = None):
    page = await call(request, proposal_queries.proposal_page, proposal_id=request.path_params["id"],
                      viewer=place_viewer(request.user))
    return render(request, "votes/proposal.html", {
        "page": page, "error": error, "statuses": proposal_queries.STATUS_LABELS, "matters": MATTER_LABELS},
        status_code=status_code)


async def detail(request: Request):
    """One proposal: its support in words, the Support button, and the duty to schedule once reached."""
    return await _page(request)


async def _act(request: Request, action, done: str):
    """Run a proposal action for the signed-in viewer; a refusal is shown on the proposal page with its status."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    proposal_id = request.path_params["id"]
    try:
        await call(request, action, viewer=place_viewer(request.user), proposal_id=proposal_id, now=clock.now())
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return await _page(request, exc.status_code, exc.render(lambda m: gettext(request, m)))
    flash(request, done, "success")
    return redirect(request, request.url_for("votes:proposal", id=proposal_id).path)


async def support(request: Request):
    """The signed-in resident's household supports the proposal (once per household)."""
    return await _act(request, proposals.support, gettext(request, "Your household's support has been recorded."))


async def withdraw(request: Request):
    """The proposer withdraws the proposal while it still gathers support."""
    return await _act(request, proposals.withdraw, gettext(request, "Your proposal has been withdrawn."))


routes = [
    Route("/proposals", index, name="proposals"),
    Route("/proposals/new", propose, name="propose", methods=["GET", "POST"]),
    Route("/proposals/{id:int}", detail, name="proposal"),
    Route("/proposals/{id:int}/support", support, name="support", methods=["POST"]),
    Route("/proposals/{id:int}/withdraw", withdraw, name="withdraw", methods=["POST"]),
]
