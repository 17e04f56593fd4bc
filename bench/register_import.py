"""Time `civic register import` on a generated 20,000-row file (SQLite in a temporary directory).

Run: .venv/bin/python -m bench.register_import [ROWS]   — prints the figures; nothing is asserted.
"""

from __future__ import annotations

import csv
import random
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, update
from sqlmodel import SQLModel

from civic.db import import_all_models, make_engine
from civic.places import importer
from civic.places.models import Place


def generate(path: Path, rows: int, *, seed: int = 278) -> None:
    """About 10% co-owned units (two rows), 5% second units, 3% developer-held; 4 communities."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.DictWriter(fh, fieldnames=importer.COLUMNS)
        out.writeheader()
        written, unit, people = 0, 0, 0
        while written < rows:
            unit += 1
            community = unit % 4
            place = {"street": "南湖街", "community": f"社区{community}", "compound": f"小区{community}-{unit % 10}",
                     "building": f"{unit % 25 + 1}栋", "unit_ref": f"U{unit:07d}", "unit_number": f"{unit:06d}",
                     "floor": str(unit % 30 + 1), "area_m2": f"{rng.randint(4500, 16000) / 100:.2f}",
                     "area_source": "registered", "use": "residential", "owned_since": "2018-04-01"}
            draw = rng.random()
            if draw < 0.03:
                owners = [("DEV", "武汉某置业有限公司", "developer", "")]
            elif draw < 0.08 and people:
                n = rng.randint(1, people)
                owners = [(f"P{n:07d}", f"业主{n}", "natural", "")]
            else:
                people += 1
                owners = [(f"P{people:07d}", f"业主{people}", "natural", "")]
                if draw > 0.9:
                    people += 1
                    owners = [(owners[0][0], owners[0][1], "natural", "yes"),
                              (f"P{people:07d}", f"业主{people}", "natural", "no")]
            for ref, name, kind, share in owners:
                out.writerow({**place, "owner_ref": ref, "owner_name": name, "owner_kind": kind,
                              "owner_phone": f"139{rng.randint(0, 99_999_999):08d}", "share_representative": share})
                written += 1


def run(rows: int = 20_000) -> list[dict]:
    """The figures for `make bench`: first import and an unchanged re-import of `rows` rows."""
    import_all_models()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        csv_path, db = Path(tmp) / "register.csv", Path(tmp) / "bench.sqlite3"
        generate(csv_path, rows)
        engine = make_engine(f"sqlite:///{db}")
        SQLModel.metadata.create_all(engine)
        with engine.begin() as conn:
            district = conn.execute(insert(Place.__table__).values(kind="district", name="武昌区", code="420106",
                                                                   path="/")).inserted_primary_key[0]
            conn.execute(update(Place.__table__).values(path=f"/{district}/"))
        for label in ("first import", "re-import (no changes)"):
            started = time.perf_counter()
            importer.import_file(engine, str(csv_path), progress=False)
            seconds = time.perf_counter() - started
            results.append({"suite": "register", "measure": f"{label}, {rows:,} rows (SQLite)",
                            "value": round(seconds, 3), "unit": "s", "target": "< 60 s",
                            "ok": seconds < 60})
        engine.dispose()
    return results


if __name__ == "__main__":
    for result in run(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000):
        print(f"{result['measure']}: {result['value']} {result['unit']}")
