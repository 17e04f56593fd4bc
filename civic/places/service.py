"""Register use cases: (session, *, keyword args) -> result; raise domain errors."""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import and_, false, func, or_, select, true
from sqlalchemy.orm import aliased
from sqlmodel import Session

from civic import clock
from civic.errors import NotFound, PermissionDenied
from civic.i18n import N_
from civic.pagination import Page, paginate
from civic.places import rules
from civic.places.models import (
    Grid,
    Household,
    LinkKind,
    LinkRequest,
    Person,
    PersonKind,
    Place,
    PlaceKind,
    Unit,
    UnitLink,
)
from civic.places.rules import Viewer

REGISTER_TZ = ZoneInfo("Asia/Shanghai")  # the register's days are Wuhan days, whatever the server's zone


def register_today() -> date:
    """Today in Wuhan: the day owner links start and end on."""
    return clock.now().astimezone(REGISTER_TZ).date()


@dataclass(frozen=True)
class UnitSummary:
    unit_id: int
    label: str
    place_path: str
    area_dm2: int
    link_kind: str


@dataclass(frozen=True)
class HomeOverview:
    units: list[UnitSummary]
    open_items: list = field(default_factory=list)


def place_labels(session: Session, paths: set[str]) -> dict[int, str]:
    """Names of every place on the given materialised paths, in one query."""
    ids = {int(part) for path in paths for part in path.strip("/").split("/") if part}
    if not ids:
        return {}
    return dict(session.execute(select(Place.id, Place.name).where(Place.id.in_(ids))).all())


def home_overview(session: Session, *, person_id: int | None, today: date | None = None) -> HomeOverview:
    """The signed-in person's current homes, for the home page (two queries)."""
    if person_id is None:
        return HomeOverview(units=[])
    today = today or register_today()  # Wuhan's day, like the links it reads (not the server's zone)
    rows = session.execute(
        select(Unit, Place, UnitLink.kind)
        .join(UnitLink, UnitLink.unit_id == Unit.id)
        .join(Place, Place.id == Unit.building_id)
        .where(UnitLink.person_id == person_id, current_link(today))
        .order_by(Unit.id)
    ).all()
    names = place_labels(session, {place.path for _u, place, _k in rows})
    units = []
    for unit, building, kind in rows:
        ancestors = [names.get(int(p), "") for p in building.path.strip("/").split("/")[2:] if p]
        units.append(UnitSummary(unit.id, f"{building.name} {unit.number}", " › ".join(ancestors),
                                 unit.area_dm2, kind))
    return HomeOverview(units=units)


def current_link(on: date):
    """A link that holds on `on`: `since` inclusive, `until` exclusive (the first day it no longer holds),
    so when a unit is sold the old owner's `until` and the new owner's `since` can be the same day."""
    return and_(UnitLink.since <= on, or_(UnitLink.until.is_(None), UnitLink.until > on))


def trail(names: dict[int, str], path: str) -> str:
    """"武昌区 › 水果湖街 › 北环社区": the whole path named, from `place_labels`' names."""
    return " › ".join(names.get(i, "") for i in rules.path_ids(path))


def in_scope(viewer: Viewer, path_column):
    """SQL for "the viewer may manage this path": any staff place id appears as a segment of it."""
    if viewer.admin:
        return true()
    if not viewer.staff_place_ids:
        return false()
    return or_(*[path_column.contains(f"/{pid}/") for pid in sorted(viewer.staff_place_ids)])


