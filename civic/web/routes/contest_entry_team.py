"""An entry's team and images: the lead adds and removes members; the team uploads and removes images, until
the submission deadline."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.routing import Route

from civic import clock
from civic.auth.permissions import place_viewer
from civic.contests import entry_page, entry_team
from civic.errors import DomainError
from civic.web.deps import call, form_text, login_redirect
from civic.web.entry_forms import bad_input, problems
from civic.web.render import flash, gettext, redirect, render


async def _team_response(request: Request, entry_id: int, template: str, exc: DomainError | None = None,
                         values: dict | None = None):
    page = await call(request, entry_page.team_page, viewer=place_viewer(request.user), entry_id=entry_id,
                      now=clock.now())
    errors, field_errors = problems(request, exc) if exc else ([], {})
    return render(request, template, {"page": page, "errors": errors, "field_errors": field_errors,
                                      "values": values or {}}, status_code=400 if exc else 200)


async def team(request: Request):
    """The team; its lead adds members by e-mail address or mobile number."""
    entry_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request)
    if request.method == "GET":
        return await _team_response(request, entry_id, "contests/entry_team.html")
    contact = form_text(await request.form(), "contact", max_length=254)
    try:
        await call(request, entry_team.add_member, viewer=place_viewer(request.user), entry_id=entry_id,
                   contact=contact, now=clock.now())
    except DomainError as exc:
        bad_input(exc)
        return await _team_response(request, entry_id, "contests/entry_team.html", exc, {"contact": contact})
    flash(request, gettext(request, "The team member has been added and told."), "success")
    return redirect(request, f"/contests/entries/{entry_id}/team")


async def remove_member(request: Request):
    """The lead takes a member off the team."""
    if not request.user.is_authenticated:
        return login_redirect(request, back="/contests")
    member = await call(request, entry_team.remove_member, viewer=place_viewer(request.user),
                        member_id=request.path_params["id"], now=clock.now())
    flash(request, gettext(request, "The member has been taken off the team."), "success")
    return redirect(request, f"/contests/entries/{member.entry_id}/team")


async def images(request: Request):
    """The entry's images; the team uploads up to five (PNG, JPEG or WebP, at most 2 MB, described)."""
    entry_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request)
    if request.method == "GET":
        return await _team_response(request, entry_id, "contests/entry_images.html")
    form = await request.form()
    upload, alt = form.get("file"), form_text(form, "alt", max_length=400)
    # Read at most one byte past the limit: enough to refuse a larger file without holding all of it.
    data = await upload.read(entry_team.IMAGE_MAX_BYTES + 1) if isinstance(upload, UploadFile) else b""
    await form.close()
    try:
        await call(request, entry_team.add_image, viewer=place_viewer(request.user), entry_id=entry_id, data=data,
                   alt=alt, now=clock.now())
    except DomainError as exc:
        bad_input(exc)
        return await _team_response(request, entry_id, "contests/entry_images.html", exc, {"alt": alt})
    flash(request, gettext(request, "The image has been added."), "success")
    return redirect(request, f"/contests/entries/{entry_id}/images")


async def remove_image(request: Request):
    """The team removes an image."""
    if not request.user.is_authenticated:
        return login_redirect(request, back="/contests")
    image = await call(request, entry_team.remove_image, viewer=place_viewer(request.user),
                       image_id=request.path_params["id"], now=clock.now())
    flash(request, gettext(request, "The image has been removed."), "success")
    return redirect(request, f"/contests/entries/{image.entry_id}/images")


routes = [
    Route("/entries/{id:int}/team", team, name="entry_team", methods=["GET", "POST"]),
    Route("/members/{id:int}/remove", remove_member, name="remove_member", methods=["POST"]),
    Route("/entries/{id:int}/images", images, name="entry_images", methods=["GET", "POST"]),
    Route("/images/{id:int}/remove", remove_image, name="remove_image", methods=["POST"]),
]
