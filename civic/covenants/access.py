"""Who the viewer is towards one covenant (staff, drafter, resident), the refusals, and the row loads and
locks every covenant use case starts from."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import exists, false, select
from sqlmodel import Session

from civic.auth.models import Account
from civic.covenants import rules
from civic.covenants.models import Clause, Covenant, CovenantDrafter, CovenantSignature, DrafterStatus
from civic.errors import Conflict, NotFound, PermissionDenied
from civic.i18n import N_
from civic.places import rules as place_rules
from civic.places.models import Place, Unit, UnitLink
from civic.places.rules import Viewer
from civic.places.service import REGISTER_TZ, current_link

ROLE_MESSAGES = {
    "edit": N_("Only the drafters of this covenant and staff of its place can change its text."),
    "amend": N_("Only residents of %(place)s, the covenant's drafters and staff of the place can propose "
                "amendments."),
    "accept_amendment": N_("Only the drafters of this covenant and staff of its place can decide on amendments."),
    "reject_amendment": N_("Only the drafters of this covenant and staff of its place can decide on amendments."),
    "comment": N_("Only residents of %(place)s, the covenant's drafters and staff of the place can comment on it."),
    "request_to_join": N_("Only residents of %(place)s can ask to join the drafters of its covenant."),
    "manage_drafters": N_("Only staff of this place can appoint drafters and decide on requests to join."),
    "moderate": N_("Only staff of this place can moderate comments on its covenants."),
    "freeze": N_("Only the drafters of this covenant and staff of its place can put it to a vote."),
    "start_revision": N_("Only staff of this place can start a new text of an adopted covenant."),
    "sign": N_("Only residents of %(place)s can sign its covenant."),
    "withdraw_signature": N_("You have not signed this covenant."),
    "record_breach": N_("Only staff of this place can record breaches of its covenants."),
    "dispute_breach": N_("Only the person a breach is recorded against can dispute it."),
    "resolve_dispute": N_("Only staff of this place can resolve disputes about breaches."),
    "see_keepers": N_("Only staff of this place can see who keeps its covenants."),
}
STATUS_MESSAGES = {
    "edit": N_("The text can change only while the covenant is being drafted or in consultation."),
    "amend": N_("Amendments can be proposed only while the covenant is in consultation."),
    "accept_amendment": N_("Amendments can be accepted only while the covenant is being drafted or in "
                           "consultation."),
    "reject_amendment": N_("Amendments can no longer be decided: the covenant's vote is over."),
    "comment": N_("Comments on this covenant are closed."),
    "request_to_join": N_("Drafters can join only while the covenant is being drafted or in consultation."),
    "manage_drafters": N_("Drafters can join only while the covenant is being drafted or in consultation."),
    "moderate": N_("Comments on this covenant are closed."),
    "freeze": N_("Only a covenant in consultation can be put to a vote."),
    "start_revision": N_("Only an adopted covenant in force can be given a new text."),
    "sign": N_("Only an adopted covenant in force can be signed."),
    "withdraw_signature": N_("Only an adopted covenant in force can be signed or withdrawn from."),
    "record_breach": N_("Breaches can be recorded only while the covenant is in force."),
    "dispute_breach": N_("Breaches can be disputed only once the covenant has been adopted."),
    "resolve_dispute": N_("Breaches can be disputed only once the covenant has been adopted."),
    "see_keepers": N_("A covenant has keepers only once it has been adopted."),
}


def covenant_path(covenant_id: int) -> str:
    """The covenant's page, as notifications link it."""
    return f"/covenants/{covenant_id}"


def clause_path(clause_id: int) -> str:
    """A clause's page, as notifications link it."""
    return f"/covenants/clauses/{clause_id}"


def register_day(now: datetime) -> date:
    """The register's day (Wuhan) at `now`: the day unit links hold on."""
    return now.astimezone(REGISTER_TZ).date()


