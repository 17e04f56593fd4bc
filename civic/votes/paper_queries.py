"""What the staff pages of a vote show (paper ballot batches and conflicts, proxy mandates), in a bounded
number of queries whatever the number of batches, lines or mandates (templates never query).

Secret votes: staff see a paper ballot's choice only while its batch waits for confirmation (the second
staff member checks the lines against the paper); after that no staff page shows who chose what.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from civic.audit import AuditEvent
from civic.auth.models import Account
from civic.i18n import N_
from civic.pagination import Page, paginate
from civic.places.rules import Viewer
from civic.votes import paper, service
from civic.votes.models import (
    Ballot,
    Channel,
    PaperBatch,
    PaperEntry,
    ProxyMandate,
    RollEntry,
    Vote,
    VoteKind,
    VoteStatus,
)
from civic.votes.paper import BatchStatus, EntryStatus
from civic.votes.proxies import MandateStatus, mandate_status
from civic.votes.queries import ballot_choices

BATCH_STATUS_LABELS = {
    BatchStatus.pending: N_("waiting for a second staff member"),
    BatchStatus.confirmed: N_("confirmed"),
    BatchStatus.rejected: N_("rejected"),
}
ENTRY_STATUS_LABELS = {
    EntryStatus.entered: N_("entered"),
    EntryStatus.counted: N_("counted"),
    EntryStatus.conflict: N_("conflict"),
    EntryStatus.kept_online: N_("earlier ballot kept"),
    EntryStatus.replaced: N_("paper ballot counted instead"),
}
MANDATE_STATUS_LABELS = {
    MandateStatus.active: N_("active"),
    MandateStatus.used: N_("used to vote"),
    MandateStatus.revoked: N_("revoked"),
}
CHANNEL_LABELS = {Channel.web: N_("online"), Channel.proxy: N_("by a proxy"), Channel.paper: N_("on paper")}
CONFLICTS_SHOWN = 100  # the oldest first; resolving them brings the next ones up


@dataclass(frozen=True)
class EntryRow:
    """A line of a pending batch, as the confirming staff member checks it against the paper."""

    voter_key: str
    units: str
    choice: str
    voted: bool  # the key already has a counted ballot: confirming makes this line a conflict


@dataclass(frozen=True)
class BatchRow:
    id: int
    status: str
    note: str
    entered_by_id: int
    entered_by: str
    entered_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    tally: dict[str, int]  # lines per entry status
    lines: list[EntryRow] = field(default_factory=list)  # pending batches only
    reason: str | None = None  # why it was rejected

    @property
    def size(self) -> int:
        return sum(self.tally.values())


@dataclass(frozen=True)
class ConflictRow:
    entry_id: int
    batch_id: int
    voter_key: str
    units: str
    paper_choice: str | None  # None on a secret vote
    counted_choice: str | None  # None on a secret vote
    counted_channel: str
    counted_at: datetime


@dataclass(frozen=True)
class PaperPage:
    vote: Vote
    place: str
    account_id: int
    batches: Page[BatchRow]
    conflicts: list[ConflictRow]
    conflict_total: int
    choices: list[tuple[str, str]]  # (value, label): the label is a msgid for yes / no / abstain

    @property
    def is_open(self) -> bool:
        return self.vote.status == VoteStatus.open

    def label_of(self, value: str) -> str:
        """A ballot value's label: a msgid for yes / no / abstain (queries.CHOICE_LABELS), an option's own text."""
        return dict(self.choices).get(value, value)


@dataclass(frozen=True)
class MandateRow:
    id: int
    voter_key: str
    units: str | None  # None until the roll is frozen
    proxy: str
    proxy_contact: str
    evidence: str
    recorded_by: str
    recorded_at: datetime
    status: str
    changed_at: datetime | None  # when it was used or revoked


@dataclass(frozen=True)
class ProxiesPage:
    vote: Vote
    place: str
    mandates: Page[MandateRow]

    @property
    def can_record(self) -> bool:
        return self.vote.status in (VoteStatus.scheduled, VoteStatus.open)

    @property
    def can_revoke(self) -> bool:
        return self.vote.status != VoteStatus.closed


# --- The paper ballots page ------------------------------------------------------------------------------


def paper_page(session: Session, *, viewer: Viewer, vote_id: int, number: int, size: int, now: datetime) -> PaperPage:
    """Staff only: the vote's batches (pending first, then newest), each pending batch's lines, and the
    conflicts waiting for a decision."""
    vote, place = paper.staff_vote(session, viewer=viewer, vote_id=vote_id, now=now)
    batches = _batches(session, vote, number, size)
    conflicts, total = _conflicts(session, vote)
    options = service.options_of(session, vote.id) if vote.kind == VoteKind.options else []
    return PaperPage(vote=vote, place=place.name, account_id=viewer.account_id, batches=batches,
                     conflicts=conflicts, conflict_total=total, choices=ballot_choices(options))


def _batches(session: Session, vote: Vote, number: int, size: int) -> Page[BatchRow]:
    entered, decided = aliased(Account), aliased(Account)
    statement = (select(PaperBatch, entered.display_name.label("entered_name"),
                        decided.display_name.label("decided_name"))
                 .join(entered, entered.id == PaperBatch.entered_by)
                 .outerjoin(decided, decided.id == PaperBatch.confirmed_by)
                 .where(PaperBatch.vote_id == vote.id)
                 .order_by(case((PaperBatch.status == BatchStatus.pending, 0), else_=1),
                           PaperBatch.entered_at.desc(), PaperBatch.id.desc()))
    page = paginate(session, statement, number=number, size=size, scalars=False)
    ids = [batch.id for batch, *_names in page.items]
    pending = [batch.id for batch, *_names in page.items if batch.status == BatchStatus.pending]
    tallies, lines, reasons = _tallies(session, ids), _pending_lines(session, vote, pending), _reasons(session, ids)
    rows = [BatchRow(id=b.id, status=b.status, note=b.note, entered_by_id=b.entered_by, entered_by=entered_name,
                     entered_at=b.entered_at, decided_by=decided_name, decided_at=b.confirmed_at,
                     tally=tallies.get(b.id, {}), lines=lines.get(b.id, []), reason=reasons.get(b.id))
            for b, entered_name, decided_name in page.items]
    return Page(items=rows, number=page.number, size=page.size, total=page.total)


def _tallies(session: Session, batch_ids: list[int]) -> dict[int, dict[str, int]]:
    tallies: dict[int, dict[str, int]] = {}
    for batch_id, status, n in session.execute(
            select(PaperEntry.batch_id, PaperEntry.status, func.count()).where(PaperEntry.batch_id.in_(batch_ids))
            .group_by(PaperEntry.batch_id, PaperEntry.status)):
        tallies.setdefault(batch_id, {})[status] = n
    return tallies


def _pending_lines(session: Session, vote: Vote, batch_ids: list[int]) -> dict[int, list[EntryRow]]:
    if not batch_ids:
        return {}
    lines: dict[int, list[EntryRow]] = {}
    for batch_id, key, choice, units, ballot_id in session.execute(
            select(PaperEntry.batch_id, PaperEntry.voter_key, PaperEntry.choice, RollEntry.unit_labels, Ballot.id)
            .outerjoin(RollEntry, and_(RollEntry.vote_id == vote.id, RollEntry.voter_key == PaperEntry.voter_key))
            .outerjoin(Ballot, and_(Ballot.vote_id == vote.id, Ballot.voter_key == PaperEntry.voter_key))
            .where(PaperEntry.batch_id.in_(batch_ids)).order_by(PaperEntry.id)):
        lines.setdefault(batch_id, []).append(EntryRow(key, units or "", choice, ballot_id is not None))
    return lines


def _reasons(session: Session, batch_ids: list[int]) -> dict[int, str]:
    """Why rejected batches were rejected: kept in the audit trail (PaperBatch has no column for it)."""
    if not batch_ids:
        return {}
    rows = session.execute(select(AuditEvent.object_id, AuditEvent.payload).where(
        AuditEvent.action == "vote.paper_batch_rejected", AuditEvent.object_type == "paper_batch",
        AuditEvent.object_id.in_([str(i) for i in batch_ids])))
    return {int(object_id): json.loads(payload).get("reason", "") for object_id, payload in rows}


def _conflicts(session: Session, vote: Vote) -> tuple[list[ConflictRow], int]:
    where = (PaperBatch.vote_id == vote.id, PaperEntry.status == EntryStatus.conflict)
    total = session.execute(select(func.count()).select_from(PaperEntry)
                            .join(PaperBatch, PaperBatch.id == PaperEntry.batch_id).where(*where)).scalar_one()
    if not total:
        return [], 0
    rows = session.execute(
        select(PaperEntry.id, PaperEntry.batch_id, PaperEntry.voter_key, PaperEntry.choice, RollEntry.unit_labels,
               Ballot.choice, Ballot.channel, Ballot.cast_at)
        .join(PaperBatch, PaperBatch.id == PaperEntry.batch_id)
        .join(Ballot, and_(Ballot.vote_id == vote.id, Ballot.voter_key == PaperEntry.voter_key))
        .outerjoin(RollEntry, and_(RollEntry.vote_id == vote.id, RollEntry.voter_key == PaperEntry.voter_key))
        .where(*where).order_by(PaperEntry.id).limit(CONFLICTS_SHOWN)).all()
    hide = vote.secret
    return [ConflictRow(entry_id, batch_id, key, units or "", None if hide else paper_choice,
                        None if hide else counted_choice, channel, cast_at)
            for entry_id, batch_id, key, paper_choice, units, counted_choice, channel, cast_at in rows], total


# --- The proxy mandates page ---------------------------------------------------------------------------


def proxies_page(session: Session, *, viewer: Viewer, vote_id: int, number: int, size: int,
                 now: datetime) -> ProxiesPage:
    """Staff only: every mandate of the vote, newest first, with the proxy's name and contact."""
    vote, place = paper.staff_vote(session, viewer=viewer, vote_id=vote_id, now=now)
    proxy, recorder = aliased(Account), aliased(Account)
    statement = (select(ProxyMandate, RollEntry.unit_labels, proxy.display_name.label("proxy_name"),
                        func.coalesce(proxy.email, proxy.phone, "").label("contact"),
                        recorder.display_name.label("recorder_name"))
                 .join(proxy, proxy.id == ProxyMandate.proxy_account_id)
                 .join(recorder, recorder.id == ProxyMandate.recorded_by)
                 .outerjoin(RollEntry, and_(RollEntry.vote_id == ProxyMandate.vote_id,
                                            RollEntry.voter_key == ProxyMandate.voter_key))
                 .where(ProxyMandate.vote_id == vote.id)
                 .order_by(ProxyMandate.recorded_at.desc(), ProxyMandate.id.desc()))
    page = paginate(session, statement, number=number, size=size, scalars=False)
    rows = [MandateRow(id=m.id, voter_key=m.voter_key, units=units, proxy=name, proxy_contact=contact,
                       evidence=m.evidence, recorded_by=recorder_name, recorded_at=m.recorded_at,
                       status=mandate_status(m), changed_at=m.revoked_at or m.used_at)
            for m, units, name, contact, recorder_name in page.items]
    return ProxiesPage(vote=vote, place=place.name, mandates=Page(items=rows, number=page.number, size=page.size,
                                                                  total=page.total))
