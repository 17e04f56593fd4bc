"""What the "schedule a vote" and "propose a vote" forms offer: the places one may choose, and each matter
with the rule it is decided by, in words. Bounded queries; the services re-check every choice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from civic.errors import PermissionDenied
from civic.i18n import N_
from civic.places import rules as place_rules
from civic.places.models import Place, PlaceKind, Unit, UnitLink
from civic.places.rules import Viewer
from civic.places.service import current_link, in_scope, natural_key, place_labels
from civic.votes import proposals
from civic.votes import rules as vote_rules
from civic.votes.models import VoteProposal
from civic.votes.queries import MATTER_LABELS

# A select longer than this is unusable; past it, buildings are left out (a vote of one building is rarer).
SCOPE_CHOICES_MAX = 300
SCOPE_KINDS = (PlaceKind.community, PlaceKind.compound, PlaceKind.building)
WIDE_SCOPE_KINDS = (PlaceKind.community, PlaceKind.compound)


@dataclass(frozen=True)
class Choice:
    id: int
    label: str  # "北环社区 › 南苑村小区 › 1栋"


@dataclass(frozen=True)
class MatterChoice:
    value: str
    label: str  # a msgid
    rule: vote_rules.Sentence  # the rule it is decided by, in words


@dataclass(frozen=True)
class NewVoteForm:
    scopes: list[Choice]
    matters: list[MatterChoice]
    proposal: VoteProposal | None = None  # the residents' proposal this vote answers
    proposal_place: str = ""


def rule_in_words(rule: vote_rules.Rule) -> vote_rules.Sentence:
    """"needs ≥ 2/3 of owners and of floor area taking part, and > 1/2 of them approving". The presets set
    the head and area thresholds alike, so one fraction says both; the figures come from the rule itself."""
    approve = rule.approval_heads.describe() if rule.approval_heads else "—"
    if rule.participation_heads is None and rule.participation_area is None:
        msgid = N_("no quorum; needs %(approve)s of the yes and no votes")
        return vote_rules.Sentence(msgid, (("approve", approve),))
    part = (rule.participation_heads or rule.participation_area).describe()
    msgid = (N_("needs %(part)s of owners and of floor area taking part, and %(approve)s of them approving")
             if rule.weighs_area else N_("needs %(part)s of residents taking part, and %(approve)s of them approving"))
    return vote_rules.Sentence(msgid, (("approve", approve), ("part", part)))


def matter_choices() -> list[MatterChoice]:
    return [MatterChoice(matter, MATTER_LABELS[matter], rule_in_words(vote_rules.PRESETS[preset]))
            for matter, preset in vote_rules.MATTERS.items()]


def place_label(names: dict[int, str], path: str) -> str:
    """"北环社区 › 南苑村小区 › 1栋": named from the community down, where residents start to recognise a
    name (district and street would only make every label longer)."""
    ids = place_rules.path_ids(path)
    return " › ".join(names.get(i, "") for i in (ids[2:] or ids[-1:]))


def _choices(session: Session, rows: list[tuple[int, str]]) -> list[Choice]:
    """(id, path) → labelled choices in natural order (one query for the names)."""
    names = place_labels(session, {path for _id, path in rows})
    choices = [Choice(place_id, place_label(names, path)) for place_id, path in rows]
    return sorted(choices, key=lambda c: natural_key(c.label))


def managed_scopes(session: Session, *, viewer: Viewer) -> list[Choice]:
    """Communities, compounds and buildings the viewer is staff of (all of them for administrators); only
    communities and compounds when the list would be too long to choose from."""
    if not viewer.is_staff:
        return []
    for kinds in (SCOPE_KINDS, WIDE_SCOPE_KINDS):
        rows = session.execute(select(Place.id, Place.path).where(Place.kind.in_(kinds), in_scope(viewer, Place.path))
                               .order_by(Place.path).limit(SCOPE_CHOICES_MAX + 1)).all()
        if len(rows) <= SCOPE_CHOICES_MAX:
            break
    return _choices(session, [tuple(r) for r in rows[:SCOPE_CHOICES_MAX]])


def home_scopes(session: Session, *, person_id: int | None, on: date) -> list[Choice]:
    """The building, compound and community of each unit the person is currently tied to."""
    if person_id is None:
        return []
    paths = set(session.execute(select(Place.path).join(Unit, Unit.building_id == Place.id)
                                .join(UnitLink, UnitLink.unit_id == Unit.id)
                                .where(UnitLink.person_id == person_id, current_link(on))).scalars())
    ids = {i for path in paths for i in place_rules.path_ids(path)}
    if not ids:
        return []
    rows = session.execute(select(Place.id, Place.path).where(Place.id.in_(ids),
                                                              Place.kind.in_(proposals.PROPOSABLE_KINDS))).all()
    return _choices(session, [tuple(r) for r in rows])


def proposal_scopes(session: Session, *, viewer: Viewer, on: date) -> list[Choice]:
    """Where the viewer may propose a vote: where they live, and (for staff) the places they manage."""
    found = {c.id: c for c in home_scopes(session, person_id=viewer.person_id, on=on)}
    for choice in managed_scopes(session, viewer=viewer):
        found.setdefault(choice.id, choice)
    return sorted(found.values(), key=lambda c: natural_key(c.label))


def new_vote_form(session: Session, *, viewer: Viewer, proposal_id: int | None = None) -> NewVoteForm:
    """The schedule-a-vote form for staff; from a proposal, its place is fixed and its text prefilled."""
    if not viewer.is_staff:
        raise PermissionDenied(N_("Only community staff and administrators can schedule a vote."))
    if proposal_id is not None:
        proposal, place = proposals.schedulable(session, viewer=viewer, proposal_id=proposal_id)
        label = _choices(session, [(place.id, place.path)])[0].label
        return NewVoteForm(scopes=[Choice(place.id, label)], matters=matter_choices(), proposal=proposal,
                           proposal_place=label)
    return NewVoteForm(scopes=managed_scopes(session, viewer=viewer), matters=matter_choices())
