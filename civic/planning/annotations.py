"""Planners' own notes on the map: a title, a text and a shape (checked like a proposal's), public or internal.
An internal note exists only for the project's planners and staff: to anyone else it is not found."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from civic import audit
from civic.errors import InvalidInput, NotFound, PermissionDenied
from civic.i18n import N_
from civic.places.models import Place
from civic.places.rules import Viewer
from civic.planning import access, rules
from civic.planning.models import Phase, PlanningAnnotation, PlanningProject, Visibility
from civic.planning.proposals import InvalidProposal, clean, locate, one_line


@dataclass
class SeenAnnotation:
    annotation: PlanningAnnotation
    project: PlanningProject
    place: Place
    roles: frozenset[str]
    phase: Phase


def visible_annotation(session: Session, *, viewer: Viewer, annotation_id: int, now: datetime) -> SeenAnnotation:
    """The note with its project, if the viewer may see it (an internal one: planners and staff only)."""
    row = session.execute(select(PlanningAnnotation, PlanningProject, Place)
                          .join(PlanningProject, PlanningProject.id == PlanningAnnotation.project_id)
                          .join(Place, Place.id == PlanningProject.place_id)
                          .where(PlanningAnnotation.id == annotation_id)).first()
    if row is None:
        raise NotFound(N_("There is no such note."))
    annotation, project, place = row
    roles = access.roles_of(session, viewer=viewer, project=project, place=place, now=now)
    phase = rules.project_phase(project, now)
    if access.hidden_draft(phase, roles) or (annotation.visibility == Visibility.internal
                                              and not rules.allowed("see_internal", phase, roles)):
        raise NotFound(N_("There is no such note."))
    return SeenAnnotation(annotation, project, place, roles, phase)


def create_annotation(session: Session, *, viewer: Viewer, project_id: int, title: str, body: str, visibility: str,
                      geometry_text: str, latitude: str = "", longitude: str = "",
                      register_place_id: int | None = None, now: datetime) -> PlanningAnnotation:
    """A planner or staff puts a note with a shape on the project's map."""
    project, place = access.project_and_place(session, project_id)
    access.authorise(session, viewer=viewer, action="annotate", project=project, place=place, now=now)
    problems: list[InvalidInput] = []
    title, body = one_line(title), clean(body)
    if not title or len(title) > rules.TITLE_MAX:
        problems.append(InvalidInput(N_("Give the note a title (at most %(max)s characters)."), field="title",
                                     max=rules.TITLE_MAX))
    if len(body) > rules.NOTE_MAX:
        problems.append(InvalidInput(N_("The planners' note is too long (at most %(max)s characters)."), field="body",
                                     max=rules.NOTE_MAX))
    if visibility not in {v.value for v in Visibility}:
        problems.append(InvalidInput(N_("Choose who may see the note."), field="visibility"))
    shape = None
    try:
        shape = locate(session, project=project, place=place, geometry_text=geometry_text, latitude=latitude,
                       longitude=longitude, register_place_id=register_place_id)
    except InvalidInput as exc:
        problems.append(exc)
    if problems or shape is None:
        raise InvalidProposal(problems)
    note = PlanningAnnotation(project_id=project.id, author_id=viewer.account_id, title=title, body=body,
                              visibility=visibility, created_at=now, **shape.columns())
    session.add(note)
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="planning.annotation_created",
                 object_type="planning_annotation", object_id=note.id,
                 payload={"project": project.id, "title": title, "visibility": visibility, "kind": note.kind}, now=now)
    return note


def deletable_annotation(session: Session, *, viewer: Viewer, annotation_id: int, now: datetime) -> SeenAnnotation:
    """The note, if the viewer may delete it: its author (a planner or staff) or staff of the project's place."""
    seen = visible_annotation(session, viewer=viewer, annotation_id=annotation_id, now=now)
    access.check("annotate", seen.phase, seen.roles, seen.place)
    if seen.annotation.author_id != viewer.account_id and rules.STAFF not in seen.roles:
        raise PermissionDenied(N_("Only the note's author and staff of %(place)s can delete it."),
                               place=seen.place.name)
    return seen


def delete_annotation(session: Session, *, viewer: Viewer, annotation_id: int, now: datetime) -> SeenAnnotation:
    """Take a note off the map (after a page that asks to confirm)."""
    seen = deletable_annotation(session, viewer=viewer, annotation_id=annotation_id, now=now)
    note = seen.annotation
    session.delete(note)
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="planning.annotation_deleted",
                 object_type="planning_annotation", object_id=note.id,
                 payload={"project": note.project_id, "title": note.title, "visibility": note.visibility}, now=now)
    return seen
