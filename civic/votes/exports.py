"""A vote's open data (DOMAIN-RULES §1.5): roll.csv and ballots.csv as `civic tally` reads them,
result.json as `civic tally --json` prints it, and chain.jsonl, the bulletin board anyone can re-hash.

Each file is published once what it shows can no longer change — the roll when the vote opens, everything
else when it closes — so it can be streamed page by page, each page read in its own short transaction,
and still be one consistent snapshot. Holding one cursor open for a whole download instead would keep
SQLite's single connection (and its write lock) or a PostgreSQL transaction busy for as long as the
slowest client takes to read.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any, TypeVar

from sqlalchemy import and_, or_, select
from sqlmodel import Session

from civic.errors import NotFound
from civic.i18n import N_
from civic.pagination import Page, paginate
from civic.places.models import Place, m2
from civic.votes import rules as vote_rules
from civic.votes import service
from civic.votes.models import Ballot, BallotEvent, RollEntry, Vote, VoteStatus

T = TypeVar("T")
# Runs one page's query in a unit of work: the web gives each page its own transaction, a script its session.
Read = Callable[[Callable[[Session], T]], T]

PAGE_SIZE = 1000
FILES = {"roll": "roll.csv", "ballots": "ballots.csv", "result": "result.json", "chain": "chain.jsonl"}
ROLL_HEADER = ("unit_id", "voter_key", "area")
NAMED_ROLL_HEADER = (*ROLL_HEADER, "unit")  # `civic tally` ignores columns it does not know
BALLOTS_HEADER = ("voter_key", "choice")
# Rules that never read area (residents' matters, polls) freeze no area, but `civic tally` wants a
# positive one: every key gets this placeholder, which such a rule never looks at.
PLACEHOLDER_AREA = "1"

NOT_YET = {
    "roll": N_("The roll of this vote is published when the vote opens and its roll is frozen."),
    "ballots": N_("The ballots of this vote are published when it closes: during the vote they would "
                  "reveal the running result."),
    "result": N_("The result of this vote is published when it closes."),
    "chain": N_("The bulletin board of this vote is published when it closes; until then its length and "
                "head are shown on the vote's page, and any receipt can be checked there."),
}


def available(vote: Vote) -> tuple[str, ...]:
    """The files a vote publishes in its current state (keys of FILES)."""
    if vote.status == VoteStatus.closed:
        return tuple(FILES)
    if vote.status == VoteStatus.open:
        return ("roll",)
    return ()


def published_vote(session: Session, *, vote_id: int, file: str, now: datetime) -> Vote:
    """The vote, brought up to the clock, if it publishes `file` now; otherwise a 404 that says when it will."""
    vote = session.get(Vote, vote_id)
    if vote is None:
        raise NotFound(N_("There is no such vote."))
    service.advance(session, vote=vote, now=now)
    if file not in available(vote):
        raise NotFound(NOT_YET[file])
    return vote


def in_session(session: Session) -> Read:
    """Read every page in one session (scripts, tests, the demo check)."""
    return lambda fetch: fetch(session)


# --- roll.csv ----------------------------------------------------------------------------------------

def roll_header(vote: Vote) -> tuple[str, ...]:
    return ROLL_HEADER if vote.secret else NAMED_ROLL_HEADER


def roll_rows(read: Read, vote: Vote, *, page_size: int | None = None) -> Iterator[tuple[str, ...]]:
    """Named votes: one row per unit (register unit id, voter key, the unit's m², its label).
    Secret votes: one row per key, the vote's random pseudonym in place of both the unit and the key,
    and the key's summed area — no key, no unit number. Rules without area: one row per key, area 1."""
    weighs_area = vote_rules.PRESETS[vote.rule_name].weighs_area
    if vote.secret:
        for pseudonym, area_dm2 in _keyset(read, _secret_roll_page(vote.id), page_size):
            yield pseudonym, pseudonym, str(m2(area_dm2)) if weighs_area else PLACEHOLDER_AREA
        return
    for key, unit_ids, labels, areas, area_dm2 in _keyset(read, _named_roll_page(vote.id), page_size):
        if not weighs_area:
            # A residents' roll has one key per person and several people share a unit, so the unit
            # cannot be the row's id; the key is.
            yield key, key, PLACEHOLDER_AREA, labels
            continue
        yield from _unit_rows(key, unit_ids, labels, areas, area_dm2)


def _unit_rows(key: str, unit_ids: str, labels: str, areas: str, area_dm2: int) -> Iterator[tuple[str, ...]]:
    ids = unit_ids.split(",")
    names = labels.split(", ")
    if len(names) != len(ids):  # a label that itself contains ", ": give every unit the whole list
        names = [labels] * len(ids)
    per_unit = areas.split(",") if areas else []
    if len(per_unit) != len(ids):
        # Rolls frozen before per-unit areas were kept: a one-unit key's area is its unit's; several
        # units become one row with the key's summed area (the recount is the same).
        yield "+".join(ids), key, str(m2(area_dm2)), labels
        return
    for unit_id, name, unit_area in zip(ids, names, per_unit, strict=True):
        yield unit_id, key, str(m2(int(unit_area))), name


def _named_roll_page(vote_id: int):
    def fetch(session: Session, after: str | None, size: int) -> list[tuple]:
        stmt = (select(RollEntry.voter_key, RollEntry.unit_ids, RollEntry.unit_labels, RollEntry.unit_areas,
                       RollEntry.area_dm2)
                .where(RollEntry.vote_id == vote_id).order_by(RollEntry.voter_key).limit(size))
        if after is not None:
            stmt = stmt.where(RollEntry.voter_key > after)
        return [tuple(r) for r in session.execute(stmt)]

    return fetch


def _secret_roll_page(vote_id: int):
    # Ordered by pseudonym, which is random: the roll's own order (by key, so by unit) would link them.
    def fetch(session: Session, after: str | None, size: int) -> list[tuple]:
        stmt = (select(RollEntry.pseudonym, RollEntry.area_dm2)
                .where(RollEntry.vote_id == vote_id).order_by(RollEntry.pseudonym).limit(size))
        if after is not None:
            stmt = stmt.where(RollEntry.pseudonym > after)
        return [tuple(r) for r in session.execute(stmt)]

    return fetch


# --- ballots.csv -------------------------------------------------------------------------------------

def ballot_rows(read: Read, vote: Vote, *, page_size: int | None = None) -> Iterator[tuple[str, str]]:
    """One final ballot per key: (voter key or, for secret votes, pseudonym; choice). A one-of-N vote's
    choices are `option:N` (N = the option's position, as in result.json)."""
    yield from _keyset(read, _ballots_page(vote.id, vote.secret), page_size)


def _ballots_page(vote_id: int, secret: bool):
    def fetch(session: Session, after: str | None, size: int) -> list[tuple]:
        if secret:
            who = RollEntry.pseudonym
            stmt = select(who, Ballot.choice).join(RollEntry, and_(RollEntry.vote_id == Ballot.vote_id,
                                                                   RollEntry.voter_key == Ballot.voter_key))
        else:
            who = Ballot.voter_key
            stmt = select(who, Ballot.choice)
        stmt = stmt.where(Ballot.vote_id == vote_id).order_by(who).limit(size)
        if after is not None:
            stmt = stmt.where(who > after)
        return [tuple(r) for r in session.execute(stmt)]

    return fetch


# --- chain.jsonl -------------------------------------------------------------------------------------

def chain_lines(read: Read, vote: Vote, *, page_size: int | None = None) -> Iterator[str]:
    """One canonical JSON object per event, in seq order: {"event", "hash", "prev_hash", "seq"}. The event
    is the stored body verbatim — exactly the text that was hashed — so
    hash == sha256(prev_hash || canonical_json(event)) can be checked line by line."""
    for seq, prev_hash, digest, body in _keyset(read, _chain_page(vote.id), page_size, key=int):
        yield f'{{"event":{body},"hash":"{digest}","prev_hash":"{prev_hash}","seq":{seq}}}\n'


def _chain_page(vote_id: int):
    def fetch(session: Session, after: int | None, size: int) -> list[tuple]:
        stmt = (select(BallotEvent.seq, BallotEvent.prev_hash, BallotEvent.hash, BallotEvent.body)
                .where(BallotEvent.vote_id == vote_id, BallotEvent.seq > (after or 0))
                .order_by(BallotEvent.seq).limit(size))
        return [tuple(r) for r in session.execute(stmt)]

    return fetch


# --- result.json -------------------------------------------------------------------------------------

def result_document(vote: Vote) -> dict[str, Any]:
    """The published result with the tally's keys at the top (so it compares directly with
    `civic tally --json`) and the vote's facts under "vote". The stored sentences are left out: they are
    the explanation again, as msgids for translating the certificate."""
    if vote.result_json is None:
        raise NotFound(NOT_YET["result"])
    published = {k: v for k, v in json.loads(vote.result_json).items() if k != "sentences"}
    return {**published, "vote": {
        "id": vote.id, "title": vote.title, "matter": vote.matter, "rule": vote.rule_name, "kind": vote.kind,
        "secret": vote.secret, "opens_at": _iso(vote.opens_at), "closes_at": _iso(vote.closes_at),
        "roll_frozen_at": _iso(vote.roll_frozen_at), "closed_at": _iso(vote.closed_at),
        "roll_fingerprint": vote.roll_fingerprint, "chain_head": vote.chain_head,
        # What the vote decided, when it decided a thing: a covenant's frozen text and that text's SHA-256.
        "subject": {"type": vote.subject_type, "ref": vote.subject_ref} if vote.subject_type else None,
    }}


def result_text(vote: Vote) -> str:
    return json.dumps(result_document(vote), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


# --- whole files -------------------------------------------------------------------------------------

def csv_text(header: tuple[str, ...], rows: Iterator[tuple[str, ...]], *, batch: int = PAGE_SIZE) -> Iterator[str]:
    """CSV (RFC 4180, CRLF line ends) in chunks of `batch` rows, header first."""
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(header)
    for n, row in enumerate(rows, start=1):
        out.writerow(row)
        if n % batch == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def file_chunks(read: Read, vote: Vote, file: str) -> Iterator[str]:
    """The text of one published file, chunk by chunk."""
    if file == "roll":
        return csv_text(roll_header(vote), roll_rows(read, vote))
    if file == "ballots":
        return csv_text(BALLOTS_HEADER, ballot_rows(read, vote))
    if file == "chain":
        return chain_lines(read, vote)
    return iter([result_text(vote)])


def write_file(session: Session, vote: Vote, file: str, fp: IO[str]) -> None:
    """Write one file to an open text stream (newline="" so the CSV keeps its CRLF)."""
    for chunk in file_chunks(in_session(session), vote, file):
        fp.write(chunk)


def write_all(session: Session, vote: Vote, directory: Path) -> dict[str, Path]:
    """Write every file the vote publishes now into `directory` as vote-<id>-<name>; returns them by key."""
    written = {}
    for file in available(vote):
        path = directory / download_name(vote.id, file)
        with path.open("w", newline="", encoding="utf-8") as fp:
            write_file(session, vote, file, fp)
        written[file] = path
    return written


def download_name(vote_id: int, file: str) -> str:
    return f"vote-{vote_id}-{FILES[file]}"


def _keyset(read: Read, fetch, page_size: int | None, key: Callable[[Any], Any] = str) -> Iterator[tuple]:
    """Rows page after page, each page the next `page_size` rows after the last one's first column."""
    page_size = page_size or PAGE_SIZE
    after = None
    while True:
        rows = read(lambda session, after=after: fetch(session, after, page_size))
        yield from rows
        if len(rows) < page_size:
            return
        after = key(rows[-1][0])


# --- the /open-data listing --------------------------------------------------------------------------

@dataclass(frozen=True)
class PublishedVote:
    id: int
    title: str
    place: str
    status: str
    kind: str
    secret: bool
    rule_name: str
    closes_at: datetime
    files: tuple[str, ...]  # keys of FILES


def published_votes(session: Session, *, number: int, size: int, now: datetime) -> Page[PublishedVote]:
    """Every vote that publishes something (open or closed, or due to open), newest first; those on the
    page that are due to open or close are brought up to date first."""
    stmt = (select(Vote, Place.name).join(Place, Place.id == Vote.scope_place_id)
            .where(or_(Vote.status != VoteStatus.scheduled, Vote.opens_at <= now))
            .order_by(Vote.opens_at.desc(), Vote.id.desc()))
    page = paginate(session, stmt, number=number, size=size, scalars=False)
    rows = []
    for vote, place in page.items:
        service.advance(session, vote=vote, now=now)
        rows.append(PublishedVote(vote.id, vote.title, place, vote.status, vote.kind, vote.secret,
                                  vote.rule_name, vote.closes_at, available(vote)))
    return Page(items=rows, number=page.number, size=page.size, total=page.total)
