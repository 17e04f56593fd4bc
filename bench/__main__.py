"""`python -m bench`: run every suite, print one table, write the figures as JSON."""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

SUITES = ["bench.register_import", "bench.votes", "bench.contests", "bench.planning"]
RESULTS = Path(__file__).resolve().parent / "results"


def main() -> int:
    rows = []
    for name in SUITES:
        print(f"running {name} …", file=sys.stderr, flush=True)
        rows.extend(importlib.import_module(name).run())
    width = max(len(r["measure"]) for r in rows)
    print(f"{'suite':<10} {'measure':<{width}} {'value':>10} {'unit':<5} {'target':<10} ok")
    for r in rows:
        print(f"{r['suite']:<10} {r['measure']:<{width}} {r['value']:>10} {r['unit']:<5} {r['target']:<10} "
              f"{'yes' if r['ok'] else 'NO'}")
    RESULTS.mkdir(exist_ok=True)
    report = {"when": datetime.now(UTC).isoformat(), "machine": {"cpus": os.cpu_count(),
              "python": platform.python_version(), "platform": platform.platform()}, "results": rows}
    (RESULTS / "latest.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"written {RESULTS / 'latest.json'}", file=sys.stderr)
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
