"""Append-only, hash-chained audit events for every state change, and their verification."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel

from civic.clock import now as clock_now
from civic.db import UTCDateTime
from civic.hashchain import GENESIS, link_hash


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
    payload = payload or {}
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
    """Re-hash every event in order and name the first one whose link does not hold."""
    prev, count, last_id = GENESIS, 0, 0
    while True:
        rows = session.execute(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).scalars().all()
        if not rows:
            return ChainReport(ok=True, events=count, head=prev)
        for event in rows:
            if event.prev_hash != prev:
                return ChainReport(False, count, prev, event.id, "its prev_hash is not the hash of the event before it")
            try:
                expected = link_hash(prev, event.body())
            except (ValueError, TypeError) as exc:
                return ChainReport(False, count, prev, event.id, f"its payload is not valid JSON ({exc})")
            if event.hash != expected:
                return ChainReport(False, count, prev, event.id, "its content does not match its hash")
            prev, count, last_id = event.hash, count + 1, event.id
        session.expunge_all()
