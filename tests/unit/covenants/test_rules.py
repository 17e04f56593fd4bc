"""The pure covenant rules: normalisation, hashing, character-level diffs, the three-way merge, the
status transitions and the clause templates."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civic.covenants import rules
from civic.covenants.models import CovenantStatus
from civic.covenants.rules import DELETE, EQUAL, INSERT, ConflictRegion, Segment, merge3
from civic.votes import rules as vote_rules

BASE = "养犬人出户遛犬时为犬只束犬绳、挂犬牌。犬只粪便由养犬人当即清理。犬只吠叫扰民的，养犬人及时制止。"


# ---- normalisation and hashing ------------------------------------------------------------------------

def test_normalise_line_ends_trailing_space_and_composition():
    raw = "　　第一条  \r\n文明养犬\t\r\n\r\n第二条\u3000\r最后一行 \n\n"
    assert rules.normalise(raw) == "　　第一条\n文明养犬\n\n第二条\n最后一行"  # leading indentation kept
    assert rules.normalise("Cafe\u0301") == "Café" and len(rules.normalise("Cafe\u0301")) == 4  # NFC
    assert rules.normalise(rules.normalise(raw)) == rules.normalise(raw)


def test_sha256_of_the_utf8_text():
    assert rules.sha256_text("文明养犬") == hashlib.sha256("文明养犬".encode()).hexdigest()
    assert rules.sha256_text(rules.normalise("文明养犬 \r\n")) == rules.sha256_text("文明养犬")
    assert rules.sha256_text("文明养犬") != rules.sha256_text("文明养狗")


def test_covenant_text_is_canonical_and_hashed():
    text = rules.covenant_text("公约", "全体居民约定：", [("文明养犬", "出户牵绳。"), ("高空安全", "不抛物。 ")])
    assert text == "公约\n\n全体居民约定：\n\n1. 文明养犬\n出户牵绳。\n\n2. 高空安全\n不抛物。\n"
    assert rules.covenant_hash("公约", "全体居民约定：", [("文明养犬", "出户牵绳。"), ("高空安全", "不抛物。")]) \
        == rules.sha256_text(text)


# ---- diffs ----------------------------------------------------------------------------------------------

def test_diff_of_chinese_text_is_character_level():
    segments = rules.diff("出户时为犬只束犬链，由成年人牵领。", "出户时为犬只束牵引绳，由成年人牵领。")
    assert segments == [Segment(EQUAL, "出户时为犬只束"), Segment(DELETE, "犬链"), Segment(INSERT, "牵引绳"),
                        Segment(EQUAL, "，由成年人牵领。")]
    left, right = rules.side_by_side(segments)
    assert "".join(s.text for s in left) == "出户时为犬只束犬链，由成年人牵领。"
    assert "".join(s.text for s in right) == "出户时为犬只束牵引绳，由成年人牵领。"
    assert rules.has_changes(segments) and not rules.has_changes(rules.diff("同一", "同一"))


def test_semantic_cleanup_keeps_a_rewrite_whole():
    """Without cleanup a rewrite matches stray characters (的, 不) and reads as confetti."""
    old, new = "不得在楼道里堆放的杂物", "禁止私自圈占公共绿地的行为不被允许"
    segments = rules.diff(old, new)
    assert [s.op for s in segments] == [DELETE, INSERT]
    assert rules.diff("", "新条款") == [Segment(INSERT, "新条款")]
    assert rules.diff("旧条款", "") == [Segment(DELETE, "旧条款")]


@given(st.text(alphabet="犬绳牵领清理粪便。，的不得楼道a b\n", max_size=40),
       st.text(alphabet="犬绳牵领清理粪便。，的不得楼道a b\n", max_size=40))
def test_diff_always_rebuilds_both_texts(old, new):
    left, right = rules.side_by_side(rules.diff(old, new))
    assert "".join(s.text for s in left) == old and "".join(s.text for s in right) == new


# ---- the three-way merge --------------------------------------------------------------------------------

def test_non_overlapping_edits_merge():
    mine = BASE.replace("束犬绳", "束牵引绳")
    theirs = BASE.replace("及时制止", "立即制止")
    result = merge3(BASE, mine, theirs)
    assert result.ok and result.conflicts == []
    assert result.text == BASE.replace("束犬绳", "束牵引绳").replace("及时制止", "立即制止")


def test_overlapping_edits_conflict_and_merge_nothing():
    mine = BASE.replace("当即清理", "自行清理干净")
    theirs = BASE.replace("当即清理", "立即清理")
    result = merge3(BASE, mine, theirs)
    assert not result.ok and result.text is None
    [region] = result.conflicts
    assert isinstance(region, ConflictRegion)
    assert BASE[region.start:region.end] == region.base
    assert (region.base, region.mine, region.theirs) == ("当即清理", "自行清理干净", "立即清理")


def test_identical_edits_on_both_sides_are_taken_once():
    edited = BASE.replace("挂犬牌", "挂犬牌、打疫苗")
    assert merge3(BASE, edited, edited).text == edited
    # the same change plus a change of one's own elsewhere
    both = merge3(BASE, edited, edited.replace("及时制止", "立即制止"))
    assert both.ok and both.text == edited.replace("及时制止", "立即制止")


def test_insertions_at_the_same_place_conflict_unless_identical():
    at = BASE.index("。") + 1
    mine, theirs = BASE[:at] + "不进儿童游乐场。" + BASE[at:], BASE[:at] + "乘电梯时避让他人。" + BASE[at:]
    result = merge3(BASE, mine, theirs)
    assert not result.ok and result.conflicts[0].start == result.conflicts[0].end == at
    assert merge3(BASE, mine, mine).text == mine


def test_edits_at_both_ends_merge():
    mine = "第一条　" + BASE
    theirs = BASE + "违者由物业劝导。"
    assert merge3(BASE, mine, theirs).text == "第一条　" + BASE + "违者由物业劝导。"


def test_touching_edits_conflict():
    """Two changes with no unchanged character between them have no agreed order."""
    base = "出户牵绳及时清理"
    result = merge3(base, "出门牵绳及时清理", "出户拴绳及时清理")
    assert not result.ok and [(c.base, c.mine, c.theirs) for c in result.conflicts] == [("户牵", "门牵", "户拴")]


def test_one_side_unchanged_takes_the_other():
    edited = BASE.replace("犬只", "宠物犬")
    assert merge3(BASE, BASE, edited).text == edited
    assert merge3(BASE, edited, BASE).text == edited


def test_a_change_lands_on_the_right_one_of_two_repeated_phrases():
    """A fuzzy patch looks for its context and may pick the first of two identical sentences; the merge
    splices each change at its own position in the base."""
    base = "出户牵绳。清理粪便。出户牵绳。清理粪便。"
    mine = "出户牵绳。清理粪便。出户拴绳。清理粪便。"  # the second sentence
    theirs = "出户牵绳。清理干净粪便。出户牵绳。清理粪便。"  # the first
    assert merge3(base, mine, theirs).text == "出户牵绳。清理干净粪便。出户拴绳。清理粪便。"


def test_deleting_a_sentence_while_another_is_edited():
    sentences = BASE.split("。")
    mine = "。".join(sentences[:1] + sentences[2:])  # drops the second sentence
    theirs = BASE.replace("及时制止", "立即制止")
    assert merge3(BASE, mine, theirs).text == mine.replace("及时制止", "立即制止")


HAN = st.text(alphabet="犬绳牵领清理粪便楼道杂物垃圾分类投放装修噪声", min_size=0, max_size=15)


@given(HAN, HAN, HAN, HAN, st.text(alphabet="。，的不", min_size=1, max_size=4))
def test_edits_separated_by_unchanged_text_always_merge_exactly(first, first_new, last, last_new, middle):
    base, mine, theirs = first + middle + last, first_new + middle + last, first + middle + last_new
    result = merge3(base, mine, theirs)
    assert result.ok and result.text == first_new + middle + last_new


@given(HAN, HAN)
def test_merging_with_an_unchanged_side_or_itself(base, other):
    assert merge3(base, other, base).text == other
    assert merge3(base, base, other).text == other
    assert merge3(base, other, other).text == other


# ---- statuses, permissions, templates, ratification presets ------------------------------------------

def test_transitions_are_data():
    s = CovenantStatus
    assert rules.next_statuses(s.drafting, {rules.DRAFTER}) == [s.consultation]
    assert rules.next_statuses(s.consultation, {rules.STAFF}) == [s.drafting]  # ratification: its own step
    assert rules.next_statuses(s.consultation, {rules.RESIDENT}) == []
    assert rules.next_statuses(s.adopted, {rules.STAFF, rules.DRAFTER}) == []  # only a vote moves it
    assert rules.TRANSITIONS[(s.consultation, s.ratification)].use_case == "freeze"
    every = set(s)
    assert {frm for frm, _to in rules.TRANSITIONS} | {to for _frm, to in rules.TRANSITIONS} == every


@pytest.mark.parametrize(("action", "status", "roles", "expected"), [
    ("edit", "drafting", {"drafter"}, None),
    ("edit", "adopted", {"drafter"}, "status"),
    ("edit", "drafting", {"resident"}, "role"),
    ("amend", "drafting", {"resident"}, "status"),
    ("amend", "consultation", {"resident"}, None),
    ("comment", "ratification", {"resident"}, None),
    ("comment", "adopted", {"staff"}, "status"),
    ("reject_amendment", "ratification", {"drafter"}, None),
    ("accept_amendment", "ratification", {"drafter"}, "status"),
    ("moderate", "adopted", {"staff"}, None),
    ("moderate", "drafting", {"drafter", "resident"}, "role"),
])
def test_who_may_do_what_when(action, status, roles, expected):
    assert rules.refusal(action, status, roles) == expected


def test_each_kind_is_ratified_by_the_votes_preset_for_its_matter():
    for kind, matter in rules.KIND_MATTER.items():
        assert vote_rules.MATTERS[matter] == rules.KIND_RULE[kind]
    assert rules.KIND_RULE["owners"] == "cn278-ordinary" and rules.KIND_RULE["residents"] == "cn-residents-meeting"


def test_templates_cover_the_common_subjects_in_chinese():
    assert set(rules.CLAUSE_TEMPLATES) == {"pets", "parking", "noise", "rubbish", "height", "shared_spaces",
                                           "renovation"}
    for template in rules.CLAUSE_TEMPLATES.values():
        assert template.subject in rules.SUBJECTS and template.title == rules.SUBJECTS[template.subject]
        assert rules.normalise(template.text) == template.text and len(template.text) <= rules.CLAUSE_MAX
        assert 1 <= template.text.count("。") <= 3 and template.text.endswith("。")
        assert all("\u4e00" <= ch <= "\u9fff" or ch in "，、。：；0123456789" for ch in template.text), template.key
