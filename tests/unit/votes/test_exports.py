"""Open data of votes built through the real service: exact formats, nothing secret leaked, and the
recount — by tally_files and by the `civic tally` command — equal to the published result."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from civic.errors import NotFound
from civic.places.rules import VoterKey, roll_fingerprint
from civic.votes import exports
from civic.votes.rules import decision_dict
from civic.votes.tally import tally_files
from tests.test_cli import civic
from tests.unit.votes import builders
from tests.unit.votes.builders import build_compound, cast, close, closed_votes, create

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
GENESIS = "0" * 64
TALLY_KEYS = ("rule", "electorate", "participation", "yes", "no", "abstain", "quorum_met", "approved", "explanation")


def text_of(session, vote, file: str) -> str:
    out = io.StringIO(newline="")
    exports.write_file(session, vote, file, out)
    return out.getvalue()


def rows_of(session, vote, file: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text_of(session, vote, file), newline="")))


def rehash(chain_text: str) -> str:
    """Re-hash chain.jsonl independently of civic.hashchain: the head its last line reaches."""
    prev = GENESIS
    for line in chain_text.splitlines():
        item = json.loads(line)
        assert item["prev_hash"] == prev
        body = json.dumps(item["event"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        prev = hashlib.sha256((prev + body).encode("utf-8")).hexdigest()
        assert prev == item["hash"], f"event {item['seq']} does not re-hash"
    return prev


@pytest.fixture
def compound(session):
    return build_compound(session)


def test_a_named_owners_roll_has_one_row_per_unit_with_its_area_and_name(session, compound):
    r = compound
    vote = create(session, r, now=NOW)
    rows = rows_of(session, vote, "roll")
    assert rows[0] == ["unit_id", "voter_key", "area", "unit"]
    assert sorted(rows[1:]) == sorted([
        [str(r.u101.id), f"owner:{r.zhang.id}", "89.50", "1栋 101"],
        [str(r.u202.id), f"owner:{r.zhang.id}", "70.00", "2栋 202"],  # one head, two units
        [str(r.u102.id), f"owners:{r.li.id}+{r.wang.id}", "120.00", "1栋 102"],
        [str(r.u203.id), f"owner:{r.chen.id}", "101.50", "2栋 203"],
        [str(r.u204.id), f"owner:{r.liu.id}", "90.25", "2栋 204"],
        [str(r.u205.id), f"owner:{r.zhao.id}", "110.00", "2栋 205"],
    ])
    assert text_of(session, vote, "roll").endswith("\r\n")  # RFC 4180 line ends


def test_the_roll_fingerprint_can_be_recomputed_from_a_named_roll(session, compound):
    vote = create(session, compound, now=NOW)
    units: dict[str, list[int]] = {}
    area: dict[str, int] = {}
    for unit_id, key, unit_area, _label in rows_of(session, vote, "roll")[1:]:
        units.setdefault(key, []).append(int(unit_id))
        area[key] = area.get(key, 0) + int(unit_area.replace(".", ""))
    keys = [VoterKey(key, None, tuple(ids), area[key]) for key, ids in units.items()]
    assert roll_fingerprint(keys) == vote.roll_fingerprint


def test_a_residents_roll_has_one_row_per_person_with_the_placeholder_area(session, compound):
    r = compound
    vote = create(session, r, now=NOW, matter="residents-matter")
    rows = rows_of(session, vote, "roll")
    assert rows[0] == ["unit_id", "voter_key", "area", "unit"]
    people = {f"person:{p.id}": p for p in (r.zhang, r.li, r.wang, r.chen, r.liu, r.zhao)}
    assert {row[1] for row in rows[1:]} == set(people)
    for unit_id, key, area, _label in rows[1:]:
        assert unit_id == key and area == exports.PLACEHOLDER_AREA  # 李娜 and 王芳 share 1栋 102


def test_secret_files_carry_pseudonyms_never_keys_or_units(session, compound):
    r = compound
    vote = closed_votes(session, r, now=NOW)["secret"]
    roll = rows_of(session, vote, "roll")
    assert roll[0] == ["unit_id", "voter_key", "area"]
    assert all(unit == key and len(key) == 16 for unit, key, _area in roll[1:])
    assert sorted(area for *_rest, area in roll[1:]) == ["101.50", "110.00", "120.00", "159.50", "90.25"]
    assert [row[1] for row in roll[1:]] == sorted(row[1] for row in roll[1:])  # random order, not the units'
    ballots = rows_of(session, vote, "ballots")
    assert ballots[0] == ["voter_key", "choice"] and len(ballots) == 5
    assert {key for key, _choice in ballots[1:]} <= {row[1] for row in roll[1:]}
    everything = "".join(text_of(session, vote, f) for f in exports.FILES)
    for secret in [*builders.voter_keys(r), *builders.UNIT_LABELS, "1栋", "2栋"]:
        assert secret not in everything, secret


def test_ballots_are_the_final_choice_per_key(session, compound):
    r = compound
    vote = closed_votes(session, r, now=NOW)["approved"]
    assert rows_of(session, vote, "ballots") == [["voter_key", "choice"], *sorted([
        [f"owner:{r.zhang.id}", "yes"], [f"owners:{r.li.id}+{r.wang.id}", "yes"], [f"owner:{r.chen.id}", "yes"],
        [f"owner:{r.liu.id}", "no"], [f"owner:{r.zhao.id}", "abstain"]])]


def test_an_options_vote_exports_option_choices_and_lists_its_options(session, compound):
    r = compound
    vote = create(session, r, now=NOW, matter="poll", options=("口袋公园", "共享菜园"), title="绿化方案")
    cast(session, vote, [(r.zhang, "option:2"), (r.li, "option:1"), (r.wang, "option:2"), (r.chen, "abstain")],
         now=NOW)
    close(session, vote)
    assert sorted(choice for _key, choice in rows_of(session, vote, "ballots")[1:]) == [
        "abstain", "option:1", "option:2", "option:2"]
    result = json.loads(text_of(session, vote, "result"))
    assert [(o["choice"], o["label"], o["heads"]) for o in result["options"]] == [
        ("option:1", "口袋公园", 1), ("option:2", "共享菜园", 2)]
    # A poll counts against those who chose an option: 2 of 3 is more than half.
    assert result["winner"] == "option:2" and result["vote"]["kind"] == "options"


def test_chain_lines_are_canonical_and_re_hash_to_the_published_head(session, compound):
    vote = closed_votes(session, compound, now=NOW)["approved"]
    text = text_of(session, vote, "chain")
    lines = text.splitlines()
    assert len(lines) == 6  # five keys, one changed ballot
    first = json.loads(lines[0])
    assert list(first) == ["event", "hash", "prev_hash", "seq"] and first["seq"] == 1
    assert first["event"]["choice"] == "no" and first["event"]["vote"] == vote.id
    assert lines[0] == json.dumps(first, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert rehash(text) == vote.chain_head


def test_result_json_is_the_tally_shape_plus_the_vote(session, compound):
    vote = closed_votes(session, compound, now=NOW)["approved"]
    result = json.loads(text_of(session, vote, "result"))
    stored = json.loads(vote.result_json)
    assert "sentences" not in result
    assert {k: result[k] for k in TALLY_KEYS} == {k: stored[k] for k in TALLY_KEYS}
    assert result["vote"] == {
        "id": vote.id, "title": "续聘物业", "matter": "cn278-4-property-manager", "rule": "cn278-ordinary",
        "kind": "yes_no", "secret": False, "opens_at": vote.opens_at.isoformat(),
        "closes_at": vote.closes_at.isoformat(), "roll_frozen_at": vote.roll_frozen_at.isoformat(),
        "closed_at": vote.closed_at.isoformat(), "roll_fingerprint": vote.roll_fingerprint,
        "chain_head": vote.chain_head, "subject": None}


def test_paged_reads_give_the_same_rows_as_one_read(session, compound):
    """Pages of one row each (the web reads every page in its own transaction) lose and repeat nothing."""
    votes = closed_votes(session, compound, now=NOW)
    read = exports.in_session(session)
    for vote in votes.values():
        assert list(exports.roll_rows(read, vote, page_size=1)) == list(exports.roll_rows(read, vote))
        assert list(exports.ballot_rows(read, vote, page_size=2)) == list(exports.ballot_rows(read, vote))
        assert list(exports.chain_lines(read, vote, page_size=1)) == list(exports.chain_lines(read, vote))


def test_what_is_published_follows_the_votes_state(session, compound):
    scheduled = create(session, compound, now=NOW, opens_in=timedelta(hours=1))
    running = create(session, compound, now=NOW)
    assert exports.available(scheduled) == ()
    assert exports.available(running) == ("roll",)
    for vote_id, file in [(scheduled.id, "roll"), (running.id, "ballots"), (running.id, "result"),
                          (running.id, "chain"), (999_999, "roll")]:
        with pytest.raises(NotFound):
            exports.published_vote(session, vote_id=vote_id, file=file, now=NOW)
    session.rollback()
    assert exports.published_vote(session, vote_id=running.id, file="roll", now=NOW).id == running.id
    # A vote past its end is closed by the request that asks for its files.
    ended = exports.published_vote(session, vote_id=running.id, file="chain", now=running.closes_at)
    assert exports.available(ended) == tuple(exports.FILES)


@pytest.mark.parametrize("name", ["approved", "no_quorum", "residents", "secret"])
def test_civic_tally_recounts_the_published_result(session, compound, tmp_path, name):
    vote = closed_votes(session, compound, now=NOW)[name]
    files = exports.write_all(session, vote, tmp_path)
    assert sorted(files) == sorted(exports.FILES)
    published = json.loads(files["result"].read_text(encoding="utf-8"))
    recounted = decision_dict(tally_files(files["roll"], files["ballots"], vote.rule_name))
    command = civic("tally", "--roll", str(files["roll"]), "--ballots", str(files["ballots"]),
                    "--rule", vote.rule_name, "--json")
    assert command.returncode == 0, command.stderr
    for recount in (recounted, json.loads(command.stdout)):
        if name == "residents":
            # Heads only: the roll's areas are placeholders the rule never reads.
            assert {k: recount[k] for k in ("rule", "quorum_met", "approved", "explanation")} == \
                   {k: published[k] for k in ("rule", "quorum_met", "approved", "explanation")}
            for measure in ("electorate", "participation", "yes", "no", "abstain"):
                assert recount[measure]["heads"] == published[measure]["heads"]
        else:
            assert {k: recount[k] for k in TALLY_KEYS} == {k: published[k] for k in TALLY_KEYS}
    assert rehash(files["chain"].read_text(encoding="utf-8")) == published["vote"]["chain_head"]
    expected = {"approved": (True, True), "no_quorum": (False, False), "residents": (True, True),
                "secret": (True, True)}[name]
    assert (published["quorum_met"], published["approved"]) == expected
