"""Staff schedule votes (from scratch, or answering a residents' proposal); residents' proposals live in
vote_proposals and are mounted here, before `/{id:int}`."""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request
from starlette.routing import Route

from civic import clock
from civic.auth.permissions import is_staff_anywhere, place_viewer
from civic.errors import DomainError, InvalidInput
from civic.i18n import N_
from civic.votes import proposals, scheduling, service
from civic.votes import rules as vote_rules
from civic.web import local_time
from civic.web.deps import call, form_text, id_param, login_redirect, require
from civic.web.render import flash, gettext, redirect, render
from civic.web.routes import vote_proposals

OPTIONS_TEXT_MAX = vote_rules.OPTIONS_MAX * (vote_rules.OPTION_LABEL_MAX + 2)
def _defaults(now: datetime) -> dict[str, str]:
    return {"title": "", "description": "", "scope": "", "matter": "", "kind": "yes_no", "options": "",
            "ballots": "named", **local_time.default_vote_times(now)}


def _values(form) -> dict[str, str]:
    return {"title": form_text(form, "title", max_length=vote_rules.TITLE_MAX),
            # One line ending everywhere, so that paragraphs read the same whatever browser sent them.
            "description": form_text(form, "description", max_length=proposals.DESCRIPTION_MAX).replace("\r\n", "\n"),
            "scope": form_text(form, "scope", max_length=20), "matter": form_text(form, "matter", max_length=40),
            "kind": form_text(form, "kind", max_length=16), "options": form_text(form, "options", max_length=OPTIONS_TEXT_MAX),
            "ballots": form_text(form, "ballots", max_length=16),
            "opens_at": form_text(form, "opens_at", max_length=40), "closes_at": form_text(form, "closes_at", max_length=40)}


def _vote_fields(values: dict[str, str], *, from_proposal: bool) -> tuple[dict, list[InvalidInput]]:
    """The service's keyword arguments from the form, and every problem found before asking it."""
    problems: list[InvalidInput] = []
    fields: dict = local_time.parse_vote_times(values, problems)
    if not from_proposal:  # a proposal's vote is held where the proposal was made
        fields["scope_place_id"] = id_param(values["scope"])
        if fields["scope_place_id"] is None:
            problems.append(InvalidInput(N_("Choose the place whose residents or owners vote."), field="scope"))
    if len(values["description"]) > proposals.DESCRIPTION_MAX:
        problems.append(InvalidInput(N_("The description is too long (at most %(max)d characters)."),
                                     field="description", max=proposals.DESCRIPTION_MAX))
    if values["ballots"] not in ("named", "secret"):
        problems.append(InvalidInput(N_("Choose named or secret ballots."), field="ballots"))
    fields.update(title=values["title"], description=values["description"], matter=values["matter"],
                  kind=values["kind"], secret=values["ballots"] == "secret",
                  # Blank lines are left out: a trailing newline is not an empty option.
                  options=[line.strip() for line in values["options"].splitlines() if line.strip()])
    return fields, problems


async def _form_page(request: Request, values: dict, proposal_id: int | None,
                     problems: list[DomainError] = (), status_code: int = 200):
    page = await call(request, scheduling.new_vote_form, viewer=place_viewer(request.user), proposal_id=proposal_id)
    messages = [(p.field, p.render(lambda m: gettext(request, m))) for p in problems]
    return render(request, "votes/new.html", {
        "form": page, "values": values, "errors": [text for _field, text in messages],
        "field_errors": {field: text for field, text in messages if field}}, status_code=status_code)


async def new_vote(request: Request):
    """Schedule a vote (staff and administrators). `?proposal=<id>` answers a residents' proposal: its place is
    fixed and its text prefilled, and the proposal is linked to the vote."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    require(is_staff_anywhere(request.user), N_("Only community staff and administrators can schedule a vote."))
    if request.method == "GET":
        proposal_id = id_param(request.query_params.get("proposal"))
        form = await call(request, scheduling.new_vote_form, viewer=place_viewer(request.user),
                          proposal_id=proposal_id)
        values = _defaults(clock.now())
        if form.proposal is not None:
            values.update(title=form.proposal.title, description=form.proposal.description,
                          matter=form.proposal.matter, scope=str(form.proposal.scope_place_id))
        return render(request, "votes/new.html", {"form": form, "values": values, "errors": [], "field_errors": {}})
    form = await request.form()
    values, proposal_id = _values(form), id_param(form.get("proposal"))
    fields, problems = _vote_fields(values, from_proposal=proposal_id is not None)
    if problems:
        return await _form_page(request, values, proposal_id, problems, status_code=400)
    viewer = place_viewer(request.user)
    try:
        if proposal_id is None:
            vote = await call(request, service.create_vote, viewer=viewer, now=clock.now(), **fields)
        else:
            vote = await call(request, proposals.schedule, viewer=viewer, proposal_id=proposal_id, now=clock.now(),
                              **fields)
    except DomainError as exc:
        if exc.status_code != 400:
            raise  # not staff of the place (403), no such place (404), already scheduled (409): the error page
        return await _form_page(request, values, proposal_id, [exc], status_code=400)
    flash(request, gettext(request, "The vote has been scheduled; the residents who asked for it have been told.")
          if proposal_id is not None else gettext(request, "The vote has been scheduled."), "success")
    return redirect(request, request.url_for("votes:detail", id=vote.id).path)


routes = [
    Route("/new", new_vote, name="new", methods=["GET", "POST"]),
    *vote_proposals.routes,
]
