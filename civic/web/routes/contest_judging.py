"""Contest judging: the judge's queue, conflicts, score sheets, staff progress and dashboard, the results page."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from civic import clock
from civic.auth.permissions import place_viewer
from civic.contests import judging, judging_queries, results_queries
from civic.errors import DomainError
from civic.i18n import N_
from civic.pagination import page_number
from civic.web.deps import call, form_text, login_redirect, optional_viewer
from civic.web.render import flash, gettext, redirect, render, wants_fragment

CRITERION_FIELD = re.compile(r"criterion-(\d{1,9})")
# What separated two entries with equal combined scores (ranking.CombinedEntry.tie_broken_by).
TIE_LABELS = {"jury_score": N_("the higher jury score"), "support": N_("more backers"),
              "raw_mean": N_("the higher mean of raw scores"), "entry_id": N_("the lower entry number")}



async def judging_page(request: Request):
    """A judge's rubric, queue, own progress and conflicts; for staff, each judge's progress (no scores)."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    page = await call(request, judging_queries.judging_page, viewer=place_viewer(request.user),
                      contest_id=request.path_params["id"], now=clock.now())
    return render(request, "contests/judging.html", {"page": page})


def _levels(form) -> dict[int, int | None]:
    """criterion id → the level chosen (None: left unscored; a non-number is refused by the service)."""
    levels: dict[int, int | None] = {}
    for key, value in form.multi_items():
        match = CRITERION_FIELD.fullmatch(key)
        if match and isinstance(value, str):
            text = value.strip()
            levels[int(match.group(1))] = int(text) if text.isdigit() and len(text) <= 3 else (None if not text else -1)
    return levels


def _sheet_response(request: Request, page, levels: dict, *, errors=(), field_errors=None, saved: bool = False,
                    status_code: int = 200):
    return render(request, "contests/score.html", {
        "page": page, "levels": levels, "errors": list(errors), "field_errors": field_errors or {}, "saved": saved,
    }, block="sheet", status_code=status_code)


async def score(request: Request):
    """A judge's own score sheet for an entry: one level per criterion, saved partly or whole, revisable until
    judging closes. HTMX swaps the sheet in place."""
    entry_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request)
    viewer = place_viewer(request.user)
    if request.method == "GET":
        page = await call(request, judging_queries.sheet_page, viewer=viewer, entry_id=entry_id, now=clock.now())
        return _sheet_response(request, page, page.levels)
    form = await request.form()
    levels = _levels(form)
    try:
        sheet = await call(request, judging.save_sheet, viewer=viewer, entry_id=entry_id, levels=levels,
                           now=clock.now())
    except DomainError as exc:
        if exc.status_code != 400:
            raise
        page = await call(request, judging_queries.sheet_page, viewer=viewer, entry_id=entry_id, now=clock.now())
        message = exc.render(lambda m: gettext(request, m))
        return _sheet_response(request, page, {k: v for k, v in levels.items() if v is not None and v >= 0},
                               errors=[message], field_errors={exc.field: message} if exc.field else {},
                               status_code=400)
    page = await call(request, judging_queries.sheet_page, viewer=viewer, entry_id=entry_id, now=clock.now())
    if wants_fragment(request) and not form.get("next"):
        return _sheet_response(request, page, page.levels, saved=True)
    flash(request, gettext(request, "Your scores are saved: the sheet is complete.") if sheet.complete else
          gettext(request, "Your scores are saved. The sheet is not complete yet: only complete sheets count."),
          "success")
    target = (f"/contests/entries/{page.next_entry_id}/score" if form.get("next") and page.next_entry_id is not None
              else f"/contests/{page.contest.id}/judging")
    if wants_fragment(request):  # a whole new page, not a fragment swapped into this one
        return Response(headers={"HX-Redirect": target})
    return redirect(request, target)


async def conflict(request: Request):
    """A judge declares a conflict of interest with an entry, after a page that asks for the reason and says
    that a sheet already given to the entry will be deleted."""
    entry_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request)
    viewer = place_viewer(request.user)
    reason, errors, field_errors = "", [], {}
    if request.method == "POST":
        reason = form_text(await request.form(), "reason", max_length=judging.REASON_MAX)
        try:
            declared = await call(request, judging.declare_conflict, viewer=viewer, entry_id=entry_id, reason=reason,
                                  now=clock.now())
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            message = exc.render(lambda m: gettext(request, m))
            errors, field_errors = [message], {exc.field or "reason": message}
        else:
            flash(request, gettext(request, "Your conflict of interest is recorded: you will not score this entry.")
                  + (" " + gettext(request, "The score sheet you had given it has been deleted and does not count.")
                     if declared.sheet_deleted else ""), "success")
            return redirect(request, f"/contests/{declared.conflict.contest_id}/judging")
    page = await call(request, judging_queries.conflict_page, viewer=viewer, entry_id=entry_id, now=clock.now())
    return render(request, "contests/conflict.html", {"page": page, "reason": reason, "errors": errors,
                                                      "field_errors": field_errors},
                  status_code=400 if errors else 200)


async def results_page(request: Request):
    """The published results, every step: the formula, each judge's raw and normalised scores (judges as
    letters), the ranking with its ties, the matching funds, and the open data that recomputes them.
    Published on the first request after judging closes if no job has done it yet."""
    page = await call(request, results_queries.results_page, viewer=optional_viewer(request), contest_id=request.path_params["id"],
                      now=clock.now(), number=page_number(request.query_params.get("page")))
    return render(request, "contests/results.html", {"page": page, "tie_labels": TIE_LABELS}, block="ranking")


async def dashboard(request: Request):
    """Staff, once judging has closed: the judges' agreement, the entries they disagree on most, and each
    judge's mean and spread with their real name next to their letter."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    page = await call(request, results_queries.dashboard_page, viewer=place_viewer(request.user),
                      contest_id=request.path_params["id"], now=clock.now())
    return render(request, "contests/dashboard.html", {"page": page})


routes = [
    Route("/{id:int}/judging", judging_page, name="judging"),
    Route("/entries/{id:int}/score", score, name="score", methods=["GET", "POST"]),
    Route("/entries/{id:int}/conflict", conflict, name="conflict", methods=["GET", "POST"]),
    Route("/{id:int}/results", results_page, name="results"),
    Route("/{id:int}/dashboard", dashboard, name="dashboard"),
]
