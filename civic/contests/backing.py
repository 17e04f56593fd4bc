"""Public backing: residents pledge money, volunteer hours or materials on accepted entries, and may cancel
until the deadline (not in its last 24 hours when that would take the entry below its goal). When backing
closes, all-or-nothing: an entry that missed its money goal releases every pledge and its backers are told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select, update
from sqlmodel import Session

from civic import audit
from civic.contests import access, entry_queries, rules
from civic.contests.entry_input import clean
from civic.contests.models import (
    Contest,
    ContestEntry,
    ContestStatus,
    EntryStatus,
    Funding,
    MaterialNeed,
    Pledge,
    PledgeKind,
    PledgeStatus,
)
from civic.db import session_scope
from civic.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from civic.i18n import DISPLAY_TIMEZONE, N_
from civic.jobs import due_job
from civic.notifications import notify
from civic.places.rules import Viewer
from civic.settings import Settings

NOTE_MAX = 200
REFUSED_CANCEL = {
    PledgeKind.money: N_("This pledge cannot be cancelled now. Backing closes at %(deadline)s, and in its last 24 "
                         "hours a pledge may not be cancelled when that would take the entry below its goal: "
                         "“%(title)s” has ¥%(standing)s pledged towards its goal of ¥%(goal)s, and without your "
                         "¥%(amount)s it would fall short."),
    PledgeKind.hours: N_("This pledge cannot be cancelled now. Backing closes at %(deadline)s, and in its last 24 "
                         "hours a pledge may not be cancelled when that would take the entry below its goal: "
                         "“%(title)s” has %(standing)s volunteer hours pledged towards its goal of %(goal)s, and "
                         "without your %(amount)s it would fall short."),
    PledgeKind.materials: N_("This pledge cannot be cancelled now. Backing closes at %(deadline)s, and in its last "
                             "24 hours a pledge may not be cancelled when that would take the entry below its goal: "
                             "“%(title)s” has %(standing)s of the %(goal)s %(unit)s of “%(item)s” it needs, and "
                             "without your %(amount)s it would fall short."),
}
NOT_STANDING = {
    PledgeStatus.cancelled: N_("This pledge has already been cancelled."),
    PledgeStatus.released: N_("This pledge was released: the entry did not reach its money goal."),
}


# ---- settling at the deadline ---------------------------------------------------------------------------

def _due(contest: Contest, now: datetime) -> bool:
    return (contest.status == ContestStatus.published and contest.backing_settled_at is None
            and now >= contest.backing_closes_at)


def settle_backing(session: Session, *, contest_id: int, now: datetime) -> int:
    """All-or-nothing, once backing has closed: each accepted entry is funded when its standing money pledges
    reach its money goal, else released (every standing pledge of any kind released, each backer told once).
    Idempotent: does nothing before the deadline or once settled. Returns how many entries it settled."""
    contest, _place = access.contest_and_place(session, contest_id)
    if not _due(contest, now):
        return 0
    contest, _place = access.contest_and_place(session, contest_id, lock="update")
    if not _due(contest, now):  # settled by another worker while this one waited for the lock
        return 0
    entries = list(session.execute(
        select(ContestEntry).where(ContestEntry.contest_id == contest.id, ContestEntry.status == EntryStatus.accepted)
        .order_by(ContestEntry.id).execution_options(populate_existing=True)).scalars())
    money = dict(session.execute(
        select(Pledge.entry_id, func.sum(Pledge.amount_fen))
        .where(Pledge.entry_id.in_([e.id for e in entries]), Pledge.kind == PledgeKind.money,
               Pledge.status == PledgeStatus.standing).group_by(Pledge.entry_id)).all()) if entries else {}
    released = []
    for entry in entries:
        funded = rules.reached_goal(entry.money_goal_fen, int(money.get(entry.id) or 0))
        entry.funding = Funding.funded if funded else Funding.released
        if not funded:
            released.append(entry)
    backers = []
    if released:
        ids = [e.id for e in released]
        backers = session.execute(
            select(Pledge.entry_id, Pledge.account_id).where(Pledge.entry_id.in_(ids),
                                                             Pledge.status == PledgeStatus.standing)
            .distinct().order_by(Pledge.entry_id, Pledge.account_id)).all()
        session.execute(update(Pledge).where(Pledge.entry_id.in_(ids), Pledge.status == PledgeStatus.standing)
                        .values(status=PledgeStatus.released, released_at=now)
                        .execution_options(synchronize_session="fetch"))
    contest.backing_settled_at = now
    session.flush()
    audit.record(session, actor_id=None, action="contest.backing_settled", object_type="contest", object_id=contest.id,
                 payload={"funded": [e.id for e in entries if e.funding == Funding.funded],
                          "released": [e.id for e in released]}, now=now)
    titles = {e.id: e.title for e in released}
    for entry_id, account_id in backers:
        notify(session, account_id=account_id, url=access.entry_path(entry_id), params={"title": titles[entry_id]},
               subject=N_("“%(title)s” did not reach its money goal when backing closed; your pledge is released."))
    return len(entries)


def settle_if_due(session: Session, *, now: datetime, contest_id: int | None = None,
                  entry_id: int | None = None) -> None:
    """Settle the contest (given, or the entry's) if backing has closed and nothing has settled it yet: pages
    and use cases after the deadline call this, so that no job has to have run first. One query when not due."""
    stmt = select(Contest.id, Contest.status, Contest.backing_settled_at, Contest.backing_closes_at)
    if entry_id is not None:
        stmt = stmt.join(ContestEntry, ContestEntry.contest_id == Contest.id).where(ContestEntry.id == entry_id)
    else:
        stmt = stmt.where(Contest.id == contest_id)
    row = session.execute(stmt).first()
    if row is not None and row.status == ContestStatus.published and row.backing_settled_at is None \
            and now >= row.backing_closes_at:
        settle_backing(session, contest_id=row.id, now=now)


@due_job("settle_contest_backing")
def settle_due(engine: Engine, settings: Settings, now: datetime) -> int:
    """Settle every contest whose backing has closed, each in its own transaction."""
    with session_scope(engine) as session:
        due = session.execute(select(Contest.id).where(
            Contest.status == ContestStatus.published, Contest.backing_closes_at <= now,
            Contest.backing_settled_at.is_(None)).order_by(Contest.id)).scalars().all()
    settled = 0
    for contest_id in due:
        with session_scope(engine) as session:
            settled += settle_backing(session, contest_id=contest_id, now=now)
    return settled


# ---- pledging -----------------------------------------------------------------------------------------

def read_offer(*, kind: str, amount: str = "", hours: str = "", need: str = "", quantity: str = "") -> dict:
    """A pledge form as typed → pledge()'s keyword arguments, or InvalidInput naming the field."""
    if kind == PledgeKind.money:
        fen = rules.parse_yuan(amount)
        if fen is None or not 0 < fen <= rules.PLEDGE_MAX_FEN:
            raise InvalidInput(N_("Enter an amount of money in yuan from 0.01 to %(max)s, e.g. 50 or 12.50."),
                               field="amount", max=rules.yuan(rules.PLEDGE_MAX_FEN))
        return {"kind": kind, "amount_fen": fen}
    if kind == PledgeKind.hours:
        text = hours.strip()
        if not text.isdigit() or not 0 < int(text) <= rules.HOURS_MAX:
            raise InvalidInput(N_("Enter the volunteer hours as a whole number from 1 to %(max)s."), field="hours",
                               max=rules.HOURS_MAX)
        return {"kind": kind, "hours": int(text)}
    if kind == PledgeKind.materials:
        if not need.strip().isdigit() or len(need.strip()) > 9:
            raise InvalidInput(N_("Choose one of the materials the entry needs."), field="need")
        text = quantity.strip()
        if not text.isdigit() or not 0 < int(text) <= rules.QUANTITY_MAX:
            raise InvalidInput(N_("Enter the quantity as a whole number from 1 to %(max)s."), field="quantity",
                               max=rules.QUANTITY_MAX)
        return {"kind": kind, "material_need_id": int(need), "quantity": int(text)}
    raise InvalidInput(N_("Choose what you pledge: money, volunteer hours or materials."), field="kind")


def _may_pledge(session: Session, *, viewer: Viewer, entry_id: int, now: datetime) -> entry_queries.SeenEntry:
    settle_if_due(session, entry_id=entry_id, now=now)
    seen = entry_queries.visible_entry(session, viewer=viewer, entry_id=entry_id, now=now, lock="share")
    access.check("pledge", seen.phase, seen.roles, seen.place)
    if rules.TEAM in seen.roles:
        raise PermissionDenied(N_("You are on this entry's team: you cannot back your own entry."))
    if seen.entry.status != EntryStatus.accepted:
        raise Conflict(N_("Only entries accepted at screening can be backed."))
    return seen


def pledge_as_typed(session: Session, *, viewer: Viewer, entry_id: int, kind: str, amount: str = "", hours: str = "",
                    need: str = "", quantity: str = "", note: str = "", now: datetime) -> Pledge:
    """The pledge form as typed (yuan, whole numbers): someone who may not pledge here is refused as such
    before their typing is looked at."""
    try:
        offer = read_offer(kind=kind, amount=amount, hours=hours, need=need, quantity=quantity)
    except InvalidInput:
        _may_pledge(session, viewer=viewer, entry_id=entry_id, now=now)
        raise
    return pledge(session, viewer=viewer, entry_id=entry_id, note=note, now=now, **offer)


def pledge(session: Session, *, viewer: Viewer, entry_id: int, kind: str, amount_fen: int = 0, hours: int = 0,
           material_need_id: int | None = None, quantity: int = 0, note: str = "", now: datetime) -> Pledge:
    """A resident who is not on the entry's team pledges money (fen), volunteer hours or a quantity of one of
    the entry's material needs on an accepted entry while backing is open. Each pledge is its own row."""
    seen = _may_pledge(session, viewer=viewer, entry_id=entry_id, now=now)
    values = {"amount_fen": 0, "hours": 0, "material_need_id": None, "quantity": 0}
    if kind == PledgeKind.money:
        if not isinstance(amount_fen, int) or not 0 < amount_fen <= rules.PLEDGE_MAX_FEN:
            raise InvalidInput(N_("Enter an amount of money in yuan from 0.01 to %(max)s, e.g. 50 or 12.50."),
                               field="amount", max=rules.yuan(rules.PLEDGE_MAX_FEN))
        values["amount_fen"] = amount_fen
    elif kind == PledgeKind.hours:
        if not isinstance(hours, int) or not 0 < hours <= rules.HOURS_MAX:
            raise InvalidInput(N_("Enter the volunteer hours as a whole number from 1 to %(max)s."), field="hours",
                               max=rules.HOURS_MAX)
        values["hours"] = hours
    elif kind == PledgeKind.materials:
        need = session.get(MaterialNeed, material_need_id) if material_need_id else None
        if need is None or need.entry_id != seen.entry.id:
            raise InvalidInput(N_("Choose one of the materials the entry needs."), field="need")
        if not isinstance(quantity, int) or not 0 < quantity <= rules.QUANTITY_MAX:
            raise InvalidInput(N_("Enter the quantity as a whole number from 1 to %(max)s."), field="quantity",
                               max=rules.QUANTITY_MAX)
        values.update(material_need_id=need.id, quantity=quantity)
    else:
        raise InvalidInput(N_("Choose what you pledge: money, volunteer hours or materials."), field="kind")
    note = " ".join(clean(note).split())
    if len(note) > NOTE_MAX:
        raise InvalidInput(N_("The note is too long (at most %(max)s characters)."), field="note", max=NOTE_MAX)
    row = Pledge(entry_id=seen.entry.id, account_id=viewer.account_id, kind=kind, note=note, created_at=now, **values)
    session.add(row)
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="contest.pledged", object_type="pledge", object_id=row.id,
                 payload={"entry": seen.entry.id, "kind": kind, **{k: v for k, v in values.items() if v}}, now=now)
    return row


