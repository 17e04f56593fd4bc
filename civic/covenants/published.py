"""Adopted covenants as the public reads them: the printable page per place and the open data under
`/api/covenants/…` (adopted text, version history, signature counts). The adopted text is always read
from the frozen text the vote approved — the clause versions it lists — never from the clauses' current
state, so what is published is exactly what was voted on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlmodel import Session

from civic.covenants import access
from civic.covenants.models import (
    Clause,
    ClauseVersion,
    Covenant,
    CovenantSignature,
    CovenantStatus,
    FrozenOutcome,
    FrozenText,
)
from civic.errors import NotFound
from civic.i18n import N_
from civic.pagination import Page, paginate
from civic.places.models import Place

IN_FORCE_OR_PAST = (CovenantStatus.adopted, CovenantStatus.superseded, CovenantStatus.repealed)


@dataclass(frozen=True)
class AdoptedClause:
    number: int  # its place in the adopted text, from 1
    heading: str
    text: str
    sha256: str
    version: int


@dataclass(frozen=True)
class AdoptedCovenant:
    id: int
    title: str
    kind: str
    status: str
    place_id: int
    place: str
    preamble: str
    adopted_at: datetime | None
    effective_on: date | None
    review_on: date | None
    sha256: str
    vote_id: int | None
    text: str  # the canonical text whose SHA-256 the vote recorded
    clauses: list[AdoptedClause]
    signed: int
    withdrawn: int
    supersedes_id: int | None


def _adopted(session: Session, rows) -> list[AdoptedCovenant]:
    """Adopted covenants from (Covenant, FrozenText, place name) rows: two more queries for all of them."""
    if not rows:
        return []
    version_ids = {int(v) for _c, f, _p in rows for v in f.clause_version_ids.split(",") if v}
    versions = {v.id: (v, heading) for v, heading in session.execute(
        select(ClauseVersion, Clause.heading).join(Clause, Clause.id == ClauseVersion.clause_id)
        .where(ClauseVersion.id.in_(version_ids))).all()}
    active = CovenantSignature.withdrawn_at.is_(None)
    counts = {cid: (signed, withdrawn) for cid, signed, withdrawn in session.execute(
        select(CovenantSignature.covenant_id, func.count().filter(active), func.count().filter(~active))
        .where(CovenantSignature.covenant_id.in_([c.id for c, _f, _p in rows]))
        .group_by(CovenantSignature.covenant_id)).all()}
    found = []
    for covenant, frozen, place in rows:
        clauses = []
        for n, vid in enumerate((int(v) for v in frozen.clause_version_ids.split(",") if v), start=1):
            version, heading = versions[vid]
            clauses.append(AdoptedClause(n, heading, version.text, version.sha256, version.number))
        signed, withdrawn = counts.get(covenant.id, (0, 0))
        found.append(AdoptedCovenant(
            covenant.id, frozen.title, covenant.kind, covenant.status, covenant.scope_place_id, place, frozen.preamble,
            covenant.adopted_at, covenant.effective_on, covenant.review_on, frozen.sha256, frozen.vote_id, frozen.text,
            clauses, signed, withdrawn, covenant.supersedes_id))
    return found


def _adopted_rows():
    return (select(Covenant, FrozenText, Place.name)
            .join(FrozenText, (FrozenText.covenant_id == Covenant.id) & (FrozenText.outcome == FrozenOutcome.adopted))
            .join(Place, Place.id == Covenant.scope_place_id))


def adopted_in(session: Session, *, place_id: int | None, number: int = 1, size: int = 20,
               include_past: bool = False) -> tuple[Place | None, Page[AdoptedCovenant]]:
    """The covenants in force in a place and the places under it (everywhere when `place_id` is None; with
    `include_past`, superseded and repealed ones too), with their adopted texts and signature counts: five
    queries a page."""
    place = session.get(Place, place_id) if place_id is not None else None
    if place_id is not None and place is None:
        raise NotFound(N_("There is no such place."))
    statuses = IN_FORCE_OR_PAST if include_past else (CovenantStatus.adopted,)
    stmt = _adopted_rows().where(Covenant.status.in_(statuses))
    if place is not None:
        stmt = stmt.where(Place.path.startswith(place.path))
    page = paginate(session, stmt.order_by(Place.path, Covenant.effective_on.desc(), Covenant.id.desc()),
                    number=number, size=size, scalars=False,
                    query={"place": place_id, "past": "1" if include_past else None})
    return place, Page(items=_adopted(session, page.items), number=page.number, size=page.size, total=page.total,
                       query=page.query)


def adopted_covenant(session: Session, *, covenant_id: int) -> AdoptedCovenant:
    """One adopted (or since superseded or repealed) covenant's adopted text; NotFound before adoption."""
    rows = session.execute(_adopted_rows().where(Covenant.id == covenant_id)).all()
    if not rows:
        access.covenant_and_place(session, covenant_id)  # NotFound when there is no such covenant at all
        raise NotFound(N_("This covenant has not been adopted (yet)."))
    return _adopted(session, rows)[0]


