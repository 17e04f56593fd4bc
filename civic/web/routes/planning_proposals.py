"""Proposals on a planning map: adding one (drawn, typed as coordinates, or a register place), its page,
support, following, comments, statuses, themes; planners' annotations.

Each POST makes one service call, then flashes and redirects (303); bad input comes back on its form with the
message next to the field (400); refusals (403, 404, 409) are the error page. With HTMX, the support button,
the comments and the status form answer with their own block instead — also when refused, because htmx swaps
only 2xx answers and the message must replace the form the person is looking at."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from civic import clock
from civic.auth.permissions import place_viewer
from civic.errors import DomainError
from civic.pagination import page_number
from civic.planning import access, annotations, discussion, proposal_queries, proposals, rules
from civic.web.deps import call, form_text, id_param, login_redirect, optional_viewer
from civic.web.proposal_forms import (
    PROPOSAL_FIELDS,
    bad_input,
    kept_values,
    note_kwargs,
    problems,
    proposal_kwargs,
    proposal_url,
    read_note,
    read_proposal,
)
from civic.web.render import flash, gettext, redirect, render, wants_fragment

# ---- adding and editing a proposal ---------------------------------------------------------------------------

def _form(request: Request, template: str, page, values: dict, exc: DomainError | None = None,
          status_code: int = 200):
    errors, field_errors = problems(request, exc) if exc else ([], {})
    return render(request, template, {"page": page, "values": kept_values(values, field_errors), "errors": errors,
                                      "field_errors": field_errors}, status_code=status_code)


async def new_proposal(request: Request):
    """A resident adds a point, a line or an area to the project's map, with photos."""
    project_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request)
    viewer = place_viewer(request.user)
    page = await call(request, proposal_queries.new_proposal_page, viewer=viewer, project_id=project_id,
                      now=clock.now())
    if request.method == "GET":
        return _form(request, "planning/proposal_form.html", page, dict.fromkeys(PROPOSAL_FIELDS, ""))
    values, photos, _removed = await read_proposal(request)
    try:
        made = await call(request, proposals.create_proposal, viewer=viewer, project_id=project_id, photos=photos,
                          now=clock.now(), **proposal_kwargs(values))
    except DomainError as exc:
        bad_input(exc)
        return _form(request, "planning/proposal_form.html", page, values, exc, 400)
    flash(request, gettext(request, "Your proposal is on the map. You follow it: you will be told when the planners "
                                    "move it on."), "success")
    return redirect(request, proposal_url(made.id))


async def edit_proposal(request: Request):
    """The author corrects their proposal while residents add to the map and the planners have not taken it up."""
    proposal_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request)
    viewer = place_viewer(request.user)
    page = await call(request, proposal_queries.edit_proposal_page, viewer=viewer, proposal_id=proposal_id,
                      now=clock.now())
    if request.method == "GET":
        return _form(request, "planning/proposal_form.html", page, proposal_queries.form_of(page.proposal))
    values, photos, removed = await read_proposal(request)
    try:
        await call(request, proposals.update_proposal, viewer=viewer, proposal_id=proposal_id, photos=photos,
                   remove_photo_ids=removed, now=clock.now(), **proposal_kwargs(values))
    except DomainError as exc:
        bad_input(exc)
        return _form(request, "planning/proposal_form.html", page, values, exc, 400)
    flash(request, gettext(request, "Your changes to the proposal are saved."), "success")
    return redirect(request, proposal_url(proposal_id))


# ---- the proposal page and what is done on it -------------------------------------------------------------

def _comments_page(request: Request) -> int:
    raw = request.query_params.get("page")
    return 0 if raw == "last" else page_number(raw)


async def _page(request: Request, proposal_id: int, *, exc: DomainError | None = None, failed: str = "",
                values: dict | None = None, block: str | None = None, done: str = "", status_code: int = 200):
    page = await call(request, proposal_queries.proposal_page, viewer=optional_viewer(request),
                      proposal_id=proposal_id, now=clock.now(), comments_page=_comments_page(request))
    errors, field_errors = problems(request, exc) if exc else ([], {})
    # Field errors are keyed by the form they belong to, so that one form's error does not show on another.
    return render(request, "planning/proposal.html", {
        "page": page, "errors": errors, "failed": failed, "values": values or {}, "done": done,
        "field_errors": {f"{failed}-{name}": text for name, text in field_errors.items()},
    }, block=block, status_code=status_code)


