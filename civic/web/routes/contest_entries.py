"""Contest entries: drafting, submitting and withdrawing an entry, the entry page with its pledge form,
updates and comments, and staff screening. Each POST makes one service call, then flashes and redirects
(303); bad input comes back on its form with the message next to the field (400); refusals (403, 404, 409)
are the error page. The team and images pages are in contest_entry_team; cancelling pledges, the ledger
and confirmations in contest_pledges."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from civic import clock
from civic.auth.permissions import place_viewer
from civic.contests import backing, discussion, entries, entry_page, entry_queries
from civic.contests.entry_input import BUDGET_LINES_MAX, MATERIALS_MAX, EntryForm
from civic.errors import DomainError
from civic.pagination import page_number
from civic.web.deps import call, form_text, login_redirect, optional_viewer
from civic.web.entry_forms import BLANK_ROWS, bad_input, entry_form, entry_url, problems
from civic.web.render import flash, gettext, redirect, render
from civic.web.routes import contest_entry_team, contest_pledges

# ---- the entry form ----------------------------------------------------------------------------------

def _form_page(request: Request, page, values: EntryForm, exc: DomainError | None = None, status_code: int = 200):
    errors, field_errors = problems(request, exc) if exc else ([], {})
    budget_rows = min(len(values.budget) + BLANK_ROWS, BUDGET_LINES_MAX)
    material_rows = min(len(values.materials) + BLANK_ROWS, MATERIALS_MAX)
    return render(request, "contests/entry_form.html", {
        "page": page, "values": values, "errors": errors, "field_errors": field_errors,
        "budget": values.budget + [("", "")] * (budget_rows - len(values.budget)),
        "materials": values.materials + [("", "", "")] * (material_rows - len(values.materials)),
        "budget_total_fen": values.budget_total_fen(), "budget_differs": values.goal_differs(),
    }, status_code=status_code)


async def new_entry(request: Request):
    """A resident of the contest's place starts an entry while submissions are open: a draft only the team sees."""
    contest_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request)
    viewer = place_viewer(request.user)
    page = await call(request, entry_queries.new_entry_page, viewer=viewer, contest_id=contest_id, now=clock.now())
    if request.method == "GET":
        return _form_page(request, page, EntryForm())
    values = entry_form(await request.form())
    try:
        entry = await call(request, entries.create_entry, viewer=viewer, contest_id=contest_id, form=values,
                           now=clock.now())
    except DomainError as exc:
        bad_input(exc)
        return _form_page(request, page, values, exc, 400)
    flash(request, gettext(request, "Your entry is saved as a draft: only your team sees it. Add your team and "
                                    "images, then submit it before the deadline."), "success")
    return redirect(request, entry_url(entry.id))


async def edit_entry(request: Request):
    """The team changes its entry until the submission deadline."""
    entry_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request)
    viewer = place_viewer(request.user)
    page, saved = await call(request, entry_queries.edit_entry_page, viewer=viewer, entry_id=entry_id, now=clock.now())
    if request.method == "GET":
        return _form_page(request, page, saved)
    values = entry_form(await request.form())
    try:
        await call(request, entries.edit_entry, viewer=viewer, entry_id=entry_id, form=values, now=clock.now())
    except DomainError as exc:
        bad_input(exc)
        return _form_page(request, page, values, exc, 400)
    flash(request, gettext(request, "Your changes to the entry are saved."), "success")
    return redirect(request, entry_url(entry_id))


async def submit_entry(request: Request):
    """The team submits its draft: public from now on."""
    entry_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request, back=entry_url(entry_id))
    viewer = place_viewer(request.user)
    try:
        await call(request, entries.submit_entry, viewer=viewer, entry_id=entry_id, now=clock.now())
    except DomainError as exc:
        bad_input(exc)  # a summary or plan is missing: the form shows where
        page, saved = await call(request, entry_queries.edit_entry_page, viewer=viewer, entry_id=entry_id,
                                 now=clock.now())
        return _form_page(request, page, saved, exc, 400)
    flash(request, gettext(request, "Your entry is submitted: everyone can see it now. Your team can still change "
                                    "it until the submission deadline."), "success")
    return redirect(request, entry_url(entry_id))


