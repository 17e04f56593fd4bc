"""What the vote pages show, in a bounded number of queries (templates never query)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from civic.errors import NotFound
from civic.i18n import N_
from civic.pagination import Page, paginate
from civic.places.models import Place
from civic.places.rules import Viewer, can_manage
from civic.votes import chain, service
from civic.votes import rules as vote_rules
from civic.votes.models import Ballot, ProxyMandate, RollEntry, Vote, VoteKind, VoteOption, VoteStatus

MATTER_LABELS = {
    "cn278-1-assembly-rules": N_("Owners' assembly rules (Art. 278 item 1)"),
    "cn278-2-management-covenant": N_("Management covenant (Art. 278 item 2)"),
    "cn278-3-owners-committee": N_("Electing or replacing the owners' committee (Art. 278 item 3)"),
    "cn278-4-property-manager": N_("Hiring or dismissing the property manager (Art. 278 item 4)"),
    "cn278-5-use-maintenance-fund": N_("Using the maintenance fund (Art. 278 item 5)"),
    "cn278-6-raise-maintenance-fund": N_("Raising the maintenance fund (Art. 278 item 6)"),
    "cn278-7-rebuild": N_("Rebuilding buildings and facilities (Art. 278 item 7)"),
    "cn278-8-change-common-use": N_("Changing the use of common parts (Art. 278 item 8)"),
    "cn278-9-other-major": N_("Other major matters (Art. 278 item 9)"),
    "residents-convention": N_("Residents' convention"),
    "residents-matter": N_("Residents' matter"),
    "poll": N_("Informal poll"),
}
STATUS_LABELS = {VoteStatus.scheduled: N_("scheduled"), VoteStatus.open: N_("open"), VoteStatus.closed: N_("closed")}
CHOICE_LABELS = {"yes": N_("Yes"), "no": N_("No"), "abstain": N_("Abstain")}


@dataclass(frozen=True)
class VoteRow:
    id: int
    title: str
    place: str
    status: str
    matter: str
    opens_at: datetime
    closes_at: datetime
    secret: bool


@dataclass(frozen=True)
class Threshold:
    label: str  # "participation by heads" …
    part: str
    whole: str
    percent: str
    needs: str
    met: bool


@dataclass(frozen=True)
class ProxyBallot:
    """A voter key this account may vote for under a proxy mandate, with the ballot counted for it."""

    voter_key: str
    units: str
    choice: str | None
    receipt: str | None


@dataclass(frozen=True)
class VotePage:
    vote: Vote
    place: str
    counts: vote_rules.Counts
    thresholds: list[Threshold]
    result: dict | None
    my_key: str | None
    my_choice: str | None
    my_receipt: str | None
    can_cast: bool
    chain_length: int
    options: list[VoteOption] = field(default_factory=list)
    choices: list[tuple[str, str]] = field(default_factory=list)  # (value, label) offered on the ballot
    proxy_ballots: list[ProxyBallot] = field(default_factory=list)
    is_staff: bool = False  # staff of the vote's place: may enter paper ballots and record proxies


def list_votes(session: Session, *, number: int, size: int, now: datetime) -> Page[VoteRow]:
    """Every vote, newest first; those on the page that are due to open or close are brought up to date."""
    page = paginate(session, select(Vote, Place.name).join(Place, Place.id == Vote.scope_place_id)
                    .order_by(Vote.opens_at.desc(), Vote.id.desc()), number=number, size=size, scalars=False)
    for vote, _place in page.items:
        service.advance(session, vote=vote, now=now)
    rows = [VoteRow(v.id, v.title, p, v.status, v.matter, v.opens_at, v.closes_at, v.secret) for v, p in page.items]
    return Page(items=rows, number=page.number, size=page.size, total=page.total)


def vote_page(session: Session, *, vote_id: int, person_id: int | None, now: datetime,
              account_id: int | None = None, viewer: Viewer | None = None) -> VotePage:
    """A vote with its live turnout against each threshold, and the viewer's own ballot and receipt
    (and those of the keys they hold a proxy mandate for)."""
    row = session.execute(select(Vote, Place.name, Place.path).join(Place, Place.id == Vote.scope_place_id)
                          .where(Vote.id == vote_id)).first()
    if row is None:
        raise NotFound(N_("There is no such vote."))
    vote, place, path = row
    service.advance(session, vote=vote, now=now)
    counts = service.turnout(session, vote=vote)
    mine = None
    if person_id is not None:
        mine = session.execute(
            select(RollEntry.voter_key, Ballot.choice, Ballot.receipt)
            .outerjoin(Ballot, (Ballot.vote_id == RollEntry.vote_id) & (Ballot.voter_key == RollEntry.voter_key))
            .where(RollEntry.vote_id == vote.id, RollEntry.representative_person_id == person_id)
        ).first()
    options = service.options_of(session, vote.id) if vote.kind == VoteKind.options else []
    return VotePage(
        vote=vote, place=place, counts=counts, thresholds=thresholds(vote_rules.PRESETS[vote.rule_name], counts),
        result=json.loads(vote.result_json) if vote.result_json else None,
        my_key=mine[0] if mine else None, my_choice=mine[1] if mine else None, my_receipt=mine[2] if mine else None,
        can_cast=bool(mine) and vote.status == VoteStatus.open, chain_length=chain.head(session, vote_id=vote.id)[0],
        options=options, choices=ballot_choices(options),
        proxy_ballots=_proxy_ballots(session, vote.id, account_id) if account_id else [],
        is_staff=viewer is not None and can_manage(viewer, path),
    )


def ballot_choices(options: list[VoteOption]) -> list[tuple[str, str]]:
    """What the ballot offers: yes / no / abstain, or each option then abstain (labels are msgids or the
    options' own text)."""
    if not options:
        return [(c, CHOICE_LABELS[c]) for c in vote_rules.YES_NO_CHOICES]
    return [(vote_rules.option_choice(o.position), o.label) for o in options] + [("abstain", CHOICE_LABELS["abstain"])]


def choice_label(page: VotePage, choice: str | None) -> str:
    return dict(page.choices).get(choice or "", choice or "")


def _proxy_ballots(session: Session, vote_id: int, account_id: int) -> list[ProxyBallot]:
    rows = session.execute(
        select(RollEntry.voter_key, RollEntry.unit_labels, Ballot.choice, Ballot.receipt)
        .join(ProxyMandate, (ProxyMandate.vote_id == RollEntry.vote_id) & (ProxyMandate.voter_key == RollEntry.voter_key))
        .outerjoin(Ballot, (Ballot.vote_id == RollEntry.vote_id) & (Ballot.voter_key == RollEntry.voter_key))
        .where(RollEntry.vote_id == vote_id, ProxyMandate.proxy_account_id == account_id,
               ProxyMandate.revoked_at.is_(None))
        .order_by(RollEntry.voter_key)
    ).all()
    return [ProxyBallot(*r) for r in rows]


def thresholds(rule: vote_rules.Rule, counts: vote_rules.Counts) -> list[Threshold]:
    """Each participation threshold with where the turnout stands against it (the live meter)."""
    part, elec = counts.participation, counts.electorate
    rows = []
    if rule.participation_heads is not None:
        rows.append(Threshold(N_("people taking part"), str(part.heads), str(elec.heads),
                              vote_rules.percent(part.heads, elec.heads), rule.participation_heads.describe(),
                              rule.participation_heads.met(part.heads, elec.heads)))
    if rule.participation_area is not None:
        rows.append(Threshold(N_("floor area taking part (m²)"), f"{part.area:,.2f}", f"{elec.area:,.2f}",
                              vote_rules.percent(part.area, elec.area), rule.participation_area.describe(),
                              rule.participation_area.met(part.area, elec.area)))
    return rows


@dataclass(frozen=True)
class ReceiptCheck:
    vote_id: int
    title: str
    code: str
    found: bool
    seq: int | None = None
    time: datetime | None = None


def check_receipt(session: Session, *, vote_id: int, code: str) -> ReceiptCheck:
    """Is this receipt on the vote's bulletin board? Anyone may ask; the answer reveals no choice."""
    vote = session.get(Vote, vote_id)
    if vote is None:
        raise NotFound(N_("There is no such vote."))
    event = chain.find_receipt(session, vote_id=vote_id, receipt=code) if code else None
    return ReceiptCheck(vote.id, vote.title, code.strip(), event is not None,
                        event.seq if event else None, event.created_at if event else None)
