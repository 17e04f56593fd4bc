"""The per-vote bulletin board: ballot events hash-chained as hash = sha256(prev || canonical_json(event))."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from civic.hashchain import GENESIS, canonical_json, link_hash
from civic.votes.models import BallotEvent

RECEIPT_LENGTH = 16  # hex characters shown to the voter: 64 bits, ample to find one event among millions


@dataclass(frozen=True)
class Appended:
    seq: int
    hash: str

    @property
    def receipt(self) -> str:
        return self.hash[:RECEIPT_LENGTH]


def append(session: Session, *, vote_id: int, event: dict[str, Any], now: datetime) -> Appended:
    """Add an event at the head of the vote's chain inside the caller's transaction.

    (vote_id, prev_hash) is unique, so two concurrent writers cannot both extend the same head: the
    loser's savepoint rolls back and it retries on the new head.
    """
    for _attempt in range(50):
        head = session.execute(
            select(BallotEvent.seq, BallotEvent.hash).where(BallotEvent.vote_id == vote_id)
            .order_by(BallotEvent.seq.desc()).limit(1)
        ).first()
        seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
        body = {**event, "seq": seq, "vote": vote_id}
        digest = link_hash(prev, body)
        try:
            with session.begin_nested():
                session.add(BallotEvent(vote_id=vote_id, seq=seq, prev_hash=prev, hash=digest,
                                        body=canonical_json(body), created_at=now))
                session.flush()
            return Appended(seq, digest)
        except IntegrityError:
            continue
    raise RuntimeError(f"could not append to the chain of vote {vote_id}")


def head(session: Session, *, vote_id: int) -> tuple[int, str]:
    """(seq, hash) of the newest event — one index lookup. Seqs run 1..n without gaps (unique per vote,
    each append takes head + 1), so seq is also the board's length: polls never count the events."""
    row = session.execute(
        select(BallotEvent.seq, BallotEvent.hash).where(BallotEvent.vote_id == vote_id)
        .order_by(BallotEvent.seq.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def find_receipt(session: Session, *, vote_id: int, receipt: str) -> BallotEvent | None:
    """The event whose hash starts with the receipt code, if it is on this vote's board."""
    receipt = receipt.strip().lower()
    if len(receipt) < RECEIPT_LENGTH or any(c not in "0123456789abcdef" for c in receipt):
        return None
    return session.execute(
        select(BallotEvent).where(BallotEvent.vote_id == vote_id, BallotEvent.hash.startswith(receipt))
    ).scalars().first()


def verify(session: Session, *, vote_id: int) -> tuple[bool, int, str]:
    """Re-hash the whole board; (ok, events checked, head or the reason it broke)."""
    prev, count = GENESIS, 0
    for event in session.execute(
        select(BallotEvent).where(BallotEvent.vote_id == vote_id).order_by(BallotEvent.seq)
    ).scalars():
        if event.prev_hash != prev or link_hash(prev, json.loads(event.body)) != event.hash:
            return False, count, f"event {event.seq} does not link to the one before it"
        prev, count = event.hash, count + 1
    return True, count, prev
