"""What the clause page's forms do: propose, accept, reject and withdraw amendments; comment, reply, report;
staff hide, restore and dismiss reports (also from the moderation queue); follow a clause. Each POST makes one
service call, then flashes and goes back to the clause page at the item (303); bad input comes back on the
page with the message next to the field (400); refusals (403, 404, 409) are the error page."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from civic import clock
from civic.auth.permissions import place_viewer
from civic.covenants import amendments, comments, queries, rules, service
from civic.errors import DomainError
from civic.pagination import page_number
from civic.web.clause_page import clause_response, clause_text, clause_url, problem_context
from civic.web.deps import call, form_text, id_param, login_redirect
from civic.web.render import flash, gettext, redirect, render


def _login(request: Request, clause_id: int) -> RedirectResponse:
    """Sign in, then back to the clause page."""
    return login_redirect(request, back=clause_url(request, clause_id))


async def _clause_of(request: Request, **ids: int) -> int:
    return await call(request, queries.clause_id_of, **ids)


async def _act(request: Request, action: Callable, *, clause_id: int | None = None, item: dict[str, int],
               form: str, fields: tuple[str, ...] = (), values: dict[str, str] | None = None,
               done: Callable[[object], str], anchor: Callable[[object], str], **kwargs) -> Response:
    """Run one action for the signed-in viewer. `item`: the amendment_id or comment_id it acts on (the clause
    is looked up only when needed: to sign in, or to show the page again after bad input)."""
    if not request.user.is_authenticated:
        return _login(request, clause_id or await _clause_of(request, **item))
    try:
        result = await call(request, action, viewer=place_viewer(request.user), now=clock.now(), **item, **kwargs)
    except service.EditConflict as exc:
        # Accepting an amendment the clause has moved past, with overlapping changes: the page says what to do.
        return await clause_response(request, clause_id or await _clause_of(request, **item), problem=exc,
                                     form=form, status_code=409)
    except DomainError as exc:
        if exc.status_code != 400:
            raise
        return await clause_response(request, clause_id or await _clause_of(request, **item), problem=exc,
                                     form=form, fields=fields, values=values, status_code=400)
    flash(request, done(result), "success")
    return redirect(request, clause_url(request, _result_clause(result), anchor(result)))


def _result_clause(result) -> int:
    return result.version.clause_id if isinstance(result, service.EditResult) else result.clause_id


# ---- amendments --------------------------------------------------------------------------------------


async def propose(request: Request):
    """Propose new text for a clause, with a reason (residents, drafters, staff; in consultation)."""
    clause_id = request.path_params["id"]
    form = await request.form()
    text, reason = clause_text(form), form_text(form, "reason", max_length=rules.REASON_MAX)
    return await _act(
        request, amendments.propose_amendment, clause_id=clause_id, item={"clause_id": clause_id}, form="amend",
        fields=("text", "reason"), values={"amend-text": text, "amend-reason": reason}, text=text, reason=reason,
        based_on_version_id=id_param(form.get("based_on")),
        done=lambda _a: gettext(request, "Your amendment has been proposed. The drafters have been told."),
        anchor=lambda a: f"amendment-{a.id}")


def _accepted(request: Request, result: service.EditResult) -> str:
    if result.outcome == "unchanged":
        return gettext(request, "The amendment was accepted; the clause already said this.")
    if result.outcome == "merged":
        return gettext(request, "The amendment was accepted and merged with version %(other)d: it is now "
                                "version %(number)d.") % {"other": result.merged_with.number,
                                                          "number": result.version.number}
    return gettext(request, "The amendment was accepted: it is now version %(number)d.") % {
        "number": result.version.number}


async def accept(request: Request):
    """Drafters and staff accept an amendment: its text becomes the clause's next version."""
    amendment_id = request.path_params["id"]
    return await _act(request, amendments.accept_amendment, item={"amendment_id": amendment_id},
                      form=f"accept-{amendment_id}", done=lambda r: _accepted(request, r),
                      anchor=lambda _r: f"amendment-{amendment_id}")


async def reject(request: Request):
    """Drafters and staff reject an amendment with a reason; it stays on the page with the reason."""
    amendment_id = request.path_params["id"]
    form = await request.form()
    reason = form_text(form, "reason", max_length=rules.REASON_MAX)
    key = f"reject-{amendment_id}"
    return await _act(request, amendments.reject_amendment, item={"amendment_id": amendment_id}, form=key,
                      fields=("reason",), values={f"{key}-reason": reason}, reason=reason,
                      done=lambda _a: gettext(request, "The amendment was rejected; its proposer has been told."),
                      anchor=lambda a: f"amendment-{a.id}")


async def withdraw(request: Request):
    """The proposer withdraws an amendment nobody has decided on."""
    amendment_id = request.path_params["id"]
    return await _act(request, amendments.withdraw_amendment, item={"amendment_id": amendment_id},
                      form=f"withdraw-{amendment_id}",
                      done=lambda _a: gettext(request, "Your amendment has been withdrawn."),
                      anchor=lambda a: f"amendment-{a.id}")


# ---- comments ----------------------------------------------------------------------------------------


