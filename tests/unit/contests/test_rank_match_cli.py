"""`civic rank` and `civic match` as a user runs them: tables, exact --json, and every bad input as one
line `FILE:LINE: message` (or `--OPTION: message`) with exit status 2."""

from __future__ import annotations

import json

import pytest

from civic import cli

SCORES = "judge_id,entry_id,score\nJ1,9,9\nJ1,10,6\nJ1,11,3\nJ2,9,5\nJ2,10,8\nJ2,11,5\n"
CONTRIBUTIONS = "entry_id,backer_key,amount\n1,a,1\n1,b,1\n1,c,1\n1,d,1\n2,x,100\n3,x,100\n3,y,1\n"


def write(tmp_path, name: str, body: str) -> str:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return str(path)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_rank_json_is_exact(tmp_path, capsys):
    # The hand-worked case of test_ranking (A, B, C renamed 9, 10, 11).
    status, out, err = run(capsys, "rank", "--scores", write(tmp_path, "s.csv", SCORES), "--advance", "1", "--json")
    assert (status, err) == (0, "")
    assert json.loads(out) == {"normalize": "zscore", "entries": [
        {"entry_id": "10", "rank": 1, "score": "0.707107", "raw_mean": "7.000000", "judges": 2, "advances": True},
        {"entry_id": "9", "rank": 2, "score": "0.258819", "raw_mean": "7.000000", "judges": 2, "advances": False},
        {"entry_id": "11", "rank": 3, "score": "-0.965926", "raw_mean": "4.000000", "judges": 2,
         "advances": False}]}


def test_rank_table(tmp_path, capsys):
    status, out, _ = run(capsys, "rank", "--scores", write(tmp_path, "s.csv", SCORES), "--normalize", "none",
                         "--advance", "2")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split() == ["rank", "entry", "score", "raw", "mean", "judges", "advances"]
    assert lines[1].split() == ["1", "9", "7.000000", "7.000000", "2", "yes"]
    assert lines[2].split() == ["2", "10", "7.000000", "7.000000", "2", "yes", "tie", "broken", "by", "entry", "id"]
    assert lines[3].split() == ["3", "11", "4.000000", "4.000000", "2"]


@pytest.mark.parametrize(("body", "where", "message"), [
    ("judge_id,entry_id\nJ1,E1\n", 1, "missing column score"),
    ("judge_id,entry_id,score\nJ1,E1,3\n,E2,4\n", 3, "judge_id is empty"),
    ("judge_id,entry_id,score\nJ1,,4\n", 2, "entry_id is empty"),
    ("judge_id,entry_id,score\nJ1,E1,4,5\nJ1,E2,4/5\n", 3, "score '4/5' is not a decimal number"),
    ("judge_id,entry_id,score\nJ1,E4,1\nJ1,E5,2\nJ2,E5,3\nJ1,E5,4\n", 5,
     "judge J1 scored entry E5 twice (first on line 3)"),
])
def test_rank_bad_input(tmp_path, capsys, body, where, message):
    path = write(tmp_path, "s.csv", body)
    status, out, err = run(capsys, "rank", "--scores", path)
    assert (status, out, err) == (2, "", f"{path}:{where}: {message}\n")


def test_rank_bad_options(tmp_path, capsys):
    path = write(tmp_path, "s.csv", SCORES)
    assert run(capsys, "rank", "--scores", path, "--advance", "-1") == (2, "", "--advance: must be 0 or more\n")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("judge_id,entry_id,score\nJ1,Müller,3\n".encode("latin-1"))
    assert run(capsys, "rank", "--scores", str(latin1)) == (2, "", f"{latin1}: not UTF-8 text\n")
    missing = str(tmp_path / "nope.csv")
    assert run(capsys, "rank", "--scores", missing) == (2, "", f"{missing}: no such file\n")


