"""Planning projects: the index, the project page (the list of proposals beside the map, one filter for
both), and setting a project up: its boundary and dates, publication, planners, categories and themes.
Proposals are in planning_proposals, the map's scripts and feature endpoint in planning_map."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.routing import Route

from civic import clock
from civic.auth.permissions import is_staff_anywhere, place_viewer
from civic.errors import DomainError, InvalidInput, NotFound
from civic.i18n import N_
from civic.pagination import page_number
from civic.planning import projects, queries, rules
from civic.planning.filters import parse_filter
from civic.planning.models import BaseLayer
from civic.web import planning_forms as forms
from civic.web.deps import call, form_text, id_param, login_redirect, optional_viewer, require
from civic.web.render import flash, form_problems, gettext, redirect, render

LAYER_LABELS = {
    BaseLayer.tiles: N_("Map tiles, when the site has a tile server configured"),
    BaseLayer.compounds: N_("The register's compounds"),
    BaseLayer.buildings: N_("The register's buildings"),
}

# The Okabe–Ito names of rules.CATEGORY_COLOURS: a colour is chosen by name, never by sight alone.
COLOUR_NAMES = dict(zip(rules.CATEGORY_COLOURS, (
    N_("bluish green"), N_("vermilion"), N_("blue"), N_("reddish purple"), N_("orange"), N_("sky blue"),
    N_("black"), N_("yellow")), strict=True))


def _path(project_id: int, part: str = "") -> str:
    return f"/planning/{project_id}{part}"


async def index(request: Request):
    """Every published planning project, newest first (planners and staff also see their drafts)."""
    listing = await call(request, queries.browse_projects, viewer=optional_viewer(request), now=clock.now(),
                         page=page_number(request.query_params.get("page")))
    can_start = request.user.is_authenticated and is_staff_anywhere(request.user)
    return render(request, "planning/index.html", {"listing": listing, "can_start": can_start})


async def detail(request: Request):
    """A project: its phases and description, the proposals as a list and on the map (one filter for
    both; HTMX swaps the two together), and what the viewer may do."""
    page = await call(request, queries.project_page, viewer=optional_viewer(request),
                      project_id=request.path_params["id"], chosen=parse_filter(request.query_params),
                      page=page_number(request.query_params.get("page")), now=clock.now())
    return render(request, "planning/detail.html", {"page": page}, block="results")


# ---- the set-up pages -------------------------------------------------------------------------------------

async def _form_page(request: Request, template: str, values: dict, problems=(), **ctx):
    errors, field_errors = form_problems(request, problems)
    status = problems[0].status_code if problems else 200
    return render(request, template, {"values": values, "errors": errors, "field_errors": field_errors,
                                      "layer_labels": LAYER_LABELS, "colour_names": COLOUR_NAMES,
                                      "max_categories": rules.CATEGORIES_MAX, **ctx},
                  status_code=status)


async def _attempt(request: Request, problems: list[DomainError], fn, shown=(400,), **kwargs):
    """Run the use case unless the form already has problems: (its result, []) or (None, the problems to
    show on the form). Refusals other than those `shown` go on to the error page."""
    if problems:
        return None, problems
    try:
        return await call(request, fn, now=clock.now(), **kwargs), []
    except DomainError as exc:
        if exc.status_code not in shown:
            raise
        return None, [exc]


async def _setup(request: Request, action: str):
    return await call(request, queries.project_for_setup, viewer=place_viewer(request.user),
                      project_id=request.path_params["id"], action=action, now=clock.now())


async def _project_form(request: Request) -> tuple[dict, dict, str | None, list[DomainError]]:
    """The posted project form: its values, typed dates, the boundary text chosen, and what could not be read."""
    form = await request.form()
    values = forms.project_values(form)
    upload = form.get("boundary_file")
    name = (upload.filename or "") if isinstance(upload, UploadFile) else ""
    # One byte past the limit is enough to refuse a larger file without holding all of it.
    data = await upload.read(forms.BOUNDARY_FILE_MAX + 1) if name else b""
    await form.close()
    problems: list[DomainError] = []
    boundary = forms.boundary_text(values, name, data, problems)
    return values, forms.parse_dates(values, problems), boundary, problems


def _declared(values: dict, dates: dict, boundary: str | None) -> dict:
    return {"title": values["title"], "description": values["description"], "boundary_text": boundary,
            "base_layers": values["base_layers"], **dates}


async def new_project(request: Request):
    """Staff start a project for a community or compound they are staff of; a draft until published."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    require(is_staff_anywhere(request.user), N_("Only community staff and administrators can start a planning "
                                                "project."))
    viewer = place_viewer(request.user)
    places = await call(request, queries.place_choices, viewer=viewer)

    def map_place(values):
        chosen = [c.place for c in places if str(c.place.id) == values["place"]]
        return (chosen or [c.place for c in places] or [None])[0]

    if request.method == "GET":
        values = forms.default_values(clock.now())
        return await _form_page(request, "planning/new.html", values, places=places, map_place=map_place(values),
                                project=None)
    values, dates, boundary, problems = await _project_form(request)
    place_id = id_param(values["place"])
    if place_id is None:
        problems.insert(0, InvalidInput(N_("Choose the community or compound the project is for."), field="place"))
    project, problems = await _attempt(request, problems, projects.create_project, viewer=viewer, place_id=place_id,
                                       **_declared(values, dates, boundary or ""))
    if problems:
        return await _form_page(request, "planning/new.html", values, problems, places=places,
                                map_place=map_place(values), project=None)
    flash(request, gettext(request, "The project has been created as a draft. Appoint its planners, then publish "
                                    "it."), "success")
    return redirect(request, _path(project.id))


