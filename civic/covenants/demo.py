"""Demo covenants on the Wuchang register, made through the real services at times in the past (as the demo
votes are), so every state a visitor sees came about as it would for real:

- 南苑村小区文明公约 (owners' covenant on pets and objects thrown from height): drafted, consulted on (one
  amendment accepted), ratified by a valid Art. 278 vote, signed by residents, with one breach recorded and
  disputed by the signer (刘建国, owner2@) and one upheld;
- 北环社区居民公约 (residents' convention on noise, rubbish sorting and renovation hours): in consultation, with
  comments, a reply and open amendments; 王秀英 (owner@) is one of its drafters;
- 北环路小区管理规约 (owners' covenant on parking and shared spaces): its ratification vote is open now.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlmodel import Session

from civic.auth.models import Account
from civic.covenants import amendments, comments, drafters, ratification, service, signing
from civic.covenants.access import register_day
from civic.covenants.models import Covenant, CovenantStatus
from civic.places.models import Person, Place
from civic.places.rules import Viewer
from civic.votes import service as votes
from civic.votes.models import RollEntry, Vote

ADOPTED_TITLE = "南苑村小区文明公约"
CONSULTATION_TITLE = "北环社区居民公约"
RATIFICATION_TITLE = "北环路小区管理规约"
SIGNERS = 60  # residents of 南苑村小区 who signed, besides the demo accounts


def _viewer(session: Session, email: str) -> Viewer | None:
    row = session.execute(select(Account.id, Account.person_id).where(Account.email == email)).first()
    return Viewer(account_id=row[0], person_id=row[1]) if row else None


def _place(session: Session, name: str) -> int:
    return session.execute(select(Place.id).where(Place.name == name)).scalar_one()


def _vote(session: Session, vote_id: int, *, turnout: float, yes: float, cast_from: datetime, cast_until: datetime,
          rng: random.Random, keep: set[int] = frozenset()) -> None:
    """Ballots from a share of the vote's roll, in time order; `keep`: people left to vote themselves."""
    votes.advance(session, vote=session.get(Vote, vote_id), now=cast_from)  # opened: its roll frozen
    voters = session.execute(select(RollEntry.representative_person_id).where(
        RollEntry.vote_id == vote_id, RollEntry.representative_person_id.is_not(None))
        .order_by(RollEntry.voter_key)).scalars().all()
    casts = sorted((cast_from + (cast_until - cast_from) * rng.random(), person_id,
                    "yes" if rng.random() < yes else rng.choice(("no", "abstain")))
                   for person_id in voters if person_id not in keep and rng.random() < turnout)
    for when, person_id, choice in casts:
        votes.cast_ballot(session, vote_id=vote_id, voter=votes.Voter(account_id=None, person_id=person_id),
                          choice=choice, now=when)


def _resident_accounts(session: Session, place_id: int, count: int, rng: random.Random, now: datetime) -> list[Viewer]:
    """Accounts (with no way to sign in) for owners on a compound's roll who have none: the residents who
    signed the covenant at the community office or on their phones."""
    roll = votes.places.owner_roll(session, place_id=place_id, on=register_day(now))
    taken = set(session.execute(select(Account.person_id).where(Account.person_id.is_not(None))).scalars())
    people = [k.representative_id for k in roll.keys if k.representative_id and k.representative_id not in taken]
    chosen = rng.sample(people, min(count, len(people)))
    names = dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(chosen))).all())
    session.execute(insert(Account.__table__), [{"display_name": names[p], "person_id": p, "is_active": True,
                                                 "locale": "zh-Hans"} for p in chosen])
    rows = session.execute(select(Account.id, Account.person_id).where(Account.person_id.in_(chosen))).all()
    return [Viewer(account_id=a, person_id=p) for a, p in rows]


