"""In-app notifications (the inbox) and the e-mail outbox that `civic jobs run-due` delivers.

The outbox is a small state machine, driven by conditional UPDATEs so that any number of job
runners can work on it at once without sending a mail twice:

    queued ──claim──▶ sending ──▶ sent
       ▲                 │
       └── retry later ──┤ (attempts < MAX_ATTEMPTS, next_attempt_at pushed back exponentially)
                         └──▶ failed (permanent refusal, or MAX_ATTEMPTS reached; last_error kept)

While a mail is `sending`, `next_attempt_at` holds the end of the runner's claim (its lease): a runner
that dies mid-send leaves the row `sending`, and the next run puts it back in the queue once the
lease has run out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlmodel import Field, Session, SQLModel

from civic.auth.models import Account
from civic.clock import now as clock_now
from civic.db import UTCDateTime
from civic.errors import NotFound
from civic.i18n import DEFAULT_LOCALE, N_, translations
from civic.pagination import Page, paginate

# Outbox statuses.
QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"
MAX_ATTEMPTS = 5
RETRY_BASE = timedelta(minutes=5)  # 5, 10, 20, 40 minutes between the five attempts
CLAIM_LEASE = timedelta(minutes=10)  # far longer than one SMTP exchange (30 s timeout)


class Notification(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    subject: str = Field(max_length=200)
    body: str = ""
    url: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=clock_now, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class OutboxMail(SQLModel, table=True):
    """Mail waits here until a job sends it, so a slow SMTP server never slows a request."""

    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    body: str = ""
    # Relative link (e.g. /votes/12); made absolute with settings.base_url when the mail is sent,
    # so that mail queued before a change of domain still links to the right place.
    url: str = Field(default="", max_length=300)
    status: str = Field(default=QUEUED, max_length=16, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=clock_now, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=clock_now, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = Field(default="", max_length=500)


def _message(catalogue, msgid: str, params: dict | None) -> str:
    text = catalogue.gettext(msgid)
    return text % params if params else text


def _one_line(text: str, limit: int) -> str:
    # A subject becomes a mail header: a line break in it would be refused (or worse, inject headers).
    return " ".join(text.split())[:limit]


def notify(session: Session, *, account_id: int, subject: str, body: str = "", url: str = "",
           email: bool = True, params: dict | None = None, body_is_message: bool = False) -> Notification:
    """Put a message in the account's inbox and, if it has an e-mail address, queue the same by mail.

    `subject` is a msgid (and `body` too when `body_is_message`), written in the recipient's own
    language now, with `params` filled in: a mail cannot be translated once it has left.
    `url` is a path on this site (`/votes/12`): the inbox links it as is, mail makes it absolute.
    """
    if url and (not url.startswith("/") or url.startswith("//")):
        # A programming error, not user input: an off-site or javascript: link must never reach a page.
        raise ValueError(f"notify(url=...) must be a path on this site, not {url!r}")
    address, locale = session.execute(select(Account.email, Account.locale).where(Account.id == account_id)).one()
    catalogue = translations(locale or DEFAULT_LOCALE)
    subject = _one_line(_message(catalogue, subject, params), 200)
    if body_is_message:
        body = _message(catalogue, body, params)
    note = Notification(account_id=account_id, subject=subject, body=body, url=url)
    session.add(note)
    if email and address:
        session.add(OutboxMail(to_address=address, subject=subject, body=body, url=url))
    session.flush()
    return note


# --- The inbox -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inbox:
    """One page of an account's notifications, newest first, and how many of all of them are unread."""

    page: Page[Notification]
    unread: int


def unread_count(session: Session, *, account_id: int) -> int:
    """How many of the account's notifications are unread (one query; for the header badge)."""
    return session.execute(
        select(func.count()).select_from(Notification)
        .where(Notification.account_id == account_id, Notification.read_at.is_(None))
    ).scalar_one()


def inbox(session: Session, *, account_id: int, number: int = 1, size: int = 50) -> Inbox:
    """The account's notifications for one page, newest first (three queries whatever the page size)."""
    statement = (select(Notification).where(Notification.account_id == account_id)
                 .order_by(Notification.created_at.desc(), Notification.id.desc()))
    page = paginate(session, statement, number=number, size=size)
    return Inbox(page=page, unread=unread_count(session, account_id=account_id))


