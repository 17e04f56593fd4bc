"""The inbox: the signed-in account's notifications, mark one or all read (HTMX-enhanced forms)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from civic import notifications
from civic.clock import now
from civic.i18n import N_
from civic.pagination import page_number
from civic.web.deps import call, login_redirect
from civic.web.render import flash, gettext, redirect, render, wants_fragment


async def index(request: Request):
    """One page of the inbox, newest first; the `inbox` block alone for HTMX."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    inbox = await call(request, notifications.inbox, account_id=request.user.id,
                       number=page_number(request.query_params.get("page")),
                       size=request.app.state.settings.page_size)
    # `fragment`: an HTMX swap also refreshes the header's unread count out of band (see the template).
    return render(request, "notifications/inbox.html",
                  {"inbox": inbox, "page": inbox.page, "fragment": wants_fragment(request)}, block="inbox")


async def mark_read(request: Request):
    """Mark one of your notifications read; anyone else's is a 404 and nothing changes."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    form = await request.form()
    await call(request, notifications.mark_read, account_id=request.user.id,
               notification_id=request.path_params["notification_id"], now=now())
    return _back_to_inbox(request, form.get("page"), N_("Marked as read."))


async def mark_all_read(request: Request):
    """Mark every notification of yours read."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    form = await request.form()
    await call(request, notifications.mark_all_read, account_id=request.user.id, now=now())
    return _back_to_inbox(request, form.get("page"), N_("All notifications are marked as read."))


def _back_to_inbox(request: Request, page: object, message: str):
    # Post/redirect/get back to the same page. HTMX follows the 303 with HX-Request still set, so it
    # receives the `inbox` block; the flash is only for the full page a browser without JS loads.
    if not wants_fragment(request):
        flash(request, gettext(request, message), "success")
    number = page_number(page if isinstance(page, str) else None)
    target = str(request.app.url_path_for("inbox:index"))
    return redirect(request, target if number == 1 else f"{target}?page={number}")


routes = [
    Route("/", index, name="index"),
    Route("/{notification_id:int}/read", mark_read, methods=["POST"], name="mark_read"),
    Route("/read-all", mark_all_read, methods=["POST"], name="mark_all_read"),
]
