"""Link requests: a resident asks to be tied to a unit; staff of the place approve or reject."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import aliased
from sqlmodel import Session

from civic import audit, clock
from civic.auth.models import Account
from civic.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from civic.i18n import N_
from civic.notifications import notify
from civic.pagination import Page, paginate
from civic.places import rules
from civic.places.models import LinkKind, LinkRequest, Person, Place, PlaceKind, Unit, UnitLink
from civic.places.rules import Viewer
from civic.places.service import in_scope, natural_key, register_today


@dataclass(frozen=True)
class Choice:
    id: int
    label: str


@dataclass(frozen=True)
class RequestRow:
    id: int
    kind: str
    note: str
    status: str
    reason: str
    created_at: datetime
    decided_at: datetime | None
    unit_label: str
    account_name: str = ""
    account_contact: str = ""


@dataclass(frozen=True)
class LinkPage:
    compounds: list[Choice]
    buildings: list[Choice]
    compound_id: int | None
    building_id: int | None
    requests: list[RequestRow]


def _request_rows(session: Session, where, *, with_account: bool, page: int | None = None, size: int = 50):
    b, c = aliased(Place), aliased(Place)
    stmt = (select(LinkRequest.id, LinkRequest.kind, LinkRequest.note, LinkRequest.status, LinkRequest.reason,
                   LinkRequest.created_at, LinkRequest.decided_at, c.name, b.name, Unit.number,
                   Account.display_name, func.coalesce(Account.email, Account.phone, ""))
            .join(Unit, Unit.id == LinkRequest.unit_id).join(b, b.id == Unit.building_id)
            .join(c, c.id == b.parent_id).join(Account, Account.id == LinkRequest.account_id)
            .where(where(b)).order_by(LinkRequest.created_at.desc(), LinkRequest.id.desc()))

    def row(r) -> RequestRow:
        return RequestRow(*r[:7], unit_label=f"{r[7]} {r[8]} {r[9]}", account_name=r[10] if with_account else "",
                          account_contact=r[11] if with_account else "")

    if page is None:
        return [row(r) for r in session.execute(stmt)]
    found = paginate(session, stmt, number=page, size=size, scalars=False)
    return dataclasses.replace(found, items=[row(r) for r in found.items])


def link_page(session: Session, *, account_id: int, compound_id: int | None = None,
              building_id: int | None = None) -> LinkPage:
    """The compound → building picker and the account's own requests (at most three queries)."""
    community = aliased(Place)
    compounds = [Choice(cid, f"{comm} · {name}") for cid, name, comm in session.execute(
        select(Place.id, Place.name, community.name).join(community, community.id == Place.parent_id)
        .where(Place.kind == PlaceKind.compound).order_by(community.name, Place.name))]
    compound_id = compound_id if any(c.id == compound_id for c in compounds) else None
    buildings: list[Choice] = []
    if compound_id is not None:
        rows = session.execute(select(Place.id, Place.name).where(Place.parent_id == compound_id,
                                                                  Place.kind == PlaceKind.building)).all()
        buildings = sorted((Choice(*r) for r in rows), key=lambda ch: natural_key(ch.label))
    building_id = building_id if any(b.id == building_id for b in buildings) else None
    mine = _request_rows(session, lambda b: LinkRequest.account_id == account_id, with_account=False)
    return LinkPage(compounds, buildings, compound_id, building_id, mine)


