"""OpenID Connect single sign-on: the Authlib client, and turning verified claims into an account.

The protocol (state, nonce, code exchange, id_token signature and claims) is Authlib's job; this module
only decides *which* account a verified identity is, which is the part that can leak accounts if wrong.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from civic import audit
from civic.auth import rules
from civic.auth.models import Account, OidcIdentity
from civic.auth.service import SignedIn, insert_account, record_sign_in
from civic.errors import InvalidInput, PermissionDenied
from civic.i18n import N_
from civic.settings import Settings

CLIENT_NAME = "civic_sso"
SCOPE = "openid email profile"


def make_registry(settings: Settings, *, transport: Any | None = None):
    """Register the provider with Authlib's Starlette client; `transport` (httpx2) lets tests reach an
    in-process provider. Imported lazily so that the domain does not load Starlette at import time."""
    from authlib.integrations.starlette_client import OAuth

    client_kwargs: dict[str, Any] = {"scope": SCOPE, "code_challenge_method": "S256"}
    if transport is not None:
        client_kwargs["transport"] = transport
    oauth = OAuth()
    oauth.register(
        CLIENT_NAME,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret or None,
        server_metadata_url=settings.oidc_issuer + "/.well-known/openid-configuration",
        client_kwargs=client_kwargs,
    )
    return oauth


def _verified_email(claims: dict[str, Any]) -> str | None:
    """The email only if the provider vouches for it; some providers send the flag as the string "true"."""
    email = claims.get("email")
    if not isinstance(email, str) or claims.get("email_verified") not in (True, "true"):
        return None
    try:
        return rules.normalise_email(email)
    except InvalidInput:
        return None


def _display_name(claims: dict[str, Any]) -> str:
    for key in ("name", "preferred_username", "nickname"):
        value = claims.get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())[: rules.DISPLAY_NAME_MAX]
    email = claims.get("email")
    if isinstance(email, str) and "@" in email:
        return email.split("@", 1)[0][: rules.DISPLAY_NAME_MAX]
    return "Resident"


def sign_in_with_claims(session: Session, *, issuer: str, claims: dict[str, Any], now: datetime) -> SignedIn:
    """Find the account for verified id_token claims: by (issuer, subject), else by verified email, else new."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise InvalidInput(N_("The sign-in service did not say who you are."))
    identity = session.execute(
        select(OidcIdentity).where(OidcIdentity.issuer == issuer, OidcIdentity.subject == subject)
    ).scalar_one_or_none()
    if identity is not None:
        account = session.get(Account, identity.account_id)
    else:
        account = _link_or_create(session, issuer=issuer, subject=subject, claims=claims, now=now)
    if account is None or not account.is_active:
        raise PermissionDenied(N_("This account has been disabled."))
    return record_sign_in(session, account, now=now, method="oidc")


def _link_or_create(session: Session, *, issuer: str, subject: str, claims: dict[str, Any],
                    now: datetime) -> Account:
    email = _verified_email(claims)
    account = None
    if email is not None:
        # Linking by an UNVERIFIED email would let anyone who types a victim's address at the provider
        # take over the victim's account, so only a verified one links.
        account = session.execute(select(Account).where(Account.email == email)).scalar_one_or_none()
    if account is None:
        account = insert_account(session, display_name=_display_name(claims), email=email, phone=None,
                                  password=None, locale=None, now=now, method="oidc")
    session.add(OidcIdentity(issuer=issuer, subject=subject, account_id=account.id, created_at=now))
    session.flush()
    audit.record(session, actor_id=account.id, action="account.sso_linked", object_type="account",
                 object_id=account.id, payload={"issuer": issuer}, now=now)
    return account
