"""Covenant pages from ratification on: freezing the text for its vote, a new text of an adopted covenant,
signing, breaches and disputes, the covenant keepers (with their export), and the public page of the
covenants in force in a place. Mounted under /covenants by covenants.py."""

from __future__ import annotations

import csv
import io
from datetime import date

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from civic import clock
from civic.auth.permissions import place_viewer
from civic.covenants import keepers, published, ratification, signing
from civic.covenants.access import register_day
from civic.errors import DomainError, InvalidInput
from civic.i18n import N_
from civic.pagination import page_number
from civic.web.deps import call, form_text, id_param, login_redirect
from civic.web.local_time import default_vote_times, parse_vote_times
from civic.web.render import flash, gettext, redirect, render

DATES = {  # field → msgid when unreadable
    "effective_on": N_("Enter the day it takes effect as a date, e.g. 2027-01-01, or leave it empty."),
    "review_on": N_("Enter the review day as a date, e.g. 2028-01-01, or leave it empty."),
}


def _day(raw: str, *, field: str, invalid: str, problems: list, required: bool = False,
         missing: str = "") -> date | None:
    if not raw:
        if required:
            problems.append(InvalidInput(missing, field=field))
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(InvalidInput(invalid, field=field))
        return None


def _errors(request: Request, problems) -> tuple[list[str], dict[str, str]]:
    messages = [(p.field, p.render(lambda m: gettext(request, m))) for p in problems]
    return [text for _f, text in messages], {f: text for f, text in messages if f}


def _covenant_path(covenant_id: int, anchor: str = "") -> str:
    return f"/covenants/{covenant_id}" + (f"#{anchor}" if anchor else "")


# ---- ratification ------------------------------------------------------------------------------------


async def _freeze_page(request: Request, covenant_id: int, values: dict, problems=(), status_code: int = 200):
    form = await call(request, ratification.freeze_form, viewer=place_viewer(request.user), covenant_id=covenant_id,
                      now=clock.now())
    errors, field_errors = _errors(request, problems)
    return render(request, "covenants/freeze.html", {"form": form, "values": values, "errors": errors,
                                                      "field_errors": field_errors}, status_code=status_code)


async def freeze(request: Request):
    """Drafters (or staff) freeze the text and schedule its ratification vote."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    covenant_id = request.path_params["id"]
    if request.method == "GET":
        values = {**default_vote_times(clock.now()), "effective_on": "", "review_on": "", "ballots": "named"}
        return await _freeze_page(request, covenant_id, values)
    form = await request.form()
    values = {name: form_text(form, name, max_length=40)
              for name in ("opens_at", "closes_at", "effective_on", "review_on", "ballots")}
    problems: list[InvalidInput] = []
    times = parse_vote_times(values, problems)
    days = {name: _day(values[name], field=name, invalid=invalid, problems=problems) for name, invalid in DATES.items()}
    if values["ballots"] not in ("named", "secret"):
        problems.append(InvalidInput(N_("Choose named or secret ballots."), field="ballots"))
    if problems:
        return await _freeze_page(request, covenant_id, values, problems, status_code=400)
    try:
        frozen = await call(request, ratification.freeze_for_vote, viewer=place_viewer(request.user),
                            covenant_id=covenant_id, now=clock.now(), secret=values["ballots"] == "secret",
                            **times, **days)
    except DomainError as exc:
        if exc.status_code != 400:
            raise
        return await _freeze_page(request, covenant_id, values, [exc], status_code=400)
    flash(request, gettext(request, "The text is frozen and its ratification vote is scheduled."), "success")
    return redirect(request, f"/votes/{frozen.vote_id}")


async def revise(request: Request):
    """Staff start a new text of an adopted covenant (GET: what it means, and the button)."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    covenant_id = request.path_params["id"]
    if request.method == "GET":
        page = await call(request, ratification.revision_form, viewer=place_viewer(request.user),
                          covenant_id=covenant_id, now=clock.now())
        return render(request, "covenants/revise.html", {"covenant": page})
    new = await call(request, ratification.start_revision, viewer=place_viewer(request.user), covenant_id=covenant_id,
                     now=clock.now())
    flash(request, gettext(request, "A new text has been started from the adopted one. It replaces the adopted "
                                    "covenant only when its own vote adopts it."), "success")
    return redirect(request, _covenant_path(new.id))


