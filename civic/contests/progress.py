"""How far entries are towards their goals (standing money, hours, each material need, backers), each entry's
public support, and the standing money pledges that matching funds are computed from. What counts is always
the standing pledges: cancelled and released ones never do."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, case, distinct, func, select
from sqlmodel import Session

from civic.contests import rules
from civic.contests.models import ContestEntry, EntryStatus, MaterialNeed, Pledge, PledgeKind, PledgeStatus


def percent(value: int, goal: int) -> int:
    """Whole per cent of `goal` reached, rounded down (so 99.9 % never shows as 100 %); 100 for no goal."""
    return value * 100 // goal if goal > 0 else 100


@dataclass(frozen=True)
class MaterialProgress:
    need_id: int
    item: str
    unit: str
    quantity: int  # needed
    pledged: int  # standing

    @property
    def percent(self) -> int:
        return percent(self.pledged, self.quantity)


@dataclass
class Progress:
    entry_id: int
    money_fen: int  # standing money pledges
    money_goal_fen: int
    hours: int
    hours_goal: int
    backers: int  # distinct accounts with a standing pledge of any kind
    materials: list[MaterialProgress] = field(default_factory=list)

    @property
    def money_percent(self) -> int:
        return percent(self.money_fen, self.money_goal_fen)

    @property
    def hours_percent(self) -> int:
        return percent(self.hours, self.hours_goal)

    @property
    def reached(self) -> bool:
        """The money goal is reached (all-or-nothing decides on this when backing closes)."""
        return rules.reached_goal(self.money_goal_fen, self.money_fen)

    @property
    def money_bar(self) -> int:
        """The <progress> value: at most the goal, however far past it the pledges go."""
        return min(self.money_fen, self.money_goal_fen)


def _standing(kind: str | None = None):
    condition = and_(Pledge.status == PledgeStatus.standing)
    return condition if kind is None else and_(condition, Pledge.kind == kind)


def entry_progress(session: Session, entry_ids: Iterable[int]) -> dict[int, Progress]:
    """Progress of each of these entries (entry id → Progress), in two queries whatever their number."""
    ids = sorted(set(entry_ids))
    if not ids:
        return {}
    money = func.coalesce(func.sum(case((Pledge.kind == PledgeKind.money, Pledge.amount_fen), else_=0)), 0)
    hours = func.coalesce(func.sum(case((Pledge.kind == PledgeKind.hours, Pledge.hours), else_=0)), 0)
    rows = session.execute(
        select(ContestEntry.id, ContestEntry.money_goal_fen, ContestEntry.hours_goal, money, hours,
               func.count(distinct(Pledge.account_id)))
        .outerjoin(Pledge, and_(Pledge.entry_id == ContestEntry.id, _standing()))
        .where(ContestEntry.id.in_(ids))
        .group_by(ContestEntry.id, ContestEntry.money_goal_fen, ContestEntry.hours_goal)).all()
    found = {entry_id: Progress(entry_id=entry_id, money_fen=int(fen), money_goal_fen=goal, hours=int(h),
                                hours_goal=h_goal, backers=backers)
             for entry_id, goal, h_goal, fen, h, backers in rows}
    pledged = func.coalesce(func.sum(Pledge.quantity), 0)
    needs = session.execute(
        select(MaterialNeed.id, MaterialNeed.entry_id, MaterialNeed.item, MaterialNeed.unit, MaterialNeed.quantity,
               MaterialNeed.position, pledged)
        .outerjoin(Pledge, and_(Pledge.material_need_id == MaterialNeed.id, _standing(PledgeKind.materials)))
        .where(MaterialNeed.entry_id.in_(ids))
        .group_by(MaterialNeed.id, MaterialNeed.entry_id, MaterialNeed.item, MaterialNeed.unit,
                  MaterialNeed.quantity, MaterialNeed.position)
        .order_by(MaterialNeed.entry_id, MaterialNeed.position, MaterialNeed.id)).all()
    for need_id, entry_id, item, unit, quantity, _position, count in needs:
        found[entry_id].materials.append(MaterialProgress(need_id=need_id, item=item, unit=unit, quantity=quantity,
                                                          pledged=int(count)))
    return found


def support(session: Session, contest_id: int) -> dict[int, int]:
    """Public support: entry id → distinct backers with a standing pledge of any kind, for every accepted
    entry of the contest (0 for one nobody backs). One query."""
    rows = session.execute(
        select(ContestEntry.id, func.count(distinct(Pledge.account_id)))
        .outerjoin(Pledge, and_(Pledge.entry_id == ContestEntry.id, _standing()))
        .where(ContestEntry.contest_id == contest_id, ContestEntry.status == EntryStatus.accepted)
        .group_by(ContestEntry.id)).all()
    return {entry_id: backers for entry_id, backers in rows}


def contributions(session: Session, contest_id: int, entry_ids: Iterable[int]) -> list[tuple[int, int, int]]:
    """(entry id, account id, amount in fen) for each standing money pledge of these entries of the contest,
    one row per pledge, in the order they were made. One query."""
    ids = sorted(set(entry_ids))
    if not ids:
        return []
    rows = session.execute(
        select(Pledge.entry_id, Pledge.account_id, Pledge.amount_fen)
        .join(ContestEntry, ContestEntry.id == Pledge.entry_id)
        .where(ContestEntry.contest_id == contest_id, Pledge.entry_id.in_(ids), _standing(PledgeKind.money))
        .order_by(Pledge.id)).all()
    return [(entry_id, account_id, fen) for entry_id, account_id, fen in rows]
