"""Setting a planning project up: staff of a community (or compound) create it with a boundary, phase dates
and base layers; its planners and staff change it, publish it, keep its categories and design themes; staff
appoint its planners. Every change is audited; bad input changes nothing."""

from __future__ import annotations

import json
from datetime import datetime

import shapely
from shapely.geometry import shape
from sqlalchemy import exists, func, select
from sqlmodel import Session

from civic import audit
from civic.auth.models import Role, RoleGrant, ScopeType
from civic.auth.service import find_active_account
from civic.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from civic.i18n import N_
from civic.notifications import notify
from civic.places import rules as place_rules
from civic.places.models import Place, PlaceKind
from civic.places.rules import Viewer
from civic.planning import access, geo, rules
from civic.planning.models import (
    BaseLayer,
    CategoryKey,
    PlanningAnnotation,
    PlanningCategory,
    PlanningProject,
    PlanningProposal,
    PlanningTheme,
    ProjectStatus,
)

PLACE_KINDS = (PlaceKind.community, PlaceKind.compound)  # a planning project is for a community (or a compound)
DATE_FIELDS = ("discovery_opens_at", "proposals_opens_at", "feedback_opens_at", "closes_at")
DATE_ORDER_MESSAGES = {
    "proposals_opens_at": N_("The proposal phase must open after discovery opens."),
    "feedback_opens_at": N_("Design feedback must open after the proposal phase opens."),
    "closes_at": N_("The project must close after design feedback opens."),
}
THEME_DESCRIPTION_MAX = 2000
OBJECT = "planning_project"


def _record(session: Session, viewer: Viewer, action: str, project_id: int, payload: dict, now: datetime) -> None:
    audit.record(session, actor_id=viewer.account_id, action=f"planning.{action}", object_type=OBJECT,
                 object_id=project_id, payload=payload, now=now)


def _checked(*, title: str, description: str, dates: dict[str, datetime], base_layers) -> dict:
    """The declared fields tidied and in range, or InvalidInput naming the field."""
    title, description = " ".join((title or "").split()), (description or "").strip()
    if not title:
        raise InvalidInput(N_("Give the project a title."), field="title")
    if len(title) > rules.TITLE_MAX:
        raise InvalidInput(N_("The title is too long (at most %(max)s characters)."), field="title",
                           max=rules.TITLE_MAX)
    if len(description) > rules.LONG_MAX:
        raise InvalidInput(N_("The description is too long (at most %(max)s characters)."), field="description",
                           max=rules.LONG_MAX)
    wrong = rules.phase_dates_problem([dates[name] for name in DATE_FIELDS])
    if wrong is not None:
        raise InvalidInput(DATE_ORDER_MESSAGES[DATE_FIELDS[wrong]], field=DATE_FIELDS[wrong])
    layers = set(base_layers or ())
    if not layers <= {layer.value for layer in BaseLayer}:
        raise InvalidInput(N_("Choose the base layers among those offered."), field="base_layers")
    return {"title": title, "description": description, **dates, "base_layers": rules.layers_text(layers)}


def _boundary(text: str | None) -> geo.Shape:
    if not (text or "").strip():
        raise InvalidInput(N_("Draw the boundary on the map, or paste or import it as GeoJSON."), field="boundary")
    return geo.boundary_shape(text, field="boundary")


def _boundary_columns(boundary: geo.Shape) -> dict:
    return {"boundary": boundary.geojson, "min_lon": boundary.min_lon, "min_lat": boundary.min_lat,
            "max_lon": boundary.max_lon, "max_lat": boundary.max_lat}


def create_project(session: Session, *, viewer: Viewer, place_id: int | None, title: str, description: str,
                   boundary_text: str, discovery_opens_at: datetime, proposals_opens_at: datetime,
                   feedback_opens_at: datetime, closes_at: datetime, base_layers, now: datetime) -> PlanningProject:
    """Staff of a community or compound (or above) start a project there, as a draft with the built-in
    categories that only its planners and staff see."""
    place = session.get(Place, place_id) if place_id else None
    if place is None or place.kind not in PLACE_KINDS:
        raise InvalidInput(N_("Choose the community or compound the project is for."), field="place")
    if not place_rules.can_manage(viewer, place.path):
        raise PermissionDenied(N_("Only staff of %(place)s can start a planning project there."), place=place.name)
    fields = _checked(title=title, description=description, base_layers=base_layers, dates={
        "discovery_opens_at": discovery_opens_at, "proposals_opens_at": proposals_opens_at,
        "feedback_opens_at": feedback_opens_at, "closes_at": closes_at})
    boundary = _boundary(boundary_text)
    project = PlanningProject(place_id=place.id, status=ProjectStatus.draft, created_by=viewer.account_id,
                              created_at=now, **fields, **_boundary_columns(boundary))
    session.add(project)
    session.flush()
    session.add_all([PlanningCategory(project_id=project.id, position=position, key=key, colour=colour)
                     for position, (key, colour) in enumerate(rules.DEFAULT_CATEGORIES)])
    session.flush()
    _record(session, viewer, "project_created", project.id, {"title": project.title, "place_id": place.id}, now)
    return project


