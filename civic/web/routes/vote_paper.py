"""Staff work on an open vote: paper ballot batches (entered, confirmed by a second
staff member, conflicts resolved) and proxy mandates (recorded, revoked)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from civic import clock
from civic.auth.permissions import place_viewer
from civic.errors import DomainError
from civic.i18n import N_
from civic.pagination import page_number
from civic.votes import paper, paper_queries, paper_rules, proxies, queries
from civic.web.deps import call, form_text, login_redirect
from civic.web.render import flash, gettext, redirect, render

BATCHES_PER_PAGE = 20  # a pending batch shows all its lines (up to 500): keep the page readable
BATCH_TEXT_MAX = 100_000  # far more than MAX_BATCH_LINES lines; longer text is refused as too many lines


def _message(request: Request, exc: DomainError) -> str:
    return exc.render(lambda m: gettext(request, m))


def _url(request: Request, name: str, vote_id: int) -> str:
    return request.url_for(f"votes:{name}", id=vote_id).path


# --- Paper ballots ----------------------------------------------------------------------------------------


async def _paper(request: Request, vote_id: int, *, status_code: int = 200, **context):
    """The paper ballots page, with whatever a failed form needs to show again."""
    page = await call(request, paper_queries.paper_page, viewer=place_viewer(request.user), vote_id=vote_id,
                      number=page_number(request.query_params.get("page")), size=BATCHES_PER_PAGE, now=clock.now())
    values = {"page": page, "labels": paper_queries, "vote_labels": queries, "errors": [],
              "values": {"lines": "", "note": ""},
              "batch_errors": {}, "batch_reasons": {}, "conflict_errors": {}, "conflict_reasons": {}}
    return render(request, "votes/paper.html", {**values, **context}, status_code=status_code)


async def paper_page(request: Request):
    """Staff of the vote's place: enter a batch, confirm or reject others' batches, resolve conflicts."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    return await _paper(request, request.path_params["id"])


async def enter(request: Request):
    """Enter a batch typed as "unit or key, choice" lines; any bad line re-renders the form with a 400."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    vote_id = request.path_params["id"]
    form = await request.form()
    values = {"lines": form_text(form, "lines", max_length=BATCH_TEXT_MAX),
              "note": form_text(form, "note", max_length=paper_rules.NOTE_MAX)}
    try:
        batch = await call(request, paper.enter_batch, viewer=place_viewer(request.user), vote_id=vote_id,
                           entries=paper_rules.parse_lines(values["lines"]), note=values["note"], now=clock.now())
    except DomainError as exc:
        if exc.status_code != 400:
            raise
        problems = getattr(exc, "problems", [exc])
        return await _paper(request, vote_id, status_code=400, values=values,
                            errors=[_message(request, p) for p in problems])
    flash(request, gettext(request, "Batch %(id)d has been entered. Another staff member must confirm it "
                                    "before its ballots count.") % {"id": batch.id}, "success")
    return redirect(request, _url(request, "paper", vote_id))


async def confirm(request: Request):
    """A second staff member confirms a batch: its ballots count, or become conflicts."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    done = await call(request, paper.confirm_batch, viewer=place_viewer(request.user),
                      batch_id=request.path_params["batch_id"], now=clock.now())
    flash(request, gettext(request, "Batch %(id)d has been confirmed. Ballots counted: %(counted)d; "
                                    "conflicts to resolve: %(conflicts)d.")
          % {"id": done.batch.id, "counted": done.counted, "conflicts": done.conflicts}, "success")
    return redirect(request, _url(request, "paper", done.batch.vote_id))


