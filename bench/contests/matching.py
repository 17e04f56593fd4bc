"""`civic match` on 300 entries × 100,000 contribution rows and `civic rank` on 300 entries × 5 judges,
each from generated CSV files, run in-process through `civic.cli.main` (reading, computing and printing
the JSON; interpreter start-up excluded), median of three."""

from __future__ import annotations

import contextlib
import io
import json
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

from bench.votes.common import row
from civic import cli

SUITE = "contests"
ENTRIES = 300
CONTRIBUTIONS = 100_000
JUDGES = 5
BACKERS = 30_000  # fewer backers than rows: many back several entries, some the same entry twice
POOL = "1000000.00"
MATCH_TARGET_S = 2.0
RANK_TARGET_S = 1.0  # not in the brief: a generous bound for 1,500 scores, so that a regression shows


def log(message: str) -> None:
    print(f"  contests: {message}", file=sys.stderr, flush=True)


def contests_row(measure: str, value: float, unit: str, target: str, ok: bool) -> dict:
    return {**row(measure, value, unit, target, ok), "suite": SUITE}


def write_contributions(path: Path, *, seed: int = 7) -> None:
    """Popularity skewed towards low entry ids (every entry gets some); mostly round sums (one square root each), some in fen."""
    rng = random.Random(seed)
    round_sums = ["1", "2", "5", "10", "20", "50", "100", "200", "500"]
    with path.open("w", encoding="utf-8", newline="") as fp:
        fp.write("entry_id,backer_key,amount\n")
        for _ in range(CONTRIBUTIONS):
            entry = int(ENTRIES * rng.random() ** 2) + 1  # entry 1 ~35× as popular as entry 300
            amount = rng.choice(round_sums) if rng.random() < 0.7 else f"{rng.randint(1, 100_000) / 100:.2f}"
            fp.write(f"{entry},b{rng.randrange(BACKERS):05d},{amount}\n")


def write_scores(path: Path, *, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as fp:
        fp.write("judge_id,entry_id,score\n")
        for judge in range(1, JUDGES + 1):
            for entry in range(1, ENTRIES + 1):
                fp.write(f"J{judge},{entry},{rng.randint(0, 1000) / 10:.1f}\n")


def _timed(argv: list[str]) -> tuple[float, dict]:
    """Median seconds of three in-process runs, and the last run's JSON output."""
    times, out = [], ""
    for _ in range(3):
        buffer = io.StringIO()
        started = time.perf_counter()
        with contextlib.redirect_stdout(buffer):
            status = cli.main(argv)
        times.append(time.perf_counter() - started)
        if status != 0:
            raise RuntimeError(f"civic {' '.join(argv)} exited {status}")
        out = buffer.getvalue()
    log(f"civic {argv[0]}: {', '.join(f'{t:.3f}' for t in times)} s")
    return statistics.median(times), json.loads(out)


def measure(directory: Path) -> list[dict]:
    contributions, scores = directory / "contributions.csv", directory / "scores.csv"
    write_contributions(contributions)
    write_scores(scores)
    rows = []
    for method in ("quadratic", "proportional"):
        seconds, result = _timed(["match", "--pool", POOL, "--contributions", str(contributions), "--method",
                                  method, "--cap", "0.05", "--json"])
        placed = sum(Decimal(e["match"]) for e in result["entries"]) + Decimal(result["unallocated"])
        right = placed == Decimal(POOL) and len(result["entries"]) == ENTRIES
        rows.append(contests_row(f"match 300 × 100k csv {method}", round(seconds, 3), "s",
                                 f"≤ {MATCH_TARGET_S:g} s", right and seconds <= MATCH_TARGET_S))
    seconds, result = _timed(["rank", "--scores", str(scores), "--advance", "30", "--json"])
    right = len(result["entries"]) == ENTRIES and sum(e["advances"] for e in result["entries"]) == 30
    rows.append(contests_row("rank 300 × 5 judges csv", round(seconds, 3), "s", f"≤ {RANK_TARGET_S:g} s",
                             right and seconds <= RANK_TARGET_S))
    return rows
