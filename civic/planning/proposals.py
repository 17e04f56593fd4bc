"""Proposals on a planning map: a resident adds a point, a line or an area — drawn, typed as coordinates or
taken from the register — with a title, a category, a place label (the shape's text alternative) and photos,
while residents add to the map; its author corrects it until the planners take it up.

Every problem with a form is collected and reported at once, and nothing is written (not even a photo's
file) until all of it has been checked."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlmodel import Session

from civic import audit, uploads
from civic.errors import Conflict, InvalidInput
from civic.i18n import N_
from civic.places.models import Place, PlaceKind
from civic.places.rules import Viewer
from civic.planning import access, geo, rules
from civic.planning.models import (
    PlanningCategory,
    PlanningFollow,
    PlanningPhoto,
    PlanningProject,
    PlanningProposal,
    ProposalStatus,
)

ALT_MAX = 200  # PlanningPhoto.alt
REGISTER_KINDS = (PlaceKind.compound, PlaceKind.building)  # register places a proposal may stand on


@dataclass(frozen=True)
class Photo:
    """An uploaded photo as posted: its bytes (at most one past the limit), its description, and the form
    slot it came from (so that an error sits next to the right field)."""

    data: bytes
    alt: str
    slot: int = 0


class InvalidProposal(InvalidInput):
    """Several problems with one form: the first is the error's own message, `problems` has them all."""

    def __init__(self, problems: list[InvalidInput]):
        first = problems[0]
        super().__init__(first.message, field=first.field, **first.params)
        self.problems = problems


def clean(text: str) -> str:
    """NFC, "\\n" line ends, no white space at either end."""
    return unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def one_line(text: str) -> str:
    return " ".join(clean(text).split())


def _texts(title: str, description: str, place_label: str, problems: list[InvalidInput]) -> dict:
    title, place_label, description = one_line(title), one_line(place_label), clean(description)
    if not title:
        problems.append(InvalidInput(N_("Give your place or proposal a title."), field="title"))
    elif len(title) > rules.TITLE_MAX:
        problems.append(InvalidInput(N_("The title is too long (at most %(max)s characters)."), field="title",
                                     max=rules.TITLE_MAX))
    if len(description) > rules.LONG_MAX:
        problems.append(InvalidInput(N_("The description is too long (at most %(max)s characters)."),
                                     field="description", max=rules.LONG_MAX))
    if not place_label:
        problems.append(InvalidInput(N_("Say in words where this is, e.g. “the lamp post outside the south gate”: "
                                        "not everyone can see the map."), field="place_label"))
    elif len(place_label) > rules.PLACE_LABEL_MAX:
        problems.append(InvalidInput(N_("The place label is too long (at most %(max)s characters)."),
                                     field="place_label", max=rules.PLACE_LABEL_MAX))
    return {"title": title, "description": description, "place_label": place_label}


def _category(session: Session, project: PlanningProject, category_id: int | None,
              problems: list[InvalidInput]) -> int | None:
    category = session.get(PlanningCategory, category_id) if category_id else None
    if category is None or category.project_id != project.id:
        problems.append(InvalidInput(N_("Choose one of the project's categories."), field="category"))
        return None
    return category.id


def register_point(session: Session, place: Place, place_id: int, boundary) -> geo.Shape:
    """The point of a compound or building of the register under the project's place, inside its boundary."""
    row = session.get(Place, place_id)
    point = json.loads(row.geojson) if row is not None and row.geojson else {}
    if (row is None or row.kind not in REGISTER_KINDS or not row.path.startswith(place.path)
            or not isinstance(point, dict) or point.get("type") != "Point"):
        raise InvalidInput(N_("Choose a compound or building of %(place)s from the list."), field="register_place",
                           place=place.name)
    try:
        return geo.proposal_shape(row.geojson, boundary=boundary, field="register_place")
    except InvalidInput:
        raise InvalidInput(N_("%(name)s is outside the project's boundary: draw the place or give its "
                              "coordinates."), field="register_place", name=row.name) from None


