"""Residents' proposals for a vote (Organic Law of Urban Residents Committees, Art. 10): when at least
one fifth of the households in a place support a proposal, its staff must schedule the vote.

Support is counted per household, never per person or per unit: a household is the register's
`Household`, and a person belongs to at most one (`Person.household_id`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from fractions import Fraction

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session

from civic import audit
from civic.auth.service import staff_accounts
from civic.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from civic.i18n import N_
from civic.notifications import notify
from civic.places import rules as place_rules
from civic.places.models import Household, Person, Place, PlaceKind, Unit, UnitLink
from civic.places.rules import Viewer
from civic.places.service import REGISTER_TZ, current_link
from civic.votes import rules as vote_rules
from civic.votes import service
from civic.votes.models import ProposalSupport, Vote, VoteProposal

# "At least one fifth" (五分之一以上): 以上 includes the boundary (Civil Code Art. 1259).
SUPPORT_SHARE = Fraction(1, 5)
# Art. 10 concerns the residents of a residents' committee's area: a community or a part of it. A street
# or district is not one, and counting its households on every page would be needlessly heavy.
PROPOSABLE_KINDS = (PlaceKind.community, PlaceKind.compound, PlaceKind.building)
DESCRIPTION_MAX = 5000


class ProposalStatus(StrEnum):
    gathering = "gathering"  # collecting support
    must_schedule = "must_schedule"  # a fifth of the households support it: staff must schedule the vote
    scheduled = "scheduled"  # the vote exists (VoteProposal.vote_id)
    withdrawn = "withdrawn"  # taken back by its proposer while it was still gathering support


OPEN_STATUSES = (ProposalStatus.gathering, ProposalStatus.must_schedule)


def threshold_met(supporting: int, households: int) -> bool:
    """Exactly: supporting / households ≥ 1/5. Nothing is met in a place with no households."""
    return households > 0 and Fraction(supporting, households) >= SUPPORT_SHARE


def support_needed(households: int) -> int:
    """The fewest supporting households that meet the threshold (60 → 12, 61 → 13; at least one)."""
    return max(1, -(-households * SUPPORT_SHARE.numerator // SUPPORT_SHARE.denominator))


@dataclass(frozen=True)
class SupportResult:
    proposal: VoteProposal
    supporting: int
    households: int
    reached_now: bool  # this support made the proposal reach the threshold


def _day(now: datetime) -> date:
    return now.astimezone(REGISTER_TZ).date()


def lives_under(session: Session, *, person_id: int | None, path: str, on: date) -> bool:
    """Has this person a current tie (owner, tenant or resident) to a unit under the place?"""
    if person_id is None:
        return False
    return session.execute(select(exists().where(
        UnitLink.person_id == person_id, current_link(on), UnitLink.unit_id == Unit.id,
        Unit.building_id == Place.id, Place.path.startswith(path)))).scalar_one()


def has_members():
    """Only households with at least one member count: one nobody belongs to any more can never support,
    so counting it toward the fifth would raise the bar for everyone else."""
    return exists().where(Person.household_id == Household.id)


def households_in(session: Session, path: str) -> int:
    """Households (with members) living in buildings under the place."""
    building = aliased(Place)
    return session.execute(select(func.count(Household.id)).join(Unit, Unit.id == Household.unit_id)
                           .join(building, building.id == Unit.building_id)
                           .where(building.path.startswith(path), has_members())).scalar_one()


def supporting_households(session: Session, proposal_id: int) -> int:
    return session.execute(select(func.count()).where(ProposalSupport.proposal_id == proposal_id)).scalar_one()


def _check_text(title: str, description: str, matter: str) -> None:
    if not title.strip():
        raise InvalidInput(N_("Give the proposal a title."), field="title")
    if len(title.strip()) > vote_rules.TITLE_MAX:
        raise InvalidInput(N_("The title is too long (at most %(max)d characters)."), field="title",
                           max=vote_rules.TITLE_MAX)
    if len(description.strip()) > DESCRIPTION_MAX:
        raise InvalidInput(N_("The description is too long (at most %(max)d characters)."), field="description",
                           max=DESCRIPTION_MAX)
    if matter not in vote_rules.MATTERS:
        raise InvalidInput(N_("Choose what kind of matter this vote decides."), field="matter")


def propose(session: Session, *, viewer: Viewer, scope_place_id: int | None, title: str, description: str,
            matter: str, now: datetime) -> VoteProposal:
    """A resident proposes a vote for a place they live in (staff of the place may too)."""
    if viewer.account_id is None:
        raise PermissionDenied(N_("Sign in to propose a vote."))
    place = session.get(Place, scope_place_id) if scope_place_id is not None else None
    if place is None:
        raise InvalidInput(N_("Choose the place whose households are asked."), field="scope")
    if place.kind not in PROPOSABLE_KINDS:
        raise InvalidInput(N_("Choose a community, compound or building."), field="scope")
    if not (place_rules.can_manage(viewer, place.path)
            or lives_under(session, person_id=viewer.person_id, path=place.path, on=_day(now))):
        raise PermissionDenied(N_("You can propose a vote only for a place you live in."))
    # One line ending everywhere, so that paragraphs (blank lines) read the same whatever browser sent them.
    description = description.replace("\r\n", "\n").strip()
    _check_text(title, description, matter)
    proposal = VoteProposal(scope_place_id=place.id, title=title.strip(), description=description,
                            matter=matter, proposed_by=viewer.account_id, created_at=now)
    session.add(proposal)
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="proposal.created", object_type="vote_proposal",
                 object_id=proposal.id, payload={"scope": place.id, "matter": matter}, now=now)
    return proposal


def _locked(session: Session, proposal_id: int) -> tuple[VoteProposal, Place]:
    """The proposal and its place, the proposal row locked: supports and scheduling take turns on it, so two
    households supporting at the same moment cannot both miss the threshold they reach together."""
    row = session.execute(select(VoteProposal, Place).join(Place, Place.id == VoteProposal.scope_place_id)
                          .where(VoteProposal.id == proposal_id).with_for_update(of=VoteProposal)).first()
    if row is None:
        raise NotFound(N_("There is no such proposal."))
    return row[0], row[1]


def household_under(session: Session, *, person_id: int | None, path: str) -> int | None:
    """The person's household if it lives in a building under the place, else None."""
    if person_id is None:
        return None
    return session.execute(
        select(Household.id).join(Person, Person.household_id == Household.id)
        .join(Unit, Unit.id == Household.unit_id).join(Place, Place.id == Unit.building_id)
        .where(Person.id == person_id, Place.path.startswith(path))).scalar()


