"""Amendments: anyone taking part proposes new text for a clause, with a reason, while the covenant is in
consultation; drafters accept it (the next version, crediting the proposer) or reject it with a reason
(it stays on the clause's page)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from civic import audit
from civic.covenants import access, rules, service
from civic.covenants.comments import follow
from civic.covenants.models import Amendment, AmendmentStatus, Clause, ClauseFollow, Covenant, VersionSource
from civic.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from civic.i18n import N_
from civic.notifications import notify
from civic.places.rules import Viewer

AMENDMENT_CONFLICT = N_("The clause has changed since this amendment was proposed (it is now at version %(number)d), "
                        "and the changes overlap. Nothing was changed: edit the clause to take the amendment in "
                        "by hand, or reject it with a reason.")


def propose_amendment(session: Session, *, viewer: Viewer, clause_id: int, text: str, reason: str, now: datetime,
                      based_on_version_id: int | None = None) -> Amendment:
    """Propose new text for a clause (based on its current version unless another is named). The proposer
    follows the clause from then on; its followers and the covenant's drafters are told."""
    clause, covenant, place = access.clause_for_change(session, clause_id)
    access.authorise(session, viewer=viewer, action="amend", covenant=covenant, place=place, now=now)
    access.check_not_removed(clause)
    text, reason = service.check_clause_text(text), service.check_reason(reason)
    based_on = (service.version_of(session, clause, based_on_version_id) if based_on_version_id is not None
                else service.current_version(session, clause))
    if text == based_on.text:
        raise InvalidInput(N_("The proposed text is the same as the clause's text: change something."), field="text")
    amendment = Amendment(clause_id=clause.id, proposed_by=viewer.account_id, based_on_version_id=based_on.id,
                          text=text, sha256=rules.sha256_text(text), reason=reason, created_at=now)
    session.add(amendment)
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="amendment.proposed", object_type="amendment",
                 object_id=amendment.id, payload={"clause": clause.id, "based_on": based_on.number,
                                                  "sha256": amendment.sha256}, now=now)
    follow(session, viewer=viewer, clause_id=clause.id, now=now, quiet=True)
    followers = set(session.execute(select(ClauseFollow.account_id).where(ClauseFollow.clause_id == clause.id)).scalars())
    for account_id in sorted((followers | set(access.drafter_accounts(session, covenant.id))) - {viewer.account_id}):
        notify(session, account_id=account_id, url=access.clause_path(clause.id),
               subject=N_("New amendment to “%(heading)s” in “%(title)s”."),
               params={"heading": clause.heading, "title": covenant.title})
    return amendment


def _open_amendment(session: Session, amendment_id: int) -> tuple[Amendment, Clause, Covenant, object]:
    """The amendment, its clause locked for a change, and the amendment row locked (decisions take turns)."""
    amendment = session.get(Amendment, amendment_id)
    if amendment is None:
        raise NotFound(N_("There is no such amendment."))
    clause, covenant, place = access.clause_for_change(session, amendment.clause_id)
    session.refresh(amendment, with_for_update=True)
    return amendment, clause, covenant, place


def _check_open(amendment: Amendment) -> None:
    if amendment.status != AmendmentStatus.open:
        raise Conflict(N_("This amendment has already been decided or withdrawn."))


def accept_amendment(session: Session, *, viewer: Viewer, amendment_id: int, now: datetime) -> service.EditResult:
    """A drafter (or staff) accepts an amendment: its text becomes the clause's next version, its proposer the
    author. If the clause changed since the amendment's base, the two are merged three-way; overlapping
    changes raise EditConflict and nothing changes."""
    amendment, clause, covenant, place = _open_amendment(session, amendment_id)
    access.authorise(session, viewer=viewer, action="accept_amendment", covenant=covenant, place=place, now=now)
    _check_open(amendment)
    access.check_not_removed(clause)
    based_on = service.version_of(session, clause, amendment.based_on_version_id)
    result = service.next_version(session, clause, based_on=based_on, text=amendment.text,
                                  author_id=amendment.proposed_by, saved_by=viewer.account_id, now=now,
                                  conflict_message=AMENDMENT_CONFLICT, source=VersionSource.amendment)
    amendment.status, amendment.decided_by, amendment.decided_at = AmendmentStatus.accepted, viewer.account_id, now
    amendment.resulting_version_id = result.version.id
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="amendment.accepted", object_type="amendment",
                 object_id=amendment.id, payload={"clause": clause.id, "number": result.version.number,
                                                  "sha256": result.version.sha256, "outcome": result.outcome}, now=now)
    if amendment.proposed_by != viewer.account_id:
        notify(session, account_id=amendment.proposed_by, url=access.clause_path(clause.id),
               subject=N_("Your amendment to “%(heading)s” was accepted."), params={"heading": clause.heading})
    return result


def reject_amendment(session: Session, *, viewer: Viewer, amendment_id: int, reason: str, now: datetime) -> Amendment:
    """A drafter (or staff) rejects an amendment with a reason; it stays visible with the reason."""
    amendment, clause, covenant, place = _open_amendment(session, amendment_id)
    access.authorise(session, viewer=viewer, action="reject_amendment", covenant=covenant, place=place, now=now)
    _check_open(amendment)
    reason = service.check_reason(reason)
    amendment.status, amendment.decided_by, amendment.decided_at = AmendmentStatus.rejected, viewer.account_id, now
    amendment.decision_reason = reason
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="amendment.rejected", object_type="amendment",
                 object_id=amendment.id, payload={"clause": clause.id}, now=now)
    if amendment.proposed_by != viewer.account_id:
        notify(session, account_id=amendment.proposed_by, url=access.clause_path(clause.id),
               subject=N_("Your amendment to “%(heading)s” was rejected: %(reason)s"),
               params={"heading": clause.heading, "reason": reason})
    return amendment


def withdraw_amendment(session: Session, *, viewer: Viewer, amendment_id: int, now: datetime) -> Amendment:
    """The proposer takes back an amendment nobody has decided on yet."""
    amendment, clause, _covenant, _place = _open_amendment(session, amendment_id)
    if viewer.account_id is None or viewer.account_id != amendment.proposed_by:
        raise PermissionDenied(N_("Only the person who proposed this amendment can withdraw it."))
    _check_open(amendment)
    amendment.status, amendment.decided_at = AmendmentStatus.withdrawn, now
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="amendment.withdrawn", object_type="amendment",
                 object_id=amendment.id, payload={"clause": clause.id}, now=now)
    return amendment
