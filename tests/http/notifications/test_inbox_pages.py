"""The inbox pages: sign-in required, own notifications only, mark read with and without HTMX."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from civic.notifications import Notification, notify
from tests.statements import recorded

HX = {"HX-Request": "true"}
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _notes(session, account, n: int, subject: str = "通知") -> list[Notification]:
    notes = []
    for i in range(n):
        note = notify(session, account_id=account.id, subject=f"{subject} {i}", body=f"正文 {i}",
                      url=f"/votes/{i}", email=False)
        note.created_at = T0 + timedelta(minutes=i)
        notes.append(note)
    session.commit()
    return notes


def _read_at(session, note_id: int):
    session.rollback()  # read what the app committed, not what this session remembers
    return session.execute(select(Notification.read_at).where(Notification.id == note_id)).scalar_one()


def test_anonymous_visitor_is_sent_to_sign_in(client):
    page = client.get("/inbox/")
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/inbox/"
    assert client.post_form("/inbox/read-all").status_code == 303


def test_inbox_lists_own_notifications_newest_first_with_unread_said_in_words(client, session, make_account):
    me, someone = make_account("李华"), make_account("王芳")
    mine = _notes(session, me, 3, "我的")
    _notes(session, someone, 2, "别人的")
    mine[0].read_at = T0
    session.commit()
    client.login_as(me)

    page = client.get("/inbox/")
    assert page.status_code == 200
    text = page.text
    assert text.index("我的 2") < text.index("我的 1") < text.index("我的 0")
    assert "别人的" not in text
    assert text.count(">Unread</span>") == 2  # a word, not only a colour
    assert "2 unread notifications" in text
    assert 'href="/votes/2"' in text
    # One "mark read" form per unread item, each a real POST form with the CSRF token.
    forms = re.findall(r'<form method="post" action="/inbox/(\d+)/read"', text)
    assert sorted(int(f) for f in forms) == sorted([mine[1].id, mine[2].id])
    assert 'name="csrf_token"' in text


def test_empty_inbox_says_so(client, make_account):
    client.login_as(make_account())
    page = client.get("/inbox/")
    assert "empty-state" in page.text
    assert "No unread notifications." in page.text
    assert "Mark all read" not in page.text


def test_inbox_is_paginated(client, session, make_account, settings, app):
    me = make_account()
    app.state.settings = settings.with_(page_size=2)
    _notes(session, me, 5)
    client.login_as(me)
    first = client.get("/inbox/")
    assert "通知 4" in first.text and "通知 3" in first.text and "通知 2" not in first.text
    assert 'href="?page=2"' in first.text
    last = client.get("/inbox/?page=3")
    assert "通知 0" in last.text and "通知 1" not in last.text


def test_mark_read_without_javascript_redirects_back_with_a_message(client, session, make_account):
    me = make_account()
    note = _notes(session, me, 1)[0]
    client.login_as(me)
    response = client.post_form(f"/inbox/{note.id}/read", {"page": "1"})
    assert response.status_code == 303
    assert response.headers["location"] == "/inbox/"
    assert _read_at(session, note.id) is not None
    page = client.get("/inbox/")
    assert "Marked as read." in page.text
    assert "No unread notifications." in page.text


def test_mark_read_keeps_the_page_the_reader_was_on(client, session, make_account):
    me = make_account()
    note = _notes(session, me, 1)[0]
    client.login_as(me)
    response = client.post_form(f"/inbox/{note.id}/read", {"page": "3"})
    assert response.headers["location"] == "/inbox/?page=3"


def test_marking_someone_elses_notification_is_404_and_changes_nothing(client, session, make_account):
    me, someone = make_account(), make_account()
    theirs = _notes(session, someone, 1)[0]
    client.login_as(me)
    response = client.post_form(f"/inbox/{theirs.id}/read")
    assert response.status_code == 404
    assert _read_at(session, theirs.id) is None


def test_mark_all_read_marks_only_mine(client, session, make_account):
    me, someone = make_account(), make_account()
    mine = _notes(session, me, 3)
    theirs = _notes(session, someone, 2)
    client.login_as(me)
    assert client.post_form("/inbox/read-all").status_code == 303
    assert all(_read_at(session, n.id) is not None for n in mine)
    assert all(_read_at(session, n.id) is None for n in theirs)


def test_htmx_gets_the_inbox_block_and_a_fresh_header_count(client, session, make_account):
    me = make_account()
    notes = _notes(session, me, 2)
    client.login_as(me)
    response = client.post_form(f"/inbox/{notes[0].id}/read", headers=HX, follow_redirects=True)
    assert response.status_code == 200
    body = response.text
    assert body.lstrip().startswith('<section id="inbox"')
    assert "<html" not in body and 'class="site-header"' not in body
    assert "1 unread notification" in body
    # The header's count is refreshed out of band, with the count in words for screen readers.
    assert re.search(r'<a id="inbox-link" href="/inbox/" hx-swap-oob="true">Inbox <span class="badge">1'
                     r'<span class="visually-hidden"> unread</span>', body)
    assert response.headers["vary"].startswith("HX-Request")
    # No flash was queued for a page the reader never sees.
    assert "Marked as read." not in client.get("/inbox/").text


def test_full_page_has_no_out_of_band_fragment(client, session, make_account):
    me = make_account()
    _notes(session, me, 1)
    client.login_as(me)
    assert "hx-swap-oob" not in client.get("/inbox/").text


def test_inbox_page_needs_a_fixed_number_of_queries(client, session, make_account, engine):
    me = make_account()
    client.login_as(me)

    def queries_for_inbox() -> int:
        with recorded(engine) as statements:
            assert client.get("/inbox/").status_code == 200
        return len(statements)

    _notes(session, me, 2)
    few = queries_for_inbox()
    _notes(session, me, 30)
    assert queries_for_inbox() == few
