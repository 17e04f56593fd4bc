"""The printable result certificate: named votes list every voter and choice, secret votes only turnout;
it reads in the reader's language, and exists only once the vote has closed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from civic import clock
from civic.votes import certificate as certificates
from tests.statements import recorded
from tests.unit.votes import builders
from tests.unit.votes.builders import build_compound, cast, close, closed_votes, create


@pytest.fixture
def compound(session):
    return build_compound(session)


@pytest.fixture
def closed(session, compound):
    return closed_votes(session, compound, now=clock.now())


def test_a_named_certificate_states_the_vote_its_rule_its_result_and_every_voter(client, compound, closed):
    r, vote = compound, closed["approved"]
    page = client.get(f"/votes/{vote.id}/certificate")
    assert page.status_code == 200
    text = page.text
    for fact in ["续聘物业", "武昌区 › 水果湖街 › 北环社区 › 南苑村小区", "cn278-ordinary", vote.roll_fingerprint,
                 vote.chain_head, "5 owners holding 581.25 m²", "6 events; head:",
                 "at least 2/3 (≥ 2/3)", "more than 1/2 (&gt; 1/2)", "participating owners",
                 "Valid: 5 of 5 owners (100.0%, needs ≥ 2/3) holding 581.25 of 581.25 m²",
                 "Approved: 3 of 5 participating owners"]:
        assert fact in text, fact
    for label in builders.UNIT_LABELS:
        assert label in text, label
    assert f"owner:{r.zhang.id}" in text and f"owners:{r.li.id}+{r.wang.id}" in text
    # 张伟 changed his ballot: the latest counts; 赵磊 abstained.
    assert _row_of(text, "1栋 101, 2栋 202").count("Yes") == 1
    assert "Abstain" in _row_of(text, "2栋 205") and "online" in _row_of(text, "2栋 205")
    assert 'data-print hidden' in text and "/static/js/print.js" in text
    assert f"/api/votes/{vote.id}/ballots.csv" in text and "--rule cn278-ordinary" in text


def test_those_who_did_not_take_part_are_listed_as_such(client, closed):
    text = client.get(f"/votes/{closed['no_quorum'].id}/certificate").text
    assert "did not take part" in _row_of(text, "2栋 204") and "did not take part" in _row_of(text, "2栋 205")
    assert "Not valid" in text and "Not approved: without a valid participation" in text


def test_a_secret_certificate_shows_turnout_only(client, compound, closed):
    vote = closed["secret"]
    text = client.get(f"/votes/{vote.id}/certificate").text
    assert "shows turnout only" in text and "4 of 5 took part." in text
    assert "certificate-voters" not in text
    for secret in [*builders.voter_keys(compound), *builders.UNIT_LABELS, "1栋", "2栋"]:
        assert secret not in text, secret


def test_the_certificate_reads_in_the_readers_language(client, closed):
    vote = closed["no_quorum"]
    chinese = client.get(f"/votes/{vote.id}/certificate", headers={"Accept-Language": "zh-CN"}).text
    assert 'lang="zh-Hans"' in chinese
    assert "未通过：参与表决未达法定要求，表决结果不能通过任何事项。" in chinese
    assert "赞成" in _row_of(chinese, "1栋 101, 2栋 202")  # the choice, translated
    english = client.get(f"/votes/{vote.id}/certificate").text
    assert "Not approved: without a valid participation the result cannot approve anything." in english


def test_an_options_certificate_names_the_winner_and_each_voters_option(client, session, compound):
    r = compound
    vote = create(session, r, now=clock.now(), matter="poll", options=("口袋公园", "共享菜园"), title="绿化方案")
    cast(session, vote, [(r.zhang, "option:2"), (r.li, "option:1"), (r.wang, "option:2")], now=clock.now())
    close(session, vote)
    text = client.get(f"/votes/{vote.id}/certificate").text
    assert "Decided: 共享菜园" in text
    # A residents' roll: one row per person, with the unit they live in and their voter key.
    assert "共享菜园" in _row_of(text, f"person:{r.zhang.id}") and "1栋 101" in _row_of(text, f"person:{r.zhang.id}")
    assert "口袋公园" in _row_of(text, f"person:{r.li.id}") and "did not take part" in _row_of(text, f"person:{r.liu.id}")
    assert "civic tally recounts yes / no / abstain votes" in text


@pytest.mark.parametrize("opens_in", [timedelta(hours=1), timedelta(0)], ids=["scheduled", "open"])
def test_there_is_no_certificate_before_the_vote_closes(client, session, compound, opens_in):
    vote = create(session, compound, now=clock.now(), opens_in=opens_in)
    page = client.get(f"/votes/{vote.id}/certificate")
    assert page.status_code == 409
    assert "No certificate yet" in page.text and "issued when the vote closes" in page.text
    assert client.get("/votes/999999/certificate").status_code == 404


def test_the_vote_page_links_the_certificate_and_the_files_of_its_state(client, session, compound, closed):
    vote = closed["approved"]
    page = client.get(f"/votes/{vote.id}").text
    assert f'href="/votes/{vote.id}/certificate"' in page
    for name in ["roll.csv", "ballots.csv", "result.json", "chain.jsonl"]:
        assert f'href="/api/votes/{vote.id}/{name}"' in page, name
    running = create(session, compound, now=clock.now())
    page = client.get(f"/votes/{running.id}").text
    assert f'href="/api/votes/{running.id}/roll.csv"' in page and "ballots.csv" not in page
    assert "/certificate" not in page
    later = create(session, compound, now=clock.now(), opens_in=timedelta(days=1))
    page = client.get(f"/votes/{later.id}").text
    assert "/api/votes/" not in page and "The roll is published when the vote opens" in page


def test_the_certificate_is_read_in_a_few_queries_however_long_the_roll(session, engine, closed):
    with recorded(session.get_bind()) as statements:
        found = certificates.certificate(session, vote_id=closed["approved"].id, now=clock.now())
    assert len(found.voters) == 5
    assert len(statements) <= 5


def _row_of(html: str, needle: str) -> str:
    """The voters' table row that shows these units (or this voter key)."""
    at = html.index(f"<td>{needle}</td>" if "栋" in needle else f"<code>{needle}</code>")
    start = html.rindex("<tr>", 0, at)
    return html[start:html.index("</tr>", at)]
