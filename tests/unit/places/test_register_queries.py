"""Staff pages read in a bounded number of queries, however many units a place has."""


import pytest

from civic.errors import PermissionDenied
from civic.places import service
from civic.places.rules import Viewer
from tests.statements import selects
from tests.unit.places.builders import add_person, add_unit, build_register, link


@pytest.fixture
def big(session):
    r = build_register(session)
    for n in range(40):
        unit = add_unit(session, r.building2, f"5{n:02d}", 7000)
        link(session, unit, add_person(session, f"业主{n}"))
    session.commit()
    r.staff = Viewer(account_id=1, staff_place_ids=frozenset({r.community.id}))
    return r


def test_search_units_query_count(session, big):
    with selects(session) as seen:
        page = service.search_units(session, viewer=big.staff, owner="业主", size=50)
    assert page.total == 40 and all(row.owners for row in page.items)
    assert len(seen) <= 3


def test_place_and_unit_pages_query_count(session, big):
    with selects(session) as seen:
        service.place_page(session, viewer=big.staff, place_id=big.building2.id, page=1)
    assert len(seen) <= 5
    with selects(session) as seen:
        detail = service.unit_page(session, viewer=big.staff, unit_id=big.u102.id)
    assert [link.name for link in detail.of_kind("owner")] == ["李娜", "王芳"]
    assert len(seen) <= 5


def test_services_refuse_viewers_without_scope(session, big):
    nobody = Viewer(account_id=2)
    with pytest.raises(PermissionDenied):
        service.search_units(session, viewer=nobody)
    with pytest.raises(PermissionDenied):
        service.register_index(session, viewer=nobody)
    with pytest.raises(PermissionDenied):
        service.unit_page(session, viewer=big.staff, unit_id=big.far.id)
