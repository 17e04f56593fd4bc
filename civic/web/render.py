"""render(): the full page for a normal request, one named block for an HTMX request."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from civic import i18n


def wants_fragment(request: Request) -> bool:
    """HTMX asked for part of a page. Boosted navigation and history restores need the whole page."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def base_context(request: Request) -> dict[str, Any]:
    locale = request.state.locale
    return {
        "request": request,
        "user": request.user,
        "locale": locale,
        "_translations": i18n.translations(locale),
        "csrf_token": request.session.get("csrf", ""),
        "settings": request.app.state.settings,
        "unread_count": getattr(request.state, "unread_count", 0),
    }


def render(request: Request, template: str, context: dict[str, Any] | None = None, *,
           block: str | None = None, status_code: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    """Render `template`; when HTMX asks and `block` is named, only that block."""
    env = request.app.state.jinja
    tmpl = env.get_template(template)
    values = base_context(request)
    values.update(context or {})
    if block and wants_fragment(request):
        ctx = tmpl.new_context(values)
        body = "".join(tmpl.blocks[block](ctx))
    else:
        values["flashes"] = pop_flashes(request)
        body = tmpl.render(values)
    response = HTMLResponse(body, status_code=status_code, headers=headers)
    # Caches must not serve a fragment for a full-page request or the other way round.
    response.headers["Vary"] = "HX-Request, Cookie"
    return response


def gettext(request: Request, message: str) -> str:
    return i18n.translations(request.state.locale).gettext(message)


def form_problems(request: Request, found) -> tuple[list[str], dict[str, str]]:
    """Every problem's message for the form's summary and, per field, the first one, to sit next to it."""
    errors, by_field = [], {}
    for problem in found:
        text = problem.render(lambda message: gettext(request, message))
        errors.append(text)
        if problem.field:
            by_field.setdefault(problem.field, text)
    return errors, by_field


FLASH_KEEP = 5  # a client that never follows its redirects (a script) must not grow the cookie forever


def flash(request: Request, message: str, category: str = "info") -> None:
    """Queue a message for the next full page. Top-level assignment: Starlette's session only sees those."""
    queued = [*request.session.get("flash", []), {"text": message, "category": category}]
    request.session["flash"] = queued[-FLASH_KEEP:]


def pop_flashes(request: Request) -> list[dict[str, str]]:
    if "flash" not in request.session:
        return []
    return request.session.pop("flash")


def redirect(request: Request, url: str, status_code: int = 303) -> RedirectResponse:
    """Post/redirect/get. HTMX follows a 303 itself and swaps the result, so no HX-Redirect is needed."""
    return RedirectResponse(url, status_code=status_code)
