"""The write path of one ballot — the hot path of a vote, kept to a few prebuilt statements.

A cast is: read the vote's state, find the roll entry, record the event on the board, insert or replace
the key's one ballot, move the turnout shards. Statements are built once at import (building one costs
more than running it), run on the session's connection, and use INSERT … ON CONFLICT (SQLite ≥ 3.24 and
PostgreSQL both have it) instead of savepoints and retries.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from civic.errors import Conflict
from civic.i18n import N_
from civic.votes import chain
from civic.votes.models import Ballot, RollEntry, TurnoutShard, Vote, VoteOption

SHARDS = 8  # turnout rows per choice: concurrent casts rarely wait on the same one

_ballots, _shards = Ballot.__table__, TurnoutShard.__table__

# FOR KEY SHARE on PostgreSQL: closing a vote (FOR UPDATE) waits for casts in flight, and a cast that
# starts after the close sees it closed; casts do not block one another or the chain linker. The roll
# entry of the person casting comes in the same round trip (None when they represent no key).
VOTE_STATE = (select(Vote.id, Vote.status, Vote.opens_at, Vote.closes_at, Vote.secret, Vote.kind,
                     RollEntry.voter_key, RollEntry.pseudonym, RollEntry.area_dm2)
              .outerjoin(RollEntry, and_(RollEntry.vote_id == Vote.id,
                                         RollEntry.representative_person_id == bindparam("person_id")))
              .where(Vote.id == bindparam("vote_id")).order_by(RollEntry.voter_key).limit(1)
              .with_for_update(of=Vote.__table__, read=True, key_share=True))
OPTION_COUNT = select(func.count()).where(VoteOption.vote_id == bindparam("vote_id"))
_CURRENT_BALLOT = (select(_ballots.c.id, _ballots.c.choice.label("previous_choice"))
                   .where(_ballots.c.vote_id == bindparam("key_vote"), _ballots.c.voter_key == bindparam("key"))
                   .with_for_update())
_BALLOT_CHANGES = dict(choice=bindparam("choice"), channel=bindparam("channel"), cast_by=bindparam("cast_by"),
                       cast_at=bindparam("cast_at"), receipt=bindparam("receipt"), changes=_ballots.c.changes + 1)
_REPLACE_BY_ID = update(_ballots).where(_ballots.c.id == bindparam("ballot_id")).values(**_BALLOT_CHANGES)
# PostgreSQL: replace the key's ballot and return the choice it replaced in one round trip. The sub-select
# locks the row (FOR UPDATE: after waiting on a concurrent change it reads the row as that change left it),
# so the choice returned is exactly the one the turnout shards must move away from. (SQLite cannot
# return a column of UPDATE … FROM's sub-select; in-process, its two statements cost no round trip.)
_CURRENT_LOCKED = _CURRENT_BALLOT.subquery("previous")
_REPLACE_RETURNING_PREVIOUS = (update(_ballots).where(_ballots.c.id == _CURRENT_LOCKED.c.id)
                               .values(**_BALLOT_CHANGES).returning(_CURRENT_LOCKED.c.previous_choice))

@dataclass(frozen=True)
class RollEntryRef:
    voter_key: str
    pseudonym: str
    area_dm2: int


@dataclass(frozen=True)
class VoteState:
    id: int
    status: str
    opens_at: datetime
    closes_at: datetime
    secret: bool
    kind: str
    entry: RollEntryRef | None = None  # the casting person's key on the roll, if they represent one

    def accepts_at(self, now: datetime) -> bool:
        return self.status == "open" and self.opens_at <= now < self.closes_at


@dataclass(frozen=True)
class CastReceipt:
    vote_id: int
    receipt: str
    changed: bool  # True when this replaced an earlier ballot of the same key


def vote_state(session: Session, vote_id: int, person_id: int | None = None) -> VoteState | None:
    """The vote's state and, in the same query, the roll entry `person_id` represents (if any)."""
    row = session.connection().execute(VOTE_STATE, {"vote_id": vote_id, "person_id": person_id}).first()
    if row is None:
        return None
    entry = RollEntryRef(row.voter_key, row.pseudonym, row.area_dm2) if row.voter_key is not None else None
    return VoteState(*row[:6], entry=entry)


def option_count(session: Session, vote_id: int) -> int:
    return session.connection().execute(OPTION_COUNT, {"vote_id": vote_id}).scalar_one()


