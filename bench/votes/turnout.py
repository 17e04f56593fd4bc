"""The live turnout meter at scale: GET /votes/{id}?part=turnout as HTMX polls it, on the big vote.

Measured in-process by calling the ASGI app directly (no socket, no HTTP client), so the time is the
server's own: middleware, session, the meter's queries and the fragment's rendering.
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
import time
from pathlib import Path

from sqlalchemy import Engine

from bench.votes import data
from bench.votes.casting import session_cookie
from bench.votes.common import asgi_get, log, row, scale_label
from civic.settings import Settings
from civic.web.app import create_app

TARGET_MS = 5.0
REQUESTS = 200


async def _median_ms(app, path: str, headers: dict[str, str], expect: bytes) -> tuple[float, bool]:
    ok = True
    for _ in range(20):  # warm: templates compiled, statement cache filled, pages in memory
        status, body = await asgi_get(app, path, "part=turnout", headers)
        ok = ok and status == 200 and expect in body
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        status, body = await asgi_get(app, path, "part=turnout", headers)
        times.append((time.perf_counter() - started) * 1000)
        ok = ok and status == 200
    return statistics.median(times), ok and expect in body


def measure(engine: Engine, url: str, vote_id: int, voter: data.Voter, n: int, backend: str, var_dir: Path) -> list[dict]:
    secret = secrets.token_urlsafe(48)
    app = create_app(Settings(env="production", database_url=url, secret_key=secret, var_dir=var_dir),
                     engine=engine)
    signed_in = {"hx-request": "true", "cookie": session_cookie(secret, voter, secrets.token_urlsafe(32))}
    anonymous = {"hx-request": "true"}
    # The fragment must show every ballot (from the shards) against the whole roll, and the full board.
    expect = f"{n} / {n}".encode()
    rows = []
    for who, headers in (("voter", signed_in), ("anonymous", anonymous)):
        median, ok = asyncio.run(_median_ms(app, f"/votes/{vote_id}", headers, expect))
        log(f"turnout fragment ({backend}, {who}): median {median:.2f} ms over {REQUESTS} requests"
            + ("" if ok else "; WRONG ANSWER (status or figures)"))
        rows.append(row(f"turnout {scale_label(n)} median {backend} {who}", round(median, 2), "ms",
                        f"≤ {TARGET_MS:g} ms", ok and median <= TARGET_MS))
    return rows
