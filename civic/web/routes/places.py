"""The register under /register: staff pages (places, unit search, units), link requests and their queue."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from civic.auth.permissions import place_viewer
from civic.errors import DomainError
from civic.pagination import page_number
from civic.places import links, service
from civic.places.rules import Viewer
from civic.web.deps import call, form_text, id_param, login_redirect
from civic.web.render import flash, gettext, redirect, render


def viewer_of(request: Request) -> Viewer:
    """The register's view of request.user (one definition, in civic.auth.permissions)."""
    return place_viewer(request.user)


async def index(request: Request):
    """The places the signed-in staff member looks after (the district for administrators)."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    overview = await call(request, service.register_index, viewer=viewer_of(request))
    return render(request, "places/index.html", {"overview": overview})


async def place(request: Request):
    """One place: totals, and its children (buildings list their units), paginated."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    found = await call(request, service.place_page, viewer=viewer_of(request), place_id=request.path_params["id"],
                       page=page_number(request.query_params.get("page")),
                       size=request.app.state.settings.page_size)
    return render(request, "places/place.html", {"found": found})


async def units(request: Request):
    """Search units in the staff member's scope; HTMX swaps only the results block as the user types."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    q = request.query_params
    filters = {k: q.get(k, "").strip()[:80] for k in ("compound", "building", "number", "owner")}
    results = await call(request, service.search_units, viewer=viewer_of(request), within=id_param(q.get("within")),
                         page=page_number(q.get("page")), size=request.app.state.settings.page_size, **filters)
    return render(request, "places/units.html", {"results": results, "filters": filters,
                                                 "within": id_param(q.get("within"))}, block="results")


async def unit(request: Request):
    """A unit: area, owners and tenants with their dates, households and grid (staff only)."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    detail = await call(request, service.unit_page, viewer=viewer_of(request), unit_id=request.path_params["id"])
    return render(request, "places/unit.html", {"detail": detail})


async def link_request(request: Request):
    """A resident asks to be linked to a unit (compound → building → unit number) and sees their requests."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    q = request.query_params
    values, errors, status = {"kind": "owner", "number": "", "note": ""}, [], 200
    compound_id, building_id = id_param(q.get("compound")), id_param(q.get("building"))
    if request.method == "POST":
        form = await request.form()
        values = {"kind": form_text(form, "kind"), "number": form_text(form, "number", max_length=40),
                  "note": form_text(form, "note", max_length=500)}
        compound_id, building_id = id_param(form.get("compound")), id_param(form.get("building"))
        try:
            await call(request, links.request_link, account_id=request.user.id, building_id=building_id, **values)
        except DomainError as exc:
            errors, status = [exc.render(lambda m: gettext(request, m))], exc.status_code
        else:
            flash(request, gettext(request, "Your request has been sent. Staff of your community will answer it."),
                  "success")
            return redirect(request, request.url_for("register:link_request").path)
    page = await call(request, links.link_page, account_id=request.user.id, compound_id=compound_id,
                      building_id=building_id)
    return render(request, "places/link.html", {"page": page, "values": values, "errors": errors},
                  block="picker" if request.method == "GET" else None, status_code=status)


async def queue(request: Request):
    """Pending link requests for the places this staff member looks after."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    found = await call(request, links.link_queue, viewer=viewer_of(request),
                       page=page_number(request.query_params.get("page")), size=request.app.state.settings.page_size)
    return render(request, "places/queue.html", {"found": found, "errors": {}, "reasons": {}})


async def decide(request: Request):
    """Approve or reject one link request with a reason; a missing reason re-renders the queue with a 400."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    form = await request.form()
    request_id = request.path_params["id"]
    reason = form_text(form, "reason", max_length=500)
    try:
        await call(request, links.decide_link_request, viewer=viewer_of(request), request_id=request_id,
                   approve=form.get("decision") == "approve", reason=reason)
    except DomainError as exc:
        if exc.status_code != 400:
            raise  # 403, 404 and 409 get the error page
        found = await call(request, links.link_queue, viewer=viewer_of(request), page=1,
                           size=request.app.state.settings.page_size)
        return render(request, "places/queue.html", {
            "found": found, "errors": {request_id: exc.render(lambda m: gettext(request, m))},
            "reasons": {request_id: reason}}, status_code=400)
    flash(request, gettext(request, "The request has been decided and the resident notified."), "success")
    return redirect(request, request.url_for("register:queue").path)


routes = [
    Route("/", index, name="index"),
    Route("/places/{id:int}", place, name="place"),
    Route("/units", units, name="units"),
    Route("/units/{id:int}", unit, name="unit"),
    Route("/link", link_request, name="link_request", methods=["GET", "POST"]),
    Route("/requests", queue, name="queue"),
    Route("/requests/{id:int}/decide", decide, name="decide", methods=["POST"]),
]
