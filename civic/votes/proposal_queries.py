"""What the proposal pages show: each proposal's support against the fifth of households it needs,
in a bounded number of queries whatever the page size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from civic.auth.models import Account
from civic.errors import NotFound
from civic.i18n import N_
from civic.pagination import Page, paginate
from civic.places import rules as place_rules
from civic.places.models import Household, Place, Unit
from civic.places.rules import Viewer
from civic.places.service import place_labels
from civic.votes import proposals
from civic.votes.models import ProposalSupport, Vote, VoteProposal
from civic.votes.proposals import ProposalStatus
from civic.votes.scheduling import place_label

STATUS_LABELS = {
    ProposalStatus.gathering: N_("gathering support"),
    ProposalStatus.must_schedule: N_("staff must schedule it"),
    ProposalStatus.scheduled: N_("vote scheduled"),
    ProposalStatus.withdrawn: N_("withdrawn"),
}


@dataclass(frozen=True)
class Support:
    """Supporting households against the households of the place: "12 of 60 households — needs 12"."""

    supporting: int
    households: int

    @property
    def needed(self) -> int:
        return proposals.support_needed(self.households)

    @property
    def reached(self) -> bool:
        return proposals.threshold_met(self.supporting, self.households)


@dataclass(frozen=True)
class ProposalRow:
    id: int
    title: str
    place: str
    matter: str
    status: str
    created_at: datetime
    support: Support


@dataclass(frozen=True)
class ProposalPage:
    proposal: VoteProposal
    place: str
    proposer: str
    support: Support
    vote_title: str | None  # the vote it became, once scheduled
    my_household: int | None  # the viewer's household in the place, if any
    my_household_supports: bool
    is_staff: bool  # staff of the place: may (and, at the threshold, must) schedule it
    is_proposer: bool

    @property
    def can_support(self) -> bool:
        return (self.my_household is not None and not self.my_household_supports
                and self.proposal.status in proposals.OPEN_STATUSES)

    @property
    def can_withdraw(self) -> bool:
        return self.is_proposer and self.proposal.status == ProposalStatus.gathering


def _household_counts(session: Session, proposal_ids: list[int]) -> dict[int, int]:
    """Households (with members) under each proposal's place, in one grouped query."""
    scope, building = aliased(Place), aliased(Place)
    rows = session.execute(
        select(VoteProposal.id, func.count(Household.id)).join(scope, scope.id == VoteProposal.scope_place_id)
        .join(building, building.path.startswith(scope.path)).join(Unit, Unit.building_id == building.id)
        .join(Household, Household.unit_id == Unit.id)
        .where(VoteProposal.id.in_(proposal_ids), proposals.has_members()).group_by(VoteProposal.id))
    return dict(rows.all())


def _support_counts(session: Session, proposal_ids: list[int]) -> dict[int, int]:
    return dict(session.execute(select(ProposalSupport.proposal_id, func.count())
                                .where(ProposalSupport.proposal_id.in_(proposal_ids))
                                .group_by(ProposalSupport.proposal_id)).all())


def list_proposals(session: Session, *, number: int, size: int, status: str | None = None) -> Page[ProposalRow]:
    """Proposals, newest first (optionally of one status), each with its support: five queries."""
    stmt = (select(VoteProposal, Place.path).join(Place, Place.id == VoteProposal.scope_place_id)
            .order_by(VoteProposal.created_at.desc(), VoteProposal.id.desc()))
    if status in STATUS_LABELS:
        stmt = stmt.where(VoteProposal.status == status)
    page = paginate(session, stmt, number=number, size=size, scalars=False,
                    query={"status": status if status in STATUS_LABELS else None})
    ids = [p.id for p, _path in page.items]
    households = _household_counts(session, ids) if ids else {}
    supporting = _support_counts(session, ids) if ids else {}
    names = place_labels(session, {path for _p, path in page.items})
    rows = [ProposalRow(p.id, p.title, place_label(names, path), p.matter, p.status, p.created_at,
                        Support(supporting.get(p.id, 0), households.get(p.id, 0))) for p, path in page.items]
    return Page(items=rows, number=page.number, size=page.size, total=page.total, query=page.query)


def proposal_page(session: Session, *, proposal_id: int, viewer: Viewer) -> ProposalPage:
    """One proposal: its support in words and what the viewer may do about it (at most seven queries)."""
    row = session.execute(select(VoteProposal, Place, Account.display_name)
                          .join(Place, Place.id == VoteProposal.scope_place_id)
                          .join(Account, Account.id == VoteProposal.proposed_by)
                          .where(VoteProposal.id == proposal_id)).first()
    if row is None:
        raise NotFound(N_("There is no such proposal."))
    proposal, place, proposer = row
    label = place_label(place_labels(session, {place.path}), place.path)
    household = proposals.household_under(session, person_id=viewer.person_id, path=place.path)
    mine = household is not None and session.execute(select(exists().where(
        ProposalSupport.proposal_id == proposal.id, ProposalSupport.household_id == household))).scalar_one()
    vote_title = (session.execute(select(Vote.title).where(Vote.id == proposal.vote_id)).scalar()
                  if proposal.vote_id else None)
    return ProposalPage(
        proposal=proposal, place=label, proposer=proposer,
        support=Support(proposals.supporting_households(session, proposal.id),
                        proposals.households_in(session, place.path)),
        vote_title=vote_title, my_household=household, my_household_supports=mine,
        is_staff=place_rules.can_manage(viewer, place.path),
        is_proposer=viewer.account_id is not None and viewer.account_id == proposal.proposed_by)
