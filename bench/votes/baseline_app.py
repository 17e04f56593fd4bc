"""The baseline the cast path is compared with: a bare Starlette app, no middleware, one POST endpoint
that reads the same form and inserts one row with SQLAlchemy Core in the threadpool, through an engine
from civic.db.make_engine (so SQLite gets the same one-writer pool, WAL and BEGIN IMMEDIATE).

Served by bench.votes.serve exactly like Civic: `create_app` is the factory, CIVIC_DATABASE_URL the database.
"""

from __future__ import annotations

import contextlib
import os

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, insert
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route

from civic.clock import now
from civic.db import make_engine

metadata = MetaData()
rows = Table(
    "bench_row", metadata,
    Column("id", Integer, primary_key=True),
    Column("voter_key", String(80), nullable=False),
    Column("choice", String(20), nullable=False),
    Column("cast_at", DateTime, nullable=False),
)


def create_app() -> Starlette:
    engine = make_engine(os.environ["CIVIC_DATABASE_URL"])

    def write(voter_key: str, choice: str) -> None:
        with engine.begin() as conn:
            conn.execute(insert(rows).values(voter_key=voter_key, choice=choice, cast_at=now().replace(tzinfo=None)))

    async def add_row(request: Request):
        form = await request.form()
        await run_in_threadpool(write, str(form.get("voter_key", "")), str(form.get("choice", "")))
        return RedirectResponse("/rows", status_code=303)  # answered like Civic's cast: post/redirect/get

    async def health(request: Request):
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        engine.dispose()

    return Starlette(routes=[Route("/rows", add_row, methods=["POST"]), Route("/healthz", health)],
                     lifespan=lifespan)
