"""What the pages of an adopted covenant read: its ratification history, signatures, breaches and covenant
keepers — each in a constant number of queries, however many signers there are."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from civic.auth.models import Account
from civic.covenants import access, rules
from civic.covenants.models import (
    COUNTING_BREACHES,
    BreachStatus,
    Clause,
    Covenant,
    CovenantBreach,
    CovenantSignature,
    FrozenText,
)
from civic.pagination import Page, paginate
from civic.places.models import Place, Unit, UnitLink
from civic.places.rules import Viewer
from civic.places.service import current_link


@dataclass(frozen=True)
class FrozenRow:
    id: int
    number: int
    sha256: str
    frozen_at: datetime
    vote_id: int | None
    outcome: str
    effective_on: date
    review_on: date


@dataclass(frozen=True)
class BreachRow:
    id: int
    account_id: int
    person: str
    clause: str  # the breached clause's heading, or ""
    occurred_on: date
    description: str
    evidence: str
    status: str
    recorded_by: str
    recorded_at: datetime
    dispute_reason: str
    resolution: str

    @property
    def counts(self) -> bool:
        return self.status in COUNTING_BREACHES


@dataclass(frozen=True)
class AdoptionPanel:
    """The covenant page's sections after the text went to a vote: the ratification history, the revisions,
    signature counts, the viewer's own signature and breaches, and what the viewer may do."""

    history: list[FrozenRow]
    signed: int  # signatures in force
    withdrawn: int
    my_signature: str | None  # "signed", "withdrawn" or None
    my_breaches: list[BreachRow]
    supersedes: tuple[int, str] | None  # (id, title) of the covenant this one replaces
    superseded_by: list[tuple[int, str, str]]  # (id, title, status) of new texts of this one
    roles: frozenset[str]
    status: str

    def may(self, action: str) -> bool:
        return rules.allowed(action, self.status, self.roles)


def _breach_rows(stmt) -> tuple:
    recorder, clause = aliased(Account), aliased(Clause)
    return (stmt.add_columns(Account.display_name, func.coalesce(clause.heading, ""), recorder.display_name)
            .join(Account, Account.id == CovenantBreach.account_id)
            .join(recorder, recorder.id == CovenantBreach.recorded_by)
            .outerjoin(clause, clause.id == CovenantBreach.clause_id))


def _breach_row(breach: CovenantBreach, person: str, clause: str, recorded_by: str) -> BreachRow:
    return BreachRow(breach.id, breach.account_id, person, clause, breach.occurred_on, breach.description,
                     breach.evidence, breach.status, recorded_by, breach.recorded_at, breach.dispute_reason,
                     breach.resolution)


def adoption_panel(session: Session, *, covenant: Covenant, place: Place, viewer: Viewer | None, roles: frozenset[str],
                   now: datetime) -> AdoptionPanel:
    """One query while the text is being drafted (its earlier votes); from ratification on, up to four more,
    whatever the number of signers and breaches."""
    history = [FrozenRow(f.id, f.number, f.sha256, f.frozen_at, f.vote_id, f.outcome, f.effective_on, f.review_on)
               for f in session.execute(select(FrozenText).where(FrozenText.covenant_id == covenant.id)
                                        .order_by(FrozenText.number.desc())).scalars()]
    account_id = viewer.account_id if viewer is not None else None
    supersedes = None
    if covenant.supersedes_id is not None:
        supersedes = session.execute(select(Covenant.id, Covenant.title)
                                     .where(Covenant.id == covenant.supersedes_id)).one()._tuple()
    if covenant.status not in rules.AFTER_ADOPTION:  # no signatures, breaches or later texts yet
        return AdoptionPanel(history=history, signed=0, withdrawn=0, my_signature=None, my_breaches=[],
                             supersedes=supersedes, superseded_by=[], roles=roles, status=covenant.status)
    active = CovenantSignature.withdrawn_at.is_(None)
    signed, withdrawn, mine_active, mine_any = session.execute(
        select(func.count().filter(active), func.count().filter(~active),
               func.count().filter(active, CovenantSignature.account_id == account_id),
               func.count().filter(CovenantSignature.account_id == account_id))
        .where(CovenantSignature.covenant_id == covenant.id)).one()
    my_signature = "signed" if mine_active else "withdrawn" if mine_any else None
    my_breaches = []
    if account_id is not None:
        my_breaches = [_breach_row(*row) for row in session.execute(
            _breach_rows(select(CovenantBreach)).where(CovenantBreach.covenant_id == covenant.id,
                                                       CovenantBreach.account_id == account_id)
            .order_by(CovenantBreach.occurred_on.desc(), CovenantBreach.id.desc())).all()]
    later = session.execute(select(Covenant.id, Covenant.title, Covenant.status)
                            .where(Covenant.supersedes_id == covenant.id)
                            .order_by(Covenant.created_at.desc(), Covenant.id.desc())).all()
    return AdoptionPanel(history=history, signed=signed, withdrawn=withdrawn, my_signature=my_signature,
                         my_breaches=my_breaches, supersedes=supersedes, superseded_by=[tuple(r) for r in later],
                         roles=roles, status=covenant.status)


