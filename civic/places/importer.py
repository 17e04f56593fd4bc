"""`civic register import FILE.csv`: units and owners from a property-office CSV (see docs/register.md).

Every row is validated before anything is written; all errors are reported as `FILE:LINE: field: message`;
the import is one transaction of bulk Core statements (no per-row ORM flushes), so 20,000 rows take seconds.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import Connection, Engine, bindparam, insert, select, update
from sqlmodel import Session
from tqdm import tqdm

from civic import audit
from civic.errors import FileInputError
from civic.i18n import N_
from civic.places.models import LinkKind, Person, PersonKind, Place, PlaceKind, Unit, UnitLink, UnitUse
from civic.places.service import register_today

COLUMNS = ["street", "community", "compound", "building", "unit_ref", "unit_number", "floor", "area_m2",
           "area_source", "use", "owner_ref", "owner_name", "owner_kind", "owner_phone",
           "share_representative", "owned_since"]
REQUIRED = ["street", "community", "compound", "building", "unit_ref", "unit_number", "area_m2", "use",
            "owner_ref", "owner_name", "owner_kind", "owned_since"]
OPTIONAL = [c for c in COLUMNS if c not in REQUIRED]
AREA_SOURCES = ("registered", "surveyed", "contract")
MAX_AREA_DM2 = 10_000_000  # 100,000 m²: anything larger is a typo, not a flat
PHONE = re.compile(r"^\+?[0-9][0-9 \-]{4,30}$")
PROGRESS_FROM = 2_000  # rows; smaller files finish before a bar is worth drawing
__all__ = ["COLUMNS", "RegisterFileErrors", "import_file"]


class RegisterFileErrors(FileInputError):
    """Every bad row at once. `one_line()` keeps the first error's `FILE:LINE: message` and adds one line per
    further error, so the CLI (which prints `one_line()`) prints one line per error."""

    def __init__(self, path: str, errors: list[tuple[int | None, str, str]]):
        line, column, problem = errors[0]
        super().__init__(path, line, N_("%(column)s: %(problem)s"), column=column, problem=problem)
        self.errors = errors

    def lines(self) -> list[str]:
        return [f"{self.path}:{line}: {column}: {problem}" if line is not None else f"{self.path}: {column}: {problem}"
                for line, column, problem in self.errors]

    def one_line(self) -> str:
        return "\n".join(self.lines())


@dataclass(frozen=True)
class Row:
    line: int
    names: tuple[str, str, str, str]  # street, community, compound, building
    unit_ref: str
    number: str
    floor: int | None
    area_dm2: int
    area_source: str
    use: str
    owner_ref: str
    owner_name: str
    owner_kind: str
    owner_phone: str | None
    representative: bool
    since: date


def _area(text: str) -> int:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError("must be a decimal number of square metres, like 89.50") from None
    if not value.is_finite() or value <= 0:
        raise ValueError("must be more than 0")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("can have at most 2 decimal places")
    dm2 = int(value * 100)
    if dm2 > MAX_AREA_DM2:
        raise ValueError("is larger than 100,000 m²")
    return dm2


def _parse(line: int, raw: dict[str, str], today: date) -> tuple[Row | None, list[tuple[int, str, str]]]:
    """One CSV record → a Row, or the list of everything wrong with it."""
    errors: list[tuple[int, str, str]] = []
    get = {k: (raw.get(k) or "").strip() for k in COLUMNS}

    def bad(column: str, problem: str) -> None:
        errors.append((line, column, problem))

    for column in REQUIRED:
        if not get[column]:
            bad(column, "is required")
    for column, limit in (("street", 120), ("community", 120), ("compound", 120), ("building", 120),
                          ("unit_ref", 80), ("unit_number", 40), ("owner_ref", 80), ("owner_name", 120)):
        if len(get[column]) > limit:
            bad(column, f"is longer than {limit} characters")
    area = floor = since = None
    if get["area_m2"]:
        try:
            area = _area(get["area_m2"])
        except ValueError as exc:
            bad("area_m2", str(exc))
    if get["floor"]:
        try:
            floor = int(get["floor"])
            if not -10 <= floor <= 200:
                raise ValueError
        except ValueError:
            bad("floor", "must be a whole number between -10 and 200")
    source = get["area_source"] or "registered"
    if source not in AREA_SOURCES:
        bad("area_source", f"must be one of {', '.join(AREA_SOURCES)}")
    if get["use"] and get["use"] not in set(UnitUse):
        bad("use", f"must be one of {', '.join(UnitUse)}")
    if get["owner_kind"] and get["owner_kind"] not in set(PersonKind):
        bad("owner_kind", f"must be one of {', '.join(PersonKind)}")
    if get["owner_phone"] and not PHONE.match(get["owner_phone"]):
        bad("owner_phone", "is not a phone number")
    share = get["share_representative"].lower()
    if share not in ("", "yes", "no"):
        bad("share_representative", "must be yes or no")
    if get["owned_since"]:
        try:
            since = date.fromisoformat(get["owned_since"])
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", get["owned_since"]):
                raise ValueError
            if since > today:
                bad("owned_since", "is in the future")
        except ValueError:
            bad("owned_since", "must be a date like 2016-05-31")
    if errors:
        return None, errors
    return Row(line, (get["street"], get["community"], get["compound"], get["building"]), get["unit_ref"],
               get["unit_number"], floor, area, source, get["use"], get["owner_ref"], get["owner_name"],
               get["owner_kind"], get["owner_phone"] or None, share == "yes", since), []


def _cross_check(rows: list[Row]) -> list[tuple[int, str, str]]:
    """What no single row shows: a unit described two ways, an owner named twice, two representatives."""
    errors = []
    units: dict[str, Row] = {}
    numbers: dict[tuple, Row] = {}
    owners: dict[str, Row] = {}
    pairs: dict[tuple[str, str], Row] = {}
    reps: dict[str, Row] = {}
    for row in rows:
        first = units.setdefault(row.unit_ref, row)
        if first is not row:
            for column, mine, theirs in (("street/community/compound/building", row.names, first.names),
                                         ("unit_number", row.number, first.number), ("floor", row.floor, first.floor),
                                         ("area_m2", row.area_dm2, first.area_dm2),
                                         ("area_source", row.area_source, first.area_source), ("use", row.use, first.use)):
                if mine != theirs:
                    errors.append((row.line, column, f"differs from line {first.line} for the same unit_ref"))
        else:
            other = numbers.setdefault((row.names, row.number), row)
            if other is not row:
                errors.append((row.line, "unit_number",
                               f"building already has this number under unit_ref {other.unit_ref} (line {other.line})"))
        person = owners.setdefault(row.owner_ref, row)
        if person is not row and (person.owner_name, person.owner_kind) != (row.owner_name, row.owner_kind):
            errors.append((row.line, "owner_ref", f"names a different owner than on line {person.line}"))
        pair = pairs.setdefault((row.unit_ref, row.owner_ref), row)
        if pair is not row:
            errors.append((row.line, "owner_ref", f"owns this unit already on line {pair.line}"))
        if row.representative:
            rep = reps.setdefault(row.unit_ref, row)
            if rep is not row:
                errors.append((row.line, "share_representative",
                               f"line {rep.line} already names the representative of this unit"))
    return errors


def read_rows(path: str, *, today: date, progress: bool = False) -> list[Row]:
    """Parse and validate the whole file; raise RegisterFileErrors listing every problem."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")  # -sig: Excel's BOM is accepted and dropped
    except IsADirectoryError:
        raise FileInputError(path, None, N_("is a directory, not a CSV file")) from None
    except UnicodeDecodeError as exc:
        raise FileInputError(path, None, N_("is not UTF-8 text (%(reason)s)"), reason=exc.reason) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header and c not in OPTIONAL]
    if missing:
        raise RegisterFileErrors(path, [(1, "header", f"missing column {c}") for c in missing])
    reader.fieldnames = header
    rows, errors, seen = [], [], 1
    bar = tqdm(total=text.count("\n"), desc="checking", unit="row", file=sys.stderr,
               disable=not progress or text.count("\n") < PROGRESS_FROM, leave=False)
    with bar:
        while True:
            try:
                raw = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                errors.append((reader.line_num, "csv", str(exc)))
                break
            # The line the record starts on: blank lines before it are skipped inside next(), and a quoted
            # field may span lines, so count back from where the reader stopped.
            start = reader.line_num - sum(v.count("\n") for v in raw.values() if isinstance(v, str))
            bar.update(reader.line_num - seen)
            seen = reader.line_num
            if not any((v or "").strip() for v in raw.values() if isinstance(v, str)):
                continue  # blank line
            if raw.get(None):
                errors.append((start, "csv", "has more fields than the header"))
                continue
            row, problems = _parse(start, raw, today)
            errors.extend(problems)
            if row is not None:
                rows.append(row)
    errors.extend(_cross_check(rows))
    if errors:
        order = {c: i for i, c in enumerate(COLUMNS)}
        raise RegisterFileErrors(path, sorted(errors, key=lambda e: (e[0] or 0, order.get(e[1].split("/")[0], -1))))
    if not rows:
        raise FileInputError(path, None, N_("has no rows to import"))
    return rows