# ---- cancelling ---------------------------------------------------------------------------------------

@dataclass
class Cancellable:
    pledge: Pledge
    seen: entry_queries.SeenEntry
    need: MaterialNeed | None
    problem: Conflict | None  # why the 24-hour rule refuses the cancel now, or None


def _amount(pledge: Pledge) -> int:
    return {PledgeKind.money: pledge.amount_fen, PledgeKind.hours: pledge.hours}.get(pledge.kind, pledge.quantity)


def cancel_problem(session: Session, *, pledge: Pledge, entry: ContestEntry, contest: Contest,
                   need: MaterialNeed | None, now: datetime) -> Conflict | None:
    """The refusal, when cancelling `pledge` now would take its entry below its goal in the last 24 hours."""
    if not contest.backing_closes_at - rules.CANCEL_GUARD <= now < contest.backing_closes_at:
        return None  # the rule bites only in the last day: no need to add anything up
    column = {PledgeKind.money: Pledge.amount_fen, PledgeKind.hours: Pledge.hours}.get(pledge.kind, Pledge.quantity)
    stmt = select(func.coalesce(func.sum(column), 0)).where(
        Pledge.entry_id == entry.id, Pledge.kind == pledge.kind, Pledge.status == PledgeStatus.standing)
    if pledge.kind == PledgeKind.materials:
        stmt = stmt.where(Pledge.material_need_id == pledge.material_need_id)
    standing = int(session.execute(stmt).scalar_one())
    goal = {PledgeKind.money: entry.money_goal_fen, PledgeKind.hours: entry.hours_goal}.get(
        pledge.kind, need.quantity if need is not None else 0)
    amount = _amount(pledge)
    if not rules.cancel_refused(now=now, backing_closes_at=contest.backing_closes_at, standing=standing, goal=goal,
                                amount=amount):
        return None
    shown = (lambda n: rules.yuan(n)) if pledge.kind == PledgeKind.money else str
    return Conflict(REFUSED_CANCEL[pledge.kind], title=entry.title, standing=shown(standing), goal=shown(goal),
                    amount=shown(amount), unit=need.unit if need else "", item=need.item if need else "",
                    deadline=contest.backing_closes_at.astimezone(DISPLAY_TIMEZONE).strftime("%Y-%m-%d %H:%M"))


