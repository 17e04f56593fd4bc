"""Home page, health check and the language switch."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse

from civic import i18n
from civic.places import service as places_service
from civic.web.deps import call
from civic.web.render import render


async def index(request: Request):
    """What is open now in the places of the signed-in user."""
    overview = await call(request, places_service.home_overview, person_id=request.user.person_id) \
        if request.user.is_authenticated else None
    return render(request, "home/index.html", {"overview": overview})


async def health(request: Request):
    """For load balancers: the process is up (it does not touch the database)."""
    return JSONResponse({"status": "ok"})


async def set_language(request: Request):
    """Remember the chosen language in a cookie (and on the account, if signed in); works without JS."""
    form = await request.form()
    locale = i18n.normalise(str(form.get("locale", ""))) or request.state.locale
    target = str(form.get("next", "/"))
    if not target.startswith("/") or target.startswith("//"):
        target = "/"  # never redirect to another host
    if request.user.is_authenticated:
        from civic.auth import service as auth_service

        await call(request, auth_service.set_locale, account_id=request.user.id, locale=locale)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie("civic_locale", locale, max_age=365 * 24 * 3600, samesite="lax",
                        httponly=True, secure=request.app.state.settings.production)
    return response
