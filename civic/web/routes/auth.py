"""Sign in (password or single sign-on), sign up, sign out."""

from __future__ import annotations

import secrets

import httpx2
from authlib.common.errors import AuthlibBaseError
from joserfc.errors import JoseError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from civic import clock
from civic.auth import oidc, rules
from civic.auth import service as auth_service
from civic.auth.service import SignedIn
from civic.auth.throttle import ThrottlePolicy
from civic.errors import InvalidInput, TooManyAttempts
from civic.i18n import N_
from civic.web.deps import call, form_text, password_field
from civic.web.errors import error_page
from civic.web.render import flash, gettext, redirect, render


def start_session(request: Request, signed_in: SignedIn) -> None:
    """A fresh session on every sign-in: nothing from before (a planted session id or token) survives."""
    request.session.clear()
    request.session["uid"] = signed_in.account_id
    request.session["stamp"] = signed_in.stamp
    request.session["csrf"] = secrets.token_urlsafe(32)



def _login_page(request: Request, *, identifier: str = "", next_url: str = "/", errors: list[str] | None = None,
                status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    return render(request, "auth/login.html", {"identifier": identifier, "next": next_url, "errors": errors or []},
                  status_code=status_code, headers=headers)


async def login(request: Request) -> Response:
    """The sign-in form; a POST checks throttling, then the password, and starts a fresh session."""
    if request.method == "GET":
        return _login_page(request, next_url=rules.safe_next(request.query_params.get("next")))
    form = await request.form()
    identifier = form_text(form, "identifier", max_length=rules.EMAIL_MAX)
    password = password_field(form, "password")
    next_url = rules.safe_next(form_text(form, "next"))
    if not identifier or not password:
        return _login_page(request, identifier=identifier, next_url=next_url, status_code=400,
                           errors=[gettext(request, N_("Enter your email address or phone number and your password."))])
    settings = request.app.state.settings
    try:
        signed_in = await call(request, auth_service.authenticate, identifier=identifier, password=password,
                               address=request.client.host if request.client else None,
                               policy=ThrottlePolicy.from_settings(settings), now=clock.now())
    except TooManyAttempts as exc:
        return _login_page(request, identifier=identifier, next_url=next_url, status_code=429,
                           errors=[exc.render(lambda m: gettext(request, m))],
                           headers={"Retry-After": str(exc.params["retry_after"])})
    if signed_in is None:
        return _login_page(request, identifier=identifier, next_url=next_url, status_code=400, errors=[gettext(
            request, N_("The email address, phone number or password is not correct."))])
    start_session(request, signed_in)
    flash(request, gettext(request, N_("Welcome back, %(name)s.")) % {"name": signed_in.display_name}, "success")
    return redirect(request, next_url)


async def logout(request: Request) -> Response:
    """Sign out: the whole session goes (a new CSRF token is issued on the next page)."""
    request.session.clear()
    flash(request, gettext(request, N_("You have signed out.")), "success")
    return redirect(request, "/")


async def signup(request: Request) -> Response:
    """Create a local account with an email address or a phone number, then sign it in."""
    values = {"display_name": "", "identifier": ""}
    if request.method == "GET":
        return render(request, "auth/signup.html", {"values": values, "errors": [], "error_field": None})
    form = await request.form()
    values = {"display_name": form_text(form, "display_name", max_length=rules.DISPLAY_NAME_MAX),
              "identifier": form_text(form, "identifier", max_length=rules.EMAIL_MAX)}
    try:
        signed_in = await call(request, auth_service.sign_up, **values, password=password_field(form, "password"),
                               confirmation=password_field(form, "password_confirm"), locale=request.state.locale,
                               now=clock.now())
    except InvalidInput as exc:
        return render(request, "auth/signup.html", {"values": values, "error_field": exc.field,
                                                    "errors": [exc.render(lambda m: gettext(request, m))]},
                      status_code=400)
    start_session(request, signed_in)
    flash(request, gettext(request, N_("Welcome, %(name)s. Your account has been created.")) %
          {"name": signed_in.display_name}, "success")
    return redirect(request, "/")


def _oauth_client(request: Request):
    registry = request.app.state.oauth
    if registry is None:
        raise HTTPException(404)
    return registry.create_client(oidc.CLIENT_NAME)


def _sso_refused(request: Request, message: str) -> Response:
    settings = request.app.state.settings
    return error_page(request, 400, gettext(request, message) % {"name": settings.oidc_name})


async def login_oidc(request: Request) -> Response:
    """Send the browser to the identity provider (Authlib keeps state, nonce and PKCE verifier in the session)."""
    client = _oauth_client(request)
    settings = request.app.state.settings
    request.session["oidc_next"] = rules.safe_next(request.query_params.get("next"))
    # The configured base URL, not the Host header: the provider only accepts the registered address.
    callback = settings.base_url + request.app.url_path_for("login_oidc_callback")
    try:
        return await client.authorize_redirect(request, callback)
    except (httpx2.HTTPError, AuthlibBaseError, ValueError):
        return _sso_refused(request, N_("%(name)s could not be reached. Please try again later."))


async def login_oidc_callback(request: Request) -> Response:
    """Exchange the code, let Authlib verify state, nonce and the id_token signature, then sign in."""
    client = _oauth_client(request)
    settings = request.app.state.settings
    try:
        token = await client.authorize_access_token(request)
    except httpx2.HTTPError:
        return _sso_refused(request, N_("%(name)s could not be reached. Please try again later."))
    except (AuthlibBaseError, JoseError, ValueError):
        # Forged or replayed state, wrong nonce, bad signature, expired token: nobody is signed in.
        return _sso_refused(request, N_("Signing in with %(name)s failed: its answer could not be verified. "
                                        "Nobody has been signed in. Please start again from the sign-in page."))
    claims = dict(token.get("userinfo") or {})
    if not claims.get("sub"):
        return _sso_refused(request, N_("Signing in with %(name)s failed: it did not send an identity token."))
    if "email" not in claims:
        claims = await _with_userinfo(client, token, claims)
    signed_in = await call(request, oidc.sign_in_with_claims, issuer=str(claims.get("iss") or settings.oidc_issuer),
                           claims=claims, now=clock.now())
    next_url = rules.safe_next(request.session.get("oidc_next"))
    start_session(request, signed_in)
    flash(request, gettext(request, N_("Welcome back, %(name)s.")) % {"name": signed_in.display_name}, "success")
    return redirect(request, next_url)


async def _with_userinfo(client, token: dict, claims: dict) -> dict:
    """Some providers keep email out of the id_token; ask the userinfo endpoint, for the same subject only."""
    try:
        info = await client.userinfo(token=token)
    except (httpx2.HTTPError, AuthlibBaseError):
        return claims
    if info.get("sub") != claims["sub"]:
        return claims
    return {**{k: v for k, v in info.items() if k in ("email", "email_verified", "name")}, **claims}


routes = [
    Route("/login", login, name="login", methods=["GET", "POST"]),
    Route("/login/oidc", login_oidc, name="login_oidc", methods=["GET"]),
    Route("/login/oidc/callback", login_oidc_callback, name="login_oidc_callback", methods=["GET"]),
    Route("/logout", logout, name="logout", methods=["POST"]),
    Route("/signup", signup, name="signup", methods=["GET", "POST"]),
]
