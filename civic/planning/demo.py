"""Demo planning projects (`civic fixtures load demo`), from the seed's Nanhu street: community planners help
residents find "the beauty and the pain" of their community and turn it into micro-renewal.

- 松涛社区微更新 · 寻找社区的美与痛 (南湖街), in design feedback now: about 250 places, routes and areas marked by
  the residents of 张家湾小区 during discovery and proposals, in every status (each step in the history, each
  declined one with its reason), supported and discussed; five design themes; the planners' notes;
- 北环社区口袋公园共建 (水果湖街), in discovery now: a dozen proposals; 王秀英 (owner@) can add hers, 刘建国
  (owner2@) can still change his.

林静 (planner@) is a planner of both. Every shape is drawn from a seeded random.Random inside the project's
boundary and checked by `geo` as a resident's would be; the rows are written with bulk inserts (no audit
events or notifications: nobody was there to be told), so the demo loads in well under a second.
"""

from __future__ import annotations

import itertools
import json
import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select
from sqlmodel import Session

from civic.auth.models import Account, Role, RoleGrant, ScopeType
from civic.places.demo import resident_accounts
from civic.places.models import Place, PlaceKind
from civic.places.service import REGISTER_TZ
from civic.planning import demo_shapes as shapes
from civic.planning import demo_text as text
from civic.planning import geo, rules
from civic.planning.models import (
    CategoryKey,
    PlanningAnnotation,
    PlanningCategory,
    PlanningComment,
    PlanningFollow,
    PlanningProject,
    PlanningProposal,
    PlanningStatusChange,
    PlanningSupport,
    PlanningTheme,
    ProjectStatus,
    ProposalStatus,
)

S = ProposalStatus
WAY = (S.received, S.under_review, S.in_plan, S.in_design, S.built)
# How many Nanhu proposals end in each status (a deck, shuffled): most are still being looked at.
NANHU_STATUSES = {S.received: 50, S.under_review: 50, S.in_plan: 45, S.in_design: 35, S.built: 22, S.declined: 30}
PLANNER_EMAIL = "planner@civic.test"


