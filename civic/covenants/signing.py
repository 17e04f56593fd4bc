"""After adoption: residents sign (and may withdraw), staff record breaches with evidence, the person
recorded may dispute, staff resolve the dispute. Who keeps the covenant is read in `keepers.py`."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import Session

from civic import audit
from civic.auth.service import staff_accounts
from civic.covenants import access, rules
from civic.covenants.models import BreachStatus, Clause, CovenantBreach, CovenantSignature
from civic.covenants.service import check_reason
from civic.errors import Conflict, InvalidInput, NotFound
from civic.i18n import N_
from civic.notifications import notify
from civic.places.rules import Viewer

DESCRIPTION_MAX = 1000
EVIDENCE_MAX = 2000


def sign(session: Session, *, viewer: Viewer, covenant_id: int, now: datetime) -> CovenantSignature:
    """A resident of the covenant's place signs it (signing again after withdrawing renews the signature)."""
    covenant, place = access.covenant_and_place(session, covenant_id, lock="share")
    roles = access.authorise(session, viewer=viewer, action="sign", covenant=covenant, place=place, now=now)
    if rules.SIGNER in roles:
        raise Conflict(N_("You have already signed this covenant."))
    signature = session.execute(select(CovenantSignature).where(
        CovenantSignature.covenant_id == covenant.id, CovenantSignature.account_id == viewer.account_id)
        .with_for_update()).scalar()
    if signature is None:
        signature = CovenantSignature(covenant_id=covenant.id, account_id=viewer.account_id,
                                      person_id=viewer.person_id, signed_at=now)
        session.add(signature)
    else:
        signature.signed_at, signature.withdrawn_at, signature.person_id = now, None, viewer.person_id
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="covenant.signed", object_type="covenant",
                 object_id=covenant.id, payload={}, now=now)
    return signature


def withdraw(session: Session, *, viewer: Viewer, covenant_id: int, now: datetime) -> CovenantSignature:
    """A signer withdraws their signature; they are no longer a covenant keeper."""
    covenant, place = access.covenant_and_place(session, covenant_id, lock="share")
    access.authorise(session, viewer=viewer, action="withdraw_signature", covenant=covenant, place=place, now=now)
    signature = session.execute(select(CovenantSignature).where(
        CovenantSignature.covenant_id == covenant.id, CovenantSignature.account_id == viewer.account_id)
        .with_for_update()).scalar_one()
    signature.withdrawn_at = now
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="covenant.signature_withdrawn", object_type="covenant",
                 object_id=covenant.id, payload={}, now=now)
    return signature


def _check_text(text: str, *, field: str, maximum: int, missing: str) -> str:
    text = rules.normalise(text).strip()
    if not text:
        raise InvalidInput(missing, field=field)
    if len(text) > maximum:
        raise InvalidInput(N_("This text is too long (at most %(max)d characters)."), field=field, max=maximum)
    return text