def request_link(session: Session, *, account_id: int, building_id: int | None, number: str, kind: str,
                 note: str = "") -> LinkRequest:
    """A resident asks to be linked to a unit as owner or tenant; staff decide later."""
    if kind not in (LinkKind.owner, LinkKind.tenant):
        raise InvalidInput(N_("Choose whether you own or rent the unit."), field="kind")
    if building_id is None:
        raise InvalidInput(N_("Choose your compound and building."), field="building")
    if not number:
        raise InvalidInput(N_("Enter your unit number."), field="number")
    if len(note) > 500:
        raise InvalidInput(N_("The note can be at most %(max)d characters."), field="note", max=500)
    unit_id = session.execute(select(Unit.id).where(Unit.building_id == building_id, Unit.number == number)).scalar()
    if unit_id is None:
        raise InvalidInput(N_("There is no unit %(number)s in this building."), field="number", number=number)
    if session.execute(select(LinkRequest.id).where(LinkRequest.account_id == account_id, LinkRequest.unit_id == unit_id,
                                                    LinkRequest.status == "pending")).first():
        raise InvalidInput(N_("You have already asked to be linked to this unit; staff will answer soon."),
                           field="number")
    request = LinkRequest(account_id=account_id, unit_id=unit_id, kind=kind, note=note)
    session.add(request)
    session.flush()
    audit.record(session, actor_id=account_id, action="register.link_request.created", object_type="link_request",
                 object_id=request.id, payload={"unit_id": unit_id, "kind": kind})
    return request


def link_queue(session: Session, *, viewer: Viewer, page: int = 1, size: int = 50) -> Page:
    """Pending link requests for units the viewer manages, oldest last (two queries)."""
    if not viewer.is_staff:
        raise PermissionDenied(N_("Only community staff and administrators can decide link requests."))
    return _request_rows(session, lambda b: and_(LinkRequest.status == "pending", in_scope(viewer, b.path)),
                         with_account=True, page=page, size=size)


def decide_link_request(session: Session, *, viewer: Viewer, request_id: int, approve: bool, reason: str,
                        today: date | None = None) -> LinkRequest:
    """Approve (link the account's person to the unit) or reject a request, once, with a reason; notify and audit."""
    today = today or register_today()
    row = session.execute(select(LinkRequest, Place.path).join(Unit, Unit.id == LinkRequest.unit_id)
                          .join(Place, Place.id == Unit.building_id).where(LinkRequest.id == request_id)).first()
    if row is None:
        raise NotFound(N_("There is no such link request."))
    request, path = row
    if not rules.can_manage(viewer, path):
        raise PermissionDenied(N_("Only staff of this place can decide its link requests."))
    if request.status != "pending":
        raise Conflict(N_("This request has already been decided."))
    if not reason.strip():
        raise InvalidInput(N_("Give a reason for the decision."), field="reason")
    status = "approved" if approve else "rejected"
    # Conditional update: of two staff deciding at once, exactly one wins and the other gets a conflict.
    won = session.execute(update(LinkRequest).where(LinkRequest.id == request_id, LinkRequest.status == "pending")
                          .values(status=status, reason=reason.strip()[:500], decided_by=viewer.account_id,
                                  decided_at=clock.now()).execution_options(synchronize_session=False))
    if won.rowcount != 1:
        raise Conflict(N_("This request has already been decided."))
    session.refresh(request)
    if approve:
        _link_account(session, request, today)
    notify(session, account_id=request.account_id,
           subject=N_("Your request to be linked to a unit was approved") if approve
           else N_("Your request to be linked to a unit was declined"),
           body=request.reason, url="/register/link")
    audit.record(session, actor_id=viewer.account_id, action=f"register.link_request.{status}",
                 object_type="link_request", object_id=request.id,
                 payload={"unit_id": request.unit_id, "kind": request.kind, "account_id": request.account_id,
                          "reason": request.reason})
    return request


def _link_account(session: Session, request: LinkRequest, today: date) -> None:
    account = session.get(Account, request.account_id)
    if account.person_id is None:
        person = Person(name=account.display_name, phone=account.phone)
        session.add(person)
        session.flush()
        account.person_id = person.id
    links = session.execute(select(UnitLink).where(UnitLink.unit_id == request.unit_id,
                                                   UnitLink.person_id == account.person_id,
                                                   UnitLink.kind == request.kind)).scalars().all()
    if any(link.since <= today and (link.until is None or link.until > today) for link in links):
        return  # already linked: approving again must not duplicate the tie
    same_day = next((link for link in links if link.since == today), None)
    if same_day is not None:
        same_day.until = None  # ended earlier today: reopen rather than break the unique key
    else:
        session.add(UnitLink(unit_id=request.unit_id, person_id=account.person_id, kind=request.kind, since=today))
    session.flush()