async def withdraw_entry(request: Request):
    """The team withdraws its submitted entry, after a page that asks to confirm."""
    entry_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request, back=entry_url(entry_id))
    viewer = place_viewer(request.user)
    if request.method == "GET":
        seen = await call(request, entries.changeable_entry, viewer=viewer, entry_id=entry_id, now=clock.now())
        return render(request, "contests/entry_withdraw.html", {"seen": seen})
    await call(request, entries.withdraw_entry, viewer=viewer, entry_id=entry_id, now=clock.now())
    flash(request, gettext(request, "Your entry has been withdrawn."), "success")
    return redirect(request, entry_url(entry_id))


# ---- the entry page ------------------------------------------------------------------------------------

def _comments_page(request: Request) -> int:
    raw = request.query_params.get("page")
    return 0 if raw == "last" else page_number(raw)


async def _entry_response(request: Request, entry_id: int, *, exc: DomainError | None = None, failed: str = "",
                          values: dict | None = None, status_code: int = 200):
    page = await call(request, entry_page.entry_page, viewer=optional_viewer(request), entry_id=entry_id, now=clock.now(),
                      comments_page=_comments_page(request))
    errors, field_errors = problems(request, exc) if exc else ([], {})
    # Field errors are keyed by the form they belong to, so that one form's error does not show on another.
    return render(request, "contests/entry.html", {
        "page": page, "errors": errors, "failed": failed, "values": values or {},
        "field_errors": {f"{failed}-{name}": text for name, text in field_errors.items()},
    }, block="comments" if "page" in request.query_params else None, status_code=status_code)


async def entry(request: Request):
    """An entry: its team, plan, budget, materials, images, progress, the pledge form and the viewer's own
    pledges, updates and comments; its screening and, after the results, its rank and matching funds."""
    return await _entry_response(request, request.path_params["id"])


async def _on_entry(request: Request, action, *, entry_id: int, failed: str, values: dict, done, anchor, **kwargs):
    """Run an action of the entry page for the signed-in viewer; bad input comes back on the page (400)."""
    if not request.user.is_authenticated:
        return login_redirect(request, back=entry_url(entry_id))
    try:
        result = await call(request, action, viewer=place_viewer(request.user), entry_id=entry_id, now=clock.now(),
                            **kwargs)
    except DomainError as exc:
        bad_input(exc)
        return await _entry_response(request, entry_id, exc=exc, failed=failed, values=values, status_code=400)
    flash(request, done(result), "success")
    return redirect(request, entry_url(entry_id, anchor(result)))


async def pledge(request: Request):
    """A resident backs an accepted entry with money, volunteer hours or materials; each pledge is its own row,
    committed before the acknowledgement."""
    entry_id = request.path_params["id"]
    form = await request.form()
    values = {name: form_text(form, name, max_length=200) for name in ("kind", "amount", "hours", "need", "quantity",
                                                                        "note")}
    return await _on_entry(
        request, backing.pledge_as_typed, failed="pledge", values=values, entry_id=entry_id, **values,
        done=lambda p: gettext(request, "Thank you: your pledge no. %(id)s is recorded.") % {"id": p.id},
        anchor=lambda _p: "my-pledges")


async def post_update(request: Request):
    """The team posts news for its backers."""
    entry_id = request.path_params["id"]
    body = form_text(await request.form(), "body", max_length=6000)
    return await _on_entry(request, discussion.post_update, failed="update", values={"update-body": body},
                           entry_id=entry_id, body=body,
                           done=lambda _u: gettext(request, "Your update is posted; the backers have been told."),
                           anchor=lambda u: f"update-{u.id}")


async def comment(request: Request):
    """Anyone signed in comments on a submitted entry."""
    entry_id = request.path_params["id"]
    body = form_text(await request.form(), "body", max_length=2500)
    if not request.user.is_authenticated:
        return login_redirect(request, back=entry_url(entry_id))
    try:
        made = await call(request, discussion.add_comment, viewer=place_viewer(request.user), entry_id=entry_id,
                          body=body, now=clock.now())
    except DomainError as exc:
        bad_input(exc)
        return await _entry_response(request, entry_id, exc=exc, failed="comment", values={"comment-body": body},
                                     status_code=400)
    flash(request, gettext(request, "Your comment has been posted."), "success")
    return redirect(request, f"/contests/entries/{entry_id}?page=last#comment-{made.id}")


