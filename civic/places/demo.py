"""Deterministic demo register for Wuchang district (武昌区): places, units, owners, tenants, households, grids.

Everything comes from one seeded random.Random and is written with bulk Core inserts in the caller's
transaction, so loading takes seconds and gives the same data every time.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, insert, select, update
from sqlmodel import Session

from civic.places.models import (
    Grid,
    Household,
    LinkKind,
    Person,
    PersonKind,
    Place,
    PlaceKind,
    Unit,
    UnitLink,
)

DISTRICT = ("420106", "武昌区", (114.3162, 30.5544))
STREETS = ["积玉桥街", "杨园街", "徐家棚街", "粮道街", "中华路街", "黄鹤楼街", "紫阳街", "白沙洲街", "首义路街",
           "中南路街", "水果湖街", "珞珈山街", "石洞街", "南湖街"]
# community, street, approximate centre (lon, lat)
COMMUNITIES = [("北环社区", "水果湖街", (114.3452, 30.5561)), ("保安社区", "紫阳街", (114.3021, 30.5368)),
               ("沙湖社区", "积玉桥街", (114.3198, 30.5712)), ("彭刘杨路社区", "黄鹤楼街", (114.3065, 30.5447)),
               ("三角路社区", "徐家棚街", (114.3393, 30.5778)), ("松涛社区", "南湖街", (114.3356, 30.5062)),
               ("宁松社区", "南湖街", (114.3297, 30.5104))]
# community, compound, buildings, floors, flats per floor, shops on the ground floor, parking spaces
COMPOUNDS = [("北环社区", "南苑村小区", 8, 7, 4, 0, 40), ("北环社区", "北环路小区", 5, 6, 3, 4, 0),
             ("保安社区", "保安街小区", 6, 7, 3, 6, 0), ("沙湖社区", "沙湖苑小区", 6, 18, 4, 0, 60),
             ("彭刘杨路社区", "彭刘杨路小区", 4, 9, 4, 8, 0), ("三角路社区", "三角路村小区", 5, 11, 4, 0, 0),
             ("松涛社区", "张家湾小区", 6, 11, 2, 0, 0), ("宁松社区", "宁松小区", 5, 12, 3, 6, 50)]
DEVELOPER = "武汉某置业有限公司"
DEVELOPER_COMPOUND = "宁松小区"  # the newest: the developer still holds its unsold flats and parking
GRID_SIZE = 300  # households per grid (网格), as in the seed
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余杜叶程魏苏吕丁任沈姚卢"
GIVEN = "秀英桂兰建国建华志强红梅海燕晓明丽娟文军玉兰春梅国平德胜淑珍永刚俊杰思远雨涵子涵浩然欣怡梓萱宇轩"
# People the demo accounts are tied to (see civic.fixtures): fixed units, so the docs can name them.
NAMED = {"demo-p-owner": ("王秀英", [("南苑村小区", 1, "301")]),
         "demo-p-owner2": ("刘建国", [("南苑村小区", 2, "502"), ("北环路小区", 1, "201")]),
         "demo-p-tenant": ("陈晓明", [])}
TENANT_UNIT = ("南苑村小区", 3, "402")


@dataclass
class DemoRegister:
    """What the loader wrote, for the summary and for the accounts that hang off it."""

    counts: dict[str, int] = field(default_factory=dict)
    place_ids: dict[str, int] = field(default_factory=dict)  # by name, for communities and the district
    grid_ids: list[tuple[str, int]] = field(default_factory=list)  # (community, grid id), in order
    person_ids: dict[str, int] = field(default_factory=dict)  # the named people, by ref


def _point(lon: float, lat: float) -> str:
    return json.dumps({"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]})


def _add_place(conn: Connection, kind: str, name: str, code: str, parent: tuple[int, str] | None,
               lonlat: tuple[float, float] | None) -> tuple[int, str]:
    table = Place.__table__
    new_id = conn.execute(insert(table).values(kind=kind, name=name, code=code, parent_id=parent[0] if parent else None,
                                               path="/", geojson=_point(*lonlat) if lonlat else None)
                          ).inserted_primary_key[0]
    path = f"{parent[1] if parent else '/'}{new_id}/"
    conn.execute(update(table).where(table.c.id == new_id).values(path=path))
    return new_id, path


def existing(conn: Connection) -> DemoRegister | None:
    """The demo register if it is already loaded (found by the district's code), else None."""
    district = conn.execute(select(Place.id).where(Place.code == DISTRICT[0])).scalar()
    if district is None:
        return None
    found = DemoRegister()
    found.place_ids = dict(conn.execute(select(Place.name, Place.id).where(
        Place.kind.in_([PlaceKind.district, PlaceKind.community]), Place.path.contains(f"/{district}/"))).all())
    communities = {v: k for k, v in found.place_ids.items()}
    found.grid_ids = [(communities.get(c, ""), g) for g, c in conn.execute(
        select(Grid.id, Grid.community_id).where(Grid.community_id.in_(list(communities))).order_by(Grid.id))]
    found.person_ids = dict(conn.execute(select(Person.external_ref, Person.id)
                                         .where(Person.external_ref.in_(list(NAMED)))).all())
    return found


def load_register(conn: Connection, *, seed: int = 20171203) -> DemoRegister:
    """Write the demo register: 14 streets, 7 communities, 8 compounds, ~1,600 units and their people."""
    rng = random.Random(seed)  # the seed is the date of the newspaper report in the seed text
    out = DemoRegister()
    district = _add_place(conn, PlaceKind.district, DISTRICT[1], DISTRICT[0], None, DISTRICT[2])
    out.place_ids[DISTRICT[1]] = district[0]
    streets = {name: _add_place(conn, PlaceKind.street, name, f"420106-S{i:02d}", district, None)
               for i, name in enumerate(STREETS, 1)}
    communities = {}
    for i, (name, street, centre) in enumerate(COMMUNITIES, 1):
        communities[name] = _add_place(conn, PlaceKind.community, name, f"420106-C{i:02d}", streets[street], centre)
        out.place_ids[name] = communities[name][0]
    centres = {name: centre for name, _s, centre in COMMUNITIES}
    units, unit_community = [], {}
    for i, (comm, name, blocks, floors, per_floor, shops, parking) in enumerate(COMPOUNDS, 1):
        lon, lat = centres[comm][0] + rng.uniform(-0.004, 0.004), centres[comm][1] + rng.uniform(-0.003, 0.003)
        compound = _add_place(conn, PlaceKind.compound, name, f"420106-Y{i:02d}", communities[comm], (lon, lat))
        for b in range(1, blocks + 1):
            building = _add_place(conn, PlaceKind.building, f"{b}栋", f"420106-Y{i:02d}-B{b:02d}", compound,
                                  (lon + rng.uniform(-0.0012, 0.0012), lat + rng.uniform(-0.0009, 0.0009)))
            stacks = [rng.randint(4500, 16000) for _ in range(per_floor)]  # a stack of flats shares a floor plan
            flats = [(f, f"{f}{k + 1:02d}", stacks[k], "residential") for f in range(1, floors + 1)
                     for k in range(per_floor)]
            if b == 1:
                flats += [(1, f"S{k:02d}", rng.randint(3000, 20000), "commercial") for k in range(1, shops + 1)]
            for floor, number, area, use in flats:
                units.append({"building_id": building[0], "number": number, "floor": floor, "area_dm2": area,
                              "area_source": rng.choice(["registered"] * 8 + ["surveyed", "contract"]), "use": use,
                              "external_ref": f"demo-u-{i:02d}-{b:02d}-{number}"})
                unit_community[units[-1]["external_ref"]] = (comm, name, b, number)
        if parking:
            garage = _add_place(conn, PlaceKind.building, "地下车库", f"420106-Y{i:02d}-P", compound, (lon, lat))
            for k in range(1, parking + 1):
                units.append({"building_id": garage[0], "number": f"P{k:03d}", "floor": -1,
                              "area_dm2": rng.randint(1200, 1500), "area_source": "registered", "use": "parking",
                              "external_ref": f"demo-u-{i:02d}-P-{k:03d}"})
                unit_community[units[-1]["external_ref"]] = (comm, name, 0, f"P{k:03d}")
    conn.execute(insert(Unit.__table__), units)
    unit_ids = dict(conn.execute(select(Unit.external_ref, Unit.id).where(Unit.external_ref.like("demo-u-%"))).all())
    by_label = {(v[1], v[2], v[3]): ref for ref, v in unit_community.items()}
    _people_and_links(conn, rng, out, units, unit_ids, unit_community, by_label)
    out.counts.update(streets=len(streets), communities=len(communities), compounds=len(COMPOUNDS), units=len(units))
    return out


def _people_and_links(conn, rng, out, units, unit_ids, unit_community, by_label) -> None:
    """Owners (mostly one flat each; some several; co-owners; the developer), tenants, households, grids."""
    people: dict[str, dict] = {}
    owners: dict[str, list[tuple[str, bool]]] = {}  # unit ref → [(person ref, is representative)]
    tenants: dict[str, str] = {}
    home: dict[str, str] = {}  # person ref → the unit they live in

    def person(name: str, kind: str = PersonKind.natural) -> str:
        ref = f"demo-p-{len(people) + 1:05d}"
        people[ref] = {"name": name, "kind": kind, "phone": f"13{rng.randint(0, 999_999_999):09d}"
                       if kind == PersonKind.natural else None, "birth_year": rng.randint(1940, 2000)
                       if kind == PersonKind.natural else None, "external_ref": ref}
        return ref

    def name() -> str:
        return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice([1, 2])))

    for ref, (full, places) in NAMED.items():
        people[ref] = {"name": full, "kind": PersonKind.natural, "phone": None, "birth_year": 1970, "external_ref": ref}
        for compound, building, number in places:
            owners[by_label[(compound, building, number)]] = [(ref, True)]
        home[ref] = by_label[(places or [TENANT_UNIT])[0]]
    tenants[by_label[TENANT_UNIT]] = "demo-p-tenant"
    developer = person(DEVELOPER, PersonKind.developer)
    pool: dict[str, list[str]] = defaultdict(list)  # compound → its natural owners so far
    without_rep = by_label[("南苑村小区", 4, "602")]  # the one co-owned flat still missing a representative
    for unit in units:
        ref, flat = unit["external_ref"], unit["use"] == "residential"
        if ref in owners:
            continue
        compound = unit_community[ref][1]
        lives_in = True
        if compound == DEVELOPER_COMPOUND and rng.random() < (0.3 if flat else 0.7):
            owners[ref], lives_in = [(developer, True)], False  # unsold
        elif unit["use"] == "commercial" and rng.random() < 0.5:
            owners[ref] = [(person(f"武昌区{rng.choice('鑫瑞华兴')}{rng.choice('盛达泰隆')}商贸有限公司",
                                   PersonKind.organisation), True)]
        elif pool[compound] and rng.random() < (0.6 if unit["use"] == "parking" else 0.05):
            owners[ref], lives_in = [(rng.choice(pool[compound][-60:]), True)], False  # a second unit
        elif ref == without_rep or rng.random() < 0.04:
            owners[ref] = [(person(name()), ref != without_rep), (person(name()), False)]
        else:
            owners[ref] = [(person(name()), True)]
        if flat and ref not in tenants and rng.random() < (0.5 if not lives_in else 0.1) \
                and people[owners[ref][0][0]]["kind"] == PersonKind.natural:
            tenants[ref] = person(name())  # let: the owner lives elsewhere
            home[tenants[ref]] = ref
        elif flat and lives_in and ref not in tenants:
            for holder, _rep in owners[ref]:
                home.setdefault(holder, ref)
        pool[compound].extend(p for p, _r in owners[ref] if people[p]["kind"] == PersonKind.natural)
    _households_and_grids(conn, rng, out, people, home, unit_ids, unit_community)
    conn.execute(insert(Person.__table__), list(people.values()))
    person_ids = dict(conn.execute(select(Person.external_ref, Person.id).where(Person.external_ref.like("demo-p-%"))).all())
    out.person_ids = {ref: person_ids[ref] for ref in NAMED}
    today = date(2026, 1, 1)
    links = [{"unit_id": unit_ids[u], "person_id": person_ids[p], "kind": LinkKind.owner,
              "since": date(2000, 1, 1) + timedelta(days=rng.randint(0, 9000)), "until": None,
              "is_representative": rep and len(holders) > 1}
             for u, holders in owners.items() for p, rep in holders]
    links += [{"unit_id": unit_ids[u], "person_id": person_ids[p], "kind": LinkKind.tenant,
               "since": today - timedelta(days=rng.randint(30, 900)), "until": None, "is_representative": False}
              for u, p in tenants.items()]
    conn.execute(insert(UnitLink.__table__), links)
    out.counts.update(people=len(people), owner_links=sum(len(h) for h in owners.values()), tenants=len(tenants))