def record_breach(session: Session, *, viewer: Viewer, covenant_id: int, account_id: int | None,
                  occurred_on: date | None, description: str, evidence: str, now: datetime,
                  clause_id: int | None = None) -> CovenantBreach:
    """Staff record a verified breach by a signer, with what shows it; the signer is told and may dispute."""
    covenant, place = access.covenant_and_place(session, covenant_id, lock="share")
    access.authorise(session, viewer=viewer, action="record_breach", covenant=covenant, place=place, now=now)
    signed = session.execute(select(CovenantSignature.id).where(
        CovenantSignature.covenant_id == covenant.id, CovenantSignature.account_id == account_id)).scalar() \
        if account_id is not None else None
    if signed is None:
        raise InvalidInput(N_("Choose a person who has signed this covenant."), field="account_id")
    if clause_id is not None:
        on_covenant = session.execute(select(Clause.id).where(Clause.id == clause_id,
                                                              Clause.covenant_id == covenant.id)).scalar()
        if on_covenant is None:
            raise InvalidInput(N_("Choose a clause of this covenant."), field="clause_id")
    today = access.register_day(now)
    if occurred_on is None:
        raise InvalidInput(N_("Give the day the breach happened."), field="occurred_on")
    if occurred_on > today:
        raise InvalidInput(N_("The breach cannot have happened in the future."), field="occurred_on")
    if covenant.effective_on is not None and occurred_on < covenant.effective_on:
        raise InvalidInput(N_("The covenant was not yet in force on that day (in force from %(day)s)."),
                           field="occurred_on", day=covenant.effective_on.isoformat())
    description = _check_text(description, field="description", maximum=DESCRIPTION_MAX,
                              missing=N_("Say what happened."))
    evidence = _check_text(evidence, field="evidence", maximum=EVIDENCE_MAX,
                           missing=N_("Say what shows it happened (who saw it, photos or records kept at the office)."))
    breach = CovenantBreach(covenant_id=covenant.id, clause_id=clause_id, account_id=account_id,
                            occurred_on=occurred_on, description=description, evidence=evidence,
                            recorded_by=viewer.account_id, recorded_at=now)
    session.add(breach)
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="covenant.breach_recorded", object_type="covenant",
                 object_id=covenant.id, payload={"breach": breach.id, "account": account_id,
                                                 "occurred_on": occurred_on.isoformat()}, now=now)
    notify(session, account_id=account_id, subject=N_("A breach of “%(title)s” has been recorded against you"),
           body=N_("If you think it is wrong, you can dispute it on the covenant's page; staff will look at it "
                   "again."), body_is_message=True, params={"title": covenant.title},
           url=f"/covenants/{covenant.id}#breaches")
    return breach


def _breach(session: Session, breach_id: int) -> CovenantBreach:
    breach = session.execute(select(CovenantBreach).where(CovenantBreach.id == breach_id).with_for_update()
                             .execution_options(populate_existing=True)).scalar()
    if breach is None:
        raise NotFound(N_("There is no such breach."))
    return breach


def dispute_breach(session: Session, *, viewer: Viewer, breach_id: int, reason: str, now: datetime) -> CovenantBreach:
    """The person a breach is recorded against disputes it, once, with a reason; it stops counting until staff
    resolve the dispute."""
    breach = _breach(session, breach_id)
    covenant, place = access.covenant_and_place(session, breach.covenant_id)
    roles = access.roles_of(session, viewer=viewer, covenant=covenant, place=place, now=now)
    if viewer.account_id is not None and viewer.account_id == breach.account_id:
        roles |= {rules.BREACHED}
    access.check("dispute_breach", covenant.status, roles, place)
    if breach.status != BreachStatus.recorded:
        raise Conflict(N_("This breach has already been disputed."))
    breach.dispute_reason = check_reason(reason)
    breach.status, breach.disputed_at = BreachStatus.disputed, now
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="covenant.breach_disputed", object_type="covenant",
                 object_id=covenant.id, payload={"breach": breach.id}, now=now)
    for staff_id in staff_accounts(session, place.path):
        notify(session, account_id=staff_id, subject=N_("A breach of “%(title)s” is disputed"),
               params={"title": covenant.title}, url=f"/covenants/{covenant.id}/breaches")
    return breach


def resolve_dispute(session: Session, *, viewer: Viewer, breach_id: int, uphold: bool, reason: str,
                    now: datetime) -> CovenantBreach:
    """Staff resolve a dispute: the breach is upheld (it counts) or dismissed (it never counts)."""
    breach = _breach(session, breach_id)
    covenant, place = access.covenant_and_place(session, breach.covenant_id)
    access.authorise(session, viewer=viewer, action="resolve_dispute", covenant=covenant, place=place, now=now)
    if breach.status != BreachStatus.disputed:
        raise Conflict(N_("Only a disputed breach can be resolved."))
    breach.resolution = check_reason(reason)
    breach.status = BreachStatus.upheld if uphold else BreachStatus.dismissed
    breach.resolved_by, breach.resolved_at = viewer.account_id, now
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="covenant.dispute_resolved", object_type="covenant",
                 object_id=covenant.id, payload={"breach": breach.id, "status": breach.status}, now=now)
    notify(session, account_id=breach.account_id,
           subject=N_("Your dispute about “%(title)s” was not accepted: the breach stands") if uphold
           else N_("Your dispute about “%(title)s” was accepted: the breach is dismissed"),
           params={"title": covenant.title}, url=f"/covenants/{covenant.id}#breaches")
    return breach