async def _moderate(request: Request, action, done: str, **kwargs):
    comment_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request, back="/contests")
    try:
        row = await call(request, action, viewer=place_viewer(request.user), comment_id=comment_id, now=clock.now(),
                         **kwargs)
    except DomainError as exc:
        bad_input(exc)
        entry_id = await call(request, entry_queries.entry_of_comment, comment_id=comment_id)
        key = f"hide-{comment_id}"
        return await _entry_response(request, entry_id, exc=exc, failed=key,
                                     values={f"{key}-reason": kwargs.get("reason", "")}, status_code=400)
    flash(request, done, "success")
    return redirect(request, entry_url(row.entry_id, f"comment-{row.id}"))


async def hide_comment(request: Request):
    """Staff hide a comment, with a reason shown in its place."""
    reason = form_text(await request.form(), "reason", max_length=600)
    return await _moderate(request, discussion.hide_comment,
                           gettext(request, "The comment has been hidden; its author has been told."), reason=reason)


async def restore_comment(request: Request):
    """Staff show a hidden comment again."""
    return await _moderate(request, discussion.restore_comment, gettext(request, "The comment has been restored."))


# ---- screening -----------------------------------------------------------------------------------------

async def _screening_response(request: Request, contest_id: int, *, exc: DomainError | None = None,
                              failed: int | None = None, values: dict | None = None):
    page = await call(request, entry_queries.screening_page, viewer=place_viewer(request.user), contest_id=contest_id,
                      now=clock.now())
    errors, field_errors = problems(request, exc) if exc else ([], {})
    return render(request, "contests/entry_screening.html", {
        "page": page, "errors": errors, "failed": failed, "values": values or {},
        "field_errors": {f"{failed}-{name}": text for name, text in field_errors.items()},
    }, status_code=400 if exc else 200)


async def screening(request: Request):
    """Staff, while screening is open: the submitted entries, each with accept and reject forms."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    return await _screening_response(request, request.path_params["id"])


async def screen(request: Request):
    """Staff accept or reject an entry with a public reason; the team is told."""
    entry_id = request.path_params["id"]
    form = await request.form()
    decision, reason = form_text(form, "decision", max_length=20), form_text(form, "reason", max_length=1200)
    if not request.user.is_authenticated:
        return login_redirect(request, back=entry_url(entry_id))
    try:
        row = await call(request, entries.screen_entry, viewer=place_viewer(request.user), entry_id=entry_id,
                         decision=decision, reason=reason, now=clock.now())
    except DomainError as exc:
        bad_input(exc)
        contest_id = await call(request, entry_queries.contest_of_entry, entry_id=entry_id)
        return await _screening_response(request, contest_id, exc=exc, failed=entry_id,
                                         values={"decision": decision, "reason": reason})
    message = ("The entry has been accepted; its team has been told." if row.status == "accepted"
               else "The entry has been rejected; its team has been told why.")
    flash(request, gettext(request, message), "success")
    return redirect(request, f"/contests/{row.contest_id}/screening#entry-{row.id}")


routes = [
    Route("/{id:int}/entries/new", new_entry, name="new_entry", methods=["GET", "POST"]),
    Route("/entries/{id:int}", entry, name="entry"),
    Route("/entries/{id:int}/edit", edit_entry, name="edit_entry", methods=["GET", "POST"]),
    Route("/entries/{id:int}/submit", submit_entry, name="submit_entry", methods=["POST"]),
    Route("/entries/{id:int}/withdraw", withdraw_entry, name="withdraw_entry", methods=["GET", "POST"]),
    Route("/entries/{id:int}/pledges", pledge, name="pledge", methods=["POST"]),
    Route("/{id:int}/screening", screening, name="screening"),
    Route("/entries/{id:int}/screen", screen, name="screen", methods=["POST"]),
    Route("/entries/{id:int}/updates", post_update, name="post_update", methods=["POST"]),
    Route("/entries/{id:int}/comments", comment, name="comment", methods=["POST"]),
    Route("/comments/{id:int}/hide", hide_comment, name="hide_comment", methods=["POST"]),
    Route("/comments/{id:int}/restore", restore_comment, name="restore_comment", methods=["POST"]),
    *contest_entry_team.routes,  # /entries/{id}/team, /entries/{id}/images …
    *contest_pledges.routes,  # /pledges/{id}/cancel, /{id}/ledger …
]
