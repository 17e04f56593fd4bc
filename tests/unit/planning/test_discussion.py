"""Around a proposal: support once per person (also when the same person supports twice at the same moment),
never one's own; following; comments with their count, hiding them; the status workflow with a public reason
to decline and every follower but the actor told; design themes."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from civic.audit import AuditEvent
from civic.db import session_scope
from civic.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from civic.notifications import Notification
from civic.planning import discussion, rules
from civic.planning.models import (
    Phase,
    PlanningComment,
    PlanningFollow,
    PlanningProject,
    PlanningProposal,
    PlanningStatusChange,
    PlanningSupport,
    PlanningTheme,
    ProposalStatus,
)
from tests.unit.planning.builders import add_proposal, build_planning_world


@pytest.fixture
def w(session, make_account):
    """Discovery; 李娜's proposal."""
    w = build_planning_world(session, make_account, phase=Phase.discovery)
    w.proposal = add_proposal(session, w, author=w.li)
    session.add(PlanningFollow(proposal_id=w.proposal.id, account_id=w.li.account_id))  # as create_proposal does
    session.commit()
    return w


def count(session, model, *where) -> int:
    return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def fresh(session, w) -> PlanningProposal:
    session.rollback()
    session.expire_all()
    return session.get(PlanningProposal, w.proposal.id)


def test_a_resident_supports_once_and_may_take_it_back(session, w):
    discussion.support(session, viewer=w.zhang, proposal_id=w.proposal.id, now=w.now)
    session.commit()
    assert fresh(session, w).support_count == 1
    assert count(session, PlanningFollow, PlanningFollow.account_id == w.zhang.account_id) == 1
    with pytest.raises(Conflict, match="already support"):
        discussion.support(session, viewer=w.zhang, proposal_id=w.proposal.id, now=w.now)
    assert fresh(session, w).support_count == 1
    discussion.support(session, viewer=w.wang, proposal_id=w.proposal.id, now=w.now)
    discussion.withdraw_support(session, viewer=w.zhang, proposal_id=w.proposal.id, now=w.now)
    session.commit()
    assert fresh(session, w).support_count == 1 and count(session, PlanningSupport) == 1
    with pytest.raises(Conflict, match="do not support"):
        discussion.withdraw_support(session, viewer=w.zhang, proposal_id=w.proposal.id, now=w.now)
    assert count(session, AuditEvent, AuditEvent.action == "planning.supported") == 2


def test_not_ones_own_not_without_living_there_not_after_feedback(session, w):
    with pytest.raises(PermissionDenied, match="your own proposal"):
        discussion.support(session, viewer=w.li, proposal_id=w.proposal.id, now=w.now)
    for viewer in (w.stranger, w.planner, w.staff, w.anonymous):
        with pytest.raises(PermissionDenied):
            discussion.support(session, viewer=viewer, proposal_id=w.proposal.id, now=w.now)
    with pytest.raises(Conflict):
        discussion.support(session, viewer=w.zhang, proposal_id=w.proposal.id, now=w.project.closes_at)
    assert fresh(session, w).support_count == 0 and count(session, PlanningSupport) == 0


