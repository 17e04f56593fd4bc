"""Pure account rules: identifiers (email, phone), password policy, role specs, safe redirects.

No session, no request, no clock: everything here is a function of its arguments.
"""

from __future__ import annotations

import re
from typing import Literal

from civic.auth.models import ROLE_SCOPE, Role, ScopeType
from civic.errors import InvalidInput
from civic.i18n import N_

PASSWORD_MIN = 10
# argon2 copes with long inputs, but a megabyte "password" is only ever an attack on CPU time.
PASSWORD_MAX = 200
DISPLAY_NAME_MAX = 120
EMAIL_MAX = 254

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")
_PHONE = re.compile(r"^\+?\d{6,15}$")  # E.164 allows at most 15 digits
_CN_MOBILE = re.compile(r"^1[3-9]\d{9}$")

ROLE_LABELS = {
    Role.administrator: N_("Administrator"),
    Role.staff: N_("Community staff"),
    Role.planner: N_("Community planner"),
    Role.judge: N_("Judge"),
    Role.reviewer: N_("Reviewer"),
    Role.officer: N_("Programme officer"),
    Role.treasurer: N_("Treasurer"),
    Role.ngo_member: N_("NGO member"),
    Role.grid_worker: N_("Grid worker"),
}
SCOPE_LABELS = {
    ScopeType.global_: N_("everywhere"),
    ScopeType.place: N_("place"),
    ScopeType.planning_project: N_("planning project"),
    ScopeType.contest: N_("contest"),
    ScopeType.grant_programme: N_("grant programme"),
    ScopeType.ngo: N_("organisation"),
    ScopeType.grid: N_("grid"),
}


def normalise_email(value: str) -> str:
    """Trimmed and lower-cased (mail providers treat addresses case-insensitively in practice)."""
    email = value.strip().lower()
    if len(email) > EMAIL_MAX or not _EMAIL.match(email):
        raise InvalidInput(N_("“%(value)s” is not a valid email address."), field="identifier", value=value.strip())
    return email


def normalise_phone(value: str) -> str:
    """Separators dropped, 00 → +, a bare 11-digit mainland mobile number gets +86."""
    phone = _PHONE_SEPARATORS.sub("", value.strip())
    if phone.startswith("00"):
        phone = "+" + phone[2:]
    if _CN_MOBILE.match(phone):
        phone = "+86" + phone
    if not _PHONE.match(phone):
        raise InvalidInput(N_("“%(value)s” is not a valid phone number."), field="identifier", value=value.strip())
    return phone


def classify_identifier(value: str) -> tuple[Literal["email", "phone"], str]:
    """An identifier with an @ is an email address, anything else a phone number; both normalised."""
    if not value.strip():
        raise InvalidInput(N_("Enter your email address or mobile phone number."), field="identifier")
    if "@" in value:
        return "email", normalise_email(value)
    return "phone", normalise_phone(value)


def throttle_key_for_identifier(value: str) -> str:
    """The same key for every spelling of one identifier, so "138 0013 8000" and "+8613800138000" add up."""
    try:
        _kind, normalised = classify_identifier(value)
    except InvalidInput:
        normalised = value.strip().lower()
    return f"id:{normalised[:EMAIL_MAX]}"


def throttle_key_for_address(address: str | None) -> str:
    """The throttling key of a client address (prefixed, so it can never equal an identifier's key)."""
    return f"ip:{address or 'unknown'}"


def check_display_name(value: str) -> str:
    """Inner whitespace collapsed; required and at most DISPLAY_NAME_MAX characters."""
    name = " ".join(value.split())
    if not name:
        raise InvalidInput(N_("Enter the name other residents will see."), field="display_name")
    if len(name) > DISPLAY_NAME_MAX:
        raise InvalidInput(N_("The name must be at most %(max)d characters."), field="display_name",
                           max=DISPLAY_NAME_MAX)
    return name


def check_new_password(password: str, confirmation: str | None = None) -> None:
    """At least PASSWORD_MIN characters (length beats composition rules), confirmed when a confirmation is given."""
    if len(password) < PASSWORD_MIN:
        raise InvalidInput(N_("The password must be at least %(min)d characters long."), field="password",
                           min=PASSWORD_MIN)
    if len(password) > PASSWORD_MAX:
        raise InvalidInput(N_("The password must be at most %(max)d characters long."), field="password",
                           max=PASSWORD_MAX)
    if not password.strip():
        raise InvalidInput(N_("The password cannot be only spaces."), field="password")
    if confirmation is not None and confirmation != password:
        raise InvalidInput(N_("The two passwords do not match."), field="password_confirm")


def parse_role_spec(spec: str) -> tuple[Role, ScopeType, int]:
    """"administrator" or "staff:place:12" → (role, scope type, scope id), checked against ROLE_SCOPE."""
    parts = spec.strip().split(":")
    try:
        role = Role(parts[0])
    except ValueError:
        raise InvalidInput(N_("Unknown role “%(role)s”; known roles: %(known)s."), field="role",
                           role=parts[0], known=", ".join(r.value for r in Role)) from None
    expected = ROLE_SCOPE[role]
    if expected is ScopeType.global_:
        if len(parts) != 1 and parts[1:] != ["global", "0"]:
            raise InvalidInput(N_("The role %(role)s is global; give it without a scope."), field="role",
                               role=role.value)
        return role, expected, 0
    if len(parts) != 3:
        raise InvalidInput(N_("The role %(role)s needs a scope, e.g. %(role)s:%(scope)s:12."), field="role",
                           role=role.value, scope=expected.value)
    if parts[1] != expected.value:
        raise InvalidInput(N_("The role %(role)s is granted on a %(scope)s, not on “%(given)s”."), field="role",
                           role=role.value, scope=expected.value, given=parts[1])
    return role, expected, parse_scope_id(parts[2])


def parse_scope_id(value: str) -> int:
    """A positive integer id of the scope (place, contest …)."""
    if not value.strip().isdigit() or int(value) <= 0:
        raise InvalidInput(N_("“%(value)s” is not a valid scope number."), field="scope_id", value=value)
    return int(value)


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site absolute paths: "//host", "/\\host", schemes and control characters fall back."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ch == "\\" or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return default
    return target
