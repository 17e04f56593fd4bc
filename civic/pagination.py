"""Offset pagination shared by every list page: the page of items plus what the links need."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from sqlalchemy import Select, func, select
from sqlmodel import Session

T = TypeVar("T")
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    number: int
    size: int
    total: int
    query: dict[str, Any] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def url_for(self, number: int) -> str:
        params = {k: v for k, v in self.query.items() if v not in (None, "")}
        params["page"] = number
        return "?" + urlencode(params)


def page_number(raw: str | None) -> int:
    """A page number from a query string; anything odd means page 1 rather than an error."""
    try:
        return max(1, min(int(raw or 1), 100_000))
    except ValueError:
        return 1


def paginate(session: Session, statement: Select, *, number: int, size: int,
             query: dict[str, Any] | None = None, scalars: bool = True) -> Page:
    """Run `statement` for one page, with a count of the whole result (two queries, whatever the size)."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    total = session.execute(select(func.count()).select_from(statement.order_by(None).subquery())).scalar_one()
    result = session.execute(statement.limit(size).offset((number - 1) * size))
    items = result.scalars().all() if scalars else result.all()
    return Page(items=items, number=number, size=size, total=total, query=query or {})
