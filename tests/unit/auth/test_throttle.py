"""Sign-in throttling in the database: per identifier, per address, a sliding window, time passed in."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from civic.auth import service
from civic.auth.models import LoginFailure
from civic.auth.passwords import hash_password
from civic.auth.throttle import ThrottlePolicy
from civic.db import run_in_session
from civic.errors import TooManyAttempts
from tests.unit.auth.dbhelp import fresh

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
POLICY = ThrottlePolicy(max_per_account=3, max_per_address=5, window_seconds=600)
PASSWORD = "a long enough password"


@pytest.fixture
def account(make_account):
    return make_account("Zhang", email="zhang@example.test", password_hash=hash_password(PASSWORD))


def attempt(engine, identifier, password, *, at, address="10.0.0.1"):
    return run_in_session(engine, service.authenticate, identifier=identifier, password=password,
                          address=address, policy=POLICY, now=at)


def failures(session) -> int:
    fresh(session)
    return session.execute(select(func.count()).select_from(LoginFailure)).scalar_one()


def test_failures_are_committed_and_the_limit_refuses_even_the_right_password(engine, session, account):
    for i in range(3):
        assert attempt(engine, "zhang@example.test", "wrong", at=T0 + timedelta(seconds=i)) is None
    assert failures(session) == 6  # one per identifier, one per address
    with pytest.raises(TooManyAttempts) as exc:
        attempt(engine, "zhang@example.test", PASSWORD, at=T0 + timedelta(seconds=10))
    # The oldest of the last three failures (T0) leaves the window at T0 + 600 s.
    assert exc.value.params["retry_after"] == 590
    assert exc.value.params["minutes"] == 10
    assert exc.value.status_code == 429
    assert failures(session) == 6  # a refused attempt is not even counted


def test_the_window_slides(engine, account):
    for i in range(3):
        attempt(engine, "zhang@example.test", "wrong", at=T0 + timedelta(minutes=i))
    with pytest.raises(TooManyAttempts):
        attempt(engine, "zhang@example.test", PASSWORD, at=T0 + timedelta(minutes=9, seconds=59))
    signed_in = attempt(engine, "zhang@example.test", PASSWORD, at=T0 + timedelta(minutes=10, seconds=1))
    assert signed_in is not None and signed_in.account_id == account.id


def test_success_forgets_the_identifiers_failures_but_not_the_addresses(engine, session, account):
    for i in range(2):
        attempt(engine, "zhang@example.test", "wrong", at=T0 + timedelta(seconds=i))
    assert attempt(engine, "zhang@example.test", PASSWORD, at=T0 + timedelta(seconds=5)) is not None
    fresh(session)
    keys = session.execute(select(LoginFailure.key)).scalars().all()
    assert sorted(keys) == ["ip:10.0.0.1", "ip:10.0.0.1"]


def test_one_address_guessing_many_accounts_is_stopped(engine, account):
    for i in range(5):
        attempt(engine, f"someone{i}@example.test", "guess", at=T0 + timedelta(seconds=i))
    with pytest.raises(TooManyAttempts):
        attempt(engine, "zhang@example.test", PASSWORD, at=T0 + timedelta(seconds=6))
    # The same account from another address is still fine: the identifier has no failures.
    assert attempt(engine, "zhang@example.test", PASSWORD, at=T0 + timedelta(seconds=7), address="10.0.0.2")


def test_unknown_accounts_count_too_and_spellings_share_a_budget(engine, account):
    attempt(engine, "138 0013 8000", "x", at=T0)
    attempt(engine, "+86 13800138000", "x", at=T0)
    attempt(engine, "13800138000", "x", at=T0)
    with pytest.raises(TooManyAttempts):
        attempt(engine, "0086-138-0013-8000", "x", at=T0, address="10.9.9.9")


def test_old_failures_are_pruned(engine, session, account):
    attempt(engine, "zhang@example.test", "wrong", at=T0)
    attempt(engine, "other@example.test", "wrong", at=T0 + timedelta(hours=1))
    fresh(session)
    keys = session.execute(select(LoginFailure.key)).scalars().all()
    assert sorted(keys) == ["id:other@example.test", "ip:10.0.0.1"]