def roles_of(session: Session, *, viewer: Viewer, covenant: Covenant, place: Place, now: datetime) -> frozenset[str]:
    """The viewer's roles towards a covenant: staff of its place (or above), an approved drafter, a resident
    (a current owner, tenant or resident link to a unit under its place), a signer (signed and not
    withdrawn). One query at most."""
    roles = set()
    if place_rules.can_manage(viewer, place.path):
        roles.add(rules.STAFF)
    if viewer.account_id is None:
        return frozenset(roles)
    drafter = exists().where(CovenantDrafter.covenant_id == covenant.id,
                             CovenantDrafter.account_id == viewer.account_id,
                             CovenantDrafter.status == DrafterStatus.approved)
    resident = (exists().where(UnitLink.person_id == viewer.person_id, current_link(register_day(now)),
                               UnitLink.unit_id == Unit.id, Unit.building_id == Place.id,
                               Place.path.startswith(place.path))
                if viewer.person_id is not None else false())
    signer = exists().where(CovenantSignature.covenant_id == covenant.id,
                            CovenantSignature.account_id == viewer.account_id, CovenantSignature.withdrawn_at.is_(None))
    row = session.execute(select(drafter, resident, signer)).one()
    for held, role in zip(row, (rules.DRAFTER, rules.RESIDENT, rules.SIGNER), strict=True):
        if held:
            roles.add(role)
    return frozenset(roles)


def authorise(session: Session, *, viewer: Viewer, action: str, covenant: Covenant, place: Place,
              now: datetime) -> frozenset[str]:
    """The viewer's roles, if they may do `action` on this covenant in its status; else the refusal."""
    roles = roles_of(session, viewer=viewer, covenant=covenant, place=place, now=now)
    check(action, covenant.status, roles, place)
    return roles


def check(action: str, status: str, roles: frozenset[str], place: Place) -> None:
    """Refuse `action` unless these roles may do it in this status (PermissionDenied, else Conflict)."""
    why = rules.refusal(action, status, roles)
    if why == "role":
        raise PermissionDenied(ROLE_MESSAGES[action], place=place.name)
    if why == "status":
        raise Conflict(STATUS_MESSAGES[action])


def covenant_and_place(session: Session, covenant_id: int, *, lock: str | None = None) -> tuple[Covenant, Place]:
    """The covenant and its place; `lock="share"` keeps its status from changing until the transaction
    ends (text changes), `lock="update"` changes the status itself. Rows are read afresh when locking."""
    stmt = (select(Covenant, Place).join(Place, Place.id == Covenant.scope_place_id)
            .where(Covenant.id == covenant_id))
    if lock:
        stmt = stmt.with_for_update(read=lock == "share", of=Covenant).execution_options(populate_existing=True)
    row = session.execute(stmt).first()
    if row is None:
        raise NotFound(N_("There is no such covenant."))
    return row[0], row[1]


def clause_for_change(session: Session, clause_id: int) -> tuple[Clause, Covenant, Place]:
    """The clause locked for a change of its text, its covenant's status held (always in this order:
    covenant, then clause, so that concurrent use cases never deadlock)."""
    covenant_id = session.execute(select(Clause.covenant_id).where(Clause.id == clause_id)).scalar()
    if covenant_id is None:
        raise NotFound(N_("There is no such clause."))
    covenant, place = covenant_and_place(session, covenant_id, lock="share")
    clause = session.execute(select(Clause).where(Clause.id == clause_id).with_for_update()
                             .execution_options(populate_existing=True)).scalar_one()
    return clause, covenant, place


def clause_and_covenant(session: Session, clause_id: int) -> tuple[Clause, Covenant, Place]:
    row = session.execute(select(Clause, Covenant, Place).join(Covenant, Covenant.id == Clause.covenant_id)
                          .join(Place, Place.id == Covenant.scope_place_id).where(Clause.id == clause_id)).first()
    if row is None:
        raise NotFound(N_("There is no such clause."))
    return row[0], row[1], row[2]


def check_not_removed(clause: Clause) -> None:
    if clause.removed_at is not None:
        raise Conflict(N_("This clause has been removed from the covenant."))


def drafter_accounts(session: Session, covenant_id: int) -> list[int]:
    """The covenant's approved drafters (one query)."""
    return list(session.execute(
        select(CovenantDrafter.account_id).join(Account, Account.id == CovenantDrafter.account_id)
        .where(CovenantDrafter.covenant_id == covenant_id, CovenantDrafter.status == DrafterStatus.approved,
               Account.is_active).order_by(CovenantDrafter.account_id)).scalars())
