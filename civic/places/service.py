"""Register use cases: (session, *, keyword args) -> result; raise domain errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlmodel import Session

from civic.places.models import Place, Unit, UnitLink


@dataclass(frozen=True)
class UnitSummary:
    unit_id: int
    label: str
    place_path: str
    area_dm2: int
    link_kind: str


@dataclass(frozen=True)
class HomeOverview:
    units: list[UnitSummary]
    open_items: list = field(default_factory=list)


def place_labels(session: Session, paths: set[str]) -> dict[int, str]:
    """Names of every place on the given materialised paths, in one query."""
    ids = {int(part) for path in paths for part in path.strip("/").split("/") if part}
    if not ids:
        return {}
    return dict(session.execute(select(Place.id, Place.name).where(Place.id.in_(ids))).all())


def home_overview(session: Session, *, person_id: int | None, today: date | None = None) -> HomeOverview:
    """The signed-in person's current homes, for the home page (two queries)."""
    if person_id is None:
        return HomeOverview(units=[])
    today = today or date.today()
    rows = session.execute(
        select(Unit, Place, UnitLink.kind)
        .join(UnitLink, UnitLink.unit_id == Unit.id)
        .join(Place, Place.id == Unit.building_id)
        .where(UnitLink.person_id == person_id, UnitLink.since <= today,
               or_(UnitLink.until.is_(None), UnitLink.until >= today))
        .order_by(Unit.id)
    ).all()
    names = place_labels(session, {place.path for _u, place, _k in rows})
    units = []
    for unit, building, kind in rows:
        ancestors = [names.get(int(p), "") for p in building.path.strip("/").split("/")[2:] if p]
        units.append(UnitSummary(unit.id, f"{building.name} {unit.number}", " › ".join(ancestors),
                                 unit.area_dm2, kind))
    return HomeOverview(units=units)