def natural_key(text: str) -> list:
    """Sort "2栋" before "10栋"."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def owner_roll(session: Session, *, place_id: int, on: date, uses: Collection[str] | None = None) -> rules.Roll:
    """The Art. 278 voter keys of every unit under a place on a day, from current owner links (two queries)."""
    place = session.get(Place, place_id)
    if place is None:
        raise NotFound(N_("There is no such place."))
    owners = and_(UnitLink.unit_id == Unit.id, UnitLink.kind == LinkKind.owner, current_link(on))
    stmt = (select(Unit.id, Unit.area_dm2, UnitLink.person_id, UnitLink.is_representative, Person.kind)
            .join(Place, Place.id == Unit.building_id)
            .outerjoin(UnitLink, owners).outerjoin(Person, Person.id == UnitLink.person_id)
            .where(Place.path.startswith(place.path)))
    if uses is not None:
        stmt = stmt.where(Unit.use.in_(list(uses)))
    area: dict[int, int] = {}
    owner_ids: dict[int, set[int]] = defaultdict(set)
    representative: dict[int, int] = {}
    developer: set[int] = set()
    # Plain tuples, not ORM objects: a district roll is tens of thousands of rows.
    for unit_id, area_dm2, person_id, is_rep, kind in session.execute(stmt):
        area[unit_id] = area_dm2
        if person_id is not None:
            owner_ids[unit_id].add(person_id)
            if is_rep:
                representative[unit_id] = person_id
            if kind == "developer":
                developer.add(unit_id)
    return rules.voter_keys(
        rules.UnitOwnership(unit_id=u, area_dm2=a, owner_ids=frozenset(owner_ids.get(u, ())),
                            representative_id=representative.get(u), developer=u in developer)
        for u, a in area.items()
    )


# ---- staff pages -------------------------------------------------------------------------------

@dataclass(frozen=True)
class PlaceRow:
    id: int
    kind: str
    name: str
    units: int
    area_dm2: int


@dataclass(frozen=True)
class RegisterIndex:
    places: list[PlaceRow]
    pending_requests: int


@dataclass(frozen=True)
class PlacePage:
    place: Place
    trail: list[tuple[int, str]]
    units: int
    area_dm2: int
    children: Page  # of PlaceRow, or of UnitRow when the place is a building


@dataclass(frozen=True)
class UnitRow:
    id: int
    number: str
    floor: int | None
    area_dm2: int
    use: str
    building: str
    compound: str
    owners: tuple[str, ...] = ()


def _place_rows(where, *, order=None):
    """Places with the number and area of the units under them (one grouped query)."""
    p, b = aliased(Place), aliased(Place)
    return (select(p.id, p.kind, p.name, func.count(Unit.id), func.coalesce(func.sum(Unit.area_dm2), 0))
            .select_from(p).outerjoin(b, b.path.startswith(p.path)).outerjoin(Unit, Unit.building_id == b.id)
            .where(where(p)).group_by(p.id, p.kind, p.name).order_by(*(order(p) if order else (p.name, p.id))))


def register_index(session: Session, *, viewer: Viewer) -> RegisterIndex:
    """The places the viewer is staff of (the districts for administrators) and their pending requests."""
    if not viewer.is_staff:
        raise PermissionDenied(N_("Only community staff and administrators can open the register."))
    ids = sorted(viewer.staff_place_ids)
    where = (lambda p: p.kind == PlaceKind.district) if viewer.admin else (lambda p: p.id.in_(ids))
    places = [PlaceRow(*row) for row in session.execute(_place_rows(where))]
    pending = session.execute(
        select(func.count(LinkRequest.id)).join(Unit, Unit.id == LinkRequest.unit_id)
        .join(Place, Place.id == Unit.building_id)
        .where(LinkRequest.status == "pending", in_scope(viewer, Place.path))
    ).scalar_one()
    return RegisterIndex(places=places, pending_requests=pending)


def _managed_place(session: Session, viewer: Viewer, place_id: int) -> Place:
    place = session.get(Place, place_id)
    if place is None:
        raise NotFound(N_("There is no such place."))
    if not rules.can_manage(viewer, place.path):
        raise PermissionDenied(N_("Only staff of this place can see its register."))
    return place


def place_page(session: Session, *, viewer: Viewer, place_id: int, page: int, size: int = 50) -> PlacePage:
    """A place with its totals and one page of its children (units, for a building): five queries."""
    place = _managed_place(session, viewer, place_id)
    names = place_labels(session, {place.path})
    trail = [(pid, names.get(pid, "")) for pid in rules.path_ids(place.path)]
    units, area = session.execute(
        select(func.count(Unit.id), func.coalesce(func.sum(Unit.area_dm2), 0))
        .join(Place, Place.id == Unit.building_id).where(Place.path.startswith(place.path))
    ).one()
    if place.kind == PlaceKind.building:
        stmt = (select(Unit.id, Unit.number, Unit.floor, Unit.area_dm2, Unit.use)
                .where(Unit.building_id == place.id).order_by(Unit.floor, Unit.number, Unit.id))
        found = paginate(session, stmt, number=page, size=size, scalars=False)
        compound = trail[-2][1] if len(trail) > 1 else ""
        children = dataclasses.replace(found, items=[UnitRow(*row, building=place.name, compound=compound)
                                                     for row in found.items])
    else:
        found = paginate(session, _place_rows(lambda p: p.parent_id == place.id),
                         number=page, size=size, scalars=False)
        children = dataclasses.replace(found, items=[PlaceRow(*row) for row in found.items])
    return PlacePage(place=place, trail=trail, units=units, area_dm2=area, children=children)


def search_units(session: Session, *, viewer: Viewer, compound: str = "", building: str = "", number: str = "",
                 owner: str = "", within: int | None = None, page: int = 1, size: int = 50,
                 today: date | None = None) -> Page:
    """Units the viewer manages, filtered by compound, building, unit number and owner name (four queries)."""
    if not viewer.is_staff:
        raise PermissionDenied(N_("Only community staff and administrators can search the register."))
    today = today or register_today()
    b, c = aliased(Place), aliased(Place)
    stmt = (select(Unit.id, Unit.number, Unit.floor, Unit.area_dm2, Unit.use, b.name, c.name)
            .join(b, b.id == Unit.building_id).join(c, c.id == b.parent_id).where(in_scope(viewer, b.path)))
    if within is not None:
        stmt = stmt.where(b.path.startswith(_managed_place(session, viewer, within).path))
    if compound:
        stmt = stmt.where(c.name.contains(compound, autoescape=True))
    if building:
        stmt = stmt.where(b.name.contains(building, autoescape=True))
    if number:
        stmt = stmt.where(Unit.number.contains(number, autoescape=True))
    if owner:
        stmt = stmt.where(Unit.id.in_(
            select(UnitLink.unit_id).join(Person, Person.id == UnitLink.person_id)
            .where(UnitLink.kind == LinkKind.owner, current_link(today), Person.name.contains(owner, autoescape=True))))
    query = {"compound": compound, "building": building, "number": number, "owner": owner, "within": within}
    found = paginate(session, stmt.order_by(c.name, b.name, Unit.floor, Unit.number, Unit.id),
                     number=page, size=size, query=query, scalars=False)
    names: dict[int, list[str]] = defaultdict(list)
    if found.items:
        for unit_id, name in session.execute(
            select(UnitLink.unit_id, Person.name).join(Person, Person.id == UnitLink.person_id)
            .where(UnitLink.unit_id.in_([row[0] for row in found.items]), UnitLink.kind == LinkKind.owner,
                   current_link(today)).order_by(UnitLink.unit_id, Person.name)
        ):
            names[unit_id].append(name)
    return dataclasses.replace(found, items=[UnitRow(*row, owners=tuple(names[row[0]])) for row in found.items])


@dataclass(frozen=True)
class LinkRow:
    person_id: int
    name: str
    phone: str | None
    kind: str
    since: date
    until: date | None
    is_representative: bool
    current: bool


@dataclass(frozen=True)
class HouseholdRow:
    id: int
    label: str
    grid: str | None
    members: tuple[str, ...]


@dataclass(frozen=True)
class UnitDetail:
    unit: Unit
    building: Place
    trail: list[tuple[int, str]]
    links: list[LinkRow]
    households: list[HouseholdRow]

    def of_kind(self, kind: str) -> list[LinkRow]:
        return [link for link in self.links if link.kind == kind]


def unit_page(session: Session, *, viewer: Viewer, unit_id: int, today: date | None = None) -> UnitDetail:
    """A unit with its area, owners and tenants (past and present), households and grid: five queries."""
    today = today or register_today()
    row = session.execute(select(Unit, Place).join(Place, Place.id == Unit.building_id)
                          .where(Unit.id == unit_id)).first()
    if row is None:
        raise NotFound(N_("There is no such unit."))
    unit, building = row
    if not rules.can_manage(viewer, building.path):
        raise PermissionDenied(N_("Only staff of this place can see its register."))
    names = place_labels(session, {building.path})
    links = [
        LinkRow(pid, name, phone, kind, since, until, rep, since <= today and (until is None or until > today))
        for pid, name, phone, kind, since, until, rep in session.execute(
            select(Person.id, Person.name, Person.phone, UnitLink.kind, UnitLink.since, UnitLink.until,
                   UnitLink.is_representative).join(Person, Person.id == UnitLink.person_id)
            .where(UnitLink.unit_id == unit.id).order_by(UnitLink.kind, UnitLink.since.desc(), Person.name))
    ]
    households = session.execute(select(Household.id, Household.label, Grid.name)
                                 .outerjoin(Grid, Grid.id == Household.grid_id)
                                 .where(Household.unit_id == unit.id).order_by(Household.id)).all()
    members: dict[int, list[str]] = defaultdict(list)
    if households:
        for hid, name in session.execute(select(Person.household_id, Person.name)
                                         .where(Person.household_id.in_([h[0] for h in households]))
                                         .order_by(Person.name)):
            members[hid].append(name)
    return UnitDetail(unit=unit, building=building,
                      trail=[(pid, names.get(pid, "")) for pid in rules.path_ids(building.path)], links=links,
                      households=[HouseholdRow(h, label, grid, tuple(members[h])) for h, label, grid in households])


def resident_roll(session: Session, *, place_id: int, on: date) -> rules.Roll:
    """Residents' matters (Organic Law Arts. 9, 15): one head per adult tied to a unit under the place
    on `on` (owner, tenant or resident), no area weighting. People born in an unknown year count."""
    place = session.get(Place, place_id)
    if place is None:
        raise NotFound(N_("There is no such place."))
    rows = session.execute(
        select(UnitLink.person_id, func.min(UnitLink.unit_id))
        .join(Unit, Unit.id == UnitLink.unit_id).join(Place, Place.id == Unit.building_id)
        .join(Person, Person.id == UnitLink.person_id)
        .where(Place.path.startswith(place.path), current_link(on), Person.kind == PersonKind.natural,
               or_(Person.birth_year.is_(None), Person.birth_year <= on.year - 18))
        .group_by(UnitLink.person_id)
    ).all()
    keys = tuple(rules.VoterKey(key=f"person:{pid}", representative_id=pid, unit_ids=(unit_id,), area_dm2=0,
                                owner_ids=(pid,)) for pid, unit_id in sorted(rows))
    return rules.Roll(keys=keys)
