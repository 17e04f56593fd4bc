"""Staff register pages: who may see them, what they show, search with and without HTMX."""

import pytest

from civic.auth.models import Role, ScopeType
from tests.unit.places.builders import add_unit, build_register

PAGES = ["/register/", "/register/units", "/register/requests"]


@pytest.fixture
def register(session):
    return build_register(session)


@pytest.fixture
def staff(make_account, register):
    return make_account("李娟", roles=[(Role.staff, ScopeType.place, register.community.id)])


def test_anonymous_is_sent_to_sign_in(client, register):
    for path in [*PAGES, f"/register/places/{register.community.id}", f"/register/units/{register.u101.id}"]:
        page = client.get(path + "?owner=x" if path.endswith("units") else path)
        assert page.status_code == 303, path
        assert page.headers["location"].startswith("/login?next=/register"), path
    assert client.get("/register/units?owner=x").headers["location"] == "/login?next=/register/units%3Fowner%3Dx"


def test_residents_get_403_and_never_see_personal_data(client, make_account, register):
    client.login_as(make_account("居民"))
    for path in [*PAGES, f"/register/places/{register.community.id}", f"/register/units/{register.u101.id}",
                 "/register/units?owner=张"]:
        page = client.get(path)
        assert page.status_code == 403, path
        assert "张伟" not in page.text and "13900000001" not in page.text, path


def test_grid_worker_and_staff_of_other_scopes_are_not_staff_of_the_place(client, make_account, register):
    client.login_as(make_account("网格员", roles=[(Role.grid_worker, ScopeType.grid, register.community.id),
                                                  (Role.staff, ScopeType.grid, register.community.id)]))
    assert client.get(f"/register/places/{register.community.id}").status_code == 403


def test_staff_index_lists_their_community(client, staff, register):
    client.login_as(staff)
    page = client.get("/register/")
    assert page.status_code == 200
    assert f'href="/register/places/{register.community.id}"' in page.text
    assert "沙湖社区" not in page.text
    assert "269.50 m²" in page.text  # 89.50 + 120.00 in 1栋 and 60.00 in 2栋


def test_admin_index_lists_the_district(client, make_account, register):
    client.login_as(make_account("管理员", roles=[(Role.administrator, ScopeType.global_, 0)]))
    page = client.get("/register/")
    assert page.status_code == 200 and "武昌区" in page.text
    assert client.get(f"/register/places/{register.other_community.id}").status_code == 200


def test_place_pages_walk_down_to_units(client, staff, register):
    client.login_as(staff)
    community = client.get(f"/register/places/{register.community.id}")
    assert community.status_code == 200 and "南苑村小区" in community.text
    building = client.get(f"/register/places/{register.building.id}")
    assert f'href="/register/units/{register.u101.id}"' in building.text
    assert "120.00 m²" in building.text


def test_unit_page_shows_owners_tenants_and_dates_to_staff(client, staff, register):
    client.login_as(staff)
    page = client.get(f"/register/units/{register.u102.id}")
    assert page.status_code == 200
    for text in ["李娜", "王芳", "13900000002", "120.00 m²", "representative"]:
        assert text in page.text
    tenant = client.get(f"/register/units/{register.u201.id}")
    assert "Tenants" in tenant.text and "王芳" in tenant.text


def test_staff_of_another_community_gets_403(client, staff, register):
    client.login_as(staff)
    assert client.get(f"/register/places/{register.other_community.id}").status_code == 403
    assert client.get(f"/register/units/{register.far.id}").status_code == 403
    assert client.get(f"/register/places/{register.district.id}").status_code == 403  # an ancestor


def test_unknown_place_and_unit_are_404(client, staff):
    client.login_as(staff)
    assert client.get("/register/places/999999").status_code == 404
    assert client.get("/register/units/999999").status_code == 404


def test_search_stays_inside_the_staff_scope(client, staff, register):
    client.login_as(staff)
    page = client.get("/register/units?number=101")
    assert page.status_code == 200
    assert f"/register/units/{register.u101.id}" in page.text
    assert f"/register/units/{register.far.id}" not in page.text  # 沙湖苑小区 1栋 101 is another community's


def test_search_by_owner_compound_and_building(client, staff, register):
    client.login_as(staff)
    by_owner = client.get("/register/units?owner=李")
    assert f"/register/units/{register.u102.id}" in by_owner.text and "1 unit found" in by_owner.text
    by_building = client.get("/register/units?compound=南苑&building=2栋")
    assert f"/register/units/{register.u201.id}" in by_building.text and "1 unit found" in by_building.text
    assert "No unit in your places" in client.get("/register/units?owner=nobody%25").text


def test_htmx_search_returns_only_the_results_block(client, staff, register):
    client.login_as(staff)
    page = client.get("/register/units?owner=张", headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert "<html" not in page.text and "<form" not in page.text
    assert f"/register/units/{register.u101.id}" in page.text
    full = client.get("/register/units?owner=张")
    assert "<html" in full.text and 'hx-target="#unit-results"' in full.text


def test_search_is_paginated(client, staff, register, session):
    for n in range(60):
        add_unit(session, register.building2, f"9{n:02d}", 5000)
    session.commit()
    client.login_as(staff)
    first = client.get("/register/units?building=2栋")
    assert "61 units found" in first.text and 'rel="next"' in first.text
    second = client.get("/register/units?building=2栋&page=2")
    assert second.status_code == 200 and 'rel="prev"' in second.text
    assert second.text.count('href="/register/units/') == 11