def _outside(session: Session, project_id: int, boundary: geo.Shape) -> int:
    """How many of the project's proposals and annotations the new boundary would leave outside, by the
    same test (and tolerance) as `geo.inside`, run on all shapes at once."""
    area = shape(json.loads(boundary.geojson)).buffer(geo.TOLERANCE_DEG)
    shapely.prepare(area)
    texts = [*session.execute(select(PlanningProposal.geometry).where(PlanningProposal.project_id == project_id))
             .scalars(),
             *session.execute(select(PlanningAnnotation.geometry).where(PlanningAnnotation.project_id == project_id))
             .scalars()]
    if not texts:
        return 0
    shapes = shapely.from_geojson(texts)
    return int((~shapely.covers(area, shapes)).sum())


def update_project(session: Session, *, viewer: Viewer, project_id: int, title: str, description: str,
                   boundary_text: str | None, discovery_opens_at: datetime, proposals_opens_at: datetime,
                   feedback_opens_at: datetime, closes_at: datetime, base_layers, now: datetime) -> PlanningProject:
    """Planners and staff change the project. Once published, a date already passed stays where it is and
    none moves into the past; a new boundary must keep every proposal and note inside. `boundary_text`
    None (or blank) keeps the boundary."""
    project, place = access.project_and_place(session, project_id, lock="update")
    access.authorise(session, viewer=viewer, action="edit_project", project=project, place=place, now=now)
    dates = {"discovery_opens_at": discovery_opens_at, "proposals_opens_at": proposals_opens_at,
             "feedback_opens_at": feedback_opens_at, "closes_at": closes_at}
    for name in DATE_FIELDS:
        # Forms carry times to the minute: a date sent back as shown is the date unchanged.
        if dates[name] == getattr(project, name).replace(second=0, microsecond=0):
            dates[name] = getattr(project, name)
    fields = _checked(title=title, description=description, dates=dates, base_layers=base_layers)
    if project.status == ProjectStatus.published:
        for name in DATE_FIELDS:
            if rules.moved_past_boundary(getattr(project, name), fields[name], now):
                raise InvalidInput(N_("This date has passed or would move into the past: the project is published, "
                                      "so it can no longer change."), field=name)
    if (boundary_text or "").strip():
        boundary = _boundary(boundary_text)
        if boundary.geojson != project.boundary:
            outside = _outside(session, project.id, boundary)
            if outside:
                raise InvalidInput(N_("Proposals and notes the new boundary would leave outside: %(count)s. "
                                      "Draw it around them."), field="boundary", count=outside)
            fields.update(_boundary_columns(boundary))
    changed = sorted(name for name, value in fields.items() if getattr(project, name) != value)
    for name in changed:
        setattr(project, name, fields[name])
    _record(session, viewer, "project_updated", project.id, {"changed": changed}, now)
    return project


def publish(session: Session, *, viewer: Viewer, project_id: int, now: datetime) -> PlanningProject:
    """Planners or staff make a draft public; its phase then follows its dates."""
    project, place = access.project_and_place(session, project_id, lock="update")
    access.authorise(session, viewer=viewer, action="publish", project=project, place=place, now=now)
    if project.closes_at <= now:
        raise Conflict(N_("The project's dates have all passed: move them before publishing it."))
    project.status, project.published_at = ProjectStatus.published, now
    _record(session, viewer, "project_published", project.id, {"title": project.title}, now)
    return project


# ---- planners ------------------------------------------------------------------------------------------

