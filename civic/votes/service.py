"""Vote use cases: create, open (freeze the roll), cast, close (decide and publish the chain head)."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, func, or_, select, update
from sqlmodel import Session

from civic import audit
from civic.auth.models import Account
from civic.db import session_scope
from civic.errors import Conflict, NotFound, PermissionDenied
from civic.i18n import N_
from civic.jobs import due_job
from civic.notifications import notify
from civic.places import rules as place_rules
from civic.places import service as places
from civic.places.models import Place, Unit, m2
from civic.settings import Settings
from civic.votes import casting, chain, outcomes
from civic.votes import rules as vote_rules
from civic.votes.casting import CastReceipt
from civic.votes.models import (
    Ballot,
    BallotEvent,
    Channel,
    ProxyMandate,
    RollEntry,
    TurnoutShard,
    Vote,
    VoteKind,
    VoteOption,
    VoteStatus,
)


@dataclass(frozen=True)
class Voter:
    """Who casts: an account and the person it is (a proxy names the key it votes for separately)."""

    account_id: int
    person_id: int | None


def create_vote(session: Session, *, viewer: place_rules.Viewer, scope_place_id: int, title: str,
                description: str, matter: str, kind: str, secret: bool,
                opens_at: datetime, closes_at: datetime, now: datetime,
                options: list[str] | tuple[str, ...] = ()) -> Vote:
    """Staff of the scope (or administrators) schedule a vote; the rule follows from the matter.
    `options` (one label each) make a one-of-N vote when kind is "options"."""
    place = session.get(Place, scope_place_id)
    if place is None:
        raise NotFound(N_("There is no such place."))
    if not place_rules.can_manage(viewer, place.path):
        raise PermissionDenied(N_("Only staff of this place can open a vote here."))
    return schedule_vote(session, actor_id=viewer.account_id, place=place, title=title, description=description,
                         matter=matter, kind=kind, secret=secret, opens_at=opens_at, closes_at=closes_at, now=now,
                         options=options)


def schedule_vote(session: Session, *, actor_id: int | None, place: Place, title: str, description: str, matter: str,
                  kind: str, secret: bool, opens_at: datetime, closes_at: datetime, now: datetime,
                  options: list[str] | tuple[str, ...] = (), subject_type: str | None = None,
                  subject_ref: str | None = None) -> Vote:
    """Schedule a vote whose caller has already decided who may: staff through `create_vote`, or another
    domain's use case (a covenant's drafters freezing its text for ratification). `subject_type` and
    `subject_ref` name what the vote decides; `civic.votes.outcomes` settles it when the vote closes."""
    rule_name = vote_rules.validate_new_vote(title=title, matter=matter, kind=kind, options=options,
                                             opens_at=opens_at, closes_at=closes_at, now=now)
    if subject_type is not None and subject_type not in outcomes.SUBJECT_MODULES:
        raise ValueError(f"no module settles votes on {subject_type!r}")
    vote = Vote(title=title.strip(), description=description.strip(), scope_place_id=place.id, matter=matter,
                rule_name=rule_name, kind=kind, secret=secret, opens_at=opens_at, closes_at=closes_at,
                created_by=actor_id, created_at=now, subject_type=subject_type, subject_ref=subject_ref)
    session.add(vote)
    session.flush()
    if kind == VoteKind.options:
        session.add_all(VoteOption(vote_id=vote.id, position=i, label=label.strip())
                        for i, label in enumerate(options, start=1))
    audit.record(session, actor_id=actor_id, action="vote.created", object_type="vote", object_id=vote.id,
                 payload={"rule": rule_name, "matter": matter, "secret": secret, "subject_type": subject_type,
                          "subject_ref": subject_ref}, now=now)
    advance(session, vote=vote, now=now)
    return vote


def advance(session: Session, *, vote: Vote, now: datetime) -> Vote:
    """Bring a vote up to the server clock: open it (freezing the roll) or close it. Called on every
    access and by `civic jobs run-due`, so nothing depends on a timer having fired."""
    if vote.status == VoteStatus.scheduled and now >= vote.opens_at:
        _freeze_roll(session, vote, now)
    if vote.status == VoteStatus.open and now >= vote.closes_at:
        _close(session, vote, now)
    return vote


def _freeze_roll(session: Session, vote: Vote, now: datetime) -> None:
    # Lock the vote row so two requests arriving at the opening moment freeze the roll once.
    locked = session.execute(select(Vote).where(Vote.id == vote.id).with_for_update()).scalar_one()
    if locked.status != VoteStatus.scheduled:
        return
    roll, units = roll_on(session, vote, now)
    session.add_all(RollEntry(vote_id=vote.id, voter_key=k.key, pseudonym=secrets.token_hex(8),
                              representative_person_id=k.representative_id, area_dm2=k.area_dm2,
                              unit_ids=",".join(map(str, k.unit_ids)),
                              unit_labels=", ".join(units[u][0] for u in k.unit_ids),
                              unit_areas=",".join(str(units[u][1]) for u in k.unit_ids)) for k in roll.keys)
    locked.status = VoteStatus.open
    locked.roll_fingerprint = place_rules.roll_fingerprint(roll.keys)
    locked.roll_heads, locked.roll_area_dm2 = roll.heads, roll.area_dm2
    locked.roll_frozen_at = now
    session.flush()
    audit.record(session, actor_id=None, action="vote.opened", object_type="vote", object_id=vote.id,
                 payload={"roll_fingerprint": locked.roll_fingerprint, "heads": roll.heads,
                          "area_dm2": roll.area_dm2}, now=now)


def roll_on(session: Session, vote: Vote, now: datetime) -> tuple[place_rules.Roll, dict[int, tuple[str, int]]]:
    """The roll the vote freezes (or would freeze) at `now` — owners' keys for area-weighted rules, adult
    residents otherwise — with each unit's label and area."""
    day = now.astimezone(places.REGISTER_TZ).date()
    build = places.owner_roll if vote_rules.PRESETS[vote.rule_name].weighs_area else places.resident_roll
    roll = build(session, place_id=vote.scope_place_id, on=day)
    return roll, _unit_facts(session, vote.scope_place_id, {u for k in roll.keys for u in k.unit_ids})


