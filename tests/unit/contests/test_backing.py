"""Backing: who may pledge what on which entry, cancelling and the 24-hour rule at its exact boundaries (also
under two concurrent cancels), all-or-nothing settlement at exactly the goal and one fen below (idempotent,
backers told once), progress, support and contributions in a bounded number of queries, the treasurer's
confirmations and the ledger, updates and comments."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from civic.audit import AuditEvent
from civic.contests import backing, discussion, ledger, progress, rules
from civic.contests.models import (
    Contest,
    EntryComment,
    EntryStatus,
    Funding,
    MaterialNeed,
    Phase,
    Pledge,
    PledgeKind,
    PledgeStatus,
)
from civic.db import session_scope
from civic.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from civic.notifications import Notification
from tests.statements import selects
from tests.unit.contests.builders import add_entry, build_contest_world, viewer_of
from tests.unit.places.builders import add_person, link

SECOND = timedelta(seconds=1)


@pytest.fixture
def w(session, make_account):
    """Backing open; 李娜's accepted entry (goal ¥100, 10 hours, 5 bags of soil) with 王芳 on its team."""
    w = build_contest_world(session, make_account, phase=Phase.backing)
    w.entry = add_entry(session, w, lead=w.li, money_goal_fen=100_00, hours_goal=10, members=(w.wang,))
    w.soil = MaterialNeed(entry_id=w.entry.id, item="土", quantity=5, unit="袋")
    session.add(w.soil)
    session.commit()
    w.closes = w.contest.backing_closes_at
    return w


def give(session, w, viewer, *, now=None, **offer):
    offer.setdefault("kind", PledgeKind.money)
    return backing.pledge(session, viewer=viewer, entry_id=w.entry.id, now=now or w.now, **offer)


def count(session, model, *where) -> int:
    return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


# ---- pledging ---------------------------------------------------------------------------------------------

def test_a_resident_pledges_money_hours_or_materials_each_as_its_own_row(session, w):
    a = give(session, w, w.zhang, amount_fen=60_00, note="加油")
    b = give(session, w, w.zhang, kind=PledgeKind.hours, hours=3)
    c = give(session, w, w.zhang, kind=PledgeKind.materials, material_need_id=w.soil.id, quantity=2)
    session.commit()
    assert [(p.kind, p.amount_fen, p.hours, p.quantity, p.status) for p in (a, b, c)] == [
        ("money", 60_00, 0, 0, "standing"), ("hours", 0, 3, 0, "standing"), ("materials", 0, 0, 2, "standing")]
    assert a.note == "加油" and c.material_need_id == w.soil.id
    assert count(session, AuditEvent, AuditEvent.action == "contest.pledged") == 3
    p = progress.entry_progress(session, [w.entry.id])[w.entry.id]
    assert (p.money_fen, p.money_percent, p.hours, p.hours_percent, p.backers) == (60_00, 60, 3, 30, 1)
    assert [(m.item, m.pledged, m.quantity, m.percent) for m in p.materials] == [("土", 2, 5, 40)]


def test_team_members_cannot_back_their_own_entry(session, w):
    for member in (w.li, w.wang):
        with pytest.raises(PermissionDenied, match="your own entry"):
            give(session, w, member, amount_fen=1_00)
    assert count(session, Pledge) == 0


def test_only_residents_while_backing_is_open_on_accepted_entries(session, w):
    for viewer in (w.stranger, w.staff, w.treasurer, w.judge):
        with pytest.raises(PermissionDenied):
            give(session, w, viewer, amount_fen=1_00)
    with pytest.raises(Conflict):
        give(session, w, w.zhang, amount_fen=1_00, now=w.closes)
    with pytest.raises(Conflict):
        give(session, w, w.zhang, amount_fen=1_00, now=w.contest.backing_opens_at - SECOND)
    submitted = add_entry(session, w, lead=w.wang, status=EntryStatus.submitted)
    with pytest.raises(Conflict):
        backing.pledge(session, viewer=w.zhang, entry_id=submitted.id, kind="money", amount_fen=1_00, now=w.now)
    draft = add_entry(session, w, lead=w.wang, status=EntryStatus.draft)
    with pytest.raises(NotFound):
        backing.pledge(session, viewer=w.zhang, entry_id=draft.id, kind="money", amount_fen=1_00, now=w.now)
    assert count(session, Pledge) == 0


