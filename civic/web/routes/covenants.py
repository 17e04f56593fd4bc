"""Covenant pages: the list, starting a covenant, one covenant with its clauses, and what drafters and staff do
on it (title and preamble, adding and removing clauses, status, drafters). The clause pages are in
covenant_clauses, mounted here."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.routing import Route

from civic import clock
from civic.auth.permissions import is_staff_anywhere, place_viewer
from civic.covenants import drafters, queries, rules, service
from civic.covenants.models import KIND_LABELS, CovenantKind, CovenantStatus
from civic.errors import DomainError, InvalidInput
from civic.i18n import N_
from civic.pagination import page_number
from civic.web.deps import call, form_text, id_param, login_redirect, optional_viewer, require
from civic.web.render import flash, gettext, redirect, render
from civic.web.routes import covenant_adoption, covenant_clauses

S = CovenantStatus
# The button for each plain status change (rules.next_statuses); any other one reads "Move to “…”".
STATUS_ACTIONS = {
    (S.drafting, S.consultation): N_("Open the consultation"),
    (S.consultation, S.drafting): N_("Return to drafting"),
    (S.rejected, S.drafting): N_("Revise the text and draft again"),
}
STATUS_HELP = {
    S.drafting: N_("The drafters are writing the text; residents may comment on each clause."),
    S.consultation: N_("Residents may propose amendments and comment; the drafters decide on each amendment."),
    S.ratification: N_("The text is frozen and put to a vote."),
    S.adopted: N_("The covenant was ratified by a valid vote."),
    S.superseded: N_("A later covenant replaced this one."),
    S.repealed: N_("The covenant was repealed by a vote."),
    S.rejected: N_("The vote did not ratify this text; the drafters may revise it."),
}
STATUS_MOVED = N_("The covenant is now in the status “%(status)s”.")
KIND_HINTS = {
    CovenantKind.owners: N_("Ratified by the owners under Civil Code Art. 278: two thirds of the owners and of the "
                            "floor area take part, and more than half of those taking part approve, by head and by "
                            "area."),
    CovenantKind.residents: N_("Ratified by the residents' meeting: one vote per adult resident."),
}



def _messages(request: Request, problems, fields: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """Each problem's message for the summary, and next to its field (the service's field name → the id the
    field has on the page, where several forms share one page)."""
    messages = [(p.field, p.render(lambda m: gettext(request, m))) for p in problems]
    return [text for _f, text in messages], {fields[f]: text for f, text in messages if f in fields}


# ---- the list and a new covenant --------------------------------------------------------------------


async def index(request: Request):
    """Every covenant, or those of a place (and the places under it), by status; newest changes first."""
    params = request.query_params
    status = params.get("status") if params.get("status") in set(CovenantStatus) else None
    found = await call(request, queries.browse_covenants, place_id=id_param(params.get("place")), status=status,
                       number=page_number(params.get("page")), size=request.app.state.settings.page_size)
    return render(request, "covenants/index.html", {
        "listing": found, "status": status, "statuses": list(CovenantStatus), "kinds": KIND_LABELS})


def _new_values(form) -> dict[str, str]:
    return {"scope": form_text(form, "scope", max_length=20), "kind": form_text(form, "kind", max_length=16),
            "title": form_text(form, "title", max_length=rules.TITLE_MAX),
            "preamble": form_text(form, "preamble", max_length=rules.PREAMBLE_MAX)}


def _new_problems(values: dict[str, str]) -> list[DomainError]:
    """Every problem the form shows at once; the service checks them all again, and the place too."""
    problems: list[DomainError] = []
    if id_param(values["scope"]) is None:
        problems.append(InvalidInput(N_("Choose the community or compound the covenant is for."), field="scope"))
    if values["kind"] not in set(CovenantKind):
        problems.append(InvalidInput(N_("Choose an owners' covenant or a residents' convention."), field="kind"))
    for check, name in ((service.check_title, "title"), (service.check_preamble, "preamble")):
        try:
            check(values[name])
        except InvalidInput as exc:
            problems.append(exc)
    return problems


async def _new_page(request: Request, values: dict[str, str], problems=(), status_code: int = 200):
    scopes = await call(request, queries.scope_choices, viewer=place_viewer(request.user))
    errors, field_errors = _messages(request, problems, {f: f for f in ("scope", "kind", "title", "preamble")})
    return render(request, "covenants/new.html", {
        "scopes": scopes, "values": values, "kinds": KIND_LABELS, "kind_hints": KIND_HINTS, "errors": errors,
        "field_errors": field_errors}, status_code=status_code)


async def new_covenant(request: Request):
    """Staff start a covenant for a community or compound they are staff of; it opens in drafting."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    require(is_staff_anywhere(request.user), N_("Only community staff and administrators can start a covenant."))
    if request.method == "GET":
        return await _new_page(request, {"scope": "", "kind": "", "title": "", "preamble": ""})
    values = _new_values(await request.form())
    problems = _new_problems(values)
    if problems:
        return await _new_page(request, values, problems, status_code=400)
    try:
        covenant = await call(request, service.create_covenant, viewer=place_viewer(request.user),
                              scope_place_id=id_param(values["scope"]), kind=values["kind"], title=values["title"],
                              preamble=values["preamble"], now=clock.now())
    except DomainError as exc:
        if exc.status_code != 400:
            raise  # not staff of that place (403): the error page
        return await _new_page(request, values, [exc], status_code=400)
    flash(request, gettext(request, "The covenant has been started. Add its clauses and appoint its drafters."),
          "success")
    return redirect(request, request.url_for("covenants:detail", id=covenant.id).path)