def import_file(engine: Engine, path: str, *, dry_run: bool = False, progress: bool = True,
                today: date | None = None) -> str:
    """Validate every row, then create or update places, units, owners and owner links in one transaction."""
    today = today or register_today()
    rows = read_rows(path, today=today, progress=progress)
    with Session(engine) as session:
        try:
            counts = apply(session, path, rows, today=today, progress=progress and len(rows) >= PROGRESS_FROM)
            if not dry_run:
                audit.record(session, actor_id=None, action="register.imported", object_type="file",
                             object_id=Path(path).name[:40], payload={"rows": len(rows), **counts})
        except BaseException:
            session.rollback()
            raise
        if dry_run:
            session.rollback()  # the counts are real: the whole import ran, and is now undone
        else:
            session.commit()
    verb = "Checked (dry run, nothing written)" if dry_run else "Imported"
    return (f"{verb} {path}: {len(rows):,} rows; places: {counts['places_created']} created; "
            f"units: {counts['units_created']:,} created, {counts['units_updated']:,} updated, "
            f"{counts['units_unchanged']:,} unchanged; owners: {counts['people_created']:,} created, "
            f"{counts['people_updated']:,} updated; owner links: {counts['links_created']:,} started, "
            f"{counts['links_updated']:,} changed, {counts['links_ended']:,} ended (until {today.isoformat()}).")



