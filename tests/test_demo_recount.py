"""Every closed demo vote, exported as open data, is reproduced exactly by `civic tally` (issue 3)."""

from __future__ import annotations

import json

from sqlalchemy import select

from civic import fixtures
from civic.votes import exports
from civic.votes.models import Vote, VoteKind
from tests.test_cli import civic
from tests.unit.votes.test_exports import TALLY_KEYS, rehash


def test_civic_tally_reproduces_every_closed_demo_vote(engine, session, database_url, tmp_path):
    fixtures.load(engine, "demo", progress=False)
    session.rollback()
    closed = session.execute(select(Vote).where(Vote.status == "closed").order_by(Vote.id)).scalars().all()
    assert len(closed) >= 3  # approved, invalid for lack of quorum, secret
    for vote in closed:
        assert vote.kind == VoteKind.yes_no  # a one-of-N vote would need its own recount; none is closed
        folder = tmp_path / str(vote.id)
        folder.mkdir()
        files = exports.write_all(session, vote, folder)
        published = json.loads(files["result"].read_text(encoding="utf-8"))
        run = civic("tally", "--roll", str(files["roll"]), "--ballots", str(files["ballots"]),
                    "--rule", vote.rule_name, "--json")
        assert run.returncode == 0, run.stderr
        recount = json.loads(run.stdout)
        assert {k: recount[k] for k in TALLY_KEYS} == {k: published[k] for k in TALLY_KEYS}, vote.title
        assert rehash(files["chain"].read_text(encoding="utf-8")) == vote.chain_head