# ---- one covenant -----------------------------------------------------------------------------------


async def _page(request: Request, covenant_id: int, *, problem: DomainError | None = None,
                fields: dict[str, str] | None = None, values: dict[str, str] | None = None, status_code: int = 200):
    page = await call(request, queries.covenant_page, covenant_id=covenant_id, viewer=optional_viewer(request),
                      now=clock.now())
    errors, field_errors = _messages(request, [problem] if problem else [], fields or {})
    return render(request, "covenants/detail.html", {
        "page": page, "kinds": KIND_LABELS, "kind_hints": KIND_HINTS, "subjects": rules.SUBJECTS,
        "templates": rules.CLAUSE_TEMPLATES.values(), "status_actions": STATUS_ACTIONS, "status_help": STATUS_HELP, "errors": errors,
        "field_errors": field_errors, "values": values or {}}, status_code=status_code)


async def detail(request: Request):
    """A covenant: its text clause by clause, its drafters, and the forms the viewer may use now."""
    return await _page(request, request.path_params["id"])


async def _act(request: Request, page_id: int, fn: Callable, *, done: str, fields: dict[str, str],
               values: dict[str, str], **kwargs):
    """One use case for the signed-in viewer on covenant `page_id`. Bad input (400) comes back on the covenant page
    next to its field; a refusal (403), a missing row (404) or the wrong status (409) is the error page; done:
    a flash, and back to the covenant page."""
    try:
        await call(request, fn, viewer=place_viewer(request.user), now=clock.now(), **kwargs)
    except DomainError as exc:
        if exc.status_code != 400:
            raise
        return await _page(request, page_id, problem=exc, fields=fields, values=values, status_code=400)
    flash(request, done, "success")
    return redirect(request, f"/covenants/{page_id}")


async def update_text(request: Request):
    """Drafters and staff change the title and preamble while the text is open."""
    covenant_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request, back=f"/covenants/{covenant_id}")
    form = await request.form()
    title = form_text(form, "title", max_length=rules.TITLE_MAX)
    preamble = form_text(form, "preamble", max_length=rules.PREAMBLE_MAX)
    return await _act(request, covenant_id, service.update_covenant, covenant_id=covenant_id, title=title,
                      preamble=preamble, done=gettext(request, "The title and preamble have been saved."),
                      fields={"title": "cov-title", "preamble": "cov-preamble"},
                      values={"cov-title": title, "cov-preamble": preamble})


async def add_clause(request: Request):
    """Drafters and staff add a clause at the end: from a template, or blank with a subject and heading."""
    covenant_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request, back=f"/covenants/{covenant_id}")
    form = await request.form()
    if form_text(form, "source", max_length=10) == "template":
        template = form_text(form, "template", max_length=40)
        # A choice left empty is refused by the service, once it knows the viewer may edit at all.
        fields, values, kwargs = {"template": "template"}, {"template": template}, {"template": template}
    else:
        kwargs = {"subject": form_text(form, "subject", max_length=40) or "other",
                  "heading": form_text(form, "heading", max_length=rules.HEADING_MAX),
                  "text": form_text(form, "text", max_length=rules.CLAUSE_MAX)}
        fields = {name: f"clause-{name}" for name in ("subject", "heading", "text")}
        values = {f"clause-{name}": value for name, value in kwargs.items()}
    return await _act(request, covenant_id, service.add_clause, covenant_id=covenant_id,
                      done=gettext(request, "The clause has been added at the end."), fields=fields, values=values,
                      **kwargs)