def _day(now: datetime, days: int, hour: int = 0) -> datetime:
    """`hour` o'clock in Wuhan, `days` days from today (phase boundaries fall on the hour)."""
    today = now.astimezone(REGISTER_TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    return (today + timedelta(days=days, hours=hour)).astimezone(UTC)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + (end - start) * rng.random()


def load_planning(session: Session, *, now: datetime, seed: int = 87) -> int:
    """Create the demo planning projects that do not exist yet; returns how many were created."""
    have = set(session.execute(select(PlanningProject.title)).scalars())
    created = 0
    if text.NANHU_TITLE not in have:
        _nanhu(session, now, random.Random(seed))  # the seed's 87 community planners
        created += 1
    if text.BEIHUAN_TITLE not in have:
        _beihuan(session, now, random.Random(seed + 1))
        created += 1
    return created


# ---- people and places -----------------------------------------------------------------------------------

def _account_id(session: Session, email: str) -> int | None:
    return session.execute(select(Account.id).where(Account.email == email)).scalar()


def _planners(session: Session, created: datetime) -> list[int]:
    """planner@ (if the demo account still exists) and a planner from the university who cannot sign in."""
    email, name = text.SECOND_PLANNER
    if _account_id(session, email) is None:
        session.execute(insert(Account.__table__), [{"email": email, "display_name": name, "is_active": True,
                                                     "locale": "zh-Hans", "created_at": created}])
    return [a for a in (_account_id(session, PLANNER_EMAIL), _account_id(session, email)) if a]


def _residents(session: Session, place: Place, on: date, created: datetime) -> list[int]:
    """Account ids of the residents of `place` (see `places.demo.resident_accounts`)."""
    return [account_id for account_id, _person in resident_accounts(session, place, on, created)]


def _register_points(session: Session, place: Place) -> dict[str, tuple[float, float]]:
    """The compounds' and buildings' points under `place`, by name ("张家湾小区", "张家湾小区 3栋")."""
    rows = session.execute(select(Place.id, Place.kind, Place.name, Place.parent_id, Place.geojson).where(
        Place.path.startswith(place.path), Place.kind.in_([PlaceKind.compound, PlaceKind.building]))).all()
    names = {i: name for i, kind, name, _p, _g in rows if kind == PlaceKind.compound}
    return {(name if kind == PlaceKind.compound else f"{names[parent]} {name}"): tuple(json.loads(g)["coordinates"])
            for _i, kind, name, parent, g in rows if g}


# ---- projects ----------------------------------------------------------------------------------------------

def _project(session: Session, *, title: str, description: str, place: Place, boundary: geo.Shape,
             dates: dict[str, datetime], planners: list[int], custom: str | None = None) -> PlanningProject:
    """The project as its planners set it up and published it, with its categories and planners."""
    created = dates["discovery_opens_at"] - timedelta(days=21)
    project = PlanningProject(place_id=place.id, title=title, description=description,
                              status=ProjectStatus.published, boundary=boundary.geojson, min_lon=boundary.min_lon,
                              min_lat=boundary.min_lat, max_lon=boundary.max_lon, max_lat=boundary.max_lat,
                              base_layers=rules.layers_text(["tiles", "compounds", "buildings"]),
                              created_by=planners[0] if planners else None, created_at=created,
                              published_at=dates["discovery_opens_at"] - timedelta(days=7), **dates)
    session.add(project)
    session.flush()
    categories = [PlanningCategory(project_id=project.id, position=n, key=key, colour=colour)
                  for n, (key, colour) in enumerate(rules.DEFAULT_CATEGORIES)]
    if custom:
        categories.append(PlanningCategory(project_id=project.id, position=len(categories), key=CategoryKey.custom,
                                           label=custom, colour=rules.CATEGORY_COLOURS[3]))
    session.add_all(categories)
    have = set(session.execute(select(RoleGrant.account_id).where(
        RoleGrant.role == Role.planner, RoleGrant.scope_type == ScopeType.planning_project,
        RoleGrant.scope_id == project.id)).scalars())
    session.add_all([RoleGrant(account_id=a, role=Role.planner, scope_type=ScopeType.planning_project,
                               scope_id=project.id, created_at=created) for a in planners if a not in have])
    session.flush()
    return project


def _history(rng: random.Random, status: S, start: datetime, end: datetime, reason: str,
             reconsidered: bool) -> list[tuple[S, S, datetime, str]]:
    """The steps that took a proposal from received to `status`, spread between `start` and `end`: along
    the way (declined from somewhere on it, with the reason; reconsidered ones declined and taken back)."""
    if status == S.declined:
        steps = [*WAY[:rng.choice((1, 1, 2, 2, 3))], S.declined]
    elif reconsidered:
        steps = [S.received, S.under_review, S.declined, *WAY[1:WAY.index(status) + 1]]
    else:
        steps = list(WAY[:WAY.index(status) + 1])
    gaps = [rng.uniform(1, 4) for _ in steps[1:]]
    scale = (end - start) / (sum(gaps) + rng.uniform(0.5, 3))
    at, out = start, []
    for (old, new), gap in zip(zip(steps, steps[1:], strict=False), gaps, strict=True):
        at += scale * gap
        why = reason if new == S.declined else text.RECONSIDERED if old == S.declined else ""
        out.append((old, new, at, why))
    return out


class _Rows:
    """The rows of one project's proposals, gathered and written together."""

    def __init__(self, project: PlanningProject):
        self.project = project
        self.proposals, self.extras = [], []  # extras: (supporters, comments, history, followers) per proposal

    def add(self, *, author: int, category: int, theme: int | None, title: str, description: str, place_label: str,
            shape: geo.Shape, created: datetime, history: list, supporters: list, comments: list) -> None:
        phase = rules.project_phase(self.project, created)
        last = history[-1] if history else (None, S.received, created, "")
        self.proposals.append({
            "project_id": self.project.id, "author_id": author, "category_id": category, "theme_id": theme,
            "title": title, "description": description, "place_label": place_label, "phase": phase.value,
            "status": last[1].value, "status_reason": last[3],
            "support_count": len(supporters), "comment_count": len(comments), "created_at": created,
            "updated_at": last[2], **shape.columns()})
        self.extras.append((supporters, comments, history, author))

    def write(self, session: Session, planner: int) -> list[int]:
        table = PlanningProposal.__table__
        ids = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True),
                              self.proposals).scalars().all()
        supports, comments, changes, follows = [], [], [], []
        for proposal_id, (supporters, said, history, author) in zip(ids, self.extras, strict=True):
            supports += [{"proposal_id": proposal_id, "account_id": a, "created_at": at} for a, at in supporters]
            comments += [{"proposal_id": proposal_id, "author_id": a, "body": body, "created_at": at}
                         for a, body, at in said]
            changes += [{"proposal_id": proposal_id, "from_status": old.value, "to_status": new.value, "reason": why,
                         "changed_by": planner, "changed_at": at} for old, new, at, why in history]
            # Who is told when it moves: its author, supporters and commenters.
            followers = {author} | {a for a, _at in supporters} | {a for a, _b, _at in said}
            follows += [{"proposal_id": proposal_id, "account_id": a} for a in sorted(followers)]
        for model, rows in ((PlanningSupport, supports), (PlanningComment, comments),
                            (PlanningStatusChange, changes), (PlanningFollow, follows)):
            if rows:
                session.execute(insert(model.__table__), rows)
        return ids