@dataclass(frozen=True)
class KeeperRow:
    account_id: int
    name: str
    signed_at: datetime
    last_breach: date | None  # the latest counting breach, any time
    keeper: bool
    units: str = ""  # the signer's current units under the covenant's place, "1栋 101, 1栋 102"


@dataclass(frozen=True)
class KeepersPage:
    covenant: Covenant
    place: Place
    days: int
    window_start: date
    signers: Page[KeeperRow]
    keepers: int  # of all signers in force
    breaches: Page[BreachRow]
    only_keepers: bool


def _last_breaches(covenant_id: int):
    """Each signer's latest counting breach of this covenant."""
    return (select(CovenantBreach.covenant_id, CovenantBreach.account_id,
                   func.max(CovenantBreach.occurred_on).label("last"))
            .where(CovenantBreach.covenant_id == covenant_id, CovenantBreach.status.in_(COUNTING_BREACHES))
            .group_by(CovenantBreach.covenant_id, CovenantBreach.account_id).subquery())


def _signers(covenant_id: int, window_start: date, *, only_keepers: bool):
    last = _last_breaches(covenant_id)
    keeper = or_(last.c.last.is_(None), last.c.last < window_start)
    stmt = (select(CovenantSignature.account_id, Account.display_name, CovenantSignature.signed_at, last.c.last,
                   CovenantSignature.person_id)
            .join(Account, Account.id == CovenantSignature.account_id)
            .outerjoin(last, and_(last.c.covenant_id == CovenantSignature.covenant_id,
                                  last.c.account_id == CovenantSignature.account_id))
            .where(CovenantSignature.covenant_id == covenant_id, CovenantSignature.withdrawn_at.is_(None))
            .order_by(CovenantSignature.signed_at, CovenantSignature.account_id))
    return stmt.where(keeper) if only_keepers else stmt, keeper


def _units(session: Session, place: Place, person_ids: set[int], today: date) -> dict[int, str]:
    """Person → their current units under the place, as "1栋 101, 1栋 102" (one query)."""
    if not person_ids:
        return {}
    found: dict[int, list[str]] = {}
    for person_id, building, number in session.execute(
            select(UnitLink.person_id, Place.name, Unit.number).join(Unit, Unit.id == UnitLink.unit_id)
            .join(Place, Place.id == Unit.building_id)
            .where(UnitLink.person_id.in_(person_ids), current_link(today), Place.path.startswith(place.path))
            .distinct().order_by(UnitLink.person_id, Place.name, Unit.number)).all():
        found.setdefault(person_id, []).append(f"{building} {number}")
    return {person_id: ", ".join(labels) for person_id, labels in found.items()}


def _keeper_rows(session: Session, place: Place, rows, window_start: date, today: date) -> list[KeeperRow]:
    units = _units(session, place, {r[4] for r in rows if r[4] is not None}, today)
    return [KeeperRow(account_id, name, signed_at, last, last is None or last < window_start,
                      units.get(person_id, "")) for account_id, name, signed_at, last, person_id in rows]


