"""`civic register import`: validation with exact lines, all-or-nothing, re-import, dry run, the CLI."""

import csv
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from civic import cli
from civic.errors import FileInputError
from civic.places import importer
from civic.places.models import Person, Place, Unit, UnitLink
from civic.places.service import owner_roll
from tests.unit.places.builders import add_place

TODAY = date(2026, 3, 1)
BASE = {"street": "水果湖街", "community": "北环社区", "compound": "南苑村小区", "building": "1栋", "floor": "3",
        "area_source": "registered", "use": "residential", "owner_kind": "natural", "owner_phone": "13912345678",
        "share_representative": "", "owned_since": "2015-06-30"}


def row(unit_ref: str, number: str, area: str, owner_ref: str, owner_name: str, **extra) -> dict:
    return {**BASE, "unit_ref": unit_ref, "unit_number": number, "area_m2": area, "owner_ref": owner_ref,
            "owner_name": owner_name, **extra}


GOOD = [
    row("U1", "301", "89.50", "P1", "张伟"),
    row("U2", "302", "120.25", "P2", "李娜", share_representative="yes"),
    row("U2", "302", "120.25", "P3", "王芳", share_representative="no"),
    row("U3", "303", "66", "P1", "张伟"),
    row("U4", "101", "140.00", "D1", "武汉某置业有限公司", owner_kind="developer", owner_phone="", building="2栋"),
    row("U5", "102", "75.10", "D1", "武汉某置业有限公司", owner_kind="developer", owner_phone="", building="2栋"),
]


def write(path, rows, *, bom: bool = False, columns=importer.COLUMNS):
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


@pytest.fixture
def district(session):
    place = add_place(session, "district", "武昌区")
    session.commit()
    return place


def counts(session):
    session.rollback()
    return tuple(session.execute(select(func.count()).select_from(t)).scalar_one()
                 for t in (Place, Unit, Person, UnitLink))


def test_valid_import_creates_places_units_owners_and_links(engine, session, district, tmp_path):
    report = importer.import_file(engine, write(tmp_path / "r.csv", GOOD, bom=True), progress=False, today=TODAY)
    assert "6 rows" in report and "units: 5 created" in report and "owners: 4 created" in report
    assert counts(session) == (1 + 5, 5, 4, 6)  # street, community, compound, 2 buildings
    u2 = session.execute(select(Unit).where(Unit.external_ref == "U2")).scalar_one()
    assert (u2.number, u2.floor, u2.area_dm2, u2.use) == ("302", 3, 12025, "residential")
    compound = session.execute(select(Place).where(Place.name == "南苑村小区")).scalar_one()
    roll = owner_roll(session, place_id=compound.id, on=TODAY)
    by_units = {len(k.unit_ids): k for k in roll.keys}
    assert roll.heads == 3  # 张伟 (2 units), 李娜+王芳, the developer (2 units)
    assert by_units[2].area_dm2 in (8950 + 6600, 14000 + 7510)
    co = next(k for k in roll.keys if len(k.owner_ids) == 2)
    li = session.execute(select(Person.id).where(Person.external_ref == "P2")).scalar_one()
    assert co.representative_id == li
    assert any(k.developer and k.area_dm2 == 14000 + 7510 for k in roll.keys)


def test_every_error_is_reported_with_its_line_and_nothing_is_written(engine, session, district, tmp_path):
    rows = [GOOD[0],
            row("U2", "302", "abc", "P2", "李娜"),  # line 3
            row("U3", "303", "50.123", "P3", "王芳", owned_since="2015/06/30"),  # line 4: two errors
            row("U4", "304", "60", "P4", ""),  # line 5
            row("U5", "305", "-2", "P5", "赵强", use="office", owner_kind="person"),  # line 6: three errors
            row("U6", "306", "70", "P6", "孙丽", owned_since="2026-03-02", floor="x")]  # line 7: two errors
    path = write(tmp_path / "bad.csv", rows)
    with pytest.raises(FileInputError) as caught:
        importer.import_file(engine, path, progress=False, today=TODAY)
    lines = caught.value.one_line().splitlines()
    assert lines[0] == f"{path}:3: area_m2: must be a decimal number of square metres, like 89.50"
    assert [line.split(": ")[0].rsplit(":", 1)[1] + ":" + line.split(": ")[1] for line in lines] == [
        "3:area_m2", "4:area_m2", "4:owned_since", "5:owner_name", "6:area_m2", "6:use", "6:owner_kind",
        "7:floor", "7:owned_since"]
    assert f"{path}:7: owned_since: is in the future" in lines
    assert caught.value.line == 3
    assert counts(session) == (1, 0, 0, 0)


def test_rows_that_disagree_with_each_other_are_errors(engine, session, district, tmp_path):
    rows = [row("U1", "301", "89.50", "P1", "张伟", share_representative="yes"),
            row("U1", "301", "90.00", "P2", "李娜", share_representative="yes"),  # line 3: area, two reps
            row("U1", "301", "89.50", "P1", "张伟"),  # line 4: the same owner twice
            row("U9", "301", "50", "P3", "王芳"),  # line 5: number taken by U1
            row("U8", "401", "50", "P1", "张三")]  # line 6: P1 is someone else
    path = write(tmp_path / "clash.csv", rows)
    with pytest.raises(importer.RegisterFileErrors) as caught:
        importer.import_file(engine, path, progress=False, today=TODAY)
    found = [(line, column) for line, column, _p in caught.value.errors]
    assert found == [(3, "area_m2"), (3, "share_representative"), (4, "owner_ref"), (5, "unit_number"),
                     (6, "owner_ref")]
    assert counts(session) == (1, 0, 0, 0)


