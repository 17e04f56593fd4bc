"""The account page, changing password and language, and the administrators' role page."""

import pytest
from sqlalchemy import select

from civic.auth.models import Account, RoleGrant
from civic.auth.passwords import hash_password
from tests.conftest import CivicClient
from tests.unit.auth.dbhelp import fresh

PASSWORD = "a long enough password"
NEW = "an even longer new password"


@pytest.fixture
def resident(make_account):
    return make_account("刘芳", email="liu@example.test", password_hash=hash_password(PASSWORD),
                        roles=[("staff", "place", 4), ("judge", "contest", 2)])


def test_account_page_needs_sign_in(client):
    page = client.get("/account/")
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/account/"


def test_account_page_shows_identity_language_roles_and_password_form(client, resident):
    client.login_as(resident)
    page = client.get("/account/")
    assert page.status_code == 200
    for text in ["刘芳", "liu@example.test", "Community staff", "place 4", "Judge", "contest 2",
                 'name="current_password"', 'name="locale"', 'value="zh-Hans"']:
        assert text in page.text, text


def test_change_password_ends_other_sessions_and_keeps_this_one(app, client, session, resident):
    other = CivicClient(app, follow_redirects=False)
    other.login_as(resident)
    client.login_as(resident)
    assert other.get("/account/").status_code == 200
    page = client.post_form("/account/password", {"current_password": PASSWORD, "password": NEW,
                                                  "password_confirm": NEW})
    assert page.status_code == 303
    assert client.get("/account/").status_code == 200  # re-stamped
    assert other.get("/account/").status_code == 303  # stale stamp: signed out
    client.post_form("/logout")
    assert client.post_form("/login", {"identifier": "liu@example.test", "password": NEW}).status_code == 303


def test_wrong_current_password_is_400_and_changes_nothing(client, session, resident):
    client.login_as(resident)
    page = client.post_form("/account/password", {"current_password": "not it at all", "password": NEW,
                                                  "password_confirm": NEW})
    assert page.status_code == 400 and "current password is not correct" in page.text
    assert 'id="current_password" name="current_password" type="password" required autocomplete="current-password" aria-invalid="true"' in page.text
    fresh(session)
    assert session.get(Account, resident.id).password_hash == resident.password_hash


def test_sso_only_account_has_no_password_form(client, make_account):
    client.login_as(make_account("SSO person"))
    page = client.get("/account/")
    assert "no password to change" in page.text and 'name="current_password"' not in page.text


def test_language_preference_is_saved_on_the_account(client, session, resident):
    client.login_as(resident)
    page = client.post_form("/account/language", {"locale": "zh-Hans"})
    assert page.status_code == 303
    fresh(session)
    assert session.get(Account, resident.id).locale == "zh-Hans"
    assert 'lang="zh-Hans"' in client.get("/account/").text


def test_roles_page_is_refused_to_non_administrators_saying_what_is_missing(client, resident):
    client.login_as(resident)
    page = client.get(f"/account/{resident.id}/roles")
    assert page.status_code == 403
    assert "Only administrators can see and grant roles." in page.text


def test_roles_page_sends_anonymous_visitors_to_sign_in(client, resident):
    assert client.get(f"/account/{resident.id}/roles").status_code == 303


def test_administrator_grants_a_role(client, session, make_account, resident):
    admin = make_account("Admin", roles=[("administrator", "global", 0)])
    client.login_as(admin)
    assert client.get(f"/account/{resident.id}/roles").status_code == 200
    page = client.post_form(f"/account/{resident.id}/roles", {"role": "planner", "scope_id": "7"})
    assert page.status_code == 303
    fresh(session)
    grant = session.execute(select(RoleGrant).where(RoleGrant.role == "planner")).scalar_one()
    assert (grant.account_id, grant.scope_type, grant.scope_id, grant.granted_by) == (
        resident.id, "planning_project", 7, admin.id)


@pytest.mark.parametrize(("form", "message"), [
    ({"role": "planner", "scope_id": ""}, "not a valid scope number"),
    ({"role": "staff", "scope_id": "4"}, "already holds"),
    ({"role": "emperor", "scope_id": "1"}, "Unknown role"),
])
def test_bad_grant_is_400_and_writes_nothing(client, session, make_account, resident, form, message):
    client.login_as(make_account("Admin", roles=[("administrator", "global", 0)]))
    page = client.post_form(f"/account/{resident.id}/roles", form)
    assert page.status_code == 400 and message in page.text
    fresh(session)
    assert len(session.execute(select(RoleGrant).where(RoleGrant.account_id == resident.id)).all()) == 2

