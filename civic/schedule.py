"""Phases shared by every capability that runs on dates (contests, planning projects): boundary rules and
the role × phase permission table's lookup. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Permission:
    """Who (any of `roles`) may do an action, and in which phases."""

    phases: frozenset[str]
    roles: frozenset[str]


def permission(phases: Iterable[str], *roles: str) -> Permission:
    return Permission(frozenset(phases), frozenset(roles))


def refusal_in(table: Mapping[str, Permission], action: str, phase: str, roles: Iterable[str]) -> str | None:
    """Why `action` is refused under `table`: "role", "phase", or None when it is allowed. The role is
    checked first, so that a stranger learns nothing about phases."""
    rule = table[action]
    if rule.roles.isdisjoint(roles):
        return "role"
    if phase not in rule.phases:
        return "phase"
    return None
