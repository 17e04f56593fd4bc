"""The contest page and the results page with 300 entries: the SQL statements one request runs (the same as
with 30 entries: no query per entry) and the median server time.

Each database holds four contests of a compound: two open for backing (30 and 300 accepted entries, each with
two money pledges, one of volunteer hours and one of materials) and two whose results are published (30 and
300 funded entries, each scored by five judges). Requests go straight to the ASGI app (no socket, no HTTP
client), signed in as the lead of an entry, so the time is the server's own: middleware, session, the page's
queries and its rendering. The contest page lists 50 entries a page with their progress bars, the results page
100 rows with every judge's score.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, event, insert

from bench.contests.matching import contests_row, log
from bench.votes import data
from bench.votes.casting import session_cookie
from bench.votes.common import BACKENDS, asgi_get, pg_available, temporary_database
from bench.votes.data import complete
from civic import clock
from civic.auth.models import Role, RoleGrant, ScopeType
from civic.contests import results
from civic.contests.models import (
    Contest,
    ContestEntry,
    ContestStatus,
    EntryMember,
    EntryStatus,
    Funding,
    MaterialNeed,
    Pledge,
    PledgeKind,
    RubricCriterion,
    RubricLevel,
    ScoreSheet,
)
from civic.db import make_engine, session_scope
from civic.settings import Settings
from civic.web.app import create_app

SIZES = (30, 300)
ACCOUNTS = 40  # residents: team leads and backers
JUDGES = 5
WARMUP, REQUESTS = 5, 20
TARGET_MS = 50.0
DAY = timedelta(days=1)
PAGES = {"backing": "contest page", "results": "results page"}


# ---- the data --------------------------------------------------------------------------------------------

def _insert(conn, model, rows: list[dict]) -> list[int]:
    """Core inserts (the ORM is slow at this size) with the model's defaults; the new ids in order."""
    table = model.__table__
    return conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True),
                        [complete(model, r) for r in rows]).scalars().all()


def add_contest(engine: Engine, place_id: int, accounts: list[int], judges: list[int], n: int, phase: str,
                rng: random.Random) -> int:
    """A published contest of `n` accepted entries, open for backing or with its judging closed."""
    now = clock.now()
    # Ten-day phases; now is one day into backing, or one day after judging closed.
    start = now - DAY - timedelta(days=20 if phase == "backing" else 40)
    dates = dict(zip(("submission_opens_at", "submission_closes_at", "backing_opens_at", "backing_closes_at",
                      "judging_closes_at"), (start + timedelta(days=10) * i for i in range(5)), strict=True))
    closed = phase == "results"
    with engine.begin() as conn:
        contest_id = _insert(conn, Contest, [dict(
            place_id=place_id, title=f"了不起的居民 {n} {phase}", description="志愿服务项目众筹大赛",
            status=ContestStatus.published, prize_pool_fen=100_000_00, advance_count=20, winner_count=3,
            jury_weight=70, support_weight=30, matching_cap_percent=10, published_at=start - DAY,
            backing_settled_at=dates["backing_closes_at"] if closed else None, **dates)])[0]
        criteria = _insert(conn, RubricCriterion, [
            dict(contest_id=contest_id, position=p, name=name, description=f"{name}的评分说明", weight=w)
            for p, (name, w) in enumerate((("影响力", 40), ("可行性", 30), ("居民参与", 30)))])
        _insert(conn, RubricLevel, [dict(criterion_id=c, score=s, description=f"{s} 分")
                                    for c in criteria for s in range(1, 6)])
        entry_ids = _insert(conn, ContestEntry, [dict(
            contest_id=contest_id, title=f"社区项目 {i + 1:03d}", summary=f"第 {i + 1} 个志愿服务项目：邻里一起做。",
            money_goal_fen=2_000_00, hours_goal=20, status=EntryStatus.accepted,
            funding=Funding.funded if closed else Funding.pending, submitted_at=start + DAY, screened_at=start + 11 * DAY,
            created_by=accounts[i % len(accounts)]) for i in range(n)])
        _insert(conn, EntryMember, [dict(entry_id=e, account_id=accounts[i % len(accounts)], is_lead=True)
                                    for i, e in enumerate(entry_ids)])
        needs = _insert(conn, MaterialNeed, [dict(entry_id=e, item="花盆", quantity=20, unit="个") for e in entry_ids])
        pledges = []
        for i, (entry_id, need_id) in enumerate(zip(entry_ids, needs, strict=True)):
            backers = [a for a in accounts if a != accounts[i % len(accounts)]]
            a, b, c, d = rng.sample(backers, 4)
            pledges += [dict(entry_id=entry_id, account_id=a, kind=PledgeKind.money, amount_fen=1_200_00),
                        dict(entry_id=entry_id, account_id=b, kind=PledgeKind.money, amount_fen=rng.randint(1, 1500) * 100),
                        dict(entry_id=entry_id, account_id=c, kind=PledgeKind.hours, hours=rng.randint(1, 8)),
                        dict(entry_id=entry_id, account_id=d, kind=PledgeKind.materials, material_need_id=need_id,
                             quantity=rng.randint(1, 10))]
        _insert(conn, Pledge, pledges)
        if closed:
            _insert(conn, RoleGrant, [dict(account_id=j, role=Role.judge, scope_type=ScopeType.contest,
                                           scope_id=contest_id) for j in judges])
            _insert(conn, ScoreSheet, [dict(contest_id=contest_id, entry_id=e, judge_id=j, complete=True,
                                            total=rng.randint(100, 500)) for j in judges for e in entry_ids])
    if closed:  # published once, as the job would have: the page then reads the stored document
        with session_scope(engine) as session:
            results.publish_results(session, contest_id=contest_id, now=now)
    return contest_id


