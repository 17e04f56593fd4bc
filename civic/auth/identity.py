"""Who is asking: the signed-in account with its role grants, loaded once per request."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select
from sqlmodel import Session

from civic.auth.models import Account, RoleGrant


@dataclass(frozen=True)
class Grant:
    role: str
    scope_type: str
    scope_id: int


@dataclass(frozen=True)
class CurrentUser:
    id: int
    display_name: str
    locale: str | None
    person_id: int | None
    email: str | None = None
    phone: str | None = None
    grants: frozenset[Grant] = field(default_factory=frozenset)
    is_authenticated: bool = True

    def has(self, role: str, scope_type: str | None = None, scope_id: int | None = None) -> bool:
        return any(
            g.role == role and (scope_type is None or g.scope_type == scope_type)
            and (scope_id is None or g.scope_id == scope_id)
            for g in self.grants
        )

    def scope_ids(self, role: str) -> set[int]:
        return {g.scope_id for g in self.grants if g.role == role}


@dataclass(frozen=True)
class Anonymous:
    id: None = None
    display_name: str = ""
    locale: None = None
    person_id: None = None
    grants: frozenset[Grant] = frozenset()
    is_authenticated: bool = False

    def has(self, role: str, scope_type: str | None = None, scope_id: int | None = None) -> bool:
        return False

    def scope_ids(self, role: str) -> set[int]:
        return set()


ANONYMOUS = Anonymous()


def session_stamp(account: Account) -> str:
    """Changes when the password changes, so that other sessions of the account stop working."""
    return hashlib.sha256((account.password_hash or f"sso:{account.id}").encode()).hexdigest()[:16]


# Built once: every signed-in request runs these two, and building a statement costs more than running it.
_ACCOUNT = select(Account.id, Account.display_name, Account.locale, Account.person_id, Account.email, Account.phone,
                  Account.is_active, Account.password_hash).where(Account.id == bindparam("account_id"))
_GRANTS = (select(RoleGrant.role, RoleGrant.scope_type, RoleGrant.scope_id)
           .where(RoleGrant.account_id == bindparam("account_id")))


def load_current_user(session: Session, *, account_id: int, stamp: str | None) -> CurrentUser | None:
    """The account behind a session cookie, or None if it is gone, disabled or its stamp is stale."""
    conn = session.connection()
    account = conn.execute(_ACCOUNT, {"account_id": account_id}).first()
    if account is None or not account.is_active or stamp != session_stamp(account):
        return None
    grants = conn.execute(_GRANTS, {"account_id": account_id}).all()
    return CurrentUser(
        id=account.id, display_name=account.display_name, locale=account.locale, person_id=account.person_id,
        email=account.email, phone=account.phone,
        grants=frozenset(Grant(r, t, i) for r, t, i in grants),
    )
