"""Account use cases: sign-up, sign-in with throttling, passwords, language, roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from civic import audit, i18n
from civic.auth import rules, throttle
from civic.auth.identity import session_stamp
from civic.auth.models import Account, Role, RoleGrant, ScopeType
from civic.auth.passwords import hash_password, needs_rehash, verify_password
from civic.errors import InvalidInput, NotFound
from civic.i18n import N_
from civic.places.rules import path_ids


@dataclass(frozen=True)
class SignedIn:
    """What the web layer writes into a fresh session."""

    account_id: int
    stamp: str
    display_name: str


@dataclass(frozen=True)
class AccountView:
    """What the account page shows."""

    id: int
    display_name: str
    email: str | None
    phone: str | None
    locale: str | None
    has_password: bool
    grants: list[tuple[str, str, int]]


def _identity_taken(session: Session, *, email: str | None, phone: str | None) -> None:
    if email and session.execute(select(Account.id).where(Account.email == email)).first():
        raise InvalidInput(N_("An account with the email address %(email)s already exists. Sign in instead."),
                           field="identifier", email=email)
    if phone and session.execute(select(Account.id).where(Account.phone == phone)).first():
        raise InvalidInput(N_("An account with the phone number %(phone)s already exists. Sign in instead."),
                           field="identifier", phone=phone)


def insert_account(session: Session, *, display_name: str, email: str | None, phone: str | None,
                    password: str | None, locale: str | None, now: datetime, method: str,
                    actor_id: int | None = None) -> Account:
    """Insert after the friendly duplicate check; the unique constraints settle a race between two sign-ups."""
    _identity_taken(session, email=email, phone=phone)
    account = Account(display_name=display_name, email=email, phone=phone, locale=locale, created_at=now,
                      password_hash=hash_password(password) if password is not None else None)
    try:
        with session.begin_nested():
            session.add(account)
            session.flush()
    except IntegrityError:
        raise InvalidInput(N_("An account with this email address or phone number already exists."),
                           field="identifier") from None
    audit.record(session, actor_id=actor_id if actor_id is not None else account.id, action="account.created",
                 object_type="account", object_id=account.id, payload={"method": method}, now=now)
    return account


def sign_up(session: Session, *, display_name: str, identifier: str, password: str, confirmation: str,
            locale: str | None, now: datetime) -> SignedIn:
    """Create a local account from the sign-up form and sign it in."""
    name = rules.check_display_name(display_name)
    kind, value = rules.classify_identifier(identifier)
    rules.check_new_password(password, confirmation)
    account = insert_account(session, display_name=name, email=value if kind == "email" else None,
                              phone=value if kind == "phone" else None, password=password,
                              locale=i18n.normalise(locale), now=now, method="password")
    return record_sign_in(session, account, now=now, method="password")


def record_sign_in(session: Session, account: Account, *, now: datetime, method: str) -> SignedIn:
    """Stamp the sign-in time, audit it, and return what the new session needs."""
    account.last_login_at = now
    audit.record(session, actor_id=account.id, action="account.signed_in", object_type="account",
                 object_id=account.id, payload={"method": method}, now=now)
    return SignedIn(account_id=account.id, stamp=session_stamp(account), display_name=account.display_name)


def authenticate(session: Session, *, identifier: str, password: str, address: str | None,
                 policy: throttle.ThrottlePolicy, now: datetime) -> SignedIn | None:
    """Check throttling, then the password. None means wrong credentials; the failure is kept (committed)."""
    account_key = rules.throttle_key_for_identifier(identifier)
    address_key = rules.throttle_key_for_address(address)
    throttle.check(session, account_key=account_key, address_key=address_key, policy=policy, now=now)
    account = _find_by_identifier(session, identifier)
    # verify_password hashes against a dummy when there is no account, so unknown identifiers take as long.
    stored = account.password_hash if account is not None else None
    if not verify_password(stored, password) or account is None or not account.is_active:
        throttle.record_failure(session, keys=[account_key, address_key], policy=policy, now=now)
        return None
    if needs_rehash(stored):
        account.password_hash = hash_password(password)  # note: changes the stamp of older sessions too
    throttle.forget(session, key=account_key)
    return record_sign_in(session, account, now=now, method="password")


def _find_by_identifier(session: Session, identifier: str) -> Account | None:
    try:
        kind, value = rules.classify_identifier(identifier)
    except InvalidInput:
        return None
    column = Account.email if kind == "email" else Account.phone
    return session.execute(select(Account).where(column == value)).scalar_one_or_none()


def find_active_account(session: Session, identifier: str) -> Account | None:
    """The active account with this e-mail address or phone number (spelt in any way sign-in accepts),
    for the pages that appoint someone by contact; None when there is none or it cannot be read."""
    account = _find_by_identifier(session, identifier)
    return account if account is not None and account.is_active else None


def change_password(session: Session, *, account_id: int, current: str, new: str, confirmation: str,
                    now: datetime) -> str:
    """Replace the password after checking the current one; returns the new session stamp."""
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(N_("This account no longer exists."))
    if account.password_hash is None:
        raise InvalidInput(N_("This account signs in through single sign-on and has no password here."),
                           field="current_password")
    if not verify_password(account.password_hash, current):
        raise InvalidInput(N_("The current password is not correct."), field="current_password")
    rules.check_new_password(new, confirmation)
    if new == current:
        raise InvalidInput(N_("The new password must be different from the current one."), field="password")
    account.password_hash = hash_password(new)
    audit.record(session, actor_id=account.id, action="account.password_changed", object_type="account",
                 object_id=account.id, now=now)
    return session_stamp(account)


def set_locale(session: Session, *, account_id: int, locale: str) -> None:
    """Remember the account's language preference."""
    if locale not in i18n.LOCALES:
        raise InvalidInput(N_("Choose one of the offered languages."), field="locale")
    account = session.get(Account, account_id)
    if account is not None:
        account.locale = locale