def locate(session: Session, *, project: PlanningProject, place: Place, geometry_text: str, latitude: str,
           longitude: str, register_place_id: int | None, required: bool = True) -> geo.Shape | None:
    """The shape from the first location source given: a drawn shape, else typed coordinates, else a place
    of the register. None when nothing is given and nothing is `required` (an edit keeps its shape)."""
    boundary = geo.boundary_of(project)
    if (geometry_text or "").strip():
        return geo.proposal_shape(geometry_text, boundary=boundary)
    if (latitude or "").strip() or (longitude or "").strip():
        return geo.point_from_fields(latitude, longitude, boundary=boundary)
    if register_place_id:
        return register_point(session, place, register_place_id, boundary)
    if required:
        raise InvalidInput(N_("Draw the place on the map, give its latitude and longitude, or choose it from the "
                              "register's list."), field="geometry")
    return None


def checked_photos(photos: Sequence[Photo], room: int, problems: list[InvalidInput]) -> list[Photo]:
    """The photos given (a slot with neither file nor description is not one), each a PNG, JPEG or WebP by
    its content, within the size limit and described; at most `room` of them."""
    given = [p for p in photos if p.data or p.alt.strip()]
    if len(given) > room:
        problems.append(InvalidInput(N_("A proposal has at most %(max)s photos."), field="photos",
                                     max=rules.PHOTOS_MAX))
    checked = []
    for photo in given:
        name, n, alt = f"photo-{photo.slot}", photo.slot + 1, one_line(photo.alt)
        if not photo.data:
            problems.append(InvalidInput(N_("Photo %(n)s: choose the file this description is for, or clear the "
                                            "description."), field=name, n=n))
            continue
        if len(photo.data) > rules.PHOTO_MAX_BYTES:
            problems.append(InvalidInput(N_("Photo %(n)s is too large: a photo may be at most %(max)s MB."),
                                         field=name, n=n, max=f"{rules.PHOTO_MAX_BYTES / (1024 * 1024):g}"))
        elif uploads.sniff(photo.data) not in rules.PHOTO_TYPES:
            problems.append(InvalidInput(N_("Photo %(n)s is not a PNG, JPEG or WebP image (whatever its name "
                                            "says)."), field=name, n=n))
        if not alt or len(alt) > ALT_MAX:
            problems.append(InvalidInput(N_("Photo %(n)s: describe it for people who cannot see it (at most "
                                            "%(max)s characters)."), field=f"{name}-alt", n=n, max=ALT_MAX))
        checked.append(Photo(data=photo.data, alt=alt, slot=photo.slot))
    return checked


def _store_photos(session: Session, proposal: PlanningProposal, photos: list[Photo], uploaded_by: int,
                  start: int) -> list[PlanningPhoto]:
    rows = []
    for position, photo in enumerate(photos, start=start):
        stored = uploads.store(session, data=photo.data, uploaded_by=uploaded_by, allowed=rules.PHOTO_TYPES,
                               max_bytes=rules.PHOTO_MAX_BYTES)
        rows.append(PlanningPhoto(proposal_id=proposal.id, file_id=stored.id, alt=photo.alt, position=position))
    session.add_all(rows)
    session.flush()
    return rows


def _located(session: Session, problems: list[InvalidInput], **where) -> geo.Shape | None:
    try:
        return locate(session, **where)
    except InvalidInput as exc:
        problems.append(exc)
        return None