def _talk(rng: random.Random, residents: list[int], author: int, created: datetime, until: datetime,
          count: int, planners: list[int], moved: bool) -> tuple[list, list]:
    """Supporters (each once, never the author) and comments, in time order; a planner answers one that moved."""
    others = [r for r in residents if r != author]
    supporters = sorted(((a, _between(rng, created, until)) for a in rng.sample(others, min(count, len(others)))),
                        key=lambda s: s[1])
    comments = [(rng.choice(others), rng.choice(text.COMMENTS), _between(rng, created, until))
                for _ in range(rng.choice((0, 0, 0, 1, 1, 2, 3)))]
    if moved and planners and rng.random() < 0.5:
        comments.append((rng.choice(planners), rng.choice(text.PLANNER_REPLIES), _between(rng, created, until)))
    return supporters, sorted(comments, key=lambda c: c[2])


def _nanhu(session: Session, now: datetime, rng: random.Random) -> None:
    """松涛社区's project, in design feedback: discovery opened 96 days ago, proposals 54, feedback 12."""
    place = session.execute(select(Place).where(Place.name == "松涛社区")).scalar_one()
    dates = {"discovery_opens_at": _day(now, -96, 9), "proposals_opens_at": _day(now, -54, 9),
             "feedback_opens_at": _day(now, -12, 9), "closes_at": _day(now, 40, 18)}
    points = _register_points(session, place)
    boundary = shapes.boundary_around(rng, [*points.values(), tuple(json.loads(place.geojson)["coordinates"])])
    planners = _planners(session, dates["discovery_opens_at"] - timedelta(days=30))
    project = _project(session, title=text.NANHU_TITLE, description=text.NANHU_TEXT, place=place, boundary=boundary,
                       dates=dates, planners=planners, custom=text.CUSTOM_CATEGORY)
    area = geo.boundary_of(project)
    categories = dict(session.execute(select(PlanningCategory.key, PlanningCategory.id)
                                      .where(PlanningCategory.project_id == project.id)).all())
    session.add_all([PlanningTheme(project_id=project.id, position=n, name=name, description=about)
                     for n, (name, about) in enumerate(text.THEMES)])
    session.flush()
    themes = dict(session.execute(select(PlanningTheme.name, PlanningTheme.id)
                                  .where(PlanningTheme.project_id == project.id)).all())
    residents = _residents(session, place, dates["discovery_opens_at"].astimezone(REGISTER_TZ).date(),
                           dates["discovery_opens_at"] - timedelta(days=1))
    anchors = {label: shapes.anywhere(rng, boundary, area, south=kind.startswith("lake"))
               for kind, labels in text.PLACES.items() for label in labels}
    buildings = sorted(name.split(" ")[1] for name in points if name.startswith(text.NANHU_COMPOUND + " ")
                       and name.endswith("栋"))  # not its garage
    anchors.update({text.NANHU_COMPOUND + b: points[f"{text.NANHU_COMPOUND} {b}"] for b in buildings})
    where = shapes.SiteMap(rng, area, anchors)
    # Lines and areas are used four times, points three: about a quarter lines and a fifth areas.
    deck = [t for t in text.PROPOSALS for _ in range(3 if t[1] == "point" else 4)]
    rng.shuffle(deck)
    statuses = [s for s, n in NANHU_STATUSES.items() for _ in range(n)]
    statuses += [S.received] * (len(deck) - len(statuses))
    rng.shuffle(statuses)
    active = [r for r in residents for _ in range(rng.choice((1, 1, 1, 2, 3, 6)))]  # some mark many places
    reasons = itertools.cycle(text.DECLINE_REASONS)
    rows = _Rows(project)
    feedback_until = min(now - timedelta(hours=1), dates["closes_at"])
    for n, ((key, kind, title, about, kind_of_place, theme), status) in enumerate(zip(deck, statuses, strict=True)):
        # The beauty and the pain in discovery; ideas mostly once proposals open.
        early = key in ("beauty", "pain") and rng.random() < 0.85 or rng.random() < 0.2
        opens, closes = ((dates["discovery_opens_at"], dates["proposals_opens_at"]) if early
                         else (dates["proposals_opens_at"], dates["feedback_opens_at"]))
        created = _between(rng, opens + timedelta(hours=1), closes - timedelta(hours=1))
        if kind_of_place == "building":
            number = rng.choice(buildings)
            label, title = text.NANHU_COMPOUND + number, number + title
        else:
            label = rng.choice(text.PLACES[kind_of_place])
        shape = where.draw(kind, label, spread=6 if kind_of_place == "building" else 10)
        description = about.format(where=label)
        aside = rng.choice(text.ASIDES)
        description += aside if n % 3 else ""
        reconsidered = status in (S.under_review, S.in_plan) and rng.random() < 0.06  # declined, then taken back
        reason = next(reasons) if status == S.declined or reconsidered else ""
        history = _history(rng, status, created + timedelta(days=1), feedback_until, reason, reconsidered)
        moved = status != S.received
        count = int(rng.expovariate(1 / 7)) + (WAY.index(status) * rng.randint(2, 6) if status in WAY else 0)
        author = rng.choice(active)
        supporters, comments = _talk(rng, residents, author, created, feedback_until, count, planners, moved)
        rows.add(author=author, category=categories[key if key != "custom" else CategoryKey.custom],
                 theme=themes[theme] if theme and status in (S.under_review, S.in_plan, S.in_design, S.built)
                 else None, title=title, description=description, place_label=label, shape=shape, created=created,
                 history=history, supporters=supporters, comments=comments)
    ids = rows.write(session, planners[0])
    popular = max(zip(ids, rows.proposals, strict=True), key=lambda pair: pair[1]["support_count"])[0]
    _hidden_comment(session, rng, popular, residents, planners[0], feedback_until)
    _annotations(session, rng, project, where, [text.NANHU_COMPOUND + b for b in buildings], planners, dates)