def _unit_facts(session: Session, scope_place_id: int, unit_ids: set[int]) -> dict[int, tuple[str, int]]:
    """Unit id → (label below the vote's scope, e.g. "1栋 301", area in dm²), frozen with the roll."""
    scope = session.get(Place, scope_place_id)
    rows = session.execute(select(Unit.id, Unit.number, Unit.area_dm2, Place.path)
                           .join(Place, Place.id == Unit.building_id)
                           .where(Place.path.startswith(scope.path))).all()
    names = places.place_labels(session, {path for *_rest, path in rows})
    depth = len(place_rules.path_ids(scope.path))
    facts = {}
    for unit_id, number, area_dm2, path in rows:
        if unit_id in unit_ids:
            below = [names.get(i, "") for i in place_rules.path_ids(path)[depth:]]
            facts[unit_id] = (" ".join([*below, number]), area_dm2)
    return facts


def cast_ballot(session: Session, *, vote_id: int, voter: Voter, choice: str, now: datetime,
                for_key: str | None = None) -> CastReceipt:
    """Cast or change the ballot of the voter key this person represents — or, with `for_key`, of the key
    a staff-recorded proxy mandate lets this account vote for. One counted ballot per key is enforced
    by a unique constraint; every cast goes on the vote's board and is acknowledged with a receipt."""
    state = casting.vote_state(session, vote_id, voter.person_id)
    if state is None:
        raise NotFound(N_("There is no such vote."))
    if not state.accepts_at(now):
        # Off the hot path: the vote may be due to open or close; bring it up to the clock first.
        vote = advance(session, vote=_vote(session, vote_id), now=now)
        if vote.status != VoteStatus.open:
            raise Conflict(N_("This vote is not open: ballots are accepted only between its opening and closing times."))
        state = casting.vote_state(session, vote_id, voter.person_id)
    vote_rules.check_choice(choice, options=option_count(session, state))
    if for_key is not None:
        entry = _mandated_entry(session, state, voter, for_key, now)
        return casting.record_ballot(session, state, entry, choice, Channel.proxy, voter.account_id, now)
    if state.entry is None:
        raise PermissionDenied(N_("You are not on the roll of this vote, or you do not represent a voter key in it."))
    return casting.record_ballot(session, state, state.entry, choice, Channel.web, voter.account_id, now)


