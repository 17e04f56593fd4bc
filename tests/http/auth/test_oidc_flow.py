"""Single sign-on: a real authorization-code flow against the in-process provider in tests/oidc_provider.py."""

from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from civic.audit import AuditEvent
from civic.auth.models import Account, OidcIdentity
from civic.web.app import create_app
from tests.conftest import CivicClient
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, ISSUER, Provider, rsa_key
from tests.unit.auth.dbhelp import fresh


@pytest.fixture
def provider() -> Provider:
    return Provider()


@pytest.fixture
def sso_client(settings, engine, provider):
    sso_settings = settings.with_(oidc_issuer=ISSUER, oidc_client_id=CLIENT_ID, oidc_client_secret=CLIENT_SECRET,
                                  oidc_name="Wuchang ID")
    app = create_app(sso_settings, engine=engine, oidc_transport=httpx2.ASGITransport(app=provider.app))
    with CivicClient(app, follow_redirects=False) as client:
        yield client


def start(client, provider: Provider, next_url: str = "/votes") -> str:
    """Our app → the provider's /authorize → the callback URL (path and query) the browser would follow."""
    page = client.get("/login/oidc", params={"next": next_url})
    assert page.status_code == 302
    authorize = urlsplit(page.headers["location"])
    assert f"{authorize.scheme}://{authorize.netloc}" == ISSUER
    query = parse_qs(authorize.query)
    assert query["state"] and query["nonce"] and query["code_challenge"]
    with TestClient(provider.app, base_url=ISSUER, follow_redirects=False) as browser:
        back = browser.get(page.headers["location"])
    assert back.status_code == 302
    callback = urlsplit(back.headers["location"])
    return f"{callback.path}?{callback.query}"


def finish(client, callback: str):
    """The browser follows the provider's redirect back to our callback."""
    return client.get(callback)


def test_sso_button_shows_only_when_configured(sso_client, provider):
    page = sso_client.get("/login")
    assert "Sign in with Wuchang ID" in page.text and 'href="/login/oidc?next=/"' in page.text


def test_new_person_gets_a_new_account(sso_client, session, provider):
    page = finish(sso_client, start(sso_client, provider))
    assert page.status_code == 303 and page.headers["location"] == "/votes"
    fresh(session)
    identity = session.execute(select(OidcIdentity)).scalar_one()
    account = session.get(Account, identity.account_id)
    assert (identity.issuer, identity.subject) == (ISSUER, "sso-user-1")
    assert account.email == "li.na@example.test" and account.display_name == "李娜"
    assert account.password_hash is None
    assert "李娜" in sso_client.get("/account/").text
    actions = session.execute(select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all()
    assert actions == ["account.created", "account.sso_linked", "account.signed_in"]


def test_returning_person_is_found_by_issuer_and_subject(sso_client, session, provider):
    finish(sso_client, start(sso_client, provider))
    sso_client.post_form("/logout")
    provider.user = {**provider.user, "email": "changed@example.test", "name": "Renamed"}
    assert finish(sso_client, start(sso_client, provider)).status_code == 303
    fresh(session)
    assert len(session.execute(select(Account)).all()) == 1
    assert "李娜" in sso_client.get("/account/").text


def test_verified_email_links_to_the_existing_account(sso_client, provider, session, make_account):
    existing = make_account("Li Na (local)", email="li.na@example.test")
    assert finish(sso_client, start(sso_client, provider)).status_code == 303
    fresh(session)
    identity = session.execute(select(OidcIdentity)).scalar_one()
    assert identity.account_id == existing.id
    assert len(session.execute(select(Account)).all()) == 1
    assert "Li Na (local)" in sso_client.get("/account/").text


@pytest.mark.parametrize("flag", [False, None, "false"])
def test_unverified_email_does_not_link(sso_client, session, provider, make_account, flag):
    victim = make_account("Victim", email="li.na@example.test")
    provider.user = {k: v for k, v in provider.user.items() if k != "email_verified"}
    if flag is not None:
        provider.user["email_verified"] = flag
    assert finish(sso_client, start(sso_client, provider)).status_code == 303
    fresh(session)
    identity = session.execute(select(OidcIdentity)).scalar_one()
    assert identity.account_id != victim.id
    newcomer = session.get(Account, identity.account_id)
    assert newcomer.email is None  # an unverified address is not stored either
    assert "Victim" not in sso_client.get("/account/").text


def test_email_from_userinfo_when_the_id_token_has_none(sso_client, session, provider, make_account):
    existing = make_account("Li Na (local)", email="li.na@example.test")
    provider.id_token_claims = {"sub"}
    assert finish(sso_client, start(sso_client, provider)).status_code == 303
    fresh(session)
    assert session.execute(select(OidcIdentity.account_id)).scalar_one() == existing.id


def assert_nobody_signed_in(client, session):
    assert client.get("/account/").status_code == 303
    fresh(session)
    assert session.execute(select(OidcIdentity)).first() is None
    assert session.execute(select(AuditEvent)).first() is None


@pytest.mark.parametrize("forge", ["other-state", "", None])
def test_forged_state_is_refused(sso_client, provider, session, forge):
    callback = start(sso_client, provider)
    path, query = callback.split("?", 1)
    params = {k: v[0] for k, v in parse_qs(query).items()}
    if forge is None:
        params.pop("state")
    else:
        params["state"] = forge
    page = sso_client.get(path, params=params)
    assert page.status_code == 400
    assert "could not be verified" in page.text and "Nobody has been signed in" in page.text
    assert_nobody_signed_in(sso_client, session)


def test_callback_in_another_browser_is_refused(sso_client, provider, session):
    """A login CSRF: the attacker's own callback URL, opened in the victim's browser (no state in its session)."""
    callback = start(sso_client, provider)
    victim = CivicClient(sso_client.app, follow_redirects=False)
    assert victim.get(callback).status_code == 400
    assert victim.get("/account/").status_code == 303


@pytest.mark.parametrize("kid", ["provider-1", "attacker"])
def test_id_token_signed_with_another_key_is_refused(sso_client, session, provider, kid):
    # Same kid: the signature check itself must fail. Another kid: the key is not in the provider's JWKS.
    forged = rsa_key("attacker")
    provider.signing_key = forged if kid == "attacker" else type(forged).import_key(
        forged.as_dict(private=True) | {"kid": "provider-1"})
    page = finish(sso_client, start(sso_client, provider))
    assert page.status_code == 400 and "could not be verified" in page.text
    assert_nobody_signed_in(sso_client, session)


def test_callback_cannot_be_used_twice(sso_client, provider, session):
    callback = start(sso_client, provider)
    assert finish(sso_client, callback).status_code == 303
    sso_client.post_form("/logout")
    assert finish(sso_client, callback).status_code == 400
