"""The one place that reads the wall clock; rules take `now` as an argument instead."""

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
