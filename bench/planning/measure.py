"""The measures: the bounding-box endpoint's median for a community-sized view (about 1 km², about a hundred
features) with 10,000 features in the project, the whole district's view (clustered) for reference, and the
statements the endpoint and the project page run with 100 and with 10,000 features (the same: no statement
per feature).

Requests go straight to the ASGI app (no socket, no HTTP client), signed in as a resident, so the time is the
server's own: middleware, session, the queries and the JSON. Each backend gets its own fresh database.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

from bench.planning import data
from bench.votes.casting import session_cookie
from bench.votes.common import BACKENDS, asgi_get, pg_available, row, temporary_database
from bench.votes.data import add_place, add_voters, create_schema
from civic.db import make_engine
from civic.settings import Settings
from civic.web.app import create_app

SUITE = "planning"
SIZES = (100, 10_000)
VIEWS = 20  # different community-sized views, requested in turn
WARMUP, REQUESTS = 10, 100
TARGET_MS = 50.0
WHOLE_TARGET_MS = 150.0  # the whole district at zoom 12: every feature counted and gridded (a reference figure)


def log(message: str) -> None:
    print(f"  planning: {message}", file=sys.stderr, flush=True)


def planning_row(measure: str, value: float, unit: str, target: str, ok: bool) -> dict:
    return {**row(measure, value, unit, target, ok), "suite": SUITE}


def counted(app, path: str, query: str, headers: dict[str, str]) -> tuple[int, int, bytes]:
    """Status, SQL statements and body of one warm request."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        seen.append(statement)

    engine = app.state.engine
    asyncio.run(asgi_get(app, path, query, headers))
    event.listen(engine, "before_cursor_execute", note)
    try:
        status, body = asyncio.run(asgi_get(app, path, query, headers))
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return status, len(seen), body


async def _median_ms(app, path: str, queries: list[str], headers: dict[str, str]) -> tuple[float, bool, list[int]]:
    ok, sizes = True, []
    for i in range(WARMUP):
        status, _body = await asgi_get(app, path, queries[i % len(queries)], headers)
        ok = ok and status == 200
    times = []
    for i in range(REQUESTS):
        query = queries[i % len(queries)]
        started = time.perf_counter()
        status, body = await asgi_get(app, path, query, headers)
        times.append((time.perf_counter() - started) * 1000)
        ok = ok and status == 200
        if i < len(queries):
            sizes.append(len(json.loads(body)["features"]))
    return statistics.median(times), ok, sizes


def _features(body: bytes) -> list[dict]:
    return json.loads(body)["features"]


def measure_backend(backend: str) -> list[dict]:
    with temporary_database(backend, "planning") as url, tempfile.TemporaryDirectory(prefix="civic-bench-") as tmp:
        engine = make_engine(url)
        try:
            create_schema(engine)
            place_id = add_place(engine)
            [author, resident] = add_voters(engine, 2)
            started = time.perf_counter()
            projects = {n: data.add_project(engine, place_id, author.account_id, n, seed=n) for n in SIZES}
            log(f"projects of {' and '.join(f'{n:,}' for n in SIZES)} features in {backend} in "
                f"{time.perf_counter() - started:.1f} s")
            secret = secrets.token_urlsafe(48)
            app = create_app(Settings(env="production", database_url=url, secret_key=secret, var_dir=Path(tmp)),
                             engine=engine)
            headers = {"cookie": session_cookie(secret, resident, secrets.token_urlsafe(32))}
            big, small = projects[SIZES[-1]], projects[SIZES[0]]
            endpoint = "/api/planning/{}/features.geojson"
            views = [f"bbox={bbox}&zoom=16" for bbox in data.community_views(VIEWS, seed=7)]
            rows = []

            # Statements: the whole small project (every feature, one by one) against a community view of the
            # big one (about as many features) and the whole big one (clustered).
            s_status, s_count, s_body = counted(app, endpoint.format(small), "zoom=14", headers)
            b_status, b_count, b_body = counted(app, endpoint.format(big), views[0], headers)
            w_status, w_count, w_body = counted(app, endpoint.format(big), "zoom=12", headers)
            right = (s_status == b_status == w_status == 200 and len(_features(s_body)) > SIZES[0]
                     and all(f["properties"]["kind"] == "cluster" for f in _features(w_body)))
            log(f"endpoint ({backend}): {s_count} statements with {SIZES[0]} features, {b_count} for a community "
                f"view of {SIZES[-1]:,}, {w_count} for all {SIZES[-1]:,} clustered "
                f"({len(_features(w_body))} cells)")
            rows.append(planning_row(f"features endpoint statements ({SIZES[0]} → 10k features) {backend}",
                                     max(b_count, w_count), "stmt", f"= {s_count}",
                                     right and b_count == w_count == s_count))

            median, ok, sizes = asyncio.run(_median_ms(app, endpoint.format(big), views, headers))
            log(f"endpoint ({backend}, 10k features): median {median:.1f} ms for a ~1 km² view over {REQUESTS} "
                f"requests ({min(sizes)}–{max(sizes)} features a view, median {statistics.median(sizes):g})")
            rows.append(planning_row(f"features endpoint median, 1 km² view of 10k {backend}", round(median, 1), "ms",
                                     f"≤ {TARGET_MS:g} ms", ok and median <= TARGET_MS and min(sizes) > 0))
            whole, ok, _sizes = asyncio.run(_median_ms(app, endpoint.format(big), ["zoom=12"], headers))
            log(f"endpoint ({backend}, 10k features): median {whole:.1f} ms for the whole district, clustered")
            rows.append(planning_row(f"features endpoint median, whole 10k clustered {backend}", round(whole, 1),
                                     "ms", f"≤ {WHOLE_TARGET_MS:g} ms", ok and whole <= WHOLE_TARGET_MS))

            rows.append(_project_page(app, projects, headers, backend))
            return rows
        finally:
            engine.dispose()


def _project_page(app, projects: dict[int, int], headers: dict[str, str], backend: str) -> dict:
    """The project page (the list beside the map): its statements with 100 and with 10,000 features."""
    counts, statuses = {}, {}
    for n, project_id in projects.items():
        statuses[n], counts[n], _body = counted(app, f"/planning/{project_id}", "", headers)
    small, big = counts[SIZES[0]], counts[SIZES[-1]]
    log(f"project page ({backend}): answered {statuses[SIZES[0]]}/{statuses[SIZES[-1]]}, {small} statements with "
        f"{SIZES[0]} features, {big} with {SIZES[-1]:,}")
    ok = statuses[SIZES[0]] == statuses[SIZES[-1]] == 200 and big == small
    return planning_row(f"project page statements ({SIZES[0]} → 10k features) {backend}", big, "stmt", f"= {small}", ok)


def measure() -> list[dict]:
    backends = [b for b in BACKENDS if b != "pg" or pg_available()]
    rows = [] if "pg" in backends else [planning_row("PostgreSQL reachable", 0, "", "yes", False)]
    for backend in backends:
        rows += measure_backend(backend)
    return rows