# ---- writing: bulk Core statements inside the caller's transaction ------------------------------------

CHUNK = 900  # ids per IN (...) list: under every SQLite build's variable limit


def _chunks(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _select_in(conn: Connection, columns: list, key, values: Sequence) -> list:
    return [row for chunk in _chunks(list(values)) for row in conn.execute(select(*columns).where(key.in_(chunk)))]


def _update_many(conn: Connection, table, rows: list[dict]) -> None:
    """UPDATE … WHERE id = :b_id as one executemany; bind names avoid the column names SQLAlchemy reserves."""
    if not rows:
        return
    columns = [k for k in rows[0] if k != "id"]
    stmt = update(table).where(table.c.id == bindparam("b_id")).values({c: bindparam(f"b_{c}") for c in columns})
    conn.execute(stmt, [{f"b_{k}": v for k, v in row.items()} for row in rows])


def _buildings(conn: Connection, path: str, rows: list[Row], counts: Counter) -> dict[tuple, int]:
    """Find or create street → community → compound → building by name under the single district."""
    districts = conn.execute(select(Place.id, Place.path).where(Place.kind == PlaceKind.district)).all()
    if len(districts) != 1:
        raise FileInputError(path, None, N_("the register must hold exactly one district to import into; it holds %(count)d"),
                             count=len(districts))
    district_id, district_path = districts[0]
    known: dict[tuple, tuple[int, str]] = {}
    for pid, parent, kind, name, ppath in conn.execute(
        select(Place.id, Place.parent_id, Place.kind, Place.name, Place.path)
        .where(Place.path.startswith(district_path)).order_by(Place.id.desc())
    ):
        known[(parent, kind, name)] = (pid, ppath)  # descending ids: the oldest of any duplicates wins
    table = Place.__table__
    result: dict[tuple, int] = {}
    kinds = (PlaceKind.street, PlaceKind.community, PlaceKind.compound, PlaceKind.building)
    for names in sorted({row.names for row in rows}):
        parent, parent_path = district_id, district_path
        for depth, kind in enumerate(kinds):
            found = known.get((parent, kind, names[depth]))
            if found is None:
                code = f"{kind[:4]}-" + hashlib.sha256("/".join(names[:depth + 1]).encode()).hexdigest()[:24]
                new_id = conn.execute(insert(table).values(kind=kind, name=names[depth], code=code, parent_id=parent,
                                                           path="/")).inserted_primary_key[0]
                found = (new_id, f"{parent_path}{new_id}/")
                conn.execute(update(table).where(table.c.id == new_id).values(path=found[1]))
                known[(parent, kind, names[depth])] = found
                counts["places_created"] += 1
            parent, parent_path = found
        result[names] = parent
    return result


def _units(conn: Connection, path: str, rows: list[Row], buildings: dict[tuple, int], counts: Counter) -> dict[str, int]:
    """Create or update units matched by unit_ref; a staff-made unit with no ref is adopted by building+number."""
    table = Unit.__table__
    wanted: dict[str, dict] = {}
    lines: dict[str, int] = {}
    for row in rows:
        if row.unit_ref not in wanted:
            lines[row.unit_ref] = row.line
            wanted[row.unit_ref] = {"building_id": buildings[row.names], "number": row.number, "floor": row.floor,
                                    "area_dm2": row.area_dm2, "area_source": row.area_source, "use": row.use}
    fields = ["building_id", "number", "floor", "area_dm2", "area_source", "use"]
    cols = [Unit.id, Unit.external_ref, *(getattr(Unit, f) for f in fields)]
    existing = {r[1]: r for r in _select_in(conn, cols, Unit.external_ref, list(wanted))}
    occupied = {(r[2], r[3]): r for r in _select_in(conn, cols, Unit.building_id, sorted(set(buildings.values())))}
    inserts, updates, errors = [], [], []
    for ref, values in wanted.items():
        current = existing.get(ref)
        occupant = occupied.get((values["building_id"], values["number"]))
        if occupant is not None and occupant[1] not in (None, ref):
            errors.append((lines[ref], "unit_number",
                           f"the register already has this unit number in this building under unit_ref {occupant[1]}"))
            continue
        if current is None and occupant is not None:
            current = occupant  # adopt the unit staff entered by hand: it gets the office's ref
        if current is None:
            inserts.append({**values, "external_ref": ref})
        elif tuple(current[2:]) != tuple(values[f] for f in fields) or current[1] != ref:
            updates.append({"id": current[0], **values, "external_ref": ref})
        else:
            counts["units_unchanged"] += 1
    if errors:
        raise RegisterFileErrors(path, errors)
    if inserts:
        conn.execute(insert(table), inserts)
    _update_many(conn, table, updates)
    counts["units_created"] += len(inserts)
    counts["units_updated"] += len(updates)
    return dict(_select_in(conn, [Unit.external_ref, Unit.id], Unit.external_ref, list(wanted)))


def _people(conn: Connection, rows: list[Row], counts: Counter) -> dict[str, int]:
    """Create or update owners matched by owner_ref; a blank phone in the file keeps the one on record."""
    wanted = {}
    for row in rows:
        wanted.setdefault(row.owner_ref, {"name": row.owner_name, "kind": row.owner_kind, "phone": row.owner_phone})
    existing = {r[1]: r for r in _select_in(conn, [Person.id, Person.external_ref, Person.name, Person.kind, Person.phone],
                                            Person.external_ref, list(wanted))}
    inserts, updates = [], []
    for ref, values in wanted.items():
        current = existing.get(ref)
        if current is None:
            inserts.append({**values, "external_ref": ref})
            continue
        values = {**values, "phone": values["phone"] or current[4]}
        if (current[2], current[3], current[4]) != (values["name"], values["kind"], values["phone"]):
            updates.append({"id": current[0], **values})
    if inserts:
        conn.execute(insert(Person.__table__), inserts)
    _update_many(conn, Person.__table__, updates)
    counts["people_created"] += len(inserts)
    counts["people_updated"] += len(updates)
    return dict(_select_in(conn, [Person.external_ref, Person.id], Person.external_ref, list(wanted)))


def _links(conn: Connection, rows: list[Row], units: dict[str, int], people: dict[str, int], today: date,
           counts: Counter) -> None:
    """Make the open owner links of each unit in the file exactly the file's owners; end the others today."""
    wanted = {(units[r.unit_ref], people[r.owner_ref]): r for r in rows}
    cols = [UnitLink.id, UnitLink.unit_id, UnitLink.person_id, UnitLink.since, UnitLink.until, UnitLink.is_representative]
    links = [r for r in _select_in(conn, [*cols, UnitLink.kind], UnitLink.unit_id, sorted(set(units.values())))
             if r[6] == LinkKind.owner]
    # A link ended today is no longer open: it was ended by an earlier import of the same day.
    open_links = {(r[1], r[2]): r for r in links if r[4] is None or r[4] > today}
    closed = {(r[1], r[2], r[3]): r for r in links if not (r[4] is None or r[4] > today)}
    inserts, updates = [], []
    for pair, link in open_links.items():
        if pair not in wanted:
            updates.append({"id": link[0], "since": link[3], "until": today, "is_representative": link[5]})
            counts["links_ended"] += 1
    for pair, row in wanted.items():
        link = open_links.get(pair) or closed.get((*pair, row.since))
        if link is None:
            inserts.append({"unit_id": pair[0], "person_id": pair[1], "kind": LinkKind.owner, "since": row.since,
                            "until": None, "is_representative": row.representative})
        elif (link[3], link[4], link[5]) != (row.since, None, row.representative):
            updates.append({"id": link[0], "since": row.since, "until": None, "is_representative": row.representative})
            counts["links_updated"] += 1
    if inserts:
        conn.execute(insert(UnitLink.__table__), inserts)
    _update_many(conn, UnitLink.__table__, updates)
    counts["links_created"] += len(inserts)


def apply(session: Session, path: str, rows: list[Row], *, today: date, progress: bool = False) -> dict[str, int]:
    """Write validated rows through the session's connection; the caller commits or rolls back."""
    conn = session.connection()
    counts: Counter = Counter()
    with tqdm(total=4, desc="importing", unit="step", file=sys.stderr, disable=not progress, leave=False) as bar:
        buildings = _buildings(conn, path, rows, counts)
        bar.update()
        units = _units(conn, path, rows, buildings, counts)
        bar.update()
        people = _people(conn, rows, counts)
        bar.update()
        _links(conn, rows, units, people, today, counts)
        bar.update()
    keys = ["places_created", "units_created", "units_updated", "units_unchanged", "people_created",
            "people_updated", "links_created", "links_updated", "links_ended"]
    return {k: counts[k] for k in keys}
