"""A worker may reuse a signed-in user for a few seconds on requests that show no header (casts, HTMX
fragments); full pages always load it fresh, and a password change is never served from the cache."""

from __future__ import annotations

import pytest

from civic.auth.models import Account
from civic.web.app import create_app
from tests.conftest import CivicClient


@pytest.fixture
def cached_client(settings, engine):
    app = create_app(settings.with_(user_cache_seconds=60), engine=engine)
    with CivicClient(app, follow_redirects=False) as client:
        yield client


def signed_in(response) -> bool:
    return "Sign out" in response.text


def test_fragments_reuse_the_user_while_full_pages_reload_it(cached_client, session, make_account):
    account = make_account("缓存", locale="en")
    cached_client.login_as(account)
    fragment = {"HX-Request": "true"}
    cached_client.get("/", headers=fragment)  # loads and caches the user
    session.get(Account, account.id).is_active = False
    session.commit()
    assert signed_in(cached_client.get("/", headers=fragment))  # still the cached user …
    assert not signed_in(cached_client.get("/"))  # … but a full page loads afresh: signed out


def test_without_a_cache_every_request_loads_the_user(client, session, make_account):
    account = make_account("无缓存", locale="en")
    client.login_as(account)
    assert signed_in(client.get("/"))
    session.get(Account, account.id).is_active = False
    session.commit()
    assert not signed_in(client.get("/", headers={"HX-Request": "true", "HX-Boosted": "true"}))
