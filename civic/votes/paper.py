"""Paper ballots. Staff of the vote's place type a batch from the paper; nothing counts until a second
staff member confirms it, and then each line counts through the same path as a web ballot (chain event,
the key's one ballot, turnout shards). A key that already has a counted ballot is never overwritten:
its line becomes a conflict that staff resolve by keeping the counted ballot or counting the paper one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlmodel import Session

from civic import audit
from civic.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from civic.i18n import N_
from civic.notifications import notify
from civic.places.models import Place
from civic.places.rules import Viewer, can_manage
from civic.votes import casting, paper_rules, service
from civic.votes import rules as vote_rules
from civic.votes.models import Ballot, Channel, PaperBatch, PaperEntry, RollEntry, Vote, VoteStatus
from civic.votes.paper_rules import PaperLine, VoterIndex


class BatchStatus(StrEnum):
    pending = "pending"  # entered, waiting for a second staff member; nothing counts yet
    confirmed = "confirmed"  # each line counted, or a conflict
    rejected = "rejected"  # nothing counted


class EntryStatus(StrEnum):
    entered = "entered"  # in a pending (or rejected) batch
    counted = "counted"  # the key's ballot now is this paper ballot
    conflict = "conflict"  # the key already had a counted ballot; waiting for staff to choose
    kept_online = "kept_online"  # staff kept the ballot counted before; this paper ballot does not count
    replaced = "replaced"  # staff counted this paper ballot in place of the earlier one


class Keep(StrEnum):
    online = "online"
    paper = "paper"


class BadLines(InvalidInput):
    """Some lines of a batch are wrong. Each problem names its line; the message is the first one's.
    Nothing was entered."""

    def __init__(self, problems: list[InvalidInput]):
        first = problems[0]
        super().__init__(first.message, field="lines", **first.params)
        self.problems = problems


@dataclass(frozen=True)
class Confirmed:
    batch: PaperBatch
    counted: int
    conflicts: int


# --- Shared by the paper and proxy services and their pages -------------------------------------------


def staff_vote(session: Session, *, viewer: Viewer, vote_id: int, now: datetime) -> tuple[Vote, Place]:
    """The vote (brought up to the clock) and its scope place, if the viewer is staff of that place."""
    row = session.execute(select(Vote, Place).join(Place, Place.id == Vote.scope_place_id)
                          .where(Vote.id == vote_id)).first()
    if row is None:
        raise NotFound(N_("There is no such vote."))
    vote, place = row
    if viewer.account_id is None or not can_manage(viewer, place.path):
        raise PermissionDenied(N_("Only staff of this vote's place can handle its paper ballots and proxy mandates."))
    service.advance(session, vote=vote, now=now)
    return vote, place


def require_open(vote: Vote) -> None:
    if vote.status != VoteStatus.open:
        raise Conflict(N_("This vote is not open: ballots are accepted only between its opening and closing times."))


REASON_TOO_LONG = N_("The reason must be at most %(max)d characters.")


def required_text(value: str, *, field: str, limit: int, missing: str, too_long: str = REASON_TOO_LONG) -> str:
    """A trimmed text that must be given and fit its column (`too_long` has a %(max)d placeholder)."""
    value = value.strip()
    if not value:
        raise InvalidInput(missing, field=field)
    if len(value) > limit:
        raise InvalidInput(too_long, field=field, max=limit)
    return value


def roll_index(session: Session, vote_id: int) -> VoterIndex:
    """Every key of the vote's frozen roll, findable by key or unit label (one query)."""
    return VoterIndex.of(session.execute(select(RollEntry.voter_key, RollEntry.unit_labels)
                                         .where(RollEntry.vote_id == vote_id)).all())


def _shown(who: str) -> str:
    return who if len(who) <= 80 else who[:79] + "…"


# --- Entering a batch ---------------------------------------------------------------------------------


def enter_batch(session: Session, *, viewer: Viewer, vote_id: int, entries: Iterable[tuple[str, str] | PaperLine],
                note: str, now: datetime) -> PaperBatch:
    """Staff of the place enter paper ballots as (unit label or voter key, choice) lines. Every line is
    checked before anything is written; the batch waits for a second staff member and counts nothing."""
    vote, _place = staff_vote(session, viewer=viewer, vote_id=vote_id, now=now)
    require_open(vote)
    note = note.strip()
    if len(note) > paper_rules.NOTE_MAX:
        raise InvalidInput(N_("The note must be at most %(max)d characters."), field="note",
                           max=paper_rules.NOTE_MAX)
    checked = _checked_lines(session, vote, paper_rules.numbered(entries))
    batch = PaperBatch(vote_id=vote.id, entered_by=viewer.account_id, entered_at=now, note=note,
                       status=BatchStatus.pending)
    session.add(batch)
    session.flush()
    session.add_all(PaperEntry(batch_id=batch.id, voter_key=key, choice=choice, status=EntryStatus.entered)
                    for key, choice in checked)
    session.flush()
    # No choices in the audit trail: on a secret vote staff must not learn them from it either.
    audit.record(session, actor_id=viewer.account_id, action="vote.paper_batch_entered", object_type="paper_batch",
                 object_id=batch.id, payload={"vote": vote.id, "entries": len(checked)}, now=now)
    return batch


