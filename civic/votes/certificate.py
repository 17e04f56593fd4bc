"""What a closed vote's printable result certificate states, read in a bounded number of queries."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, select
from sqlmodel import Session

from civic.errors import Conflict, NotFound
from civic.i18n import N_
from civic.places import rules as place_rules
from civic.places import service as places
from civic.places.models import Place
from civic.votes import chain, service
from civic.votes import rules as vote_rules
from civic.votes.models import Ballot, RollEntry, Vote, VoteKind, VoteStatus
from civic.votes.queries import CHOICE_LABELS

RULE_LABELS = {
    "cn278-ordinary": N_("Civil Code Art. 278, ordinary matters"),
    "cn278-major": N_("Civil Code Art. 278, major matters (items 6–8)"),
    "cn-residents-meeting": N_("Residents' meeting (Organic Law of Urban Residents Committees)"),
    "majority": N_("Simple majority of those voting yes or no"),
    "two-thirds": N_("Two-thirds majority of those voting yes or no"),
}
COMPARATOR_WORDS = {vote_rules.Comparator.at_least: N_("at least"), vote_rules.Comparator.more_than: N_("more than")}
AREA_BASE = {
    vote_rules.ApprovalBase.participants: N_("floor area of the participants"),
    vote_rules.ApprovalBase.cast: N_("floor area of those who voted yes or no"),
    vote_rules.ApprovalBase.electorate: N_("floor area on the roll"),
}
CHANNEL_LABELS = {"web": N_("online"), "paper": N_("paper ballot"), "proxy": N_("by proxy")}
NOT_ISSUED = N_("The certificate of a vote is issued when the vote closes and its result is counted.")


@dataclass(frozen=True)
class PendingVote:
    """Plain values of a vote without a certificate yet: the unit of work that read it has rolled back."""

    id: int
    title: str
    status: str
    closes_at: datetime


class VoteNotClosed(Conflict):
    """Asked for the certificate of a vote that is scheduled or still open (the page says when it will be)."""

    def __init__(self, vote: Vote):
        super().__init__(NOT_ISSUED)
        self.vote = PendingVote(vote.id, vote.title, vote.status, vote.closes_at)


@dataclass(frozen=True)
class RuleTerm:
    """One threshold of the rule in words: what is measured, the comparator, the fraction, against what."""

    measure: str  # msgid
    comparator: str  # msgid: "at least" / "more than"
    fraction: str  # "2/3"
    symbol: str  # "≥ 2/3", as the result sentences write it
    base: str  # msgid


@dataclass(frozen=True)
class Figure:
    label: str
    label_is_msgid: bool  # an option's label is shown as typed
    heads: int
    area: Decimal


@dataclass(frozen=True)
class VoterLine:
    units: str
    voter_key: str
    choice: str | None  # None: did not take part
    choice_is_msgid: bool  # yes / no / abstain are translated; an option's label is shown as typed
    channel: str | None


@dataclass(frozen=True)
class Certificate:
    vote: Vote
    place: str  # the whole path, "武昌区 › 水果湖街 › 北环社区 › 南苑村小区"
    rule: vote_rules.Rule
    rule_label: str  # msgid
    terms: list[RuleTerm]
    result: dict  # the stored result, sentences included
    chain_length: int
    options: list[tuple[str, str]] = field(default_factory=list)  # (choice, label)
    voters: list[VoterLine] | None = None  # None for secret votes: they show turnout only

    @property
    def weighs_area(self) -> bool:
        return self.rule.weighs_area

    @property
    def roll_area(self) -> Decimal:
        return Decimal(self.result["electorate"]["area"])

    @property
    def winner_label(self) -> str | None:
        return dict(self.options).get(self.result.get("winner") or "")

    @property
    def figures(self) -> list[Figure]:
        """The counted figures: the roll, those who took part, then each choice (or option) and abstain."""
        r = self.result
        rows = [Figure(N_("On the roll"), True, *_measure(r["electorate"])),
                Figure(N_("Took part"), True, *_measure(r["participation"]))]
        if self.vote.kind == VoteKind.options:
            rows += [Figure(o["label"], False, *_measure(o)) for o in r["options"]]
        else:
            rows += [Figure(label, True, *_measure(r[choice])) for choice, label in CHOICE_LABELS.items()
                     if choice != "abstain"]
        return [*rows, Figure(CHOICE_LABELS["abstain"], True, *_measure(r["abstain"]))]


def certificate(session: Session, *, vote_id: int, now: datetime) -> Certificate:
    """The certificate of a closed vote; NotFound for an unknown vote, VoteNotClosed before it closes."""
    row = session.execute(select(Vote, Place.path).join(Place, Place.id == Vote.scope_place_id)
                          .where(Vote.id == vote_id)).first()
    if row is None:
        raise NotFound(N_("There is no such vote."))
    vote, path = row
    service.advance(session, vote=vote, now=now)
    if vote.status != VoteStatus.closed:
        raise VoteNotClosed(vote)
    names = places.place_labels(session, {path})
    rule = vote_rules.PRESETS[vote.rule_name]
    options = ([(vote_rules.option_choice(o.position), o.label) for o in service.options_of(session, vote.id)]
               if vote.kind == VoteKind.options else [])
    return Certificate(
        vote=vote, place=" › ".join(names.get(i, "") for i in place_rules.path_ids(path)),
        rule=rule, rule_label=RULE_LABELS.get(rule.name, rule.name), terms=rule_terms(rule),
        result=json.loads(vote.result_json), chain_length=chain.head(session, vote_id=vote.id)[0],
        options=options, voters=None if vote.secret else _voters(session, vote.id, dict(options)),
    )


def rule_terms(rule: vote_rules.Rule) -> list[RuleTerm]:
    """Every threshold of the rule, participation first, in words."""
    owners = rule.weighs_area
    wanted = [
        (rule.participation_heads, N_("Participation by headcount"),
         vote_rules.BASE_WHO[vote_rules.ApprovalBase.electorate, owners]),
        (rule.participation_area, N_("Participation by floor area"), N_("floor area on the roll")),
        (rule.approval_heads, N_("Approval by headcount (voting yes)"), vote_rules.BASE_WHO[rule.approval_base, owners]),
        (rule.approval_area, N_("Approval by floor area (voting yes)"), AREA_BASE[rule.approval_base]),
    ]
    return [RuleTerm(measure, COMPARATOR_WORDS[t.comparator], f"{t.fraction.numerator}/{t.fraction.denominator}",
                     t.describe(), base) for t, measure, base in wanted if t is not None]


def _voters(session: Session, vote_id: int, options: dict[str, str]) -> list[VoterLine]:
    """Everyone on a named vote's roll with the choice counted for them (or none), in unit order.
    All of it, however long: a certificate that leaves rows out certifies nothing."""
    rows = session.execute(
        select(RollEntry.unit_labels, RollEntry.voter_key, Ballot.choice, Ballot.channel)
        .outerjoin(Ballot, and_(Ballot.vote_id == RollEntry.vote_id, Ballot.voter_key == RollEntry.voter_key))
        .where(RollEntry.vote_id == vote_id)
    ).all()
    lines = [VoterLine(units, key, options.get(choice, choice), choice not in options, channel)
             for units, key, choice, channel in rows]
    return sorted(lines, key=lambda line: (_natural(line.units), line.voter_key))


def _measure(value: dict) -> tuple[int, Decimal]:
    return value["heads"], Decimal(value["area"])


def _natural(text: str) -> tuple:
    """"2栋 1001" after "2栋 201": numbers compare as numbers."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text) if part)
