"""Demo votes on the Wuchang register: every state a visitor should be able to see, cast through the real
service (rolls frozen, ballots chained, results decided) at times in the past, so nothing is faked."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from civic.auth.models import Account
from civic.places.models import Place
from civic.places.rules import Viewer
from civic.votes import proposals, service
from civic.votes.models import RollEntry, Vote, VoteProposal

GREENING_PLANS = ["方案一：口袋公园（座椅、遮阳、无障碍步道）", "方案二：共享菜园（居民认领、雨水收集）",
                  "方案三：林荫停车（保留车位、补种乔木）"]


@dataclass(frozen=True)
class DemoVote:
    title: str
    place: str  # the scope, by name
    matter: str
    opened_days_ago: float
    closes_in_days: float  # negative: closed that many days ago
    turnout: float  # share of the roll that casts
    leaning: tuple[float, float, float]  # weights of yes / no / abstain (or of each option, then abstain)
    secret: bool = False
    options: tuple[str, ...] = ()
    description: str = ""


DEMO_VOTES = [
    DemoVote("南苑村小区停车管理办法（地面车位收费与分配）", "南苑村小区", "cn278-9-other-major", 3, 4, 0.42,
             (0.6, 0.3, 0.1), description="拟对小区地面 40 个停车位实行按月收费、摇号分配，收入纳入公共收益账户。"),
    DemoVote("北环路小区使用维修资金更换 1 栋电梯", "北环路小区", "cn278-5-use-maintenance-fund", 40, -26, 0.85,
             (0.8, 0.12, 0.08), description="1 栋电梯已运行 22 年，年检两次整改。拟动用专项维修资金 48 万元更换。"),
    DemoVote("沙湖苑小区续聘物业服务企业", "沙湖苑小区", "cn278-4-property-manager", 30, -16, 0.38,
             (0.55, 0.35, 0.10), description="现物业服务合同今年底到期，业委会提议续聘三年。"),
    DemoVote("北环社区口袋公园绿化方案（居民议事）", "北环社区", "residents-matter", 2, 9, 0.22,
             (0.5, 0.3, 0.15, 0.05), options=tuple(GREENING_PLANS),
             description="社区东侧闲置地块改造，三个方案由居民议事会征集，请选择一个。"),
    DemoVote("南苑村小区第三届业主委员会换届选举", "南苑村小区", "cn278-3-owners-committee", 24, -10, 0.78,
             (0.82, 0.1, 0.08), secret=True, description="候选人名单已在小区公告栏公示七日。无记名投票。"),
]
# Demo accounts keep their own ballot for the open votes, so a visitor signing in as them can cast it.
KEEP_FOR_VISITORS = ("demo-p-owner", "demo-p-owner2")


def load_votes(session: Session, *, staff_account_id: int | None, place_ids: dict[str, int],
               visitor_person_ids: set[int], now: datetime, seed: int = 278) -> int:
    """Create the demo votes that do not exist yet; returns how many were created."""
    rng = random.Random(seed)
    have = set(session.execute(select(Vote.title)).scalars())
    created = 0
    for demo in DEMO_VOTES:
        if demo.title in have:
            continue
        _create(session, demo, staff_account_id, place_ids, visitor_person_ids, now, rng)
        created += 1
    return created


def _create(session: Session, demo: DemoVote, staff_account_id: int | None, place_ids: dict[str, int],
            visitor_person_ids: set[int], now: datetime, rng: random.Random) -> None:
    place_id = place_ids.get(demo.place) or session.execute(select(Place.id).where(Place.name == demo.place)).scalar_one()
    opens = now - timedelta(days=demo.opened_days_ago)
    closes = now + timedelta(days=demo.closes_in_days)
    admin = Viewer(account_id=staff_account_id, admin=True)
    vote = service.create_vote(session, viewer=admin, scope_place_id=place_id, title=demo.title,
                               description=demo.description, matter=demo.matter,
                               kind="options" if demo.options else "yes_no", secret=demo.secret,
                               opens_at=opens, closes_at=closes, now=opens, options=list(demo.options))
    choices = ([f"option:{i}" for i in range(1, len(demo.options) + 1)] + ["abstain"] if demo.options
               else ["yes", "no", "abstain"])
    voters = session.execute(select(RollEntry.representative_person_id).where(
        RollEntry.vote_id == vote.id, RollEntry.representative_person_id.is_not(None))
        .order_by(RollEntry.voter_key)).scalars().all()
    still_open = demo.closes_in_days > 0
    until = min(now, closes)
    casts = []
    for person_id in voters:
        if rng.random() >= demo.turnout or (still_open and person_id in visitor_person_ids):
            continue
        casts.append((opens + (until - opens) * rng.random(), person_id, rng.choices(choices, weights=demo.leaning)[0]))
        if rng.random() < 0.05:  # some change their mind: the board keeps both, the latest counts
            casts.append((opens + (until - opens) * rng.random(), person_id, rng.choice(choices)))
    for when, person_id, choice in sorted(casts):  # the board is in time order, as it would be for real
        service.cast_ballot(session, vote_id=vote.id, voter=service.Voter(account_id=None, person_id=person_id),
                            choice=choice, now=when)
    service.advance(session, vote=vote, now=now)


DEMO_PROPOSAL = ("南苑村小区加装电动自行车集中充电桩", "南苑村小区", "residents-matter",
                 "楼道里给电动自行车充电有火灾隐患。建议在 2 栋和 5 栋之间的空地建集中充电棚，"
                 "由居民议事会讨论费用分摊。\n\n请支持把这件事交给全体居民表决。")
# Who proposes and who has supported so far (demo account e-mails); owner@ is left to support it.
PROPOSAL_BY, PROPOSAL_SUPPORTERS = "tenant@civic.test", ("tenant@civic.test", "owner2@civic.test")


def load_proposal(session: Session, *, now: datetime) -> int:
    """The residents' proposal gathering supporters (Organic Law Art. 10); 1 if created, else 0."""
    title, place_name, matter, description = DEMO_PROPOSAL
    if session.execute(select(VoteProposal.id).where(VoteProposal.title == title)).first():
        return 0
    accounts = dict((email, (account_id, person_id)) for email, account_id, person_id in session.execute(
        select(Account.email, Account.id, Account.person_id).where(
            Account.email.in_([PROPOSAL_BY, *PROPOSAL_SUPPORTERS]))).all())
    if PROPOSAL_BY not in accounts:
        return 0

    def viewer(email: str) -> Viewer:
        account_id, person_id = accounts[email]
        return Viewer(account_id=account_id, person_id=person_id)

    place_id = session.execute(select(Place.id).where(Place.name == place_name)).scalar_one()
    proposal = proposals.propose(session, viewer=viewer(PROPOSAL_BY), scope_place_id=place_id, title=title,
                                 description=description, matter=matter, now=now - timedelta(days=5))
    for day, email in enumerate(e for e in PROPOSAL_SUPPORTERS if e in accounts):
        proposals.support(session, viewer=viewer(email), proposal_id=proposal.id, now=now - timedelta(days=4 - day))
    return 1
