"""The per-vote bulletin board: ballot events hash-chained as hash = sha256(prev || canonical_json(event)).

Recording and linking are separate steps. A cast inserts its event with its content hash
(sha256 of the canonical body — the voter's receipt) and nothing else, so concurrent casts never wait
on one chain head. `link` then chains every waiting event in insertion order, in batches, holding the
vote's linker lock; it runs from `civic jobs run-due` every minute and always before a vote's head is
published at close. The body is hashed into both the receipt and the link, so a receipt found on the
board proves its event is part of the published chain.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlmodel import Session

from civic.hashchain import GENESIS, canonical_json, link_hash
from civic.votes.models import BallotEvent, Vote

RECEIPT_LENGTH = 16  # hex characters shown to the voter: 64 bits, ample to find one event among millions
LINK_BATCH = 5_000

_events = BallotEvent.__table__
# Built once: a cast runs these on every request, and building a statement costs more than running it.
_INSERT_EVENT = insert(_events).values(vote_id=bindparam("vote_id"), receipt=bindparam("receipt"),
                                       body=bindparam("body"), created_at=bindparam("created_at"))
_LINK_EVENT = (update(_events).where(_events.c.id == bindparam("event_id"))
               .values(seq=bindparam("new_seq"), prev_hash=bindparam("new_prev"), hash=bindparam("new_hash")))


@dataclass(frozen=True)
class Recorded:
    content_hash: str

    @property
    def receipt(self) -> str:
        return self.content_hash[:RECEIPT_LENGTH]


def content_hash(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def record(session: Session, *, vote_id: int, event: dict[str, Any], now: datetime) -> Recorded:
    """Put an event on the vote's board, inside the caller's transaction; it is linked into the chain later."""
    body = canonical_json({**event, "vote": vote_id})
    digest = content_hash(body)
    session.connection().execute(_INSERT_EVENT, {"vote_id": vote_id, "receipt": digest, "body": body,
                                                 "created_at": now})
    return Recorded(digest)


def link(session: Session, *, vote_id: int) -> int:
    """Chain every event of the vote still waiting, oldest first; returns how many were linked.

    The vote row is taken FOR NO KEY UPDATE: one linker per vote at a time, while casts (which hold
    only the KEY SHARE lock their foreign keys take) carry on. Events committed while this runs are
    simply linked next time.
    """
    session.execute(select(Vote.id).where(Vote.id == vote_id).with_for_update(key_share=True))
    seq, prev = head(session, vote_id=vote_id)
    linked = 0
    while True:
        waiting = session.execute(select(BallotEvent.id, BallotEvent.body).where(
            BallotEvent.vote_id == vote_id, BallotEvent.seq.is_(None)).order_by(BallotEvent.id).limit(LINK_BATCH)).all()
        if not waiting:
            return linked
        links = []
        for event_id, body in waiting:
            seq += 1
            digest = hashlib.sha256((prev + body).encode("utf-8")).hexdigest()  # body is already canonical
            links.append({"event_id": event_id, "new_seq": seq, "new_prev": prev, "new_hash": digest})
            prev = digest
        session.connection().execute(_LINK_EVENT, links)
        linked += len(links)


def head(session: Session, *, vote_id: int) -> tuple[int, str]:
    """(seq, hash) of the newest linked event — one index lookup. Seqs run 1..n without gaps, so seq is
    also the linked board's length: polls never count the events."""
    row = session.execute(
        select(BallotEvent.seq, BallotEvent.hash).where(BallotEvent.vote_id == vote_id, BallotEvent.seq.is_not(None))
        .order_by(BallotEvent.seq.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def waiting(session: Session, *, vote_id: int) -> int:
    """How many recorded events wait to be linked (the receipt page says so)."""
    return session.execute(select(func.count()).where(BallotEvent.vote_id == vote_id,
                                                      BallotEvent.seq.is_(None))).scalar_one()


def find_receipt(session: Session, *, vote_id: int, receipt: str) -> BallotEvent | None:
    """The event whose content hash starts with the receipt code, if it is on this vote's board."""
    receipt = receipt.strip().lower()
    if len(receipt) < RECEIPT_LENGTH or any(c not in "0123456789abcdef" for c in receipt):
        return None
    return session.execute(
        select(BallotEvent).where(BallotEvent.vote_id == vote_id, BallotEvent.receipt.startswith(receipt))
    ).scalars().first()


def verify(session: Session, *, vote_id: int) -> tuple[bool, int, str]:
    """Re-hash the whole linked board; (ok, events checked, head or the reason it broke)."""
    prev, count = GENESIS, 0
    for event in session.execute(
        select(BallotEvent).where(BallotEvent.vote_id == vote_id, BallotEvent.seq.is_not(None))
        .order_by(BallotEvent.seq)
    ).scalars():
        body = json.loads(event.body)
        if event.prev_hash != prev or link_hash(prev, body) != event.hash:
            return False, count, f"event {event.seq} does not link to the one before it"
        if content_hash(canonical_json(body)) != event.receipt:
            return False, count, f"event {event.seq} does not match its receipt"
        prev, count = event.hash, count + 1
    return True, count, prev