def appoint_planner(session: Session, *, viewer: Viewer, project_id: int, contact: str, now: datetime) -> RoleGrant:
    """Staff make the account with this e-mail address or phone number a planner of the project, and tell
    them. The permission is checked first, so only staff learn whether such an account exists."""
    project, place = access.project_and_place(session, project_id, lock="share")
    access.authorise(session, viewer=viewer, action="appoint_planners", project=project, place=place, now=now)
    if not (contact or "").strip():
        raise InvalidInput(N_("Enter the e-mail address or mobile phone number of the person to appoint."),
                           field="contact")
    account = find_active_account(session, contact)
    if account is None:
        raise InvalidInput(N_("No active account has the e-mail address or phone number “%(value)s”; the person "
                              "must create an account first."), field="contact", value=contact.strip()[:80])
    held = session.execute(select(exists().where(
        RoleGrant.account_id == account.id, RoleGrant.role == Role.planner,
        RoleGrant.scope_type == ScopeType.planning_project, RoleGrant.scope_id == project.id))).scalar()
    if held:
        raise InvalidInput(N_("%(name)s is already a planner of this project."), field="contact",
                           name=account.display_name)
    grant = RoleGrant(account_id=account.id, role=Role.planner, scope_type=ScopeType.planning_project,
                      scope_id=project.id, granted_by=viewer.account_id, created_at=now)
    session.add(grant)
    session.flush()
    _record(session, viewer, "planner_appointed", project.id, {"account_id": account.id}, now)
    notify(session, account_id=account.id, url=access.project_path(project.id), params={"title": project.title},
           subject=N_("You are a planner of the planning project “%(title)s”."))
    return grant


def planner_grant(session: Session, grant_id: int) -> RoleGrant:
    """A planner's grant on a planning project, or NotFound."""
    grant = session.get(RoleGrant, grant_id)
    if grant is None or grant.scope_type != ScopeType.planning_project or grant.role != Role.planner:
        raise NotFound(N_("There is no such planner."))
    return grant


def remove_planner(session: Session, *, viewer: Viewer, grant_id: int, now: datetime) -> int:
    """Staff take a planner off the project; the project's id is returned."""
    grant = planner_grant(session, grant_id)
    project, place = access.project_and_place(session, grant.scope_id, lock="share")
    access.authorise(session, viewer=viewer, action="appoint_planners", project=project, place=place, now=now)
    session.delete(grant)
    _record(session, viewer, "planner_removed", project.id, {"account_id": grant.account_id}, now)
    return project.id


# ---- categories ----------------------------------------------------------------------------------------

def _for_change(session: Session, viewer: Viewer, model, row_id: int, *, action: str, now: datetime):
    """A project's category or theme, once the viewer may do `action` on its project (locked meanwhile)."""
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(N_("There is no such category.") if model is PlanningCategory else N_("There is no such theme."))
    project, place = access.project_and_place(session, row.project_id, lock="update")
    access.authorise(session, viewer=viewer, action=action, project=project, place=place, now=now)
    return row


def _category_label(session: Session, project_id: int, label: str, colour: str, *, other_than: int | None = None
                    ) -> str:
    label = " ".join((label or "").split())
    if not label:
        raise InvalidInput(N_("Name the category."), field="label")
    if len(label) > rules.CATEGORY_LABEL_MAX:
        raise InvalidInput(N_("A category's name has at most %(max)s characters."), field="label",
                           max=rules.CATEGORY_LABEL_MAX)
    if colour not in rules.CATEGORY_COLOURS:
        raise InvalidInput(N_("Choose one of the colours offered."), field="colour")
    taken = session.execute(select(exists().where(
        PlanningCategory.project_id == project_id, PlanningCategory.key == CategoryKey.custom,
        func.lower(PlanningCategory.label) == label.lower(), PlanningCategory.id != (other_than or 0)))).scalar()
    if taken:
        raise InvalidInput(N_("The project already has a category named “%(label)s”."), field="label", label=label)
    return label


def add_category(session: Session, *, viewer: Viewer, project_id: int, label: str, colour: str,
                 now: datetime) -> PlanningCategory:
    """Planners and staff add a category of their own, named and coloured, up to CATEGORIES_MAX."""
    project, place = access.project_and_place(session, project_id, lock="update")
    access.authorise(session, viewer=viewer, action="edit_project", project=project, place=place, now=now)
    label = _category_label(session, project.id, label, colour)
    count, last = session.execute(select(func.count(), func.max(PlanningCategory.position))
                                  .where(PlanningCategory.project_id == project.id)).one()
    if count >= rules.CATEGORIES_MAX:
        raise InvalidInput(N_("A project has at most %(max)s categories."), field="label", max=rules.CATEGORIES_MAX)
    category = PlanningCategory(project_id=project.id, position=(last or 0) + 1, key=CategoryKey.custom,
                                label=label, colour=colour)
    session.add(category)
    session.flush()
    _record(session, viewer, "category_added", project.id, {"category_id": category.id, "label": label}, now)
    return category


