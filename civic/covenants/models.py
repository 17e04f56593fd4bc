"""Covenant tables: the covenant, its drafters, ordered clauses with immutable versions, amendments,
threaded comments with reports, and who follows a clause.

The foreign keys stay acyclic (the wipe between tests, `create_all` and SQLite's immediate FK checks
all need an order): a clause names its current version by *number* (`Clause.current_number`, with the
unique (clause_id, number) of ClauseVersion), and an accepted amendment names the version it became
(`Amendment.resulting_version_id`) rather than the version naming its amendment.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from civic.clock import now
from civic.db import UTCDateTime
from civic.i18n import N_


class CovenantKind(StrEnum):
    owners = "owners"  # 管理规约: an owners' management covenant, Art. 278 item 2
    residents = "residents"  # 居民公约: a residents' convention, made by the residents' meeting


class CovenantStatus(StrEnum):
    drafting = "drafting"
    consultation = "consultation"
    ratification = "ratification"  # a version is frozen and the ratification vote runs
    adopted = "adopted"
    superseded = "superseded"  # a later covenant replaced it
    repealed = "repealed"
    rejected = "rejected"  # the ratification vote did not approve it


class DrafterStatus(StrEnum):
    pending = "pending"  # a resident asked to join
    approved = "approved"  # appointed by staff, or their request approved
    declined = "declined"
    removed = "removed"


class VersionSource(StrEnum):
    edit = "edit"
    merge = "merge"  # a save based on an older version, merged three-way with the one saved meanwhile
    amendment = "amendment"  # an accepted amendment (the author is its proposer)


class AmendmentStatus(StrEnum):
    open = "open"
    accepted = "accepted"
    rejected = "rejected"
    withdrawn = "withdrawn"


class FrozenOutcome(StrEnum):
    pending = "pending"  # the ratification vote has not closed
    adopted = "adopted"
    rejected = "rejected"


class BreachStatus(StrEnum):
    recorded = "recorded"  # staff recorded it; it counts against the signer unless disputed
    disputed = "disputed"  # the signer disputes it; it does not count until staff resolve the dispute
    upheld = "upheld"  # staff upheld it after a dispute
    dismissed = "dismissed"  # staff accepted the dispute: it never counts


# A breach that counts against a covenant keeper (DOMAIN-RULES §2).
COUNTING_BREACHES = (BreachStatus.recorded, BreachStatus.upheld)


KIND_LABELS = {CovenantKind.owners: N_("owners' covenant"), CovenantKind.residents: N_("residents' convention")}

# Stored values that pages show through `_(value)`: marked here so that `make messages` extracts them.
TRANSLATED_VALUES = (
    N_("declined"), N_("removed"),  # DrafterStatus (pending, approved: see places.models)
    N_("drafting"), N_("consultation"), N_("ratification"), N_("adopted"), N_("superseded"), N_("repealed"),
    N_("rejected"), N_("open"), N_("accepted"), N_("withdrawn"), N_("edit"), N_("merge"), N_("amendment"),
    N_("pending"), N_("recorded"), N_("disputed"), N_("upheld"), N_("dismissed"),
)


class Covenant(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    scope_place_id: int = Field(foreign_key="place.id", index=True)  # a community or a compound
    kind: str = Field(max_length=16)
    title: str = Field(max_length=200)
    preamble: str = ""
    status: str = Field(default=CovenantStatus.drafting, max_length=16, index=True)
    created_by: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    status_changed_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    # Ratification (not drafted here): the frozen text's hash and time, the vote that decides it.
    frozen_version_hash: str | None = Field(default=None, max_length=64)
    frozen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ratification_vote_id: int | None = Field(default=None, foreign_key="vote.id", index=True)
    adopted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    effective_on: date | None = None
    review_on: date | None = None
    # A new text of an adopted covenant is a new covenant that supersedes it once its own vote adopts it.
    supersedes_id: int | None = Field(default=None, foreign_key="covenant.id", index=True)


class CovenantDrafter(SQLModel, table=True):
    """A drafter of a covenant, appointed by staff, or a resident's request to become one."""

    __table_args__ = (UniqueConstraint("covenant_id", "account_id"),)

    id: int | None = Field(default=None, primary_key=True)
    covenant_id: int = Field(foreign_key="covenant.id", index=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    status: str = Field(default=DrafterStatus.pending, max_length=16)
    note: str = Field(default="", max_length=500)  # the resident's request: why they want to help
    appointed_by: int | None = Field(default=None, foreign_key="account.id")  # staff who appointed or decided
    reason: str = Field(default="", max_length=500)  # why a request was declined or a drafter removed
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Clause(SQLModel, table=True):
    """One clause of a covenant; its text lives in ClauseVersion rows, the current one numbered
    `current_number`. Saves lock this row, so two saves of one clause take turns."""

    __table_args__ = (
        Index("ix_clause_covenant_position", "covenant_id", "position"),
        CheckConstraint("current_number >= 1", name="has_a_version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    covenant_id: int = Field(foreign_key="covenant.id")
    position: int
    subject: str = Field(default="other", max_length=40)  # pets, parking … (rules.SUBJECTS)
    heading: str = Field(default="", max_length=120)  # 文明养犬
    current_number: int = 1
    created_by: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    removed_by: int | None = Field(default=None, foreign_key="account.id")


class ClauseVersion(SQLModel, table=True):
    """An immutable text of a clause: never updated, never deleted."""

    __table_args__ = (UniqueConstraint("clause_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    clause_id: int = Field(foreign_key="clause.id")
    number: int  # 1, 2, … per clause
    text: str
    sha256: str = Field(max_length=64)
    author_id: int | None = Field(default=None, foreign_key="account.id")  # whose words (an amendment's proposer)
    saved_by: int | None = Field(default=None, foreign_key="account.id")  # who saved it (the accepting drafter)
    created_at: datetime = Field(sa_type=UTCDateTime)
    based_on_version_id: int | None = Field(default=None, foreign_key="clauseversion.id")
    source: str = Field(default=VersionSource.edit, max_length=16)


class Amendment(SQLModel, table=True):
    """New text proposed for a clause, with a reason; drafters accept it (a new version) or reject it."""

    __table_args__ = (Index("ix_amendment_clause_status", "clause_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    clause_id: int = Field(foreign_key="clause.id")
    proposed_by: int = Field(foreign_key="account.id", index=True)
    based_on_version_id: int = Field(foreign_key="clauseversion.id")
    text: str
    sha256: str = Field(max_length=64)
    reason: str = Field(max_length=1000)
    status: str = Field(default=AmendmentStatus.open, max_length=16)
    created_at: datetime = Field(sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, foreign_key="account.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_reason: str = Field(default="", max_length=1000)
    resulting_version_id: int | None = Field(default=None, foreign_key="clauseversion.id", index=True)


class ClauseComment(SQLModel, table=True):
    """A comment on a clause, or a reply (parent: the comment answered; root: the thread's first comment)."""

    __table_args__ = (
        Index("ix_clausecomment_clause_root_created", "clause_id", "root_id", "created_at"),
        Index("ix_clausecomment_root_created", "root_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    clause_id: int = Field(foreign_key="clause.id")
    parent_id: int | None = Field(default=None, foreign_key="clausecomment.id")
    root_id: int | None = Field(default=None, foreign_key="clausecomment.id")
    author_id: int = Field(foreign_key="account.id", index=True)
    body: str
    created_at: datetime = Field(sa_type=UTCDateTime)
    reports: int = 0  # open reports, for the moderation queue; ClauseCommentReport keeps who reported
    hidden_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    hidden_by: int | None = Field(default=None, foreign_key="account.id")
    hidden_reason: str = Field(default="", max_length=500)


class ClauseCommentReport(SQLModel, table=True):
    """One account's report of a comment (once each)."""

    __table_args__ = (UniqueConstraint("comment_id", "account_id"),)

    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(foreign_key="clausecomment.id", index=True)
    account_id: int = Field(foreign_key="account.id")
    reason: str = Field(default="", max_length=500)
    created_at: datetime = Field(sa_type=UTCDateTime)


class ClauseFollow(SQLModel, table=True):
    """An account that is told about new amendments to a clause."""

    __table_args__ = (UniqueConstraint("clause_id", "account_id"),)

    id: int | None = Field(default=None, primary_key=True)
    clause_id: int = Field(foreign_key="clause.id", index=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)


class FrozenText(SQLModel, table=True):
    """The whole text of a covenant frozen for a ratification vote: never updated except for its outcome.
    The canonical text (rules.covenant_text) and its SHA-256 are what the vote records; the clause versions
    it was made from are listed so that the history can diff one frozen text against another."""

    __table_args__ = (UniqueConstraint("covenant_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    covenant_id: int = Field(foreign_key="covenant.id")
    number: int  # 1, 2, … per covenant: each attempt at ratification
    title: str = Field(max_length=200)
    preamble: str = ""
    text: str
    sha256: str = Field(max_length=64, index=True)
    clause_version_ids: str  # comma-separated ClauseVersion ids, in clause order
    frozen_by: int | None = Field(default=None, foreign_key="account.id")
    frozen_at: datetime = Field(sa_type=UTCDateTime)
    vote_id: int | None = Field(default=None, foreign_key="vote.id", index=True)
    effective_on: date  # proposed to the vote: in force from this day if adopted
    review_on: date
    outcome: str = Field(default=FrozenOutcome.pending, max_length=16)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CovenantSignature(SQLModel, table=True):
    """A resident's signature on an adopted covenant; withdrawing keeps the row (withdrawn_at), signing
    again clears it. The audit log keeps every change."""

    __table_args__ = (UniqueConstraint("covenant_id", "account_id"),
                      Index("ix_covenantsignature_covenant_withdrawn", "covenant_id", "withdrawn_at"))

    id: int | None = Field(default=None, primary_key=True)
    covenant_id: int = Field(foreign_key="covenant.id")
    account_id: int = Field(foreign_key="account.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    signed_at: datetime = Field(sa_type=UTCDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CovenantBreach(SQLModel, table=True):
    """A breach of an adopted covenant by a signer, recorded by staff with its evidence; the signer may
    dispute it and staff resolve the dispute (upheld or dismissed)."""

    __table_args__ = (Index("ix_covenantbreach_covenant_account", "covenant_id", "account_id"),)

    id: int | None = Field(default=None, primary_key=True)
    covenant_id: int = Field(foreign_key="covenant.id")
    clause_id: int | None = Field(default=None, foreign_key="clause.id")  # the clause breached, when one is
    account_id: int = Field(foreign_key="account.id")  # the signer
    occurred_on: date
    description: str = Field(max_length=1000)
    evidence: str = Field(max_length=2000)  # what was seen, by whom, photos or documents kept at the office
    status: str = Field(default=BreachStatus.recorded, max_length=16, index=True)
    recorded_by: int = Field(foreign_key="account.id")
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    dispute_reason: str = Field(default="", max_length=1000)
    disputed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_by: int | None = Field(default=None, foreign_key="account.id")
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolution: str = Field(default="", max_length=1000)
