"""Demo contests of 北环社区, made through the real services at times in the past (as the demo votes and
covenants are), so every state a visitor sees came about as it would for real:

- 2026年“了不起的居民”志愿服务项目大赛, modelled on the seed and finished: 72 entries (6 rejected at screening
  with public reasons), backed by about 250 residents with money, volunteer hours and materials (6 entries
  missed their money goal and released their pledges), scored by 5 judges on a four-criterion rubric (郭伟,
  judge@, declared one conflict; one sheet was left incomplete), results published: 20 advance, 5 win and
  ¥100,000 is matched quadratically (cap 10 %); the treasurer (宋洁, treasurer@) has confirmed part of the money;
- 2027年社区微更新志愿项目众筹, open for backing now (it closes in six days): 12 accepted entries; 王秀英
  (owner@) leads 南苑村小区楼道微花园 with 陈晓明 (tenant@), and 刘建国 (owner2@) backs another entry.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from functools import partial

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session

from civic.auth.models import Account
from civic.contests import backing, discussion, entries, entry_team, judging, ledger, results, rules, setup
from civic.contests.demo_text import (
    BACKERS,
    BACKING_ENTRIES,
    BACKING_REJECTED,
    BACKING_TEXT,
    BIG,
    COMMENTS,
    CONFLICT_REASON,
    FINISHED_TEXT,
    JURY,
    NOTES,
    PROFILES,
    REJECTIONS,
    RUBRIC,
    SMALL,
    THEMES,
    WINNER_COMMENTS,
    WINNER_UPDATES,
)
from civic.contests.entry_input import EntryForm
from civic.contests.models import (
    Contest,
    ContestEntry,
    EntryMember,
    Funding,
    MaterialNeed,
    Pledge,
    PledgeKind,
    PledgeStatus,
    RubricCriterion,
    ScoreItem,
    ScoreSheet,
)
from civic.places.demo import resident_accounts
from civic.places.models import Place
from civic.places.rules import Viewer
from civic.places.service import REGISTER_TZ

FINISHED_TITLE = "2026年“了不起的居民”志愿服务项目大赛"
BACKING_TITLE = "2027年社区微更新志愿项目众筹"
COMMUNITY = "北环社区"
COMPOUNDS = {"南苑村小区": 8, "北环路小区": 5}  # compound → buildings
DEMO_EMAILS = ("owner@civic.test", "owner2@civic.test", "tenant@civic.test")
JUDGES = [("judge2@civic.test", "评委 王明"), ("judge3@civic.test", "评委 李芳"), ("judge4@civic.test", "评委 张强"),
          ("judge5@civic.test", "评委 陈静")]  # besides judge@civic.test; accounts with no way to sign in


def _day(now: datetime, days: int, hour: int = 0) -> datetime:
    """`hour` o'clock in Wuhan, `days` days from today: phase boundaries fall on the hour, as staff set them."""
    today = now.astimezone(REGISTER_TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    return (today + timedelta(days=days, hours=hour)).astimezone(UTC)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + (end - start) * rng.random()


def _viewer(session: Session, email: str) -> Viewer | None:
    row = session.execute(select(Account.id, Account.person_id).where(Account.email == email)).first()
    return Viewer(account_id=row[0], person_id=row[1]) if row else None


def _account(session: Session, email: str, name: str, created_at: datetime) -> None:
    if _viewer(session, email) is None:
        session.execute(insert(Account.__table__), [{"email": email, "display_name": name, "is_active": True,
                                                     "locale": "zh-Hans", "created_at": created_at}])


def _residents(session: Session, place: Place, on: date, created_at: datetime) -> list[Viewer]:
    """The residents of `place` as viewers (see `places.demo.resident_accounts`)."""
    return [Viewer(account_id=a, person_id=p) for a, p in resident_accounts(session, place, on, created_at)]


def _contest(session: Session, staff: Viewer, place: Place, values: setup.ContestSetup, *, created: datetime,
             judges: list[str], treasurer: str) -> Contest:
    """Staff create the contest, declare its rubric, appoint its judges and treasurer and publish it."""
    contest = setup.create_contest(session, viewer=staff, place_id=place.id, setup=values, now=created)
    setup.set_rubric(session, viewer=staff, contest_id=contest.id, now=created, criteria=[
        setup.CriterionInput(name=name, weight=weight, description=text,
                             levels=list(enumerate(levels, start=1))) for name, weight, text, levels in RUBRIC])
    for contact, role in [(j, "judge") for j in judges] + [(treasurer, "treasurer")]:
        if _viewer(session, contact):  # a demo account deleted since stays deleted
            setup.appoint_by_contact(session, viewer=staff, contest_id=contest.id, contact=contact, role=role,
                                     now=created + timedelta(days=1))
    return setup.publish_contest(session, viewer=staff, contest_id=contest.id, now=created + timedelta(days=2))


def _form(rng: random.Random, theme: tuple, name: str, where: str, place_ids: dict[str, int],
          goal: int) -> EntryForm:
    """An entry of this theme: its texts, a budget adding up to the money goal (yuan), hours and materials."""
    _names, summary, beneficiaries, steps, items, needs, hours = theme
    title = where + (name.removeprefix("社区") if where == COMMUNITY else name)  # not 北环社区社区图书角
    compound = next((c for c in COMPOUNDS if where.startswith(c)), None)
    weights = [rng.uniform(1, 3) for _ in range(rng.randint(2, len(items)))]
    amounts = [round(goal * w / sum(weights) / 50) * 50 for w in weights[:-1]]
    budget = [(item, str(amount)) for item, amount in zip(items, [*amounts, goal - sum(amounts)], strict=False)]
    plan = "\n".join(f"{n}. 第{'一二三四'[n - 1]}步：{step}。" for n, step in enumerate(steps, start=1))
    plan += f"\n\n团队{rng.choice(('每周碰头一次', '每两周开一次会', '在楼栋群里随时沟通'))}，账目在社区公示栏公开。"
    point = {}
    if compound and rng.random() < 0.5:
        lon, lat = {"南苑村小区": (114.343402, 30.553221), "北环路小区": (114.348103, 30.553926)}[compound]
        point = {"latitude": f"{lat + rng.uniform(-0.0008, 0.0008):.6f}",
                 "longitude": f"{lon + rng.uniform(-0.0008, 0.0008):.6f}"}
    return EntryForm(
        title=title, summary=summary.format(where=where, name=name), beneficiaries=beneficiaries.format(where=where),
        plan=plan, place=str(place_ids[compound]) if compound else "", money_goal=str(goal),
        hours_goal=str(rng.choice((20, 30, 40, 60, 80, 120))) if hours else "", budget=budget, **point,
        materials=[(item, str(rng.randint(quantity // 2, quantity)), unit) for item, unit, quantity in needs
                   if rng.random() < 0.7])


def _where(rng: random.Random) -> str:
    compound = rng.choice(list(COMPOUNDS) + [COMMUNITY])
    if compound != COMMUNITY and rng.random() < 0.5:
        return f"{compound}{rng.randint(1, COMPOUNDS[compound])}栋"
    return compound


def _where_not_taken(rng: random.Random, name: str, taken: set[tuple[str, str]]) -> str:
    """Where an entry called `name` happens, so that no two entries have the same title."""
    for _ in range(50):
        where = _where(rng)
        if (where, name) not in taken:
            break
    taken.add((where, name))
    return where


def _enter(session: Session, *, contest_id: int, lead: Viewer, members: list[Viewer], form: EntryForm,
           at: datetime, contacts: tuple[str, ...] = ()) -> int:
    """The lead starts the entry, the team is formed, and it is submitted a few hours later."""
    entry = entries.create_entry(session, viewer=lead, contest_id=contest_id, form=form, now=at)
    # entry_team.add_member finds people by e-mail or phone, which these residents' accounts do not have.
    session.add_all([EntryMember(entry_id=entry.id, account_id=m.account_id, added_at=at) for m in members])
    for contact in contacts:
        entry_team.add_member(session, viewer=lead, entry_id=entry.id, contact=contact, now=at + timedelta(hours=1))
    entries.submit_entry(session, viewer=lead, entry_id=entry.id, now=at + timedelta(hours=3))
    return entry.id


def load_contests(session: Session, *, staff_account_id: int | None, now: datetime, seed: int = 2026) -> int:
    """Create the demo contests that do not exist yet; returns how many were created."""
    have = set(session.execute(select(Contest.title)).scalars())
    staff = Viewer(account_id=staff_account_id, admin=True)
    place = session.execute(select(Place).where(Place.name == COMMUNITY)).scalar_one()
    created = 0
    if FINISHED_TITLE not in have:
        _finished(session, staff, place, now, random.Random(seed))
        created += 1
    if BACKING_TITLE not in have:
        _open_for_backing(session, staff, place, now, random.Random(seed + 1))
        created += 1
    return created


def _finished(session: Session, staff: Viewer, place: Place, now: datetime, rng: random.Random) -> None:
    """Submissions opened 150 days ago, backing closed 40 days ago, judging a week ago: the results are out."""
    dates = {"submission_opens_at": _day(now, -150, 9), "submission_closes_at": _day(now, -110),
             "backing_opens_at": _day(now, -100, 9), "backing_closes_at": _day(now, -40),
             "judging_closes_at": _day(now, -7)}
    created = dates["submission_opens_at"] - timedelta(days=14)
    for email, name in JUDGES:
        _account(session, email, name, created)
    contest = _contest(session, staff, place, setup.ContestSetup(
        title=FINISHED_TITLE, description=FINISHED_TEXT, prize_pool_fen=100_000_00, advance_count=20, winner_count=5,
        jury_weight=70, support_weight=30, matching_method="quadratic", matching_cap_percent=10, **dates),
        created=created, judges=["judge@civic.test"] + [e for e, _n in JUDGES], treasurer="treasurer@civic.test")
    residents = _residents(session, place, dates["submission_opens_at"].astimezone(REGISTER_TZ).date(), created)
    demo = [v for v in (_viewer(session, e) for e in DEMO_EMAILS) if v and v in residents]
    pool = [v for v in residents if v not in demo]
    rng.shuffle(pool)
    accepted = _finished_entries(session, contest, staff, pool, rng)
    backers = demo + rng.sample(pool, min(len(pool), BACKERS - len(demo)))
    _finished_backing(session, contest, accepted, backers, rng)
    backing.settle_backing(session, contest_id=contest.id, now=contest.backing_closes_at)
    _finished_judging(session, contest, rng)
    results.publish_results(session, contest_id=contest.id, now=contest.judging_closes_at + timedelta(minutes=1))
    _after_results(session, contest, backers, rng)


def _finished_entries(session: Session, contest: Contest, staff: Viewer, pool: list[Viewer],
                      rng: random.Random) -> list[tuple[int, str, set[int]]]:
    """72 entries by teams of one to three, screened: 6 rejected. Returns (entry id, profile, team) of the
    accepted ones; the profile says how they will be backed."""
    profiles = {name: (goals, big, reach) for name, _n, goals, big, reach in PROFILES}
    plan = [name for name, count, *_ in PROFILES for _ in range(count)] + ["rejected"] * len(REJECTIONS)
    rng.shuffle(plan)
    places = dict(session.execute(select(Place.name, Place.id).where(Place.name.in_(COMPOUNDS))).all())
    opens, closes = contest.submission_opens_at, contest.submission_closes_at
    times = sorted(_between(rng, opens + timedelta(hours=1), closes - timedelta(days=2)) for _ in plan)
    members, taken, made = iter(pool[len(plan):]), set(), []
    deck = [(theme, name) for theme in THEMES for name in theme[0]]  # every kind of project, none too often
    deck = rng.sample(deck, len(deck)) * (len(plan) // len(deck) + 1)
    for n, (profile, at) in enumerate(zip(plan, times, strict=True)):
        theme, name = deck[n]
        where = _where_not_taken(rng, name, taken)
        low, high = profiles.get(profile, ((1000, 8000),))[0]
        form = _form(rng, theme, name, where, places, rng.randrange(low, high + 1, 100))
        team = [pool[n]] + [next(members) for _ in range(rng.choice((0, 0, 1, 1, 1, 2)))]
        entry_id = _enter(session, contest_id=contest.id, lead=team[0], members=team[1:], form=form, at=at)
        made.append((entry_id, profile, {v.account_id for v in team}))
    rejections = iter(REJECTIONS)
    screened = contest.submission_closes_at + timedelta(days=1, hours=9)
    for n, (entry_id, profile, _team) in enumerate(made):
        rejected = profile == "rejected"
        reason = next(rejections) if rejected else rng.choice(("", "符合大赛要求。", "符合大赛要求，欢迎邻居们支持。"))
        entries.screen_entry(session, viewer=staff, entry_id=entry_id, decision="reject" if rejected else "accept",
                             reason=reason, now=screened + timedelta(minutes=20 * n))
    return [(e, p, team) for e, p, team in made if p != "rejected"]


class _Timeline:
    """What people do, each at its time: planned entry by entry, done in time order by `run`.

    What the demo accounts do (anyone who can sign in and look) goes through the services. The pledges of the
    residents' accounts, which no one can sign in to, are written in bulk, in the same time order, as the
    register itself is: the service takes about 2 ms a pledge, and there are thousands (their audit events and
    notifications are left out with them)."""

    def __init__(self, session: Session, rng: random.Random):
        self.session, self.rng, self.events, self.pledges = session, rng, [], {}
        self.visitors = set(session.execute(select(Account.id).where(Account.password_hash.is_not(None))).scalars())

    def add(self, at: datetime, call: Callable, **kwargs) -> None:
        self.events.append((at, len(self.events), partial(call, self.session, now=at, **kwargs)))

    def pledge(self, at: datetime, *, viewer: Viewer, entry_id: int, service: bool = False, **offer) -> int:
        """A pledge, with a note now and then; its key finds the pledge's id once made (to cancel it)."""
        key, note = len(self.events), self.rng.choice(NOTES) if self.rng.random() < 0.1 else ""
        if service or viewer.account_id in self.visitors:
            def make() -> None:
                self.pledges[key] = backing.pledge(self.session, viewer=viewer, entry_id=entry_id, note=note, now=at,
                                                   **offer).id
            self.events.append((at, key, make))
        else:
            self.events.append((at, key, {"entry_id": entry_id, "account_id": viewer.account_id, "note": note,
                                          "created_at": at, "status": PledgeStatus.standing, "amount_fen": 0,
                                          "hours": 0, "material_need_id": None, "quantity": 0, **offer}))
        return key

    def cancel(self, at: datetime, key: int, who: Viewer) -> None:
        self.events.append((at, len(self.events), lambda: backing.cancel_pledge(
            self.session, viewer=who, pledge_id=self.pledges[key], now=at)))

    def run(self) -> None:
        rows = []
        for _at, _n, event in sorted(self.events, key=lambda e: (e[0], e[1])):
            if isinstance(event, dict):
                rows.append(event)
                continue
            if rows:  # written before anything that might count them
                self.session.execute(insert(Pledge.__table__), rows)
                rows = []
            event()
        if rows:
            self.session.execute(insert(Pledge.__table__), rows)
        self.events = []


def _back(plan: _Timeline, entry: ContestEntry, needs: list[tuple[int, int]], queue: Iterator[Viewer],
          when: Callable[[], datetime], *, big: float, reach: float, short: bool = False,
          share: tuple[float, float] = (0.6, 1.2)) -> None:
    """Backers pledge money until `reach` times the goal (a `short` entry stops before its goal), hours and
    materials until a `share` of what is needed."""
    rng, total = plan.rng, 0
    while total < entry.money_goal_fen * reach:
        fen = rng.choice(BIG if rng.random() < big else SMALL) * 100
        if short and total + fen >= entry.money_goal_fen:
            break
        plan.pledge(when(), viewer=next(queue), entry_id=entry.id, kind=PledgeKind.money, amount_fen=fen)
        total += fen
    for need_id, goal in [(None, entry.hours_goal)] + needs:
        target, total = goal * rng.uniform(*share), 0
        while total < target:
            given = rng.choice((2, 4, 4, 6, 8, 10, 16) if need_id is None else (1, 2, 2, 5, 10))
            offer = ({"kind": PledgeKind.hours, "hours": given} if need_id is None else
                     {"kind": PledgeKind.materials, "material_need_id": need_id, "quantity": given})
            plan.pledge(when(), viewer=next(queue), entry_id=entry.id, **offer)
            total += given


def _entry_rows(session: Session, contest_id: int) -> tuple[dict[int, ContestEntry], dict[int, list]]:
    rows = {e.id: e for e in session.execute(select(ContestEntry).where(ContestEntry.contest_id == contest_id))
            .scalars()}
    needs = defaultdict(list)
    for need_id, entry_id, quantity in session.execute(
            select(MaterialNeed.id, MaterialNeed.entry_id, MaterialNeed.quantity)
            .where(MaterialNeed.entry_id.in_(rows)).order_by(MaterialNeed.id)):
        needs[entry_id].append((need_id, quantity))
    return rows, needs


def _finished_backing(session: Session, contest: Contest, accepted: list, backers: list[Viewer],
                      rng: random.Random) -> None:
    """Pledges of money (many small ones on some entries, a few big ones on others), hours and materials; the
    "short" entries stop before their goal; a few backers cancel; neighbours comment."""
    profiles = {name: (big, reach) for name, _n, _goals, big, reach in PROFILES}
    opens, closes = contest.backing_opens_at, contest.backing_closes_at
    rows, needs = _entry_rows(session, contest.id)
    plan = _Timeline(session, rng)

    def when() -> datetime:  # most pledges come in over the weeks, some in the last day's rush
        if rng.random() < 0.12:
            return _between(rng, closes - timedelta(hours=24), closes - timedelta(minutes=10))
        return _between(rng, opens + timedelta(hours=1), closes - timedelta(hours=25))

    for entry_id, profile, team in accepted:
        big, reach = profiles[profile]
        eligible = [b for b in backers if b.account_id not in team]
        rng.shuffle(eligible)
        queue = iter(eligible * 3)  # never runs out; the rare second pledge by one backer is real enough
        _back(plan, rows[entry_id], needs[entry_id], queue, when, big=big, reach=rng.uniform(*reach),
              short=profile == "short")
        if profile != "short" and rng.random() < 0.15:  # pledged, then thought better of it
            at, who = _between(rng, opens + timedelta(hours=1), closes - timedelta(days=20)), next(queue)
            key = plan.pledge(at, viewer=who, entry_id=entry_id, kind=PledgeKind.money, service=True,
                              amount_fen=rng.choice(SMALL) * 100)
            plan.cancel(at + timedelta(days=rng.uniform(1, 6)), key, who)
    for n in range(12):
        entry_id, _profile, team = rng.choice(accepted)
        plan.add(_between(rng, opens, closes - timedelta(hours=1)), discussion.add_comment, entry_id=entry_id,
                 viewer=rng.choice([b for b in backers if b.account_id not in team]), body=COMMENTS[n % len(COMMENTS)])
    plan.run()


def _level(rng: random.Random, quality: float, lenient: float, spread: float) -> int:
    return max(1, min(5, round(3 + lenient + spread * (quality + rng.gauss(0, 0.5)))))


def _finished_judging(session: Session, contest: Contest, rng: random.Random) -> None:
    """郭伟 (judge@) declares a conflict as judging opens; the five judges score every funded entry from its
    latent quality, each with their own leniency and spread, and revise a few sheets; one sheet is left
    incomplete; meanwhile the treasurer confirms part of the money received. 郭伟's sheets and the
    confirmations of the demo accounts' pledges go through the services, the rest is written in bulk."""
    opens, closes = contest.backing_closes_at, contest.judging_closes_at
    funded = session.execute(select(ContestEntry.id).where(ContestEntry.contest_id == contest.id,
                                                           ContestEntry.funding == Funding.funded)
                             .order_by(ContestEntry.id)).scalars().all()
    weights = dict(session.execute(select(RubricCriterion.id, RubricCriterion.weight)
                                   .where(RubricCriterion.contest_id == contest.id)
                                   .order_by(RubricCriterion.position)).all())
    panel = [Viewer(account_id=j.account_id) for j in judging.judges(session, contest.id)]
    known = _viewer(session, "judge@civic.test")
    guo = next((j for j in panel if known and j.account_id == known.account_id), panel[0])
    conflicted, incomplete = rng.sample(list(funded), 2)
    judging.declare_conflict(session, viewer=guo, entry_id=conflicted, reason=CONFLICT_REASON,
                             now=opens + timedelta(hours=3))
    plan, sheets = _Timeline(session, rng), []
    quality = {(j.account_id, e): q for e in funded for q in [rng.gauss(0, 1)] for j in panel}
    for entry_id in rng.sample(list(funded), 3):  # entries the jury will have to talk about
        quality[rng.choice(panel).account_id, entry_id] += rng.choice((-2.5, 2.5))
    for n, ((lenient, spread), judge) in enumerate(zip(JURY, panel, strict=False)):
        for entry_id in funded:
            if (judge, entry_id) == (guo, conflicted):
                continue
            levels = {c: _level(rng, quality[judge.account_id, entry_id], lenient, spread) for c in weights}
            if n == 2 and entry_id == incomplete:
                levels = dict(list(levels.items())[:2])  # to be finished, and never was
            at = _between(rng, opens + timedelta(days=1), closes - timedelta(days=2))
            revised = rng.random() < 0.03 and len(levels) == len(weights)  # second thoughts
            later = _between(rng, at, closes - timedelta(days=1))
            changed = {c: max(1, min(5, v + rng.choice((-1, 1)))) for c, v in levels.items()}
            if judge.account_id in plan.visitors:
                plan.add(at, judging.save_sheet, viewer=judge, entry_id=entry_id, levels=levels)
                if revised:
                    plan.add(later, judging.save_sheet, viewer=judge, entry_id=entry_id, levels=changed)
            else:
                sheets.append((at, later if revised else at, judge.account_id, entry_id, changed if revised else levels))
    _write_sheets(session, contest.id, weights, sheets)
    treasurer, confirmed = _viewer(session, "treasurer@civic.test"), []
    share = {e: rng.choice((1.0, 1.0, 0.8, 0.5, 0.0)) for e in funded}
    for pledge_id, entry_id, account_id in session.execute(
            select(Pledge.id, Pledge.entry_id, Pledge.account_id).where(
                Pledge.entry_id.in_(funded), Pledge.kind == PledgeKind.money, Pledge.status == PledgeStatus.standing)
            .order_by(Pledge.id)):
        if treasurer and rng.random() < share[entry_id]:
            at = _between(rng, opens + timedelta(days=2), opens + timedelta(days=28))
            if account_id in plan.visitors:  # they are told, and can sign in to read it
                plan.add(at, ledger.confirm_money, viewer=treasurer, pledge_id=pledge_id)
            else:
                confirmed.append({"pledge": pledge_id, "at": at, "by": treasurer.account_id})
    if confirmed:
        session.execute(update(Pledge.__table__).where(Pledge.__table__.c.id == bindparam("pledge"))
                        .values(confirmed_at=bindparam("at"), confirmed_by=bindparam("by")), confirmed)
    plan.run()


def _write_sheets(session: Session, contest_id: int, weights: dict[int, int], sheets: list) -> None:
    """The sheets of the judges no one can sign in as, with their items, as judging.save_sheet leaves them."""
    if not sheets:
        return
    rows = []
    for created, updated, judge_id, entry_id, levels in sheets:
        total, complete = rules.sheet_total(weights, levels)
        rows.append({"contest_id": contest_id, "entry_id": entry_id, "judge_id": judge_id, "total": total,
                     "complete": complete, "created_at": created, "updated_at": updated})
    session.execute(insert(ScoreSheet.__table__), rows)
    ids = {(e, j): i for i, e, j in session.execute(select(ScoreSheet.id, ScoreSheet.entry_id, ScoreSheet.judge_id)
                                                    .where(ScoreSheet.contest_id == contest_id))}
    session.execute(insert(ScoreItem.__table__), [
        {"sheet_id": ids[entry_id, judge_id], "criterion_id": c, "level": level}
        for _c, _u, judge_id, entry_id, levels in sheets for c, level in levels.items()])


def _after_results(session: Session, contest: Contest, backers: list[Viewer], rng: random.Random) -> None:
    """Each winning team tells its backers how the project starts; neighbours congratulate them."""
    winners = session.execute(select(ContestEntry.id).where(ContestEntry.contest_id == contest.id, ContestEntry.wins)
                              .order_by(ContestEntry.rank)).scalars().all()
    for n, entry_id in enumerate(winners):
        team = dict(session.execute(select(EntryMember.account_id, EntryMember.is_lead)
                                    .where(EntryMember.entry_id == entry_id)).all())
        at = contest.judging_closes_at + timedelta(days=n, hours=rng.randint(2, 10))
        discussion.post_update(session, viewer=Viewer(account_id=next(a for a, lead in team.items() if lead)),
                               entry_id=entry_id, body=WINNER_UPDATES[n % 2].format(n=rng.randint(8, 30)), now=at)
        for k, body in enumerate(rng.sample(WINNER_COMMENTS, 2)):
            discussion.add_comment(session, viewer=rng.choice([b for b in backers if b.account_id not in team]),
                                   entry_id=entry_id, body=body, now=at + timedelta(hours=3 + 5 * k))


def _open_for_backing(session: Session, staff: Viewer, place: Place, now: datetime, rng: random.Random) -> None:
    """Submissions closed, 12 entries accepted (one rejected) and backing open until six days from now."""
    dates = {"submission_opens_at": _day(now, -45, 9), "submission_closes_at": _day(now, -17),
             "backing_opens_at": _day(now, -12, 9), "backing_closes_at": _day(now, 6, 20),
             "judging_closes_at": _day(now, 30)}
    created = dates["submission_opens_at"] - timedelta(days=10)
    for email, name in JUDGES[:2]:
        _account(session, email, name, created)
    contest = _contest(session, staff, place, setup.ContestSetup(
        title=BACKING_TITLE, description=BACKING_TEXT, prize_pool_fen=30_000_00, advance_count=6, winner_count=3,
        jury_weight=60, support_weight=40, matching_method="quadratic", matching_cap_percent=20, **dates),
        created=created, judges=["judge@civic.test", "judge2@civic.test", "judge3@civic.test"],
        treasurer="treasurer@civic.test")
    residents = _residents(session, place, dates["submission_opens_at"].astimezone(REGISTER_TZ).date(), created)
    owner, owner2, tenant = (_viewer(session, e) for e in DEMO_EMAILS)
    pool = [v for v in residents if v not in (owner, owner2, tenant)]
    rng.shuffle(pool)
    places = dict(session.execute(select(Place.name, Place.id).where(Place.name.in_(COMPOUNDS))).all())
    opens, closes = contest.submission_opens_at, contest.submission_closes_at
    times = sorted(_between(rng, opens + timedelta(hours=1), closes - timedelta(days=1)) for _ in BACKING_ENTRIES)
    members, made = iter(pool[len(BACKING_ENTRIES):]), []
    for n, ((where, name), at) in enumerate(zip(BACKING_ENTRIES, times, strict=True)):
        form = _form(rng, next(t for t in THEMES if name in t[0]), name, where, places,
                     3000 if n == 0 else rng.randrange(1500, 6001, 100))
        if n == 0 and owner in residents:  # 王秀英 leads it; 陈晓明 joins by his e-mail address
            team = [owner]
            entry_id = _enter(session, contest_id=contest.id, lead=owner, members=[], form=form, at=at,
                              contacts=("tenant@civic.test",) if tenant else ())
            team += [tenant] if tenant else []
        else:
            team = [pool[n]] + [next(members) for _ in range(rng.choice((0, 1, 1, 2)))]
            entry_id = _enter(session, contest_id=contest.id, lead=team[0], members=team[1:], form=form, at=at)
        made.append((entry_id, {v.account_id for v in team}))
    screened = contest.submission_closes_at + timedelta(days=1, hours=9)
    for n, (entry_id, _team) in enumerate(made):
        rejected = n == BACKING_REJECTED
        entries.screen_entry(session, viewer=staff, entry_id=entry_id, decision="reject" if rejected else "accept",
                             reason=REJECTIONS[4] if rejected else "符合要求。", now=screened + timedelta(minutes=30 * n))
    _open_backing(session, contest, [m for n, m in enumerate(made) if n != BACKING_REJECTED], pool, now, rng)


def _open_backing(session: Session, contest: Contest, accepted: list, pool: list[Viewer], now: datetime,
                  rng: random.Random) -> None:
    """Some seventy neighbours have pledged so far: some entries are past their goal, most are not yet;
    王秀英's is at about 60 %; 刘建国 (owner2@) has backed the mural."""
    rows, needs = _entry_rows(session, contest.id)
    plan = _Timeline(session, rng)
    backers = rng.sample(pool, min(70, len(pool)))

    def when() -> datetime:
        return _between(rng, contest.backing_opens_at + timedelta(hours=1), now - timedelta(hours=1))

    for n, (entry_id, team) in enumerate(accepted):
        queue = iter([b for b in rng.sample(backers, len(backers)) if b.account_id not in team] * 3)
        _back(plan, rows[entry_id], needs[entry_id], queue, when, big=0.2, share=(0.2, 0.9),
              reach=0.6 if n == 0 else rng.uniform(0.2, 1.3))
    owner2 = _viewer(session, "owner2@civic.test")
    if owner2:
        mural = accepted[1][0]
        plan.pledge(now - timedelta(days=2, hours=3), viewer=owner2, entry_id=mural, kind=PledgeKind.money,
                    amount_fen=200_00)
        plan.pledge(now - timedelta(days=2, hours=3), viewer=owner2, entry_id=mural, kind=PledgeKind.hours, hours=4)
    garden, team = accepted[0]
    for body in COMMENTS[2:5]:
        plan.add(when(), discussion.add_comment, viewer=rng.choice([b for b in backers if b.account_id not in team]),
                 entry_id=garden, body=body)
    lead = session.execute(select(EntryMember.account_id).where(EntryMember.entry_id == garden,
                                                                EntryMember.is_lead)).scalar_one()
    plan.add(now - timedelta(days=1, hours=5), discussion.post_update, viewer=Viewer(account_id=lead), entry_id=garden,
             body="花苗已经和花卉市场谈好了团购价，筹满以后的第一个周末就开种，欢迎大家来帮忙！")
    plan.run()
