"""Engine, SQLite pragmas, the constraint naming convention and sessions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import DateTime, Engine, create_engine, event
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

# Named constraints make Alembic migrations reproducible on SQLite (batch mode) and PostgreSQL alike.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

T = TypeVar("T")


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in Python, naive UTC in the database (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use civic.clock.now() or an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


def make_engine(url: str, *, echo: bool = False, sqlite_pool_size: int = 1, immediate: bool = True) -> Engine:
    """Create the engine; SQLite gets WAL, foreign keys, a busy timeout and one connection per process.

    `immediate=False` (tests' arranging sessions only) begins SQLite transactions deferred, so a session
    that only reads never waits for the app's writer.
    """
    if url.startswith("sqlite"):
        # One writer connection per process: more send writers into SQLite's sleeping busy handler
        # (see STACK-NOTES). `check_same_thread=False` because requests run in a threadpool.
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=sqlite_pool_size,
            max_overflow=0,
            pool_timeout=60,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling is switched off in _sqlite_pragmas; every transaction
        # begins with BEGIN IMMEDIATE instead (see _sqlite_begin).
        event.listen(engine, "begin", _sqlite_begin if immediate else _sqlite_begin_deferred)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection) -> None:
    # Writers must take the lock at BEGIN: a deferred transaction that reads and then writes can fail
    # with SQLITE_BUSY_SNAPSHOT under concurrency instead of waiting its turn. Units declared read-only
    # (see read_only) begin deferred, so they never queue behind another process's writer.
    if connection.get_execution_options().get(READ_ONLY_OPTION):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_begin_deferred(connection) -> None:
    connection.exec_driver_sql("BEGIN")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


READ_ONLY_OPTION = "civic_read_only"


def read_only(engine: Engine) -> Engine:
    """The same engine and pool, for units of work that only read (one derived engine per engine).
    PostgreSQL runs them in autocommit — no BEGIN and COMMIT round trips for a few SELECTs; SQLite
    begins them deferred (see _sqlite_begin)."""
    derived = engine.__dict__.get("_civic_read_only")
    if derived is None:
        options = {READ_ONLY_OPTION: True}
        if not is_sqlite(engine):
            options["isolation_level"] = "AUTOCOMMIT"
        derived = engine.__dict__["_civic_read_only"] = engine.execution_options(**options)
    return derived


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def run_in_session(engine: Engine, fn: Callable[..., T], /, **kwargs) -> T:
    """Call `fn(session, **kwargs)` inside one committed unit of work."""
    with session_scope(engine) as session:
        return fn(session, **kwargs)


def import_all_models() -> None:
    """Import every models module so that SQLModel.metadata knows every table (Alembic, create_all)."""
    from civic import audit, notifications, uploads  # noqa: F401
    from civic.auth import models as _auth  # noqa: F401
    from civic.contests import models as _contests  # noqa: F401
    from civic.covenants import models as _covenants  # noqa: F401
    from civic.places import models as _places  # noqa: F401
    from civic.planning import models as _planning  # noqa: F401
    from civic.votes import models as _votes  # noqa: F401
