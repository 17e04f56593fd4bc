"""`civic tally`: recount from CSV exactly as DOMAIN-RULES §1.5, including its error lines."""

import json

import pytest

from civic.cli import main


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


ROLL = "unit_id,voter_key,area\nu1,k1,100.00\nu2,k2,80.50\nu3,k3,120.25\nu4,k1,60.00\n"


def run(capsys, *argv):
    code = main(["tally", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_units_sharing_a_key_are_one_head_with_summed_area(tmp_path, capsys):
    roll = write(tmp_path, "roll.csv", ROLL)
    ballots = write(tmp_path, "ballots.csv", "voter_key,choice\nk1,yes\nk2,no\n")
    code, out, err = run(capsys, "--roll", roll, "--ballots", ballots, "--rule", "cn278-ordinary", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["electorate"] == {"heads": 3, "area": "360.75"}
    assert result["yes"] == {"heads": 1, "area": "160.00"}
    assert result["participation"] == {"heads": 2, "area": "240.50"}
    assert result["quorum_met"] is True  # 2/3 heads, 240.50/360.75 = 0.6667 ≥ 2/3
    assert result["approved"] is False  # 1 of 2 heads is not more than half
    assert result["rule"] == "cn278-ordinary" and result["explanation"]


def test_plain_output_is_the_explanation(tmp_path, capsys):
    roll = write(tmp_path, "roll.csv", ROLL)
    ballots = write(tmp_path, "ballots.csv", "voter_key,choice\nk1,yes\nk2,yes\nk3,no\n")
    code, out, _ = run(capsys, "--roll", roll, "--ballots", ballots, "--rule", "cn278-ordinary")
    assert code == 0
    assert out.startswith("Valid: 3 of 3 owners") and "Approved: 2 of 3" in out


@pytest.mark.parametrize(("roll_text", "ballots_text", "expected"), [
    ("unit,voter_key,area\nu1,k1,1\n", "voter_key,choice\n", "roll.csv:1: missing column unit_id"),
    (ROLL + "u2,k9,10\n", "voter_key,choice\n", "roll.csv:6: duplicate unit_id u2"),
    ("unit_id,voter_key,area\nu1,k1,-3\n", "voter_key,choice\n", "roll.csv:2: area '-3' is not a positive decimal"),
    ("unit_id,voter_key,area\nu1,k1,abc\n", "voter_key,choice\n", "roll.csv:2: area 'abc' is not a positive decimal"),
    ("unit_id,voter_key,area\nu1,k1,0\n", "voter_key,choice\n", "roll.csv:2: area '0' is not a positive decimal"),
    ("unit_id,voter_key,area\n", "voter_key,choice\n", "roll.csv: the roll is empty"),
    (ROLL, "voter_key,choice\nk1,yes\nzz,no\n", "ballots.csv:3: voter key 'zz' is not on the roll"),
    (ROLL, "voter_key,choice\nk1,yes\nk1,no\n", "ballots.csv:3: a second ballot for voter key 'k1'"),
    (ROLL, "voter_key,choice\nk1,maybe\n", "ballots.csv:2: unknown choice 'maybe' (expected yes, no or abstain)"),
    (ROLL, "key,choice\n", "ballots.csv:1: missing column voter_key"),
])
def test_bad_input_is_one_line_with_file_and_line_and_exit_2(tmp_path, capsys, roll_text, ballots_text, expected):
    roll = write(tmp_path, "roll.csv", roll_text)
    ballots = write(tmp_path, "ballots.csv", ballots_text)
    code, out, err = run(capsys, "--roll", roll, "--ballots", ballots, "--rule", "cn278-ordinary")
    assert code == 2
    assert out == ""
    assert err.strip().endswith(expected)
    assert err.count("\n") == 1 and "Traceback" not in err


def test_unknown_preset_exits_2(tmp_path, capsys):
    roll = write(tmp_path, "roll.csv", ROLL)
    ballots = write(tmp_path, "ballots.csv", "voter_key,choice\n")
    code, out, err = run(capsys, "--roll", roll, "--ballots", ballots, "--rule", "unanimity")
    assert code == 2 and out == ""
    assert "unknown preset 'unanimity'" in err
