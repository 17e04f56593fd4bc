"""The link hash shared by the audit log and the ballot boards: its format is a published contract."""

from __future__ import annotations

import hashlib

from civic.hashchain import GENESIS, canonical_json, link_hash

EVENT = {"b": [1, "二"], "a": None}


def test_canonical_json_sorts_keys_drops_spaces_and_keeps_utf8():
    assert canonical_json(EVENT) == '{"a":null,"b":[1,"二"]}'
    assert canonical_json({"z": {"y": 1, "x": 2}}) == '{"z":{"x":2,"y":1}}'


def test_link_hash_is_sha256_of_prev_then_canonical_json_in_utf8():
    # A fixed value: anyone re-implementing the chain (an auditor's script) must get exactly this.
    assert link_hash(GENESIS, EVENT) == "41d407ca4bb0b3ad5f7e4d3ab4dfcab27d2bf76ec8107d77803ea5a80687292b"
    expected = hashlib.sha256(("0" * 64 + '{"a":null,"b":[1,"二"]}').encode("utf-8")).hexdigest()
    assert link_hash(GENESIS, EVENT) == expected


def test_key_order_does_not_matter_but_every_value_and_the_previous_link_do():
    assert link_hash(GENESIS, {"a": None, "b": [1, "二"]}) == link_hash(GENESIS, EVENT)
    assert link_hash(GENESIS, {"a": None, "b": [1, "三"]}) != link_hash(GENESIS, EVENT)
    assert link_hash("1" * 64, EVENT) != link_hash(GENESIS, EVENT)


def test_genesis_is_sixty_four_zeros():
    assert GENESIS == "0" * 64
