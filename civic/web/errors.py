"""Error pages inside the layout: 400, 403, 404, 405, 409, 413, 429, 500 — never a stack trace."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Scope, Send

from civic.errors import DomainError
from civic.i18n import N_
from civic.web.render import gettext, render

log = logging.getLogger("civic")

TITLES = {
    400: N_("The request could not be understood"),
    403: N_("You do not have permission to do this"),
    404: N_("Page not found"),
    405: N_("This action is not allowed here"),
    409: N_("This conflicts with a change made meanwhile"),
    413: N_("The upload is too large"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong on our side"),
}
DEFAULT_DETAILS = {
    404: N_("There is nothing at this address. It may have moved, or the link may be mistyped."),
    500: N_("The error has been logged. Nothing you submitted was half-saved; please try again in a moment."),
}


def error_page(request: Request, status: int, detail: str | None = None) -> Response:
    title = gettext(request, TITLES.get(status, TITLES[400]))
    detail = detail or gettext(request, DEFAULT_DETAILS.get(status, ""))
    try:
        return render(request, "errors/error.html", {"status": status, "title": title, "detail": detail},
                      block="content", status_code=status)
    except Exception:  # the layout itself failed: fall back to plain text rather than a second crash
        log.exception("error page failed to render")
        return HTMLResponse(f"<h1>{status}</h1>", status_code=status)


async def http_exception(request: Request, exc: HTTPException) -> Response:
    detail = exc.detail if exc.detail and exc.detail != _default_phrase(exc.status_code) else None
    response = error_page(request, exc.status_code, gettext(request, detail) if detail else None)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def domain_error(request: Request, exc: DomainError) -> Response:
    return error_page(request, exc.status_code, exc.render(lambda m: gettext(request, m)))


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if "state" not in request.scope or "locale" not in request.scope.get("state", {}):
        return HTMLResponse("<h1>500</h1>", status_code=500)
    return error_page(request, 500)


async def reject_from_middleware(scope: Scope, send: Send, status: int, message: str) -> None:
    """Middleware runs outside the exception handlers, so it renders its own error page."""
    request = Request(scope)
    response = error_page(request, status, gettext(request, message))
    await response(scope, _no_receive, send)


async def _no_receive():
    return {"type": "http.disconnect"}


def _default_phrase(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