async def proposal(request: Request):
    """A proposal: its place in words and on the map, category, status and history, photos, description,
    support, following and comments; the planners' status and theme forms."""
    return await _page(request, request.path_params["id"],
                       block="comments" if "page" in request.query_params else None)


async def _act(request: Request, action, *, page_of: int, block: str, done: str, to=None, failed: str = "",
               values: dict | None = None, **kwargs):
    """Run one action of the proposal page `page_of` for the signed-in viewer (`kwargs` go to the service):
    redirect back to the page (to `to(result)` if given, else the action's block), or answer an HTMX request
    with the action's block."""
    proposal_id = page_of
    if not request.user.is_authenticated:
        return login_redirect(request, back=proposal_url(proposal_id))
    try:
        result = await call(request, action, viewer=place_viewer(request.user), now=clock.now(), **kwargs)
    except DomainError as exc:
        failed = failed or block
        if wants_fragment(request) and exc.status_code != 404:
            return await _page(request, proposal_id, exc=exc, failed=failed, values=values, block=block)
        bad_input(exc)
        return await _page(request, proposal_id, exc=exc, failed=failed, values=values, status_code=400)
    if wants_fragment(request):
        return await _page(request, proposal_id, block=block, done=done)
    flash(request, done, "success")
    return redirect(request, to(result) if to else proposal_url(proposal_id, block))


async def support(request: Request):
    """A resident supports the proposal (once) and follows it."""
    proposal_id = request.path_params["id"]
    return await _act(request, discussion.support, page_of=proposal_id, proposal_id=proposal_id, block="support",
                      done=gettext(request, "Thank you: your support is counted. You follow the proposal now."))


async def unsupport(request: Request):
    """A resident takes their support back."""
    proposal_id = request.path_params["id"]
    return await _act(request, discussion.withdraw_support, page_of=proposal_id, proposal_id=proposal_id,
                      block="support", done=gettext(request, "Your support has been taken back."))


async def follow(request: Request):
    """Be told when the proposal moves on."""
    proposal_id = request.path_params["id"]
    return await _act(request, discussion.follow, page_of=proposal_id, proposal_id=proposal_id, block="support",
                      done=gettext(request, "You follow this proposal: you will be told when it moves on."))


async def unfollow(request: Request):
    """Stop being told about the proposal."""
    proposal_id = request.path_params["id"]
    return await _act(request, discussion.unfollow, page_of=proposal_id, proposal_id=proposal_id, block="support",
                      done=gettext(request, "You no longer follow this proposal."))


async def comment(request: Request):
    """Residents, planners and staff comment in plain text."""
    proposal_id = request.path_params["id"]
    body = form_text(await request.form(), "body", max_length=rules.COMMENT_MAX + 500)
    return await _act(request, discussion.comment, page_of=proposal_id, proposal_id=proposal_id, body=body,
                      block="comments", failed="comment", values={"comment-body": body},
                      to=lambda made: f"{proposal_url(proposal_id)}?page=last#comment-{made.id}",
                      done=gettext(request, "Your comment has been posted."))


async def hide_comment(request: Request):
    """A planner or staff hides a comment."""
    comment_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request, back="/planning")
    proposal_id = await call(request, proposal_queries.proposal_of_comment, comment_id=comment_id)
    number = _comments_page(request) or "last"  # the page the moderator was on (its form's address says)
    return await _act(request, discussion.hide_comment, page_of=proposal_id, block="comments",
                      failed=f"hide-{comment_id}", comment_id=comment_id,
                      to=lambda _row: f"{proposal_url(proposal_id)}?page={number}#comment-{comment_id}",
                      done=gettext(request, "The comment has been hidden."))


