"""What every route needs: run a service in a unit of work, demand sign-in, demand a permission."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse

from civic.auth.permissions import place_viewer
from civic.auth.rules import PASSWORD_MAX
from civic.db import run_in_session
from civic.errors import PermissionDenied

T = TypeVar("T")


async def call(request: Request, fn: Callable[..., T], /, **kwargs) -> T:
    """Run a service function in the threadpool inside one committed transaction."""
    return await run_in_threadpool(run_in_session, request.app.state.engine, fn, **kwargs)


def optional_viewer(request: Request):
    """The register's view of the signed-in user, or None for a visitor (pages anyone may read)."""
    return place_viewer(request.user) if request.user.is_authenticated else None


def login_redirect(request: Request, *, back: str | None = None) -> RedirectResponse:
    """To the sign-in page, then back here — or to `back`, for a form posted by someone signed out (the
    POST's own address would answer the GET after sign-in with 405)."""
    target = back or request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


def require(allowed: bool, missing: str, **params) -> None:
    """Refuse with a 403 that says what is missing (an English msgid, translated on the error page)."""
    if not allowed:
        raise PermissionDenied(missing, **params)


def form_text(form, name: str, *, max_length: int = 2000) -> str:
    """A trimmed text field; over-long input is cut here and refused by the service's own check."""
    value = form.get(name)
    return value.strip()[: max_length + 1] if isinstance(value, str) else ""


def id_param(raw) -> int | None:
    """An id from a form or query string; anything else (or past what an id column holds) is None, so that
    the service answers "no such …" or "choose …" rather than the database overflowing."""
    try:
        value = int(raw) if raw else None
    except (TypeError, ValueError):
        return None
    return value if value is not None and 0 < value < 2**31 else None


def password_field(form, name: str) -> str:
    """A password exactly as typed (never trimmed), cut at a length no valid password reaches,
    so the service's own length check refuses it without hashing a megabyte."""
    value = form.get(name)
    return value[: PASSWORD_MAX + 1] if isinstance(value, str) else ""