@pytest.mark.parametrize("offer, field", [
    ({"amount_fen": 0}, "amount"), ({"amount_fen": -5}, "amount"), ({"amount_fen": rules.PLEDGE_MAX_FEN + 1}, "amount"),
    ({"kind": "hours", "hours": 0}, "hours"), ({"kind": "materials", "material_need_id": None, "quantity": 1}, "need"),
    ({"kind": "materials", "quantity": 0}, "quantity"), ({"kind": "flowers"}, "kind"),
    ({"amount_fen": 1, "note": "很" * 201}, "note"),
])
def test_bad_amounts_are_refused(session, w, offer, field):
    if offer.get("kind") == "materials" and "material_need_id" not in offer:
        offer["material_need_id"] = w.soil.id
    with pytest.raises(InvalidInput) as caught:
        give(session, w, w.zhang, **offer)
    assert caught.value.field == field


def test_the_largest_pledge_is_accepted_and_a_need_of_another_entry_is_not(session, w):
    assert give(session, w, w.zhang, amount_fen=rules.PLEDGE_MAX_FEN).amount_fen == rules.PLEDGE_MAX_FEN
    other = add_entry(session, w, lead=w.zhang, title="别的项目")
    need = MaterialNeed(entry_id=other.id, item="砖", quantity=3)
    session.add(need)
    session.commit()
    with pytest.raises(InvalidInput):
        give(session, w, w.zhang, kind="materials", material_need_id=need.id, quantity=1)


@pytest.mark.parametrize("typed, expected", [
    ({"kind": "money", "amount": "12.50"}, {"kind": "money", "amount_fen": 12_50}),
    ({"kind": "money", "amount": "¥1,000"}, {"kind": "money", "amount_fen": 1000_00}),
    ({"kind": "hours", "hours": " 4 "}, {"kind": "hours", "hours": 4}),
    ({"kind": "materials", "need": "7", "quantity": "2"}, {"kind": "materials", "material_need_id": 7, "quantity": 2}),
])
def test_the_typed_form_is_read(typed, expected):
    assert backing.read_offer(**typed) == expected


@pytest.mark.parametrize("typed, field", [({"kind": "money", "amount": "12.345"}, "amount"),
                                          ({"kind": "money", "amount": "0"}, "amount"),
                                          ({"kind": "hours", "hours": "1.5"}, "hours"),
                                          ({"kind": "materials", "need": "", "quantity": "1"}, "need"),
                                          ({"kind": "", "amount": "1"}, "kind")])
def test_bad_typing_names_its_field(typed, field):
    with pytest.raises(InvalidInput) as caught:
        backing.read_offer(**typed)
    assert caught.value.field == field


# ---- cancelling ---------------------------------------------------------------------------------------

def test_a_backer_cancels_their_own_standing_pledge(session, w):
    mine = give(session, w, w.zhang, amount_fen=30_00)
    with pytest.raises(PermissionDenied):
        backing.cancel_pledge(session, viewer=w.li, pledge_id=mine.id, now=w.now)
    backing.cancel_pledge(session, viewer=w.zhang, pledge_id=mine.id, now=w.now)
    assert (mine.status, mine.cancelled_at) == (PledgeStatus.cancelled, w.now)
    with pytest.raises(Conflict, match="already been cancelled"):
        backing.cancel_pledge(session, viewer=w.zhang, pledge_id=mine.id, now=w.now)
    with pytest.raises(NotFound):
        backing.cancel_pledge(session, viewer=w.zhang, pledge_id=mine.id + 100, now=w.now)


@pytest.fixture
def with_second_backer(session, make_account, w):
    """A second resident off the team: 赵敏 of 2栋 201."""
    person = add_person(session, "赵敏")
    link(session, w.r.u201, person)
    session.commit()
    w.stranger_resident = viewer_of(make_account, "赵敏", person=person)
    return w