def keepers_page(session: Session, *, viewer: Viewer, covenant_id: int, now: datetime, days: int,
                 number: int = 1, breaches_number: int = 1, size: int = 50, only_keepers: bool = False) -> KeepersPage:
    """Staff's view of an adopted covenant: its signers, who among them keeps it (no recorded or upheld breach
    in the last `days` days), and every breach with its dispute. Eight queries."""
    covenant, place = access.covenant_and_place(session, covenant_id)
    access.authorise(session, viewer=viewer, action="see_keepers", covenant=covenant, place=place, now=now)
    today = access.register_day(now)
    window_start = rules.keeper_window_start(today, days)
    stmt, keeper = _signers(covenant.id, window_start, only_keepers=only_keepers)
    signers = paginate(session, stmt, number=number, size=size, scalars=False,
                       query={"only": "keepers" if only_keepers else None})
    everyone, _ = _signers(covenant.id, window_start, only_keepers=True)
    keepers = session.execute(select(func.count()).select_from(everyone.order_by(None).subquery())).scalar_one()
    breaches = paginate(session, _breach_rows(select(CovenantBreach)).where(CovenantBreach.covenant_id == covenant.id)
                        .order_by((CovenantBreach.status == BreachStatus.disputed).desc(),
                                  CovenantBreach.occurred_on.desc(), CovenantBreach.id.desc()),
                        number=breaches_number, size=size, scalars=False)
    return KeepersPage(covenant=covenant, place=place, days=days, window_start=window_start,
                       signers=dataclasses.replace(signers, items=_keeper_rows(session, place, signers.items,
                                                                              window_start, today)),
                       keepers=keepers, only_keepers=only_keepers,
                       breaches=dataclasses.replace(breaches, items=[_breach_row(*r) for r in breaches.items]))


KEEPERS_CSV_HEADER = ("account_id", "name", "units", "signed_at", "last_counting_breach", "window_start")


def keepers_csv_rows(session: Session, *, viewer: Viewer, covenant_id: int, now: datetime, days: int,
                     chunk: int = 1000) -> Iterator[tuple]:
    """The keepers list for export, header first, in chunks of `chunk` signers (two queries a chunk), so a
    compound of thousands streams without holding them all."""
    covenant, place = access.covenant_and_place(session, covenant_id)
    access.authorise(session, viewer=viewer, action="see_keepers", covenant=covenant, place=place, now=now)
    today = access.register_day(now)
    window_start = rules.keeper_window_start(today, days)
    stmt, _ = _signers(covenant.id, window_start, only_keepers=True)
    yield KEEPERS_CSV_HEADER
    offset = 0
    while True:
        rows = session.execute(stmt.limit(chunk).offset(offset)).all()
        for row in _keeper_rows(session, place, rows, window_start, today):
            yield (row.account_id, row.name, row.units, row.signed_at.isoformat(),
                   row.last_breach.isoformat() if row.last_breach else "", window_start.isoformat())
        if len(rows) < chunk:
            return
        offset += chunk


def breach_form(session: Session, *, viewer: Viewer, covenant_id: int, account_id: int | None,
                now: datetime) -> tuple[Covenant, Place, list[tuple[int, str]], tuple[int, str] | None]:
    """What the record-a-breach form shows: the covenant, its clauses (id, heading) and the signer chosen."""
    covenant, place = access.covenant_and_place(session, covenant_id)
    access.authorise(session, viewer=viewer, action="record_breach", covenant=covenant, place=place, now=now)
    clauses = [(c.id, c.heading) for c in session.execute(
        select(Clause).where(Clause.covenant_id == covenant.id, Clause.removed_at.is_(None))
        .order_by(Clause.position, Clause.id)).scalars()]
    signer = None
    if account_id is not None:
        row = session.execute(select(Account.id, Account.display_name)
                              .join(CovenantSignature, CovenantSignature.account_id == Account.id)
                              .where(CovenantSignature.covenant_id == covenant.id, Account.id == account_id)).first()
        signer = (row[0], row[1]) if row else None
    return covenant, place, clauses, signer

