"""A small register built with the ORM for tests: two communities, each with a compound and buildings."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from sqlmodel import Session

from civic.places.models import Person, PersonKind, Place, PlaceKind, Unit, UnitLink


def add_place(session: Session, kind: str, name: str, parent: Place | None = None) -> Place:
    place = Place(kind=kind, name=name, code=f"t-{kind}-{name}-{parent.id if parent else 0}",
                  parent_id=parent.id if parent else None)
    session.add(place)
    session.flush()
    place.path = f"{parent.path if parent else '/'}{place.id}/"
    session.flush()
    return place


def add_unit(session: Session, building: Place, number: str, area_dm2: int = 8950, **fields) -> Unit:
    unit = Unit(building_id=building.id, number=number, area_dm2=area_dm2, **fields)
    session.add(unit)
    session.flush()
    return unit


def add_person(session: Session, name: str, kind: str = PersonKind.natural, **fields) -> Person:
    person = Person(name=name, kind=kind, **fields)
    session.add(person)
    session.flush()
    return person


def link(session: Session, unit: Unit, person: Person, kind: str = "owner", *, since: date = date(2020, 1, 1),
         until: date | None = None, rep: bool = False) -> UnitLink:
    tie = UnitLink(unit_id=unit.id, person_id=person.id, kind=kind, since=since, until=until, is_representative=rep)
    session.add(tie)
    session.flush()
    return tie


def build_register(session: Session) -> SimpleNamespace:
    """武昌区 › 水果湖街 › 北环社区 › 南苑村小区 › 1栋, 2栋; 积玉桥街 › 沙湖社区 › 沙湖苑小区 › 1栋. Committed."""
    r = SimpleNamespace()
    r.district = add_place(session, PlaceKind.district, "武昌区")
    r.street = add_place(session, PlaceKind.street, "水果湖街", r.district)
    r.community = add_place(session, PlaceKind.community, "北环社区", r.street)
    r.compound = add_place(session, PlaceKind.compound, "南苑村小区", r.community)
    r.building = add_place(session, PlaceKind.building, "1栋", r.compound)
    r.building2 = add_place(session, PlaceKind.building, "2栋", r.compound)
    r.other_street = add_place(session, PlaceKind.street, "积玉桥街", r.district)
    r.other_community = add_place(session, PlaceKind.community, "沙湖社区", r.other_street)
    r.other_compound = add_place(session, PlaceKind.compound, "沙湖苑小区", r.other_community)
    r.other_building = add_place(session, PlaceKind.building, "1栋", r.other_compound)
    r.u101 = add_unit(session, r.building, "101", 8950, floor=1)
    r.u102 = add_unit(session, r.building, "102", 12000, floor=1)
    r.u201 = add_unit(session, r.building2, "201", 6000, floor=2)
    r.far = add_unit(session, r.other_building, "101", 7000, floor=1)
    r.zhang = add_person(session, "张伟", phone="13900000001")
    r.li = add_person(session, "李娜", phone="13900000002")
    r.wang = add_person(session, "王芳", phone="13900000003")
    link(session, r.u101, r.zhang)
    link(session, r.u102, r.li, rep=True)
    link(session, r.u102, r.wang)
    link(session, r.u201, r.wang, "tenant")
    link(session, r.far, r.wang)
    session.commit()
    return r
