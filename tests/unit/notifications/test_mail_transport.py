"""The parts of mail sending that need no server: the SMTP URL, the message, error meanings, back-off."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime, timedelta

import pytest

from civic.mail import (
    Outcome,
    SmtpConfig,
    SmtpUnavailable,
    absolute_url,
    build_message,
    classify,
    parse_smtp_url,
)
from civic.notifications import MAX_ATTEMPTS, OutboxMail, retry_delay

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://mail.example.cn", SmtpConfig("mail.example.cn", 25)),
    ("smtp://127.0.0.1:2525", SmtpConfig("127.0.0.1", 2525)),
    ("smtps://mail.example.cn", SmtpConfig("mail.example.cn", 465, implicit_tls=True)),
    ("smtp://u%40x.cn:p%40ss%3Aw@mail.example.cn:587?starttls=1",
     SmtpConfig("mail.example.cn", 587, starttls=True, username="u@x.cn", password="p@ss:w")),
    ("smtp://mail.example.cn:587?starttls=0", SmtpConfig("mail.example.cn", 587)),
])
def test_smtp_urls_are_read(url, expected):
    assert parse_smtp_url(url) == expected


@pytest.mark.parametrize(("url", "complaint"), [
    ("http://mail.example.cn", "scheme"),
    ("mail.example.cn:25", "scheme"),
    ("smtp://", "host"),
    ("smtp://mail.example.cn:notaport", "port"),
    ("smtp://mail.example.cn:99999", "port"),
    ("smtp://mail.example.cn?startls=1", "unknown option"),
    ("smtps://mail.example.cn?starttls=1", "already encrypted"),
])
def test_bad_smtp_urls_say_what_is_wrong(url, complaint):
    with pytest.raises(ValueError, match=complaint):
        parse_smtp_url(url)


@pytest.mark.parametrize(("base", "url", "expected"), [
    ("https://civic.example.cn", "/votes/7", "https://civic.example.cn/votes/7"),
    ("https://civic.example.cn/wuchang/", "/votes/7", "https://civic.example.cn/wuchang/votes/7"),
    ("https://civic.example.cn", "", ""),
    ("https://civic.example.cn", "https://other.example/x", "https://other.example/x"),
])
def test_links_are_made_absolute_under_the_base_url(base, url, expected):
    assert absolute_url(base, url) == expected


def test_message_is_utf8_with_an_absolute_link_and_automatic_headers():
    mail = OutboxMail(to_address="lihua@example.test", subject="停车投票  已开始", body="请在周五前投票。", url="/votes/7")
    message = build_message(mail, mail_from="Civic <civic@wuchang.example>", base_url="https://c.example.cn", now=NOW)
    assert message["Subject"] == "停车投票 已开始"
    assert message["To"] == "lihua@example.test"
    assert message["Date"] == "Sun, 01 Mar 2026 09:00:00 +0000"
    assert message["Message-ID"].endswith("@wuchang.example>")
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content() == "请在周五前投票。\n\nhttps://c.example.cn/votes/7\n"
    raw = message.as_bytes()
    assert raw.isascii()  # encoded for any relay: RFC 2047 subject, base64 body
    assert b"Content-Transfer-Encoding: base64" in raw


@pytest.mark.parametrize(("error", "outcome"), [
    (SmtpUnavailable("127.0.0.1:25: ConnectionRefusedError"), Outcome.SERVER_DOWN),
    (smtplib.SMTPServerDisconnected("gone"), Outcome.SERVER_DOWN),
    (TimeoutError("timed out"), Outcome.SERVER_DOWN),
    (smtplib.SMTPRecipientsRefused({"a@x": (550, b"no such user")}), Outcome.GIVE_UP),
    (smtplib.SMTPRecipientsRefused({"a@x": (450, b"mailbox busy")}), Outcome.RETRY),
    (smtplib.SMTPDataError(554, b"spam"), Outcome.GIVE_UP),
    (smtplib.SMTPDataError(451, b"try later"), Outcome.RETRY),
    (smtplib.SMTPSenderRefused(421, b"busy", "civic@x"), Outcome.SERVER_DOWN),
    (smtplib.SMTPSenderRefused(530, b"Must issue a STARTTLS command first", "civic@x"), Outcome.SERVER_DOWN),
    (smtplib.SMTPNotSupportedError("SMTPUTF8 not supported"), Outcome.GIVE_UP),
    (ValueError("bad header"), Outcome.GIVE_UP),
])
def test_errors_mean_retry_give_up_or_server_down(error, outcome):
    assert classify(error) is outcome


def test_back_off_doubles_and_the_fifth_attempt_is_the_last():
    delays = [retry_delay(n) for n in range(1, MAX_ATTEMPTS)]
    assert delays == [timedelta(minutes=5), timedelta(minutes=10), timedelta(minutes=20), timedelta(minutes=40)]
    assert MAX_ATTEMPTS == 5
