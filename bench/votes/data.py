"""Arranging the data the measures need, with SQLAlchemy Core (never the ORM: it is far too slow at 1M rows).

Two shapes: a small open vote whose roll lists the bench's signed-in voters (HTTP casting), and a big
open vote of n keys that all voted (tally and turnout). The big vote is generated from the key number
alone, so the same figures can be written as the CSV open data `civic tally` reads.
"""

from __future__ import annotations

import csv
import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from pydantic_core import PydanticUndefined
from sqlalchemy import Engine, insert, text, update
from sqlmodel import SQLModel

from civic.auth.models import Account
from civic.clock import now
from civic.db import import_all_models
from civic.places.models import Person, Place
from civic.votes.casting import SHARDS
from civic.votes.models import Ballot, BallotEvent, RollEntry, TurnoutShard, Vote, VoteStatus

CHUNK = 100_000
CAST_AT = "2026-11-24 02:00:00.000000"  # naive UTC, the form both databases store UTCDateTime in
# choice by (key × a large odd number) mod 10: 60% yes, 30% no, 10% abstain — approved under cn278-ordinary.
CHOICES = ("yes",) * 6 + ("no",) * 3 + ("abstain",)


@dataclass(frozen=True)
class Voter:
    account_id: int
    person_id: int


def complete(model: type[SQLModel], values: dict) -> dict:
    """`values` plus the model's plain Python defaults for the columns not given. Core inserts skip the
    model's defaults, and the vote tables gain columns while this bench lives (other work goes on)."""
    defaults = {}
    for name, field in model.model_fields.items():
        if name == "id" or name in values or name not in model.__table__.c:
            continue
        if field.default_factory is not None:
            defaults[name] = field.default_factory()
        elif field.default is not PydanticUndefined:
            defaults[name] = field.default
    return {**defaults, **values}


def create_schema(engine: Engine) -> None:
    import_all_models()
    SQLModel.metadata.create_all(engine)


def add_place(engine: Engine) -> int:
    with engine.begin() as conn:
        place_id = conn.execute(insert(Place.__table__).values(complete(Place, dict(
            kind="compound", name="南苑村小区", code=f"bench-{secrets.token_hex(4)}", path="/"))),
        ).inserted_primary_key[0]
        conn.execute(text("UPDATE place SET path = :p WHERE id = :i"), {"p": f"/{place_id}/", "i": place_id})
    return place_id


def add_open_vote(engine: Engine, place_id: int, title: str) -> int:
    """An open owners' vote (area-weighted, cn278-ordinary) whose roll is frozen and that closes in a month,
    so that no request during the bench opens or closes it."""
    at = now()
    with engine.begin() as conn:
        return conn.execute(insert(Vote.__table__).values(complete(Vote, dict(
            title=title, description="", scope_place_id=place_id, matter="cn278-4-property-manager",
            rule_name="cn278-ordinary", kind="yes_no", secret=False, opens_at=at - timedelta(hours=1),
            closes_at=at + timedelta(days=30), status=VoteStatus.open, created_at=at - timedelta(hours=2),
            roll_fingerprint="0" * 64, roll_frozen_at=at - timedelta(hours=1)))),
        ).inserted_primary_key[0]


def add_voters(engine: Engine, count: int) -> list[Voter]:
    """Persons with single-sign-on accounts (no password: the session stamp is derived from the id)."""
    at = now()
    with engine.begin() as conn:
        person_ids = conn.execute(
            insert(Person.__table__).returning(Person.__table__.c.id, sort_by_parameter_order=True),
            [complete(Person, {"name": f"业主{n}", "kind": "natural"}) for n in range(count)]).scalars().all()
        account_ids = conn.execute(
            insert(Account.__table__).returning(Account.__table__.c.id, sort_by_parameter_order=True),
            [complete(Account, {"display_name": f"业主{n}", "email": f"bench{n}@example.test", "person_id": p,
                                "is_active": True, "created_at": at})
             for n, p in enumerate(person_ids)]).scalars().all()
    return [Voter(a, p) for a, p in zip(account_ids, person_ids, strict=True)]


def put_on_roll(engine: Engine, vote_id: int, voters: list[Voter]) -> None:
    """Each voter represents one key of the vote's roll (a single-owner flat)."""
    with engine.begin() as conn:
        conn.execute(insert(RollEntry.__table__), [complete(RollEntry, {
            "vote_id": vote_id, "voter_key": f"owner:{v.person_id}", "pseudonym": secrets.token_hex(8),
            "representative_person_id": v.person_id, "area_dm2": 8950 + n, "unit_ids": str(n),
            "unit_areas": str(8950 + n)}) for n, v in enumerate(voters)])


