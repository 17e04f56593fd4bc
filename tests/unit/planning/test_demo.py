"""The demo planning projects (`civic fixtures load demo`): 松涛社区's, in design feedback, with 200+ proposals of
every kind and status drawn by its residents inside its boundary; 北环社区's pocket park, in discovery now, open to
王秀英 (owner@); 林静 (planner@) plans both; loading again creates nothing. The demo is loaded once per module
and backend, as in tests/unit/contests/test_demo.py."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from civic import clock, fixtures
from civic.auth.models import Account, Role, RoleGrant, ScopeType
from civic.places.models import Place, Unit, UnitLink
from civic.places.rules import Viewer
from civic.places.service import REGISTER_TZ, current_link
from civic.planning import access, geo, rules
from civic.planning import demo_text as text
from civic.planning.models import (
    GeometryKind,
    Phase,
    PlanningAnnotation,
    PlanningCategory,
    PlanningComment,
    PlanningFollow,
    PlanningProject,
    PlanningProposal,
    PlanningStatusChange,
    PlanningSupport,
    PlanningTheme,
    ProposalStatus,
    Visibility,
)
from tests.conftest import _wipe

TABLES = (PlanningProject, PlanningCategory, PlanningTheme, PlanningProposal, PlanningSupport, PlanningComment,
          PlanningFollow, PlanningStatusChange, PlanningAnnotation, RoleGrant, Account)


@pytest.fixture(scope="module")
def loaded(_schema_engine, _arrange_engine):
    """The demo, loaded once; a session to read it (on its own engine, as the `session` fixture)."""
    fixtures.load(_schema_engine, "demo", progress=False)
    try:
        with Session(_arrange_engine, expire_on_commit=False) as session:
            by_title = {p.title: p for p in session.execute(select(PlanningProject)).scalars()}
            yield SimpleNamespace(session=session, engine=_schema_engine, nanhu=by_title[text.NANHU_TITLE],
                                  beihuan=by_title[text.BEIHUAN_TITLE])
    finally:
        _wipe(_schema_engine)


def _proposals(session: Session, project: PlanningProject) -> list[PlanningProposal]:
    return list(session.execute(select(PlanningProposal).where(PlanningProposal.project_id == project.id)
                                .order_by(PlanningProposal.id)).scalars())


def _account(session: Session, email: str) -> Account:
    return session.execute(select(Account).where(Account.email == email)).scalar_one()


def _place(session: Session, project: PlanningProject) -> Place:
    return session.get(Place, project.place_id)


def test_the_nanhu_project_is_in_design_feedback_with_its_categories_and_themes(loaded):
    session, project = loaded.session, loaded.nanhu
    assert rules.project_phase(project, clock.now()) == Phase.feedback
    assert _place(session, project).name == "松涛社区"
    assert rules.parse_layers(project.base_layers) == set(rules.parse_layers("tiles,compounds,buildings"))
    categories = session.execute(select(PlanningCategory.key, PlanningCategory.label)
                                 .where(PlanningCategory.project_id == project.id)).all()
    assert sorted(categories) == sorted([("beauty", ""), ("pain", ""), ("idea", ""), ("custom", text.CUSTOM_CATEGORY)])
    themes = session.execute(select(PlanningTheme.id).where(PlanningTheme.project_id == project.id)).scalars().all()
    assert 4 <= len(themes) <= 6
    grouped = Counter(p.theme_id for p in _proposals(session, project) if p.theme_id)
    assert set(grouped) == set(themes)


def test_the_boundary_holds_the_community_and_its_compound(loaded):
    session = loaded.session
    for project, low, high in ((loaded.nanhu, 12, 30), (loaded.beihuan, 12, 30)):
        assert geo.boundary_shape(project.boundary).geojson == project.boundary
        assert low <= len(json.loads(project.boundary)["coordinates"][0]) - 1 <= high
        area, place = geo.boundary_of(project), _place(session, project)
        inside = session.execute(select(Place.name, Place.geojson).where(
            Place.path.startswith(place.path), Place.geojson.is_not(None))).all()
        assert len(inside) >= 8
        for _name, point in inside:
            geo.proposal_shape(point, boundary=area)


def test_two_hundred_proposals_of_every_kind_and_status(loaded):
    rows = _proposals(loaded.session, loaded.nanhu)
    assert len(rows) >= 200
    kinds = Counter(p.kind for p in rows)
    assert set(kinds) == set(GeometryKind)
    assert kinds["point"] > len(rows) / 2 and kinds["line"] > len(rows) / 5 and kinds["polygon"] > len(rows) / 7
    statuses = Counter(p.status for p in rows)
    assert set(statuses) == set(ProposalStatus)
    assert {p.phase for p in rows} == {Phase.discovery, Phase.proposals}
    for p in rows:
        assert rules.project_phase(loaded.nanhu, p.created_at) == p.phase, p.id


def test_every_shape_is_inside_its_boundary_as_geo_checks_it(loaded):
    session = loaded.session
    for project in (loaded.nanhu, loaded.beihuan):
        area = geo.boundary_of(project)
        shapes = [*_proposals(session, project), *session.execute(
            select(PlanningAnnotation).where(PlanningAnnotation.project_id == project.id)).scalars()]
        for row in shapes:
            checked = geo.proposal_shape(row.geometry, boundary=area)
            assert checked.columns() == {k: getattr(row, k) for k in checked.columns()}, row.id


def test_authors_and_supporters_are_residents_and_counts_match_rows(loaded):
    session = loaded.session
    for project in (loaded.nanhu, loaded.beihuan):
        rows = {p.id: p for p in _proposals(session, project)}
        place = _place(session, project)
        on = project.discovery_opens_at.astimezone(REGISTER_TZ).date()
        residents = set(session.execute(
            select(Account.id).join(UnitLink, UnitLink.person_id == Account.person_id)
            .join(Unit, Unit.id == UnitLink.unit_id).join(Place, Place.id == Unit.building_id)
            .where(Place.path.startswith(place.path), current_link(on))).scalars())
        supports = session.execute(select(PlanningSupport.proposal_id, PlanningSupport.account_id)
                                   .where(PlanningSupport.proposal_id.in_(rows))).all()
        comments = session.execute(select(PlanningComment.proposal_id, PlanningComment.hidden_at)
                                   .where(PlanningComment.proposal_id.in_(rows))).all()
        supported, said = Counter(p for p, _a in supports), Counter(p for p, hidden in comments if hidden is None)
        for p in rows.values():
            assert (p.support_count, p.comment_count) == (supported[p.id], said[p.id]), p.id
            assert p.author_id in residents
        assert all(a in residents and a != rows[p].author_id for p, a in supports)
        followers = set(session.execute(select(PlanningFollow.proposal_id, PlanningFollow.account_id)
                                        .where(PlanningFollow.proposal_id.in_(rows))).all())
        assert {(p.id, p.author_id) for p in rows.values()} | set(supports) <= followers
    assert sum(p.support_count for p in _proposals(session, loaded.nanhu)) > 1000


def test_the_status_history_leads_step_by_step_to_each_status(loaded):
    session, now = loaded.session, clock.now()
    for project in (loaded.nanhu, loaded.beihuan):
        rows = {p.id: p for p in _proposals(session, project)}
        history = defaultdict(list)
        for change in session.execute(select(PlanningStatusChange).where(PlanningStatusChange.proposal_id.in_(rows))
                                      .order_by(PlanningStatusChange.changed_at)).scalars():
            history[change.proposal_id].append(change)
        for p in rows.values():
            steps, status = history[p.id], ProposalStatus.received
            times = [p.created_at] + [s.changed_at for s in steps] + [now]
            assert times == sorted(times), p.id
            for step in steps:
                assert step.from_status == status and rules.can_move(status, step.to_status), p.id
                assert bool(step.reason) == (step.to_status == ProposalStatus.declined or
                                             step.from_status == ProposalStatus.declined), p.id
                status = ProposalStatus(step.to_status)
            assert p.status == status, p.id
            assert p.status_reason == (steps[-1].reason if steps else "")
            if p.status == ProposalStatus.declined:
                assert p.status_reason in (*text.DECLINE_REASONS, text.BEIHUAN_DECLINED[1])
    nanhu = _proposals(session, loaded.nanhu)
    reconsidered = session.execute(select(func.count(func.distinct(PlanningStatusChange.proposal_id))).where(
        PlanningStatusChange.from_status == ProposalStatus.declined,
        PlanningStatusChange.proposal_id.in_([p.id for p in nanhu]))).scalar_one()
    assert reconsidered >= 1


def test_the_planners_notes_and_a_hidden_comment(loaded):
    session, project = loaded.session, loaded.nanhu
    notes = session.execute(select(PlanningAnnotation).where(PlanningAnnotation.project_id == project.id)).scalars().all()
    assert 8 <= len(notes) <= 12
    assert 2 <= sum(n.visibility == Visibility.internal for n in notes) <= 3
    assert {n.kind for n in notes} == set(GeometryKind)
    [hidden] = session.execute(select(PlanningComment).join(PlanningProposal).where(
        PlanningProposal.project_id == project.id, PlanningComment.hidden_at.is_not(None))).scalars().all()
    assert hidden.hidden_by in {g.account_id for g in _planner_grants(session, project.id)}


def _planner_grants(session: Session, project_id: int) -> list[RoleGrant]:
    return list(session.execute(select(RoleGrant).where(
        RoleGrant.role == Role.planner, RoleGrant.scope_type == ScopeType.planning_project,
        RoleGrant.scope_id == project_id)).scalars())


def test_planner_plans_both_and_staff_manage_their_community(loaded):
    session, now = loaded.session, clock.now()
    planner = _account(session, "planner@civic.test")
    held = set(session.execute(select(RoleGrant.scope_id).where(
        RoleGrant.account_id == planner.id, RoleGrant.role == Role.planner,
        RoleGrant.scope_type == ScopeType.planning_project)).scalars())
    assert held == {loaded.nanhu.id, loaded.beihuan.id}
    staff = _account(session, "staff@civic.test")
    beihuan_place = _place(session, loaded.beihuan)
    as_staff = Viewer(account_id=staff.id, staff_place_ids=frozenset({beihuan_place.id}))
    assert rules.STAFF in access.authorise(session, viewer=as_staff, action="set_status", project=loaded.beihuan,
                                           place=beihuan_place, now=now)


def test_the_pocket_park_is_open_for_owner_to_draw(loaded):
    session, project, now = loaded.session, loaded.beihuan, clock.now()
    assert rules.project_phase(project, now) == Phase.discovery
    assert project.proposals_opens_at - now > timedelta(days=14)
    rows = _proposals(session, project)
    assert 10 <= len(rows) <= 14 and {p.phase for p in rows} == {Phase.discovery}
    place = _place(session, project)
    owner = _account(session, "owner@civic.test")
    roles = access.authorise(session, viewer=Viewer(account_id=owner.id, person_id=owner.person_id),
                             action="propose", project=project, place=place, now=now)
    assert rules.RESIDENT in roles
    assert owner.id not in {p.author_id for p in rows}
    owner2 = _account(session, "owner2@civic.test")
    [mine] = [p for p in rows if p.author_id == owner2.id]
    assert mine.status == ProposalStatus.received
    access.authorise(session, viewer=Viewer(account_id=owner2.id, person_id=owner2.person_id), action="edit_proposal",
                     project=project, place=place, now=now, proposal=mine)


def test_a_second_load_creates_nothing(loaded):
    def counts() -> dict[str, int]:
        found = {t.__name__: loaded.session.execute(select(func.count()).select_from(t)).scalar_one() for t in TABLES}
        loaded.session.rollback()  # no read transaction left open while the loader writes
        return found

    before = counts()
    assert fixtures.load(loaded.engine, "demo", progress=False).startswith("Demo data is already loaded")
    assert counts() == before
