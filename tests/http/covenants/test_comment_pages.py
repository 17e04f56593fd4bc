"""Comments over HTTP: commenting and replying in threads, reporting, and staff hiding (with a reason shown in
its place), restoring and dismissing reports, from the clause page and from the moderation queue; the role ×
status matrix for comment and moderate against civic.covenants.rules.PERMISSIONS."""

from __future__ import annotations

import pytest
from markupsafe import escape

from civic.covenants.models import ClauseComment, ClauseCommentReport, CovenantStatus
from tests.http.covenants.clause_world import (
    MATRIX_ROLES,
    MATRIX_STATUSES,
    comment,
    count,
    expected_status,
    fresh,
    matrix_scene,
    sign_in,
    world,
)

S = CovenantStatus


@pytest.fixture
def w(session, make_account):
    return world(session, make_account)


def post(client, w, body: str, parent_id: int | None = None):
    data = {"body": body} | ({"parent_id": str(parent_id)} if parent_id else {})
    return client.post_form(f"{w.url}/comments", data)


def test_a_resident_comments_and_replies_in_a_thread(client, session, w):
    sign_in(client, w, "zhang")
    done = post(client, w, "遛狗一定要牵绳。")
    assert done.status_code == 303 and done.headers["location"] == f"{w.url}#comment-1"
    assert "Your comment has been posted." in client.get(w.url).text
    sign_in(client, w, "li")
    assert post(client, w, "同意。", parent_id=1).headers["location"] == f"{w.url}#comment-2"
    sign_in(client, w, "drafter")
    assert post(client, w, "我们会写进去。", parent_id=2).status_code == 303  # a reply to a reply: same thread
    reply = fresh(session, ClauseComment, 3)
    assert reply.parent_id == 2 and reply.root_id == 1
    page = client.get(w.url).text
    assert "Your reply has been posted." in page
    thread = page.split('<ol class="threads">', 1)[1]
    assert thread.index('id="comment-1"') < thread.index('<ol class="replies" aria-label="2 replies to 张伟">')
    assert thread.index('<ol class="replies"') < thread.index('id="comment-2"') < thread.index('id="comment-3"')
    assert '<a href="#comment-2">in reply to 李娜</a>' in thread
    assert '<label for="reply-1-body">Your reply to 张伟</label>' in thread


def test_empty_comments_come_back_next_to_the_field(client, session, w):
    first = comment(session, w)
    sign_in(client, w, "zhang")
    page = post(client, w, "   ")
    assert page.status_code == 400
    assert '<p class="field-error" id="comment-body-error">The comment is empty.</p>' in page.text
    assert 'id="comment-body" name="body" rows="3" maxlength="2000" required aria-invalid="true" ' \
           'aria-describedby="comment-body-error"' in page.text
    reply = post(client, w, "", parent_id=first.id)
    assert reply.status_code == 400
    key = f"reply-{first.id}"
    assert f'<p class="field-error" id="{key}-body-error">The comment is empty.</p>' in reply.text
    assert "<details open>" in reply.text  # the reply form that failed is open
    other = post(client, w, "回复", parent_id=999999)
    assert other.status_code == 400 and "The comment you are replying to is not on this clause." in other.text
    assert count(session, ClauseComment) == 1


def test_reporting_a_comment(client, session, w):
    first = comment(session, w)
    sign_in(client, w, "zhang")
    url = f"/covenants/comments/{first.id}/report"
    done = client.post_form(url, {"reason": "人身攻击"})
    assert done.status_code == 303 and done.headers["location"] == f"{w.url}#comment-{first.id}"
    assert "Thank you: the moderators have been told." in client.get(w.url).text
    assert fresh(session, ClauseComment, first.id).reports == 1 and count(session, ClauseCommentReport) == 1
    assert client.post_form(url, {"reason": "再报"}).status_code == 409  # once each
    sign_in(client, w, "li")
    own = client.post_form(url, {"reason": ""})
    assert own.status_code == 400 and "You cannot report your own comment." in own.text
    assert "Report to the moderators" not in own.text.split('id="comment-1"')[1].split("</article>")[0]
    sign_in(client, w, "anonymous")
    assert client.post_form(url).headers["location"] == f"/login?next=/covenants/clauses/{w.clause.id}"