def account_view(session: Session, *, account_id: int) -> AccountView:
    """The account page: identity, language and every role held, in a stable order."""
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(N_("This account no longer exists."))
    return AccountView(id=account.id, display_name=account.display_name, email=account.email,
                       phone=account.phone, locale=account.locale, has_password=account.password_hash is not None,
                       grants=_grants(session, account.id))


def _grants(session: Session, account_id: int) -> list[tuple[str, str, int]]:
    rows = session.execute(
        select(RoleGrant.role, RoleGrant.scope_type, RoleGrant.scope_id).where(RoleGrant.account_id == account_id)
        .order_by(RoleGrant.role, RoleGrant.scope_type, RoleGrant.scope_id)
    ).all()
    return [(r, t, i) for r, t, i in rows]


def grant_role(session: Session, *, account_id: int, spec: str, granted_by: int | None, now: datetime) -> RoleGrant:
    """Grant "administrator" or "role:scope_type:id" to an account; granting a held role again is an error."""
    role, scope_type, scope_id = rules.parse_role_spec(spec)
    if session.get(Account, account_id) is None:
        raise NotFound(N_("There is no account number %(id)d."), id=account_id)
    grant = RoleGrant(account_id=account_id, role=role.value, scope_type=scope_type.value, scope_id=scope_id,
                      granted_by=granted_by, created_at=now)
    try:
        with session.begin_nested():
            session.add(grant)
            session.flush()
    except IntegrityError:
        raise InvalidInput(N_("The account already holds this role."), field="role") from None
    audit.record(session, actor_id=granted_by, action="role.granted", object_type="account", object_id=account_id,
                 payload={"role": role.value, "scope_type": scope_type.value, "scope_id": scope_id}, now=now)
    return grant


def create_account_with_roles(session: Session, *, display_name: str, email: str | None, phone: str | None,
                              password: str, roles: list[str], now: datetime | None = None) -> Account:
    """For `civic users create`: a local account with its roles, all validated before anything is written."""
    from civic.clock import now as clock_now

    now = now or clock_now()
    name = rules.check_display_name(display_name)
    if not email and not phone:
        raise InvalidInput(N_("Give an email address or a phone number (or both)."), field="identifier")
    email_value = rules.normalise_email(email) if email else None
    phone_value = rules.normalise_phone(phone) if phone else None
    rules.check_new_password(password)
    for spec in roles:
        rules.parse_role_spec(spec)  # refuse a bad role before creating the account
    account = insert_account(session, display_name=name, email=email_value, phone=phone_value, password=password,
                              locale=None, now=now, method="cli")
    for spec in dict.fromkeys(roles):
        grant_role(session, account_id=account.id, spec=spec, granted_by=None, now=now)
    return account


def staff_accounts(session: Session, path: str) -> list[int]:
    """Active accounts holding the staff role on the place at `path` or any place above it (one query):
    whom to tell about something that needs the place's staff."""
    return list(session.execute(
        select(RoleGrant.account_id).join(Account, Account.id == RoleGrant.account_id)
        .where(RoleGrant.role == Role.staff, RoleGrant.scope_type == ScopeType.place,
               RoleGrant.scope_id.in_(path_ids(path)), Account.is_active)
        .distinct().order_by(RoleGrant.account_id)).scalars())