def cancellable(session: Session, *, viewer: Viewer, pledge_id: int, now: datetime,
                lock: str | None = None) -> Cancellable:
    """The viewer's own standing pledge while backing is open, with the 24-hour rule's answer."""
    entry_id = session.execute(select(Pledge.entry_id).where(Pledge.id == pledge_id)).scalar()
    if entry_id is None:
        raise NotFound(N_("There is no such pledge."))
    settle_if_due(session, entry_id=entry_id, now=now)
    # The entry row is locked (after its contest): two cancels of one entry cannot both pass the check.
    seen = entry_queries.visible_entry(session, viewer=viewer, entry_id=entry_id, now=now, lock=lock)
    row = session.execute(select(Pledge).where(Pledge.id == pledge_id)
                          .execution_options(populate_existing=True)).scalar_one()
    if row.account_id != viewer.account_id:
        raise PermissionDenied(N_("You can cancel only your own pledges."))
    if row.status != PledgeStatus.standing:
        raise Conflict(NOT_STANDING[row.status])
    access.check("cancel_pledge", seen.phase, seen.roles, seen.place)
    need = session.get(MaterialNeed, row.material_need_id) if row.material_need_id else None
    problem = cancel_problem(session, pledge=row, entry=seen.entry, contest=seen.contest, need=need, now=now)
    return Cancellable(pledge=row, seen=seen, need=need, problem=problem)


def cancel_pledge(session: Session, *, viewer: Viewer, pledge_id: int, now: datetime) -> Pledge:
    """The backer cancels their own standing pledge until the deadline, unless the 24-hour rule refuses."""
    found = cancellable(session, viewer=viewer, pledge_id=pledge_id, now=now, lock="update")
    if found.problem is not None:
        raise found.problem
    row = found.pledge
    row.status, row.cancelled_at = PledgeStatus.cancelled, now
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="contest.pledge_cancelled", object_type="pledge",
                 object_id=row.id, payload={"entry": row.entry_id, "kind": row.kind, "amount": _amount(row)}, now=now)
    return row
