"""Art. 278 voter keys and the roll fingerprint (pure rules)."""

from civic.places.rules import UnitOwnership, VoterKey, roll_fingerprint, roll_text, voter_keys


def unit(uid: int, area: int, *owners: int, rep: int | None = None, developer: bool = False) -> UnitOwnership:
    return UnitOwnership(unit_id=uid, area_dm2=area, owner_ids=frozenset(owners), representative_id=rep,
                         developer=developer)


def test_one_owner_one_unit_is_one_head_represented_by_the_owner():
    roll = voter_keys([unit(1, 8950, 7)])
    assert roll.keys == (VoterKey("owner:7", 7, (1,), 8950, (7,)),)
    assert roll.heads == 1 and roll.area_dm2 == 8950


def test_one_owner_of_several_units_is_one_head_with_summed_area():
    roll = voter_keys([unit(3, 10000, 7), unit(1, 8950, 7), unit(2, 5025, 8)])
    assert roll.heads == 2
    seven = next(k for k in roll.keys if k.key == "owner:7")
    assert seven.unit_ids == (1, 3) and seven.area_dm2 == 18950
    assert roll.area_dm2 == 8950 + 10000 + 5025


def test_developer_unsold_units_count_as_one_head():
    units = [unit(i, 9000 + i, 99, developer=True) for i in range(1, 41)] + [unit(100, 8000, 5)]
    roll = voter_keys(units)
    assert roll.heads == 2
    developer = next(k for k in roll.keys if k.developer)
    assert len(developer.unit_ids) == 40
    assert developer.area_dm2 == sum(9000 + i for i in range(1, 41))
    assert developer.representative_id == 99


def test_co_owners_vote_through_their_designated_representative():
    roll = voter_keys([unit(1, 9000, 4, 2, rep=4)])
    assert roll.keys[0].key == "owners:2+4"
    assert roll.keys[0].representative_id == 4
    assert roll.without_representative == ()


def test_co_owned_unit_without_representative_is_flagged_not_dropped():
    roll = voter_keys([unit(1, 9000, 4, 2), unit(2, 5000, 6)])
    assert roll.heads == 2 and roll.area_dm2 == 14000
    flagged = roll.without_representative
    assert [k.key for k in flagged] == ["owners:2+4"]
    assert flagged[0].needs_representative


def test_representative_who_is_not_a_co_owner_is_ignored():
    roll = voter_keys([unit(1, 9000, 4, 2, rep=77)])
    assert roll.keys[0].representative_id is None


def test_units_of_the_same_co_owners_merge_into_one_key():
    roll = voter_keys([unit(1, 9000, 2, 4, rep=4), unit(2, 1300, 4, 2)])
    assert roll.heads == 1
    key = roll.keys[0]
    assert key.unit_ids == (1, 2) and key.area_dm2 == 10300 and key.representative_id == 4


def test_same_co_owners_naming_different_representatives_is_a_conflict():
    roll = voter_keys([unit(1, 9000, 2, 4, rep=4), unit(2, 1300, 4, 2, rep=2)])
    assert roll.keys[0].representative_id is None
    assert roll.conflicting_keys == ("owners:2+4",)


def test_owner_alone_of_one_unit_and_co_owner_of_another_holds_two_keys():
    roll = voter_keys([unit(1, 9000, 7), unit(2, 8000, 7, 8, rep=8)])
    assert [k.key for k in roll.keys] == ["owner:7", "owners:7+8"]
    assert [k.representative_id for k in roll.keys] == [7, 8]


def test_units_without_owners_are_not_on_the_roll_and_are_reported():
    roll = voter_keys([unit(5, 9000), unit(1, 8000, 3), unit(2, 100)])
    assert roll.heads == 1 and roll.area_dm2 == 8000
    assert roll.unowned_unit_ids == (2, 5)


def test_empty_roll():
    roll = voter_keys([])
    assert roll.heads == 0 and roll.area_dm2 == 0 and roll.keys == ()


def test_keys_are_sorted_and_independent_of_input_order():
    units = [unit(1, 9000, 7), unit(2, 8000, 3), unit(3, 100, 3, 9, rep=9)]
    assert voter_keys(units).keys == voter_keys(list(reversed(units))).keys


def test_fingerprint_is_stable_and_order_independent():
    keys = voter_keys([unit(1, 9000, 7), unit(2, 8000, 3)]).keys
    assert roll_fingerprint(keys) == roll_fingerprint(list(reversed(keys)))
    assert len(roll_fingerprint(keys)) == 64
    assert roll_text(keys) == "owner:3|2|8000\nowner:7|1|9000\n"


def test_fingerprint_changes_with_area_units_or_keys():
    base = roll_fingerprint(voter_keys([unit(1, 9000, 7), unit(2, 8000, 3)]).keys)
    assert roll_fingerprint(voter_keys([unit(1, 9001, 7), unit(2, 8000, 3)]).keys) != base
    assert roll_fingerprint(voter_keys([unit(1, 9000, 7), unit(3, 8000, 3)]).keys) != base
    assert roll_fingerprint(voter_keys([unit(1, 9000, 7), unit(2, 8000, 4)]).keys) != base
