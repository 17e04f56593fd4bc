"""Vote tables: the vote, its frozen roll, counted ballots, the ballot chain, proxies and paper batches."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from civic.clock import now
from civic.db import UTCDateTime


class VoteStatus(StrEnum):
    scheduled = "scheduled"  # created, roll not yet frozen
    open = "open"  # roll frozen, ballots accepted until closes_at
    closed = "closed"  # result and chain head published; nothing accepted


class VoteKind(StrEnum):
    yes_no = "yes_no"
    options = "options"  # one of N options; an option wins only if it meets the approval rule


class Channel(StrEnum):
    web = "web"
    proxy = "proxy"
    paper = "paper"


class Vote(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    description: str = ""
    scope_place_id: int = Field(foreign_key="place.id", index=True)
    matter: str = Field(max_length=40)
    rule_name: str = Field(max_length=40)
    kind: str = Field(default=VoteKind.yes_no, max_length=16)
    secret: bool = False
    opens_at: datetime = Field(sa_type=UTCDateTime)
    closes_at: datetime = Field(sa_type=UTCDateTime, index=True)
    status: str = Field(default=VoteStatus.scheduled, max_length=16, index=True)
    created_by: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    roll_fingerprint: str | None = Field(default=None, max_length=64)
    roll_frozen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The frozen roll's size, so the turnout meter never counts a million roll entries per poll.
    roll_heads: int = 0
    roll_area_dm2: int = Field(default=0, sa_type=BigInteger)  # a large roll's dm² pass 2**31
    chain_head: str | None = Field(default=None, max_length=64)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    result_json: str | None = None
    announced_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # the roll was told it opened
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # the day-before reminder went out
    subject_type: str | None = Field(default=None, max_length=40)  # e.g. "covenant_version" for ratification
    subject_ref: str | None = Field(default=None, max_length=80)  # e.g. the frozen text's SHA-256


class VoteOption(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("vote_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    vote_id: int = Field(foreign_key="vote.id", index=True)
    position: int
    label: str = Field(max_length=200)


class RollEntry(SQLModel, table=True):
    """One voter key of the roll frozen when the vote opened; later register changes never touch it."""

    __table_args__ = (UniqueConstraint("vote_id", "voter_key"), UniqueConstraint("vote_id", "pseudonym"))

    id: int | None = Field(default=None, primary_key=True)
    vote_id: int = Field(foreign_key="vote.id", index=True)
    voter_key: str = Field(max_length=80)
    pseudonym: str = Field(max_length=24)  # random per vote: what secret votes' open data shows
    representative_person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    area_dm2: int
    unit_ids: str = ""  # comma-separated, in order
    unit_labels: str = ""  # "2栋 301, 2栋 302" for the certificate and the roll export
    unit_areas: str = ""  # each unit's area in dm², comma-separated in unit_ids order (roll.csv is per unit)


class Ballot(SQLModel, table=True):
    """The counted ballot of a voter key. The unique constraint, not a check, makes it one per key."""

    __table_args__ = (
        UniqueConstraint("vote_id", "voter_key"),
        CheckConstraint("area_dm2 >= 0", name="area_not_negative"),
        Index("ix_ballot_vote_choice", "vote_id", "choice"),
    )

    id: int | None = Field(default=None, primary_key=True)
    vote_id: int = Field(foreign_key="vote.id")
    voter_key: str = Field(max_length=80)
    choice: str = Field(max_length=20)  # yes / no / abstain, or "option:<id>"
    area_dm2: int  # copied from the roll (0 for residents' matters) so a tally is one GROUP BY here
    channel: str = Field(max_length=8)
    cast_by: int | None = Field(default=None, foreign_key="account.id")
    cast_at: datetime = Field(sa_type=UTCDateTime)
    receipt: str = Field(max_length=64)
    changes: int = 0


class TurnoutShard(SQLModel, table=True):
    """Running totals per choice, spread over a few shards so concurrent casts rarely wait on one row;
    the turnout meter sums a handful of rows instead of scanning a million ballots."""

    __table_args__ = (UniqueConstraint("vote_id", "choice", "shard"),)

    id: int | None = Field(default=None, primary_key=True)
    vote_id: int = Field(foreign_key="vote.id", index=True)
    choice: str = Field(max_length=20)
    shard: int
    heads: int = 0
    area_dm2: int = Field(default=0, sa_type=BigInteger)


class BallotEvent(SQLModel, table=True):
    """The bulletin board: every cast, change and paper entry, hash-chained per vote.

    A cast only inserts its event with its content hash (the receipt); `civic.votes.chain.link` later
    gives events their place in the chain (seq, prev_hash, hash) in insertion order, in batches. So casts
    for different keys never wait on one chain head, and the chain is still complete and published at close.
    """

    __table_args__ = (UniqueConstraint("vote_id", "seq"), UniqueConstraint("vote_id", "prev_hash"),
                      Index("ix_ballotevent_vote_receipt", "vote_id", "receipt"))

    id: int | None = Field(default=None, primary_key=True)
    vote_id: int = Field(foreign_key="vote.id", index=True)
    receipt: str = Field(max_length=64)  # sha256 of the body: the voter's receipt code is its start
    seq: int | None = None  # None until linked
    prev_hash: str | None = Field(default=None, max_length=64)
    hash: str | None = Field(default=None, max_length=64)
    body: str  # canonical JSON of the event, exactly what is hashed
    created_at: datetime = Field(sa_type=UTCDateTime)


class ProxyMandate(SQLModel, table=True):
    """A written proxy recorded by staff: who may vote for which key in this vote, on what evidence."""

    id: int | None = Field(default=None, primary_key=True)
    vote_id: int = Field(foreign_key="vote.id", index=True)
    voter_key: str = Field(max_length=80)
    proxy_account_id: int = Field(foreign_key="account.id", index=True)
    evidence: str = Field(max_length=500)
    recorded_by: int = Field(foreign_key="account.id")
    recorded_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PaperBatch(SQLModel, table=True):
    """Paper ballots entered by one staff member and confirmed by another before they count."""

    id: int | None = Field(default=None, primary_key=True)
    vote_id: int = Field(foreign_key="vote.id", index=True)
    entered_by: int = Field(foreign_key="account.id")
    entered_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    confirmed_by: int | None = Field(default=None, foreign_key="account.id")
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: str = Field(default="pending", max_length=16)
    note: str = Field(default="", max_length=500)


class PaperEntry(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("batch_id", "voter_key"),)

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="paperbatch.id", index=True)
    voter_key: str = Field(max_length=80)
    choice: str = Field(max_length=20)
    status: str = Field(default="entered", max_length=16)  # entered / counted / conflict / kept_online / replaced


class VoteProposal(SQLModel, table=True):
    """A residents' proposal for a vote; at 1/5 of households in scope staff must schedule it (Art. 10)."""

    id: int | None = Field(default=None, primary_key=True)
    scope_place_id: int = Field(foreign_key="place.id", index=True)
    title: str = Field(max_length=200)
    description: str = ""
    matter: str = Field(default="residents-matter", max_length=40)
    proposed_by: int = Field(foreign_key="account.id")
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    status: str = Field(default="gathering", max_length=16)  # gathering / must_schedule / scheduled / withdrawn
    vote_id: int | None = Field(default=None, foreign_key="vote.id")


class ProposalSupport(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("proposal_id", "household_id"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="voteproposal.id", index=True)
    household_id: int = Field(foreign_key="household.id")
    account_id: int = Field(foreign_key="account.id")
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
