"""A result in words is kept as msgids with figures, so each reader gets it in their own language."""

from decimal import Decimal as D

from civic.i18n import translations
from civic.votes.rules import PRESETS, Counts, Measure, Sentence, decide


def test_the_documented_example_reads_in_chinese_with_the_same_figures():
    d = decide(PRESETS["cn278-ordinary"], Counts(Measure(120, D("10234.50")), Measure(51, D("4730.10")),
                                                 Measure(20, D("2000.00")), Measure(12, D("1182.30"))))
    zh = [s.render(translations("zh-Hans").gettext) for s in d.sentences]
    assert zh[0] == ("有效：120 名业主中有 83 名参与表决（69.2%，要求 ≥ 2/3），其专有面积 7,912.40 m²，"
                     "占总面积 10,234.50 m² 的 77.3%（要求 ≥ 2/3）。")
    assert zh[1].startswith("通过：83 名参与表决的业主中有 51 名投赞成票")


def test_stored_sentences_round_trip():
    d = decide(PRESETS["majority"], Counts(Measure(5), Measure(3), Measure(1), Measure()))
    for s in d.sentences:
        assert Sentence.from_list(s.as_list()).render() == s.render()