def adopted_record(covenant: AdoptedCovenant) -> dict:
    """The open-data JSON of an adopted covenant."""
    return {
        "id": covenant.id, "title": covenant.title, "kind": covenant.kind, "status": covenant.status,
        "place": {"id": covenant.place_id, "name": covenant.place},
        "adopted_at": covenant.adopted_at.isoformat() if covenant.adopted_at else None,
        "effective_on": covenant.effective_on.isoformat() if covenant.effective_on else None,
        "review_on": covenant.review_on.isoformat() if covenant.review_on else None,
        "sha256": covenant.sha256, "vote_id": covenant.vote_id, "supersedes": covenant.supersedes_id,
        "preamble": covenant.preamble,
        "clauses": [{"number": c.number, "heading": c.heading, "text": c.text, "sha256": c.sha256,
                     "version": c.version} for c in covenant.clauses],
        "signatures": {"in_force": covenant.signed, "withdrawn": covenant.withdrawn},
        "text": covenant.text,
    }


def history_record(session: Session, *, covenant_id: int) -> dict:
    """The open-data version history of a covenant: every text frozen for a vote with its outcome, and every
    version of every clause (three queries)."""
    covenant, place = access.covenant_and_place(session, covenant_id)
    frozen = session.execute(select(FrozenText).where(FrozenText.covenant_id == covenant.id)
                             .order_by(FrozenText.number)).scalars().all()
    versions = session.execute(
        select(Clause, ClauseVersion).join(ClauseVersion, ClauseVersion.clause_id == Clause.id)
        .where(Clause.covenant_id == covenant.id).order_by(Clause.position, Clause.id, ClauseVersion.number)).all()
    clauses: dict[int, dict] = {}
    for clause, version in versions:
        entry = clauses.setdefault(clause.id, {
            "id": clause.id, "position": clause.position, "heading": clause.heading, "subject": clause.subject,
            "removed_at": clause.removed_at.isoformat() if clause.removed_at else None, "versions": []})
        entry["versions"].append({"number": version.number, "sha256": version.sha256, "source": version.source,
                                  "created_at": version.created_at.isoformat(), "text": version.text})
    return {
        "id": covenant.id, "title": covenant.title, "kind": covenant.kind, "status": covenant.status,
        "place": {"id": place.id, "name": place.name}, "supersedes": covenant.supersedes_id,
        "frozen_texts": [{"number": f.number, "sha256": f.sha256, "frozen_at": f.frozen_at.isoformat(),
                          "vote_id": f.vote_id, "outcome": f.outcome, "effective_on": f.effective_on.isoformat(),
                          "review_on": f.review_on.isoformat(), "text": f.text} for f in frozen],
        "clauses": list(clauses.values()),
    }


def signature_counts(session: Session) -> list[dict]:
    """Every adopted (or past) covenant with its signature counts, for the open-data index (one query)."""
    active = CovenantSignature.withdrawn_at.is_(None)
    rows = session.execute(
        select(Covenant.id, Covenant.title, Covenant.status, Place.id, Place.name, Covenant.effective_on,
               Covenant.frozen_version_hash,
               select(func.count()).where(CovenantSignature.covenant_id == Covenant.id, active).scalar_subquery(),
               select(func.count()).where(CovenantSignature.covenant_id == Covenant.id, ~active).scalar_subquery())
        .join(Place, Place.id == Covenant.scope_place_id).where(Covenant.status.in_(IN_FORCE_OR_PAST))
        .order_by(Covenant.id)).all()
    return [{"id": r[0], "title": r[1], "status": r[2], "place": {"id": r[3], "name": r[4]},
             "effective_on": r[5].isoformat() if r[5] else None, "sha256": r[6],
             "signatures": {"in_force": r[7], "withdrawn": r[8]}} for r in rows]