def test_staff_hide_with_a_reason_others_no_longer_see_the_text_and_staff_restore(client, session, w):
    first = comment(session, w, "难听的话")
    sign_in(client, w, "staff")
    url = f"/covenants/comments/{first.id}/hide"
    empty = client.post_form(url, {"reason": ""})
    assert empty.status_code == 400
    assert f'<p class="field-error" id="hide-{first.id}-reason-error">' in empty.text
    done = client.post_form(url, {"reason": "离题"})
    assert done.status_code == 303 and done.headers["location"] == f"{w.url}#comment-{first.id}"
    staff_page = client.get(w.url).text
    assert "The comment has been hidden; its author has been told." in staff_page
    assert "This comment was hidden by a moderator: 离题" in staff_page
    assert "The hidden text, shown to moderators only:" in staff_page and "难听的话" in staff_page
    for who in ("anonymous", "zhang", "li"):
        sign_in(client, w, who)
        page = client.get(w.url).text
        assert "This comment was hidden by a moderator: 离题" in page and "难听的话" not in page
        assert f"reply-{first.id}-body" not in page  # hidden comments are not answered
    sign_in(client, w, "zhang")
    assert client.post_form(f"/covenants/comments/{first.id}/restore").status_code == 403
    sign_in(client, w, "staff")
    restored = client.post_form(f"/covenants/comments/{first.id}/restore")
    assert restored.status_code == 303
    assert fresh(session, ClauseComment, first.id).hidden_at is None
    sign_in(client, w, "anonymous")
    assert "难听的话" in client.get(w.url).text


def test_staff_dismiss_reports(client, session, w):
    first = comment(session, w)
    sign_in(client, w, "zhang")
    client.post_form(f"/covenants/comments/{first.id}/report", {"reason": "不妥"})
    sign_in(client, w, "staff")
    page = client.get(w.url).text
    assert "1 open report" in page and "Keep it: dismiss the reports" in page
    done = client.post_form(f"/covenants/comments/{first.id}/dismiss")
    assert done.status_code == 303
    assert fresh(session, ClauseComment, first.id).reports == 0
    assert "The reports on this comment have been dismissed." in client.get(w.url).text
    assert client.post_form(f"/covenants/comments/{first.id}/dismiss").status_code == 409  # nothing left to dismiss


# ---- the moderation queue ----------------------------------------------------------------------------


def test_the_moderation_queue_is_for_staff_of_the_place(client, session, w):
    first = comment(session, w, "难听的话")
    comment(session, w, "正常的话")
    sign_in(client, w, "zhang")
    client.post_form(f"/covenants/comments/{first.id}/report", {"reason": "不妥"})
    assert client.get("/covenants/moderation").status_code == 403
    sign_in(client, w, "anonymous")
    assert client.get("/covenants/moderation").headers["location"] == "/login?next=/covenants/moderation"
    sign_in(client, w, "other_staff")
    assert "No reported comments wait for moderation." in client.get("/covenants/moderation").text
    sign_in(client, w, "staff")
    queue = client.get("/covenants/moderation")
    assert queue.status_code == 200
    assert f'<a href="{w.url}#comment-{first.id}">文明养犬</a>' in queue.text
    assert "难听的话" in queue.text and "正常的话" not in queue.text and "1 open report" in queue.text
    empty = client.post_form(f"/covenants/comments/{first.id}/hide", {"reason": "", "back": "moderation"})
    assert empty.status_code == 400 and "Reported comments</h1>" in empty.text
    assert f'<p class="field-error" id="hide-{first.id}-reason-error">' in empty.text
    done = client.post_form(f"/covenants/comments/{first.id}/hide", {"reason": "不文明", "back": "moderation"})
    assert done.status_code == 303 and done.headers["location"] == "/covenants/moderation"
    after = client.get("/covenants/moderation").text
    assert "The comment has been hidden; its author has been told." in after
    assert "No reported comments wait for moderation." in after


# ---- who may do what, in which status ----------------------------------------------------------------

ACTIONS = {"comment": "comment", "moderate": "moderate"}


@pytest.mark.parametrize("who", sorted(MATRIX_ROLES))
@pytest.mark.parametrize("status", MATRIX_STATUSES)
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_role_by_status_matrix(client, session, make_account, action, status, who):
    w = matrix_scene(session, make_account, status)
    sign_in(client, w, who)
    if action == "comment":
        sent = client.post_form(f"{w.url}/comments", {"body": "同意"})
    else:
        sent = client.post_form(f"/covenants/comments/{w.comment.id}/hide", {"reason": "离题"})
    expected = expected_status(ACTIONS[action], status, who)
    assert sent.status_code == expected, escape(sent.text[-1500:])
    allowed = expected == 303 and who != "anonymous"
    if who == "anonymous":
        assert sent.headers["location"] == f"/login?next=/covenants/clauses/{w.clause.id}"
    changed = (count(session, ClauseComment) == 2 if action == "comment"
               else fresh(session, ClauseComment, w.comment.id).hidden_at is not None)
    assert changed == allowed
