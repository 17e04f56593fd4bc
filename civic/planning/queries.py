"""What the planning index, the project page and the set-up pages show, each in a constant number of
queries whatever the number of proposals."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl

from sqlalchemy import exists, func, or_, select
from sqlmodel import Session

from civic.auth.models import Account, Role, RoleGrant, ScopeType
from civic.pagination import Page, paginate
from civic.places.models import Place
from civic.places.rules import Viewer
from civic.places.service import in_scope, place_labels, trail
from civic.planning import access, filters, projects, rules
from civic.planning.filters import ProposalFilter
from civic.planning.models import (
    CategoryKey,
    Phase,
    PlanningCategory,
    PlanningProject,
    PlanningProposal,
    PlanningTheme,
    ProjectStatus,
)

PROJECTS_PER_PAGE = 20
PROPOSALS_PER_PAGE = 25


@dataclass(frozen=True)
class ProjectRow:
    project: PlanningProject
    place_label: str
    phase: Phase
    proposals: int


def browse_projects(session: Session, *, viewer: Viewer | None, now: datetime, page: int) -> Page[ProjectRow]:
    """Published projects, newest first, and the drafts the viewer plans or is staff of (three queries)."""
    viewer = viewer or Viewer(account_id=None)
    shown = PlanningProject.status == ProjectStatus.published
    if viewer.is_staff:
        shown = or_(shown, in_scope(viewer, Place.path))
    if viewer.account_id is not None:
        shown = or_(shown, exists().where(
            RoleGrant.account_id == viewer.account_id, RoleGrant.role == Role.planner,
            RoleGrant.scope_type == ScopeType.planning_project, RoleGrant.scope_id == PlanningProject.id))
    count = (select(func.count()).where(PlanningProposal.project_id == PlanningProject.id)
             .correlate(PlanningProject).scalar_subquery())
    stmt = (select(PlanningProject, Place.path, count).join(Place, Place.id == PlanningProject.place_id)
            .where(shown).order_by(PlanningProject.created_at.desc(), PlanningProject.id.desc()))
    listing = paginate(session, stmt, number=page, size=PROJECTS_PER_PAGE, scalars=False)
    names = place_labels(session, {path for _, path, _ in listing.items})
    return dataclasses.replace(listing, items=[
        ProjectRow(project=p, place_label=trail(names, path), phase=rules.project_phase(p, now), proposals=n)
        for p, path, n in listing.items])


@dataclass(frozen=True)
class CategoryView:
    id: int
    key: str
    label: str  # a custom category's own name; empty for the built-in ones (shown as `_(key)`)
    colour: str
    used: int = 0  # proposals in it (set-up pages only)

    @property
    def custom(self) -> bool:
        return self.key == CategoryKey.custom


@dataclass(frozen=True)
class ThemeView:
    id: int
    name: str
    description: str
    grouped: int = 0  # proposals under it (set-up pages only)


@dataclass(frozen=True)
class Planner:
    grant_id: int
    account_id: int
    name: str


@dataclass(frozen=True)
class ProposalRow:
    id: int
    title: str
    place_label: str
    category: CategoryView
    status: str
    support_count: int
    comment_count: int
    kind: str
    theme: str  # its theme's name, or ""


def categories(session: Session, project_id: int, *, with_use: bool = False) -> list[CategoryView]:
    """The project's categories in order (one query; two `with_use`)."""
    used = dict(session.execute(select(PlanningProposal.category_id, func.count())
                                .where(PlanningProposal.project_id == project_id)
                                .group_by(PlanningProposal.category_id)).all()) if with_use else {}
    rows = session.execute(select(PlanningCategory).where(PlanningCategory.project_id == project_id)
                           .order_by(PlanningCategory.position, PlanningCategory.id)).scalars()
    return [CategoryView(id=c.id, key=c.key, label=c.label, colour=c.colour, used=used.get(c.id, 0)) for c in rows]


def themes(session: Session, project_id: int, *, with_use: bool = False) -> list[ThemeView]:
    """The project's design themes in order (one query; two `with_use`)."""
    grouped = dict(session.execute(select(PlanningProposal.theme_id, func.count())
                                   .where(PlanningProposal.project_id == project_id,
                                          PlanningProposal.theme_id.is_not(None))
                                   .group_by(PlanningProposal.theme_id)).all()) if with_use else {}
    rows = session.execute(select(PlanningTheme).where(PlanningTheme.project_id == project_id)
                           .order_by(PlanningTheme.position, PlanningTheme.id)).scalars()
    return [ThemeView(id=t.id, name=t.name, description=t.description, grouped=grouped.get(t.id, 0)) for t in rows]


