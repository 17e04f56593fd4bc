"""A planning project of 北环社区 in any phase, with the people around it: staff, a planner, residents
张伟 and 李娜 of 南苑村小区 (王芳 too), a signed-in stranger, staff of another community, the three
built-in categories and a boundary (a 1 km square around the compound, which sits at its centre), and NOW
placed inside the phase asked for. Committed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from sqlmodel import Session

from civic.auth.models import Role, ScopeType
from civic.places.rules import Viewer
from civic.planning import geo, rules
from civic.planning.models import (
    Phase,
    PlanningCategory,
    PlanningProject,
    PlanningProposal,
    ProjectStatus,
    ProposalStatus,
)
from tests.unit.places.builders import build_register

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
DAY = timedelta(days=1)
LOCALE = "en"
CENTRE = (114.3452, 30.5561)  # lon, lat: 北环社区
HALF = 0.005  # degrees: the boundary is CENTRE ± HALF (about 1 km × 1.1 km)
_ORDER = [Phase.upcoming, Phase.discovery, Phase.proposals, Phase.feedback, Phase.closed]


def square(lon: float, lat: float, half: float) -> dict:
    """A GeoJSON square polygon centred on (lon, lat), counter-clockwise."""
    return {"type": "Polygon", "coordinates": [[[lon - half, lat - half], [lon + half, lat - half],
                                                [lon + half, lat + half], [lon - half, lat + half],
                                                [lon - half, lat - half]]]}


BOUNDARY = square(*CENTRE, HALF)


def inside_point(dx: float = 0.0, dy: float = 0.0) -> dict:
    """A point `dx`, `dy` degrees from the centre (inside while both stay within ±HALF)."""
    return {"type": "Point", "coordinates": [CENTRE[0] + dx, CENTRE[1] + dy]}


def phase_dates(phase: Phase, now: datetime = NOW) -> dict[str, datetime]:
    """Dates that put `now` one day into `phase` (draft: as upcoming)."""
    index = _ORDER.index(Phase.upcoming if phase == Phase.draft else phase)
    start = now - DAY - timedelta(days=10) * (index - 1)  # discovery opens
    names = ["discovery_opens_at", "proposals_opens_at", "feedback_opens_at", "closes_at"]
    return {name: start + timedelta(days=10) * i for i, name in enumerate(names)}


def viewer_of(make_account, name: str, *, person=None, roles=()) -> Viewer:
    account = make_account(name, person_id=person.id if person else None, roles=list(roles), locale=LOCALE)
    staff = frozenset(scope_id for role, scope_type, scope_id in roles if role == Role.staff)
    return Viewer(account_id=account.id, person_id=person.id if person else None, staff_place_ids=staff)


def build_planning_world(session: Session, make_account, *, phase: Phase = Phase.discovery,
                         now: datetime = NOW) -> SimpleNamespace:
    """HTTP tests pass `now=clock.now()`: the routes read the real clock."""
    w = SimpleNamespace(now=now)
    w.r = r = build_register(session)
    boundary = geo.boundary_shape(json.dumps(BOUNDARY))
    w.project = PlanningProject(place_id=r.community.id, title="北环社区微更新", description="找一找社区的美与痛",
                                status=ProjectStatus.draft if phase == Phase.draft else ProjectStatus.published,
                                boundary=boundary.geojson, min_lon=boundary.min_lon, min_lat=boundary.min_lat,
                                max_lon=boundary.max_lon, max_lat=boundary.max_lat,
                                published_at=None if phase == Phase.draft else now - 30 * DAY,
                                **phase_dates(phase, now))
    session.add(w.project)
    session.flush()
    w.categories = {}
    for position, (key, colour) in enumerate(rules.DEFAULT_CATEGORIES):
        category = PlanningCategory(project_id=w.project.id, position=position, key=key, colour=colour)
        session.add(category)
        session.flush()
        w.categories[key.value] = category
    p = w.project.id
    w.staff = viewer_of(make_account, "社区工作人员", roles=[(Role.staff, ScopeType.place, r.community.id)])
    w.other_staff = viewer_of(make_account, "沙湖社区工作人员", roles=[(Role.staff, ScopeType.place, r.other_community.id)])
    w.planner = viewer_of(make_account, "社区规划师", roles=[(Role.planner, ScopeType.planning_project, p)])
    w.zhang = viewer_of(make_account, "张伟", person=r.zhang)  # resident of 南苑村小区 1栋 101
    w.li = viewer_of(make_account, "李娜", person=r.li)
    w.wang = viewer_of(make_account, "王芳", person=r.wang)
    w.stranger = viewer_of(make_account, "路人")
    w.anonymous = Viewer(account_id=None)
    session.commit()
    return w


def add_proposal(session: Session, w: SimpleNamespace, *, author: Viewer, title: str = "南门路灯太暗",
                 category: str = "pain", geometry: dict | None = None, status: str = ProposalStatus.received,
                 place_label: str = "南门外", phase: str = Phase.discovery, description: str = "") -> PlanningProposal:
    """A proposal written directly (set-up for tests), after the same geometry checks as the service."""
    shape = geo.proposal_shape(json.dumps(geometry or inside_point()), boundary=geo.boundary_of(w.project))
    proposal = PlanningProposal(project_id=w.project.id, author_id=author.account_id,
                                category_id=w.categories[category].id, title=title, description=description,
                                place_label=place_label, phase=phase, status=status, **shape.columns())
    session.add(proposal)
    session.commit()
    return proposal
