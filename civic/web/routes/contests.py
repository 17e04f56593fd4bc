"""Contests: the list, the contest page, and staff setting a contest up (its rules, rubric, judges and
treasurers, publication). Entries and backing are in contest_entries, judging and results in contest_judging."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from civic import clock
from civic.auth.permissions import is_staff_anywhere, place_viewer
from civic.contests import queries, setup
from civic.contests.models import MatchingMethod, Normalize, TieRule
from civic.errors import DomainError, InvalidInput
from civic.i18n import N_
from civic.pagination import page_number
from civic.web import contest_forms
from civic.web.deps import call, form_text, id_param, login_redirect, optional_viewer, require
from civic.web.render import flash, form_problems, gettext, redirect, render
from civic.web.routes import contest_entries, contest_judging

NORMALIZE_LABELS = {
    Normalize.zscore: N_("z-scores: each judge's totals are put on a common scale (their mean is 0 and their "
                         "standard deviation 1), so a strict judge and a generous one count alike"),
    Normalize.none: N_("raw totals: the mean of the judges' totals"),
}
TIE_LABELS = {
    TieRule.jury: N_("the higher jury score first, then more backers"),
    TieRule.support: N_("more backers first, then the higher jury score"),
}
MATCHING_LABELS = {
    MatchingMethod.quadratic: N_("quadratic funding: many small backers count for more than one large one"),
    MatchingMethod.proportional: N_("in proportion to the money pledged"),
    MatchingMethod.none: N_("in equal shares among the advancing entries"),
}



def _labels() -> dict:
    return {"normalize_labels": NORMALIZE_LABELS, "tie_labels": TIE_LABELS, "matching_labels": MATCHING_LABELS}


async def index(request: Request):
    """Every published contest, newest first (staff also see their drafts)."""
    listing = await call(request, queries.browse_contests, viewer=optional_viewer(request), now=clock.now(),
                         number=page_number(request.query_params.get("page")))
    can_start = request.user.is_authenticated and is_staff_anywhere(request.user)
    return render(request, "contests/index.html", {"listing": listing, "can_start": can_start})


async def detail(request: Request):
    """A contest: its phases and declared rules, the entries with their backing, and what the viewer may do."""
    params = request.query_params
    page = await call(request, queries.contest_page, contest_id=request.path_params["id"], viewer=optional_viewer(request),
                      now=clock.now(), number=page_number(params.get("page")), status=params.get("status", ""))
    return render(request, "contests/detail.html", {"page": page, **_labels()},
                  block="entries" if request.query_params.get("page") or params.get("status") else None)


# ---- starting and changing the set-up ---------------------------------------------------------------

async def _setup_page(request: Request, template: str, values: dict, problems=(), status_code: int = 200, **ctx):
    errors, field_errors = form_problems(request, problems)
    return render(request, template, {"values": values, "errors": errors, "field_errors": field_errors,
                                      **_labels(), **ctx}, status_code=status_code)


async def _attempt(request: Request, problems: list[DomainError], fn, **kwargs):
    """Run the use case unless the form already has problems: (its result, []) or (None, the problems to
    show on the form). Only bad input (400) comes back; any other refusal goes on to the error page."""
    if problems:
        return None, problems
    try:
        return await call(request, fn, now=clock.now(), **kwargs), []
    except DomainError as exc:
        if exc.status_code != 400:
            raise
        return None, [exc]


async def new_contest(request: Request):
    """Staff start a contest for a place they are staff of; it stays a draft until they publish it."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    require(is_staff_anywhere(request.user), N_("Only community staff and administrators can start a contest."))
    places = await call(request, queries.place_choices, viewer=place_viewer(request.user))
    if request.method == "GET":
        return await _setup_page(request, "contests/new.html", contest_forms.default_values(clock.now()), places=places)
    values = contest_forms.setup_values(await request.form())
    problems: list[DomainError] = []
    typed = contest_forms.parse_setup(values, problems)
    if id_param(values["place"]) is None:
        problems.insert(0, InvalidInput(N_("Choose the district, street, community or compound that runs the "
                                           "contest."), field="place"))
    contest, problems = await _attempt(request, problems, setup.create_contest, viewer=place_viewer(request.user),
                                       place_id=id_param(values["place"]), setup=typed)
    if problems:
        return await _setup_page(request, "contests/new.html", values, problems, 400, places=places)
    flash(request, gettext(request, "The contest has been started as a draft. Give it a rubric, appoint its "
                                    "judges, then publish it."), "success")
    return redirect(request, f"/contests/{contest.id}/rubric")


