"""Register tables: places, units with exact floor area, people, households, grids and unit links."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from civic.clock import now
from civic.db import UTCDateTime
from civic.i18n import N_


def m2(area_dm2: int) -> Decimal:
    """dm² (hundredths of a m²) → m² with exactly two places: 20950 → Decimal("209.50")."""
    return Decimal(area_dm2).scaleb(-2)


class PlaceKind(StrEnum):
    district = "district"
    street = "street"
    community = "community"
    compound = "compound"
    building = "building"


# Which kind may sit directly under which: the register is a strict hierarchy.
PARENT_KIND = {
    PlaceKind.street: PlaceKind.district,
    PlaceKind.community: PlaceKind.street,
    PlaceKind.compound: PlaceKind.community,
    PlaceKind.building: PlaceKind.compound,
}


class UnitUse(StrEnum):
    residential = "residential"
    commercial = "commercial"
    parking = "parking"


class PersonKind(StrEnum):
    natural = "natural"
    developer = "developer"  # the developer's unsold units count together as one head (Art. 278)
    organisation = "organisation"


class LinkKind(StrEnum):
    owner = "owner"
    tenant = "tenant"
    resident = "resident"


# Stored values that templates show through `_(value)`: marked here so that `make messages` extracts them.
TRANSLATED_VALUES = (
    N_("district"), N_("street"), N_("community"), N_("compound"), N_("building"),  # PlaceKind
    N_("residential"), N_("commercial"), N_("parking"),  # UnitUse
    N_("owner"), N_("tenant"), N_("resident"),  # LinkKind
    N_("registered"), N_("surveyed"), N_("contract"),  # Unit.area_source (importer.AREA_SOURCES)
    N_("pending"), N_("approved"), N_("rejected"),  # LinkRequest.status
)


class Place(SQLModel, table=True):
    """A node of the hierarchy; `path` ("/1/4/9/") makes "inside this place" one LIKE query."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16, index=True)
    name: str = Field(max_length=120)
    code: str = Field(max_length=40, unique=True)
    parent_id: int | None = Field(default=None, foreign_key="place.id", index=True)
    path: str = Field(default="/", max_length=200, index=True)
    geojson: str | None = Field(default=None, description="WGS-84 outline or point, GeoJSON geometry")


class Unit(SQLModel, table=True):
    """A flat, shop or parking space. Area is kept in dm² (= 0.01 m²) so sums stay exact on every database."""

    __table_args__ = (
        UniqueConstraint("building_id", "number"),
        CheckConstraint("area_dm2 > 0", name="area_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    building_id: int = Field(foreign_key="place.id", index=True)
    number: str = Field(max_length=40)
    floor: int | None = None
    area_dm2: int
    area_source: str = Field(default="registered", max_length=16)
    use: str = Field(default=UnitUse.residential, max_length=16)
    external_ref: str | None = Field(default=None, max_length=80, unique=True)

    @property
    def area(self) -> Decimal:
        return m2(self.area_dm2)


class Grid(SQLModel, table=True):
    """A grid (网格) of about 300 households in a community. Its grid worker holds the `grid_worker`
    role scoped to the grid (a role grant, not a column, which also keeps the foreign keys acyclic)."""

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="place.id", index=True)
    name: str = Field(max_length=80)


class Household(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    grid_id: int | None = Field(default=None, foreign_key="grid.id", index=True)
    label: str = Field(default="", max_length=80)


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    kind: str = Field(default=PersonKind.natural, max_length=16)
    phone: str | None = Field(default=None, max_length=32)
    household_id: int | None = Field(default=None, foreign_key="household.id", index=True)
    birth_year: int | None = None
    external_ref: str | None = Field(default=None, max_length=80, unique=True)


class UnitLink(SQLModel, table=True):
    """A person's tie to a unit. Owners' links carry dates so a roll can be built for any day."""

    __table_args__ = (UniqueConstraint("unit_id", "person_id", "kind", "since"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    kind: str = Field(max_length=16)
    since: date
    until: date | None = None  # exclusive: the first day the tie no longer holds
    # Co-owners designate one of them to vote for the unit (Art. 278 practice).
    is_representative: bool = False


class LinkRequest(SQLModel, table=True):
    """A resident asks staff to tie their account to a unit; voting eligibility rests on the answer."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    kind: str = Field(max_length=16)
    note: str = Field(default="", max_length=500)
    status: str = Field(default="pending", max_length=16, index=True)
    reason: str = Field(default="", max_length=500)
    decided_by: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
