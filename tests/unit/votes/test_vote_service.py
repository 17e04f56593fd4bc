"""Votes against the real database: frozen roll, one counted ballot per key, the chain, closing."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from civic.db import session_scope
from civic.errors import Conflict, InvalidInput, PermissionDenied
from civic.places.rules import Viewer
from civic.votes import chain, service
from civic.votes.models import Ballot, BallotEvent, RollEntry, Vote, VoteStatus
from tests.unit.places.builders import add_person, build_register, link

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def staff_of(place) -> Viewer:
    return Viewer(account_id=None, staff_place_ids=frozenset({place.id}))


def open_vote(session, r, *, matter="cn278-4-property-manager", secret=False, hours=48):
    vote = service.create_vote(session, viewer=staff_of(r.community), scope_place_id=r.compound.id,
                               title="更换物业服务企业", description="", matter=matter, kind="yes_no",
                               secret=secret, opens_at=NOW, closes_at=NOW + timedelta(hours=hours), now=NOW)
    session.commit()
    return vote


def voter(person):
    return service.Voter(account_id=None, person_id=person.id)


def test_opening_freezes_the_roll_with_its_fingerprint(session):
    r = build_register(session)
    vote = open_vote(session, r)
    assert vote.status == VoteStatus.open and len(vote.roll_fingerprint) == 64
    keys = session.execute(select(RollEntry.voter_key, RollEntry.area_dm2).where(RollEntry.vote_id == vote.id)
                           .order_by(RollEntry.voter_key)).all()
    # 101 is 张伟's; 102 is co-owned by 李娜 (representative) and 王芳; 201 has only a tenant.
    assert keys == [(f"owner:{r.zhang.id}", 8950), (f"owners:{r.li.id}+{r.wang.id}", 12000)]
    newcomer = add_person(session, "新业主")
    link(session, r.u201, newcomer)  # a later register change …
    session.commit()
    assert session.execute(select(func.count()).where(RollEntry.vote_id == vote.id)).scalar_one() == 2  # … not on it


def test_only_staff_of_the_place_may_open_a_vote(session):
    r = build_register(session)
    with pytest.raises(PermissionDenied):
        service.create_vote(session, viewer=staff_of(r.other_community), scope_place_id=r.compound.id,
                            title="x", description="", matter="poll", kind="yes_no", secret=False,
                            opens_at=NOW, closes_at=NOW + timedelta(days=1), now=NOW)


@pytest.mark.parametrize(("field", "changes"), [
    ("title", {"title": "  "}), ("matter", {"matter": "unknown"}),
    ("closes_at", {"closes_at": NOW - timedelta(hours=1)}),
])
def test_bad_vote_fields_are_refused_and_nothing_is_written(session, field, changes):
    r = build_register(session)
    values = dict(viewer=staff_of(r.community), scope_place_id=r.compound.id, title="t", description="",
                  matter="poll", kind="yes_no", secret=False, opens_at=NOW - timedelta(hours=2),
                  closes_at=NOW + timedelta(days=1), now=NOW)
    values.update(changes)
    with pytest.raises(InvalidInput) as error:
        service.create_vote(session, **values)
    session.rollback()
    assert error.value.field == field
    assert session.execute(select(func.count()).select_from(Vote)).scalar_one() == 0


def test_a_changed_ballot_replaces_the_first_and_both_events_stay_on_the_board(session):
    r = build_register(session)
    vote = open_vote(session, r)
    first = service.cast_ballot(session, vote_id=vote.id, voter=voter(r.zhang), choice="no", now=NOW)
    second = service.cast_ballot(session, vote_id=vote.id, voter=voter(r.zhang), choice="yes", now=NOW)
    service.cast_ballot(session, vote_id=vote.id, voter=voter(r.li), choice="abstain", now=NOW)
    session.commit()
    assert not first.changed and second.changed and first.receipt != second.receipt
    assert session.execute(select(func.count()).select_from(Ballot)).scalar_one() == 2
    assert chain.head(session, vote_id=vote.id)[0] == 0 and chain.waiting(session, vote_id=vote.id) == 3
    assert chain.link(session, vote_id=vote.id) == 3 and chain.link(session, vote_id=vote.id) == 0
    ok, events, head = chain.verify(session, vote_id=vote.id)
    assert ok and events == 3
    assert chain.head(session, vote_id=vote.id) == (3, head)  # the head's seq is the board's length
    assert chain.find_receipt(session, vote_id=vote.id, receipt=first.receipt) is not None
    live, final = service.counts(session, vote=vote), service.counts(session, vote=vote, live=False)
    assert live == final
    assert (live.yes.heads, live.no.heads, live.abstain.heads) == (1, 0, 1)


def test_someone_not_representing_a_key_cannot_cast(session):
    r = build_register(session)
    vote = open_vote(session, r)
    with pytest.raises(PermissionDenied):
        service.cast_ballot(session, vote_id=vote.id, voter=voter(r.wang), choice="yes", now=NOW)  # co-owner, not rep
    with pytest.raises(InvalidInput):
        service.cast_ballot(session, vote_id=vote.id, voter=voter(r.zhang), choice="maybe", now=NOW)


def test_a_vote_closes_at_its_end_time_decides_and_accepts_nothing_more(session):
    r = build_register(session)
    vote = open_vote(session, r, hours=1)
    service.cast_ballot(session, vote_id=vote.id, voter=voter(r.zhang), choice="yes", now=NOW)
    service.cast_ballot(session, vote_id=vote.id, voter=voter(r.li), choice="yes", now=NOW)
    session.commit()
    later = NOW + timedelta(hours=1)
    with pytest.raises(Conflict):
        service.cast_ballot(session, vote_id=vote.id, voter=voter(r.zhang), choice="no", now=later)
    session.commit()
    closed = session.get(Vote, vote.id)
    assert closed.status == VoteStatus.closed and closed.chain_head == chain.head(session, vote_id=vote.id)[1]
    result = json.loads(closed.result_json)
    assert result["quorum_met"] and result["approved"]
    assert result["electorate"] == {"heads": 2, "area": "209.50"}


def test_fifty_concurrent_casts_for_one_key_leave_one_counted_ballot(session, engine):
    r = build_register(session)
    vote = open_vote(session, r)
    receipts, errors = [], []

    def cast(n: int) -> None:
        try:
            with session_scope(engine) as s:
                receipts.append(service.cast_ballot(s, vote_id=vote.id, voter=voter(r.zhang),
                                                    choice=("yes", "no", "abstain")[n % 3], now=NOW).receipt)
        except Exception as exc:  # every request must get an answer; collect rather than lose it
            errors.append(exc)

    threads = [threading.Thread(target=cast, args=(n,)) for n in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    session.rollback()
    session.expire_all()
    assert errors == [] and len(set(receipts)) == 50
    assert session.execute(select(func.count()).select_from(Ballot)).scalar_one() == 1
    assert session.execute(select(func.count()).select_from(BallotEvent)).scalar_one() == 50
    chain.link(session, vote_id=vote.id)
    assert chain.verify(session, vote_id=vote.id)[:2] == (True, 50)
    ballot = session.execute(select(Ballot)).scalar_one()
    assert ballot.receipt in receipts and ballot.changes == 49
    live = service.counts(session, vote=vote)
    assert live.participation.heads == 1 and live == service.counts(session, vote=vote, live=False)


def test_run_due_closes_ended_votes_without_anyone_visiting(session, engine, settings):
    from civic import jobs

    r = build_register(session)
    vote = open_vote(session, r, hours=1)
    lines = list(jobs.run_due(engine, settings, now=NOW + timedelta(hours=2)))
    assert "advance_votes: 1" in lines
    session.rollback()
    session.expire_all()
    assert session.get(Vote, vote.id).status == VoteStatus.closed
    assert "advance_votes: 0" in list(jobs.run_due(engine, settings, now=NOW + timedelta(hours=3)))
