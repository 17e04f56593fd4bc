"""Sending the outbox: CIVIC_SMTP_URL, building the message, and the `deliver_mail` due job.

CIVIC_SMTP_URL forms:
    smtp://host:port                      plain SMTP (a relay on localhost or a private network)
    smtp://user:pass@host:587?starttls=1  upgrade with STARTTLS before logging in
    smtps://user:pass@host:465            implicit TLS
User name and password are percent-encoded (`@` → %40). Certificates are verified.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from enum import Enum
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import Engine

from civic import notifications as outbox
from civic.db import run_in_session
from civic.jobs import JobReport, due_job
from civic.notifications import OutboxMail
from civic.settings import Settings

log = logging.getLogger("civic.mail")

SMTP_TIMEOUT = 30  # seconds; bounded so that a hung server cannot outlive the claim lease
BATCH = 200  # at most this many mails per run, so a run ends well before cron starts the next
# Claims last CLAIM_LEASE from the run's `now`; claiming stops after half of it, so even on a slow server
# no mail is still being sent when its lease runs out and another runner could take it back.
RUN_BUDGET_SECONDS = outbox.CLAIM_LEASE.total_seconds() / 2
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    implicit_tls: bool = False
    starttls: bool = False
    username: str = ""
    password: str = ""


def parse_smtp_url(url: str) -> SmtpConfig:
    """Read CIVIC_SMTP_URL; raise ValueError naming what is wrong (an unknown option is an error, so a
    typo in `starttls` never silently sends a password in the clear)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"scheme must be smtp:// or smtps://, not {parts.scheme or 'nothing'!r}")
    if not parts.hostname:
        raise ValueError("no host name")
    try:
        port = parts.port
    except ValueError as exc:  # urlsplit refuses ports that are not numbers in range
        raise ValueError(f"bad port ({exc})") from None
    options = parse_qs(parts.query, keep_blank_values=True)
    unknown = set(options) - {"starttls"}
    if unknown:
        raise ValueError(f"unknown option(s): {', '.join(sorted(unknown))}")
    implicit_tls = parts.scheme == "smtps"
    starttls = options.get("starttls", ["0"])[-1].lower() in _TRUE
    if implicit_tls and starttls:
        raise ValueError("smtps:// is already encrypted; starttls=1 applies to smtp:// only")
    return SmtpConfig(
        host=parts.hostname,
        port=port or (465 if implicit_tls else 25),
        implicit_tls=implicit_tls,
        starttls=starttls,
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
    )


def absolute_url(base_url: str, url: str) -> str:
    """A link that works from a mail client. base_url may carry a path prefix (https://x.cn/civic)."""
    if not url or url.startswith(("http://", "https://")):
        return url
    return f"{base_url.rstrip('/')}/{url.lstrip('/')}"


def build_message(mail: OutboxMail, *, mail_from: str, base_url: str, now: datetime) -> EmailMessage:
    """The message for one outbox row: UTF-8 text, the link made absolute, marked as automatic."""
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = mail.to_address
    message["Subject"] = " ".join(mail.subject.split())
    message["Date"] = format_datetime(now)
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"
    # make_msgid() without a domain looks up this host's FQDN, which can stall on a bad resolver.
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to us
    link = absolute_url(base_url, mail.url)
    text = "\n\n".join(part for part in (mail.body.strip(), link) if part) + "\n"
    # Base64 keeps Chinese text safe through relays that do not speak 8BITMIME.
    message.set_content(text, cte=None if text.isascii() else "base64")
    return message


class SmtpUnavailable(Exception):
    """Could not open a usable SMTP session (connect, TLS or login failed): not this mail's fault."""


class Outcome(Enum):
    RETRY = "retry"  # this mail failed for now; try it again later
    GIVE_UP = "give up"  # the server refused this mail for good (5xx); retrying cannot help
    SERVER_DOWN = "server down"  # no usable server or setup: retry this mail later, stop this run