def planners(session: Session, project_id: int) -> list[Planner]:
    """The project's planners with their names, in the order they were appointed (one query)."""
    rows = session.execute(select(RoleGrant.id, Account.id, Account.display_name)
                           .join(Account, Account.id == RoleGrant.account_id)
                           .where(RoleGrant.scope_type == ScopeType.planning_project, RoleGrant.scope_id == project_id,
                                  RoleGrant.role == Role.planner).order_by(RoleGrant.id)).all()
    return [Planner(grant_id=g, account_id=a, name=n) for g, a, n in rows]


@dataclass(frozen=True)
class ProjectPage:
    project: PlanningProject
    place: Place
    place_trail: str
    phase: Phase
    roles: frozenset[str]
    categories: list[CategoryView]
    themes: list[ThemeView]
    planners: list[Planner]
    filter: ProposalFilter
    counts: dict[str, int]  # proposals per status among those the other filters (not the status) match
    proposals: Page[ProposalRow]

    def can(self, action: str) -> bool:
        return rules.allowed(action, self.phase, self.roles)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def project_page(session: Session, *, viewer: Viewer | None, project_id: int, chosen: ProposalFilter, page: int,
                 now: datetime) -> ProjectPage:
    """The project, what the viewer may do there, and the proposals the filter matches, paginated: the same
    filter the map's feature endpoint applies, so that the list and the map show the same proposals."""
    viewer = viewer or Viewer(account_id=None)
    project, place, roles = access.visible_project(session, viewer=viewer, project_id=project_id, now=now)
    cats, topics = categories(session, project.id), themes(session, project.id)
    by_category, theme_names = {c.id: c for c in cats}, {t.id: t.name for t in topics}
    counts = dict(session.execute(
        select(PlanningProposal.status, func.count())
        .where(*filters.conditions(project.id, dataclasses.replace(chosen, status="")))
        .group_by(PlanningProposal.status)).all())
    stmt = (select(PlanningProposal.id, PlanningProposal.title, PlanningProposal.place_label,
                   PlanningProposal.category_id, PlanningProposal.status, PlanningProposal.support_count,
                   PlanningProposal.comment_count, PlanningProposal.kind, PlanningProposal.theme_id)
            .where(*filters.conditions(project.id, chosen))
            .order_by(PlanningProposal.created_at.desc(), PlanningProposal.id.desc()))
    listing = paginate(session, stmt, number=page, size=PROPOSALS_PER_PAGE, scalars=False,
                       query=dict(parse_qsl(chosen.query())))
    missing = CategoryView(id=0, key=CategoryKey.custom, label="", colour="#000000")
    rows = [ProposalRow(id=pid, title=title, place_label=label, category=by_category.get(category_id, missing),
                        status=status, support_count=support, comment_count=comments, kind=kind,
                        theme=theme_names.get(theme_id, "")) for pid, title, label, category_id, status, support,
            comments, kind, theme_id in listing.items]
    return ProjectPage(
        project=project, place=place, place_trail=trail(place_labels(session, {place.path}), place.path),
        phase=rules.project_phase(project, now), roles=roles, categories=cats, themes=topics,
        planners=planners(session, project.id), filter=chosen, counts=counts,
        proposals=dataclasses.replace(listing, items=rows))


@dataclass(frozen=True)
class PlaceChoice:
    place: Place
    label: str


def place_choices(session: Session, *, viewer: Viewer) -> list[PlaceChoice]:
    """The communities and compounds where the viewer may start a project, labelled with their trail."""
    if not viewer.is_staff:
        return []
    rows = session.execute(select(Place).where(Place.kind.in_(projects.PLACE_KINDS), in_scope(viewer, Place.path))
                           .order_by(Place.path)).scalars().all()
    names = place_labels(session, {p.path for p in rows})
    return sorted((PlaceChoice(place=p, label=trail(names, p.path)) for p in rows), key=lambda c: c.label)


@dataclass(frozen=True)
class SetupPage:
    project: PlanningProject
    place: Place
    phase: Phase
    roles: frozenset[str]
    categories: list[CategoryView]
    themes: list[ThemeView]
    planners: list[Planner]

    def can(self, action: str) -> bool:
        return rules.allowed(action, self.phase, self.roles)


def project_for_setup(session: Session, *, viewer: Viewer, project_id: int, action: str, now: datetime
                      ) -> SetupPage:
    """The project as a set-up page shows it, to those who may do `action` there (refused as the change
    itself would be)."""
    project, place, roles = access.visible_project(session, viewer=viewer, project_id=project_id, now=now)
    phase = rules.project_phase(project, now)
    access.check(action, phase, roles, place)
    return SetupPage(project=project, place=place, phase=phase, roles=roles,
                     categories=categories(session, project.id, with_use=True),
                     themes=themes(session, project.id, with_use=True), planners=planners(session, project.id))
