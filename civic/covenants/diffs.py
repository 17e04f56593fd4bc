"""Character-level diffs between two versions of a clause, and of the whole covenant between two times."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, or_, select, union
from sqlmodel import Session

from civic.covenants import rules
from civic.covenants.models import Clause, ClauseVersion, Covenant
from civic.errors import NotFound
from civic.i18n import N_


@dataclass(frozen=True)
class VersionDiff:
    clause: Clause
    old: ClauseVersion | None  # None: the clause did not exist yet
    new: ClauseVersion | None  # None: the clause was removed
    segments: list[rules.Segment]
    left: list[rules.Segment] = field(default_factory=list)  # side by side: the old text's runs
    right: list[rules.Segment] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return rules.has_changes(self.segments)


def _version_diff(clause: Clause, old: ClauseVersion | None, new: ClauseVersion | None) -> VersionDiff:
    segments = rules.diff(old.text if old else "", new.text if new else "")
    left, right = rules.side_by_side(segments)
    return VersionDiff(clause, old, new, segments, left, right)


def diff_versions(session: Session, *, clause_id: int, from_number: int, to_number: int) -> VersionDiff:
    """The character-level diff between two versions of a clause (in either order)."""
    clause = session.get(Clause, clause_id)
    if clause is None:
        raise NotFound(N_("There is no such clause."))
    found = {v.number: v for v in session.execute(select(ClauseVersion).where(
        ClauseVersion.clause_id == clause.id, ClauseVersion.number.in_([from_number, to_number]))).scalars()}
    if from_number not in found or to_number not in found:
        raise NotFound(N_("This clause has no such version."))
    return _version_diff(clause, found[from_number], found[to_number])


def versions_at(session: Session, *, covenant_id: int, at: datetime) -> dict[int, ClauseVersion]:
    """Clause id → the version current at `at`, for the clauses the covenant had then (one query). A clause's
    current version is always its highest number, so "current at t" is the highest saved by t."""
    latest = (select(ClauseVersion.clause_id, func.max(ClauseVersion.number).label("number"))
              .join(Clause, Clause.id == ClauseVersion.clause_id)
              .where(Clause.covenant_id == covenant_id, ClauseVersion.created_at <= at,
                     or_(Clause.removed_at.is_(None), Clause.removed_at > at))
              .group_by(ClauseVersion.clause_id).subquery())
    rows = session.execute(select(ClauseVersion).join(latest, and_(
        latest.c.clause_id == ClauseVersion.clause_id, latest.c.number == ClauseVersion.number))).scalars()
    return {v.clause_id: v for v in rows}


@dataclass(frozen=True)
class CovenantDiff:
    covenant: Covenant
    at_from: datetime
    at_to: datetime
    clauses: list[VersionDiff]  # every clause present at either time, in the covenant's order

    @property
    def changed(self) -> list[VersionDiff]:
        return [d for d in self.clauses if d.changed or (d.old is None) != (d.new is None)]


def covenant_diff(session: Session, *, covenant_id: int, at_from: datetime, at_to: datetime) -> CovenantDiff:
    """The whole covenant's text at two times, clause by clause: added, removed and changed clauses with
    their diffs (four queries). Clauses keep today's order."""
    covenant = session.get(Covenant, covenant_id)
    if covenant is None:
        raise NotFound(N_("There is no such covenant."))
    if at_to < at_from:
        at_from, at_to = at_to, at_from
    old, new = (versions_at(session, covenant_id=covenant.id, at=at_from),
                versions_at(session, covenant_id=covenant.id, at=at_to))
    clauses = session.execute(select(Clause).where(Clause.id.in_(set(old) | set(new)))
                              .order_by(Clause.position, Clause.id)).scalars().all()
    return CovenantDiff(covenant, at_from, at_to, [_version_diff(c, old.get(c.id), new.get(c.id)) for c in clauses])


def covenant_moments(session: Session, *, covenant_id: int) -> list[datetime]:
    """The moments the covenant's text changed, oldest first: every time a version of one of its clauses was
    saved, and every time a clause was removed (one query). The whole-covenant diff compares two of them."""
    saved = (select(ClauseVersion.created_at.label("at")).join(Clause, Clause.id == ClauseVersion.clause_id)
             .where(Clause.covenant_id == covenant_id))
    removed = select(Clause.removed_at.label("at")).where(Clause.covenant_id == covenant_id,
                                                          Clause.removed_at.is_not(None))
    moments = union(saved, removed).subquery()
    return list(session.execute(select(moments.c.at).order_by(moments.c.at)).scalars())