def _hidden_comment(session: Session, rng: random.Random, proposal_id: int, residents: list[int], planner: int,
                    until: datetime) -> None:
    """A resident's advert under the most supported proposal, hidden by a planner an hour later (so not
    counted)."""
    author = rng.choice(residents)
    at = until - timedelta(days=rng.uniform(2, 9))
    session.execute(insert(PlanningComment.__table__), [{
        "proposal_id": proposal_id, "author_id": author, "body": text.ADVERT, "created_at": at,
        "hidden_at": at + timedelta(hours=1), "hidden_by": planner}])
    if session.execute(select(PlanningFollow.id).where(PlanningFollow.proposal_id == proposal_id,
                                                       PlanningFollow.account_id == author)).first() is None:
        session.execute(insert(PlanningFollow.__table__), [{"proposal_id": proposal_id, "account_id": author}])


def _annotations(session: Session, rng: random.Random, project: PlanningProject, where: shapes.SiteMap,
                 buildings: list[str], planners: list[int], dates: dict[str, datetime]) -> None:
    """The planners' notes on the residents' places (a whole street, a whole plot), mostly written while
    preparing the design feedback."""
    plots = iter(rng.sample(text.PLACES["area"], 3))
    rows = []
    for title, body, kind, kind_of_place, visibility in text.ANNOTATIONS:
        label = (rng.choice(buildings) if kind_of_place == "building" else next(plots) if kind_of_place == "area"
                 else rng.choice(text.PLACES[kind_of_place]))
        at = _between(rng, dates["proposals_opens_at"], dates["feedback_opens_at"] + timedelta(days=5))
        rows.append({"project_id": project.id, "author_id": rng.choice(planners), "title": title, "body": body,
                     "visibility": visibility, "created_at": at,
                     **where.draw(kind, label, spread=4, whole=True).columns()})
    session.execute(insert(PlanningAnnotation.__table__), rows)


