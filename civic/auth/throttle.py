"""Sign-in throttling kept in the LoginFailure table, so that every worker process sees the same counts."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlmodel import Session

from civic.auth.models import LoginFailure
from civic.errors import TooManyAttempts
from civic.i18n import N_
from civic.settings import Settings


@dataclass(frozen=True)
class ThrottlePolicy:
    """At most `max_per_account` failures per identifier and `max_per_address` per client address per window."""

    max_per_account: int = 5
    max_per_address: int = 20
    window_seconds: int = 900

    @classmethod
    def from_settings(cls, settings: Settings) -> ThrottlePolicy:
        return cls(settings.login_max_failures_per_account, settings.login_max_failures_per_address,
                   settings.login_window_seconds)

    @property
    def window(self) -> timedelta:
        return timedelta(seconds=self.window_seconds)


def retry_after(session: Session, *, key: str, limit: int, policy: ThrottlePolicy, now: datetime) -> datetime | None:
    """When `key` may try again, or None if it has fewer than `limit` failures in the window."""
    since = now - policy.window
    count = session.execute(
        select(func.count()).select_from(LoginFailure)
        .where(LoginFailure.key == key, LoginFailure.created_at > since)
    ).scalar_one()
    if count < limit:
        return None
    # Attempts resume once the `limit`-th most recent failure leaves the window: from then on fewer
    # than `limit` failures remain inside it.
    pivot = session.execute(
        select(LoginFailure.created_at).where(LoginFailure.key == key, LoginFailure.created_at > since)
        .order_by(LoginFailure.created_at.desc()).offset(limit - 1).limit(1)
    ).scalar_one()
    return pivot + policy.window


def check(session: Session, *, account_key: str, address_key: str, policy: ThrottlePolicy, now: datetime) -> None:
    """Raise TooManyAttempts (429) when either key has used up its failures; checked before any password."""
    until = [
        moment for moment in (
            retry_after(session, key=account_key, limit=policy.max_per_account, policy=policy, now=now),
            retry_after(session, key=address_key, limit=policy.max_per_address, policy=policy, now=now),
        ) if moment is not None
    ]
    if until:
        wait = max(until) - now
        minutes = max(1, math.ceil(wait.total_seconds() / 60))
        raise TooManyAttempts(
            N_("Too many failed sign-in attempts. Please wait %(minutes)d minutes, then try again."),
            field="identifier", minutes=minutes, retry_after=max(1, math.ceil(wait.total_seconds())),
        )


def record_failure(session: Session, *, keys: list[str], policy: ThrottlePolicy, now: datetime) -> None:
    """Count one failure against each key, and drop failures too old to matter (keeps the table small)."""
    session.execute(delete(LoginFailure).where(LoginFailure.created_at <= now - policy.window))
    session.add_all([LoginFailure(key=key, created_at=now) for key in keys])
    session.flush()


def forget(session: Session, *, key: str) -> None:
    """A successful sign-in wipes the identifier's failures (never the address's: one good account
    must not reset an attacker's budget for guessing others)."""
    session.execute(delete(LoginFailure).where(LoginFailure.key == key))