def classify(exc: BaseException) -> Outcome:
    """Decide what a sending error means for the mail and for the rest of the run."""
    if isinstance(exc, SmtpUnavailable):
        return Outcome.SERVER_DOWN  # a setting or the server is wrong, not this mail
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return Outcome.GIVE_UP if codes and all(code >= 500 for code in codes) else Outcome.RETRY
    if isinstance(exc, smtplib.SMTPSenderRefused):
        # Our own From refused (530 "STARTTLS first", 550 "not allowed to relay"): every mail would meet
        # the same answer, so it is the setup that is wrong, not this mail.
        return Outcome.SERVER_DOWN
    if isinstance(exc, smtplib.SMTPResponseException):  # the message itself refused (DATA)
        return Outcome.GIVE_UP if exc.smtp_code >= 500 else Outcome.RETRY
    if isinstance(exc, smtplib.SMTPNotSupportedError | ValueError | UnicodeError):
        return Outcome.GIVE_UP  # e.g. a non-ASCII address the server cannot take; will not change
    return Outcome.SERVER_DOWN  # OSError: refused, reset, timed out, TLS failed, disconnected


class SmtpConnection:
    """One SMTP session per run, opened on the first mail (a run with nothing due never connects)."""

    def __init__(self, config: SmtpConfig):
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        cfg = self.config
        context = ssl.create_default_context()
        if cfg.implicit_tls:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=SMTP_TIMEOUT, context=context)
        else:
            smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=SMTP_TIMEOUT)
        try:
            smtp.ehlo()
            if cfg.starttls:
                smtp.starttls(context=context)
                smtp.ehlo()
            if cfg.username:
                smtp.login(cfg.username, cfg.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage) -> None:
        if self._smtp is None:
            try:
                self._smtp = self._connect()
            except (OSError, smtplib.SMTPException) as exc:  # SMTPException is an OSError; both named for clarity
                raise SmtpUnavailable(f"{self.config.host}:{self.config.port}: {type(exc).__name__}: {exc}") from exc
        try:
            self._smtp.send_message(message)
        except smtplib.SMTPServerDisconnected:
            self._smtp = None
            raise

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()  # the mail is already accepted; a rude goodbye changes nothing
            self._smtp = None


@due_job("deliver_mail")
def deliver_mail(engine: Engine, settings: Settings, now: datetime) -> JobReport:
    """Send queued mail that is due; safe to run twice at once (each mail is claimed before sending)."""
    if not settings.smtp_url:
        waiting = run_in_session(engine, outbox.count_due, now=now)
        return JobReport(0, f"0 sent; CIVIC_SMTP_URL is not set, {waiting} left queued")
    try:
        config = parse_smtp_url(settings.smtp_url)
    except ValueError as exc:
        waiting = run_in_session(engine, outbox.count_due, now=now)
        return JobReport(0, f"0 sent; CIVIC_SMTP_URL is malformed ({exc}), {waiting} left queued", ok=False)

    released = run_in_session(engine, outbox.release_stale_claims, now=now)
    sent = retrying = failed = 0
    stopped = ""  # why the run ended early, if it did
    healthy = True  # False when the server or the setup is at fault (the operator should look)
    connection = SmtpConnection(config)
    started = time.monotonic()
    try:
        for mail_id in run_in_session(engine, outbox.due_mail_ids, now=now, limit=BATCH):
            if time.monotonic() - started > RUN_BUDGET_SECONDS:
                stopped = "; out of time, the rest waits for the next run"
                break
            # Claim in its own committed transaction *before* talking to the server: no database
            # transaction stays open during the SMTP exchange, and no other runner can take the mail.
            mail = run_in_session(engine, outbox.claim, mail_id=mail_id, now=now)
            if mail is None:
                continue  # another runner has it
            try:
                connection.send(build_message(mail, mail_from=settings.mail_from,
                                              base_url=settings.base_url, now=now))
            except Exception as exc:
                outcome = classify(exc)
                error = f"{type(exc).__name__}: {exc}"
                status = run_in_session(engine, outbox.mark_failed, mail_id=mail_id, now=now, error=error,
                                        permanent=outcome is Outcome.GIVE_UP)
                failed += status == outbox.FAILED
                retrying += status == outbox.QUEUED
                log.warning("mail %s to %s not sent (%s): %s", mail_id, mail.to_address, status, error)
                if outcome is Outcome.SERVER_DOWN:
                    stopped, healthy = f"; stopped: {error}", False
                    break  # every further mail would fail the same way; their attempts are not used up
                continue
            run_in_session(engine, outbox.mark_sent, mail_id=mail_id, now=now)
            sent += 1
    finally:
        connection.close()
    summary = f"{sent} sent, {retrying} to retry, {failed} failed"
    if released:
        summary += f", {released} interrupted sends queued again"
    return JobReport(sent, summary + stopped, ok=healthy)