def load_covenants(session: Session, *, staff_account_id: int | None, now: datetime, seed: int = 2021) -> int:
    """Create the demo covenants that do not exist yet; returns how many were created."""
    have = set(session.execute(select(Covenant.title)).scalars())
    staff = Viewer(account_id=staff_account_id, admin=True)
    rng = random.Random(seed)
    created = 0
    if ADOPTED_TITLE not in have:
        _adopted(session, staff, now, rng)
        created += 1
    if CONSULTATION_TITLE not in have:
        _consultation(session, staff, now)
        created += 1
    if RATIFICATION_TITLE not in have:
        _ratification(session, staff, now, rng)
        created += 1
    return created


def _adopted(session: Session, staff: Viewer, now: datetime, rng: random.Random) -> None:
    start = now - timedelta(days=120)
    place_id = _place(session, "南苑村小区")
    covenant = service.create_covenant(
        session, viewer=staff, scope_place_id=place_id, kind="owners", title=ADOPTED_TITLE, now=start,
        preamble="为营造文明、安全、和谐的居住环境，经全体业主共同商议，订立本公约，共同遵守。")
    owner, owner2, tenant = (_viewer(session, e) for e in ("owner@civic.test", "owner2@civic.test",
                                                            "tenant@civic.test"))
    for template in ("pets", "height"):
        service.add_clause(session, viewer=staff, covenant_id=covenant.id, template=template, now=start)
    service.move_status(session, viewer=staff, covenant_id=covenant.id, to=CovenantStatus.consultation,
                        now=start + timedelta(days=7))
    clauses = ratification.current_clauses(session, covenant.id)
    pets_clause, pets_version = clauses[0]
    if owner:
        amendment = amendments.propose_amendment(
            session, viewer=owner, clause_id=pets_clause.id, reason="小区里老人孩子多，大型犬要特别注意。",
            text=pets_version.text + "大型犬出户须佩戴嘴套。", now=start + timedelta(days=10))
        comments.add_comment(session, viewer=owner, clause_id=pets_clause.id, body="赞成，遛狗不牵绳的情况确实多。",
                             now=start + timedelta(days=9))
        amendments.accept_amendment(session, viewer=staff, amendment_id=amendment.id, now=start + timedelta(days=14))
    frozen_at = start + timedelta(days=30)
    frozen = ratification.freeze_for_vote(session, viewer=staff, covenant_id=covenant.id, opens_at=frozen_at,
                                          closes_at=frozen_at + timedelta(days=10), now=frozen_at)
    _vote(session, frozen.vote_id, turnout=0.8, yes=0.85, cast_from=frozen_at, rng=rng,
          cast_until=frozen_at + timedelta(days=9))
    votes.advance(session, vote=session.get(Vote, frozen.vote_id), now=frozen_at + timedelta(days=10, minutes=5))
    signed_from = frozen_at + timedelta(days=12)
    signers = [v for v in (owner, owner2, tenant) if v] + _resident_accounts(session, place_id, SIGNERS, rng, now)
    for n, viewer in enumerate(signers):
        signing.sign(session, viewer=viewer, covenant_id=covenant.id, now=signed_from + timedelta(hours=7 * n))
    height = clauses[1][0]
    later = now - timedelta(days=20)
    if owner2:
        breach = signing.record_breach(
            session, viewer=staff, covenant_id=covenant.id, account_id=owner2.account_id, clause_id=height.id,
            occurred_on=register_day(later), description="2栋 502 阳台花盆未固定，大风天坠落至楼下绿地。",
            evidence="物业巡查员拍照，监控录像 18:40 存档于物业办公室。", now=later)
        signing.dispute_breach(session, viewer=owner2, breach_id=breach.id, now=later + timedelta(days=2),
                               reason="花盆是楼上住户的，不是我家阳台掉下来的，请再查看录像。")
    other = signers[-1]
    breach = signing.record_breach(
        session, viewer=staff, covenant_id=covenant.id, account_id=other.account_id, clause_id=pets_clause.id,
        occurred_on=register_day(later - timedelta(days=10)), description="在儿童游乐场遛犬未牵绳，经劝阻后仍不牵绳。",
        evidence="网格员孙强现场劝阻并记录。", now=later - timedelta(days=10))
    signing.dispute_breach(session, viewer=other, breach_id=breach.id, reason="狗很小，不会伤人。",
                           now=later - timedelta(days=9))
    signing.resolve_dispute(session, viewer=staff, breach_id=breach.id, uphold=True, now=later - timedelta(days=5),
                            reason="公约对犬只大小没有例外，现场记录属实。")


