"""notify() and the inbox services, on the real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from civic.errors import NotFound
from civic.notifications import (
    Notification,
    OutboxMail,
    inbox,
    mark_all_read,
    mark_read,
    notify,
    unread_count,
)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _notes(session, account, n: int, *, start: datetime = T0) -> list[Notification]:
    notes = []
    for i in range(n):
        note = notify(session, account_id=account.id, subject=f"通知 {i}", email=False)
        note.created_at = start + timedelta(minutes=i)
        notes.append(note)
    session.commit()
    return notes


def test_notify_fills_the_inbox_and_queues_a_mail_with_the_relative_link(session, make_account):
    account = make_account("李华", email="lihua@example.test")
    note = notify(session, account_id=account.id, subject="投票开始\r\nBcc: evil@example.test",
                  body="请在周五前投票。", url="/votes/7")
    session.commit()
    mail = session.execute(select(OutboxMail)).scalar_one()
    assert (mail.to_address, mail.body, mail.url, mail.status) == ("lihua@example.test", "请在周五前投票。", "/votes/7", "queued")
    # A line break in a subject would become a header injection once mailed.
    assert "\n" not in mail.subject and "\r" not in mail.subject
    assert note.subject == mail.subject == "投票开始 Bcc: evil@example.test"


def test_notify_without_an_email_address_or_with_email_off_queues_no_mail(session, make_account):
    phone_only = make_account("王芳", email=None, phone="13800000000")
    other = make_account()
    notify(session, account_id=phone_only.id, subject="A")
    notify(session, account_id=other.id, subject="B", email=False)
    session.commit()
    assert session.execute(select(OutboxMail)).first() is None
    assert session.execute(select(Notification)).scalars().all() != []


def test_inbox_is_newest_first_paginated_and_counts_unread(session, make_account):
    me, someone = make_account(), make_account()
    notes = _notes(session, me, 5)
    _notes(session, someone, 3)
    notes[0].read_at = T0
    session.commit()

    first = inbox(session, account_id=me.id, number=1, size=2)
    assert [n.subject for n in first.page.items] == ["通知 4", "通知 3"]
    assert (first.page.total, first.page.pages, first.unread) == (5, 3, 4)
    last = inbox(session, account_id=me.id, number=3, size=2)
    assert [n.subject for n in last.page.items] == ["通知 0"]
    assert unread_count(session, account_id=someone.id) == 3


def test_mark_read_is_idempotent_and_sets_the_time(session, make_account):
    me = make_account()
    note = _notes(session, me, 1)[0]
    mark_read(session, account_id=me.id, notification_id=note.id, now=T0)
    mark_read(session, account_id=me.id, notification_id=note.id, now=T0 + timedelta(hours=1))
    session.commit()
    session.refresh(note)
    assert note.read_at == T0  # the second marking changed nothing


def test_marking_someone_elses_notification_is_not_found_and_changes_nothing(session, make_account):
    me, someone = make_account(), make_account()
    theirs = _notes(session, someone, 1)[0]
    with pytest.raises(NotFound):
        mark_read(session, account_id=me.id, notification_id=theirs.id, now=T0)
    with pytest.raises(NotFound):
        mark_read(session, account_id=me.id, notification_id=999_999, now=T0)
    session.rollback()
    assert session.get(Notification, theirs.id).read_at is None


def test_mark_all_read_touches_only_the_accounts_own(session, make_account):
    me, someone = make_account(), make_account()
    _notes(session, me, 3)
    _notes(session, someone, 2)
    assert mark_all_read(session, account_id=me.id, now=T0) == 3
    session.commit()
    assert unread_count(session, account_id=me.id) == 0
    assert unread_count(session, account_id=someone.id) == 2
    assert mark_all_read(session, account_id=me.id, now=T0) == 0