def _mandated_entry(session: Session, vote: casting.VoteState, voter: Voter, voter_key: str, now: datetime) -> RollEntry:
    """The roll entry a proxy may vote for; the first use is recorded (a used mandate can no longer be revoked)."""
    row = session.execute(select(ProxyMandate, RollEntry).join(RollEntry, and_(
        RollEntry.vote_id == ProxyMandate.vote_id, RollEntry.voter_key == ProxyMandate.voter_key)).where(
        ProxyMandate.vote_id == vote.id, ProxyMandate.voter_key == voter_key,
        ProxyMandate.proxy_account_id == voter.account_id, ProxyMandate.revoked_at.is_(None))).first()
    if row is None:
        raise PermissionDenied(N_("You hold no proxy mandate for this voter in this vote, or it was revoked."))
    mandate, entry = row
    # Conditional on "not revoked", so a revocation committed meanwhile wins and the ballot is refused; not
    # on "unused", so a proxy's double-click (two first casts at once) is two casts, not a refusal.
    used = session.execute(update(ProxyMandate).where(
        ProxyMandate.id == mandate.id, ProxyMandate.revoked_at.is_(None),
    ).values(used_at=func.coalesce(ProxyMandate.used_at, now))).rowcount
    if not used:
        raise PermissionDenied(N_("You hold no proxy mandate for this voter in this vote, or it was revoked."))
    return entry


def counts(session: Session, *, vote: Vote, live: bool = True) -> vote_rules.Counts:
    """Heads and area per choice: from the turnout shards (a handful of rows) while live, or by one
    GROUP BY over the ballots for the final result."""
    per, empty = _per_choice(session, vote, live), vote_rules.Measure()
    return vote_rules.Counts(_electorate(session, vote), per.get("yes", empty), per.get("no", empty),
                             per.get("abstain", empty))


def turnout(session: Session, *, vote: Vote) -> vote_rules.Counts:
    """The live meter's figures: who has taken part so far. For a one-of-N vote every option's ballots
    are summed under "yes" — the meter shows participation only, never who leads."""
    if vote.kind != VoteKind.options:
        return counts(session, vote=vote)
    chosen, abstain = vote_rules.Measure(), vote_rules.Measure()
    for choice, measure in _per_choice(session, vote, live=True).items():
        if choice == "abstain":
            abstain = measure
        else:
            chosen = chosen + measure
    return vote_rules.Counts(_electorate(session, vote), chosen, vote_rules.Measure(), abstain)


def _electorate(session: Session, vote: Vote) -> vote_rules.Measure:
    """The frozen roll's size, kept on the vote when it opened (never a count over the roll)."""
    return vote_rules.Measure(vote.roll_heads, m2(vote.roll_area_dm2))


def _per_choice(session: Session, vote: Vote, live: bool) -> dict[str, vote_rules.Measure]:
    if live:
        rows = session.execute(select(TurnoutShard.choice, func.sum(TurnoutShard.heads), func.sum(TurnoutShard.area_dm2))
                               .where(TurnoutShard.vote_id == vote.id).group_by(TurnoutShard.choice)).all()
    else:
        rows = session.execute(select(Ballot.choice, func.count(), func.sum(Ballot.area_dm2))
                               .where(Ballot.vote_id == vote.id).group_by(Ballot.choice)).all()
    return {choice: vote_rules.Measure(int(h), m2(int(a))) for choice, h, a in rows}


def option_count(session: Session, vote: Vote | casting.VoteState) -> int:
    """How many options a one-of-N vote offers (0 for a yes / no / abstain vote)."""
    return casting.option_count(session, vote.id) if vote.kind == VoteKind.options else 0


def options_of(session: Session, vote_id: int) -> list[VoteOption]:
    return list(session.execute(select(VoteOption).where(VoteOption.vote_id == vote_id)
                                .order_by(VoteOption.position)).scalars())


def decide(session: Session, vote: Vote, *, live: bool) -> vote_rules.Decision | vote_rules.OptionsDecision:
    """The decision on the ballots so far (live: from the turnout shards) or final (one GROUP BY)."""
    rule = vote_rules.PRESETS[vote.rule_name]
    if vote.kind != VoteKind.options:
        return vote_rules.decide(rule, counts(session, vote=vote, live=live))
    electorate, per = _electorate(session, vote), _per_choice(session, vote, live)
    empty = vote_rules.Measure()
    options = [(vote_rules.option_choice(o.position), o.label, per.get(vote_rules.option_choice(o.position), empty))
               for o in options_of(session, vote.id)]
    return vote_rules.decide_options(rule, electorate, options, per.get("abstain", empty))


def result_record(decision: vote_rules.Decision | vote_rules.OptionsDecision) -> dict:
    """What a closed vote keeps: the published result plus its sentences as msgids, so the certificate
    can say it in the reader's language."""
    published = (vote_rules.options_decision_dict(decision) if isinstance(decision, vote_rules.OptionsDecision)
                 else vote_rules.decision_dict(decision))
    return {**published, "sentences": [s.as_list() for s in decision.sentences]}