def mark_read(session: Session, *, account_id: int, notification_id: int, now: datetime) -> None:
    """Mark one of the account's own notifications read; someone else's is 'not found', not 'forbidden'."""
    changed = session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.account_id == account_id,
               Notification.read_at.is_(None))
        .values(read_at=now)
    ).rowcount
    if changed:
        return
    # Nothing changed: either it was already read (fine, marking is idempotent) or it is not theirs.
    mine = session.execute(
        select(Notification.id).where(Notification.id == notification_id, Notification.account_id == account_id)
    ).first()
    if mine is None:
        raise NotFound(N_("There is no such notification in your inbox."))


def mark_all_read(session: Session, *, account_id: int, now: datetime) -> int:
    """Mark every unread notification of the account read; returns how many changed."""
    return session.execute(
        update(Notification)
        .where(Notification.account_id == account_id, Notification.read_at.is_(None))
        .values(read_at=now)
    ).rowcount


# --- The outbox: state transitions used by the deliver_mail job (civic.mail) -------------------------


def retry_delay(attempts: int) -> timedelta:
    """Exponential back-off: wait RETRY_BASE after the first failure, doubling after each further one."""
    return RETRY_BASE * (2 ** max(0, attempts - 1))


def due_mail_ids(session: Session, *, now: datetime, limit: int) -> list[int]:
    """Queued mail whose time has come, oldest first."""
    return list(session.execute(
        select(OutboxMail.id).where(OutboxMail.status == QUEUED, OutboxMail.next_attempt_at <= now)
        .order_by(OutboxMail.id).limit(limit)
    ).scalars())


def count_due(session: Session, *, now: datetime) -> int:
    return session.execute(
        select(func.count()).select_from(OutboxMail)
        .where(OutboxMail.status == QUEUED, OutboxMail.next_attempt_at <= now)
    ).scalar_one()


def claim(session: Session, *, mail_id: int, now: datetime) -> OutboxMail | None:
    """Take one queued mail for sending, or None if another runner took it (or sent it) first.

    The WHERE clause is the lock: of two runners issuing this UPDATE for the same row, the database
    lets exactly one change it (PostgreSQL re-checks the condition after the first commits; SQLite
    runs writers one at a time), so only one of them ever sends the mail.
    """
    claimed = session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id, OutboxMail.status == QUEUED, OutboxMail.next_attempt_at <= now)
        .values(status=SENDING, next_attempt_at=now + CLAIM_LEASE)
    ).rowcount
    return session.get(OutboxMail, mail_id) if claimed == 1 else None


def mark_sent(session: Session, *, mail_id: int, now: datetime) -> None:
    """Record a mail as sent (even if its lease had run out meanwhile: it *was* sent)."""
    session.execute(update(OutboxMail).where(OutboxMail.id == mail_id).values(status=SENT, sent_at=now))


def mark_failed(session: Session, *, mail_id: int, now: datetime, error: str, permanent: bool = False) -> str:
    """Count a failed attempt: queue the mail again later, or give up. Returns the new status."""
    mail = session.get(OutboxMail, mail_id)
    if mail is None or mail.status != SENDING:
        return mail.status if mail else FAILED
    attempts = mail.attempts + 1
    gives_up = permanent or attempts >= MAX_ATTEMPTS
    status = FAILED if gives_up else QUEUED
    session.execute(
        update(OutboxMail).where(OutboxMail.id == mail_id, OutboxMail.status == SENDING)
        .values(status=status, attempts=attempts, last_error=error[:500],
                next_attempt_at=now if gives_up else now + retry_delay(attempts))
    )
    return status


def release_stale_claims(session: Session, *, now: datetime) -> int:
    """Give back mail whose runner stopped mid-send (its lease ran out); the attempt counts as failed.

    The mail may or may not have reached the server, so it is retried: a rare duplicate is better
    than a lost notice.
    """
    stale = session.execute(
        select(OutboxMail.id).where(OutboxMail.status == SENDING, OutboxMail.next_attempt_at <= now)
    ).scalars().all()
    for mail_id in stale:
        mark_failed(session, mail_id=mail_id, now=now,
                    error="the job sending it stopped before it finished; it may have been sent")
    return len(stale)