async def edit_contest(request: Request):
    """Staff change the declared rules until judging opens."""
    contest_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request)
    viewer = place_viewer(request.user)
    page = await call(request, queries.contest_for_setup, contest_id=contest_id, viewer=viewer, now=clock.now())
    contest = page.contest
    ctx = {"contest": contest, "place": page.place, "frozen": page.frozen}
    if request.method == "GET":
        return await _setup_page(request, "contests/edit.html", contest_forms.contest_values(contest), **ctx)
    values = {**contest_forms.setup_values(await request.form()), "place": str(contest.place_id)}
    problems: list[DomainError] = []
    typed = contest_forms.parse_setup(values, problems)
    _done, problems = await _attempt(request, problems, setup.update_contest, viewer=viewer, contest_id=contest_id,
                                     setup=typed)
    if problems:
        return await _setup_page(request, "contests/edit.html", values, problems, 400, **ctx)
    flash(request, gettext(request, "The contest's rules have been saved."), "success")
    return redirect(request, f"/contests/{contest_id}")


async def rubric(request: Request):
    """Staff declare the rubric: criteria with weights and described levels, replaced as a whole."""
    contest_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request)
    viewer = place_viewer(request.user)
    page = await call(request, queries.contest_for_setup, contest_id=contest_id, viewer=viewer, now=clock.now())
    ctx = {"contest": page.contest, "place": page.place, "frozen": page.frozen}
    if request.method == "GET":
        blocks = [{"name": c.row.name, "weight": str(c.row.weight), "description": c.row.description,
                   "levels": contest_forms.levels_text(c.levels)} for c in page.criteria]
        return await _setup_page(request, "contests/rubric.html", {}, blocks=blocks, **ctx)
    blocks = contest_forms.rubric_values(await request.form())
    problems: list[DomainError] = []
    parsed = contest_forms.parse_rubric(blocks, problems)
    _done, problems = await _attempt(request, problems, setup.set_rubric, viewer=viewer, contest_id=contest_id,
                                     criteria=parsed)
    if problems:
        return await _setup_page(request, "contests/rubric.html", {}, problems, 400, blocks=blocks, **ctx)
    flash(request, gettext(request, "The rubric has been saved."), "success")
    return redirect(request, f"/contests/{contest_id}")


async def people(request: Request):
    """Staff appoint judges and treasurers by e-mail or phone, and see who holds each role."""
    contest_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request)
    viewer = place_viewer(request.user)
    values, problems = {"contact": "", "role": "judge"}, []
    if request.method == "POST":
        form = await request.form()
        values = {"contact": form_text(form, "contact", max_length=254), "role": form_text(form, "role", max_length=16)}
        try:
            await call(request, setup.appoint_by_contact, viewer=viewer, contest_id=contest_id, now=clock.now(),
                       **values)
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            problems = [exc]
        else:
            flash(request, gettext(request, "The appointment has been made."), "success")
            return redirect(request, f"/contests/{contest_id}/people")
    page = await call(request, queries.contest_for_setup, contest_id=contest_id, viewer=viewer, now=clock.now())
    return await _setup_page(request, "contests/people.html", values, problems, 400 if problems else 200,
                             contest=page.contest, place=page.place, appointed=page.appointed)


async def remove_person(request: Request):
    """Staff take a judge or treasurer off the contest."""
    grant_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request, back="/contests")
    contest_id = await call(request, setup.remove_appointment, viewer=place_viewer(request.user), grant_id=grant_id,
                       now=clock.now())
    flash(request, gettext(request, "The appointment has been removed."), "success")
    return redirect(request, f"/contests/{contest_id}/people")


async def publish(request: Request):
    """Staff publish a draft: from then on its rules are public (and frozen once judging opens)."""
    contest_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request, back=f"/contests/{contest_id}")
    await call(request, setup.publish_contest, viewer=place_viewer(request.user), contest_id=contest_id,
               now=clock.now())
    flash(request, gettext(request, "The contest is published."), "success")
    return redirect(request, f"/contests/{contest_id}")


routes = [
    Route("/new", new_contest, name="new", methods=["GET", "POST"]),
    Route("/{id:int}", detail, name="detail"),
    Route("/{id:int}/edit", edit_contest, name="edit", methods=["GET", "POST"]),
    Route("/{id:int}/rubric", rubric, name="rubric", methods=["GET", "POST"]),
    Route("/{id:int}/people", people, name="people", methods=["GET", "POST"]),
    Route("/people/{id:int}/remove", remove_person, name="remove_person", methods=["POST"]),
    Route("/{id:int}/publish", publish, name="publish", methods=["POST"]),
    *contest_entries.routes,  # /entries/{id} …, /{id}/entries/new, /{id}/ledger: entries and backing
    *contest_judging.routes,  # /{id}/judging, /{id}/results …: judging and results
]