def _checked_lines(session: Session, vote: Vote, lines: list[PaperLine]) -> list[tuple[str, str]]:
    """(voter key, choice) for every line, or BadLines naming each line that is wrong."""
    if not lines:
        raise InvalidInput(N_("Enter at least one line: the unit or voter key, a comma, then the choice."),
                           field="lines")
    if len(lines) > paper_rules.MAX_BATCH_LINES:
        raise InvalidInput(N_("A batch may hold at most %(max)d lines; enter the paper ballots in several batches."),
                           field="lines", max=paper_rules.MAX_BATCH_LINES)
    index, options = roll_index(session, vote.id), service.option_count(session, vote)
    checked, first_line, problems = [], {}, []
    for line in lines:
        try:
            key, choice = _checked_line(line, index, options, first_line)
        except InvalidInput as problem:
            problems.append(problem)
            continue
        first_line[key] = line.line
        checked.append((key, choice))
    if problems:
        raise BadLines(problems)
    return checked


def _checked_line(line: PaperLine, index: VoterIndex, options: int, first_line: dict[str, int]) -> tuple[str, str]:
    if not line.who or not line.choice:
        raise InvalidInput(N_("Line %(line)d: write the unit or voter key, a comma, then the choice."),
                           field="lines", line=line.line)
    keys = index.find(line.who)
    if not keys:
        raise InvalidInput(N_("Line %(line)d: “%(who)s” is not on the roll of this vote."),
                           field="lines", line=line.line, who=_shown(line.who))
    if len(keys) > 1:
        raise InvalidInput(N_("Line %(line)d: “%(who)s” names several voters on the roll; "
                              "write the voter key instead."),
                           field="lines", line=line.line, who=_shown(line.who))
    key = next(iter(keys))
    if key in first_line:
        raise InvalidInput(N_("Line %(line)d: “%(who)s” is the same voter as line %(first)d; "
                              "a batch holds one ballot per voter."),
                           field="lines", line=line.line, who=_shown(line.who), first=first_line[key])
    choice = paper_rules.canonical_choice(line.choice, options=options)
    try:
        vote_rules.check_choice(choice, options=options)
    except InvalidInput:
        wanted = (N_("Line %(line)d: “%(choice)s” is not a choice in this vote; write an option's number or abstain.")
                  if options else
                  N_("Line %(line)d: “%(choice)s” is not a choice in this vote; write yes, no or abstain."))
        raise InvalidInput(wanted, field="lines", line=line.line, choice=_shown(line.choice)) from None
    return key, choice


# --- Confirming or rejecting ----------------------------------------------------------------------------


def confirm_batch(session: Session, *, viewer: Viewer, batch_id: int, now: datetime) -> Confirmed:
    """A second staff member confirms a batch: each line whose key has no counted ballot counts as a paper
    ballot; a line whose key already has one becomes a conflict and overwrites nothing."""
    batch, vote = _batch_for_decision(session, viewer, batch_id, now)
    require_open(vote)
    _decide(session, batch, BatchStatus.confirmed, viewer.account_id, now)
    entries = list(session.execute(select(PaperEntry).where(PaperEntry.batch_id == batch.id)
                                   .order_by(PaperEntry.id)).scalars())
    keys = [e.voter_key for e in entries]
    roll = {r.voter_key: r for r in session.execute(select(RollEntry).where(
        RollEntry.vote_id == vote.id, RollEntry.voter_key.in_(keys))).scalars()}
    voted = set(session.execute(select(Ballot.voter_key).where(
        Ballot.vote_id == vote.id, Ballot.voter_key.in_(keys))).scalars())
    for entry in entries:
        fresh = entry.voter_key not in voted and _count(session, vote, roll[entry.voter_key], entry.choice,
                                                       viewer.account_id, now)
        entry.status = EntryStatus.counted if fresh else EntryStatus.conflict
    session.flush()
    counted = sum(e.status == EntryStatus.counted for e in entries)
    audit.record(session, actor_id=viewer.account_id, action="vote.paper_batch_confirmed", object_type="paper_batch",
                 object_id=batch.id, payload={"vote": vote.id, "counted": counted,
                                              "conflicts": len(entries) - counted}, now=now)
    return Confirmed(batch, counted, len(entries) - counted)