# --- the big vote -------------------------------------------------------------------------------------

def area_dm2(i: int) -> int:
    return 4500 + (i * 7919) % 11501  # 45.00 … 160.00 m²


def choice(i: int) -> str:
    return CHOICES[(i * 2654435761) % 10]


def load_big_vote(engine: Engine, place_id: int, n: int, *, representative: int | None = None) -> int:
    """An open vote with n roll keys, a ballot for each, turnout shards summing them and n board events.

    Key 0 is represented by person `representative` (a signed-in viewer of the meter). Events carry
    sequential stand-in hashes: the meter reads only the newest seq through the (vote_id, seq) index, and
    random hashes would only make the load slower, not the measure different.
    """
    vote_id = add_open_vote(engine, place_id, f"{n:,} ballots")
    _bulk(engine, RollEntry, ("vote_id", "voter_key", "pseudonym", "representative_person_id", "area_dm2",
                              "unit_ids", "unit_areas"),
          ((vote_id, f"owner:{i}", f"{i:016x}", representative if i == 0 else None, area_dm2(i), str(i),
            str(area_dm2(i))) for i in range(n)))
    _bulk(engine, Ballot, ("vote_id", "voter_key", "choice", "area_dm2", "channel", "cast_at", "receipt"),
          ((vote_id, f"owner:{i}", choice(i), area_dm2(i), "web", CAST_AT, f"{i:016x}") for i in range(n)))
    _bulk(engine, BallotEvent, ("vote_id", "receipt", "seq", "prev_hash", "hash", "body", "created_at"),
          ((vote_id, f"{i:064x}", i + 1, f"{i:064x}", f"{i + 1:064x}",
            f'{{"channel":"web","choice":"{choice(i)}","seq":{i + 1},"time":"2026-11-24T02:00:00.000000+00:00",'
            f'"type":"ballot","vote":{vote_id},"voter":"owner:{i}"}}', CAST_AT) for i in range(n)))
    shards: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for i in range(n):
        total = shards[(choice(i), i % SHARDS)]
        total[0] += 1
        total[1] += area_dm2(i)
    with engine.begin() as conn:
        # The roll's size, as opening the vote records it (the meter reads it from the vote).
        conn.execute(update(Vote.__table__).where(Vote.__table__.c.id == vote_id).values(
            roll_heads=n, roll_area_dm2=sum(area_dm2(i) for i in range(n))))
        conn.execute(insert(TurnoutShard.__table__), [
            complete(TurnoutShard, {"vote_id": vote_id, "choice": c, "shard": s, "heads": h, "area_dm2": a})
            for (c, s), (h, a) in sorted(shards.items())])
    if engine.dialect.name == "postgresql":
        # A production database would have been auto-analysed and vacuumed after a million inserts; do it
        # now so the planner and index-only scans see the tables as they would be mid-vote.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE rollentry, ballot, ballotevent, turnoutshard")
    return vote_id


def write_open_data(directory: Path, n: int) -> tuple[Path, Path]:
    """The big vote as `civic tally` reads it: roll.csv (unit_id,voter_key,area) and ballots.csv."""
    roll, ballots = directory / "roll.csv", directory / "ballots.csv"
    with roll.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(("unit_id", "voter_key", "area"))
        out.writerows((f"u{i}", f"owner:{i}", f"{area_dm2(i) // 100}.{area_dm2(i) % 100:02d}") for i in range(n))
    with ballots.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(("voter_key", "choice"))
        out.writerows((f"owner:{i}", choice(i)) for i in range(n))
    return roll, ballots


def _chunks(rows: Iterable[tuple], size: int = CHUNK) -> Iterator[list[tuple]]:
    chunk: list[tuple] = []
    for r in rows:
        chunk.append(r)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _bulk(engine: Engine, model: type[SQLModel], columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
    """One transaction per table: executemany on SQLite, COPY on PostgreSQL (10–20× faster than
    executemany there). Columns not given get the model's defaults, the same for every row."""
    extra = {k: v for k, v in complete(model, dict.fromkeys(columns)).items() if k not in columns}
    if extra:
        tail = tuple(CAST_AT if hasattr(v, "tzinfo") else str(v) if isinstance(v, str) else v  # StrEnum → str
                     for v in extra.values())
        columns, rows = (*columns, *extra), (r + tail for r in rows)
    table, names = model.__table__.name, ", ".join(columns)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            cursor = conn.connection.driver_connection.cursor()
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)
        else:
            sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
            for chunk in _chunks(rows):
                conn.exec_driver_sql(sql, chunk)
