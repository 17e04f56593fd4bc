"""Open data over HTTP: each vote's files for anyone, streamed with the right headers once published,
a clear 404 before; and the /open-data page that lists them and explains the formats."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from civic import clock
from civic.votes import exports
from tests.conftest import CivicClient
from tests.unit.votes import builders
from tests.unit.votes.builders import build_compound, closed_votes, create
from tests.unit.votes.test_exports import rehash

HEADERS = {
    "roll.csv": "text/csv; charset=utf-8",
    "ballots.csv": "text/csv; charset=utf-8",
    "result.json": "application/json",
    "chain.jsonl": "application/x-ndjson",
}


@pytest.fixture
def compound(session):
    return build_compound(session)


@pytest.fixture
def closed(session, compound):
    return closed_votes(session, compound, now=clock.now())


def test_a_closed_vote_publishes_four_files_to_anyone(client, session, closed):
    vote = closed["approved"]
    for name, media_type in HEADERS.items():
        response = client.get(f"/api/votes/{vote.id}/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"] == media_type
        assert response.headers["content-disposition"] == f'attachment; filename="vote-{vote.id}-{name}"'
        out = io.StringIO(newline="")
        exports.write_file(session, vote, name.split(".")[0], out)
        assert response.text == out.getvalue(), name
    result = client.get(f"/api/votes/{vote.id}/result.json").json()
    assert result["approved"] is True and result["vote"]["chain_head"] == vote.chain_head
    assert rehash(client.get(f"/api/votes/{vote.id}/chain.jsonl").text) == vote.chain_head


def test_files_stream_page_by_page_in_short_transactions(client, closed, monkeypatch):
    """Two rows a page: the download is read in several units of work and still whole and in order."""
    vote = closed["approved"]
    whole = {name: client.get(f"/api/votes/{vote.id}/{name}").text for name in ("roll.csv", "chain.jsonl")}
    monkeypatch.setattr(exports, "PAGE_SIZE", 2)
    for name, text in whole.items():
        assert client.get(f"/api/votes/{vote.id}/{name}").text == text
    rows = list(csv.reader(io.StringIO(whole["roll.csv"], newline="")))
    assert len(rows) == 1 + 6  # header, and six units of five heads


def test_during_the_vote_only_the_roll_is_published(client, session, compound):
    running = create(session, compound, now=clock.now())
    assert client.get(f"/api/votes/{running.id}/roll.csv").status_code == 200
    for name, reason in [("ballots.csv", "would reveal the running result"),
                         ("result.json", "published when it closes"),
                         ("chain.jsonl", "its length and head are shown")]:
        refused = client.get(f"/api/votes/{running.id}/{name}")
        assert refused.status_code == 404 and reason in refused.text, name
    scheduled = create(session, compound, now=clock.now(), opens_in=timedelta(hours=1))
    refused = client.get(f"/api/votes/{scheduled.id}/roll.csv")
    assert refused.status_code == 404 and "published when the vote opens" in refused.text
    assert client.get("/api/votes/999999/roll.csv").status_code == 404


def test_files_are_read_only(client, closed):
    vote = closed["approved"]
    assert client.post_form(f"/api/votes/{vote.id}/roll.csv").status_code == 405
    assert client.head(f"/api/votes/{vote.id}/roll.csv").status_code == 200


def test_a_secret_votes_files_show_no_key_and_no_unit(client, compound, closed):
    vote = closed["secret"]
    everything = "".join(client.get(f"/api/votes/{vote.id}/{name}").text for name in HEADERS)
    for secret in [*builders.voter_keys(compound), *builders.UNIT_LABELS, "1栋", "2栋"]:
        assert secret not in everything, secret
    assert everything.startswith("unit_id,voter_key,area\r\n")


def test_the_open_data_page_lists_published_votes_with_their_files(client, session, compound, closed):
    running = create(session, compound, now=clock.now(), title="停车管理办法")
    scheduled = create(session, compound, now=clock.now(), title="尚未开始的投票", opens_in=timedelta(days=1))
    page = client.get("/open-data")
    assert page.status_code == 200
    text = page.text
    for vote in closed.values():
        for name in HEADERS:
            assert f'href="/api/votes/{vote.id}/{name}"' in text
    assert f'href="/api/votes/{running.id}/roll.csv"' in text
    assert f'href="/api/votes/{running.id}/ballots.csv"' not in text
    assert scheduled.title not in text and f"/api/votes/{scheduled.id}/" not in text
    assert text.index("停车管理办法") < text.index("续聘物业")  # newest first
    for explained in ["civic tally --roll", "area 1, a placeholder the rule never reads",
                      "a pseudonym drawn at random", "published when the vote closes", "sha256"]:
        assert explained in text, explained


def test_the_open_data_page_is_paginated(settings, engine, closed):
    from civic.web.app import create_app

    with CivicClient(create_app(settings.with_(page_size=3), engine=engine)) as client:
        first, second = client.get("/open-data").text, client.get("/open-data?page=2").text
    assert "Page 1 of 2" in first and 'rel="next"' in first
    assert "续聘物业" in second and "续聘物业" not in first  # the oldest is on the last page
