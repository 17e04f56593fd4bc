"""`python -m bench.planning`: this suite alone, printed as a table (nothing written)."""

from __future__ import annotations

import sys

from bench.planning import run


def main() -> int:
    rows = run()
    width = max(len(r["measure"]) for r in rows)
    for r in rows:
        print(f"{r['measure']:<{width}} {r['value']:>10} {r['unit']:<5} {r['target']:<10} "
              f"{'yes' if r['ok'] else 'NO'}")
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