# ---- signing -----------------------------------------------------------------------------------------


async def sign(request: Request):
    if not request.user.is_authenticated:
        return login_redirect(request, back=_covenant_path(request.path_params["id"]))
    covenant_id = request.path_params["id"]
    await call(request, signing.sign, viewer=place_viewer(request.user), covenant_id=covenant_id, now=clock.now())
    flash(request, gettext(request, "You have signed the covenant. Thank you for keeping it."), "success")
    return redirect(request, _covenant_path(covenant_id, "signing"))


async def withdraw(request: Request):
    if not request.user.is_authenticated:
        return login_redirect(request, back=_covenant_path(request.path_params["id"]))
    covenant_id = request.path_params["id"]
    await call(request, signing.withdraw, viewer=place_viewer(request.user), covenant_id=covenant_id, now=clock.now())
    flash(request, gettext(request, "Your signature has been withdrawn. You may sign again at any time."), "success")
    return redirect(request, _covenant_path(covenant_id, "signing"))


# ---- breaches and keepers ------------------------------------------------------------------------------


async def keepers_page(request: Request):
    """Staff: the signers, who keeps the covenant, and every breach with its dispute."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    params = request.query_params
    page = await call(request, keepers.keepers_page, viewer=place_viewer(request.user),
                      covenant_id=request.path_params["id"], now=clock.now(),
                      days=request.app.state.settings.covenant_keeper_days, number=page_number(params.get("page")),
                      breaches_number=page_number(params.get("breaches")), size=request.app.state.settings.page_size,
                      only_keepers=params.get("only") == "keepers")
    return render(request, "covenants/keepers.html", {"page": page})


def _keepers_csv(session, **kwargs) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(keepers.keepers_csv_rows(session, **kwargs))
    return out.getvalue()


async def keepers_csv(request: Request):
    """Staff: the covenant keepers as CSV (UTF-8 with a byte-order mark, so that spreadsheets read the names)."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    covenant_id = request.path_params["id"]
    body = await call(request, _keepers_csv, viewer=place_viewer(request.user), covenant_id=covenant_id,
                      now=clock.now(), days=request.app.state.settings.covenant_keeper_days)
    return Response("\ufeff" + body, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="covenant-{covenant_id}-keepers.csv"',
        "Cache-Control": "no-store"})


BREACH_FIELDS = ("account_id", "clause_id", "occurred_on", "description", "evidence")


async def _breach_page(request: Request, covenant_id: int, values: dict, problems=(), status_code: int = 200):
    covenant, place, clauses, signer = await call(
        request, keepers.breach_form, viewer=place_viewer(request.user), covenant_id=covenant_id,
        account_id=id_param(values.get("account_id")), now=clock.now())
    errors, field_errors = _errors(request, problems)
    return render(request, "covenants/breach_new.html", {
        "covenant": covenant, "place": place, "clauses": clauses, "signer": signer, "values": values,
        "errors": errors, "field_errors": field_errors}, status_code=status_code)