def _at_goal(session, w):
    """¥100 from two backers: exactly the goal."""
    return give(session, w, w.zhang, amount_fen=60_00), give(session, w, w.stranger_resident, amount_fen=40_00)


@pytest.mark.parametrize("offset, refused", [(timedelta(hours=24), True), (timedelta(hours=24) + SECOND, False),
                                             (SECOND, True)])
def test_in_the_last_24_hours_a_cancel_may_not_take_the_entry_below_its_goal(session, with_second_backer, offset,
                                                                            refused):
    w = with_second_backer
    mine, _theirs = _at_goal(session, w)
    now = w.closes - offset
    if refused:
        with pytest.raises(Conflict) as caught:
            backing.cancel_pledge(session, viewer=w.zhang, pledge_id=mine.id, now=now)
        text = str(caught.value)
        assert "¥100.00 pledged towards its goal of ¥100.00" in text and "without your ¥60.00" in text
        assert mine.status == PledgeStatus.standing
    else:
        backing.cancel_pledge(session, viewer=w.zhang, pledge_id=mine.id, now=now)
        assert mine.status == PledgeStatus.cancelled


def test_at_the_deadline_no_cancel_at_all(session, with_second_backer):
    w = with_second_backer
    mine, _theirs = _at_goal(session, w)
    with pytest.raises(Conflict, match="Backing has closed"):
        backing.cancel_pledge(session, viewer=w.zhang, pledge_id=mine.id, now=w.closes)


def test_in_the_last_day_a_cancel_that_keeps_the_goal_or_on_an_entry_below_it_stands(session, with_second_backer):
    w = with_second_backer
    mine, theirs = _at_goal(session, w)
    extra = give(session, w, w.zhang, amount_fen=10_00)
    last_day = w.closes - timedelta(hours=2)
    backing.cancel_pledge(session, viewer=w.zhang, pledge_id=extra.id, now=last_day)  # 110 → 100: still at goal
    with pytest.raises(Conflict):
        backing.cancel_pledge(session, viewer=w.zhang, pledge_id=mine.id, now=last_day)
    w.entry.money_goal_fen = 200_00  # now below its goal anyway: a cancel takes nothing from it
    session.commit()
    backing.cancel_pledge(session, viewer=w.zhang, pledge_id=mine.id, now=last_day)
    assert theirs.status == PledgeStatus.standing


def test_the_rule_counts_hours_and_each_material_against_their_own_goals(session, w):
    hours = give(session, w, w.zhang, kind="hours", hours=10)
    soil = give(session, w, w.zhang, kind="materials", material_need_id=w.soil.id, quantity=5)
    money = give(session, w, w.zhang, amount_fen=5_00)  # far below the money goal
    last_day = w.closes - timedelta(hours=1)
    with pytest.raises(Conflict, match="volunteer hours pledged towards its goal of 10"):
        backing.cancel_pledge(session, viewer=w.zhang, pledge_id=hours.id, now=last_day)
    with pytest.raises(Conflict, match="has 5 of the 5 袋 of “土”"):
        backing.cancel_pledge(session, viewer=w.zhang, pledge_id=soil.id, now=last_day)
    backing.cancel_pledge(session, viewer=w.zhang, pledge_id=money.id, now=last_day)


