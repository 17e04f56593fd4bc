"""Who the viewer is towards one planning project (staff, planner, resident) and one proposal (author),
the refusals in words, and the row loads every planning use case starts from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, false, select
from sqlmodel import Session

from civic.auth.models import Role, RoleGrant, ScopeType
from civic.errors import Conflict, NotFound, PermissionDenied
from civic.i18n import N_
from civic.places import rules as place_rules
from civic.places.models import Place, Unit, UnitLink
from civic.places.rules import Viewer
from civic.places.service import REGISTER_TZ, current_link
from civic.planning import rules
from civic.planning.models import Phase, PlanningProject, PlanningProposal

ROLE_MESSAGES = {
    "see_draft": N_("There is no such planning project."),
    "edit_project": N_("Only the project's planners and staff of %(place)s can change this project."),
    "publish": N_("Only the project's planners and staff of %(place)s can publish this project."),
    "appoint_planners": N_("Only staff of %(place)s can appoint planners."),
    "propose": N_("Only residents of %(place)s can add to this map."),
    "edit_proposal": N_("Only the proposal's author can change it."),
    "support": N_("Only residents of %(place)s can support proposals."),
    "comment": N_("Only residents of %(place)s and the project's planners can comment."),
    "follow": N_("Sign in to follow a proposal."),
    "moderate": N_("Only the project's planners and staff of %(place)s can moderate comments."),
    "set_status": N_("Only the project's planners and staff of %(place)s can move proposals on."),
    "manage_themes": N_("Only the project's planners and staff of %(place)s can manage design themes."),
    "annotate": N_("Only the project's planners and staff of %(place)s can annotate the map."),
    "see_internal": N_("Only the project's planners and staff of %(place)s can see internal notes."),
}
PHASE_MESSAGES = {
    "see_draft": N_("There is no such planning project."),
    "edit_project": N_("This project can no longer change."),
    "publish": N_("This project is already published."),
    "appoint_planners": N_("Planners can no longer change."),
    "propose": N_("New places and proposals are taken only during the discovery and proposal phases."),
    "edit_proposal": N_("Proposals can be changed only during the discovery and proposal phases."),
    "support": N_("Support is open from discovery until design feedback ends."),
    "comment": N_("Comments are open from discovery until design feedback ends."),
    "follow": N_("Proposals can be followed once the project is published."),
    "moderate": N_("Comments can be moderated once the project is published."),
    "set_status": N_("Proposals move on once the project is published."),
    "manage_themes": N_("Design themes cannot change now."),
    "annotate": N_("The map cannot be annotated now."),
    "see_internal": N_("Internal notes cannot be seen now."),
}


def project_path(project_id: int) -> str:
    return f"/planning/{project_id}"


def proposal_path(proposal_id: int) -> str:
    return f"/planning/proposals/{proposal_id}"


def project_and_place(session: Session, project_id: int, *, lock: str | None = None
                      ) -> tuple[PlanningProject, Place]:
    """The project and its place; `lock="update"` holds the project row until the transaction ends."""
    stmt = (select(PlanningProject, Place).join(Place, Place.id == PlanningProject.place_id)
            .where(PlanningProject.id == project_id))
    if lock:
        stmt = stmt.with_for_update(read=lock == "share", of=PlanningProject).execution_options(
            populate_existing=True)
    row = session.execute(stmt).first()
    if row is None:
        raise NotFound(N_("There is no such planning project."))
    return row[0], row[1]


def proposal_project_place(session: Session, proposal_id: int, *, lock: bool = False
                           ) -> tuple[PlanningProposal, PlanningProject, Place]:
    """A proposal with its project and place; with `lock`, the proposal row is locked for update."""
    stmt = (select(PlanningProposal, PlanningProject, Place)
            .join(PlanningProject, PlanningProject.id == PlanningProposal.project_id)
            .join(Place, Place.id == PlanningProject.place_id).where(PlanningProposal.id == proposal_id))
    if lock:
        stmt = stmt.with_for_update(of=PlanningProposal).execution_options(populate_existing=True)
    row = session.execute(stmt).first()
    if row is None:
        raise NotFound(N_("There is no such proposal on the map."))
    return row[0], row[1], row[2]


def roles_of(session: Session, *, viewer: Viewer, project: PlanningProject, place: Place, now: datetime,
             proposal: PlanningProposal | None = None) -> frozenset[str]:
    """The viewer's roles towards the project and, given a proposal, towards it. One query at most."""
    roles = set()
    if place_rules.can_manage(viewer, place.path):
        roles.add(rules.STAFF)
    if viewer.account_id is None:
        return frozenset(roles)
    roles.add(rules.SIGNED_IN)
    if proposal is not None and proposal.author_id == viewer.account_id:
        roles.add(rules.AUTHOR)
    planner = exists().where(RoleGrant.account_id == viewer.account_id, RoleGrant.role == Role.planner,
                             RoleGrant.scope_type == ScopeType.planning_project, RoleGrant.scope_id == project.id)
    resident = (exists().where(UnitLink.person_id == viewer.person_id,
                               current_link(now.astimezone(REGISTER_TZ).date()),
                               UnitLink.unit_id == Unit.id, Unit.building_id == Place.id,
                               Place.path.startswith(place.path))
                if viewer.person_id is not None else false())
    is_planner, is_resident = session.execute(select(planner, resident)).one()
    if is_planner:
        roles.add(rules.PLANNER)
    if is_resident:
        roles.add(rules.RESIDENT)
    return frozenset(roles)


def check(action: str, phase: Phase, roles: frozenset[str], place: Place) -> None:
    """Refuse `action` unless these roles may do it in this phase (PermissionDenied, else Conflict)."""
    why = rules.refusal(action, phase, roles)
    if why == "role":
        raise PermissionDenied(ROLE_MESSAGES[action], place=place.name)
    if why == "phase":
        raise Conflict(PHASE_MESSAGES[action])


def hidden_draft(phase: Phase, roles: frozenset[str]) -> bool:
    """A draft project does not exist for anyone but its planners and staff."""
    return phase == Phase.draft and rules.STAFF not in roles and rules.PLANNER not in roles


def authorise(session: Session, *, viewer: Viewer, action: str, project: PlanningProject, place: Place,
              now: datetime, proposal: PlanningProposal | None = None) -> frozenset[str]:
    """The viewer's roles, if they may do `action` on this project (or proposal) in its phase; else the
    refusal."""
    roles = roles_of(session, viewer=viewer, project=project, place=place, now=now, proposal=proposal)
    phase = rules.project_phase(project, now)
    if hidden_draft(phase, roles):
        raise NotFound(N_("There is no such planning project."))
    check(action, phase, roles, place)
    return roles


def visible_project(session: Session, *, viewer: Viewer, project_id: int, now: datetime
                    ) -> tuple[PlanningProject, Place, frozenset[str]]:
    """A project the viewer may see (a draft only to its planners and staff) and their roles."""
    project, place = project_and_place(session, project_id)
    roles = roles_of(session, viewer=viewer, project=project, place=place, now=now)
    if hidden_draft(rules.project_phase(project, now), roles):
        raise NotFound(N_("There is no such planning project."))
    return project, place, roles
