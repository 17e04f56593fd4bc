"""Judging: the queue (funded accepted entries minus conflicts), conflicts through the team, the household and
declared ones (declaring after scoring deletes the sheet), saving sheets partly and whole, and privacy: a
judge sees only their own scores, staff only counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from civic.auth.models import Role, ScopeType
from civic.contests import judging, judging_queries
from civic.contests.models import (
    EntryMember,
    EntryStatus,
    Funding,
    JudgeConflict,
    Phase,
    ScoreItem,
    ScoreSheet,
)
from civic.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tests.unit.contests.builders import add_entry, build_contest_world, viewer_of


@pytest.fixture
def w(session, make_account):
    w = build_contest_world(session, make_account, phase=Phase.judging)
    w.contest.backing_settled_at = w.contest.backing_closes_at
    w.zhangs = add_entry(session, w, lead=w.zhang, title="张伟的花园")  # 评委乙 shares 张伟's household
    w.lis = add_entry(session, w, lead=w.li, title="李娜的书角")
    w.wangs = add_entry(session, w, lead=w.wang, title="王芳的菜园")
    w.missed = add_entry(session, w, lead=w.wang, title="没筹够的项目")
    w.rejected = add_entry(session, w, lead=w.li, title="被拒的项目", status=EntryStatus.rejected)
    for entry in (w.zhangs, w.lis, w.wangs):
        entry.funding = Funding.funded
    w.missed.funding = Funding.released
    session.commit()
    w.levels = lambda *scores: {c.id: s for c, s in zip(w.criteria, scores, strict=False)}
    return w


def count(session, model) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_judge_queue_holds_the_funded_accepted_entries_without_their_conflicts(session, w):
    page = judging_queries.judging_page(session, viewer=w.household_judge, contest_id=w.contest.id, now=w.now)
    assert [i.title for i in page.queue] == ["李娜的书角", "王芳的菜园"]
    assert [(i.title, i.conflict) for i in page.conflicted] == [("张伟的花园", "household")]
    assert (page.done, len(page.queue), page.progress) == (0, 2, [])  # judges see no one else's progress
    page = judging_queries.judging_page(session, viewer=w.judge, contest_id=w.contest.id, now=w.now)
    assert [i.title for i in page.queue] == ["张伟的花园", "李娜的书角", "王芳的菜园"] and not page.conflicted
    assert [c.row.weight for c in page.criteria] == [40, 30, 30]


def test_a_judge_on_the_team_is_conflicted_and_cannot_score(session, w):
    session.add(EntryMember(entry_id=w.lis.id, account_id=w.judge.account_id))
    session.commit()
    assert judging.conflict_of(session, contest_id=w.contest.id, judge_id=w.judge.account_id,
                               entry_id=w.lis.id) == "team"
    with pytest.raises(PermissionDenied, match="on this entry's team"):
        judging.save_sheet(session, viewer=w.judge, entry_id=w.lis.id, levels=w.levels(3, 3, 3), now=w.now)
    session.rollback()
    assert count(session, ScoreSheet) == 0


def test_a_judge_sharing_a_household_with_a_member_cannot_score(session, w):
    with pytest.raises(PermissionDenied, match="household"):
        judging.save_sheet(session, viewer=w.household_judge, entry_id=w.zhangs.id, levels=w.levels(3, 3, 3),
                           now=w.now)
    session.rollback()
    assert count(session, ScoreSheet) == 0
    with pytest.raises(PermissionDenied):
        judging_queries.sheet_page(session, viewer=w.household_judge, entry_id=w.zhangs.id, now=w.now)
    with pytest.raises(Conflict, match="share a household"):  # nothing to declare: already kept off
        judging.declare_conflict(session, viewer=w.household_judge, entry_id=w.zhangs.id, reason="邻居", now=w.now)


def test_a_partial_sheet_is_kept_but_only_a_complete_one_counts_and_it_can_be_revised(session, w):
    sheet = judging.save_sheet(session, viewer=w.judge, entry_id=w.lis.id, levels=w.levels(4, 2), now=w.now)
    session.commit()
    assert (sheet.total, sheet.complete) == (40 * 4 + 30 * 2, False)
    page = judging_queries.judging_page(session, viewer=w.judge, contest_id=w.contest.id, now=w.now)
    assert [(i.title, i.scored, i.complete) for i in page.queue if i.scored] == [("李娜的书角", 2, False)]
    assert page.done == 0
    sheet = judging.save_sheet(session, viewer=w.judge, entry_id=w.lis.id, levels=w.levels(5, 2, 1),
                               now=w.now + timedelta(hours=1))
    session.commit()
    assert (sheet.total, sheet.complete) == (40 * 5 + 30 * 2 + 30 * 1, True)
    assert count(session, ScoreSheet) == 1 and count(session, ScoreItem) == 3
    page = judging_queries.sheet_page(session, viewer=w.judge, entry_id=w.lis.id, now=w.now)
    assert page.levels == w.levels(5, 2, 1) and (page.done, page.queue) == (1, 3)
    assert page.next_entry_id == w.wangs.id  # the next entry without a complete sheet, in queue order


@pytest.mark.parametrize("bad", [{"first": 6}, {"first": 0}, {"other": 3}, {}])
def test_a_level_outside_the_rubric_is_refused_and_nothing_is_written(session, w, bad):
    if "first" in bad:
        levels = {w.criteria[0].id: bad["first"]}
    elif "other" in bad:
        levels = {999_999: 3}
    else:
        levels = {w.criteria[0].id: None}
    with pytest.raises(InvalidInput):
        judging.save_sheet(session, viewer=w.judge, entry_id=w.lis.id, levels=levels, now=w.now)
    session.rollback()
    assert count(session, ScoreSheet) == 0 and count(session, ScoreItem) == 0


def test_only_judged_entries_only_judges_and_only_while_judging_is_open(session, w):
    for entry in (w.missed, w.rejected):
        with pytest.raises(Conflict, match="not being judged"):
            judging.save_sheet(session, viewer=w.judge, entry_id=entry.id, levels=w.levels(3, 3, 3), now=w.now)
        session.rollback()
    for viewer in (w.staff, w.zhang, w.treasurer, w.stranger, w.anonymous):
        with pytest.raises(PermissionDenied):
            judging.save_sheet(session, viewer=viewer, entry_id=w.lis.id, levels=w.levels(3, 3, 3), now=w.now)
        session.rollback()
    with pytest.raises(Conflict, match="only while judging is open"):
        judging.save_sheet(session, viewer=w.judge, entry_id=w.lis.id, levels=w.levels(3, 3, 3),
                           now=w.contest.judging_closes_at)
    session.rollback()
    with pytest.raises(NotFound):
        judging.save_sheet(session, viewer=w.judge, entry_id=999_999, levels=w.levels(3, 3, 3), now=w.now)
    assert count(session, ScoreSheet) == 0


def test_a_declared_conflict_keeps_the_judge_off_the_entry(session, w):
    declared = judging.declare_conflict(session, viewer=w.judge, entry_id=w.wangs.id, reason="  王芳是我表姐 ",
                                        now=w.now)
    session.commit()
    assert (declared.conflict.reason, declared.sheet_deleted) == ("王芳是我表姐", False)
    with pytest.raises(PermissionDenied, match="declared a conflict"):
        judging.save_sheet(session, viewer=w.judge, entry_id=w.wangs.id, levels=w.levels(3, 3, 3), now=w.now)
    session.rollback()
    with pytest.raises(Conflict, match="already declared"):
        judging.declare_conflict(session, viewer=w.judge, entry_id=w.wangs.id, reason="again", now=w.now)
    session.rollback()
    page = judging_queries.judging_page(session, viewer=w.judge, contest_id=w.contest.id, now=w.now)
    assert [(i.title, i.conflict) for i in page.conflicted] == [("王芳的菜园", "declared")]
    assert count(session, ScoreSheet) == 0 and count(session, JudgeConflict) == 1


def test_declaring_a_conflict_after_scoring_deletes_the_sheet(session, w):
    judging.save_sheet(session, viewer=w.judge, entry_id=w.wangs.id, levels=w.levels(5, 5, 5), now=w.now)
    session.commit()
    page = judging_queries.conflict_page(session, viewer=w.judge, entry_id=w.wangs.id, now=w.now)
    assert page.has_sheet
    declared = judging.declare_conflict(session, viewer=w.judge, entry_id=w.wangs.id, reason="王芳是我表姐",
                                        now=w.now)
    session.commit()
    assert declared.sheet_deleted
    assert count(session, ScoreSheet) == 0 and count(session, ScoreItem) == 0


def test_a_conflict_needs_a_reason_and_is_declared_from_screening_until_judging_closes(session, w):
    with pytest.raises(InvalidInput) as refused:
        judging.declare_conflict(session, viewer=w.judge, entry_id=w.lis.id, reason="   ", now=w.now)
    assert refused.value.field == "reason"
    session.rollback()
    with pytest.raises(InvalidInput):
        judging.declare_conflict(session, viewer=w.judge, entry_id=w.lis.id, reason="长" * 501, now=w.now)
    session.rollback()
    for when in (w.contest.backing_opens_at - timedelta(days=20), w.contest.judging_closes_at):
        with pytest.raises(Conflict):
            judging.declare_conflict(session, viewer=w.judge, entry_id=w.lis.id, reason="朋友", now=when)
        session.rollback()
    with pytest.raises(PermissionDenied):
        judging.declare_conflict(session, viewer=w.staff, entry_id=w.lis.id, reason="朋友", now=w.now)
    session.rollback()
    with pytest.raises(Conflict, match="not in the contest"):
        judging.declare_conflict(session, viewer=w.judge, entry_id=w.rejected.id, reason="朋友", now=w.now)
    session.rollback()
    assert count(session, JudgeConflict) == 0
    during_screening = w.contest.submission_closes_at + timedelta(hours=1)
    judging.declare_conflict(session, viewer=w.judge, entry_id=w.lis.id, reason="朋友", now=during_screening)
    session.commit()
    assert count(session, JudgeConflict) == 1


def test_judges_see_only_their_own_scores_and_staff_only_counts(session, make_account, w):
    judging.save_sheet(session, viewer=w.judge, entry_id=w.lis.id, levels=w.levels(5, 5, 5), now=w.now)
    judging.save_sheet(session, viewer=w.household_judge, entry_id=w.lis.id, levels=w.levels(1, 1), now=w.now)
    session.commit()
    mine = judging_queries.judging_page(session, viewer=w.household_judge, contest_id=w.contest.id, now=w.now)
    assert [(i.title, i.total, i.complete) for i in mine.queue if i.scored] == [("李娜的书角", 70, False)]
    theirs = judging_queries.judging_page(session, viewer=w.judge, contest_id=w.contest.id, now=w.now)
    assert [(i.title, i.total) for i in theirs.queue if i.scored] == [("李娜的书角", 500)]
    staff = judging_queries.judging_page(session, viewer=w.staff, contest_id=w.contest.id, now=w.now)
    assert not staff.queue
    assert [(p.name, p.complete, p.partial, p.queue, p.declared, p.automatic) for p in staff.progress] == [
        ("评委甲", 1, 0, 3, 0, 0), ("评委乙", 0, 1, 2, 0, 1)]
    assert not any(hasattr(p, "total") for p in staff.progress)
    for viewer in (w.zhang, w.treasurer, w.stranger):
        with pytest.raises(PermissionDenied):
            judging_queries.judging_page(session, viewer=viewer, contest_id=w.contest.id, now=w.now)
    late_judge = viewer_of(make_account, "评委丁", roles=[(Role.judge, ScopeType.contest, w.contest.id)])
    page = judging_queries.judging_page(session, viewer=late_judge, contest_id=w.contest.id, now=w.now)
    assert all(i.total is None for i in page.queue)


def test_staff_follow_the_judging_only_once_it_has_opened(session, w):
    with pytest.raises(Conflict):
        judging_queries.judging_page(session, viewer=w.staff, contest_id=w.contest.id,
                                     now=w.contest.backing_closes_at - timedelta(hours=1))
    page = judging_queries.judging_page(session, viewer=w.judge, contest_id=w.contest.id,
                                        now=w.contest.backing_closes_at - timedelta(hours=1))
    # Before judging a judge sees every entry known so far, to declare conflicts on.
    assert {i.title for i in page.queue} == {"李娜的书角", "王芳的菜园", "张伟的花园", "没筹够的项目"}


def test_concurrent_saves_by_one_judge_never_leave_items_and_total_disagreeing(session, engine, w):
    """Two tabs of the same judge save different sheets at once, many times: the sheet row is locked, so the
    total always matches the items that were saved with it."""
    from concurrent.futures import ThreadPoolExecutor

    from civic.contests import rules
    from civic.db import run_in_session

    sheets = [w.levels(5, 1, 2), w.levels(1, 5), w.levels(3, 3, 3), w.levels(2, 4, 1)]

    def save(n: int) -> None:  # each save in its own transaction, as two requests would be
        run_in_session(engine, judging.save_sheet, viewer=w.judge, entry_id=w.lis.id, levels=sheets[n % 4], now=w.now)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(save, range(24)))
    session.rollback()
    session.expire_all()
    sheet = session.execute(select(ScoreSheet)).scalar_one()
    items = dict(session.execute(select(ScoreItem.criterion_id, ScoreItem.level)
                                 .where(ScoreItem.sheet_id == sheet.id)).all())
    weights = {c.id: c.weight for c in w.criteria}
    assert items in sheets
    assert (sheet.total, sheet.complete) == rules.sheet_total(weights, items)


def test_the_queue_settles_backing_first_when_no_job_has_yet(session, make_account):
    from civic.contests.models import Pledge, PledgeKind

    w = build_contest_world(session, make_account, phase=Phase.judging)
    reached = add_entry(session, w, lead=w.li, title="筹够了", money_goal_fen=100_00)
    missed = add_entry(session, w, lead=w.wang, title="没筹够", money_goal_fen=100_00)
    session.add_all([Pledge(entry_id=reached.id, account_id=w.zhang.account_id, kind=PledgeKind.money, amount_fen=100_00),
                     Pledge(entry_id=missed.id, account_id=w.zhang.account_id, kind=PledgeKind.money, amount_fen=99_99)])
    session.commit()
    page = judging_queries.judging_page(session, viewer=w.judge, contest_id=w.contest.id, now=w.now)
    assert [i.title for i in page.queue] == ["筹够了"]
    session.commit()
    session.expire_all()
    assert (session.get(type(reached), reached.id).funding, session.get(type(missed), missed.id).funding) == (
        Funding.funded, Funding.released)
    with pytest.raises(Conflict, match="not being judged"):
        judging.save_sheet(session, viewer=w.judge, entry_id=missed.id, levels={w.criteria[0].id: 3}, now=w.now)