def test_concurrent_supports_count_each_person_once(session, engine, w):
    """张伟 twice at the same moment and 王芳 once: two supports. The unique (proposal, account) refuses the
    second of 张伟's; the count is added in the database, so 王芳's is not lost either."""
    start, done, refused, errors = threading.Barrier(3), [], [], []

    def support(viewer):
        try:
            start.wait()
            with session_scope(engine) as s:
                done.append(discussion.support(s, viewer=viewer, proposal_id=w.proposal.id, now=w.now).id)
        except Conflict as exc:
            refused.append(exc)
        except Exception as exc:  # noqa: BLE001 - every support must get an answer
            errors.append(exc)

    threads = [threading.Thread(target=support, args=(viewer,)) for viewer in (w.zhang, w.zhang, w.wang)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(done) == 2 and len(refused) == 1
    assert fresh(session, w).support_count == 2 == count(session, PlanningSupport)


def test_following_is_for_anyone_signed_in_and_idempotent(session, w):
    for _ in range(2):
        discussion.follow(session, viewer=w.stranger, proposal_id=w.proposal.id, now=w.now)
    assert count(session, PlanningFollow, PlanningFollow.account_id == w.stranger.account_id) == 1
    discussion.unfollow(session, viewer=w.stranger, proposal_id=w.proposal.id, now=w.now)
    assert count(session, PlanningFollow, PlanningFollow.account_id == w.stranger.account_id) == 0
    with pytest.raises(PermissionDenied):
        discussion.follow(session, viewer=w.anonymous, proposal_id=w.proposal.id, now=w.now)


def test_comments_count_the_commenter_follows_and_the_author_is_told(session, w):
    made = discussion.comment(session, viewer=w.zhang, proposal_id=w.proposal.id, body="  同意，\r\n晚上很黑  ",
                              now=w.now)
    discussion.comment(session, viewer=w.li, proposal_id=w.proposal.id, body="谢谢", now=w.now)
    session.commit()
    assert made.body == "同意，\n晚上很黑" and fresh(session, w).comment_count == 2
    assert count(session, PlanningFollow, PlanningFollow.account_id == w.zhang.account_id) == 1
    told = session.execute(select(Notification.account_id, Notification.url)).all()
    assert told == [(w.li.account_id, f"/planning/proposals/{w.proposal.id}?page=last#comment-{made.id}")]  # not for her own
    for body, field in (("   ", "body"), ("很" * (rules.COMMENT_MAX + 1), "body")):
        with pytest.raises(InvalidInput) as caught:
            discussion.comment(session, viewer=w.zhang, proposal_id=w.proposal.id, body=body, now=w.now)
        assert caught.value.field == field
    with pytest.raises(PermissionDenied):
        discussion.comment(session, viewer=w.stranger, proposal_id=w.proposal.id, body="路过", now=w.now)


def test_a_moderator_hides_a_comment_once_and_the_count_follows(session, w):
    made = discussion.comment(session, viewer=w.zhang, proposal_id=w.proposal.id, body="广告", now=w.now)
    session.commit()
    for viewer in (w.zhang, w.li, w.other_staff):
        with pytest.raises(PermissionDenied):
            discussion.hide_comment(session, viewer=viewer, comment_id=made.id, now=w.now)
    discussion.hide_comment(session, viewer=w.planner, comment_id=made.id, now=w.now)
    session.commit()
    assert fresh(session, w).comment_count == 0
    row = session.get(PlanningComment, made.id)
    assert row.hidden_by == w.planner.account_id and row.hidden_at is not None
    with pytest.raises(Conflict):
        discussion.hide_comment(session, viewer=w.staff, comment_id=made.id, now=w.now)
    with pytest.raises(NotFound):
        discussion.hide_comment(session, viewer=w.staff, comment_id=made.id + 1000, now=w.now)


def test_the_status_workflow_with_a_public_reason_to_decline(session, w):
    def move(status, reason="", viewer=None):
        return discussion.set_status(session, viewer=viewer or w.planner, proposal_id=w.proposal.id,
                                     status=status, reason=reason, now=w.now)

    for status, field in (("built", "status"), ("finished", "status"), ("declined", "reason")):
        with pytest.raises(InvalidInput) as caught:
            move(status)
        assert caught.value.field == field
    for viewer in (w.li, w.zhang, w.stranger, w.other_staff):
        with pytest.raises(PermissionDenied):
            move("under_review", viewer=viewer)
    move("under_review")
    move("declined", "  不在本项目范围内 ", viewer=w.staff)
    session.commit()
    proposal = fresh(session, w)
    assert (proposal.status, proposal.status_reason) == (ProposalStatus.declined, "不在本项目范围内")
    steps = session.execute(select(PlanningStatusChange.from_status, PlanningStatusChange.to_status,
                                   PlanningStatusChange.changed_by).order_by(PlanningStatusChange.id)).all()
    assert steps == [("received", "under_review", w.planner.account_id),
                     ("under_review", "declined", w.staff.account_id)]
    move("under_review")  # reconsidered
    session.commit()
    assert rules.next_statuses(fresh(session, w).status) == ["received", "in_plan", "declined"]


def test_every_follower_but_the_one_who_moved_it_is_told(session, w):
    discussion.support(session, viewer=w.zhang, proposal_id=w.proposal.id, now=w.now)
    discussion.comment(session, viewer=w.wang, proposal_id=w.proposal.id, body="好", now=w.now)
    discussion.follow(session, viewer=w.planner, proposal_id=w.proposal.id, now=w.now)
    session.execute(Notification.__table__.delete())
    discussion.set_status(session, viewer=w.planner, proposal_id=w.proposal.id, status="declined",
                          reason="经费不足", now=w.now)
    session.commit()
    told = session.execute(select(Notification.account_id, Notification.subject)
                           .order_by(Notification.account_id)).all()
    assert sorted(a for a, _s in told) == sorted([w.li.account_id, w.zhang.account_id, w.wang.account_id])
    assert all(s == "“南门路灯太暗”, a proposal you follow, was declined: 经费不足" for _a, s in told)
    # A closed project: planners still move proposals on until they are built.
    discussion.set_status(session, viewer=w.planner, proposal_id=w.proposal.id, status="under_review", reason="",
                          now=w.project.closes_at)


def test_planners_group_proposals_under_the_projects_themes(session, w):
    other = PlanningProject(**{name: getattr(w.project, name) for name in (
        "title", "boundary", "min_lon", "min_lat", "max_lon", "max_lat", "discovery_opens_at", "proposals_opens_at",
        "feedback_opens_at", "closes_at", "status")}, place_id=w.r.other_community.id)
    session.add(other)
    session.flush()
    theme, elsewhere = PlanningTheme(project_id=w.project.id, name="南门更安全"), PlanningTheme(project_id=other.id,
                                                                                            name="别的项目")
    session.add_all([theme, elsewhere])
    session.commit()
    discussion.set_theme(session, viewer=w.planner, proposal_id=w.proposal.id, theme_id=theme.id, now=w.now)
    session.commit()
    assert fresh(session, w).theme_id == theme.id
    for wrong in (elsewhere.id, elsewhere.id + 1):
        with pytest.raises(InvalidInput):
            discussion.set_theme(session, viewer=w.planner, proposal_id=w.proposal.id, theme_id=wrong, now=w.now)
    with pytest.raises(PermissionDenied):
        discussion.set_theme(session, viewer=w.zhang, proposal_id=w.proposal.id, theme_id=None, now=w.now)
    discussion.set_theme(session, viewer=w.staff, proposal_id=w.proposal.id, theme_id=None, now=w.now)
    session.commit()
    assert fresh(session, w).theme_id is None