async def set_status(request: Request):
    """A planner or staff moves the proposal on (declining it with a public reason); followers are told."""
    proposal_id = request.path_params["id"]
    form = await request.form()
    status, reason = form_text(form, "status", max_length=20), form_text(form, "reason", max_length=rules.REASON_MAX)
    return await _act(request, discussion.set_status, page_of=proposal_id, proposal_id=proposal_id, block="status",
                      values={"status-status": status, "status-reason": reason}, status=status, reason=reason,
                      done=gettext(request, "The proposal's status has been changed; its followers have been told."))


async def set_theme(request: Request):
    """A planner or staff groups the proposal under a design theme (or none)."""
    proposal_id = request.path_params["id"]
    raw = form_text(await request.form(), "theme", max_length=12)
    theme_id = (id_param(raw) or 0) if raw else None  # 0: no such theme, refused as such
    return await _act(request, discussion.set_theme, page_of=proposal_id, proposal_id=proposal_id,
                      theme_id=theme_id, block="status", failed="theme", values={"theme-theme": raw},
                      done=gettext(request, "The proposal's design theme has been changed."))


# ---- annotations ---------------------------------------------------------------------------------------------

async def new_annotation(request: Request):
    """A planner or staff puts a note with a shape on the map, public or internal."""
    project_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request)
    viewer = place_viewer(request.user)
    page = await call(request, proposal_queries.annotation_form_page, viewer=viewer, project_id=project_id,
                      now=clock.now())
    if request.method == "GET":
        return _form(request, "planning/annotation_form.html", page, {"visibility": "public"})
    values = await read_note(request)
    try:
        await call(request, annotations.create_annotation, viewer=viewer, project_id=project_id, now=clock.now(),
                   **note_kwargs(values))
    except DomainError as exc:
        bad_input(exc)
        return _form(request, "planning/annotation_form.html", page, values, exc, 400)
    flash(request, gettext(request, "Your note is on the map."), "success")
    return redirect(request, access.project_path(project_id))


async def delete_annotation(request: Request):
    """The note's author or staff takes it off the map, after a page that asks to confirm."""
    annotation_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request, back=request.url.path)
    viewer = place_viewer(request.user)
    if request.method == "GET":
        seen = await call(request, annotations.deletable_annotation, viewer=viewer, annotation_id=annotation_id,
                          now=clock.now())
        return render(request, "planning/annotation_delete.html", {"seen": seen})
    seen = await call(request, annotations.delete_annotation, viewer=viewer, annotation_id=annotation_id,
                      now=clock.now())
    flash(request, gettext(request, "The note has been taken off the map."), "success")
    return redirect(request, access.project_path(seen.project.id))


routes = [
    Route("/{id:int}/proposals/new", new_proposal, name="new_proposal", methods=["GET", "POST"]),
    Route("/proposals/{id:int}", proposal, name="proposal"),
    Route("/proposals/{id:int}/edit", edit_proposal, name="edit_proposal", methods=["GET", "POST"]),
    Route("/proposals/{id:int}/support", support, name="support_proposal", methods=["POST"]),
    Route("/proposals/{id:int}/unsupport", unsupport, name="unsupport_proposal", methods=["POST"]),
    Route("/proposals/{id:int}/follow", follow, name="follow_proposal", methods=["POST"]),
    Route("/proposals/{id:int}/unfollow", unfollow, name="unfollow_proposal", methods=["POST"]),
    Route("/proposals/{id:int}/comments", comment, name="comment_proposal", methods=["POST"]),
    Route("/comments/{id:int}/hide", hide_comment, name="hide_proposal_comment", methods=["POST"]),
    Route("/proposals/{id:int}/status", set_status, name="proposal_status", methods=["POST"]),
    Route("/proposals/{id:int}/theme", set_theme, name="proposal_theme", methods=["POST"]),
    Route("/{id:int}/annotations/new", new_annotation, name="new_annotation", methods=["GET", "POST"]),
    Route("/annotations/{id:int}/delete", delete_annotation, name="delete_annotation", methods=["GET", "POST"]),
]
