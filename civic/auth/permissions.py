"""Permissions as small pure predicates over the current user; routes and templates both ask these.

`user` is a CurrentUser or Anonymous (civic.auth.identity): anything with `is_authenticated` and `has()`.
"""

from __future__ import annotations

from typing import Protocol

from civic.auth.models import Role, ScopeType
from civic.places.rules import Viewer, can_manage


class UserLike(Protocol):
    is_authenticated: bool

    def has(self, role: str, scope_type: str | None = None, scope_id: int | None = None) -> bool: ...

    def scope_ids(self, role: str) -> set[int]: ...


def is_signed_in(user: UserLike) -> bool:
    """Anyone with an account who is signed in."""
    return bool(user.is_authenticated)


def is_admin(user: UserLike) -> bool:
    """Administrators hold their role in the global scope only (see ROLE_SCOPE)."""
    return user.is_authenticated and user.has(Role.administrator, ScopeType.global_)


def has_scoped_role(user: UserLike, role: str, scope_type: str, scope_id: int) -> bool:
    """`role` held on exactly this scope; an administrator may do anything a scoped role may."""
    return is_admin(user) or (user.is_authenticated and user.has(role, scope_type, scope_id))


def place_viewer(user: UserLike) -> Viewer:
    """The register's view of a user: plain values the places and votes domains decide on."""
    if not user.is_authenticated:
        return Viewer(account_id=None)
    return Viewer(account_id=user.id, person_id=getattr(user, "person_id", None), admin=is_admin(user),
                  staff_place_ids=frozenset(_staff_place_ids(user)))


def is_staff_of_place(user: UserLike, place_path: str) -> bool:
    """Staff of place X covers X and everything under it: every path ("/1/4/9/") containing "/X/"."""
    return bool(place_path) and can_manage(place_viewer(user), place_path)


def _staff_place_ids(user: UserLike) -> set[int]:
    return {scope_id for scope_id in user.scope_ids(Role.staff) if user.has(Role.staff, ScopeType.place, scope_id)}


def is_staff_anywhere(user: UserLike) -> bool:
    """For navigation only (show the register link); each page still checks the place it shows."""
    return is_admin(user) or bool(_staff_place_ids(user))
