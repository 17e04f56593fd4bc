"""The account page (identity, language, roles, password) and the administrators' role grants."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from civic import clock, i18n
from civic.auth import permissions, rules
from civic.auth import service as auth_service
from civic.auth.models import ROLE_SCOPE, Role, ScopeType
from civic.errors import InvalidInput
from civic.i18n import N_
from civic.web.deps import call, form_text, login_redirect, password_field, require
from civic.web.render import flash, gettext, redirect, render


def _labels() -> dict:
    return {"role_labels": rules.ROLE_LABELS, "scope_labels": rules.SCOPE_LABELS, "locales": i18n.LOCALE_NAMES}


async def _index_page(request: Request, *, errors: list[str] | None = None, error_field: str | None = None,
                      status_code: int = 200) -> Response:
    view = await call(request, auth_service.account_view, account_id=request.user.id)
    return render(request, "account/index.html", {"account": view, "errors": errors or [],
                                                  "error_field": error_field, **_labels()},
                  status_code=status_code)


async def index(request: Request) -> Response:
    """Your name, email or phone, language, the roles you hold, and the password form."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    return await _index_page(request)


async def change_password(request: Request) -> Response:
    """Change the password; other sessions stop working, this one is re-stamped and stays signed in."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    form = await request.form()
    try:
        stamp = await call(request, auth_service.change_password, account_id=request.user.id,
                           current=password_field(form, "current_password"), new=password_field(form, "password"),
                           confirmation=password_field(form, "password_confirm"), now=clock.now())
    except InvalidInput as exc:
        # The failed call wrote nothing; the page is read again to show the form with its message.
        return await _index_page(request, errors=[exc.render(lambda m: gettext(request, m))],
                                 error_field=exc.field, status_code=400)
    request.session["stamp"] = stamp
    flash(request, gettext(request, N_("Your password has been changed. Other devices have been signed out.")),
          "success")
    return redirect(request, request.app.url_path_for("account:index"))


async def set_language(request: Request) -> Response:
    """Save the language preference on the account (and in the cookie, for after signing out)."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    form = await request.form()
    locale = i18n.normalise(form_text(form, "locale", max_length=16)) or request.state.locale
    await call(request, auth_service.set_locale, account_id=request.user.id, locale=locale)
    response = redirect(request, request.app.url_path_for("account:index"))
    response.set_cookie("civic_locale", locale, max_age=365 * 24 * 3600, samesite="lax", httponly=True,
                        secure=request.app.state.settings.production)
    return response


async def roles(request: Request) -> Response:
    """Administrators see an account's roles and grant another one ("staff" + place 12, …)."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    require(permissions.is_admin(request.user), N_("Only administrators can see and grant roles."))
    account_id = request.path_params["account_id"]
    errors: list[str] = []
    values = {"role": "", "scope_id": ""}
    if request.method == "POST":
        form = await request.form()
        values = {"role": form_text(form, "role", max_length=40), "scope_id": form_text(form, "scope_id", max_length=12)}
        try:
            await call(request, auth_service.grant_role, account_id=account_id, spec=_spec(values),
                       granted_by=request.user.id, now=clock.now())
        except InvalidInput as exc:
            errors = [exc.render(lambda m: gettext(request, m))]
        else:
            flash(request, gettext(request, N_("The role has been granted.")), "success")
            return redirect(request, request.app.url_path_for("account:roles", account_id=account_id))
    view = await call(request, auth_service.account_view, account_id=account_id)
    return render(request, "account/roles.html", {"account": view, "errors": errors, "values": values,
                                                  "role_scopes": ROLE_SCOPE, **_labels()},
                  status_code=400 if errors else 200)


def _spec(values: dict[str, str]) -> str:
    """Form fields → the CLI's role spec, so both are validated by the same rule."""
    try:
        role = Role(values["role"])
    except ValueError:
        return values["role"]  # parse_role_spec names the unknown role
    scope = ROLE_SCOPE[role]
    return role.value if scope is ScopeType.global_ else f"{role.value}:{scope.value}:{values['scope_id'] or '-'}"


routes = [
    Route("/", index, name="index", methods=["GET"]),
    Route("/password", change_password, name="password", methods=["POST"]),
    Route("/language", set_language, name="language", methods=["POST"]),
    Route("/{account_id:int}/roles", roles, name="roles", methods=["GET", "POST"]),
]