def test_missing_column_is_reported_on_line_1(engine, district, tmp_path):
    columns = [c for c in importer.COLUMNS if c != "area_m2"]
    path = write(tmp_path / "cols.csv", GOOD, columns=columns)
    with pytest.raises(FileInputError) as caught:
        importer.import_file(engine, path, progress=False, today=TODAY)
    assert caught.value.one_line() == f"{path}:1: header: missing column area_m2"


def test_conflict_with_the_database_rolls_back_everything(engine, session, district, tmp_path):
    importer.import_file(engine, write(tmp_path / "a.csv", GOOD[:1]), progress=False, today=TODAY)
    before = counts(session)
    rows = [row("NEW1", "501", "80", "P7", "周杰", compound="新小区"), row("OTHER", "301", "89.50", "P8", "吴敏")]
    with pytest.raises(FileInputError) as caught:
        importer.import_file(engine, write(tmp_path / "b.csv", rows), progress=False, today=TODAY)
    assert ":3: unit_number: the register already has this unit number" in caught.value.one_line()
    assert counts(session) == before  # not even the new compound was kept


def test_reimport_updates_instead_of_duplicating(engine, session, district, tmp_path):
    path = write(tmp_path / "r.csv", GOOD)
    importer.import_file(engine, path, progress=False, today=TODAY)
    first = counts(session)
    again = importer.import_file(engine, path, progress=False, today=TODAY)
    assert counts(session) == first
    assert "units: 0 created, 0 updated, 5 unchanged" in again and "0 started, 0 changed, 0 ended" in again
    changed = [row("U1", "301", "89.60", "P9", "刘洋", owned_since="2026-02-01"), *GOOD[1:]]
    report = importer.import_file(engine, write(tmp_path / "r2.csv", changed), progress=False, today=TODAY)
    assert "1 updated" in report and "1 started" in report and "1 ended" in report
    session.rollback()
    u1 = session.execute(select(Unit).where(Unit.external_ref == "U1")).scalar_one()
    assert u1.area_dm2 == 8960
    ties = {(p, s, u) for p, s, u in session.execute(
        select(Person.external_ref, UnitLink.since, UnitLink.until).join(Person, Person.id == UnitLink.person_id)
        .where(UnitLink.unit_id == u1.id))}
    assert ties == {("P1", date(2015, 6, 30), TODAY), ("P9", date(2026, 2, 1), None)}
    # The earlier owner keeps U3: only links of units in the file and absent from it end.
    assert counts(session)[3] == first[3] + 1


def test_dry_run_checks_and_counts_but_writes_nothing(engine, session, district, tmp_path):
    report = importer.import_file(engine, write(tmp_path / "r.csv", GOOD), dry_run=True, progress=False, today=TODAY)
    assert report.startswith("Checked (dry run, nothing written)") and "units: 5 created" in report
    assert counts(session) == (1, 0, 0, 0)


def test_no_district_is_an_error(engine, tmp_path):
    with pytest.raises(FileInputError, match="exactly one district"):
        importer.import_file(engine, write(tmp_path / "r.csv", GOOD), progress=False, today=TODAY)


def test_cli_prints_one_line_per_error_and_exits_2(engine, district, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "_engine", lambda: engine)
    path = write(tmp_path / "bad.csv", [GOOD[0], row("U2", "302", "0", "P2", "李娜", use="")])
    assert cli.main(["register", "import", path, "--quiet"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [f"{path}:3: area_m2: must be more than 0", f"{path}:3: use: is required"]


def test_cli_imports(engine, session, district, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "_engine", lambda: engine)
    assert cli.main(["register", "import", write(tmp_path / "ok.csv", GOOD), "--quiet"]) == 0
    assert "Imported" in capsys.readouterr().out
    assert counts(session)[1] == 5


def test_line_numbers_count_blank_lines_and_multi_line_fields(engine, district, tmp_path):
    path = tmp_path / "gaps.csv"
    write(path, GOOD[:1])
    bad = write(tmp_path / "bad-row.csv", [row("U2", "302", "x", "P2", "李\n娜")])
    body = Path(bad).read_text(encoding="utf-8").split("\n", 1)[1]
    path.write_text(path.read_text(encoding="utf-8") + "\n\n" + body + body, encoding="utf-8")
    # header 1, good row 2, blank 3-4, bad row 5-6 (quoted name spans a line), its copy 7-8
    with pytest.raises(importer.RegisterFileErrors) as caught:
        importer.import_file(engine, str(path), progress=False, today=TODAY)
    assert [(line, column) for line, column, _p in caught.value.errors if column == "area_m2"] == [
        (5, "area_m2"), (7, "area_m2")]
