"""Entries: a resident starts one (typed input checked all at once: yuan, a map point, a place under the
contest's, budget lines and material needs), its team edits, submits and withdraws it until the deadline,
the lead manages the team, staff screen it; and who may see an entry in which status."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from civic.audit import AuditEvent
from civic.auth.models import Account
from civic.contests import entries, entry_queries, entry_team, rules
from civic.contests.entry_input import EntryForm, InvalidEntry, read_entry
from civic.contests.models import BudgetLine, ContestEntry, EntryMember, EntryStatus, MaterialNeed, Phase
from civic.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from civic.notifications import Notification
from tests.unit.contests.builders import add_entry, build_contest_world

FORM = EntryForm(title="楼道微花园", summary="把1栋楼道变成花园", beneficiaries="1栋的老人和孩子", plan="1. 清理\n2. 种花",
                 money_goal="1,200.50", hours_goal="40", latitude="30.5434", longitude="114.3416",
                 budget=[("花盆", "300"), ("土和种子", "450.5"), ("", "")],
                 materials=[("花盆", "20", "个"), ("", "", "")])


@pytest.fixture
def w(session, make_account):
    return build_contest_world(session, make_account, phase=Phase.submission)


def count(session, model) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def create(session, w, viewer=None, **changes):
    form = EntryForm(**{**FORM.__dict__, **changes})
    return entries.create_entry(session, viewer=viewer or w.zhang, contest_id=w.contest.id, form=form, now=w.now)


# ---- reading the form -----------------------------------------------------------------------------------

def test_the_form_is_read_into_fen_degrees_and_rows():
    fields = read_entry(FORM)
    assert (fields.money_goal_fen, fields.hours_goal, fields.latitude, fields.longitude) == (120050, 40, 30.5434, 114.3416)
    assert fields.budget == [("花盆", 300_00), ("土和种子", 450_50)] and fields.budget_total_fen == 750_50
    assert fields.materials == [("花盆", 20, "个")]
    empty = read_entry(EntryForm(title="只有标题"))
    assert (empty.money_goal_fen, empty.hours_goal, empty.latitude, empty.place_id) == (0, 0, None, None)


def test_every_problem_of_the_form_is_reported_at_once():
    bad = EntryForm(title="", money_goal="lots", hours_goal="-3", latitude="91", longitude="",
                    budget=[("", "100"), ("砖", "abc")], materials=[("花盆", "0", "个")], place="x")
    with pytest.raises(InvalidEntry) as caught:
        read_entry(bad)
    fields = [p.field for p in caught.value.problems]
    assert fields == ["title", "place", "latitude", "longitude", "money_goal", "hours_goal", "budget", "budget",
                      "materials"]
    assert caught.value.field == "title"


@pytest.mark.parametrize("lat, lon, ok", [("90", "180", True), ("-90", "-180", True), ("90.0001", "0", False),
                                          ("0", "180.5", False), ("30.5", "", False), ("", "114.3", False),
                                          ("", "", True), ("３０.５", "１１４.３", True), ("1e3", "2", False)])
def test_a_map_point_has_both_coordinates_in_range_or_none(lat, lon, ok):
    if ok:
        read_entry(EntryForm(title="t", latitude=lat, longitude=lon))
    else:
        with pytest.raises(InvalidEntry):
            read_entry(EntryForm(title="t", latitude=lat, longitude=lon))


# ---- creating ----------------------------------------------------------------------------------------

def test_a_resident_starts_a_draft_and_leads_its_team(session, w):
    entry = create(session, w, place=str(w.r.compound.id))
    session.commit()
    assert (entry.status, entry.money_goal_fen, entry.hours_goal, entry.place_id) == (
        EntryStatus.draft, 120050, 40, w.r.compound.id)
    members = session.execute(select(EntryMember.account_id, EntryMember.is_lead)
                              .where(EntryMember.entry_id == entry.id)).all()
    assert members == [(w.zhang.account_id, True)]
    lines = session.execute(select(BudgetLine.item, BudgetLine.amount_fen).where(BudgetLine.entry_id == entry.id)
                            .order_by(BudgetLine.position)).all()
    assert lines == [("花盆", 300_00), ("土和种子", 450_50)]
    assert session.execute(select(MaterialNeed.item, MaterialNeed.quantity, MaterialNeed.unit)).all() == [("花盆", 20, "个")]
    assert session.execute(select(AuditEvent.action).where(AuditEvent.action == "contest.entry_created")).scalar()


def test_only_residents_start_entries_and_only_while_submissions_are_open(session, make_account, w):
    for viewer in (w.stranger, w.staff, w.judge):
        with pytest.raises(PermissionDenied):
            create(session, w, viewer=viewer)
    with pytest.raises(Conflict):
        entries.create_entry(session, viewer=w.zhang, contest_id=w.contest.id, form=FORM,
                             now=w.contest.submission_closes_at)
    assert count(session, ContestEntry) == 0


def test_the_place_must_be_under_the_contests_and_not_a_building(session, w):
    for place in (w.r.other_compound, w.r.community, w.r.building):
        with pytest.raises(InvalidInput) as caught:
            create(session, w, place=str(place.id))
        assert caught.value.field == "place"
    choices = entry_queries.place_choices(session, w.r.community)
    assert choices == [(w.r.compound.id, "南苑村小区")]


def test_bad_input_writes_nothing(session, w):
    with pytest.raises(InvalidEntry):
        create(session, w, title="", money_goal="x")
    session.rollback()
    assert count(session, ContestEntry) == count(session, BudgetLine) == 0


# ---- who sees an entry --------------------------------------------------------------------------------------

@pytest.mark.parametrize("status, roles, phase, seen", [
    (EntryStatus.draft, {rules.TEAM}, Phase.submission, True),
    (EntryStatus.draft, {rules.STAFF}, Phase.submission, False),
    (EntryStatus.draft, set(), Phase.results, False),
    (EntryStatus.submitted, set(), Phase.submission, True),
    (EntryStatus.rejected, set(), Phase.backing, True),
    (EntryStatus.withdrawn, set(), Phase.judging, True),
    (EntryStatus.accepted, set(), Phase.draft, False),
    (EntryStatus.accepted, {rules.STAFF}, Phase.draft, True),
])
def test_the_visibility_predicate(status, roles, phase, seen):
    assert entry_queries.can_see_entry(status=status, phase=phase, roles=roles) is seen


def test_a_draft_exists_only_for_its_team(session, w):
    entry = add_entry(session, w, lead=w.zhang, status=EntryStatus.draft, members=(w.li,))
    for viewer in (w.zhang, w.li):
        assert entry_queries.visible_entry(session, viewer=viewer, entry_id=entry.id, now=w.now).entry.id == entry.id
    for viewer in (w.staff, w.wang, w.anonymous):
        with pytest.raises(NotFound):
            entry_queries.visible_entry(session, viewer=viewer, entry_id=entry.id, now=w.now)
    entry.status = EntryStatus.submitted
    session.commit()
    assert entry_queries.visible_entry(session, viewer=w.anonymous, entry_id=entry.id, now=w.now)


# ---- editing, submitting, withdrawing ------------------------------------------------------------------

def test_the_team_edits_its_entry_until_the_deadline(session, w):
    entry = create(session, w)
    entries.edit_entry(session, viewer=w.zhang, entry_id=entry.id, now=w.now,
                       form=EntryForm(title="新标题", money_goal="10", budget=[("砖", "5")]))
    session.commit()
    assert (entry.title, entry.money_goal_fen, entry.latitude) == ("新标题", 10_00, None)
    assert session.execute(select(BudgetLine.item)).scalars().all() == ["砖"] and count(session, MaterialNeed) == 0
    submitted = add_entry(session, w, lead=w.wang, status=EntryStatus.submitted)
    with pytest.raises(PermissionDenied):  # public, but not theirs
        entries.edit_entry(session, viewer=w.li, entry_id=submitted.id, form=FORM, now=w.now)
    with pytest.raises(Conflict):
        entries.edit_entry(session, viewer=w.zhang, entry_id=entry.id, form=FORM, now=w.contest.submission_closes_at)


def test_a_draft_is_invisible_to_others_even_when_they_try_to_change_it(session, w):
    entry = create(session, w)
    with pytest.raises(NotFound):
        entries.edit_entry(session, viewer=w.li, entry_id=entry.id, form=FORM, now=w.now)
    with pytest.raises(NotFound):
        entries.submit_entry(session, viewer=w.staff, entry_id=entry.id, now=w.now)


def test_submitting_needs_a_summary_and_a_plan_and_happens_once(session, w):
    entry = create(session, w, summary="", plan="")
    with pytest.raises(InvalidInput) as caught:
        entries.submit_entry(session, viewer=w.zhang, entry_id=entry.id, now=w.now)
    assert caught.value.field == "summary"
    entries.edit_entry(session, viewer=w.zhang, entry_id=entry.id, form=FORM, now=w.now)
    entries.submit_entry(session, viewer=w.zhang, entry_id=entry.id, now=w.now)
    assert (entry.status, entry.submitted_at) == (EntryStatus.submitted, w.now)
    with pytest.raises(Conflict):
        entries.submit_entry(session, viewer=w.zhang, entry_id=entry.id, now=w.now)
    # Still the team's to change until the deadline:
    entries.edit_entry(session, viewer=w.zhang, entry_id=entry.id, form=EntryForm(**{**FORM.__dict__, "title": "改"}),
                       now=w.now)
    assert entry.status == EntryStatus.submitted and entry.title == "改"


def test_withdrawing_a_submitted_entry_before_the_deadline(session, w):
    entry = add_entry(session, w, lead=w.zhang, status=EntryStatus.submitted, members=(w.li,))
    with pytest.raises(PermissionDenied):
        entries.withdraw_entry(session, viewer=w.wang, entry_id=entry.id, now=w.now)
    with pytest.raises(Conflict):
        entries.withdraw_entry(session, viewer=w.zhang, entry_id=entry.id, now=w.contest.submission_closes_at)
    entries.withdraw_entry(session, viewer=w.zhang, entry_id=entry.id, now=w.now)
    assert entry.status == EntryStatus.withdrawn
    told = session.execute(select(Notification.account_id, Notification.subject)).all()
    assert [a for a, _s in told] == [w.li.account_id] and "withdrawn" in told[0][1]
    with pytest.raises(Conflict):
        entries.edit_entry(session, viewer=w.zhang, entry_id=entry.id, form=FORM, now=w.now)
    draft = add_entry(session, w, lead=w.zhang, status=EntryStatus.draft)
    with pytest.raises(Conflict):
        entries.withdraw_entry(session, viewer=w.zhang, entry_id=draft.id, now=w.now)


# ---- the team -------------------------------------------------------------------------------------------

def test_the_lead_adds_members_by_email_or_phone_and_removes_them(session, w):
    entry = create(session, w)
    li = session.get(Account, w.li.account_id)
    li.phone = "+8613900000002"
    session.commit()
    member = entry_team.add_member(session, viewer=w.zhang, entry_id=entry.id, contact="139 0000 0002", now=w.now)
    assert member.account_id == w.li.account_id
    wang = session.get(Account, w.wang.account_id)
    entry_team.add_member(session, viewer=w.zhang, entry_id=entry.id, contact=wang.email.upper(), now=w.now)
    told = session.execute(select(Notification.account_id)).scalars().all()
    assert told == [w.li.account_id, w.wang.account_id]
    with pytest.raises(InvalidInput, match="already on the team"):
        entry_team.add_member(session, viewer=w.zhang, entry_id=entry.id, contact=wang.email, now=w.now)
    with pytest.raises(InvalidInput) as caught:
        entry_team.add_member(session, viewer=w.zhang, entry_id=entry.id, contact="nobody@example.test", now=w.now)
    assert caught.value.field == "contact"
    with pytest.raises(PermissionDenied):  # a member, not the lead
        entry_team.add_member(session, viewer=w.li, entry_id=entry.id, contact="x@example.test", now=w.now)
    lead = session.execute(select(EntryMember).where(EntryMember.is_lead)).scalar_one()
    with pytest.raises(Conflict):
        entry_team.remove_member(session, viewer=w.zhang, member_id=lead.id, now=w.now)
    entry_team.remove_member(session, viewer=w.zhang, member_id=member.id, now=w.now)
    assert session.execute(select(EntryMember.account_id).where(EntryMember.entry_id == entry.id)
                           .order_by(EntryMember.id)).scalars().all() == [w.zhang.account_id, w.wang.account_id]


# ---- screening ------------------------------------------------------------------------------------------

@pytest.fixture
def screening(session, make_account):
    w = build_contest_world(session, make_account, phase=Phase.screening)
    w.entry = add_entry(session, w, lead=w.zhang, status=EntryStatus.submitted, members=(w.li,))
    return w


def test_staff_accept_or_reject_with_a_public_reason_and_the_team_is_told(session, screening):
    w = screening
    with pytest.raises(InvalidInput) as caught:
        entries.screen_entry(session, viewer=w.staff, entry_id=w.entry.id, decision="reject", reason=" ", now=w.now)
    assert caught.value.field == "reason"
    entries.screen_entry(session, viewer=w.staff, entry_id=w.entry.id, decision="reject", reason="不在本社区",
                         now=w.now)
    assert (w.entry.status, w.entry.screening_reason, w.entry.screened_by) == (
        EntryStatus.rejected, "不在本社区", w.staff.account_id)
    told = session.execute(select(Notification.account_id, Notification.subject)).all()
    assert {a for a, _s in told} == {w.zhang.account_id, w.li.account_id} and "不在本社区" in told[0][1]
    # A decision may be changed while screening is open.
    entries.screen_entry(session, viewer=w.staff, entry_id=w.entry.id, decision="accept", reason="", now=w.now)
    assert w.entry.status == EntryStatus.accepted
    with pytest.raises(Conflict):
        entries.screen_entry(session, viewer=w.staff, entry_id=w.entry.id, decision="accept", reason="", now=w.now)


def test_only_staff_screen_only_during_screening_and_never_drafts(session, screening):
    w = screening
    for viewer in (w.zhang, w.other_staff, w.treasurer):
        with pytest.raises(PermissionDenied):
            entries.screen_entry(session, viewer=viewer, entry_id=w.entry.id, decision="accept", reason="", now=w.now)
    with pytest.raises(Conflict):
        entries.screen_entry(session, viewer=w.staff, entry_id=w.entry.id, decision="accept", reason="",
                             now=w.contest.backing_opens_at)
    draft = add_entry(session, w, lead=w.wang, status=EntryStatus.draft)
    with pytest.raises(NotFound):
        entries.screen_entry(session, viewer=w.staff, entry_id=draft.id, decision="accept", reason="", now=w.now)
    with pytest.raises(InvalidInput):
        entries.screen_entry(session, viewer=w.staff, entry_id=w.entry.id, decision="maybe", reason="", now=w.now)
    page = entry_queries.screening_page(session, viewer=w.staff, contest_id=w.contest.id, now=w.now)
    assert [e.id for e in page.entries] == [w.entry.id] and page.waiting == 1
    with pytest.raises(PermissionDenied):
        entry_queries.screening_page(session, viewer=w.zhang, contest_id=w.contest.id, now=w.now)
