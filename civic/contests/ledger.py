"""The pledge ledger for treasurers and staff: per entry the money pledged, confirmed as received, awaiting
confirmation and released, hours and materials, with totals that add up; and the treasurer confirming money
received against the standing money pledges of funded entries (there is no payment gateway)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select, update
from sqlmodel import Session

from civic import audit
from civic.auth.models import Account
from civic.contests import access, backing, rules
from civic.contests.models import (
    Contest,
    ContestEntry,
    EntryStatus,
    Funding,
    Phase,
    Pledge,
    PledgeKind,
    PledgeStatus,
)
from civic.contests.progress import Progress, entry_progress
from civic.errors import Conflict, NotFound
from civic.i18n import N_
from civic.notifications import notify
from civic.pagination import Page, paginate
from civic.places.models import Place
from civic.places.rules import Viewer

PLEDGES_PER_PAGE = 50
CSV_HEADER = ["entry_id", "title", "status", "funding", "money_goal", "pledged", "confirmed", "awaiting", "released",
              "cancelled", "hours_goal", "hours", "backers"]


def confirm_money(session: Session, *, viewer: Viewer, pledge_id: int, now: datetime) -> Pledge:
    """A treasurer (or staff) records that a standing money pledge of a funded entry was received, once."""
    entry_id = session.execute(select(Pledge.entry_id).where(Pledge.id == pledge_id)).scalar()
    if entry_id is None:
        raise NotFound(N_("There is no such pledge."))
    backing.settle_if_due(session, entry_id=entry_id, now=now)
    entry, contest, place = access.entry_contest_place(session, entry_id, lock="share")
    access.authorise(session, viewer=viewer, action="confirm_money", contest=contest, place=place, now=now)
    row = session.execute(select(Pledge).where(Pledge.id == pledge_id)
                          .execution_options(populate_existing=True)).scalar_one()
    if row.kind != PledgeKind.money:
        raise Conflict(N_("Only money pledges are confirmed; hours and materials are given in kind."))
    if row.status != PledgeStatus.standing or entry.funding != Funding.funded:
        raise Conflict(N_("Money is confirmed only for standing pledges of entries that reached their goal."))
    # A conditional update: of two treasurers confirming at once, one wins and the other is told.
    done = session.execute(update(Pledge).where(Pledge.id == row.id, Pledge.confirmed_at.is_(None))
                           .values(confirmed_at=now, confirmed_by=viewer.account_id)
                           .execution_options(synchronize_session=False)).rowcount
    if not done:
        raise Conflict(N_("This pledge has already been confirmed as received."))
    session.refresh(row)
    audit.record(session, actor_id=viewer.account_id, action="contest.money_confirmed", object_type="pledge",
                 object_id=row.id, payload={"entry": entry.id, "amount_fen": row.amount_fen}, now=now)
    notify(session, account_id=row.account_id, url=access.entry_path(entry.id),
           subject=N_("Thank you: your pledge of ¥%(amount)s to “%(title)s” has been received."),
           params={"amount": rules.yuan(row.amount_fen), "title": entry.title})
    return row


@dataclass
class LedgerRow:
    entry_id: int
    title: str
    status: str
    funding: str
    money_goal_fen: int
    confirmed_fen: int = 0
    awaiting_fen: int = 0  # standing, not confirmed yet
    released_fen: int = 0
    cancelled_fen: int = 0
    progress: Progress | None = None

    @property
    def pledged_fen(self) -> int:
        """Every money pledge not cancelled: confirmed + awaiting + released."""
        return self.confirmed_fen + self.awaiting_fen + self.released_fen


@dataclass
class PledgeRow:
    pledge: Pledge
    backer: str
    entry_title: str
    funding: str


@dataclass
class LedgerPage:
    contest: Contest
    place: Place
    phase: Phase
    roles: frozenset[str]
    rows: list[LedgerRow]
    totals: LedgerRow
    pledges: Page[PledgeRow]

    @property
    def can_confirm(self) -> bool:
        return rules.allowed("confirm_money", self.phase, self.roles)


def _sum(condition):
    return func.coalesce(func.sum(case((and_(Pledge.kind == PledgeKind.money, condition), Pledge.amount_fen),
                                       else_=0)), 0)


def ledger_rows(session: Session, contest_id: int) -> tuple[list[LedgerRow], LedgerRow]:
    """One row per accepted entry (those that can have pledges) and the totals (three queries)."""
    standing = Pledge.status == PledgeStatus.standing
    rows = session.execute(
        select(ContestEntry.id, ContestEntry.title, ContestEntry.status, ContestEntry.funding,
               ContestEntry.money_goal_fen, _sum(and_(standing, Pledge.confirmed_at.is_not(None))),
               _sum(and_(standing, Pledge.confirmed_at.is_(None))), _sum(Pledge.status == PledgeStatus.released),
               _sum(Pledge.status == PledgeStatus.cancelled))
        .outerjoin(Pledge, Pledge.entry_id == ContestEntry.id)
        .where(ContestEntry.contest_id == contest_id, ContestEntry.status == EntryStatus.accepted)
        .group_by(ContestEntry.id, ContestEntry.title, ContestEntry.status, ContestEntry.funding,
                  ContestEntry.money_goal_fen).order_by(ContestEntry.id)).all()
    found = [LedgerRow(entry_id=r[0], title=r[1], status=r[2], funding=r[3], money_goal_fen=r[4], confirmed_fen=int(r[5]),
                       awaiting_fen=int(r[6]), released_fen=int(r[7]), cancelled_fen=int(r[8])) for r in rows]
    progress = entry_progress(session, [r.entry_id for r in found])
    for row in found:
        row.progress = progress[row.entry_id]
    totals = LedgerRow(entry_id=0, title="", status="", funding="", money_goal_fen=sum(r.money_goal_fen for r in found))
    for name in ("confirmed_fen", "awaiting_fen", "released_fen", "cancelled_fen"):
        setattr(totals, name, sum(getattr(r, name) for r in found))
    totals.progress = Progress(entry_id=0, money_fen=sum(r.progress.money_fen for r in found),
                               money_goal_fen=totals.money_goal_fen, hours=sum(r.progress.hours for r in found),
                               hours_goal=sum(r.progress.hours_goal for r in found),
                               backers=sum(r.progress.backers for r in found))
    return found, totals


def ledger_page(session: Session, *, viewer: Viewer, contest_id: int, now: datetime, number: int = 1,
                awaiting_only: bool = False) -> LedgerPage:
    """The ledger (for treasurers and staff), and the money pledges of funded entries to confirm, paginated."""
    backing.settle_if_due(session, contest_id=contest_id, now=now)
    contest, place = access.contest_and_place(session, contest_id)
    roles = access.authorise(session, viewer=viewer, action="see_ledger", contest=contest, place=place, now=now)
    rows, totals = ledger_rows(session, contest.id)
    stmt = (select(Pledge, Account.display_name, ContestEntry.title, ContestEntry.funding)
            .join(ContestEntry, ContestEntry.id == Pledge.entry_id).join(Account, Account.id == Pledge.account_id)
            .where(ContestEntry.contest_id == contest.id, ContestEntry.funding == Funding.funded,
                   Pledge.kind == PledgeKind.money, Pledge.status == PledgeStatus.standing)
            .order_by(Pledge.entry_id, Pledge.id))
    if awaiting_only:
        stmt = stmt.where(Pledge.confirmed_at.is_(None))
    found = paginate(session, stmt, number=number, size=PLEDGES_PER_PAGE, scalars=False,
                     query={"awaiting": "1"} if awaiting_only else {})
    pledges = Page(items=[PledgeRow(p, name, title, funding) for p, name, title, funding in found.items],
                   number=found.number, size=found.size, total=found.total, query=found.query)
    return LedgerPage(contest=contest, place=place, phase=rules.contest_phase(contest, now), roles=roles, rows=rows,
                      totals=totals, pledges=pledges)


def _yuan(fen: int) -> str:
    return rules.yuan(fen).replace(",", "")


def ledger_csv(session: Session, *, viewer: Viewer, contest_id: int, now: datetime) -> str:
    """The ledger as CSV for treasurers and staff: amounts in yuan with two decimals, one row per entry."""
    backing.settle_if_due(session, contest_id=contest_id, now=now)
    contest, place = access.contest_and_place(session, contest_id)
    access.authorise(session, viewer=viewer, action="see_ledger", contest=contest, place=place, now=now)
    rows, _totals = ledger_rows(session, contest.id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for r in rows:
        # A title starting with = + - @ would be a formula to a spreadsheet: quote it as text.
        title = "'" + r.title if r.title[:1] in ("=", "+", "-", "@") else r.title
        writer.writerow([r.entry_id, title, r.status, r.funding, _yuan(r.money_goal_fen), _yuan(r.pledged_fen),
                         _yuan(r.confirmed_fen), _yuan(r.awaiting_fen), _yuan(r.released_fen), _yuan(r.cancelled_fen),
                         r.progress.hours_goal, r.progress.hours, r.progress.backers])
    return out.getvalue()
