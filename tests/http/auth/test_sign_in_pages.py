"""Sign-up, sign-in and sign-out through the real forms: sessions, redirects, throttling, errors."""

import base64
import json
import re

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from civic.audit import AuditEvent
from civic.auth.models import Account, LoginFailure
from civic.auth.passwords import hash_password
from civic.web.app import SESSION_COOKIE
from tests.conftest import SECRET
from tests.unit.auth.dbhelp import fresh

PASSWORD = "a long enough password"


def session_of(client) -> dict:
    """Decode the signed session cookie exactly as SessionMiddleware does."""
    # login_as() sets its cookie without a domain, so the server's later cookie sits beside it: read the latter.
    cookies = sorted((c for c in client.cookies.jar if c.name == SESSION_COOKIE), key=lambda c: c.domain == "")
    raw = cookies[0].value if cookies else None
    return json.loads(base64.b64decode(TimestampSigner(SECRET).unsign(raw, max_age=3600))) if raw else {}


@pytest.fixture
def resident(make_account):
    return make_account("刘芳", email="liu@example.test", phone="+8613800138000", password_hash=hash_password(PASSWORD))


def sign_in(client, identifier, password=PASSWORD, **extra):
    return client.post_form("/login", {"identifier": identifier, "password": password, **extra})


def test_login_page_has_labelled_fields_csrf_and_no_sso_button_when_unconfigured(client):
    page = client.get("/login?next=/votes")
    assert page.status_code == 200
    assert '<label for="identifier">' in page.text and '<label for="password">' in page.text
    assert 'name="csrf_token"' in page.text and 'name="next" value="/votes"' in page.text
    assert "/login/oidc" not in page.text
    assert client.get("/login/oidc").status_code == 404


@pytest.mark.parametrize("identifier", ["liu@example.test", "LIU@Example.test", "138 0013 8000", "+8613800138000"])
def test_sign_in_by_email_or_phone_starts_a_fresh_session(client, resident, identifier):
    client.get("/")
    before = session_of(client)
    page = sign_in(client, identifier, next="/votes")
    assert page.status_code == 303 and page.headers["location"] == "/votes"
    after = session_of(client)
    assert after["uid"] == resident.id
    assert after["csrf"] != before["csrf"]  # no session fixation: the pre-login token is gone
    assert "刘芳" in client.get("/").text


def test_sign_in_clears_whatever_the_session_held_before(client, resident):
    client.login_as(resident)  # a session planted with a known csrf token "ttt…"
    sign_in(client, "liu@example.test", csrf_token="t" * 43)
    assert session_of(client)["csrf"] != "t" * 43


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_sign_in_never_redirects_off_site(client, resident, target):
    page = sign_in(client, "liu@example.test", next=target)
    assert page.status_code == 303 and page.headers["location"] == "/"


def test_wrong_password_rerenders_with_input_kept_and_nobody_signed_in(client, session, resident):
    page = sign_in(client, "liu@example.test", "not the password")
    assert page.status_code == 400
    assert "is not correct" in page.text and 'role="alert"' in page.text
    assert 'value="liu@example.test"' in page.text
    assert "uid" not in session_of(client)
    fresh(session)
    assert session.execute(select(func.count()).select_from(LoginFailure)).scalar_one() == 2


def test_empty_form_is_a_400_that_counts_nothing(client, session):
    page = sign_in(client, "", "")
    assert page.status_code == 400 and "Enter your email" in page.text
    fresh(session)
    assert session.execute(select(func.count()).select_from(LoginFailure)).scalar_one() == 0


def test_throttled_sign_in_is_429_with_retry_after_even_with_the_right_password(client, settings, resident):
    for _ in range(settings.login_max_failures_per_account):
        assert sign_in(client, "liu@example.test", "wrong password").status_code == 400
    page = sign_in(client, "liu@example.test")
    assert page.status_code == 429
    assert "Too many failed sign-in attempts" in page.text and "15 minutes" in page.text
    assert 0 < int(page.headers["retry-after"]) <= settings.login_window_seconds
    assert "uid" not in session_of(client)


def test_sign_out_ends_the_session(client, resident):
    sign_in(client, "liu@example.test")
    page = client.post_form("/logout")
    assert page.status_code == 303
    assert "uid" not in session_of(client)
    assert client.get("/account/").status_code == 303


def test_sign_out_is_post_only(client, resident):
    client.login_as(resident)
    assert client.get("/logout").status_code == 405


def test_sign_up_creates_the_account_and_signs_in(client, session):
    page = client.post_form("/signup", {"display_name": "陈静", "identifier": "chen@example.test",
                                        "password": PASSWORD, "password_confirm": PASSWORD})
    assert page.status_code == 303
    fresh(session)
    account = session.execute(select(Account).where(Account.email == "chen@example.test")).scalar_one()
    assert session_of(client)["uid"] == account.id
    assert account.locale == "en"  # the language the visitor was using
    assert "陈静" in client.get("/").text


@pytest.mark.parametrize(("form", "message"), [
    ({"password_confirm": "something else!"}, "do not match"),
    ({"password": "short", "password_confirm": "short"}, "at least 10 characters"),
    ({"identifier": "liu@example.test"}, "already exists"),
    ({"identifier": "138-0013-8000"}, "already exists"),
    ({"identifier": "nonsense"}, "not a valid phone number"),
])
def test_bad_sign_up_rerenders_400_with_input_kept_and_writes_nothing(client, session, resident, form, message):
    data = {"display_name": "陈静", "identifier": "chen@example.test", "password": PASSWORD,
            "password_confirm": PASSWORD, **form}
    page = client.post_form("/signup", data)
    assert page.status_code == 400
    assert message in page.text.replace("&#34;", '"')
    assert 'value="陈静"' in page.text and f'value="{data["identifier"]}"' in page.text
    assert re.search(r'id="\w+"[^>]*aria-invalid="true"', page.text)
    assert PASSWORD not in page.text  # passwords are never echoed back
    fresh(session)
    assert session.execute(select(func.count()).select_from(Account)).scalar_one() == 1
    assert session.execute(select(AuditEvent)).first() is None