def create_proposal(session: Session, *, viewer: Viewer, project_id: int, title: str, category_id: int | None,
                    description: str, place_label: str, geometry_text: str, latitude: str, longitude: str,
                    register_place_id: int | None, photos: Sequence[Photo], now: datetime) -> PlanningProposal:
    """A resident adds a proposal in the project's current phase, and follows it from then on."""
    project, place = access.project_and_place(session, project_id, lock="share")
    access.authorise(session, viewer=viewer, action="propose", project=project, place=place, now=now)
    problems: list[InvalidInput] = []
    texts = _texts(title, description, place_label, problems)
    category = _category(session, project, category_id, problems)
    shape = _located(session, problems, project=project, place=place, geometry_text=geometry_text,
                     latitude=latitude, longitude=longitude, register_place_id=register_place_id)
    given = checked_photos(photos, rules.PHOTOS_MAX, problems)
    if problems:
        raise InvalidProposal(problems)
    proposal = PlanningProposal(project_id=project.id, author_id=viewer.account_id, category_id=category,
                                phase=rules.project_phase(project, now), status=ProposalStatus.received,
                                created_at=now, updated_at=now, **texts, **shape.columns())
    session.add(proposal)
    session.flush()
    stored = _store_photos(session, proposal, given, viewer.account_id, start=1)
    session.add(PlanningFollow(proposal_id=proposal.id, account_id=viewer.account_id))
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="planning.proposal_created",
                 object_type="planning_proposal", object_id=proposal.id,
                 payload={"project": project.id, "title": proposal.title, "kind": proposal.kind,
                          "photos": [p.file_id for p in stored]}, now=now)
    return proposal


def changeable_proposal(session: Session, *, viewer: Viewer, proposal_id: int, now: datetime, lock: bool = False
                        ) -> tuple[PlanningProposal, PlanningProject, Place]:
    """The proposal, if the viewer wrote it, residents are still adding to the map and nobody has moved it on."""
    proposal, project, place = access.proposal_project_place(session, proposal_id, lock=lock)
    access.authorise(session, viewer=viewer, action="edit_proposal", project=project, place=place, now=now,
                     proposal=proposal)
    if proposal.status != ProposalStatus.received:
        raise Conflict(N_("The planners have taken this proposal up: it can no longer change."))
    return proposal, project, place


def update_proposal(session: Session, *, viewer: Viewer, proposal_id: int, title: str, category_id: int | None,
                    description: str, place_label: str, geometry_text: str, latitude: str, longitude: str,
                    register_place_id: int | None, photos: Sequence[Photo] = (),
                    remove_photo_ids: Sequence[int] = (), now: datetime) -> PlanningProposal:
    """The author corrects their proposal; with no new location it keeps its shape. Photos may be added and
    removed (the removed files go with them)."""
    proposal, project, place = changeable_proposal(session, viewer=viewer, proposal_id=proposal_id, now=now,
                                                   lock=True)
    problems: list[InvalidInput] = []
    texts = _texts(title, description, place_label, problems)
    category = _category(session, project, category_id, problems)
    shape = _located(session, problems, project=project, place=place, geometry_text=geometry_text,
                     latitude=latitude, longitude=longitude, register_place_id=register_place_id, required=False)
    existing = list(session.execute(select(PlanningPhoto).where(PlanningPhoto.proposal_id == proposal.id)
                                    .order_by(PlanningPhoto.position)).scalars())
    removed = [p for p in existing if p.id in set(remove_photo_ids)]
    given = checked_photos(photos, rules.PHOTOS_MAX - len(existing) + len(removed), problems)
    if problems:
        raise InvalidProposal(problems)
    for name, value in {**texts, **(shape.columns() if shape else {})}.items():
        setattr(proposal, name, value)
    proposal.category_id, proposal.updated_at = category, now
    if removed:
        session.execute(delete(PlanningPhoto).where(PlanningPhoto.id.in_([p.id for p in removed])))
        # By statement: loading the rows would read whole files for nothing.
        session.execute(delete(uploads.StoredFile).where(uploads.StoredFile.id.in_([p.file_id for p in removed])))
    stored = _store_photos(session, proposal, given, viewer.account_id,
                           start=max((p.position for p in existing), default=0) + 1)
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="planning.proposal_edited",
                 object_type="planning_proposal", object_id=proposal.id,
                 payload={"title": proposal.title, "moved": shape is not None,
                          "photos_added": [p.file_id for p in stored],
                          "photos_removed": [p.file_id for p in removed]}, now=now)
    return proposal