async def reject(request: Request):
    """A second staff member rejects a batch with a reason; a missing reason re-renders the page with a 400."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    vote_id, batch_id = request.path_params["id"], request.path_params["batch_id"]
    reason = form_text(await request.form(), "reason", max_length=paper_rules.REASON_MAX)
    try:
        batch = await call(request, paper.reject_batch, viewer=place_viewer(request.user), batch_id=batch_id,
                           reason=reason, now=clock.now())
    except DomainError as exc:
        if exc.status_code != 400:
            raise
        return await _paper(request, vote_id, status_code=400, batch_errors={batch_id: _message(request, exc)},
                            batch_reasons={batch_id: reason})
    flash(request, gettext(request, "Batch %(id)d has been rejected; nothing in it counts.") % {"id": batch.id},
          "success")
    return redirect(request, _url(request, "paper", batch.vote_id))


async def resolve(request: Request):
    """Staff decide a conflict: keep the ballot counted before, or count the paper ballot instead."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    vote_id, entry_id = request.path_params["id"], request.path_params["entry_id"]
    form = await request.form()
    reason = form_text(form, "reason", max_length=paper_rules.REASON_MAX)
    try:
        entry = await call(request, paper.resolve_conflict, viewer=place_viewer(request.user), entry_id=entry_id,
                           keep=form_text(form, "keep", max_length=10), reason=reason, now=clock.now())
    except DomainError as exc:
        if exc.status_code != 400:
            raise
        return await _paper(request, vote_id, status_code=400, conflict_errors={entry_id: _message(request, exc)},
                            conflict_reasons={entry_id: reason})
    message = (N_("The paper ballot now counts in place of the earlier one.")
               if entry.status == paper.EntryStatus.replaced
               else N_("The earlier ballot still counts; the paper ballot does not."))
    flash(request, gettext(request, message), "success")
    return redirect(request, _url(request, "paper", vote_id))


# --- Proxy mandates ---------------------------------------------------------------------------------------


async def _proxies(request: Request, vote_id: int, *, status_code: int = 200, **context):
    page = await call(request, paper_queries.proxies_page, viewer=place_viewer(request.user), vote_id=vote_id,
                      number=page_number(request.query_params.get("page")),
                      size=request.app.state.settings.page_size, now=clock.now())
    values = {"page": page, "labels": paper_queries, "vote_labels": queries, "errors": [],
              "values": {"voter": "", "proxy": "", "evidence": ""}}
    return render(request, "votes/proxies.html", {**values, **context}, status_code=status_code)


async def proxies_page(request: Request):
    """Staff of the vote's place: record a written proxy, see and revoke the vote's mandates."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    return await _proxies(request, request.path_params["id"])


async def record(request: Request):
    """Record a proxy mandate; bad input re-renders the form with a 400 and nothing recorded."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    vote_id = request.path_params["id"]
    form = await request.form()
    values = {"voter": form_text(form, "voter", max_length=200), "proxy": form_text(form, "proxy", max_length=254),
              "evidence": form_text(form, "evidence", max_length=paper_rules.EVIDENCE_MAX)}
    try:
        await call(request, proxies.record_mandate, viewer=place_viewer(request.user), vote_id=vote_id,
                   voter=values["voter"], proxy=values["proxy"], evidence=values["evidence"], now=clock.now())
    except DomainError as exc:
        if exc.status_code != 400:
            raise
        return await _proxies(request, vote_id, status_code=400, values=values, errors=[_message(request, exc)])
    flash(request, gettext(request, "The proxy mandate has been recorded and the proxy told."), "success")
    return redirect(request, _url(request, "proxies", vote_id))


async def revoke(request: Request):
    """Revoke a mandate that has not been used to vote yet."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    mandate = await call(request, proxies.revoke_mandate, viewer=place_viewer(request.user),
                         mandate_id=request.path_params["mandate_id"], now=clock.now())
    flash(request, gettext(request, "The proxy mandate has been revoked."), "success")
    return redirect(request, _url(request, "proxies", mandate.vote_id))


routes = [
    Route("/{id:int}/paper", paper_page, name="paper"),
    Route("/{id:int}/paper", enter, name="paper_enter", methods=["POST"]),
    Route("/{id:int}/paper/batches/{batch_id:int}/confirm", confirm, name="paper_confirm", methods=["POST"]),
    Route("/{id:int}/paper/batches/{batch_id:int}/reject", reject, name="paper_reject", methods=["POST"]),
    Route("/{id:int}/paper/conflicts/{entry_id:int}/resolve", resolve, name="paper_resolve", methods=["POST"]),
    Route("/{id:int}/proxies", proxies_page, name="proxies"),
    Route("/{id:int}/proxies", record, name="proxy_record", methods=["POST"]),
    Route("/{id:int}/proxies/{mandate_id:int}/revoke", revoke, name="proxy_revoke", methods=["POST"]),
]