def _consultation(session: Session, staff: Viewer, now: datetime) -> None:
    start = now - timedelta(days=21)
    covenant = service.create_covenant(
        session, viewer=staff, scope_place_id=_place(session, "北环社区"), kind="residents", title=CONSULTATION_TITLE,
        now=start, preamble="为了共建共治共享的美好社区，经居民会议讨论，制定本公约。")
    owner, owner2, tenant = (_viewer(session, e) for e in ("owner@civic.test", "owner2@civic.test",
                                                            "tenant@civic.test"))
    if owner:
        drafters.appoint_drafter(session, viewer=staff, covenant_id=covenant.id, account_id=owner.account_id,
                                 now=start)
    for template in ("noise", "rubbish", "renovation"):
        service.add_clause(session, viewer=staff, covenant_id=covenant.id, template=template, now=start)
    service.move_status(session, viewer=staff, covenant_id=covenant.id, to=CovenantStatus.consultation,
                        now=start + timedelta(days=3))
    clauses = ratification.current_clauses(session, covenant.id)
    (noise, noise_v), (rubbish, rubbish_v), _renovation = clauses
    if tenant:
        first = comments.add_comment(session, viewer=tenant, clause_id=noise.id, now=start + timedelta(days=4),
                                     body="上班族晚上回来才有时间，22时是不是太早了？")
        if owner:
            comments.add_comment(session, viewer=owner, clause_id=noise.id, parent_id=first.id,
                                 now=start + timedelta(days=5), body="小区老人孩子多，22时是大多数居民的意见。")
        amendments.propose_amendment(session, viewer=tenant, clause_id=noise.id, now=start + timedelta(days=6),
                                     text=noise_v.text.replace("22时", "22时30分"), reason="给上班族多留一点时间。")
    if owner2:
        comments.add_comment(session, viewer=owner2, clause_id=rubbish.id, now=start + timedelta(days=7),
                             body="定时定点投放时段能不能早上再加半小时？")
        amendments.propose_amendment(session, viewer=owner2, clause_id=rubbish.id, now=start + timedelta(days=8),
                                     text=rubbish_v.text + "投放时段由居民议事会每年商定一次并公示。",
                                     reason="投放时间应当由居民一起定。")


def _ratification(session: Session, staff: Viewer, now: datetime, rng: random.Random) -> None:
    start = now - timedelta(days=40)
    covenant = service.create_covenant(
        session, viewer=staff, scope_place_id=_place(session, "北环路小区"), kind="owners", title=RATIFICATION_TITLE,
        now=start, preamble="本规约对全体业主和物业使用人具有约束力。")
    for template in ("parking", "shared_spaces"):
        service.add_clause(session, viewer=staff, covenant_id=covenant.id, template=template, now=start)
    service.move_status(session, viewer=staff, covenant_id=covenant.id, to=CovenantStatus.consultation,
                        now=start + timedelta(days=5))
    frozen_at = now - timedelta(days=2)
    frozen = ratification.freeze_for_vote(session, viewer=staff, covenant_id=covenant.id,
                                          opens_at=frozen_at + timedelta(days=1), closes_at=now + timedelta(days=6),
                                          now=frozen_at)
    owner2 = _viewer(session, "owner2@civic.test")  # left to cast their own ballot
    _vote(session, frozen.vote_id, turnout=0.35, yes=0.8, cast_from=frozen_at + timedelta(days=1), cast_until=now,
          rng=rng, keep={owner2.person_id} if owner2 and owner2.person_id else set())
