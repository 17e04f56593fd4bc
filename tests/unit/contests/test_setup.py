"""Setting a contest up: creating it, the declared rules' checks, dates that cannot move, the rubric,
appointing judges and treasurers, publishing, and who may do each."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from civic.auth.models import Role, RoleGrant, ScopeType
from civic.contests import setup
from civic.contests.models import Contest, ContestStatus, Phase, RubricCriterion, RubricLevel, ScoreSheet
from civic.contests.setup import ContestSetup, CriterionInput
from civic.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from civic.notifications import Notification
from tests.unit.contests.builders import DAY, NOW, add_entry, build_contest_world, phase_dates


def declared(**changes) -> ContestSetup:
    base = ContestSetup(title="了不起的居民", description="志愿服务项目", prize_pool_fen=100_000_00, advance_count=20,
                        winner_count=5, **phase_dates(Phase.upcoming, NOW), jury_weight=70, support_weight=30,
                        matching_cap_percent=10)
    return replace(base, **changes)


LEVELS = [(5, "显著"), (3, "一般"), (1, "较弱")]


@pytest.fixture
def world(session, make_account):
    return build_contest_world(session, make_account, phase=Phase.draft)


def test_staff_create_a_draft_contest_with_its_declared_rules(session, world):
    contest = setup.create_contest(session, viewer=world.staff, place_id=world.r.community.id, setup=declared(),
                                   now=NOW)
    session.commit()
    row = session.get(Contest, contest.id)
    assert (row.status, row.prize_pool_fen, row.jury_weight, row.support_weight) == (ContestStatus.draft, 100_000_00, 70, 30)
    assert row.created_by == world.staff.account_id


@pytest.mark.parametrize("who", ["other_staff", "zhang", "judge", "stranger"])
def test_only_staff_of_the_place_create_a_contest_there(session, world, who):
    with pytest.raises(PermissionDenied):
        setup.create_contest(session, viewer=getattr(world, who), place_id=world.r.community.id, setup=declared(),
                             now=NOW)


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": "  "}, "title"),
    ({"title": "长" * 201}, "title"),
    ({"prize_pool_fen": -1}, "prize_pool"),
    ({"advance_count": 0}, "advance_count"),
    ({"winner_count": 21}, "winner_count"),
    ({"jury_weight": 70, "support_weight": 20}, "jury_weight"),
    ({"jury_weight": 110, "support_weight": -10}, "jury_weight"),
    ({"normalize": "rank"}, "normalize"),
    ({"tie_rule": "coin"}, "tie_rule"),
    ({"matching_method": "lottery"}, "matching_method"),
    ({"matching_cap_percent": 0}, "matching_cap_percent"),
    ({"matching_cap_percent": 101}, "matching_cap_percent"),
    ({"submission_closes_at": NOW - 100 * DAY}, "submission_closes_at"),
    ({"backing_opens_at": NOW + 10 * DAY}, "backing_opens_at"),  # before the submission deadline
    ({"judging_closes_at": NOW}, "judging_closes_at"),
])
def test_bad_declarations_name_their_field_and_write_nothing(session, world, changes, field):
    with pytest.raises(InvalidInput) as refused:
        setup.create_contest(session, viewer=world.staff, place_id=world.r.community.id, setup=declared(**changes),
                             now=NOW)
    assert refused.value.field == field
    session.rollback()
    assert session.execute(select(Contest).where(Contest.title == "了不起的居民")).first() is None


def test_a_contest_is_run_by_a_district_street_community_or_compound_only(session, world):
    with pytest.raises(InvalidInput) as refused:
        setup.create_contest(session, viewer=world.staff, place_id=world.r.building.id, setup=declared(), now=NOW)
    assert refused.value.field == "place"


def test_the_rules_freeze_when_judging_opens(session, make_account):
    w = build_contest_world(session, make_account, phase=Phase.judging)
    with pytest.raises(Conflict):
        setup.update_contest(session, viewer=w.staff, contest_id=w.contest.id, setup=declared(), now=NOW)
    with pytest.raises(Conflict):
        setup.set_rubric(session, viewer=w.staff, contest_id=w.contest.id,
                         criteria=[CriterionInput("影响力", 1, levels=LEVELS)], now=NOW)


def test_a_published_contest_keeps_the_boundaries_already_passed(session, make_account):
    w = build_contest_world(session, make_account, phase=Phase.backing)
    dates = phase_dates(Phase.backing, NOW)
    keep = declared(**dates)
    setup.update_contest(session, viewer=w.staff, contest_id=w.contest.id, now=NOW,
                         setup=replace(keep, backing_closes_at=dates["backing_closes_at"] + DAY,
                                       judging_closes_at=dates["judging_closes_at"] + DAY))
    session.commit()
    assert session.get(Contest, w.contest.id).backing_closes_at == dates["backing_closes_at"] + DAY
    for name, moved in (("backing_opens_at", dates["backing_opens_at"] + timedelta(hours=1)),  # passed
                        ("backing_closes_at", NOW - timedelta(minutes=1))):  # into the past
        with pytest.raises(InvalidInput) as refused:
            setup.update_contest(session, viewer=w.staff, contest_id=w.contest.id, now=NOW,
                                 setup=replace(keep, **{name: moved}))
        assert refused.value.field == name
        session.rollback()


def test_the_rubric_is_replaced_as_a_whole(session, world):
    criteria = [CriterionInput("影响力", 40, "受益面", LEVELS), CriterionInput("可行性", 60, levels=[(2, "可行"), (0, "不可行")])]
    setup.set_rubric(session, viewer=world.staff, contest_id=world.contest.id, criteria=criteria, now=NOW)
    session.commit()
    rows = session.execute(select(RubricCriterion).where(RubricCriterion.contest_id == world.contest.id)
                           .order_by(RubricCriterion.position)).scalars().all()
    assert [(c.name, c.weight) for c in rows] == [("影响力", 40), ("可行性", 60)]
    levels = session.execute(select(RubricLevel.score).where(RubricLevel.criterion_id == rows[0].id)).scalars()
    assert sorted(levels) == [1, 3, 5]


@pytest.mark.parametrize("criteria", [
    [],
    [CriterionInput("", 10, levels=LEVELS)],
    [CriterionInput("影响力", 0, levels=LEVELS)],
    [CriterionInput("影响力", 10, levels=[(5, "只有一级")])],
    [CriterionInput("影响力", 10, levels=[(5, "a"), (5, "b")])],
    [CriterionInput("影响力", 10, levels=[(11, "a"), (5, "b")])],
    [CriterionInput("影响力", 10, levels=[(5, "a"), (4, " ")])],
    [CriterionInput(f"c{i}", 1, levels=LEVELS) for i in range(13)],
])
def test_a_bad_rubric_changes_nothing(session, world, criteria):
    before = session.execute(select(RubricCriterion.id).where(RubricCriterion.contest_id == world.contest.id)).all()
    with pytest.raises(InvalidInput):
        setup.set_rubric(session, viewer=world.staff, contest_id=world.contest.id, criteria=criteria, now=NOW)
    session.rollback()
    assert session.execute(select(RubricCriterion.id).where(RubricCriterion.contest_id == world.contest.id)).all() == before


def test_publishing_needs_a_rubric_and_judging_ahead(session, world):
    contest = setup.create_contest(session, viewer=world.staff, place_id=world.r.community.id, setup=declared(),
                                   now=NOW)
    session.commit()
    with pytest.raises(Conflict):
        setup.publish_contest(session, viewer=world.staff, contest_id=contest.id, now=NOW)
    session.rollback()
    setup.set_rubric(session, viewer=world.staff, contest_id=contest.id, now=NOW,
                     criteria=[CriterionInput("影响力", 1, levels=LEVELS)])
    with pytest.raises(NotFound):  # a draft does not exist for anyone but staff
        setup.publish_contest(session, viewer=world.zhang, contest_id=contest.id, now=NOW)
    setup.publish_contest(session, viewer=world.staff, contest_id=contest.id, now=NOW)
    session.commit()
    assert session.get(Contest, contest.id).status == ContestStatus.published
    with pytest.raises(Conflict):
        setup.publish_contest(session, viewer=world.staff, contest_id=contest.id, now=NOW)


def test_staff_appoint_judges_and_treasurers_by_contact_and_they_are_told(session, world, make_account):
    person = make_account("李评委", email="judge.li@example.test", locale="en")
    grant = setup.appoint_by_contact(session, viewer=world.staff, contest_id=world.contest.id,
                                     contact=" Judge.Li@Example.test ", role="judge", now=NOW)
    session.commit()
    assert (grant.account_id, grant.role, grant.scope_type, grant.scope_id) == (
        person.id, Role.judge, ScopeType.contest, world.contest.id)
    notice = session.execute(select(Notification).where(Notification.account_id == person.id)).scalar_one()
    assert "judge" in notice.subject
    with pytest.raises(Conflict):
        setup.appoint_by_contact(session, viewer=world.staff, contest_id=world.contest.id,
                                 contact="judge.li@example.test", role="judge", now=NOW)
    session.rollback()
    with pytest.raises(InvalidInput) as refused:
        setup.appoint_by_contact(session, viewer=world.staff, contest_id=world.contest.id,
                                 contact="nobody@example.test", role="treasurer", now=NOW)
    assert refused.value.field == "contact"
    with pytest.raises(NotFound):  # the permission first: a stranger learns nothing about accounts
        setup.appoint_by_contact(session, viewer=world.zhang, contest_id=world.contest.id,
                                 contact="nobody@example.test", role="judge", now=NOW)


def test_a_judge_who_scored_stays_on_the_jury(session, make_account):
    w = build_contest_world(session, make_account, phase=Phase.judging)
    grant_id = session.execute(select(RoleGrant.id).where(RoleGrant.account_id == w.judge.account_id)).scalar_one()
    treasurer_grant = session.execute(select(RoleGrant.id).where(
        RoleGrant.account_id == w.treasurer.account_id)).scalar_one()
    entry = add_entry(session, w, lead=w.zhang)
    session.add(ScoreSheet(contest_id=w.contest.id, entry_id=entry.id, judge_id=w.judge.account_id, total=10))
    session.commit()
    with pytest.raises(Conflict):
        setup.remove_appointment(session, viewer=w.staff, grant_id=grant_id, now=NOW)
    session.rollback()
    setup.remove_appointment(session, viewer=w.staff, grant_id=treasurer_grant, now=NOW)
    session.commit()
    assert session.get(RoleGrant, treasurer_grant) is None
    with pytest.raises(NotFound):
        setup.remove_appointment(session, viewer=w.staff, grant_id=treasurer_grant, now=NOW)