def test_two_cancels_at_once_cannot_both_pass_the_check(session, engine, make_account, with_second_backer):
    """¥150 standing on a ¥100 goal in the last day: either cancel of ¥50 alone keeps the goal, both do not.
    The entry row is locked, so the second cancel sees the first and is refused. SQLite: BEGIN IMMEDIATE."""
    w = with_second_backer
    a = give(session, w, w.zhang, amount_fen=50_00)
    b = give(session, w, w.stranger_resident, amount_fen=50_00)
    # A third ¥50, written directly: every resident of the register has pledged or is on the team.
    session.add(Pledge(entry_id=w.entry.id, account_id=w.staff.account_id, kind="money", amount_fen=50_00,
                       created_at=w.now))
    session.commit()
    last_day = w.closes - timedelta(hours=3)
    start, done, refused, errors = threading.Barrier(2), [], [], []

    def cancel(viewer, pledge_id):
        try:
            start.wait()
            with session_scope(engine) as s:
                done.append(backing.cancel_pledge(s, viewer=viewer, pledge_id=pledge_id, now=last_day).id)
        except Conflict as exc:
            refused.append(exc)
        except Exception as exc:  # noqa: BLE001 - every cancel must get an answer
            errors.append(exc)

    threads = [threading.Thread(target=cancel, args=args) for args in ((w.zhang, a.id), (w.stranger_resident, b.id))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(done) == 1 and len(refused) == 1
    session.rollback()
    session.expire_all()
    assert progress.entry_progress(session, [w.entry.id])[w.entry.id].money_fen == 100_00


# ---- settling -------------------------------------------------------------------------------------------

@pytest.fixture
def settled_world(session, make_account):
    """Backing open; e_at reaches its ¥100 goal exactly, e_below is one fen short; 张伟 backs both twice."""
    w = build_contest_world(session, make_account, phase=Phase.backing)
    w.at = add_entry(session, w, lead=w.li, title="刚好", money_goal_fen=100_00)
    w.below = add_entry(session, w, lead=w.li, title="差一分", money_goal_fen=100_00)
    w.free = add_entry(session, w, lead=w.li, title="不要钱", money_goal_fen=0)
    w.rejected = add_entry(session, w, lead=w.li, title="被拒", status=EntryStatus.rejected)
    for entry, fen in ((w.at, 60_00), (w.at, 40_00), (w.below, 60_00), (w.below, 39_99)):
        backing.pledge(session, viewer=w.zhang, entry_id=entry.id, kind="money", amount_fen=fen, now=w.now)
    backing.pledge(session, viewer=w.wang, entry_id=w.below.id, kind="hours", hours=2, now=w.now)
    session.commit()
    w.closes = w.contest.backing_closes_at
    return w


def test_nothing_is_settled_before_the_deadline(session, settled_world):
    w = settled_world
    assert backing.settle_backing(session, contest_id=w.contest.id, now=w.closes - SECOND) == 0
    assert w.contest.backing_settled_at is None and w.at.funding == Funding.pending


def test_all_or_nothing_at_exactly_the_goal_and_one_fen_below(session, settled_world):
    w = settled_world
    assert backing.settle_backing(session, contest_id=w.contest.id, now=w.closes) == 3
    session.commit()
    assert (w.at.funding, w.below.funding, w.free.funding, w.rejected.funding) == (
        Funding.funded, Funding.released, Funding.funded, Funding.pending)
    statuses = session.execute(select(Pledge.entry_id, Pledge.status, Pledge.released_at)).all()
    assert {(e, s) for e, s, _r in statuses} == {(w.at.id, "standing"), (w.below.id, "released")}
    assert all(r == w.closes for e, _s, r in statuses if e == w.below.id)
    assert w.contest.backing_settled_at == w.closes
    told = session.execute(select(Notification.account_id, Notification.subject)).all()
    # 张伟 backed the missed entry twice and 王芳 once: each told once, in their own words.
    assert sorted(a for a, _s in told) == sorted([w.zhang.account_id, w.wang.account_id])
    assert all("“差一分” did not reach its money goal" in s and "released" in s for _a, s in told)


def test_settling_is_idempotent(session, settled_world):
    w = settled_world
    backing.settle_backing(session, contest_id=w.contest.id, now=w.closes)
    session.commit()
    assert backing.settle_backing(session, contest_id=w.contest.id, now=w.closes + timedelta(days=1)) == 0
    assert count(session, Notification) == 2
    assert count(session, AuditEvent, AuditEvent.action == "contest.backing_settled") == 1


def test_the_due_job_settles_each_contest_once(session, engine, settled_world):
    w = settled_world
    assert backing.settle_due(engine, None, w.closes - SECOND) == 0
    assert backing.settle_due(engine, None, w.closes + SECOND) == 3
    assert backing.settle_due(engine, None, w.closes + 2 * SECOND) == 0
    session.rollback()
    session.expire_all()
    assert session.get(Contest, w.contest.id).backing_settled_at == w.closes + SECOND


def test_a_use_case_after_the_deadline_settles_first(session, settled_world):
    w = settled_world
    mine = session.execute(select(Pledge).where(Pledge.entry_id == w.below.id)).scalars().first()
    with pytest.raises(Conflict, match="released"):
        backing.cancel_pledge(session, viewer=w.zhang, pledge_id=mine.id, now=w.closes + SECOND)
    assert w.contest.backing_settled_at == w.closes + SECOND


# ---- progress, support, contributions ------------------------------------------------------------------------

def test_progress_support_and_contributions_count_standing_pledges_only(session, settled_world):
    w = settled_world
    cancelled = backing.pledge(session, viewer=w.wang, entry_id=w.at.id, kind="money", amount_fen=7_00, now=w.now)
    backing.cancel_pledge(session, viewer=w.wang, pledge_id=cancelled.id, now=w.now)
    found = progress.entry_progress(session, [w.at.id, w.below.id, w.free.id])
    assert [(found[e.id].money_fen, found[e.id].backers, found[e.id].reached) for e in (w.at, w.below, w.free)] == [
        (100_00, 1, True), (99_99, 2, False), (0, 0, True)]
    assert found[w.below.id].money_percent == 99  # never rounded up to 100
    assert progress.support(session, w.contest.id) == {w.at.id: 1, w.below.id: 2, w.free.id: 0}
    assert progress.contributions(session, w.contest.id, [w.at.id, w.below.id]) == [
        (w.at.id, w.zhang.account_id, 60_00), (w.at.id, w.zhang.account_id, 40_00),
        (w.below.id, w.zhang.account_id, 60_00), (w.below.id, w.zhang.account_id, 39_99)]
    assert progress.contributions(session, w.contest.id, []) == [] and progress.entry_progress(session, []) == {}
    backing.settle_backing(session, contest_id=w.contest.id, now=w.closes)
    assert progress.support(session, w.contest.id) == {w.at.id: 1, w.below.id: 0, w.free.id: 0}


def test_progress_takes_two_queries_for_any_number_of_entries(session, settled_world):
    w = settled_world
    many = [add_entry(session, w, lead=w.li, title=f"项目{n}") for n in range(30)]
    for entry in many:
        session.add(MaterialNeed(entry_id=entry.id, item="砖", quantity=10))
    session.commit()
    ids, at = [e.id for e in many], w.at.id
    with selects(session) as seen:
        found = progress.entry_progress(session, [*ids, at])
    assert len(seen) == 2 and len(found) == 31 and all(len(found[i].materials) == 1 for i in ids)


# ---- the treasurer and the ledger ---------------------------------------------------------------------------

def test_the_treasurer_confirms_money_of_funded_entries_once(session, settled_world):
    w = settled_world
    after = w.closes + timedelta(hours=1)
    at_pledge, below_pledge = (session.execute(select(Pledge.id).where(Pledge.entry_id == e.id)
                                               .order_by(Pledge.id)).scalars().first() for e in (w.at, w.below))
    with pytest.raises(Conflict):  # still backing
        ledger.confirm_money(session, viewer=w.treasurer, pledge_id=at_pledge, now=w.now)
    with pytest.raises(PermissionDenied):
        ledger.confirm_money(session, viewer=w.zhang, pledge_id=at_pledge, now=after)
    row = ledger.confirm_money(session, viewer=w.treasurer, pledge_id=at_pledge, now=after)
    assert (row.confirmed_at, row.confirmed_by) == (after, w.treasurer.account_id)
    with pytest.raises(Conflict, match="already been confirmed"):
        ledger.confirm_money(session, viewer=w.staff, pledge_id=at_pledge, now=after)
    with pytest.raises(Conflict):  # released: the entry missed its goal
        ledger.confirm_money(session, viewer=w.treasurer, pledge_id=below_pledge, now=after)
    assert count(session, AuditEvent, AuditEvent.action == "contest.money_confirmed") == 1
    rows, totals = ledger.ledger_rows(session, w.contest.id)
    by_title = {r.title: (r.pledged_fen, r.confirmed_fen, r.awaiting_fen, r.released_fen) for r in rows}
    assert by_title == {"刚好": (100_00, 60_00, 40_00, 0), "差一分": (99_99, 0, 0, 99_99), "不要钱": (0, 0, 0, 0)}
    assert (totals.pledged_fen, totals.confirmed_fen, totals.awaiting_fen, totals.released_fen) == (
        199_99, 60_00, 40_00, 99_99)
    assert totals.pledged_fen == totals.confirmed_fen + totals.awaiting_fen + totals.released_fen
    text = ledger.ledger_csv(session, viewer=w.treasurer, contest_id=w.contest.id, now=after)
    assert text.splitlines()[0] == ",".join(ledger.CSV_HEADER)
    assert f"{w.at.id},刚好,accepted,funded,100.00,100.00,60.00,40.00,0.00,0.00,0,0,1" in text
    with pytest.raises(PermissionDenied):
        ledger.ledger_csv(session, viewer=w.zhang, contest_id=w.contest.id, now=after)


def test_hours_are_not_confirmed(session, settled_world):
    w = settled_world
    free_hours = backing.pledge(session, viewer=w.zhang, entry_id=w.free.id, kind="hours", hours=1, now=w.now)
    with pytest.raises(Conflict, match="Only money pledges"):
        ledger.confirm_money(session, viewer=w.treasurer, pledge_id=free_hours.id, now=w.closes)


# ---- updates and comments ---------------------------------------------------------------------------------

def test_the_team_posts_updates_and_its_backers_are_told(session, w):
    give(session, w, w.zhang, amount_fen=5_00)
    give(session, w, w.zhang, amount_fen=5_00)
    update = discussion.post_update(session, viewer=w.wang, entry_id=w.entry.id, body="**已买好花盆**", now=w.now)
    assert update.body == "**已买好花盆**"
    told = session.execute(select(Notification.account_id)).scalars().all()
    assert told == [w.zhang.account_id]
    with pytest.raises(PermissionDenied):
        discussion.post_update(session, viewer=w.zhang, entry_id=w.entry.id, body="不是我的", now=w.now)
    with pytest.raises(InvalidInput):
        discussion.post_update(session, viewer=w.li, entry_id=w.entry.id, body="  ", now=w.now)


def test_comments_and_moderation(session, w):
    comment = discussion.add_comment(session, viewer=w.stranger, entry_id=w.entry.id, body="好主意", now=w.now)
    with pytest.raises(PermissionDenied):
        discussion.add_comment(session, viewer=w.anonymous, entry_id=w.entry.id, body="匿名", now=w.now)
    with pytest.raises(PermissionDenied):
        discussion.hide_comment(session, viewer=w.zhang, comment_id=comment.id, reason="广告", now=w.now)
    with pytest.raises(InvalidInput):
        discussion.hide_comment(session, viewer=w.staff, comment_id=comment.id, reason="", now=w.now)
    discussion.hide_comment(session, viewer=w.staff, comment_id=comment.id, reason="广告", now=w.now)
    assert (comment.hidden_reason, comment.hidden_by) == ("广告", w.staff.account_id)
    assert "hidden by a moderator: 广告" in session.execute(select(Notification.subject)).scalar_one()
    with pytest.raises(Conflict):
        discussion.hide_comment(session, viewer=w.staff, comment_id=comment.id, reason="再藏", now=w.now)
    discussion.restore_comment(session, viewer=w.staff, comment_id=comment.id, now=w.now)
    assert comment.hidden_at is None
    draft = add_entry(session, w, lead=w.li, status=EntryStatus.draft)
    with pytest.raises(NotFound):
        discussion.add_comment(session, viewer=w.stranger, entry_id=draft.id, body="?", now=w.now)
    with pytest.raises(Conflict):  # the team sees its draft, but nobody comments on it yet
        discussion.add_comment(session, viewer=w.li, entry_id=draft.id, body="?", now=w.now)
    assert count(session, EntryComment) == 1
