"""Contest tables: the contest and its declared rules (phases, rubric, formula, matching), entries with
their teams, budgets, material needs and images, pledges, team updates and comments, judges' conflicts
and score sheets, and the published result.

Money is integer fen throughout. The phase is never stored: it follows from the dates and the clock
(`rules.phase_at`), so that no job has to run for a contest to move on; the two things that do happen
at a boundary (releasing the pledges of entries that missed their goal, publishing the results) are
recorded by their time (`backing_settled_at`, `ContestResult`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from civic.clock import now
from civic.db import UTCDateTime
from civic.i18n import N_


class ContestStatus(StrEnum):
    draft = "draft"  # staff are setting it up; nobody else sees it
    published = "published"  # public; its phase follows from its dates


class Phase(StrEnum):
    draft = "draft"
    upcoming = "upcoming"  # published, submissions not open yet
    submission = "submission"
    screening = "screening"
    backing = "backing"
    judging = "judging"
    results = "results"


class EntryStatus(StrEnum):
    draft = "draft"  # the team is writing it; only the team sees it
    submitted = "submitted"  # public; the team may still change it until the submission deadline
    accepted = "accepted"  # screened in: open for backing, then judged
    rejected = "rejected"  # screened out, with a public reason
    withdrawn = "withdrawn"  # the team took it back before the deadline


class Funding(StrEnum):
    pending = "pending"  # backing has not closed
    funded = "funded"  # reached its money goal (or asked for no money): goes on to judging
    released = "released"  # missed its money goal: every pledge was released (all-or-nothing)


class PledgeKind(StrEnum):
    money = "money"
    hours = "hours"
    materials = "materials"


class PledgeStatus(StrEnum):
    standing = "standing"
    cancelled = "cancelled"  # by the backer before the deadline
    released = "released"  # the entry missed its goal


class Normalize(StrEnum):
    zscore = "zscore"
    none = "none"


class TieRule(StrEnum):
    jury = "jury"  # equal combined scores: the higher jury score first, then more backers
    support = "support"  # equal combined scores: more backers first, then the higher jury score


class MatchingMethod(StrEnum):
    none = "none"  # the pool is shared equally among the advancing entries
    proportional = "proportional"
    quadratic = "quadratic"


# Stored values that pages show through `_(value)`: marked here so that `make messages` extracts them.
TRANSLATED_VALUES = (
    N_("draft"), N_("published"), N_("upcoming"), N_("submission"), N_("screening"), N_("backing"), N_("judging"),
    N_("results"), N_("submitted"), N_("accepted"), N_("rejected"), N_("withdrawn"), N_("pending"), N_("funded"),
    N_("released"), N_("money"), N_("hours"), N_("materials"), N_("standing"), N_("cancelled"),
    N_("zscore"), N_("none"), N_("jury"), N_("support"), N_("proportional"), N_("quadratic"),
)


class Contest(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("prize_pool_fen >= 0", name="pool_not_negative"),
        CheckConstraint("jury_weight + support_weight = 100", name="weights_add_up"),
        CheckConstraint("winner_count <= advance_count", name="winners_advance"),
    )

    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="place.id", index=True)  # staff of this place (or above) run it
    title: str = Field(max_length=200)
    description: str = ""  # Markdown
    status: str = Field(default=ContestStatus.draft, max_length=16, index=True)
    prize_pool_fen: int = 0  # the matching pool
    advance_count: int = 20
    winner_count: int = 3
    # Phase boundaries: submission [opens, closes) → screening → backing [opens, closes) → judging → results.
    submission_opens_at: datetime = Field(sa_type=UTCDateTime)
    submission_closes_at: datetime = Field(sa_type=UTCDateTime)
    backing_opens_at: datetime = Field(sa_type=UTCDateTime)
    backing_closes_at: datetime = Field(sa_type=UTCDateTime)  # judging opens: the rules are frozen from here
    judging_closes_at: datetime = Field(sa_type=UTCDateTime)  # results
    # The ranking formula: weights (percent) of the normalised jury score and of public support.
    normalize: str = Field(default=Normalize.zscore, max_length=8)
    jury_weight: int = 100
    support_weight: int = 0
    tie_rule: str = Field(default=TieRule.jury, max_length=8)
    matching_method: str = Field(default=MatchingMethod.quadratic, max_length=16)
    matching_cap_percent: int | None = None  # no entry gets more than this share of the pool
    created_by: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    backing_settled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RubricCriterion(SQLModel, table=True):
    __table_args__ = (CheckConstraint("weight > 0", name="weight_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    contest_id: int = Field(foreign_key="contest.id", index=True)
    position: int = 0
    name: str = Field(max_length=120)
    description: str = Field(default="", max_length=1000)
    weight: int = 1  # a sheet's total is Σ weight × chosen level's score


class RubricLevel(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("criterion_id", "score"),)

    id: int | None = Field(default=None, primary_key=True)
    criterion_id: int = Field(foreign_key="rubriccriterion.id", index=True)
    score: int  # 0 … 10
    description: str = Field(max_length=500)


class ContestEntry(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("money_goal_fen >= 0", name="goal_not_negative"),
        CheckConstraint("hours_goal >= 0", name="hours_not_negative"),
        Index("ix_contestentry_contest_status", "contest_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contest_id: int = Field(foreign_key="contest.id")
    title: str = Field(max_length=200)
    summary: str = Field(default="", max_length=1000)
    beneficiaries: str = Field(default="", max_length=1000)
    plan: str = ""  # Markdown
    place_id: int | None = Field(default=None, foreign_key="place.id")  # optional: where it happens
    latitude: float | None = None  # optional map point, WGS-84
    longitude: float | None = None
    money_goal_fen: int = 0
    hours_goal: int = 0
    status: str = Field(default=EntryStatus.draft, max_length=16)
    screening_reason: str = Field(default="", max_length=1000)  # public
    screened_by: int | None = Field(default=None, foreign_key="account.id")
    screened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    funding: str = Field(default=Funding.pending, max_length=16)
    # Copied from the published result, so that lists sort and show them without reading the document.
    rank: int | None = None
    advances: bool = False
    wins: bool = False
    match_fen: int | None = None


class EntryMember(SQLModel, table=True):
    """A member of an entry's team; the lead created the entry and adds the others."""

    __table_args__ = (UniqueConstraint("entry_id", "account_id"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="contestentry.id", index=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    is_lead: bool = False
    added_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class BudgetLine(SQLModel, table=True):
    __table_args__ = (CheckConstraint("amount_fen >= 0", name="amount_not_negative"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="contestentry.id", index=True)
    position: int = 0
    item: str = Field(max_length=200)
    amount_fen: int


class MaterialNeed(SQLModel, table=True):
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="contestentry.id", index=True)
    position: int = 0
    item: str = Field(max_length=120)
    quantity: int
    unit: str = Field(default="", max_length=20)  # 个, 袋, 米 …


class EntryImage(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="contestentry.id", index=True)
    file_id: int = Field(foreign_key="storedfile.id")  # civic.uploads
    alt: str = Field(max_length=200)  # the text alternative, required
    position: int = 0


class Pledge(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("amount_fen >= 0 AND hours >= 0 AND quantity >= 0", name="amounts_not_negative"),
        Index("ix_pledge_entry_status", "entry_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="contestentry.id")
    account_id: int = Field(foreign_key="account.id", index=True)
    kind: str = Field(max_length=16)
    amount_fen: int = 0  # money
    hours: int = 0  # volunteer hours
    material_need_id: int | None = Field(default=None, foreign_key="materialneed.id")
    quantity: int = 0  # of the material need
    note: str = Field(default="", max_length=200)
    status: str = Field(default=PledgeStatus.standing, max_length=16)
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    released_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # No payment gateway: a treasurer of the contest records that the money was received.
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    confirmed_by: int | None = Field(default=None, foreign_key="account.id")


class EntryUpdate(SQLModel, table=True):
    """News from the team to its backers."""

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="contestentry.id", index=True)
    author_id: int = Field(foreign_key="account.id")
    body: str
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class EntryComment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="contestentry.id", index=True)
    author_id: int = Field(foreign_key="account.id")
    body: str
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    hidden_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    hidden_by: int | None = Field(default=None, foreign_key="account.id")
    hidden_reason: str = Field(default="", max_length=500)


class JudgeConflict(SQLModel, table=True):
    """A conflict a judge declared; conflicts through the team or a household are found, not declared."""

    __table_args__ = (UniqueConstraint("entry_id", "judge_id"),)

    id: int | None = Field(default=None, primary_key=True)
    contest_id: int = Field(foreign_key="contest.id", index=True)
    entry_id: int = Field(foreign_key="contestentry.id")
    judge_id: int = Field(foreign_key="account.id")
    reason: str = Field(max_length=500)
    declared_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class ScoreSheet(SQLModel, table=True):
    """One judge's scores for one entry; private until judging closes, revisable until then."""

    __table_args__ = (UniqueConstraint("entry_id", "judge_id"),)

    id: int | None = Field(default=None, primary_key=True)
    contest_id: int = Field(foreign_key="contest.id", index=True)
    entry_id: int = Field(foreign_key="contestentry.id")
    judge_id: int = Field(foreign_key="account.id", index=True)
    total: int = 0  # Σ weight × level over the criteria scored
    complete: bool = False  # every criterion scored: only complete sheets count
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class ScoreItem(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("sheet_id", "criterion_id"),)

    id: int | None = Field(default=None, primary_key=True)
    sheet_id: int = Field(foreign_key="scoresheet.id", index=True)
    criterion_id: int = Field(foreign_key="rubriccriterion.id")
    level: int


class ContestResult(SQLModel, table=True):
    """The published result: every step as one JSON document (what results.json serves), and its hash."""

    id: int | None = Field(default=None, primary_key=True)
    contest_id: int = Field(foreign_key="contest.id", unique=True)
    computed_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    document: str
    sha256: str = Field(max_length=64)
    judges: str = "{}"  # private, never published: {"A": account id, …} for the staff dashboard's names
