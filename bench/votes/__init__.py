"""The votes suite: casting over HTTP against a bare baseline, tallying and the turnout meter at 1M.

`run()` returns the rows for `python -m bench`; `python -m bench.votes` runs this suite alone.
Environment: CIVIC_BENCH_SECONDS (per HTTP configuration, default 6), CIVIC_BENCH_CLIENTS (64),
CIVIC_BENCH_BALLOTS (1000000), CIVIC_BENCH_PG_URL (a PostgreSQL server the bench may create databases on).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.votes import casting, data, tally, turnout
from bench.votes.common import BACKENDS, BALLOTS, log, pg_available, row, temporary_database
from civic.db import make_engine


def big_vote(backend: str, expected: dict) -> list[dict]:
    """Load the n-ballot vote once per database, then tally it and poll its turnout meter."""
    with temporary_database(backend, "big") as url, tempfile.TemporaryDirectory(prefix="civic-bench-") as tmp:
        engine = make_engine(url)
        try:
            data.create_schema(engine)
            voter = data.add_voters(engine, 1)[0]
            started = time.perf_counter()
            vote_id = data.load_big_vote(engine, data.add_place(engine), BALLOTS, representative=voter.person_id)
            log(f"loaded {BALLOTS:,} roll entries, ballots and events into {backend} in "
                f"{time.perf_counter() - started:.1f} s")
            return [*tally.from_database(engine, vote_id, backend, expected),
                    *turnout.measure(engine, url, vote_id, voter, BALLOTS, backend, Path(tmp))]
        finally:
            engine.dispose()


def run() -> list[dict]:
    backends = [b for b in BACKENDS if b != "pg" or pg_available()]
    rows = [] if "pg" in backends else [row("PostgreSQL reachable", 0, "", "yes", False)]
    for backend in backends:
        rows += casting.run_backend(backend)
    expected = tally.expected_counts(BALLOTS)
    for backend in backends:
        rows += big_vote(backend, expected)
    with tempfile.TemporaryDirectory(prefix="civic-bench-csv-") as tmp:
        rows += tally.from_csv(Path(tmp), BALLOTS, expected)
    return rows
