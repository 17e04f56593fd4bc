"""ASGI middleware: request context (user, locale), CSRF protection and security headers."""

from __future__ import annotations

import hmac
import re
import secrets
import time
from urllib.parse import parse_qs, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from civic import i18n
from civic.auth.identity import ANONYMOUS, load_current_user
from civic.db import read_only, run_in_session
from civic.notifications import unread_count

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MAX_BODY_BYTES = 20 * 1024 * 1024


class RequestContextMiddleware:
    """Loads request.user from the session and picks the locale; makes sure a CSRF token exists."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        session = scope["session"]
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(32)
        user = ANONYMOUS
        if (account_id := session.get("uid")) is not None:
            loaded = await self._user(scope, request, account_id, session.get("stamp"))
            if loaded is None:
                session.pop("uid", None)
                session.pop("stamp", None)
            else:
                user = loaded
        scope["user"] = user
        settings = scope["app"].state.settings
        scope.setdefault("state", {})["locale"] = i18n.negotiate(
            account_locale=user.locale, cookie=request.cookies.get("civic_locale"),
            accept_language=request.headers.get("accept-language"), default=settings.default_locale,
        )
        await self.app(scope, receive, send)

    async def _user(self, scope: Scope, request: Request, account_id: int, stamp: str | None):
        """The signed-in user: reused from this worker's short cache for requests that show no header
        (a cast, an HTMX fragment), else loaded with the unread count in one unit of work."""
        app = scope["app"]
        cache: UserCache = app.state.user_cache
        with_unread = _shows_header(request)
        if not with_unread and (cached := cache.get(account_id, stamp)) is not None:
            return cached
        loaded, unread = await run_in_threadpool(run_in_session, read_only(app.state.engine), _user_and_unread,
                                                 account_id=account_id, stamp=stamp, with_unread=with_unread)
        if loaded is not None:
            cache.put(account_id, stamp, loaded)
            scope.setdefault("state", {})["unread_count"] = unread
        return loaded


class UserCache:
    """Signed-in users by (account id, session stamp) for a few seconds, per worker. The stamp changes
    with the password, so a password change never hits a stale entry; role and account changes made by
    another worker are seen within `seconds`."""

    MAX_ENTRIES = 10_000

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._entries: dict[tuple[int, str | None], tuple[float, object]] = {}

    def get(self, account_id: int, stamp: str | None):
        if self.seconds <= 0:
            return None
        entry = self._entries.get((account_id, stamp))
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, account_id: int, stamp: str | None, user) -> None:
        if self.seconds <= 0:
            return
        if len(self._entries) >= self.MAX_ENTRIES:
            self._entries.clear()  # crude but bounded: a burst of new sign-ins just reloads
        self._entries[(account_id, stamp)] = (time.monotonic() + self.seconds, user)


def _user_and_unread(session, *, account_id: int, stamp: str | None, with_unread: bool):
    """The signed-in user and their unread count, in one unit of work (the header shows both)."""
    user = load_current_user(session, account_id=account_id, stamp=stamp)
    return user, (unread_count(session, account_id=user.id) if user and with_unread else 0)


def _shows_header(request: Request) -> bool:
    """Only a full page shows the unread count: not a POST (it redirects), not an HTMX fragment. A form
    re-rendered after an error shows the header without the badge until the next page."""
    if request.method not in ("GET", "HEAD"):
        return False
    return "hx-request" not in request.headers or "hx-boosted" in request.headers


class CSRFMiddleware:
    """Every unsafe request must carry the session's token, in the form or in the X-CSRF-Token header."""

    def __init__(self, app: ASGIApp, reject):
        self.app = app
        self.reject = reject  # async (scope, receive, send, status, message) → renders the error page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        expected = scope["session"].get("csrf", "")
        headers = dict((k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"])
        body, too_large = await _read_body(receive)
        if too_large:
            await self.reject(scope, send, 413, i18n.N_("The upload is too large."))
            return
        given = headers.get(CSRF_HEADER) or await _token_from_body(scope, headers, body)
        if not expected or not given or not hmac.compare_digest(given.encode(), expected.encode()):
            await self.reject(scope, send, 403, i18n.N_(
                "This form has expired or did not come from this site. Reload the page and try again."))
            return
        await self.app(scope, _replay(body, receive), send)


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return b"", True
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks), False


async def _token_from_body(scope: Scope, headers: dict[str, str], body: bytes) -> str | None:
    content_type = headers.get("content-type", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        values = parse_qs(body.decode("utf-8", errors="replace")).get(CSRF_FIELD)
        return values[0] if values else None
    if content_type.startswith("multipart/form-data"):
        request = Request(scope, _replay(body, None))
        try:
            form = await request.form()
        except Exception:  # a malformed body has no token; the request is refused either way
            return None
        try:
            value = form.get(CSRF_FIELD)
            return value if isinstance(value, str) else None
        finally:
            await form.close()
    return None


def _replay(body: bytes, receive: Receive | None) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        if receive is None:
            return {"type": "http.disconnect"}
        return await receive()

    return replay


class SecurityHeadersMiddleware:
    """Same-origin everything: no third-party origin may load scripts, styles, images or frames — except
    the map tiles' host for images, when CIVIC_MAP_TILES names one."""

    CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
           "frame-ancestors 'self'; form-action 'self'; base-uri 'self'; object-src 'none'")

    def __init__(self, app: ASGIApp):
        self.app = app
        self._policies: dict[tuple[str, str], str] = {}

    def policy(self, scope: Scope) -> str:
        """The CSP for this app's settings (computed once per tile URL)."""
        settings = getattr(getattr(scope.get("app"), "state", None), "settings", None)
        key = (getattr(settings, "map_tiles", ""), getattr(settings, "base_url", ""))
        if key not in self._policies:
            origin = tile_origin(*key)
            self._policies[key] = (self.CSP.replace("img-src 'self' data:", f"img-src 'self' data: {origin}")
                                   if origin else self.CSP)
        return self._policies[key]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", self.policy(scope))
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Frame-Options", "SAMEORIGIN")
            await send(message)

        await self.app(scope, receive, with_headers)


_HOST = re.compile(r"(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*")


def tile_origin(tiles: str, base_url: str) -> str | None:
    """The origin a tile URL template loads images from, as a CSP source, when it is another host than ours:
    "https://{s}.tiles.example.com/{z}/{x}/{y}.png" → "https://*.tiles.example.com". None for a relative
    URL, our own origin, or a template whose host CSP cannot express."""
    parts = urlsplit(tiles.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    hostport = parts.netloc.rpartition("@")[2].lower()
    host, _, port = hostport.partition(":") if not hostport.startswith("[") else (hostport, "", "")
    labels = host.split(".")
    if "{" in labels[0]:
        labels[0] = "*"  # a subdomain placeholder ({s}, webrd0{s}): CSP's wildcard covers it
    host = ".".join(labels)
    if not _HOST.fullmatch(host) or (port and not port.isdigit()):
        return None
    origin = f"{parts.scheme}://{host}{':' + port if port else ''}"
    ours = urlsplit(base_url)
    if f"{ours.scheme}://{ours.netloc.lower()}" == origin:
        return None
    return origin