def support(session: Session, *, viewer: Viewer, proposal_id: int, now: datetime) -> SupportResult:
    """Record the support of the viewer's household; at a fifth of the households, staff must schedule."""
    if viewer.account_id is None:
        raise PermissionDenied(N_("Sign in to support a proposal."))
    proposal, place = _locked(session, proposal_id)
    if proposal.status not in OPEN_STATUSES:
        raise Conflict(N_("This proposal no longer gathers support."))
    household_id = household_under(session, person_id=viewer.person_id, path=place.path)
    if household_id is None:
        raise PermissionDenied(N_("Only households living in %(place)s can support this proposal, and the register "
                                  "has no household of yours there. Staff of your community can record it."),
                               place=place.name)
    try:
        with session.begin_nested():
            session.add(ProposalSupport(proposal_id=proposal.id, household_id=household_id,
                                        account_id=viewer.account_id, created_at=now))
            session.flush()
    except IntegrityError:  # the unique (proposal, household) constraint: the real guard
        raise Conflict(N_("Your household already supports this proposal.")) from None
    audit.record(session, actor_id=viewer.account_id, action="proposal.supported", object_type="vote_proposal",
                 object_id=proposal.id, payload={"household": household_id}, now=now)
    supporting, households = supporting_households(session, proposal.id), households_in(session, place.path)
    reached = proposal.status == ProposalStatus.gathering and threshold_met(supporting, households)
    if reached:
        _must_schedule(session, proposal, place, supporting, households, now)
    return SupportResult(proposal, supporting, households, reached)