def _count(session: Session, vote: Vote, roll_entry: RollEntry, choice: str, account_id: int, now: datetime) -> bool:
    """Count a paper ballot for a key that had none. If a ballot of the key was committed after the check
    (someone voted online that very moment), undo this one and report a conflict: paper never
    overwrites a counted ballot unless staff choose so."""
    with session.begin_nested() as savepoint:
        receipt = casting.record_ballot(session, vote, roll_entry, choice, Channel.paper, account_id, now)
        if receipt.changed:
            savepoint.rollback()
            return False
    return True


def reject_batch(session: Session, *, viewer: Viewer, batch_id: int, reason: str, now: datetime) -> PaperBatch:
    """A second staff member rejects a batch (it does not match the paper): nothing counts, and the staff
    member who entered it is told why."""
    batch, vote = _batch_for_decision(session, viewer, batch_id, now)
    reason = required_text(reason, field="reason", limit=paper_rules.REASON_MAX,
                           missing=N_("Say why the batch is rejected, so it can be entered again correctly."))
    _decide(session, batch, BatchStatus.rejected, viewer.account_id, now)
    audit.record(session, actor_id=viewer.account_id, action="vote.paper_batch_rejected", object_type="paper_batch",
                 object_id=batch.id, payload={"vote": vote.id, "reason": reason}, now=now)
    notify(session, account_id=batch.entered_by, subject=N_("A paper ballot batch you entered was rejected: %(title)s"),
           params={"title": vote.title}, body=reason, url=f"/votes/{vote.id}/paper")
    return batch


def _batch_for_decision(session: Session, viewer: Viewer, batch_id: int, now: datetime) -> tuple[PaperBatch, Vote]:
    batch = session.get(PaperBatch, batch_id)
    if batch is None:
        raise NotFound(N_("There is no such batch of paper ballots."))
    vote, _place = staff_vote(session, viewer=viewer, vote_id=batch.vote_id, now=now)
    if batch.entered_by == viewer.account_id:
        raise PermissionDenied(N_("You entered this batch, so another staff member must confirm or reject it: "
                                  "two people check every paper ballot."))
    return batch, vote


def _decide(session: Session, batch: PaperBatch, status: BatchStatus, account_id: int, now: datetime) -> None:
    """Move the batch out of "pending" exactly once. The WHERE clause is the lock: of two staff members
    confirming at the same moment, the database lets one change the row; the other gets a Conflict
    (PostgreSQL re-checks the condition after the first commits; SQLite runs writers one at a time)."""
    done = session.execute(
        update(PaperBatch).where(PaperBatch.id == batch.id, PaperBatch.status == BatchStatus.pending)
        .values(status=status, confirmed_by=account_id, confirmed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        raise Conflict(N_("This batch has already been confirmed or rejected."))
    session.refresh(batch)


# --- Conflicts -----------------------------------------------------------------------------------------


def resolve_conflict(session: Session, *, viewer: Viewer, entry_id: int, keep: str, reason: str,
                     now: datetime) -> PaperEntry:
    """Staff decide a conflict while the vote is open: keep the ballot counted before ("online"), or count
    the paper ballot in its place ("paper"; a new chain event records it). The reason is audited."""
    row = session.execute(select(PaperEntry, PaperBatch.vote_id).join(PaperBatch, PaperBatch.id == PaperEntry.batch_id)
                          .where(PaperEntry.id == entry_id)).first()
    if row is None:
        raise NotFound(N_("There is no such paper ballot."))
    entry, vote_id = row
    vote, _place = staff_vote(session, viewer=viewer, vote_id=vote_id, now=now)
    if keep not in set(Keep):
        raise InvalidInput(N_("Choose which ballot counts: the one counted before, or the paper ballot."), field="keep")
    reason = required_text(reason, field="reason", limit=paper_rules.REASON_MAX,
                           missing=N_("Say why, for the audit trail "
                                      "(e.g. the voter confirmed which ballot is theirs)."))
    require_open(vote)
    status = EntryStatus.replaced if keep == Keep.paper else EntryStatus.kept_online
    done = session.execute(
        update(PaperEntry).where(PaperEntry.id == entry.id, PaperEntry.status == EntryStatus.conflict)
        .values(status=status).execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        raise Conflict(N_("This conflict has already been resolved."))
    session.refresh(entry)
    if keep == Keep.paper:
        roll_entry = session.execute(select(RollEntry).where(RollEntry.vote_id == vote.id,
                                                             RollEntry.voter_key == entry.voter_key)).scalar_one()
        casting.record_ballot(session, vote, roll_entry, entry.choice, Channel.paper, viewer.account_id, now)
    audit.record(session, actor_id=viewer.account_id, action="vote.paper_conflict_resolved", object_type="paper_entry",
                 object_id=entry.id, payload={"vote": vote.id, "batch": entry.batch_id, "voter_key": entry.voter_key,
                                              "keep": str(keep), "reason": reason}, now=now)
    return entry
