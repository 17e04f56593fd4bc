"""After a pledge: the backer cancelling it (after a page that says whether the 24-hour rule allows it), and
for treasurers and staff the ledger, its CSV and confirming money received."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from civic import clock
from civic.auth.permissions import place_viewer
from civic.contests import backing, entry_queries, ledger
from civic.errors import Conflict
from civic.pagination import page_number
from civic.web.deps import call, form_text, login_redirect
from civic.web.entry_forms import entry_url
from civic.web.render import flash, gettext, redirect, render


async def cancel_pledge(request: Request):
    """The backer cancels their own pledge, after a page that says whether the 24-hour rule allows it now."""
    pledge_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request, back=request.url.path)
    viewer = place_viewer(request.user)
    if request.method == "POST":
        try:
            row = await call(request, backing.cancel_pledge, viewer=viewer, pledge_id=pledge_id, now=clock.now())
        except Conflict as exc:
            if exc.message not in backing.REFUSED_CANCEL.values():
                raise
        else:
            flash(request, gettext(request, "Your pledge no. %(id)s has been cancelled.") % {"id": row.id}, "success")
            return redirect(request, entry_url(row.entry_id, "my-pledges"))
    found = await call(request, backing.cancellable, viewer=viewer, pledge_id=pledge_id, now=clock.now())
    problem = found.problem.render(lambda m: gettext(request, m)) if found.problem else ""
    return render(request, "contests/pledge_cancel.html", {"found": found, "problem": problem},
                  status_code=409 if problem and request.method == "POST" else 200)


# ---- the ledger ----------------------------------------------------------------------------------------

async def ledger_page(request: Request):
    """Treasurers and staff: pledged, confirmed and released money per entry, hours and materials, and the
    money pledges of funded entries to confirm as received."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    params = request.query_params
    page = await call(request, ledger.ledger_page, viewer=place_viewer(request.user),
                      contest_id=request.path_params["id"], now=clock.now(), number=page_number(params.get("page")),
                      awaiting_only=params.get("awaiting") == "1")
    return render(request, "contests/ledger.html", {"page": page}, block="pledges" if "page" in params else None)


async def ledger_csv(request: Request):
    """The ledger as CSV, for treasurers and staff."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    contest_id = request.path_params["id"]
    text = await call(request, ledger.ledger_csv, viewer=place_viewer(request.user), contest_id=contest_id,
                      now=clock.now())
    return Response(text, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="contest-{contest_id}-ledger.csv"',
        "Cache-Control": "private, no-store"})


async def confirm_pledge(request: Request):
    """A treasurer or staff record that a money pledge was received."""
    pledge_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request, back="/contests")
    row = await call(request, ledger.confirm_money, viewer=place_viewer(request.user), pledge_id=pledge_id,
                     now=clock.now())
    contest_id = await call(request, entry_queries.contest_of_pledge, pledge_id=pledge_id)
    flash(request, gettext(request, "Pledge no. %(id)s is confirmed as received.") % {"id": row.id}, "success")
    back = form_text(await request.form(), "page", max_length=8)
    query = f"?page={page_number(back)}" if back and back != "1" else ""
    return redirect(request, f"/contests/{contest_id}/ledger{query}#pledge-{row.id}")


routes = [
    Route("/pledges/{id:int}/cancel", cancel_pledge, name="cancel_pledge", methods=["GET", "POST"]),
    Route("/{id:int}/ledger", ledger_page, name="ledger"),
    Route("/{id:int}/ledger.csv", ledger_csv, name="ledger_csv"),
    Route("/pledges/{id:int}/confirm", confirm_pledge, name="confirm_pledge", methods=["POST"]),
]
