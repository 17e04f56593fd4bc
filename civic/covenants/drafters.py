"""Drafters: staff appoint them; a resident of the place asks to join and staff decide; staff remove one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from civic import audit
from civic.auth import rules as auth_rules
from civic.auth.models import Account
from civic.auth.service import staff_accounts
from civic.covenants import access, rules, service
from civic.covenants.models import CovenantDrafter, DrafterStatus
from civic.errors import Conflict, InvalidInput, NotFound
from civic.i18n import N_
from civic.notifications import notify
from civic.places.rules import Viewer


def _drafter_row(session: Session, covenant_id: int, account_id: int) -> CovenantDrafter | None:
    return session.execute(select(CovenantDrafter).where(CovenantDrafter.covenant_id == covenant_id,
                                                         CovenantDrafter.account_id == account_id)
                           .execution_options(populate_existing=True)).scalar()


def appoint_drafter(session: Session, *, viewer: Viewer, covenant_id: int, account_id: int,
                    now: datetime) -> CovenantDrafter:
    """Staff make an account a drafter (approving its pending request, if it made one)."""
    covenant, place = access.covenant_and_place(session, covenant_id, lock="share")
    access.authorise(session, viewer=viewer, action="manage_drafters", covenant=covenant, place=place, now=now)
    account = session.get(Account, account_id)
    if account is None or not account.is_active:
        raise InvalidInput(N_("There is no such active account."), field="account")
    row = _drafter_row(session, covenant.id, account_id)
    if row is not None and row.status == DrafterStatus.approved:
        raise Conflict(N_("%(name)s is already a drafter of this covenant."), name=account.display_name)
    if row is None:
        row = CovenantDrafter(covenant_id=covenant.id, account_id=account_id, created_at=now)
        session.add(row)
    row.status, row.appointed_by, row.decided_at, row.reason = DrafterStatus.approved, viewer.account_id, now, ""
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="covenant.drafter_appointed", object_type="covenant",
                 object_id=covenant.id, payload={"account": account_id}, now=now)
    notify(session, account_id=account_id, url=f"/covenants/{covenant.id}",
           subject=N_("You are now a drafter of the covenant “%(title)s”."), params={"title": covenant.title})
    return row


def request_to_join(session: Session, *, viewer: Viewer, covenant_id: int, note: str, now: datetime) -> CovenantDrafter:
    """A resident of the place asks to join the drafters; staff of the place are told."""
    covenant, place = access.covenant_and_place(session, covenant_id, lock="share")
    roles = access.authorise(session, viewer=viewer, action="request_to_join", covenant=covenant, place=place,
                             now=now)
    note = service.check_note(note)
    if rules.DRAFTER in roles:
        raise Conflict(N_("You are already a drafter of this covenant."))
    row = _drafter_row(session, covenant.id, viewer.account_id)
    if row is not None and row.status == DrafterStatus.pending:
        raise Conflict(N_("You have already asked to join; staff have not answered yet."))
    if row is None:
        try:
            with session.begin_nested():
                row = CovenantDrafter(covenant_id=covenant.id, account_id=viewer.account_id, created_at=now)
                session.add(row)
                session.flush()
        except IntegrityError:  # a double click: the unique (covenant, account) made it one request
            raise Conflict(N_("You have already asked to join; staff have not answered yet.")) from None
    row.status, row.note, row.created_at, row.decided_at, row.reason = DrafterStatus.pending, note, now, None, ""
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="covenant.join_requested", object_type="covenant",
                 object_id=covenant.id, payload={"request": row.id}, now=now)
    for account_id in staff_accounts(session, place.path):
        notify(session, account_id=account_id, url=f"/covenants/{covenant.id}",
               subject=N_("A resident asks to join the drafters of “%(title)s”."), params={"title": covenant.title})
    return row


def decide_join(session: Session, *, viewer: Viewer, request_id: int, approve: bool, reason: str = "",
                now: datetime) -> CovenantDrafter:
    """Staff approve or decline a pending request to join (a refusal gives a reason); the resident is told."""
    row = session.get(CovenantDrafter, request_id)
    if row is None:
        raise NotFound(N_("There is no such request."))
    covenant, place = access.covenant_and_place(session, row.covenant_id, lock="share")
    access.authorise(session, viewer=viewer, action="manage_drafters", covenant=covenant, place=place, now=now)
    session.refresh(row, with_for_update=True)
    if row.status != DrafterStatus.pending:
        raise Conflict(N_("This request has already been answered."))
    reason = service.check_note(reason, "reason") if approve else service.check_reason(reason)
    row.status = DrafterStatus.approved if approve else DrafterStatus.declined
    row.appointed_by, row.decided_at, row.reason = viewer.account_id, now, reason
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="covenant.join_decided", object_type="covenant",
                 object_id=covenant.id, payload={"request": row.id, "status": row.status}, now=now)
    subject = (N_("You are now a drafter of the covenant “%(title)s”.") if approve
               else N_("Your request to join the drafters of “%(title)s” was declined: %(reason)s"))
    notify(session, account_id=row.account_id, url=f"/covenants/{covenant.id}", subject=subject,
           params={"title": covenant.title, "reason": reason})
    return row


def remove_drafter(session: Session, *, viewer: Viewer, drafter_id: int, reason: str, now: datetime) -> CovenantDrafter:
    """Staff take a drafter off the covenant, with a reason."""
    row = session.get(CovenantDrafter, drafter_id)
    if row is None:
        raise NotFound(N_("There is no such drafter."))
    covenant, place = access.covenant_and_place(session, row.covenant_id, lock="share")
    access.authorise(session, viewer=viewer, action="manage_drafters", covenant=covenant, place=place, now=now)
    session.refresh(row, with_for_update=True)
    if row.status != DrafterStatus.approved:
        raise Conflict(N_("This person is not a drafter of this covenant."))
    row.status, row.reason, row.decided_at, row.appointed_by = DrafterStatus.removed, service.check_reason(reason), now, viewer.account_id
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="covenant.drafter_removed", object_type="covenant",
                 object_id=covenant.id, payload={"account": row.account_id}, now=now)
    return row


def appoint_by_contact(session: Session, *, viewer: Viewer, covenant_id: int, contact: str,
                       now: datetime) -> CovenantDrafter:
    """Staff appoint the account with this e-mail address or mobile phone number (spelt in any way sign-in
    accepts). Only staff learn whether such an account exists: the permission is checked first."""
    try:
        kind, value = auth_rules.classify_identifier(contact)
    except InvalidInput:
        kind, value = "email", ""
    column = Account.email if kind == "email" else Account.phone
    account_id = session.execute(select(Account.id).where(column == value, Account.is_active.is_(True))).scalar() \
        if value else None
    try:
        # No account: an id no account has, so that the permission is still refused before anything else.
        return appoint_drafter(session, viewer=viewer, covenant_id=covenant_id, account_id=account_id or 0, now=now)
    except InvalidInput as exc:
        if exc.field != "account":
            raise
        if not contact.strip():
            raise InvalidInput(N_("Enter the e-mail address or mobile phone number of the person to appoint."),
                               field="contact") from None
        raise InvalidInput(N_("No active account has the e-mail address or phone number “%(value)s”; the person "
                              "must create an account first."), field="contact", value=contact.strip()[:80]) from None