def rename_category(session: Session, *, viewer: Viewer, category_id: int, label: str, colour: str,
                    now: datetime) -> PlanningCategory:
    """Planners and staff rename (or recolour) a category of their own; the built-in ones keep their names."""
    category = _for_change(session, viewer, PlanningCategory, category_id, action="edit_project", now=now)
    if category.key != CategoryKey.custom:
        raise Conflict(N_("The built-in categories keep their names."))
    category.label = _category_label(session, category.project_id, label, colour, other_than=category.id)
    category.colour = colour
    _record(session, viewer, "category_renamed", category.project_id,
            {"category_id": category.id, "label": category.label, "colour": colour}, now)
    return category


def remove_category(session: Session, *, viewer: Viewer, category_id: int, now: datetime) -> int:
    """Planners and staff remove a category no proposal uses, keeping at least one; the project's id is
    returned."""
    category = _for_change(session, viewer, PlanningCategory, category_id, action="edit_project", now=now)
    used = session.execute(select(func.count()).where(PlanningProposal.category_id == category.id)).scalar_one()
    if used:
        raise Conflict(N_("This category is in use (proposals: %(count)s): it cannot be removed."), count=used)
    left = session.execute(select(func.count()).where(PlanningCategory.project_id == category.project_id)).scalar_one()
    if left <= 1:
        raise Conflict(N_("A project needs at least one category."))
    session.delete(category)
    _record(session, viewer, "category_removed", category.project_id,
            {"category_id": category.id, "key": category.key, "label": category.label}, now)
    return category.project_id


# ---- design themes -------------------------------------------------------------------------------------

def _theme_text(name: str, description: str) -> tuple[str, str]:
    name, description = " ".join((name or "").split()), (description or "").strip()
    if not name:
        raise InvalidInput(N_("Name the theme."), field="name")
    if len(name) > rules.THEME_NAME_MAX:
        raise InvalidInput(N_("A theme's name has at most %(max)s characters."), field="name",
                           max=rules.THEME_NAME_MAX)
    if len(description) > THEME_DESCRIPTION_MAX:
        raise InvalidInput(N_("The description is too long (at most %(max)s characters)."), field="description",
                           max=THEME_DESCRIPTION_MAX)
    return name, description


def create_theme(session: Session, *, viewer: Viewer, project_id: int, name: str, description: str,
                 now: datetime) -> PlanningTheme:
    """Planners and staff start a design theme to group related proposals under."""
    project, place = access.project_and_place(session, project_id, lock="update")
    access.authorise(session, viewer=viewer, action="manage_themes", project=project, place=place, now=now)
    name, description = _theme_text(name, description)
    last = session.execute(select(func.max(PlanningTheme.position))
                           .where(PlanningTheme.project_id == project.id)).scalar()
    theme = PlanningTheme(project_id=project.id, position=(last or 0) + 1, name=name, description=description)
    session.add(theme)
    session.flush()
    _record(session, viewer, "theme_created", project.id, {"theme_id": theme.id, "name": name}, now)
    return theme


def update_theme(session: Session, *, viewer: Viewer, theme_id: int, name: str, description: str,
                 now: datetime) -> PlanningTheme:
    """Planners and staff rename or describe a theme."""
    theme = _for_change(session, viewer, PlanningTheme, theme_id, action="manage_themes", now=now)
    theme.name, theme.description = _theme_text(name, description)
    _record(session, viewer, "theme_updated", theme.project_id, {"theme_id": theme.id, "name": theme.name}, now)
    return theme


def delete_theme(session: Session, *, viewer: Viewer, theme_id: int, now: datetime) -> int:
    """Planners and staff delete a theme no proposal is grouped under; the project's id is returned."""
    theme = _for_change(session, viewer, PlanningTheme, theme_id, action="manage_themes", now=now)
    grouped = session.execute(select(func.count()).where(PlanningProposal.theme_id == theme.id)).scalar_one()
    if grouped:
        raise Conflict(N_("Proposals grouped under this theme: %(count)s. Move them to another theme first."), count=grouped)
    session.delete(theme)
    _record(session, viewer, "theme_deleted", theme.project_id, {"theme_id": theme.id, "name": theme.name}, now)
    return theme.project_id
