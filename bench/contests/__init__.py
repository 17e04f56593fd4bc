"""The contests suite: `civic match` and `civic rank` on generated open data.

`run()` returns the rows for `python -m bench`; `python -m bench.contests` runs this suite alone.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.contests import matching, pages


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="civic-bench-contests-") as tmp:
        return [*matching.measure(Path(tmp)), *pages.measure()]
