"""create_app(): settings → engine → middleware → routes. Tests pass their own Settings."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from anyio import to_thread
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from civic.auth import oidc
from civic.db import import_all_models, is_sqlite, make_engine
from civic.errors import DomainError
from civic.settings import PROJECT_ROOT, Settings, load_settings
from civic.web import errors
from civic.web.middleware import (
    CSRFMiddleware,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
    UserCache,
)
from civic.web.routes import (
    account,
    auth,
    contest_open_data,
    contests,
    covenant_open_data,
    covenants,
    files,
    home,
    notifications,
    open_data,
    places,
    planning,
    planning_map,
    planning_proposals,
    sections,
    votes,
)
from civic.web.templating import make_environment

SESSION_COOKIE = "civic_session"


def create_app(settings: Settings | None = None, *, engine: Engine | None = None,
               oidc_transport: Any | None = None) -> Starlette:
    """Build the app; tests pass their own settings, may share an engine they already made, and may route
    single sign-on to an in-process provider through `oidc_transport` (an httpx2 transport)."""
    settings = settings or load_settings()
    import_all_models()
    owns_engine = engine is None
    engine = engine or make_engine(settings.database_url)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        # Threads for blocking work: more than the database can serve at once only queue for a connection
        # and fight over the GIL (SQLite has one connection per process).
        to_thread.current_default_thread_limiter().total_tokens = 4 if is_sqlite(engine) else 16
        yield
        if owns_engine:
            engine.dispose()

    routes = [
        Route("/", home.index, name="home"),
        Route("/healthz", home.health, name="health"),
        Route("/language", home.set_language, methods=["POST"], name="set_language"),
        Route("/open-data", open_data.index, name="open_data"),
        *auth.routes,
        Mount("/account", routes=account.routes, name="account"),
        Mount("/inbox", routes=notifications.routes, name="inbox"),
        Mount("/register", routes=places.routes, name="register"),
        Route("/covenants", covenants.index, name="covenants"),
        Mount("/covenants", routes=covenants.routes, name="covenants"),
        Route("/votes", votes.index, name="votes"),
        Mount("/votes", routes=votes.routes, name="votes"),
        Route("/contests", contests.index, name="contests"),
        Mount("/contests", routes=contests.routes, name="contests"),
        Mount("/api/contests", routes=contest_open_data.routes, name="contests_open_data"),
        Route("/planning", planning.index, name="planning"),
        Mount("/planning", routes=[*planning.routes, *planning_proposals.routes, *planning_map.routes],
              name="planning"),
        Mount("/api/planning", routes=planning_map.api_routes, name="planning_open_data"),
        Mount("/files", routes=files.routes, name="files"),
        Mount("/api/votes", routes=open_data.routes, name="open_data"),
        Route("/api/covenants", covenant_open_data.index, name="covenants_open_data"),
        Mount("/api/covenants", routes=covenant_open_data.routes, name="covenants_open_data"),
        *sections.routes,
        Mount("/static", app=StaticFiles(directory=PROJECT_ROOT / "static"), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeadersMiddleware),
        Middleware(SessionMiddleware, secret_key=settings.secret_key, session_cookie=SESSION_COOKIE,
                   same_site="lax", https_only=settings.production, max_age=14 * 24 * 3600),
        Middleware(RequestContextMiddleware),
        Middleware(CSRFMiddleware, reject=errors.reject_from_middleware),
    ]
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={HTTPException: errors.http_exception, DomainError: errors.domain_error,
                            Exception: errors.server_error},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.user_cache = UserCache(settings.user_cache_seconds)
    app.state.jinja = make_environment()
    # Single sign-on only when configured; the /login/oidc routes answer 404 otherwise.
    app.state.oauth = oidc.make_registry(settings, transport=oidc_transport) if settings.oidc_enabled else None
    logging.getLogger("civic").setLevel(logging.INFO)
    return app