def _households_and_grids(conn, rng, out, people, home, unit_ids, unit_community) -> None:
    """One household per lived-in flat, grouped in order into grids of about GRID_SIZE per community."""
    lived = sorted(set(home.values()))
    by_community: dict[str, list[str]] = defaultdict(list)
    for ref in lived:
        by_community[unit_community[ref][0]].append(ref)
    grid_of: dict[str, str] = {}
    grids = []
    for comm, refs in by_community.items():
        count = max(1, round(len(refs) / GRID_SIZE))
        for n in range(count):
            grids.append({"community_id": out.place_ids[comm], "name": f"{comm}第{n + 1}网格"})
            for ref in refs[n * len(refs) // count:(n + 1) * len(refs) // count]:
                grid_of[ref] = grids[-1]["name"]
    conn.execute(insert(Grid.__table__), grids)
    grid_ids = dict(conn.execute(select(Grid.name, Grid.id).where(Grid.community_id.in_(
        [out.place_ids[c] for c in by_community]))).all())
    out.grid_ids = [(name.split("第")[0], grid_ids[name]) for name in (g["name"] for g in grids)]
    conn.execute(insert(Household.__table__), [
        {"unit_id": unit_ids[ref], "grid_id": grid_ids[grid_of[ref]], "label": unit_community[ref][1]
         + f" {unit_community[ref][2]}栋 {unit_community[ref][3]}"} for ref in lived])
    households = dict(conn.execute(select(Household.unit_id, Household.id).where(
        Household.unit_id.in_([unit_ids[r] for r in lived]))).all())
    for ref, person in people.items():
        person["household_id"] = households[unit_ids[home[ref]]] if ref in home else None
    out.counts.update(households=len(lived), grids=len(grids))


def resident_accounts(session: Session, place: Place, on: date, created_at: datetime) -> list[tuple[int, int]]:
    """(account id, person id) of the people living under `place` on `on`, in account order. Those with no
    account get one with no way to sign in: residents who took part at the community office or on their
    phones. The contests and planning demos share them."""
    from civic.auth.models import Account  # the register does not depend on accounts otherwise
    from civic.places.service import current_link

    people = sorted(session.execute(
        select(UnitLink.person_id).join(Unit, Unit.id == UnitLink.unit_id).join(Place, Place.id == Unit.building_id)
        .join(Person, Person.id == UnitLink.person_id)
        .where(Place.path.startswith(place.path), current_link(on), Person.kind == PersonKind.natural)
        .distinct()).scalars())
    have = set(session.execute(select(Account.person_id).where(Account.person_id.in_(people))).scalars())
    names = dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(people))).all())
    missing = [p for p in people if p not in have]
    if missing:
        session.execute(insert(Account.__table__), [{"display_name": names[p], "person_id": p, "is_active": True,
                                                     "locale": "zh-Hans", "created_at": created_at} for p in missing])
    return [tuple(row) for row in session.execute(
        select(Account.id, Account.person_id).where(Account.person_id.in_(people), Account.is_active)
        .order_by(Account.id)).all()]
