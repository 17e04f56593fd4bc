"""Shared fixtures: a real database per backend (SQLite always, PostgreSQL when
CIVIC_TEST_DATABASE_URL is set), an app on it, a client that signs in and sends CSRF tokens."""

from __future__ import annotations

import base64
import json
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel
from starlette.testclient import TestClient

from civic.auth.identity import session_stamp
from civic.auth.models import Account, RoleGrant
from civic.db import import_all_models, make_engine
from civic.settings import Settings
from civic.web.app import SESSION_COOKIE, create_app

PG_URL = os.environ.get("CIVIC_TEST_DATABASE_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"
SECRET = "test-secret-key-not-for-production"


def skip_or_fail(reason: str) -> None:
    """Outside CI an unavailable backend skips visibly; in CI a skip would hide missing coverage."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this must run, not skip)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'civic-test.sqlite3'}"


@contextmanager
def temporary_postgres_database(prefix: str) -> Iterator[str]:
    """Create a uniquely named database on the CIVIC_TEST_DATABASE_URL server, yield its URL, drop it."""
    if not PG_URL:
        skip_or_fail("CIVIC_TEST_DATABASE_URL is not set: PostgreSQL tests skipped")
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database created for this run and dropped after it — nothing left from earlier runs."""
    with temporary_postgres_database("civic_test") as url:
        yield url


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request) -> str:
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture(scope="session")
def _schema_engine(database_url):
    """One engine and schema per backend per run; tests clean up rows, not tables."""
    import_all_models()
    engine = make_engine(database_url)
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(_schema_engine):
    yield _schema_engine
    _wipe(_schema_engine)


def _wipe(engine) -> None:
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))
            conn.execute(text("DELETE FROM sqlite_sequence")) if _has_sqlite_sequence(conn) else None


def _has_sqlite_sequence(conn) -> bool:
    return conn.execute(text("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'")).first() is not None


@pytest.fixture(scope="session")
def _arrange_engine(database_url):
    engine = make_engine(database_url, sqlite_pool_size=3, immediate=False)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine, _arrange_engine) -> Iterator[Session]:
    """A session for arranging and asserting. Commit what the app must see; after the app writes,
    call `session.rollback()` and `session.expire_all()` before asserting, so you read fresh rows
    (objects committed earlier are not expired by a rollback alone: expire_on_commit is off)."""
    with Session(_arrange_engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings(database_url=database_url, secret_key=SECRET, var_dir=tmp_path, default_locale="en")


@pytest.fixture
def app(settings, engine):
    return create_app(settings, engine=engine)


class CivicClient(TestClient):
    """A TestClient that knows the page's CSRF token and can sign in without the login form."""

    def csrf_token(self) -> str:
        page = self.get("/")
        match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert match, "no CSRF token on the home page"
        return match.group(1)

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)

    def login_as(self, account: Account) -> None:
        """Write a signed session cookie exactly as SessionMiddleware would."""
        payload = {"uid": account.id, "stamp": session_stamp(account), "csrf": "t" * 43}
        data = base64.b64encode(json.dumps(payload).encode())
        self.cookies.clear()  # one session cookie at a time, so switching users in one client works
        # The domain the server's own Set-Cookie gets (httpx stores "testserver" as "testserver.local"),
        # so the app's later writes replace this cookie instead of adding a second one.
        self.cookies.set(SESSION_COOKIE, TimestampSigner(SECRET).sign(data).decode(), domain="testserver.local")


@pytest.fixture
def client(app) -> Iterator[CivicClient]:
    with CivicClient(app, follow_redirects=False) as c:
        yield c


@pytest.fixture
def make_account(session):
    """make_account(name, roles=[(role, scope_type, scope_id)], **fields) → a committed Account."""
    counter = iter(range(1, 10_000))

    def make(display_name: str = "Resident", *, roles=(), **fields) -> Account:
        n = next(counter)
        fields.setdefault("email", f"user{n}@example.test")
        account = Account(display_name=display_name, **fields)
        session.add(account)
        session.flush()
        for role, scope_type, scope_id in roles:
            session.add(RoleGrant(account_id=account.id, role=role, scope_type=scope_type, scope_id=scope_id))
        session.commit()
        return account

    return make