def _must_schedule(session: Session, proposal: VoteProposal, place: Place, supporting: int, households: int,
                   now: datetime) -> None:
    proposal.status = ProposalStatus.must_schedule
    session.flush()
    audit.record(session, actor_id=None, action="proposal.must_schedule", object_type="vote_proposal",
                 object_id=proposal.id, payload={"supporting": supporting, "households": households}, now=now)
    for account_id in staff_accounts(session, place.path):
        notify(session, account_id=account_id, url=f"/votes/proposals/{proposal.id}",
               subject=N_("A fifth of the households support a vote; staff must schedule it: %(title)s"),
               params={"title": proposal.title})


def _supporter_accounts(session: Session, proposal: VoteProposal) -> list[int]:
    """Who asked for this vote: the proposer and every account that supported it for its household."""
    supporters = set(session.execute(select(ProposalSupport.account_id)
                                     .where(ProposalSupport.proposal_id == proposal.id)).scalars())
    return sorted(supporters | {proposal.proposed_by})


def withdraw(session: Session, *, viewer: Viewer, proposal_id: int, now: datetime) -> VoteProposal:
    """The proposer takes the proposal back while it still gathers support (after that, the households
    that reached the threshold have a right to the vote)."""
    proposal, _place = _locked(session, proposal_id)
    if viewer.account_id is None or proposal.proposed_by != viewer.account_id:
        raise PermissionDenied(N_("Only the person who proposed this vote can withdraw it."))
    if proposal.status != ProposalStatus.gathering:
        raise Conflict(N_("Only a proposal that is still gathering support can be withdrawn."))
    proposal.status = ProposalStatus.withdrawn
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="proposal.withdrawn", object_type="vote_proposal",
                 object_id=proposal.id, now=now)
    for account_id in _supporter_accounts(session, proposal):
        if account_id != viewer.account_id:
            notify(session, account_id=account_id, url=f"/votes/proposals/{proposal.id}",
                   subject=N_("A proposal you supported was withdrawn: %(title)s"), params={"title": proposal.title})
    return proposal


def schedulable(session: Session, *, viewer: Viewer, proposal_id: int) -> tuple[VoteProposal, Place]:
    """A proposal staff may open a vote from: still open, and in a place the viewer manages."""
    row = session.execute(select(VoteProposal, Place).join(Place, Place.id == VoteProposal.scope_place_id)
                          .where(VoteProposal.id == proposal_id)).first()
    if row is None:
        raise NotFound(N_("There is no such proposal."))
    _check_schedulable(viewer, *row)
    return row[0], row[1]


def _check_schedulable(viewer: Viewer, proposal: VoteProposal, place: Place) -> None:
    if not place_rules.can_manage(viewer, place.path):
        raise PermissionDenied(N_("Only staff of this place can open a vote here."))
    if proposal.status not in OPEN_STATUSES:
        raise Conflict(N_("This proposal has already been scheduled or was withdrawn."))


def schedule(session: Session, *, viewer: Viewer, proposal_id: int, title: str, description: str, matter: str,
             kind: str, secret: bool, opens_at: datetime, closes_at: datetime, now: datetime,
             options: list[str] | tuple[str, ...] = ()) -> Vote:
    """Staff open the vote a proposal asks for, in the proposal's place; its supporters are told."""
    proposal, place = _locked(session, proposal_id)
    _check_schedulable(viewer, proposal, place)
    vote = service.create_vote(session, viewer=viewer, scope_place_id=place.id, title=title, description=description,
                               matter=matter, kind=kind, secret=secret, opens_at=opens_at, closes_at=closes_at,
                               now=now, options=options)
    # The status was read under the row lock, so a proposal is linked to one vote only.
    proposal.status, proposal.vote_id = ProposalStatus.scheduled, vote.id
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="proposal.scheduled", object_type="vote_proposal",
                 object_id=proposal.id, payload={"vote": vote.id}, now=now)
    for account_id in _supporter_accounts(session, proposal):
        notify(session, account_id=account_id, url=f"/votes/{vote.id}",
               subject=N_("The vote you asked for has been scheduled: %(title)s"), params={"title": vote.title})
    return vote
