"""Accounts, single-sign-on identities, scoped role grants and sign-in attempts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from civic.clock import now
from civic.db import UTCDateTime


class Role(StrEnum):
    administrator = "administrator"
    staff = "staff"  # of a community (scope: place)
    planner = "planner"  # of a planning project
    judge = "judge"  # of a contest
    reviewer = "reviewer"  # of a grant programme
    officer = "officer"  # of a grant programme
    treasurer = "treasurer"  # of a grant programme
    ngo_member = "ngo_member"  # of an NGO
    grid_worker = "grid_worker"  # of a grid (网格员)


class ScopeType(StrEnum):
    global_ = "global"
    place = "place"
    planning_project = "planning_project"
    contest = "contest"
    grant_programme = "grant_programme"
    ngo = "ngo"
    grid = "grid"


# The scope each role is granted on; administrators hold the global scope only.
ROLE_SCOPE = {
    Role.administrator: ScopeType.global_,
    Role.staff: ScopeType.place,
    Role.planner: ScopeType.planning_project,
    Role.judge: ScopeType.contest,
    Role.reviewer: ScopeType.grant_programme,
    Role.officer: ScopeType.grant_programme,
    Role.treasurer: ScopeType.grant_programme,
    Role.ngo_member: ScopeType.ngo,
    Role.grid_worker: ScopeType.grid,
}


class Account(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str | None = Field(default=None, max_length=254, unique=True)
    phone: str | None = Field(default=None, max_length=32, unique=True)
    display_name: str = Field(max_length=120)
    password_hash: str | None = Field(default=None, max_length=200)
    locale: str | None = Field(default=None, max_length=16)
    person_id: int | None = Field(default=None, foreign_key="person.id", unique=True)
    is_active: bool = True
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class OidcIdentity(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: int | None = Field(default=None, primary_key=True)
    issuer: str = Field(max_length=300)
    subject: str = Field(max_length=255)
    account_id: int = Field(foreign_key="account.id", index=True)
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class RoleGrant(SQLModel, table=True):
    """A role held within a scope: staff of community 12, judge of contest 3, administrator globally (0)."""

    __table_args__ = (UniqueConstraint("account_id", "role", "scope_type", "scope_id"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    role: str = Field(max_length=20)
    scope_type: str = Field(max_length=20)
    scope_id: int = 0
    granted_by: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class LoginFailure(SQLModel, table=True):
    """Failed sign-ins, kept in the database so that throttling holds across several workers."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, index=True)
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime, index=True)