def record_ballot(session: Session, vote, entry, choice: str, channel: str, account_id: int | None,
                  now: datetime) -> CastReceipt:
    """Count a checked ballot for a roll entry, whatever the channel (web, proxy, confirmed paper): the
    event on the board, the key's one ballot inserted or replaced, the turnout shards moved. `vote` needs
    .id and .secret; `entry` .voter_key, .pseudonym and .area_dm2 (an ORM row or a plain row)."""
    event = {"type": "ballot", "voter": entry.pseudonym if vote.secret else entry.voter_key,
             "choice": choice, "channel": channel, "time": now.isoformat(timespec="microseconds"),
             # Two casts of one choice in the same microsecond still get different, unguessable receipts.
             "nonce": secrets.token_hex(8)}
    receipt = chain.record(session, vote_id=vote.id, event=event, now=now).receipt
    previous = _put_ballot(session, vote.id, entry, choice, channel, account_id, receipt, now)
    if previous != choice:  # the same choice again moves nothing
        shard = secrets.randbelow(SHARDS)
        moves = [{"vote_id": vote.id, "choice": choice, "shard": shard, "heads": 1, "area_dm2": entry.area_dm2}]
        if previous is not None:
            moves.append({"vote_id": vote.id, "choice": previous, "shard": shard, "heads": -1,
                          "area_dm2": -entry.area_dm2})
        # One executemany (pipelined by psycopg), rows in one order everywhere, so two casts never deadlock
        # on the shards. (A multi-VALUES insert would be one statement, but SQLAlchemy cannot cache it.)
        moves.sort(key=lambda move: move["choice"])
        session.connection().execute(_shard_upsert(session), moves)
    return CastReceipt(vote.id, receipt, previous is not None)


def _put_ballot(session: Session, vote_id: int, entry, choice: str, channel: str, account_id: int | None,
                receipt: str, now: datetime) -> str | None:
    """Insert the key's ballot, or replace it; returns the choice it replaced (None for a first cast).
    The unique (vote_id, voter_key) constraint decides between two first casts of one key."""
    conn = session.connection()
    values = {"vote_id": vote_id, "voter_key": entry.voter_key, "choice": choice, "channel": channel,
              "cast_by": account_id, "cast_at": now, "receipt": receipt,
              "key_vote": vote_id, "key": entry.voter_key}  # the key's ballot, for the locking sub-select
    for _attempt in range(3):
        replaced = _replace(conn, values)
        if replaced is not None:
            return replaced
        inserted = conn.execute(_ballot_insert(session), {**values, "area_dm2": entry.area_dm2}).first()
        if inserted is not None:
            return None
        # A concurrent first cast of the same key won the insert: replace its ballot instead.
    raise Conflict(N_("Your ballot could not be recorded because of simultaneous changes; please try again."))


def _replace(conn, values: dict) -> str | None:
    """Replace the key's ballot if it has one; the choice it had, or None if there was no ballot."""
    if conn.dialect.name == "postgresql":
        row = conn.execute(_REPLACE_RETURNING_PREVIOUS, values).first()
        return row.previous_choice if row else None
    current = conn.execute(_CURRENT_BALLOT, values).first()
    if current is None:
        return None
    conn.execute(_REPLACE_BY_ID, {**values, "ballot_id": current.id})
    return current.previous_choice


def _dialect_insert(session: Session):
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


@cache
def _ballot_insert_for(dialect_insert):
    return (dialect_insert(_ballots).values(
        vote_id=bindparam("vote_id"), voter_key=bindparam("voter_key"), choice=bindparam("choice"),
        area_dm2=bindparam("area_dm2"), channel=bindparam("channel"), cast_by=bindparam("cast_by"),
        cast_at=bindparam("cast_at"), receipt=bindparam("receipt"), changes=0)
        .on_conflict_do_nothing(index_elements=["vote_id", "voter_key"]).returning(_ballots.c.id))


@cache
def _shard_upsert_for(dialect_insert):
    statement = dialect_insert(_shards).values(vote_id=bindparam("vote_id"), choice=bindparam("choice"),
                                               shard=bindparam("shard"), heads=bindparam("heads"),
                                               area_dm2=bindparam("area_dm2"))
    return statement.on_conflict_do_update(
        index_elements=["vote_id", "choice", "shard"],
        set_={"heads": _shards.c.heads + statement.excluded.heads,
              "area_dm2": _shards.c.area_dm2 + statement.excluded.area_dm2})


def _ballot_insert(session: Session):
    return _ballot_insert_for(_dialect_insert(session))


def _shard_upsert(session: Session):
    return _shard_upsert_for(_dialect_insert(session))