def test_match_json_is_exact(tmp_path, capsys):
    # raw: "1" (4 · 10)² − 400 = 1200 fen, "2" a lone backer 0, "3" (100 + 10)² − 10100 = 2000 fen.
    # Pool ¥100,000: "1" 100000 · 12/32 = 37500.00, "3" 62500.00.
    path = write(tmp_path, "c.csv", CONTRIBUTIONS)
    status, out, err = run(capsys, "match", "--pool", "100000", "--contributions", path, "--method", "quadratic",
                           "--json")
    assert (status, err) == (0, "")
    assert json.loads(out) == {"pool": "100000.00", "method": "quadratic", "unallocated": "0.00", "entries": [
        {"entry_id": "1", "backers": 4, "contributions": "4.00", "match": "37500.00"},
        {"entry_id": "2", "backers": 1, "contributions": "100.00", "match": "0.00"},
        {"entry_id": "3", "backers": 2, "contributions": "101.00", "match": "62500.00"}]}


def test_match_table_with_a_cap(tmp_path, capsys):
    # Cap 0.25 of ¥1,000 = ¥250 each. By raw 12 : 20, "1" would get ¥375 and "3" ¥625: both are capped at
    # ¥250, nobody is left to take the rest, and ¥500 cannot be placed.
    path = write(tmp_path, "c.csv", CONTRIBUTIONS)
    status, out, _ = run(capsys, "match", "--pool", "1000", "--contributions", path, "--method", "quadratic",
                         "--cap", "0.25")
    assert status == 0
    lines = out.splitlines()
    assert [line.split() for line in lines[:5]] == [["entry", "backers", "contributions", "match"],
                                                    ["1", "4", "4.00", "250.00"], ["2", "1", "100.00", "0.00"],
                                                    ["3", "2", "101.00", "250.00"], ["total", "205.00", "500.00"]]
    assert lines[5] == "unallocated 500.00 of the pool of 1,000.00 (quadratic, cap 0.25 of the pool)"


@pytest.mark.parametrize(("body", "where", "message"), [
    ("entry_id,amount\n1,5\n", 1, "missing column backer_key"),
    ("entry_id,backer_key,amount\n,a,5\n", 2, "entry_id is empty"),
    ("entry_id,backer_key,amount\n1,a,5\n1,,5\n", 3, "backer_key is empty"),
    ("entry_id,backer_key,amount\n1,a,five\n", 2, "amount 'five' is not a number"),
    ("entry_id,backer_key,amount\n1,a,-5\n", 2, "amount must be positive"),
    ("entry_id,backer_key,amount\n1,a,5.001\n", 2, "amount has more than 2 decimals"),
])
def test_match_bad_input(tmp_path, capsys, body, where, message):
    path = write(tmp_path, "c.csv", body)
    status, out, err = run(capsys, "match", "--pool", "10", "--contributions", path, "--method", "proportional")
    assert (status, out, err) == (2, "", f"{path}:{where}: {message}\n")


@pytest.mark.parametrize(("options", "error"), [
    (["--pool", "lots"], "--pool: 'lots' is not a number"),
    (["--pool", "-5"], "--pool: must be 0 or more"),
    (["--pool", "1.005"], "--pool: amount has more than 2 decimals"),
    (["--pool", "Infinity"], "--pool: 'Infinity' is not a number"),
    (["--pool", "10", "--cap", "half"], "--cap: 'half' is not a number"),
    (["--pool", "10", "--cap", "0"], "--cap: must be above 0 and at most 1 (a fraction of the pool)"),
    (["--pool", "10", "--cap", "1.5"], "--cap: must be above 0 and at most 1 (a fraction of the pool)"),
])
def test_match_bad_options(tmp_path, capsys, options, error):
    path = write(tmp_path, "c.csv", CONTRIBUTIONS)
    argv = ["match", "--contributions", path, "--method", "quadratic"]
    if "--pool" not in options:
        argv += ["--pool", "10"]
    assert run(capsys, *argv, *options) == (2, "", error + "\n")


@pytest.mark.parametrize(("command", "words"), [
    ("rank", ["--scores", "judge_id,entry_id,score", "--normalize", "--advance", "--json"]),
    ("match", ["--pool", "yuan", "--contributions", "entry_id,backer_key,amount", "--method", "--cap", "--json"]),
])
def test_help(capsys, command, words):
    with pytest.raises(SystemExit) as caught:
        cli.main([command, "--help"])
    out = capsys.readouterr().out
    assert caught.value.code == 0 and all(word in out for word in words)
