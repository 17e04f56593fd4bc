"""What every votes measure shares: run lengths from the environment, result rows, temporary databases."""

from __future__ import annotations

import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

SUITE = "votes"
# Seconds each HTTP configuration is measured, after a shorter warm-up (CIVIC_BENCH_SECONDS=2 for a quick run).
SECONDS = float(os.environ.get("CIVIC_BENCH_SECONDS", "6"))
WARMUP = min(2.0, max(0.5, SECONDS / 3))
CLIENTS = int(os.environ.get("CIVIC_BENCH_CLIENTS", "64"))
# The big vote: 1,000,000 roll entries and ballots unless told otherwise (CIVIC_BENCH_BALLOTS=100000 is quick).
BALLOTS = int(os.environ.get("CIVIC_BENCH_BALLOTS", "1000000"))
# The server the bench creates (and drops) its own databases on.
PG_ADMIN_URL = os.environ.get("CIVIC_BENCH_PG_URL") or os.environ.get("CIVIC_TEST_DATABASE_URL") \
    or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ("sqlite", "pg")


def log(message: str) -> None:
    print(f"  votes: {message}", file=sys.stderr, flush=True)


def row(measure: str, value: float, unit: str, target: str, ok: bool) -> dict:
    return {"suite": SUITE, "measure": measure, "value": value, "unit": unit, "target": target, "ok": bool(ok)}


def scale_label(n: int = BALLOTS) -> str:
    """1000000 → "1M", 100000 → "100k": measure names say at what size they were taken."""
    return f"{n / 1_000_000:g}M" if n >= 1_000_000 else f"{n / 1000:g}k"


def pg_available() -> bool:
    engine = create_engine(PG_ADMIN_URL)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception as exc:  # any failure to connect means "no PostgreSQL here"
        log(f"PostgreSQL at {make_url(PG_ADMIN_URL).render_as_string()} unreachable: {exc.__class__.__name__}")
        return False
    finally:
        engine.dispose()


@contextmanager
def temporary_database(backend: str, label: str) -> Iterator[str]:
    """A fresh database URL: an SQLite file in a temporary directory (WAL comes from make_engine), or a
    uniquely named PostgreSQL database. Both are removed afterwards, also when the measure fails."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix=f"civic-bench-{label}-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        return
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"civic_bench_{label}_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


async def asgi_get(app, path: str, query: str, headers: dict[str, str]) -> tuple[int, bytes]:
    """One GET through the app as a server would make it (no HTTP client in the measured time)."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query.encode(),
             "root_path": "", "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80)}
    status, body = [0], []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            status[0] = message["status"]
        elif message["type"] == "http.response.body":
            body.append(message.get("body", b""))

    await app(scope, receive, send)
    return status[0], b"".join(body)