async def comment(request: Request):
    """Comment on a clause, or reply to a comment (`parent_id`)."""
    clause_id = request.path_params["id"]
    form = await request.form()
    body, parent_id = form_text(form, "body", max_length=rules.COMMENT_MAX), id_param(form.get("parent_id"))
    key = f"reply-{parent_id}" if parent_id else "comment"
    return await _act(
        request, comments.add_comment, clause_id=clause_id, item={"clause_id": clause_id}, form=key,
        fields=("body",), values={f"{key}-body": body}, body=body, parent_id=parent_id,
        done=lambda _c: gettext(request, "Your reply has been posted.") if parent_id
        else gettext(request, "Your comment has been posted."),
        anchor=lambda c: f"comment-{c.id}")


async def report(request: Request):
    """Report a comment to the moderators, with a reason."""
    comment_id = request.path_params["id"]
    form = await request.form()
    reason = form_text(form, "reason", max_length=rules.NOTE_MAX)
    key = f"report-{comment_id}"
    return await _act(request, comments.report_comment, item={"comment_id": comment_id}, form=key,
                      fields=("reason",), values={f"{key}-reason": reason}, reason=reason,
                      done=lambda _c: gettext(request, "Thank you: the moderators have been told."),
                      anchor=lambda c: f"comment-{c.id}")


async def _moderate(request: Request, action: Callable, done: str, *, with_reason: bool = False):
    """Hide, restore or dismiss reports, from the clause page or from the moderation queue (`back`)."""
    comment_id = request.path_params["id"]
    form = await request.form()
    from_queue = form.get("back") == "moderation"
    kwargs, key = {}, f"hide-{comment_id}"
    if with_reason:
        kwargs["reason"] = form_text(form, "reason", max_length=rules.NOTE_MAX)
    if from_queue and request.user.is_authenticated:
        try:
            await call(request, action, viewer=place_viewer(request.user), comment_id=comment_id, now=clock.now(),
                       **kwargs)
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            return await moderation_response(request, problem=exc, form=key, values={f"{key}-reason": kwargs.get(
                "reason", "")}, status_code=400)
        flash(request, done, "success")
        return redirect(request, request.url_for("covenants:moderation").path)
    return await _act(request, action, item={"comment_id": comment_id}, form=key, fields=("reason",),
                      values={f"{key}-reason": kwargs.get("reason", "")}, done=lambda _c: done,
                      anchor=lambda c: f"comment-{c.id}", **kwargs)


async def hide(request: Request):
    """Staff hide a comment with a reason, shown in its place."""
    return await _moderate(request, comments.hide_comment,
                           gettext(request, "The comment has been hidden; its author has been told."),
                           with_reason=True)


async def restore(request: Request):
    """Staff show a hidden comment again."""
    return await _moderate(request, comments.restore_comment, gettext(request, "The comment has been restored."))


async def dismiss(request: Request):
    """Staff keep a reported comment and settle its reports."""
    return await _moderate(request, comments.dismiss_reports,
                           gettext(request, "The reports on this comment have been dismissed."))


async def follow(request: Request):
    """Be told of new amendments to this clause."""
    clause_id = request.path_params["id"]
    return await _act(request, comments.follow, clause_id=clause_id, item={"clause_id": clause_id}, form="follow",
                      done=lambda _f: gettext(request, "You follow this clause: you will be told of new amendments."),
                      anchor=lambda _f: "follow")


async def unfollow(request: Request):
    """Stop following this clause."""
    clause_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return _login(request, clause_id)
    await call(request, comments.unfollow, viewer=place_viewer(request.user), clause_id=clause_id, now=clock.now())
    flash(request, gettext(request, "You no longer follow this clause."), "success")
    return redirect(request, clause_url(request, clause_id, "follow"))


# ---- the moderation queue ----------------------------------------------------------------------------


async def moderation_response(request: Request, *, problem: DomainError | None = None, form: str | None = None,
                              values: dict[str, str] | None = None, status_code: int = 200) -> Response:
    found = await call(request, queries.reported_comments, viewer=place_viewer(request.user),
                       number=page_number(request.query_params.get("page")),
                       size=request.app.state.settings.page_size)
    context = {"found": found, "values": values or {}}
    context.update(problem_context(request, problem, form, ("reason",)))
    return render(request, "covenants/moderation.html", context, status_code=status_code)


async def moderation(request: Request):
    """Staff: reported comments in their places, most reported first, to hide or keep."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    return await moderation_response(request)


routes = [
    Route("/moderation", moderation, name="moderation"),
    Route("/clauses/{id:int}/amendments", propose, name="propose_amendment", methods=["POST"]),
    Route("/amendments/{id:int}/accept", accept, name="accept_amendment", methods=["POST"]),
    Route("/amendments/{id:int}/reject", reject, name="reject_amendment", methods=["POST"]),
    Route("/amendments/{id:int}/withdraw", withdraw, name="withdraw_amendment", methods=["POST"]),
    Route("/clauses/{id:int}/comments", comment, name="comment", methods=["POST"]),
    Route("/clauses/{id:int}/follow", follow, name="follow", methods=["POST"]),
    Route("/clauses/{id:int}/unfollow", unfollow, name="unfollow", methods=["POST"]),
    Route("/comments/{id:int}/report", report, name="report_comment", methods=["POST"]),
    Route("/comments/{id:int}/hide", hide, name="hide_comment", methods=["POST"]),
    Route("/comments/{id:int}/restore", restore, name="restore_comment", methods=["POST"]),
    Route("/comments/{id:int}/dismiss", dismiss, name="dismiss_comments_reports", methods=["POST"]),
]
