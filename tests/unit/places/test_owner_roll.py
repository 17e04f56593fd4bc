"""owner_roll(): voter keys of every unit under a place, from current owner links, in bounded queries."""

from datetime import date

import pytest

from civic.errors import NotFound
from civic.places.service import owner_roll
from tests.statements import selects
from tests.unit.places.builders import add_person, add_unit, build_register, link

ON = date(2026, 6, 1)


def test_roll_of_a_community(session):
    r = build_register(session)
    roll = owner_roll(session, place_id=r.community.id, on=ON)
    assert [k.key for k in roll.keys] == [f"owner:{r.zhang.id}", f"owners:{r.li.id}+{r.wang.id}"]
    co = roll.keys[1]
    assert co.representative_id == r.li.id and co.unit_ids == (r.u102.id,) and co.area_dm2 == 12000
    assert roll.unowned_unit_ids == (r.u201.id,)  # only a tenant: not on the roll, but reported
    assert roll.area_dm2 == 8950 + 12000


def test_roll_of_the_district_keeps_sole_and_joint_ownership_apart(session):
    r = build_register(session)
    roll = owner_roll(session, place_id=r.district.id, on=ON)
    assert f"owner:{r.wang.id}" in {k.key for k in roll.keys}  # owns the far unit alone
    assert roll.heads == 3 and roll.area_dm2 == 8950 + 12000 + 7000


def test_roll_of_a_building_and_of_a_compound(session):
    r = build_register(session)
    assert owner_roll(session, place_id=r.building2.id, on=ON).heads == 0
    assert owner_roll(session, place_id=r.compound.id, on=ON).heads == 2


def test_links_outside_the_day_do_not_count(session):
    r = build_register(session)
    sold = add_unit(session, r.building2, "202", 5000)
    old, new, later = add_person(session, "旧业主"), add_person(session, "新业主"), add_person(session, "未来业主")
    # `until` is exclusive: sold on 1 June, the old owner's tie ends that day and the new one's begins.
    link(session, sold, old, since=date(2010, 1, 1), until=date(2026, 6, 1))
    link(session, sold, new, since=date(2026, 6, 1))
    link(session, r.u201, later, since=date(2026, 6, 2))
    session.commit()
    roll = owner_roll(session, place_id=r.building2.id, on=ON)
    assert [k.key for k in roll.keys] == [f"owner:{new.id}"]
    before = owner_roll(session, place_id=r.building2.id, on=date(2026, 5, 31))
    assert [k.key for k in before.keys] == [f"owner:{old.id}"]


def test_developer_units_are_one_head_from_the_database(session):
    r = build_register(session)
    developer = add_person(session, "武汉某置业有限公司", kind="developer")
    for n in range(10):
        link(session, add_unit(session, r.building2, f"3{n:02d}", 9000), developer)
    session.commit()
    roll = owner_roll(session, place_id=r.building2.id, on=ON)
    assert roll.heads == 1 and roll.keys[0].developer and roll.keys[0].area_dm2 == 90000


def test_uses_filter(session):
    r = build_register(session)
    garage = add_unit(session, r.building2, "P001", 1300, use="parking")
    link(session, garage, r.zhang)
    session.commit()
    assert owner_roll(session, place_id=r.compound.id, on=ON).area_dm2 == 8950 + 12000 + 1300
    assert owner_roll(session, place_id=r.compound.id, on=ON, uses=["residential"]).area_dm2 == 8950 + 12000


def test_query_count_does_not_grow_with_units(session):
    r = build_register(session)
    for n in range(200):
        link(session, add_unit(session, r.building2, f"9{n:03d}", 5000 + n), add_person(session, f"业主{n}"))
    session.commit()
    with selects(session) as statements:
        roll = owner_roll(session, place_id=r.compound.id, on=ON)
    assert roll.heads == 202
    assert len(statements) <= 2


def test_unknown_place(session):
    with pytest.raises(NotFound):
        owner_roll(session, place_id=999_999, on=ON)
