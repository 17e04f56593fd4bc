"""Proposals: a resident adds one with each location source (a drawn shape first, then typed coordinates, then a
register place), every bad input refused with nothing stored (not even a photo's file), photos typed by their
content, who may add one when, and the author's corrections until the planners take it up."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from civic import uploads
from civic.audit import AuditEvent
from civic.errors import Conflict, NotFound, PermissionDenied
from civic.places.rules import Viewer
from civic.planning import proposal_queries, proposals, rules
from civic.planning.models import (
    Phase,
    PlanningCategory,
    PlanningFollow,
    PlanningPhoto,
    PlanningProject,
    PlanningProposal,
    ProjectStatus,
    ProposalStatus,
)
from civic.planning.proposals import InvalidProposal, Photo
from tests.unit.planning.builders import (
    CENTRE,
    HALF,
    add_proposal,
    build_planning_world,
    inside_point,
    square,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
LON, LAT = CENTRE


@pytest.fixture
def w(session, make_account):
    return build_planning_world(session, make_account, phase=Phase.discovery)


def count(session, model, *where) -> int:
    return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def create(session, w, viewer=None, **changes) -> PlanningProposal:
    kwargs = {"title": "南门路灯太暗", "category_id": w.categories["pain"].id, "description": "晚上看不见路",
              "place_label": "南门外的路灯", "geometry_text": json.dumps(inside_point()), "latitude": "",
              "longitude": "", "register_place_id": None, "photos": (), **changes}
    return proposals.create_proposal(session, viewer=viewer or w.zhang, project_id=w.project.id, now=w.now, **kwargs)


def refused(session, w, **changes) -> InvalidProposal:
    """The form is refused, and nothing at all was written."""
    with pytest.raises(InvalidProposal) as caught:
        create(session, w, **{"photos": [Photo(PNG, "路灯")], **changes})
    session.rollback()
    assert count(session, PlanningProposal) == count(session, uploads.StoredFile) == count(session, AuditEvent) == 0
    return caught.value


def fields(error: InvalidProposal) -> list[str]:
    return [p.field for p in error.problems]


# ---- where a proposal is ----------------------------------------------------------------------------------

def test_a_drawn_area_is_stored_with_its_phase_and_the_author_follows(session, w):
    made = create(session, w, geometry_text=json.dumps(square(LON, LAT, 0.001)), photos=[Photo(PNG, "南门", 0)])
    session.commit()
    assert (made.kind, made.phase, made.status, made.author_id) == ("polygon", Phase.discovery,
                                                                     ProposalStatus.received, w.zhang.account_id)
    assert (made.lon, made.lat) != (0, 0) and made.min_lon == pytest.approx(LON - 0.001)
    assert count(session, PlanningFollow, PlanningFollow.account_id == w.zhang.account_id) == 1
    photo = session.execute(select(PlanningPhoto)).scalar_one()
    assert (photo.alt, session.get(uploads.StoredFile, photo.file_id).content_type) == ("南门", "image/png")
    assert session.execute(select(AuditEvent.action)).scalars().all() == ["planning.proposal_created"]


def test_typed_coordinates_and_a_register_place_are_the_ways_without_the_map(session, w):
    typed = create(session, w, geometry_text="", latitude=f"{LAT + 0.001}", longitude=f"{LON}")
    assert (typed.kind, typed.lat, typed.lon) == ("point", pytest.approx(LAT + 0.001), pytest.approx(LON))
    w.r.compound.geojson = json.dumps(inside_point(0.002, 0.002))
    w.r.building.geojson = json.dumps({"type": "Point", "coordinates": [LON + 0.2, LAT]})  # outside the boundary
    session.commit()
    assert proposal_queries.register_places(session, w.project, w.r.community) == [(w.r.compound.id, "南苑村小区")]
    chosen = create(session, w, geometry_text="", register_place_id=w.r.compound.id)
    assert (chosen.lon, chosen.lat) == (pytest.approx(LON + 0.002), pytest.approx(LAT + 0.002))
    # Precedence: a drawn shape first, then the typed coordinates, then the register.
    drawn = create(session, w, latitude=f"{LAT}", longitude=f"{LON + 0.003}", register_place_id=w.r.compound.id)
    assert drawn.lon == pytest.approx(LON)
    typed = create(session, w, geometry_text="", latitude=f"{LAT}", longitude=f"{LON + 0.003}",
                   register_place_id=w.r.compound.id)
    assert typed.lon == pytest.approx(LON + 0.003)
    for place in (w.r.building, w.r.other_compound, w.r.community):
        with pytest.raises(InvalidProposal) as caught:
            create(session, w, geometry_text="", register_place_id=place.id)
        assert fields(caught.value) == ["register_place"]


def test_without_any_location_the_map_field_says_so(session, w):
    error = refused(session, w, geometry_text="")
    assert fields(error) == ["geometry"] and "Draw the place on the map" in error.message


@pytest.mark.parametrize("changes, field, words", [
    ({"geometry_text": json.dumps(inside_point(HALF * 3))}, "geometry", "outside the project's boundary"),
    ({"geometry_text": json.dumps({"type": "Polygon", "coordinates": [[
        [LON - 0.001, LAT - 0.001], [LON + 0.001, LAT + 0.001], [LON + 0.001, LAT - 0.001],
        [LON - 0.001, LAT + 0.001], [LON - 0.001, LAT - 0.001]]]})}, "geometry", "crosses itself"),
    ({"geometry_text": json.dumps({"type": "Point", "coordinates": [LAT, LON]})}, "geometry", "swapped"),
    ({"geometry_text": "", "latitude": f"{LON}", "longitude": f"{LAT}"}, "latitude", "swapped"),
    ({"geometry_text": "{not json"}, "geometry", "not valid GeoJSON"),
])
def test_a_bad_shape_is_refused_and_nothing_is_stored(session, w, changes, field, words):
    error = refused(session, w, **changes)
    assert fields(error) == [field] and words in error.message


def test_every_problem_of_the_form_is_reported_at_once(session, w):
    error = refused(session, w, title=" ", place_label="", category_id=None, geometry_text="",
                    description="很" * (rules.LONG_MAX + 1))
    assert fields(error) == ["title", "description", "place_label", "category", "geometry"]


def test_a_category_of_another_project_is_refused(session, w):
    other = PlanningProject(**{name: getattr(w.project, name) for name in (
        "title", "boundary", "min_lon", "min_lat", "max_lon", "max_lat", "discovery_opens_at", "proposals_opens_at",
        "feedback_opens_at", "closes_at")}, place_id=w.r.other_community.id, status=ProjectStatus.published)
    session.add(other)
    session.flush()
    theirs = PlanningCategory(project_id=other.id, key="beauty")
    session.add(theirs)
    session.commit()
    assert fields(refused(session, w, category_id=theirs.id)) == ["category"]


# ---- photos ---------------------------------------------------------------------------------------------

def test_photos_are_typed_by_their_content_sized_and_described(session, w):
    webp = b"RIFF\x00\x00\x00\x00WEBPVP8 " + bytes(20)
    made = create(session, w, photos=[Photo(PNG, "照片", 0), Photo(webp, "另一张", 2)])
    assert [p.alt for p in session.execute(select(PlanningPhoto).where(PlanningPhoto.proposal_id == made.id)
                                           .order_by(PlanningPhoto.position)).scalars()] == ["照片", "另一张"]
    session.rollback()
    too_big = PNG + bytes(rules.PHOTO_MAX_BYTES - len(PNG) + 1)
    assert fields(refused(session, w, photos=[Photo(b"just some text", "文字", 0)])) == ["photo-0"]
    assert fields(refused(session, w, photos=[Photo(too_big, "大", 1)])) == ["photo-1"]
    assert fields(refused(session, w, photos=[Photo(PNG, "  ", 3)])) == ["photo-3-alt"]
    assert fields(refused(session, w, photos=[Photo(b"", "没有文件", 0)])) == ["photo-0"]
    five = [Photo(PNG, f"第{n}张", n) for n in range(rules.PHOTOS_MAX + 1)]
    assert fields(refused(session, w, photos=five)) == ["photos"]
    exactly = PNG + bytes(rules.PHOTO_MAX_BYTES - len(PNG))
    assert create(session, w, photos=[Photo(exactly, "刚好2MB", 0)]).id


def test_a_photo_is_served_to_whoever_may_see_its_project(session, w):
    made = create(session, w, photos=[Photo(PNG, "南门", 0)])
    session.commit()
    file_id = session.execute(select(PlanningPhoto.file_id).where(PlanningPhoto.proposal_id == made.id)).scalar()
    assert uploads.viewable_file(session, viewer=w.anonymous, file_id=file_id, now=w.now).id == file_id
    w.project.status = ProjectStatus.draft
    session.commit()
    with pytest.raises(NotFound):
        uploads.viewable_file(session, viewer=w.zhang, file_id=file_id, now=w.now)
    for viewer in (w.planner, w.staff):
        assert uploads.viewable_file(session, viewer=viewer, file_id=file_id, now=w.now).id == file_id


# ---- who and when ------------------------------------------------------------------------------------------

def test_only_residents_add_and_only_while_residents_add_to_the_map(session, w):
    for viewer in (w.stranger, w.staff, w.planner, w.other_staff, w.anonymous):
        with pytest.raises(PermissionDenied):
            create(session, w, viewer=viewer)
    with pytest.raises(Conflict):
        proposals.create_proposal(session, viewer=w.zhang, project_id=w.project.id, title="晚了",
                                  category_id=w.categories["idea"].id, description="", place_label="这里",
                                  geometry_text=json.dumps(inside_point()), latitude="", longitude="",
                                  register_place_id=None, photos=(), now=w.project.feedback_opens_at)
    assert create(session, w).phase == Phase.discovery
    in_proposals = proposals.create_proposal(
        session, viewer=w.li, project_id=w.project.id, title="加个长椅", category_id=w.categories["idea"].id,
        description="", place_label="花园", geometry_text=json.dumps(inside_point()), latitude="", longitude="",
        register_place_id=None, photos=(), now=w.project.proposals_opens_at + timedelta(hours=1))
    assert in_proposals.phase == Phase.proposals


def test_a_draft_project_does_not_exist_for_residents(session, make_account):
    w = build_planning_world(session, make_account, phase=Phase.draft)
    with pytest.raises(NotFound):
        create(session, w)


# ---- corrections ------------------------------------------------------------------------------------------

def edit(session, w, proposal, viewer=None, **changes) -> PlanningProposal:
    kwargs = {"title": proposal.title, "category_id": proposal.category_id, "description": proposal.description,
              "place_label": proposal.place_label, "geometry_text": "", "latitude": "", "longitude": "",
              "register_place_id": None, **changes}
    return proposals.update_proposal(session, viewer=viewer or w.zhang, proposal_id=proposal.id, now=w.now, **kwargs)


def test_the_author_corrects_the_proposal_and_its_photos(session, w):
    made = create(session, w, photos=[Photo(PNG, "一", 0), Photo(PNG, "二", 1)])
    session.commit()
    shape = made.geometry
    edit(session, w, made, title="南门路灯坏了", category_id=w.categories["idea"].id)
    assert (made.title, made.category_id, made.geometry) == ("南门路灯坏了", w.categories["idea"].id, shape)
    moved = edit(session, w, made, latitude=f"{LAT + 0.002}", longitude=f"{LON}")
    assert moved.lat == pytest.approx(LAT + 0.002)
    first = session.execute(select(PlanningPhoto).where(PlanningPhoto.alt == "一")).scalar_one()
    three = [Photo(PNG, f"新{n}", n) for n in range(3)]
    with pytest.raises(InvalidProposal):  # two kept + three new is one too many
        edit(session, w, made, photos=three)
    edit(session, w, made, photos=three, remove_photo_ids=[first.id])
    session.commit()
    assert sorted(session.execute(select(PlanningPhoto.alt)).scalars()) == ["二", "新0", "新1", "新2"]
    assert count(session, uploads.StoredFile) == 4  # the removed photo's file went with it
    assert count(session, AuditEvent, AuditEvent.action == "planning.proposal_edited") == 3


def test_only_the_author_while_received_and_contributing(session, w):
    made = add_proposal(session, w, author=w.zhang)
    for viewer in (w.li, w.planner, w.staff):
        with pytest.raises(PermissionDenied):
            edit(session, w, made, viewer=viewer, title="别人改的")
    with pytest.raises(Conflict):
        proposals.update_proposal(session, viewer=w.zhang, proposal_id=made.id, title="晚了", category_id=made.category_id,
                                  description="", place_label="南门外", geometry_text="", latitude="", longitude="",
                                  register_place_id=None, now=w.project.feedback_opens_at)
    made.status = ProposalStatus.under_review
    session.commit()
    with pytest.raises(Conflict, match="taken this proposal up"):
        edit(session, w, made, title="改不了")
    session.rollback()
    session.expire_all()
    assert session.get(PlanningProposal, made.id).title == "南门路灯太暗"


def test_the_anonymous_viewer_has_no_author_role(session, w):
    made = add_proposal(session, w, author=w.zhang)
    with pytest.raises(PermissionDenied):
        edit(session, w, made, viewer=Viewer(account_id=None))
