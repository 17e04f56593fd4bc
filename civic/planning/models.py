"""Planning tables: projects with a boundary, phases, categories and base layers; residents' proposals (a
point, a line or an area) with photos, support, comments and followers; planners' annotations and design
themes; and each proposal's status history.

Geometries are stored as RFC 7946 GeoJSON text in WGS-84 ([lon, lat]), already validated and normalised
by `geo.py`, beside their bounding box and a representative point as plain numbers: the map's
bounding-box query and the server-side point clustering are then ordinary indexed comparisons that work
the same on SQLite and PostgreSQL, with no spatial extension. The phase is never stored: it follows from
the dates and the clock (`rules.phase_at`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from civic.clock import now
from civic.db import UTCDateTime
from civic.i18n import N_


class ProjectStatus(StrEnum):
    draft = "draft"  # planners are setting it up; nobody else sees it
    published = "published"  # public; its phase follows from its dates


class Phase(StrEnum):
    draft = "draft"
    upcoming = "upcoming"  # published, discovery not open yet
    discovery = "discovery"  # residents mark the beauty and the pain of the place
    proposals = "proposals"  # residents propose changes
    feedback = "feedback"  # planners show designs; residents comment and support, nothing new is added
    closed = "closed"  # read-only for residents; planners still move proposals on until they are built


class GeometryKind(StrEnum):
    point = "point"
    line = "line"
    polygon = "polygon"


class ProposalStatus(StrEnum):
    received = "received"
    under_review = "under_review"
    in_plan = "in_plan"
    in_design = "in_design"
    built = "built"
    declined = "declined"  # always with a public reason


# A proposal's status in words (msgids; pages translate them): the stored values are identifiers.
STATUS_LABELS = {
    ProposalStatus.received: N_("new, not yet reviewed"), ProposalStatus.under_review: N_("under review"),
    ProposalStatus.in_plan: N_("in the plan"), ProposalStatus.in_design: N_("in design"),
    ProposalStatus.built: N_("built"), ProposalStatus.declined: N_("not taken up"),
}


class Visibility(StrEnum):
    public = "public"
    internal = "internal"  # planners and staff only


class CategoryKey(StrEnum):
    """The built-in categories, shown translated; a project may add its own (a label, shown as written)."""

    beauty = "beauty"
    pain = "pain"
    idea = "idea"
    custom = "custom"


class BaseLayer(StrEnum):
    """What the map draws under the proposals. Tiles come from CIVIC_MAP_TILES when configured; the
    register's layers need nothing from another host."""

    tiles = "tiles"
    compounds = "compounds"
    buildings = "buildings"


# Stored values that pages show through `_(value)`: marked here so that `make messages` extracts them.
TRANSLATED_VALUES = (
    N_("draft"), N_("published"), N_("upcoming"), N_("discovery"), N_("proposals"), N_("feedback"), N_("closed"),
    N_("point"), N_("line"), N_("polygon"), N_("public"), N_("internal"), N_("beauty"), N_("pain"), N_("idea"),
    N_("tiles"), N_("compounds"), N_("buildings"),
)