async def edit_project(request: Request):
    """Planners and staff change the project: title, description, boundary, dates and base layers; a
    draft is published from here too."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    setup = await _setup(request, "edit_project")
    if request.method == "GET":
        return await _form_page(request, "planning/edit.html", forms.values_of(setup.project), setup=setup)
    values, dates, boundary, problems = await _project_form(request)
    _done, problems = await _attempt(request, problems, projects.update_project, viewer=place_viewer(request.user),
                                     project_id=setup.project.id, **_declared(values, dates, boundary))
    if problems:
        return await _form_page(request, "planning/edit.html", values, problems, setup=setup)
    flash(request, gettext(request, "The project has been saved."), "success")
    return redirect(request, _path(setup.project.id))


async def publish(request: Request):
    """Planners or staff publish a draft, after the confirmation on the edit page."""
    project_id = request.path_params["id"]
    if not request.user.is_authenticated:
        return login_redirect(request, back=_path(project_id))
    await call(request, projects.publish, viewer=place_viewer(request.user), project_id=project_id, now=clock.now())
    flash(request, gettext(request, "The project is published."), "success")
    return redirect(request, _path(project_id))


async def people(request: Request):
    """Staff appoint planners by e-mail or phone, and see who plans the project."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    values, problems = {"contact": ""}, []
    if request.method == "POST":
        form = await request.form()
        values = {"contact": form_text(form, "contact", max_length=254)}
        _done, problems = await _attempt(request, [], projects.appoint_planner, viewer=place_viewer(request.user),
                                         project_id=request.path_params["id"], **values)
        if not problems:
            flash(request, gettext(request, "The planner has been appointed."), "success")
            return redirect(request, _path(request.path_params["id"], "/people"))
    setup = await _setup(request, "appoint_planners")
    return await _form_page(request, "planning/people.html", values, problems, setup=setup, removing=None)


