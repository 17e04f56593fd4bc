"""Phase boundaries shared by every capability that runs on dates (contests, planning projects): pure."""

from __future__ import annotations

from datetime import datetime


def phase_dates_problem(dates: list[datetime]) -> int | None:
    """The index of the first boundary not strictly after the one before it, or None when in order."""
    for i in range(1, len(dates)):
        if dates[i] <= dates[i - 1]:
            return i
    return None


def moved_past_boundary(old: datetime, new: datetime, now: datetime) -> bool:
    """A boundary already passed cannot move, and none can move into the past: either would change the
    phase people are in (or were in) after the fact."""
    return old != new and (old <= now or new <= now)