class PlanningProject(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("min_lon <= max_lon AND min_lat <= max_lat", name="bbox_ordered"),
    )

    id: int | None = Field(default=None, primary_key=True)
    place_id: int = Field(foreign_key="place.id", index=True)  # staff of this place (or above) run it
    title: str = Field(max_length=200)
    description: str = ""  # Markdown
    status: str = Field(default=ProjectStatus.draft, max_length=16, index=True)
    boundary: str  # GeoJSON Polygon or MultiPolygon
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float
    # Phase boundaries: discovery [opens, proposals) → proposals → design feedback → closed.
    discovery_opens_at: datetime = Field(sa_type=UTCDateTime)
    proposals_opens_at: datetime = Field(sa_type=UTCDateTime)
    feedback_opens_at: datetime = Field(sa_type=UTCDateTime)
    closes_at: datetime = Field(sa_type=UTCDateTime)
    base_layers: str = Field(default="tiles,compounds,buildings", max_length=80)  # BaseLayer values, comma-separated
    created_by: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PlanningCategory(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("project_id", "key", "label"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="planningproject.id", index=True)
    position: int = 0
    key: str = Field(default=CategoryKey.custom, max_length=16)  # CategoryKey
    label: str = Field(default="", max_length=40)  # a custom category's name; empty for the built-in ones
    colour: str = Field(default="#2b6cb0", max_length=7)  # from rules.CATEGORY_COLOURS


class PlanningTheme(SQLModel, table=True):
    """A design theme: planners group related proposals under it."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="planningproject.id", index=True)
    position: int = 0
    name: str = Field(max_length=120)
    description: str = Field(default="", max_length=2000)


class _Shape(SQLModel):
    """The geometry columns shared by proposals and annotations."""

    kind: str = Field(max_length=8)  # GeometryKind
    geometry: str  # normalised GeoJSON geometry
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float
    lon: float  # a point on the shape (its representative point), where its marker and cluster sit
    lat: float


class PlanningProposal(_Shape, table=True):
    __table_args__ = (
        CheckConstraint("support_count >= 0 AND comment_count >= 0", name="counts_not_negative"),
        Index("ix_planningproposal_project_bbox", "project_id", "min_lon", "max_lon"),
        Index("ix_planningproposal_project_status", "project_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="planningproject.id")
    author_id: int = Field(foreign_key="account.id", index=True)
    category_id: int = Field(foreign_key="planningcategory.id", index=True)
    theme_id: int | None = Field(default=None, foreign_key="planningtheme.id", index=True)
    title: str = Field(max_length=200)
    description: str = ""  # Markdown
    place_label: str = Field(max_length=200)  # the text alternative to the shape: "南门外的路灯"
    phase: str = Field(max_length=16)  # the phase it was added in (discovery or proposals)
    status: str = Field(default=ProposalStatus.received, max_length=16)
    status_reason: str = Field(default="", max_length=1000)  # why it was declined (public)
    # Kept in the same transaction as the rows they count, so that lists and maps read them in one query.
    support_count: int = 0
    comment_count: int = 0
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class PlanningPhoto(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="planningproposal.id", index=True)
    file_id: int = Field(foreign_key="storedfile.id")  # civic.uploads
    alt: str = Field(max_length=200)  # the text alternative, required
    position: int = 0


class PlanningSupport(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("proposal_id", "account_id"),)  # one per person

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="planningproposal.id")
    account_id: int = Field(foreign_key="account.id", index=True)
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class PlanningFollow(SQLModel, table=True):
    """Who is told when a proposal moves: its author, supporters and commenters, and anyone who follows."""

    __table_args__ = (UniqueConstraint("proposal_id", "account_id"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="planningproposal.id")
    account_id: int = Field(foreign_key="account.id", index=True)


class PlanningComment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="planningproposal.id", index=True)
    author_id: int = Field(foreign_key="account.id")
    body: str
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    hidden_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    hidden_by: int | None = Field(default=None, foreign_key="account.id")


class PlanningStatusChange(SQLModel, table=True):
    """One step of a proposal's history, shown on its page."""

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="planningproposal.id", index=True)
    from_status: str = Field(max_length=16)
    to_status: str = Field(max_length=16)
    reason: str = Field(default="", max_length=1000)
    changed_by: int = Field(foreign_key="account.id")
    changed_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class PlanningAnnotation(_Shape, table=True):
    """A planner's own note on the map, with a shape; internal ones only planners and staff see."""

    __table_args__ = (Index("ix_planningannotation_project_bbox", "project_id", "min_lon", "max_lon"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="planningproject.id")
    author_id: int = Field(foreign_key="account.id")
    title: str = Field(max_length=200)
    body: str = Field(default="", max_length=5000)
    visibility: str = Field(default=Visibility.public, max_length=8)
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