async def remove_planner(request: Request):
    """Staff take a planner off the project, after a page that asks to confirm."""
    project_id, grant_id = request.path_params["id"], request.path_params["grant"]
    if not request.user.is_authenticated:
        return login_redirect(request, back=_path(project_id, "/people"))
    if request.method == "GET":
        setup = await _setup(request, "appoint_planners")
        removing = next((p for p in setup.planners if p.grant_id == grant_id), None)
        if removing is None:
            raise NotFound(N_("There is no such planner."))
        return await _form_page(request, "planning/people.html", {"contact": ""}, setup=setup, removing=removing)
    project_id = await call(request, projects.remove_planner, viewer=place_viewer(request.user), grant_id=grant_id,
                            now=clock.now())
    flash(request, gettext(request, "The planner has been removed."), "success")
    return redirect(request, _path(project_id, "/people"))


async def _vocabulary(request: Request, *, action: str, template: str, changes: dict, read_values):
    """The categories and themes pages: a list with a form per item and one to add, posted with
    `action` (one of `changes`) and the item's id; refusals of bad input or of a change that would lose
    something (an item still in use) come back on the page."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    project_id = request.path_params["id"]
    values, problems = {"action": "", "item": ""}, []
    if request.method == "POST":
        form = await request.form()
        values = {**read_values(form), "action": form_text(form, "action", max_length=16),
                  "item": form_text(form, "item", max_length=12)}
        fn, make_args, done = changes.get(values["action"], (None, None, None))
        if fn is None:
            problems = [InvalidInput(N_("Choose what to do."))]
        else:
            _done, problems = await _attempt(request, [], fn, shown=(400, 409), viewer=place_viewer(request.user),
                                             **make_args(project_id, id_param(values["item"]) or 0, values))
        if not problems:
            flash(request, gettext(request, done), "success")
            return redirect(request, _path(project_id, f"/{template}"))
    setup = await _setup(request, action)
    return await _form_page(request, f"planning/{template}.html", values, problems, setup=setup)


CATEGORY_CHANGES = {
    "add": (projects.add_category, lambda p, _i, v: {"project_id": p, "label": v["label"], "colour": v["colour"]},
            N_("The category has been added.")),
    "rename": (projects.rename_category, lambda _p, i, v: {"category_id": i, "label": v["label"],
                                                            "colour": v["colour"]},
               N_("The category has been changed.")),
    "remove": (projects.remove_category, lambda _p, i, _v: {"category_id": i}, N_("The category has been removed.")),
}
THEME_CHANGES = {
    "create": (projects.create_theme, lambda p, _i, v: {"project_id": p, "name": v["name"],
                                                        "description": v["description"]},
               N_("The theme has been created.")),
    "update": (projects.update_theme, lambda _p, i, v: {"theme_id": i, "name": v["name"],
                                                        "description": v["description"]},
               N_("The theme has been saved.")),
    "delete": (projects.delete_theme, lambda _p, i, _v: {"theme_id": i}, N_("The theme has been deleted.")),
}


async def categories(request: Request):
    """Planners and staff add categories of their own, rename them, and remove unused ones."""
    return await _vocabulary(request, action="edit_project", template="categories", changes=CATEGORY_CHANGES,
                             read_values=forms.category_values)


async def themes(request: Request):
    """Planners and staff keep the design themes proposals are grouped under."""
    return await _vocabulary(request, action="manage_themes", template="themes", changes=THEME_CHANGES,
                             read_values=forms.theme_values)


routes = [
    Route("/new", new_project, name="new", methods=["GET", "POST"]),
    Route("/{id:int}", detail, name="detail"),
    Route("/{id:int}/edit", edit_project, name="edit", methods=["GET", "POST"]),
    Route("/{id:int}/publish", publish, name="publish", methods=["POST"]),
    Route("/{id:int}/people", people, name="people", methods=["GET", "POST"]),
    Route("/{id:int}/planners/{grant:int}/remove", remove_planner, name="remove_planner", methods=["GET", "POST"]),
    Route("/{id:int}/categories", categories, name="categories", methods=["GET", "POST"]),
    Route("/{id:int}/themes", themes, name="themes", methods=["GET", "POST"]),
]
