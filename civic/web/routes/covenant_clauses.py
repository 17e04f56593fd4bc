"""Clause pages: one clause with its versions, amendments and comment threads; editing it without ever losing
an update; diffs between two versions of a clause and between two moments of the whole covenant. Amendments,
comments and moderation (the forms on the clause page) are in covenant_discussion, mounted with these."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from civic import clock
from civic.auth.permissions import place_viewer
from civic.covenants import queries, rules, service
from civic.errors import DomainError, InvalidInput
from civic.i18n import N_
from civic.web.clause_page import clause_response, clause_text, clause_url, problem_context
from civic.web.deps import call, id_param, login_redirect
from civic.web.render import flash, gettext, redirect, render
from civic.web.routes import covenant_discussion


async def clause(request: Request):
    """One clause: its text, versions, amendments and comment threads (`?comments=N`: a page of threads; only
    the threads when HTMX asks)."""
    return await clause_response(request, request.path_params["id"])


def _edit_form(request: Request, page: queries.EditPage, *, text: str, based_on: int | str | None,
               problem: DomainError | None = None, conflict: service.EditConflict | None = None,
               status_code: int = 200) -> Response:
    context = {"page": page, "text": text, "based_on": "" if based_on is None else based_on, "conflict": conflict,
               "split_sides": rules.side_by_side,
               "conflict_message": conflict.render(lambda m: gettext(request, m)) if conflict else None}
    context.update(problem_context(request, problem, "edit", ("text",)))
    return render(request, "covenants/clause_edit.html", context, status_code=status_code)


def _saved_message(request: Request, result: service.EditResult) -> str:
    number = result.version.number
    if result.outcome == "merged":
        return gettext(request, "Version %(other)d was saved while you were editing. Your changes did not overlap "
                                "with it and were merged: saved as version %(number)d.") % {
            "other": result.merged_with.number, "number": number}
    if result.outcome == "unchanged":
        return gettext(request, "Nothing changed: the clause already says this.")
    return gettext(request, "Saved as version %(number)d.") % {"number": number}


async def edit(request: Request):
    """Drafters and staff edit a clause's text. The form carries the version the editor started from; a save
    made meanwhile is merged when the changes do not overlap, else both texts are shown and nothing is saved."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    clause_id, viewer = request.path_params["id"], place_viewer(request.user)
    if request.method == "GET":
        page = await call(request, queries.edit_page, clause_id=clause_id, viewer=viewer, now=clock.now())
        return _edit_form(request, page, text=page.current.text, based_on=page.current.id)
    form = await request.form()
    text, based_on = clause_text(form), id_param(form.get("based_on"))
    try:
        result = await call(request, service.edit_clause, viewer=viewer, clause_id=clause_id,
                            based_on_version_id=based_on, text=text, now=clock.now())
    except service.EditConflict as conflict:
        # Nothing was saved. The form comes back with the editor's text, now based on the version saved
        # meanwhile: having seen both, saving again is a deliberate choice, and it applies.
        page = await call(request, queries.edit_page, clause_id=clause_id, viewer=viewer, now=clock.now())
        return _edit_form(request, page, text=conflict.mine, based_on=conflict.current.id, conflict=conflict,
                          status_code=409)
    except DomainError as exc:
        if exc.status_code != 400:
            raise
        page = await call(request, queries.edit_page, clause_id=clause_id, viewer=viewer, now=clock.now())
        return _edit_form(request, page, text=text, based_on=based_on, problem=exc, status_code=400)
    flash(request, _saved_message(request, result), "info" if result.outcome == "unchanged" else "success")
    return redirect(request, clause_url(request, clause_id, f"version-{result.version.number}"))


async def clause_diff(request: Request):
    """Two versions of a clause compared (`?from=N&to=M`), inline and side by side."""
    numbers = [id_param(request.query_params.get(name)) for name in ("from", "to")]
    if None in numbers:
        raise InvalidInput(N_("Choose two version numbers to compare."))
    page = await call(request, queries.clause_diff_page, clause_id=request.path_params["id"],
                      from_number=numbers[0], to_number=numbers[1])
    return render(request, "covenants/diff.html", {"mode": "clause", "page": page, "split_sides": rules.side_by_side})


def _moment(raw: str | None) -> datetime | None:
    """A moment from the compare form (ISO 8601; UTC when no zone is given); empty: the default."""
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw[:40])
    except ValueError:
        raise InvalidInput(N_("Choose two moments from the lists to compare.")) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def covenant_diff(request: Request):
    """The whole covenant at two moments (`?from=…&to=…`, by default its first and its latest), clause by
    clause: added, removed and changed clauses."""
    at_from, at_to = _moment(request.query_params.get("from")), _moment(request.query_params.get("to"))
    page = await call(request, queries.covenant_diff_page, covenant_id=request.path_params["id"],
                      at_from=at_from, at_to=at_to)
    return render(request, "covenants/diff.html", {"mode": "covenant", "page": page,
                                                   "split_sides": rules.side_by_side})


routes = [
    Route("/clauses/{id:int}", clause, name="clause"),
    Route("/clauses/{id:int}/edit", edit, name="clause_edit", methods=["GET", "POST"]),
    Route("/clauses/{id:int}/diff", clause_diff, name="clause_diff"),
    Route("/{id:int}/diff", covenant_diff, name="diff"),
    *covenant_discussion.routes,
]
