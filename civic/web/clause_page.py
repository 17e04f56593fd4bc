"""The clause page as its own routes and the routes of its forms render it: the page (or, for HTMX, only its
comment threads) with a refused form's message next to its field, and the small readers of those forms."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from civic import clock
from civic.auth.permissions import place_viewer
from civic.covenants import queries, rules
from civic.errors import DomainError
from civic.pagination import page_number
from civic.web.deps import call
from civic.web.render import gettext, render


def clause_url(request: Request, clause_id: int, anchor: str = "") -> str:
    path = request.url_for("covenants:clause", id=clause_id).path
    return f"{path}#{anchor}" if anchor else path


def clause_text(form, name: str = "text") -> str:
    """A clause text as typed, cut just over the limit: not trimmed like form_text, which would take a leading
    full-width indent (　　) away; the service normalises line ends and trailing spaces itself."""
    value = form.get(name)
    return value[: rules.CLAUSE_MAX + 1] if isinstance(value, str) else ""


def problem_context(request: Request, problem: DomainError | None, form: str | None,
                    fields: tuple[str, ...] = ()) -> dict:
    """The error summary and the message next to its field: `field_errors` is keyed by the element id
    ("<form>-<field>", or "<form>" alone when the field is not one of the form's), as _partials/fields.html
    expects; `failed` names the form so that the page opens it."""
    if problem is None:
        return {"failed": None, "errors": [], "field_errors": {}}
    message = problem.render(lambda m: gettext(request, m))
    key = f"{form}-{problem.field}" if problem.field in fields else form
    return {"failed": form, "errors": [message], "field_errors": {key: message}}


async def clause_response(request: Request, clause_id: int, *, status_code: int = 200,
                          problem: DomainError | None = None, form: str | None = None, fields: tuple[str, ...] = (),
                          values: dict[str, str] | None = None) -> Response:
    """The clause page, or only its comment threads for HTMX; after a refused form, with the message next to
    the field and what was typed kept (`values`, keyed by element id)."""
    page = await call(request, queries.clause_page, clause_id=clause_id, viewer=place_viewer(request.user),
                      now=clock.now(), comments_page=page_number(request.query_params.get("comments")),
                      size=request.app.state.settings.page_size)
    context = {"page": page, "values": values or {}, "split_sides": rules.side_by_side}
    context.update(problem_context(request, problem, form, fields))
    return render(request, "covenants/clause.html", context, block="comments", status_code=status_code)