def _close(session: Session, vote: Vote, now: datetime) -> None:
    locked = session.execute(select(Vote).where(Vote.id == vote.id).with_for_update()).scalar_one()
    if locked.status != VoteStatus.open:
        return
    decision = decide(session, locked, live=False)
    chain.link(session, vote_id=vote.id)  # every event on the board before its head is published
    _seq, head = chain.head(session, vote_id=vote.id)
    locked.status, locked.closed_at, locked.chain_head = VoteStatus.closed, now, head
    locked.result_json = json.dumps(result_record(decision), ensure_ascii=False, sort_keys=True)
    session.flush()
    audit.record(session, actor_id=None, action="vote.closed", object_type="vote", object_id=vote.id,
                 payload={"chain_head": head, "approved": decision.approved, "valid": decision.quorum_met}, now=now)
    # What the vote decides (a covenant's adoption) follows in the same transaction: never a closed vote
    # whose outcome was not applied.
    outcomes.settle(session, locked, decision, now)


def roll_accounts(session: Session, vote_id: int) -> list[int]:
    """Accounts of the people who vote for a key on this vote's roll (the ones to tell)."""
    return list(session.execute(select(Account.id).join(RollEntry, RollEntry.representative_person_id == Account.person_id)
                                .where(RollEntry.vote_id == vote_id).order_by(Account.id)).scalars())


REMIND_BEFORE = timedelta(days=1)


@due_job("advance_votes")
def advance_due_votes(engine: Engine, settings: Settings, now: datetime) -> int:
    """Open votes whose time has come (freezing their rolls) and close those that have ended."""
    with session_scope(engine) as session:
        due = session.execute(select(Vote).where(or_(
            and_(Vote.status == VoteStatus.scheduled, Vote.opens_at <= now),
            and_(Vote.status == VoteStatus.open, Vote.closes_at <= now),
        ))).scalars().all()
        for vote in due:
            advance(session, vote=vote, now=now)
    return len(due)


@due_job("link_ballot_boards")
def link_ballot_boards(engine: Engine, settings: Settings, now: datetime) -> int:
    """Chain the events recorded on open votes' boards since the last run (at most a minute behind)."""
    linked = 0
    with session_scope(engine) as session:
        waiting = session.execute(select(BallotEvent.vote_id).where(BallotEvent.seq.is_(None)).distinct()).scalars().all()
    for vote_id in waiting:
        with session_scope(engine) as session:  # one short transaction per vote
            linked += chain.link(session, vote_id=vote_id)
    return linked


@due_job("vote_notices")
def send_vote_notices(engine: Engine, settings: Settings, now: datetime) -> int:
    """Tell everyone on the roll when a vote opens, and remind those who have not voted a day before
    it closes. Done here rather than in the request that happened to open the vote: a roll can be
    thousands of people. Each vote is claimed by a conditional UPDATE, so parallel runners never
    announce twice."""
    sent = 0
    with session_scope(engine) as session:
        for vote_id, title in session.execute(select(Vote.id, Vote.title).where(
                Vote.status == VoteStatus.open, Vote.announced_at.is_(None))).all():
            if _claim(session, vote_id, Vote.announced_at, now):
                for account_id in roll_accounts(session, vote_id):
                    notify(session, account_id=account_id, subject=N_("A vote has opened: %(title)s"),
                           params={"title": title}, url=f"/votes/{vote_id}")
                    sent += 1
        for vote_id, title in session.execute(select(Vote.id, Vote.title).where(
                Vote.status == VoteStatus.open, Vote.reminded_at.is_(None), Vote.closes_at <= now + REMIND_BEFORE,
                Vote.closes_at > now)).all():
            if _claim(session, vote_id, Vote.reminded_at, now):
                for account_id in _not_yet_voted(session, vote_id):
                    notify(session, account_id=account_id, subject=N_("A day left to vote: %(title)s"),
                           params={"title": title}, url=f"/votes/{vote_id}")
                    sent += 1
    return sent


def _claim(session: Session, vote_id: int, column, now: datetime) -> bool:
    return bool(session.execute(update(Vote).where(Vote.id == vote_id, column.is_(None))
                                .values({column.key: now})).rowcount)


def _not_yet_voted(session: Session, vote_id: int) -> list[int]:
    voted = select(Ballot.voter_key).where(Ballot.vote_id == vote_id)
    return list(session.execute(select(Account.id).join(RollEntry, RollEntry.representative_person_id == Account.person_id)
                                .where(RollEntry.vote_id == vote_id, RollEntry.voter_key.not_in(voted))
                                .order_by(Account.id)).scalars())


def _vote(session: Session, vote_id: int) -> Vote:
    vote = session.get(Vote, vote_id)
    if vote is None:
        raise NotFound(N_("There is no such vote."))
    return vote
