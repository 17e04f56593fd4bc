"""Written proxies (DOMAIN-RULES §1.1): staff record who may vote for which key in this vote, on what
evidence; the proxy then casts a web ballot for that key (service.cast_ballot(for_key=…)). A mandate can
be revoked until it is first used; a used mandate is part of the record of a counted ballot.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlmodel import Session

from civic import audit
from civic.auth import rules as auth_rules
from civic.auth.models import Account
from civic.errors import Conflict, InvalidInput, NotFound
from civic.i18n import N_
from civic.notifications import notify
from civic.places.models import Place
from civic.places.rules import Viewer
from civic.votes import paper_rules, service
from civic.votes.models import ProxyMandate, Vote, VoteStatus
from civic.votes.paper import required_text, roll_index, staff_vote
from civic.votes.paper_rules import VoterIndex


class MandateStatus(StrEnum):
    active = "active"  # may be used, may be revoked
    used = "used"  # the proxy has voted with it: no longer revocable
    revoked = "revoked"


def mandate_status(mandate: ProxyMandate) -> MandateStatus:
    if mandate.revoked_at is not None:
        return MandateStatus.revoked
    return MandateStatus.used if mandate.used_at is not None else MandateStatus.active


def record_mandate(session: Session, *, viewer: Viewer, vote_id: int, voter: str, proxy: str, evidence: str,
                   now: datetime) -> ProxyMandate:
    """Staff of the place record a written proxy for a scheduled or open vote: the voter (key or unit label),
    the proxy (the e-mail address or phone number of an existing account) and the evidence. One active
    mandate per key and vote; the proxy is told."""
    vote, place = staff_vote(session, viewer=viewer, vote_id=vote_id, now=now)
    if vote.status not in (VoteStatus.scheduled, VoteStatus.open):
        raise Conflict(N_("This vote has closed: proxy mandates can no longer be recorded."))
    evidence = required_text(evidence, field="evidence", limit=paper_rules.EVIDENCE_MAX,
                             missing=N_("Describe the evidence: the signed proxy form, its date and where it is kept."),
                             too_long=N_("The evidence must be at most %(max)d characters."))
    key = _voter_key(session, vote, place, voter, now)
    account = _proxy_account(session, proxy)
    # Lock the vote row while checking for an active mandate: two staff members recording a proxy for the
    # same key at once would otherwise both find none (there is no partial unique index to stop them).
    session.execute(select(Vote.id).where(Vote.id == vote.id).with_for_update())
    if _active(session, vote.id, key) is not None:
        raise Conflict(N_("This voter already has a proxy mandate in this vote; revoke it before recording another."))
    mandate = ProxyMandate(vote_id=vote.id, voter_key=key, proxy_account_id=account.id, evidence=evidence,
                           recorded_by=viewer.account_id, recorded_at=now)
    session.add(mandate)
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="vote.proxy_recorded", object_type="proxy_mandate",
                 object_id=mandate.id, payload={"vote": vote.id, "voter_key": key, "proxy": account.id}, now=now)
    notify(session, account_id=account.id, subject=N_("You may vote as a proxy: %(title)s"),
           params={"title": vote.title}, url=f"/votes/{vote.id}")
    return mandate


def revoke_mandate(session: Session, *, viewer: Viewer, mandate_id: int, now: datetime) -> ProxyMandate:
    """Staff revoke a mandate that has not been used yet (the voter withdrew it, or it was recorded in error).
    The UPDATE is conditional: a proxy's ballot committed meanwhile wins, and the revocation is refused."""
    mandate = session.get(ProxyMandate, mandate_id)
    if mandate is None:
        raise NotFound(N_("There is no such proxy mandate."))
    vote, _place = staff_vote(session, viewer=viewer, vote_id=mandate.vote_id, now=now)
    if vote.status == VoteStatus.closed:
        raise Conflict(N_("This vote has closed: its proxy mandates can no longer change."))
    done = session.execute(
        update(ProxyMandate).where(ProxyMandate.id == mandate.id, ProxyMandate.used_at.is_(None),
                                   ProxyMandate.revoked_at.is_(None))
        .values(revoked_at=now).execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(mandate)
    if not done:
        if mandate.revoked_at is not None:
            raise Conflict(N_("This proxy mandate has already been revoked."))
        raise Conflict(N_("This proxy mandate has already been used to vote, so it can no longer be revoked."))
    audit.record(session, actor_id=viewer.account_id, action="vote.proxy_revoked", object_type="proxy_mandate",
                 object_id=mandate.id, payload={"vote": vote.id, "voter_key": mandate.voter_key}, now=now)
    notify(session, account_id=mandate.proxy_account_id, subject=N_("Your proxy mandate was revoked: %(title)s"),
           params={"title": vote.title}, url=f"/votes/{vote.id}")
    return mandate


def _active(session: Session, vote_id: int, key: str) -> int | None:
    return session.execute(select(ProxyMandate.id).where(
        ProxyMandate.vote_id == vote_id, ProxyMandate.voter_key == key, ProxyMandate.revoked_at.is_(None))).scalar()


def _voter_key(session: Session, vote: Vote, place: Place, who: str, now: datetime) -> str:
    """The key `who` names: on the frozen roll once the vote is open; before that, on the roll as the
    register stands today (a key that is gone when the roll freezes leaves the mandate without effect)."""
    if not who.strip():
        raise InvalidInput(N_("Enter the voter: a unit (e.g. 1栋 101) or a voter key."), field="voter")
    if vote.status == VoteStatus.open:
        index = roll_index(session, vote.id)
    else:
        index = _prospective_index(session, vote, place, now)
    keys = index.find(who)
    if not keys:
        raise InvalidInput(N_("“%(who)s” is not on the roll of this vote."), field="voter", who=who.strip()[:80])
    if len(keys) > 1:
        raise InvalidInput(N_("“%(who)s” names several voters on the roll; enter the voter key instead."),
                           field="voter", who=who.strip()[:80])
    return next(iter(keys))


def _prospective_index(session: Session, vote: Vote, place: Place, now: datetime) -> VoterIndex:
    """The roll a scheduled vote would freeze today."""
    roll, units = service.roll_on(session, vote, now)
    return VoterIndex.of((k.key, ", ".join(units[u][0] for u in k.unit_ids)) for k in roll.keys)


def _proxy_account(session: Session, identifier: str) -> Account:
    """The active account with this e-mail address or phone number (spelt in any way sign-in accepts)."""
    try:
        kind, value = auth_rules.classify_identifier(identifier)
    except InvalidInput:
        raise InvalidInput(N_("Enter the proxy's e-mail address or mobile phone number."), field="proxy") from None
    column = Account.email if kind == "email" else Account.phone
    account = session.execute(select(Account).where(column == value, Account.is_active.is_(True))).scalar()
    if account is None:
        raise InvalidInput(N_("No active account has the e-mail address or phone number “%(value)s”; "
                              "the proxy must create an account first."), field="proxy", value=identifier.strip()[:80])
    return account
