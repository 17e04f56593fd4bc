"""A contest of 北环社区 in any phase, with the people around it: staff, two judges (one sharing a household
with 张伟), a treasurer, residents 张伟 and 李娜 of 南苑村小区 (王芳 too), a signed-in stranger, staff of
another community, a three-criterion rubric, and NOW placed inside the phase asked for. Committed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from sqlmodel import Session

from civic.auth.models import Role, ScopeType
from civic.contests.models import (
    Contest,
    ContestEntry,
    ContestStatus,
    EntryMember,
    EntryStatus,
    MatchingMethod,
    Phase,
    RubricCriterion,
    RubricLevel,
)
from civic.places.models import Household, Person
from civic.places.rules import Viewer
from tests.unit.places.builders import build_register

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
DAY = timedelta(days=1)
LOCALE = "en"  # notifications are written in the recipient's language; these accounts read English

# Boundaries relative to the start of the phase NOW falls in (each phase lasts ten days).
_ORDER = [Phase.upcoming, Phase.submission, Phase.screening, Phase.backing, Phase.judging, Phase.results]
RUBRIC = [("影响力 Impact", 40), ("可行性 Feasibility", 30), ("居民参与 Participation", 30)]


def phase_dates(phase: Phase, now: datetime = NOW) -> dict[str, datetime]:
    """Dates that put `now` one day into `phase` (draft: as upcoming)."""
    index = _ORDER.index(Phase.upcoming if phase == Phase.draft else phase)
    start = now - DAY - timedelta(days=10) * (index - 1)  # the submission opening
    names = ["submission_opens_at", "submission_closes_at", "backing_opens_at", "backing_closes_at",
             "judging_closes_at"]
    return {name: start + timedelta(days=10) * i for i, name in enumerate(names)}


def viewer_of(make_account, name: str, *, person=None, roles=()) -> Viewer:
    account = make_account(name, person_id=person.id if person else None, roles=list(roles), locale=LOCALE)
    staff = frozenset(scope_id for role, scope_type, scope_id in roles if role == Role.staff)
    return Viewer(account_id=account.id, person_id=person.id if person else None, staff_place_ids=staff)


def build_contest_world(session: Session, make_account, *, phase: Phase = Phase.submission,
                        pool_fen: int = 100_000_00, method: str = MatchingMethod.quadratic,
                        now: datetime = NOW) -> SimpleNamespace:
    """HTTP tests pass `now=clock.now()`: the routes read the real clock."""
    w = SimpleNamespace(now=now)
    w.r = r = build_register(session)
    household = Household(unit_id=r.u101.id, label="101")
    session.add(household)
    session.flush()
    r.zhang.household_id = household.id
    w.contest = Contest(place_id=r.community.id, title="了不起的居民 2026", description="志愿服务项目众筹大赛",
                        status=ContestStatus.draft if phase == Phase.draft else ContestStatus.published,
                        prize_pool_fen=pool_fen, advance_count=2, winner_count=1, jury_weight=70, support_weight=30,
                        matching_method=method, matching_cap_percent=50, published_at=now - 30 * DAY,
                        **phase_dates(phase, now))
    session.add(w.contest)
    session.flush()
    w.criteria = []
    for position, (name, weight) in enumerate(RUBRIC):
        criterion = RubricCriterion(contest_id=w.contest.id, position=position, name=name, weight=weight,
                                    description=f"{name} 的评分说明")
        session.add(criterion)
        session.flush()
        session.add_all([RubricLevel(criterion_id=criterion.id, score=s, description=f"{s} 分") for s in range(1, 6)])
        w.criteria.append(criterion)
    c = w.contest.id
    w.staff = viewer_of(make_account, "社区工作人员", roles=[(Role.staff, ScopeType.place, r.community.id)])
    w.other_staff = viewer_of(make_account, "沙湖社区工作人员", roles=[(Role.staff, ScopeType.place, r.other_community.id)])
    w.judge = viewer_of(make_account, "评委甲", roles=[(Role.judge, ScopeType.contest, c)])
    judge_person = Person(name="张伟的家人", household_id=household.id)
    session.add(judge_person)
    session.flush()
    w.household_judge = viewer_of(make_account, "评委乙", person=judge_person, roles=[(Role.judge, ScopeType.contest, c)])
    w.treasurer = viewer_of(make_account, "出纳", roles=[(Role.treasurer, ScopeType.contest, c)])
    w.zhang = viewer_of(make_account, "张伟", person=r.zhang)  # resident of 南苑村小区 1栋 101
    w.li = viewer_of(make_account, "李娜", person=r.li)
    w.wang = viewer_of(make_account, "王芳", person=r.wang)
    w.stranger = viewer_of(make_account, "路人")
    w.anonymous = Viewer(account_id=None)
    session.commit()
    return w


def add_entry(session: Session, w: SimpleNamespace, *, lead: Viewer, title: str = "楼道微花园",
              status: str = EntryStatus.accepted, money_goal_fen: int = 2_000_00, hours_goal: int = 0,
              members: tuple[Viewer, ...] = ()) -> ContestEntry:
    """An entry of `lead`'s team in the given status, written directly (set-up for tests). Committed."""
    entry = ContestEntry(contest_id=w.contest.id, title=title, summary=f"{title}：志愿者共建", money_goal_fen=money_goal_fen,
                         hours_goal=hours_goal, status=status, created_by=lead.account_id,
                         submitted_at=None if status == EntryStatus.draft else w.contest.submission_opens_at + DAY)
    session.add(entry)
    session.flush()
    session.add(EntryMember(entry_id=entry.id, account_id=lead.account_id, is_lead=True))
    session.add_all([EntryMember(entry_id=entry.id, account_id=m.account_id) for m in members])
    session.commit()
    return entry