async def remove_clause(request: Request):
    """Remove a clause, after a confirmation page (no script needed); its record stays."""
    clause_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request, back=f"/covenants/clauses/{clause_id}/remove")
    if request.method == "GET":
        found = await call(request, queries.clause_removal, clause_id=clause_id, viewer=place_viewer(request.user),
                           now=clock.now())
        return render(request, "covenants/remove.html", {"found": found})
    clause = await call(request, service.remove_clause, viewer=place_viewer(request.user), clause_id=clause_id,
                        now=clock.now())  # no input to get wrong: every refusal is the error page
    flash(request, gettext(request, "The clause has been removed. Its versions, amendments and comments stay on "
                                    "record."), "success")
    return redirect(request, f"/covenants/{clause.covenant_id}")


async def change_status(request: Request):
    """Drafters and staff open or end the consultation, or draft again after a failed vote."""
    covenant_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request, back=f"/covenants/{covenant_id}")
    to = form_text(await request.form(), "to", max_length=16)
    covenant = await call(request, service.move_status, viewer=place_viewer(request.user), covenant_id=covenant_id,
                          to=to, now=clock.now())  # an unknown or refused move is a 409 or 403
    flash(request, gettext(request, STATUS_MOVED) % {"status": gettext(request, covenant.status)}, "success")
    return redirect(request, f"/covenants/{covenant_id}")


# ---- drafters ---------------------------------------------------------------------------------------


async def join(request: Request):
    """A resident of the place asks to join the drafters, with a note; staff are told."""
    covenant_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request, back=f"/covenants/{covenant_id}")
    note = form_text(await request.form(), "note", max_length=rules.NOTE_MAX)
    return await _act(request, covenant_id, drafters.request_to_join, covenant_id=covenant_id, note=note,
                      done=gettext(request, "Your request to join the drafters has been sent to staff."),
                      fields={"note": "join-note"}, values={"join-note": note})


async def appoint(request: Request):
    """Staff appoint a drafter by the e-mail address or phone number of an existing account."""
    covenant_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request, back=f"/covenants/{covenant_id}")
    contact = form_text(await request.form(), "contact", max_length=120)
    return await _act(request, covenant_id, drafters.appoint_by_contact, covenant_id=covenant_id, contact=contact,
                      done=gettext(request, "The drafter has been appointed and told."),
                      fields={"contact": "appoint-contact"}, values={"appoint-contact": contact})


async def decide(request: Request):
    """Staff approve a request to join, or decline it with a reason; the resident is told."""
    drafter_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request, back="/covenants")
    form = await request.form()
    reason = form_text(form, "reason", max_length=rules.REASON_MAX)
    approve = form_text(form, "decision", max_length=10) == "approve"
    done = (gettext(request, "The request has been approved; the resident is now a drafter.") if approve
            else gettext(request, "The request has been declined; the resident has been told why."))
    covenant_id = await call(request, queries.drafter_covenant_id, drafter_id=drafter_id)
    return await _act(request, covenant_id, drafters.decide_join, request_id=drafter_id, approve=approve,
                      reason=reason, done=done, fields={"reason": f"decide-reason-{drafter_id}"},
                      values={f"decide-reason-{drafter_id}": reason})


async def remove_drafter(request: Request):
    """Staff take a drafter off the covenant, with a reason."""
    drafter_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request, back="/covenants")
    reason = form_text(await request.form(), "reason", max_length=rules.REASON_MAX)
    covenant_id = await call(request, queries.drafter_covenant_id, drafter_id=drafter_id)
    return await _act(request, covenant_id, drafters.remove_drafter, drafter_id=drafter_id, reason=reason,
                      done=gettext(request, "The drafter has been removed."),
                      fields={"reason": f"remove-reason-{drafter_id}"},
                      values={f"remove-reason-{drafter_id}": reason})


routes = [
    Route("/new", new_covenant, name="new", methods=["GET", "POST"]),
    Route("/{id:int}", detail, name="detail"),
    Route("/{id:int}/text", update_text, name="text", methods=["POST"]),
    Route("/{id:int}/clauses", add_clause, name="add_clause", methods=["POST"]),
    Route("/{id:int}/status", change_status, name="status", methods=["POST"]),
    Route("/{id:int}/drafters", appoint, name="appoint", methods=["POST"]),
    Route("/{id:int}/drafters/join", join, name="join", methods=["POST"]),
    Route("/drafters/{id:int}/decide", decide, name="decide_join", methods=["POST"]),
    Route("/drafters/{id:int}/remove", remove_drafter, name="remove_drafter", methods=["POST"]),
    Route("/clauses/{id:int}/remove", remove_clause, name="remove_clause", methods=["GET", "POST"]),
    *covenant_adoption.routes,  # /adopted, /{id}/freeze, /{id}/sign, /{id}/keepers …: from ratification on
    *covenant_clauses.routes,  # /clauses/{id} …, /{id}/diff, /moderation: clause pages (clause, amendments, comments)
]
