"""The deliver_mail job against a real SMTP server (aiosmtpd on 127.0.0.1) and the real database."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select

from civic.clock import now as clock_now
from civic.db import make_engine, run_in_session
from civic.jobs import run_due
from civic.mail import deliver_mail
from civic.notifications import CLAIM_LEASE, OutboxMail, claim, notify


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Inbox:
    """What the test SMTP server received."""

    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    logins: list[tuple[str, str]] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's name)
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        ok = (auth_data.login, auth_data.password) == (b"civic@wuchang.example", b"p@ss:word")
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


def start_server(inbox: Inbox, port: int, **smtp_options) -> Controller:
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **smtp_options)
    controller.start()
    return controller


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = start_server(inbox, port)
    yield inbox, port
    controller.stop()


def queue(session, make_account, n: int = 1, **kwargs) -> list[str]:
    """Queue `n` notification mails to fresh accounts; return their addresses."""
    addresses = []
    for _ in range(n):
        account = make_account("李华")
        notify(session, account_id=account.id, subject=kwargs.get("subject", "停车投票已开始"),
               body=kwargs.get("body", "请在周五前投票。"), url=kwargs.get("url", "/votes/7"))
        addresses.append(account.email)
    session.commit()
    return addresses


def rows(session) -> list[OutboxMail]:
    """The outbox as committed now. The read transaction is closed again at once: on SQLite a session
    still holding an old snapshot could not write afterwards."""
    session.rollback()
    session.expire_all()  # rollback() outside a transaction expires nothing; stale objects would be reused
    found = list(session.execute(select(OutboxMail).order_by(OutboxMail.id)).scalars())
    session.commit()
    return found


def test_a_queued_mail_arrives_with_the_right_headers_and_chinese_text(engine, session, make_account, settings, smtp):
    inbox, port = smtp
    [address] = queue(session, make_account)
    settings = settings.with_(smtp_url=f"smtp://127.0.0.1:{port}", mail_from="Civic <civic@wuchang.example>",
                              base_url="https://civic.example.cn/wuchang")
    now = clock_now()

    report = deliver_mail(engine, settings, now)

    assert (report.done, report.ok) == (1, True)
    [(envelope_from, recipients, message)] = inbox.messages
    assert envelope_from == "civic@wuchang.example"
    assert recipients == [address]
    assert message["From"] == "Civic <civic@wuchang.example>"
    assert message["To"] == address
    assert message["Subject"] == "停车投票已开始"
    assert message["Message-ID"].endswith("@wuchang.example>")
    assert message.get_content_charset() == "utf-8"
    assert message.get_content() == "请在周五前投票。\n\nhttps://civic.example.cn/wuchang/votes/7\n"
    [mail] = rows(session)
    assert (mail.status, mail.attempts, mail.sent_at, mail.last_error) == ("sent", 0, now, "")


def test_running_again_sends_nothing_twice(engine, session, make_account, settings, smtp):
    inbox, port = smtp
    queue(session, make_account, 2)
    settings = settings.with_(smtp_url=f"smtp://127.0.0.1:{port}")
    first = deliver_mail(engine, settings, clock_now())
    second = deliver_mail(engine, settings, clock_now() + timedelta(hours=1))
    assert (first.done, second.done) == (2, 0)
    assert len(inbox.messages) == 2


def test_mail_not_yet_due_waits(engine, session, make_account, settings, smtp):
    inbox, port = smtp
    queue(session, make_account)
    assert deliver_mail(engine, settings.with_(smtp_url=f"smtp://127.0.0.1:{port}"),
                        clock_now() - timedelta(minutes=1)).done == 0
    assert inbox.messages == []
    assert rows(session)[0].status == "queued"


def test_a_down_server_means_retry_with_back_off_then_delivery(engine, session, make_account, settings):
    port = free_port()  # nothing listens here yet
    queue(session, make_account)
    settings = settings.with_(smtp_url=f"smtp://127.0.0.1:{port}")
    t0 = clock_now()

    report = deliver_mail(engine, settings, t0)

    assert (report.done, report.ok) == (0, False)
    assert "1 to retry" in str(report) and "stopped" in str(report)
    [mail] = rows(session)
    assert (mail.status, mail.attempts, mail.next_attempt_at) == ("queued", 1, t0 + timedelta(minutes=5))
    assert "SmtpUnavailable" in mail.last_error and str(port) in mail.last_error

    # Before its time the mail is left alone, even though the server is still down.
    deliver_mail(engine, settings, t0 + timedelta(minutes=4))
    assert rows(session)[0].attempts == 1

    deliver_mail(engine, settings, t0 + timedelta(minutes=5))
    [mail] = rows(session)
    assert (mail.attempts, mail.next_attempt_at) == (2, t0 + timedelta(minutes=15))

    # The server comes back: the next attempt delivers.
    inbox = Inbox()
    controller = start_server(inbox, port)
    try:
        assert deliver_mail(engine, settings, t0 + timedelta(minutes=15)).done == 1
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    assert rows(session)[0].status == "sent"


def test_after_five_failed_attempts_it_gives_up_and_keeps_the_error(engine, session, make_account, settings):
    queue(session, make_account)
    settings = settings.with_(smtp_url=f"smtp://127.0.0.1:{free_port()}")
    at = clock_now()
    for attempt in range(1, 6):
        deliver_mail(engine, settings, at)
        [mail] = rows(session)
        assert mail.attempts == attempt
        at = mail.next_attempt_at
    assert mail.status == "failed"
    assert "Connection refused" in mail.last_error or "SmtpUnavailable" in mail.last_error
    deliver_mail(engine, settings, at + timedelta(days=1))
    assert rows(session)[0].attempts == 5  # given up means no sixth try


def test_a_down_server_stops_the_run_without_using_up_other_mails_attempts(engine, session, make_account, settings):
    queue(session, make_account, 3)
    deliver_mail(engine, settings.with_(smtp_url=f"smtp://127.0.0.1:{free_port()}"), clock_now())
    assert [m.attempts for m in rows(session)] == [1, 0, 0]


def test_a_permanent_refusal_fails_that_mail_at_once_and_the_others_go(engine, session, make_account, settings, smtp):
    inbox, port = smtp
    refused, accepted = queue(session, make_account, 2)
    inbox.refuse.add(refused)
    report = deliver_mail(engine, settings.with_(smtp_url=f"smtp://127.0.0.1:{port}"), clock_now())
    assert str(report) == "1 sent, 0 to retry, 1 failed"
    first, second = rows(session)
    assert (first.status, first.attempts) == ("failed", 1)
    assert "550" in first.last_error
    assert second.status == "sent"
    assert [r for _f, r, _m in inbox.messages] == [[accepted]]


def test_without_an_smtp_url_mail_stays_queued_and_the_run_says_so(engine, session, make_account, settings):
    queue(session, make_account, 2)
    lines = list(run_due(engine, settings.with_(smtp_url=""), clock_now()))
    assert "deliver_mail: 0 sent; CIVIC_SMTP_URL is not set, 2 left queued" in lines
    assert [(m.status, m.attempts) for m in rows(session)] == [("queued", 0), ("queued", 0)]


def test_a_malformed_smtp_url_leaves_mail_queued_and_reports_a_problem(engine, session, make_account, settings):
    queue(session, make_account)
    [line] = [x for x in run_due(engine, settings.with_(smtp_url="smtp://host?startls=1"), clock_now())
              if x.startswith("deliver_mail")]
    assert "malformed (unknown option(s): startls)" in line
    assert line.ok is False
    assert rows(session)[0].status == "queued"


def test_a_claimed_mail_cannot_be_claimed_again(engine, session, make_account):
    queue(session, make_account)
    mail_id = rows(session)[0].id
    now = clock_now()
    assert run_in_session(engine, claim, mail_id=mail_id, now=now) is not None
    assert run_in_session(engine, claim, mail_id=mail_id, now=now) is None
    assert rows(session)[0].status == "sending"


def test_a_send_interrupted_by_a_dead_runner_is_queued_again_after_its_lease(engine, session, make_account,
                                                                             settings, smtp):
    inbox, port = smtp
    queue(session, make_account)
    mail_id = rows(session)[0].id
    t0 = clock_now()
    run_in_session(engine, claim, mail_id=mail_id, now=t0)  # a runner claims it, then dies
    settings = settings.with_(smtp_url=f"smtp://127.0.0.1:{port}")

    assert deliver_mail(engine, settings, t0 + CLAIM_LEASE - timedelta(seconds=1)).done == 0
    assert rows(session)[0].status == "sending"  # still within its lease: hands off

    report = deliver_mail(engine, settings, t0 + CLAIM_LEASE)
    assert "1 interrupted sends queued again" in str(report)
    [mail] = rows(session)
    assert (mail.status, mail.attempts) == ("queued", 1)
    assert "stopped before it finished" in mail.last_error
    assert deliver_mail(engine, settings, mail.next_attempt_at).done == 1
    assert len(inbox.messages) == 1


def test_two_runners_at_once_send_each_mail_exactly_once(engine, session, make_account, settings, database_url):
    class SlowInbox(Inbox):
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            time.sleep(0.005)  # hold the runner mid-send so the two interleave
            return await super().handle_DATA(server, session, envelope)

    addresses = queue(session, make_account, 30)
    inboxes, controllers = [], []
    runners = []
    barrier = threading.Barrier(2)
    now = clock_now()
    reports = []
    try:
        for _ in range(2):  # one server per runner, so nothing serialises them but the database
            inbox, port = SlowInbox(), free_port()
            inboxes.append(inbox)
            controllers.append(start_server(inbox, port))
            runner_settings = settings.with_(smtp_url=f"smtp://127.0.0.1:{port}")
            runner_engine = make_engine(database_url)  # as if on another machine

            def run(e=runner_engine, s=runner_settings):
                try:
                    barrier.wait()
                    reports.append(deliver_mail(e, s, now))
                finally:
                    e.dispose()

            runners.append(threading.Thread(target=run))
        for t in runners:
            t.start()
        for t in runners:
            t.join(timeout=60)
    finally:
        for c in controllers:
            c.stop()

    delivered = sorted(r for inbox in inboxes for _f, [r], _m in inbox.messages)
    assert delivered == sorted(addresses)  # every mail once: none lost, none twice
    assert sum(r.done for r in reports) == 30
    assert all(m.status == "sent" for m in rows(session))


def test_login_with_a_percent_encoded_password(engine, session, make_account, settings):
    inbox, port = Inbox(), free_port()
    controller = start_server(inbox, port, authenticator=inbox.authenticate, auth_require_tls=False)
    try:
        queue(session, make_account)
        url = f"smtp://civic%40wuchang.example:p%40ss%3Aword@127.0.0.1:{port}"
        assert deliver_mail(engine, settings.with_(smtp_url=url), clock_now()).done == 1
        assert inbox.logins == [("civic@wuchang.example", "p@ss:word")]

        queue(session, make_account)
        wrong = f"smtp://civic%40wuchang.example:nope@127.0.0.1:{port}"
        report = deliver_mail(engine, settings.with_(smtp_url=wrong), clock_now())
        assert report.ok is False and "SMTPAuthenticationError" in str(report)
    finally:
        controller.stop()
    assert len(inbox.messages) == 1


@pytest.fixture
def tls_context(tmp_path, monkeypatch) -> ssl.SSLContext:
    """A self-signed certificate for 127.0.0.1 that this process (only) trusts."""
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # read by ssl.create_default_context()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def test_starttls_is_used_and_the_certificate_checked(engine, session, make_account, settings, tls_context,
                                                     monkeypatch):
    inbox, port = Inbox(), free_port()
    controller = start_server(inbox, port, tls_context=tls_context, require_starttls=True)
    try:
        queue(session, make_account)
        # Without starttls=1 the server refuses to take mail in the clear: a setup problem, so the
        # mail is kept for a later attempt rather than given up.
        plain = deliver_mail(engine, settings.with_(smtp_url=f"smtp://127.0.0.1:{port}"), clock_now())
        assert plain.done == 0 and plain.ok is False and "530" in str(plain)
        assert rows(session)[0].status == "queued"
        secure = settings.with_(smtp_url=f"smtp://127.0.0.1:{port}?starttls=1")
        assert deliver_mail(engine, secure, rows(session)[0].next_attempt_at).done == 1
        assert len(inbox.messages) == 1

        # A certificate nobody vouches for is refused: the mail is not sent.
        monkeypatch.delenv("SSL_CERT_FILE")
        queue(session, make_account)
        report = deliver_mail(engine, secure, clock_now() + timedelta(hours=1))
        assert report.done == 0 and "CERTIFICATE_VERIFY_FAILED" in str(report)
    finally:
        controller.stop()