# ---- the requests ----------------------------------------------------------------------------------------

def statements(app, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    """How many SQL statements one (warm) request runs, and its body."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        seen.append(statement)

    engine = app.state.engine
    asyncio.run(asgi_get(app, path, "", headers))
    event.listen(engine, "before_cursor_execute", note)
    try:
        status, body = asyncio.run(asgi_get(app, path, "", headers))
    finally:
        event.remove(engine, "before_cursor_execute", note)
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}")
    return len(seen), body


async def _median_ms(app, path: str, headers: dict[str, str]) -> tuple[float, bool]:
    ok = True
    for _ in range(WARMUP):
        status, _body = await asgi_get(app, path, "", headers)
        ok = ok and status == 200
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        status, _body = await asgi_get(app, path, "", headers)
        times.append((time.perf_counter() - started) * 1000)
        ok = ok and status == 200
    return statistics.median(times), ok


def looks_right(phase: str, n: int, body: bytes) -> bool:
    """The page shows what it should: its first 50 entries with their money bars, or its first 100 ranked rows."""
    if phase == "backing":
        return body.count(b'<progress id="money-') == min(n, 50)
    return body.count(b'<th scope="row"><a href="/contests/entries/') == min(n, 100)


def measure_backend(backend: str) -> list[dict]:
    rng = random.Random(11)
    with temporary_database(backend, "contest_pages") as url, \
            tempfile.TemporaryDirectory(prefix="civic-bench-") as tmp:
        engine = make_engine(url)
        try:
            data.create_schema(engine)
            place_id = data.add_place(engine)
            residents = data.add_voters(engine, ACCOUNTS + JUDGES)
            accounts = [v.account_id for v in residents[:ACCOUNTS]]
            judges = [v.account_id for v in residents[ACCOUNTS:]]
            started = time.perf_counter()
            contests = {(phase, n): add_contest(engine, place_id, accounts, judges, n, phase, rng)
                        for phase in PAGES for n in SIZES}
            log(f"four contests of {' and '.join(map(str, SIZES))} entries in {backend} in "
                f"{time.perf_counter() - started:.1f} s")
            secret = secrets.token_urlsafe(48)
            app = create_app(Settings(env="production", database_url=url, secret_key=secret, var_dir=Path(tmp)),
                             engine=engine)
            # Signed in as a team lead: the viewer's roles and own entries are read too.
            headers = {"cookie": session_cookie(secret, residents[0], secrets.token_urlsafe(32))}
            rows = []
            for phase, page in PAGES.items():
                path = "/contests/{}" if phase == "backing" else "/contests/{}/results"
                counted = {}
                right = True
                for n in SIZES:
                    counted[n], body = statements(app, path.format(contests[phase, n]), headers)
                    right = right and looks_right(phase, n, body)
                small, big = counted[SIZES[0]], counted[SIZES[-1]]
                log(f"{page} ({backend}): {small} statements with {SIZES[0]} entries, {big} with {SIZES[-1]}")
                rows.append(contests_row(f"{page} statements ({SIZES[0]} → {SIZES[-1]} entries) {backend}", big, "stmt",
                                      f"= {small}", right and big == small))
                median, ok = asyncio.run(_median_ms(app, path.format(contests[phase, SIZES[-1]]), headers))
                log(f"{page} ({backend}, {SIZES[-1]} entries): median {median:.1f} ms over {REQUESTS} requests")
                rows.append(contests_row(f"{page} median ({SIZES[-1]} entries) {backend}", round(median, 1), "ms",
                                      f"≤ {TARGET_MS:g} ms", ok and median <= TARGET_MS))
            return rows
        finally:
            engine.dispose()


def measure() -> list[dict]:
    backends = [b for b in BACKENDS if b != "pg" or pg_available()]
    rows = [] if "pg" in backends else [contests_row("PostgreSQL reachable", 0, "", "yes", False)]
    for backend in backends:
        rows += measure_backend(backend)
    return rows