def _beihuan(session: Session, now: datetime, rng: random.Random) -> None:
    """北环社区's pocket park, in discovery since nine days ago: a dozen proposals so far."""
    place = session.execute(select(Place).where(Place.name == "北环社区")).scalar_one()
    dates = {"discovery_opens_at": _day(now, -9, 9), "proposals_opens_at": _day(now, 21, 9),
             "feedback_opens_at": _day(now, 50, 9), "closes_at": _day(now, 80, 18)}
    points = _register_points(session, place)
    boundary = shapes.boundary_around(rng, [*points.values(), tuple(json.loads(place.geojson)["coordinates"])])
    planners = _planners(session, dates["discovery_opens_at"] - timedelta(days=30))[:1]
    project = _project(session, title=text.BEIHUAN_TITLE, description=text.BEIHUAN_TEXT, place=place,
                       boundary=boundary, dates=dates, planners=planners)
    area = geo.boundary_of(project)
    categories = dict(session.execute(select(PlanningCategory.key, PlanningCategory.id)
                                      .where(PlanningCategory.project_id == project.id)).all())
    residents = _residents(session, place, dates["discovery_opens_at"].astimezone(REGISTER_TZ).date(),
                           dates["discovery_opens_at"])
    owner, owner2 = _account_id(session, "owner@civic.test"), _account_id(session, "owner2@civic.test")
    pool = [r for r in residents if r not in (owner, owner2)]
    # Between the two compounds: the empty ground the project is about.
    cx = (points["南苑村小区"][0] + points["北环路小区"][0]) / 2
    cy = (points["南苑村小区"][1] + points["北环路小区"][1]) / 2
    where = shapes.SiteMap(rng, area, {label: (cx + dx, cy + dy) for label, (dx, dy) in text.BEIHUAN_PLACES.items()})
    rows = _Rows(project)
    until = now - timedelta(hours=1)
    for title, key, kind, label, about in text.BEIHUAN_PROPOSALS:
        shape = where.draw(kind, label, spread=15)
        author = owner2 if title == text.OWNER2_PROPOSAL and owner2 in residents else rng.choice(pool)
        created = _between(rng, dates["discovery_opens_at"] + timedelta(hours=1), now - timedelta(days=1))
        status = (S.declined if title == text.BEIHUAN_DECLINED[0] else
                  S.under_review if title in text.BEIHUAN_REVIEWED else S.received)
        history = _history(rng, status, created + timedelta(hours=6), until, text.BEIHUAN_DECLINED[1], False)
        supporters, comments = _talk(rng, pool, author, created, until, rng.randint(0, 18), planners,
                                     status != S.received)
        rows.add(author=author, category=categories[key], theme=None, title=title, description=about,
                 place_label=label, shape=shape, created=created, history=history, supporters=supporters,
                 comments=comments)
    rows.write(session, planners[0])
