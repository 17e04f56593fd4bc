"""Casting over real HTTP: Civic's POST /votes/{id}/ballot against a one-row-insert baseline, with the
same uvicorn set-up, the same 64 keep-alive clients and the same database settings.

Every client is a distinct signed-in voter representing one key of the vote's roll. It casts again and
again, moving through yes → no → abstain, so after its first cast every request changes the ballot:
the full path (session, user load, CSRF, chain append, ballot upsert, two shard updates, flash).
"""

from __future__ import annotations

import base64
import json
import secrets
import tempfile
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

from itsdangerous import TimestampSigner
from sqlalchemy import Engine, func, select

from bench.votes import baseline_app, data
from bench.votes.common import CLIENTS, SECONDS, WARMUP, log, row, temporary_database
from bench.votes.loadgen import Result, request, run_load
from bench.votes.serve import serving
from civic.auth.identity import session_stamp
from civic.auth.models import Account
from civic.db import make_engine
from civic.votes.models import Ballot, BallotEvent
from civic.web.app import SESSION_COOKIE

CHOICES = ("yes", "no", "abstain")
P99_TARGET_MS = 150
RATIO_TARGET = 0.5


def session_cookie(secret: str, voter: data.Voter, csrf: str) -> str:
    """The cookie SessionMiddleware would have set after sign-in (as tests/conftest.py forges it).
    The clients keep sending it and ignore Set-Cookie: each cast's flash then starts from an empty
    list, as after a browser's redirected GET had shown the previous one."""
    stamp = session_stamp(Account(id=voter.account_id, display_name="", password_hash=None))
    payload = base64.b64encode(json.dumps({"uid": voter.account_id, "stamp": stamp, "csrf": csrf}).encode())
    return f"{SESSION_COOKIE}={TimestampSigner(secret).sign(payload).decode()}"


def run_backend(backend: str) -> list[dict]:
    """Baseline then Civic, with one and with two server processes, on one fresh database. The servers
    run as in production (CIVIC_ENV=production, an explicit secret): no development shortcuts."""
    rows: list[dict] = []
    secret = secrets.token_urlsafe(48)
    with temporary_database(backend, "cast") as url, tempfile.TemporaryDirectory(prefix="civic-bench-") as tmp:
        engine = make_engine(url)
        try:
            data.create_schema(engine)
            baseline_app.metadata.create_all(engine)
            place_id = data.add_place(engine)
            voters = data.add_voters(engine, CLIENTS)
            env = {"CIVIC_DATABASE_URL": url, "CIVIC_SECRET_KEY": secret, "CIVIC_ENV": "production",
                   "CIVIC_VAR_DIR": tmp}
            for workers in (1, 2):
                label = f"{backend} {workers}w"
                base = _baseline(engine, voters, workers, env, Path(tmp), label)
                cast = _civic(engine, voters, workers, env, Path(tmp), label, secret, place_id)
                rows += _rows(label, base, cast)
        finally:
            engine.dispose()
    return rows


def _baseline(engine: Engine, voters, workers: int, env: dict, tmp: Path, label: str) -> Result:
    log(f"baseline {label}: {CLIENTS} clients, {WARMUP:g}+{SECONDS:g} s")
    before = _count(engine, select(func.count()).select_from(baseline_app.rows))
    with serving("bench.votes.baseline_app:create_app", workers=workers, env=env, log_dir=tmp) as port:
        clients = [[request("POST", "/rows", port=port, form=urlencode(
            {"csrf_token": "x" * 43, "voter_key": f"owner:{v.person_id}", "choice": CHOICES[(n + k) % 3]}))
            for k in range(3)] for n, v in enumerate(voters)]
        result = run_load(port, clients, seconds=SECONDS, warmup=WARMUP)
    written = _count(engine, select(func.count()).select_from(baseline_app.rows)) - before
    _check(result, written == result.total_ok, f"{written} rows written for {result.total_ok} answers")
    _report("baseline", label, result)
    return result


def _civic(engine: Engine, voters, workers: int, env: dict, tmp: Path, label: str, secret: str,
           place_id: int) -> Result:
    log(f"civic cast {label}: {CLIENTS} clients, {WARMUP:g}+{SECONDS:g} s")
    vote_id = data.add_open_vote(engine, place_id, f"cast {label}")  # a fresh vote (and board) per run
    data.put_on_roll(engine, vote_id, voters)
    with serving("civic.web.app:create_app", workers=workers, env=env, log_dir=tmp) as port:
        clients = []
        for n, voter in enumerate(voters):
            csrf = secrets.token_urlsafe(32)
            cookie = session_cookie(secret, voter, csrf)
            clients.append([request("POST", f"/votes/{vote_id}/ballot", port=port, cookie=cookie,
                                    form=urlencode({"csrf_token": csrf, "choice": CHOICES[(n + k) % 3]}))
                            for k in range(3)])
        result = run_load(port, clients, seconds=SECONDS, warmup=WARMUP, bad_location="/login")
    if result.errors:
        _server_exceptions(tmp, port)
    # Every 303 must be a committed cast: one board event each, and one counted ballot per voter.
    events = _count(engine, select(func.count()).where(BallotEvent.vote_id == vote_id))
    ballots = _count(engine, select(func.count()).where(Ballot.vote_id == vote_id))
    _check(result, events == result.total_ok and ballots == len(voters),
           f"{events} events and {ballots} ballots for {result.total_ok} answers from {len(voters)} voters")
    _report("civic cast", label, result)
    return result


def _server_exceptions(tmp: Path, port: int) -> None:
    """What the servers logged for their 500s: each distinct exception line, with how often."""
    found = Counter(line.strip() for log_file in tmp.glob(f"server-{port}-*.log")
                    for line in log_file.read_text(errors="replace").splitlines()
                    if line[:1].isalpha() and ("Error" in line.split(":")[0] or "Exception" in line.split(":")[0]))
    for line, times in found.most_common(5):
        log(f"  server log ({times} lines): {line[:300]}")


def _count(engine: Engine, statement) -> int:
    with engine.connect() as conn:
        return conn.execute(statement).scalar_one()


def _check(result: Result, ok: bool, what: str) -> None:
    if not ok:
        log(f"MISMATCH: {what}")
        result.errors += 1
        result.samples.append(f"database check: {what}")


def _report(kind: str, label: str, r: Result) -> None:
    log(f"{kind} {label}: {r.rate:,.0f}/s, p50 {r.p50_ms} ms, p99 {r.p99_ms} ms, max {r.max_ms} ms, "
        f"errors {r.errors}, statuses {r.statuses}")
    for sample in r.samples:
        log(f"  error: {sample}")


def _rows(label: str, base: Result, cast: Result) -> list[dict]:
    ratio = round(cast.rate / base.rate, 3) if base.rate else 0.0
    return [
        row(f"baseline {label} rows/s", base.rate, "/s", "info", base.errors == 0),
        row(f"baseline {label} p99", base.p99_ms, "ms", "info", base.errors == 0),
        row(f"cast {label} ballots/s", cast.rate, "/s", "info", True),
        row(f"cast {label} p50", cast.p50_ms, "ms", "info", True),
        row(f"cast {label} p99", cast.p99_ms, "ms", f"≤ {P99_TARGET_MS} ms",  # no cast measured is no p99
            cast.measured > 0 and cast.p99_ms <= P99_TARGET_MS),
        row(f"cast {label} ratio", ratio, "×", f"≥ {RATIO_TARGET}", ratio >= RATIO_TARGET),
        row(f"cast {label} errors", cast.errors, "", "0", cast.errors == 0),
    ]
