"""Tallying the big vote: the final count from the database (one GROUP BY over the ballots, then the
rule), and `civic tally` recounting the same vote from its CSV open data."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from bench.votes import data
from bench.votes.common import log, row, scale_label
from civic.votes import rules, service
from civic.votes.models import Vote
from civic.votes.tally import tally_files

DB_TARGET_S = 1.0
CSV_TARGET_S = 5.0
RULE = "cn278-ordinary"


def expected_counts(n: int) -> dict[str, tuple[int, int]]:
    """choice → (heads, area in dm²) of the generated vote, computed without any database or file."""
    totals = {"yes": [0, 0], "no": [0, 0], "abstain": [0, 0]}
    for i in range(n):
        total = totals[data.choice(i)]
        total[0] += 1
        total[1] += data.area_dm2(i)
    return {c: (h, a) for c, (h, a) in totals.items()}


def _as_dm2(counts: rules.Counts) -> dict[str, tuple[int, int]]:
    return {c: (m.heads, int(m.area * 100)) for c, m in
            (("yes", counts.yes), ("no", counts.no), ("abstain", counts.abstain))}


def from_database(engine: Engine, vote_id: int, backend: str, expected: dict) -> list[dict]:
    """Median of three final counts (`counts(live=False)` + `decide`), each in a fresh session."""
    times, decision = [], None
    for _ in range(3):
        with Session(engine) as session:
            vote = session.get(Vote, vote_id)
            started = time.perf_counter()
            decision = rules.decide(rules.PRESETS[vote.rule_name], service.counts(session, vote=vote, live=False))
            times.append(time.perf_counter() - started)
    seconds = statistics.median(times)
    right = _as_dm2(decision.counts) == expected
    log(f"tally from the database ({backend}): {', '.join(f'{t:.3f}' for t in times)} s; "
        f"counts {'match' if right else 'DIFFER FROM'} the generated vote")
    return [row(f"tally {scale_label()} db {backend}", round(seconds, 3), "s", f"≤ {DB_TARGET_S:g} s",
                right and seconds <= DB_TARGET_S)]


def from_csv(directory: Path, n: int, expected: dict) -> list[dict]:
    """`civic tally` as a user runs it (a subprocess: start-up and imports included), and the same
    call in-process for comparison."""
    roll, ballots = data.write_open_data(directory, n)
    cli = Path(sys.executable).with_name("civic")
    command = [str(cli)] if cli.exists() else [sys.executable, "-m", "civic"]
    started = time.perf_counter()
    done = subprocess.run([*command, "tally", "--roll", str(roll), "--ballots", str(ballots), "--rule", RULE,
                           "--json"], capture_output=True, text=True, check=False)
    cli_seconds = time.perf_counter() - started
    right = False
    if done.returncode == 0:
        result = json.loads(done.stdout)
        right = all((result[c]["heads"], int(Decimal(result[c]["area"]) * 100)) == expected[c]
                    for c in expected)
    else:
        log(f"civic tally failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    started = time.perf_counter()
    decision = tally_files(roll, ballots, RULE)
    inproc_seconds = time.perf_counter() - started
    right = right and _as_dm2(decision.counts) == expected
    log(f"civic tally from CSV: {cli_seconds:.2f} s as a command, {inproc_seconds:.2f} s in-process; "
        f"counts {'match' if right else 'DIFFER FROM'} the generated vote")
    label = scale_label(n)
    return [row(f"tally {label} csv (civic tally)", round(cli_seconds, 2), "s", f"≤ {CSV_TARGET_S:g} s",
                right and cli_seconds <= CSV_TARGET_S),
            row(f"tally {label} csv in-process", round(inproc_seconds, 2), "s", "info", right)]
