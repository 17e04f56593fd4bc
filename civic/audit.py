"""Append-only, hash-chained audit events for every state change, and their verification."""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel

from civic.clock import now as clock_now
from civic.db import UTCDateTime
from civic.hashchain import GENESIS, link_hash

# PostgreSQL advisory lock that lines appenders up (any fixed 64-bit number unique to this chain).
APPEND_LOCK_KEY = zlib.crc32(b"civic.audit.append")


class AuditEvent(SQLModel, table=True):
    """One link of the chain. `prev_hash` is unique, so two writers can never fork the chain."""

    id: int | None = Field(default=None, primary_key=True)
    prev_hash: str = Field(max_length=64, unique=True)
    hash: str = Field(max_length=64, unique=True)
    actor_id: int | None = Field(default=None, index=True)
    action: str = Field(max_length=60, index=True)
    object_type: str = Field(max_length=40)
    object_id: str = Field(max_length=40)
    payload: str = "{}"
    created_at: datetime = Field(sa_type=UTCDateTime)

    def body(self) -> dict[str, Any]:
        return event_body(self.actor_id, self.action, self.object_type, self.object_id,
                          json.loads(self.payload), self.created_at)


def event_body(actor_id, action, object_type, object_id, payload, created_at: datetime) -> dict[str, Any]:
    """What is hashed: everything that makes the event, the time as ISO 8601 UTC."""
    return {
        "actor": actor_id,
        "action": action,
        "object": f"{object_type}:{object_id}",
        "time": created_at.isoformat(timespec="microseconds"),
        "payload": payload,
    }


def record(session: Session, *, actor_id: int | None, action: str, object_type: str, object_id: Any,
           payload: dict[str, Any] | None = None, now: datetime | None = None) -> AuditEvent:
    """Append an event to the chain inside the caller's transaction (a savepoint retries a lost race)."""
    created_at = now or clock_now()
    if created_at.tzinfo is None:
        raise ValueError("naive datetime given; use civic.clock.now() or an aware datetime")
    # Hash the time exactly as it will be read back (UTC): a caller's Beijing time would otherwise be
    # hashed as +08:00 and verified as +00:00, and the chain would look broken.
    created_at = created_at.astimezone(UTC)
    payload = payload or {}
    if session.get_bind().dialect.name == "postgresql":
        # Take turns. Without this, every writer waiting on the unique prev_hash fails together when the
        # head moves and all but one lose again: under load a writer can lose 20 races in a row. The
        # lock is held to the end of the transaction, as the unique index would make others wait anyway.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPEND_LOCK_KEY})
    for _attempt in range(20):
        head = session.execute(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).scalar()
        prev = head or GENESIS
        body = event_body(actor_id, action, object_type, str(object_id), payload, created_at)
        event = AuditEvent(prev_hash=prev, hash=link_hash(prev, body), actor_id=actor_id, action=action,
                           object_type=object_type, object_id=str(object_id),
                           payload=json.dumps(payload, sort_keys=True, ensure_ascii=False),
                           created_at=created_at)
        try:
            with session.begin_nested():
                session.add(event)
                session.flush()
            return event
        except IntegrityError:
            # Another writer appended to the same head first; read the new head and try again.
            continue
    raise RuntimeError("could not append to the audit chain after 20 attempts")


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    head: str
    broken_at: int | None = None
    reason: str = ""


def verify(session: Session, *, batch: int = 5000) -> ChainReport:
    """Re-hash every event in order and name the first one whose link does not hold.

    Reads plain rows in batches (no ORM objects), so a long chain neither fills the caller's session
    nor memory.
    """
    prev, count, last_id = GENESIS, 0, 0
    columns = (AuditEvent.id, AuditEvent.prev_hash, AuditEvent.hash, AuditEvent.actor_id, AuditEvent.action,
               AuditEvent.object_type, AuditEvent.object_id, AuditEvent.payload, AuditEvent.created_at)
    while True:
        rows = session.execute(select(*columns).where(AuditEvent.id > last_id).order_by(AuditEvent.id)
                               .limit(batch)).all()
        if not rows:
            return ChainReport(ok=True, events=count, head=prev)
        for id_, prev_hash, hash_, actor, action, object_type, object_id, payload, created_at in rows:
            if prev_hash != prev:
                return ChainReport(False, count, prev, id_, "its prev_hash is not the hash of the event before it")
            try:
                body = event_body(actor, action, object_type, object_id, json.loads(payload), created_at)
                expected = link_hash(prev, body)
            except (ValueError, TypeError) as exc:
                return ChainReport(False, count, prev, id_, f"its payload is not valid JSON ({exc})")
            if hash_ != expected:
                return ChainReport(False, count, prev, id_, "its content does not match its hash")
            prev, count, last_id = hash_, count + 1, id_
