"""Reading typed paper-ballot lines and naming a voter by unit label or key (pure; no database)."""

from __future__ import annotations

from civic.votes.paper_rules import PaperLine, VoterIndex, canonical_choice, numbered, parse_lines


def test_lines_split_at_the_last_comma_of_either_width_or_a_tab_and_keep_their_numbers():
    text = "1栋 101, yes\n\n  1栋 102，反对  \nowner:7\tabstain\n1栋 103\n"
    assert parse_lines(text) == [
        PaperLine("1栋 101", "yes", 1),
        PaperLine("1栋 102", "反对", 3),
        PaperLine("owner:7", "abstain", 4),
        PaperLine("1栋 103", "", 5),  # no separator: the batch check reports line 5
    ]


def test_pairs_are_numbered_in_order_and_parsed_lines_keep_theirs():
    assert numbered([("a", "yes"), ("b", "no")]) == [PaperLine("a", "yes", 1), PaperLine("b", "no", 2)]
    assert numbered(parse_lines("\n\na, yes")) == [PaperLine("a", "yes", 3)]


def test_choices_as_written_on_paper_map_to_ballot_values():
    assert [canonical_choice(c) for c in ("同意", "Yes", "反对", "弃权", " N ")] == ["yes", "yes", "no", "abstain", "no"]
    assert canonical_choice("2", options=3) == "option:2"
    assert canonical_choice("2") == "2"  # not an option vote: left for check_choice to refuse
    assert canonical_choice("maybe") == "maybe"


def test_a_voter_is_found_by_key_or_by_any_unit_label_whatever_the_spacing():
    index = VoterIndex.of([("owner:1", "1栋 101, 1栋 103"), ("owners:2+3", "1栋 102"),
                           ("person:4", "2栋 201"), ("person:5", "2栋 201")])
    assert index.find("owner:1") == {"owner:1"}
    assert index.find("1栋103") == {"owner:1"}
    assert index.find(" 1栋  102 ") == {"owners:2+3"}
    assert index.find("2栋 201") == {"person:4", "person:5"}  # a residents' roll: ambiguous, use the key
    assert index.find("9栋 901") == frozenset()
