"""Count the SQL a piece of code runs: pages and queries promise a bounded number of statements."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def recorded(bind, *, selects_only: bool = False) -> Iterator[list[str]]:
    """Every statement sent through `bind` (an engine) meanwhile; `selects_only` leaves out BEGIN,
    COMMIT, writes and the like, which are not queries a page makes."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        if not selects_only or statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(bind, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(bind, "before_cursor_execute", note)


@contextmanager
def selects(session) -> Iterator[list[str]]:
    """The SELECTs run through the session's engine meanwhile, starting from an expired session (so
    nothing is served from its identity map)."""
    session.expire_all()
    with recorded(session.get_bind(), selects_only=True) as seen:
        yield seen
