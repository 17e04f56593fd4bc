"""Comments: threads of replies, one report per person, staff told and moderating (hide with a reason,
restore, keep), follows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from civic.covenants import comments, queries, service
from civic.covenants.models import ClauseComment, ClauseFollow, CovenantStatus
from civic.errors import Conflict, InvalidInput, PermissionDenied
from civic.notifications import Notification
from tests.unit.covenants.builders import LATER, NOW, set_status


def say(session, w, viewer, body, parent=None):
    comment = comments.add_comment(session, viewer=viewer, clause_id=w.clause.id, body=body, now=NOW,
                                   parent_id=parent.id if parent else None)
    session.commit()
    return comment


def test_replies_join_their_thread(session, world):
    w = world
    first = say(session, w, w.zhang, "犬绳长度要不要写明？")
    reply = say(session, w, w.drafter, "可以参考条例。", first)
    deeper = say(session, w, w.li, "建议写1.5米以内。", reply)
    other = say(session, w, w.li, "粪便清理要有袋子。")
    assert (reply.root_id, reply.parent_id) == (first.id, first.id)
    assert (deeper.root_id, deeper.parent_id) == (first.id, reply.id)
    page = queries.clause_page(session, clause_id=w.clause.id, viewer=w.zhang, now=LATER)
    assert [c.id for c in page.comments.items] == [other.id, first.id]  # threads newest first
    assert [(r.id, r.parent_id, r.author) for r in page.comments.items[1].replies] == [
        (reply.id, first.id, "周敏"), (deeper.id, reply.id, "李娜")]
    assert page.comments.total == 2 and page.following
    assert set(session.execute(select(ClauseFollow.account_id)).scalars()) == {
        w.zhang.account_id, w.drafter.account_id, w.li.account_id}


def test_bad_comments_are_refused(session, world):
    w = world
    other = service.add_clause(session, viewer=w.drafter, covenant_id=w.covenant.id, template="noise", now=NOW)
    session.commit()
    elsewhere = comments.add_comment(session, viewer=w.zhang, clause_id=other.id, body="噪声时段？", now=NOW)
    session.commit()
    for body, parent, field in [("  ", None, "body"), ("言" * 2001, None, "body"), ("回复", elsewhere.id, "parent")]:
        with pytest.raises(InvalidInput) as caught:
            comments.add_comment(session, viewer=w.zhang, clause_id=w.clause.id, body=body, now=NOW, parent_id=parent)
        assert caught.value.field == field
        session.rollback()
    with pytest.raises(PermissionDenied):
        comments.add_comment(session, viewer=w.stranger, clause_id=w.clause.id, body="路过", now=NOW)
    session.rollback()
    set_status(session, w.covenant, CovenantStatus.adopted)
    with pytest.raises(Conflict, match="closed"):
        comments.add_comment(session, viewer=w.zhang, clause_id=w.clause.id, body="晚了", now=NOW)


def test_reports_reach_staff_and_staff_hide_with_a_reason(session, world):
    w = world
    rude = say(session, w, w.li, "养狗的都没素质！")
    with pytest.raises(InvalidInput):
        comments.report_comment(session, viewer=w.li, comment_id=rude.id, reason="", now=NOW)
    session.rollback()
    comments.report_comment(session, viewer=w.zhang, comment_id=rude.id, reason="人身攻击", now=NOW)
    session.commit()
    with pytest.raises(Conflict, match="already reported"):
        comments.report_comment(session, viewer=w.zhang, comment_id=rude.id, reason="", now=NOW)
    session.rollback()
    comments.report_comment(session, viewer=w.drafter, comment_id=rude.id, reason="", now=NOW)
    session.commit()
    session.refresh(rude)
    assert rude.reports == 2
    staff_told = session.execute(select(Notification.subject).where(Notification.account_id == w.staff.account_id)
                                 .order_by(Notification.id)).scalars().all()
    assert staff_told[-1] == "A comment on “文明养犬” was reported and waits for moderation."
    assert staff_told.count(staff_told[-1]) == 1  # told of the first open report only
    queue = queries.reported_comments(session, viewer=w.staff)
    assert [(c.id, c.reports) for c, *_rest in queue.items] == [(rude.id, 2)]
    assert queries.reported_comments(session, viewer=w.other_staff).items == []
    for viewer in (w.drafter, w.zhang, w.other_staff):
        with pytest.raises(PermissionDenied):
            comments.hide_comment(session, viewer=viewer, comment_id=rude.id, reason="攻击", now=LATER)
        session.rollback()
    comments.hide_comment(session, viewer=w.staff, comment_id=rude.id, reason="人身攻击，违反讨论规则", now=LATER)
    session.commit()
    assert queries.reported_comments(session, viewer=w.staff).items == []
    resident_view = queries.clause_page(session, clause_id=w.clause.id, viewer=w.zhang, now=LATER).comments.items[0]
    assert (resident_view.hidden, resident_view.body, resident_view.hidden_reason, resident_view.reports) == (
        True, "", "人身攻击，违反讨论规则", 0)
    staff_view = queries.clause_page(session, clause_id=w.clause.id, viewer=w.staff, now=LATER).comments.items[0]
    assert staff_view.body == "养狗的都没素质！"
    with pytest.raises(Conflict, match="cannot be answered"):
        say(session, w, w.zhang, "回复", rude)
    session.rollback()
    assert session.execute(select(Notification.subject).where(Notification.account_id == w.li.account_id)
                           ).scalars().all() == ["Your comment on “文明养犬” was hidden by a moderator: 人身攻击，违反讨论规则"]
    comments.restore_comment(session, viewer=w.staff, comment_id=rude.id, now=LATER)
    session.commit()
    assert session.get(ClauseComment, rude.id).hidden_at is None


def test_staff_keep_a_reported_comment(session, world):
    w = world
    fine = say(session, w, w.li, "我反对这一条。")
    comments.report_comment(session, viewer=w.zhang, comment_id=fine.id, reason="不同意", now=NOW)
    session.commit()
    comments.dismiss_reports(session, viewer=w.staff, comment_id=fine.id, now=LATER)
    session.commit()
    assert session.get(ClauseComment, fine.id).reports == 0
    with pytest.raises(Conflict, match="no open reports"):
        comments.dismiss_reports(session, viewer=w.staff, comment_id=fine.id, now=LATER)


def test_follow_and_unfollow(session, world):
    w = world
    first = comments.follow(session, viewer=w.stranger, clause_id=w.clause.id, now=NOW)
    assert comments.follow(session, viewer=w.stranger, clause_id=w.clause.id, now=NOW).id == first.id
    session.commit()
    assert comments.unfollow(session, viewer=w.stranger, clause_id=w.clause.id, now=NOW) is True
    assert comments.unfollow(session, viewer=w.stranger, clause_id=w.clause.id, now=NOW) is False
    with pytest.raises(PermissionDenied):
        comments.follow(session, viewer=w.anonymous, clause_id=w.clause.id, now=NOW)
