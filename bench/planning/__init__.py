"""The planning suite: the map's bounding-box GeoJSON endpoint with 10,000 features in a district-sized project,
and the SQL statements the endpoint and the project page run as the features grow.

`run()` returns the rows for `python -m bench`; `python -m bench.planning` runs this suite alone.
"""

from __future__ import annotations

from bench.planning import measure


def run() -> list[dict]:
    return measure.measure()