async def record_breach(request: Request):
    """Staff record a breach by a signer (chosen on the keepers page), with its evidence."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    covenant_id = request.path_params["id"]
    if request.method == "GET":
        values = {"account_id": request.query_params.get("account", "")[:20], "clause_id": "",
                  "occurred_on": register_day(clock.now()).isoformat(),
                  "description": "", "evidence": ""}
        return await _breach_page(request, covenant_id, values)
    form = await request.form()
    values = {name: form_text(form, name, max_length=signing.EVIDENCE_MAX) for name in BREACH_FIELDS}
    problems: list[InvalidInput] = []
    occurred_on = _day(values["occurred_on"], field="occurred_on", problems=problems, required=True,
                       invalid=N_("Enter the day as a date, e.g. 2026-12-01."),
                       missing=N_("Give the day the breach happened."))
    if problems:
        return await _breach_page(request, covenant_id, values, problems, status_code=400)
    try:
        await call(request, signing.record_breach, viewer=place_viewer(request.user), covenant_id=covenant_id,
                   account_id=id_param(values["account_id"]), clause_id=id_param(values["clause_id"]),
                   occurred_on=occurred_on, description=values["description"], evidence=values["evidence"],
                   now=clock.now())
    except DomainError as exc:
        if exc.status_code != 400:
            raise
        return await _breach_page(request, covenant_id, values, [exc], status_code=400)
    flash(request, gettext(request, "The breach has been recorded; the signer has been told and may dispute it."),
          "success")
    return redirect(request, f"/covenants/{covenant_id}/keepers")


def _back(form, anchor: str, *, staff: bool = False) -> str:
    """Where a dispute form (the covenant page) or a resolution form (the keepers page) came from."""
    covenant_id = id_param(form.get("covenant"))
    if covenant_id is None:
        return "/covenants"
    return f"/covenants/{covenant_id}/keepers#{anchor}" if staff else _covenant_path(covenant_id, anchor)


async def _breach_step(request: Request, action, *, staff: bool, done: str, fields):
    """Dispute or resolve one breach (`fields`: the action's own arguments, read from the form); back to the
    form's page with the outcome flashed (a refused reason or choice as an error, nothing changed)."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    form = await request.form()
    breach_id = request.path_params["id"]
    try:
        await call(request, action, viewer=place_viewer(request.user), breach_id=breach_id,
                   reason=form_text(form, "reason"), now=clock.now(), **fields(form))
    except DomainError as exc:
        if exc.status_code != 400:
            raise
        flash(request, exc.render(lambda m: gettext(request, m)), "error")
        return redirect(request, _back(form, f"breach-{breach_id}", staff=staff))
    flash(request, gettext(request, done), "success")
    return redirect(request, _back(form, "breaches", staff=staff))


async def dispute(request: Request):
    """The person a breach is recorded against disputes it, with a reason."""
    return await _breach_step(request, signing.dispute_breach, staff=False, fields=lambda _form: {},
                              done=N_("Your dispute has been sent; staff will look at the breach again."))


def _decision(form) -> dict:
    decision = form_text(form, "decision", max_length=10)
    if decision not in ("uphold", "dismiss"):
        raise InvalidInput(N_("Choose to uphold the breach or to dismiss it."), field="decision")
    return {"uphold": decision == "uphold"}


async def resolve(request: Request):
    """Staff resolve a dispute: the breach stands (upheld) or is dismissed, with a reason."""
    return await _breach_step(request, signing.resolve_dispute, staff=True, fields=_decision,
                              done=N_("The dispute is resolved and the signer has been told."))


# ---- the public page -----------------------------------------------------------------------------------


async def adopted(request: Request):
    """The covenants in force in a place (and the places under it), their adopted texts, ready to print."""
    params = request.query_params
    place_id = id_param(params.get("place"))
    place, found = await call(request, published.adopted_in, place_id=place_id,
                              number=page_number(params.get("page")), size=20, include_past=params.get("past") == "1")
    return render(request, "covenants/adopted.html", {"place": place, "found": found,
                                                       "past": params.get("past") == "1"})


routes = [
    Route("/adopted", adopted, name="adopted"),
    Route("/{id:int}/freeze", freeze, name="freeze", methods=["GET", "POST"]),
    Route("/{id:int}/revision", revise, name="revise", methods=["GET", "POST"]),
    Route("/{id:int}/sign", sign, name="sign", methods=["POST"]),
    Route("/{id:int}/withdraw", withdraw, name="withdraw", methods=["POST"]),
    Route("/{id:int}/keepers", keepers_page, name="keepers"),
    Route("/{id:int}/keepers.csv", keepers_csv, name="keepers_csv"),
    Route("/{id:int}/breaches/new", record_breach, name="breach_new", methods=["GET", "POST"]),
    Route("/breaches/{id:int}/dispute", dispute, name="dispute", methods=["POST"]),
    Route("/breaches/{id:int}/resolve", resolve, name="resolve", methods=["POST"]),
]
