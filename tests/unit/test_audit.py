"""The audit chain: record, verify, tampering found and named, `civic audit verify`, concurrent writers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from civic import cli
from civic.audit import AuditEvent, record, verify
from civic.db import session_scope
from civic.hashchain import GENESIS, link_hash

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _record_five(engine) -> list[AuditEvent]:
    with session_scope(engine) as session:
        return [
            record(session, actor_id=7, action="vote.cast", object_type="vote", object_id=i,
                   payload={"choice": "同意", "n": i}, now=T0 + timedelta(seconds=i))
            for i in range(5)
        ]


def _verify(engine, **kwargs):
    with session_scope(engine) as session:
        return verify(session, **kwargs)


def _sql(engine, statement: str, **params) -> None:
    with engine.begin() as conn:
        conn.execute(text(statement), params)


def test_an_empty_chain_verifies(engine):
    report = _verify(engine)
    assert (report.ok, report.events, report.head) == (True, 0, GENESIS)


def test_recorded_events_form_a_chain_that_verifies(engine):
    events = _record_five(engine)
    assert events[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:], strict=False))
    report = _verify(engine)
    assert (report.ok, report.events, report.head, report.broken_at) == (True, 5, events[-1].hash, None)


@pytest.mark.parametrize("batch", [1, 2, 5000])
def test_verification_reads_in_batches_and_still_names_the_broken_event(engine, batch):
    events = _record_five(engine)
    assert _verify(engine, batch=batch).ok
    _sql(engine, "UPDATE auditevent SET payload = :p WHERE id = :id", p='{"choice": "反对", "n": 3}', id=events[3].id)
    report = _verify(engine, batch=batch)
    assert (report.ok, report.broken_at, report.events) == (False, events[3].id, 3)


def test_an_altered_payload_is_found_and_named(engine):
    events = _record_five(engine)
    _sql(engine, "UPDATE auditevent SET payload = :p WHERE id = :id", p='{"choice": "反对", "n": 2}', id=events[2].id)
    report = _verify(engine)
    assert not report.ok
    assert report.broken_at == events[2].id
    assert report.events == 2  # the two before it still hold
    assert "does not match its hash" in report.reason


def test_a_payload_that_is_no_longer_json_is_named(engine):
    events = _record_five(engine)
    _sql(engine, "UPDATE auditevent SET payload = 'not json' WHERE id = :id", id=events[1].id)
    report = _verify(engine)
    assert (report.ok, report.broken_at) == (False, events[1].id)
    assert "not valid JSON" in report.reason


def test_rewriting_an_event_with_a_fresh_hash_breaks_the_next_link(engine):
    events = _record_five(engine)
    _sql(engine, "UPDATE auditevent SET action = 'vote.deleted', hash = :h WHERE id = :id", h="f" * 64, id=events[1].id)
    report = _verify(engine)
    assert (report.ok, report.broken_at) == (False, events[1].id)
    # Even a forger who recomputes the hash of the altered event cannot hide it: the next link breaks.
    with session_scope(engine) as session:
        forged = session.get(AuditEvent, events[1].id)
        forged_hash = link_hash(forged.prev_hash, forged.body())
    _sql(engine, "UPDATE auditevent SET hash = :h WHERE id = :id", h=forged_hash, id=events[1].id)
    report = _verify(engine)
    assert (report.ok, report.broken_at) == (False, events[2].id)
    assert "prev_hash" in report.reason


def test_a_deleted_middle_event_is_found(engine):
    events = _record_five(engine)
    _sql(engine, "DELETE FROM auditevent WHERE id = :id", id=events[2].id)
    report = _verify(engine)
    assert (report.ok, report.broken_at, report.events) == (False, events[3].id, 2)


def test_an_event_recorded_with_a_local_time_still_verifies(engine):
    # Times are hashed as stored (UTC); a caller passing Beijing time must not produce a broken chain.
    with session_scope(engine) as session:
        record(session, actor_id=None, action="covenant.published", object_type="covenant", object_id=1,
               now=datetime(2026, 3, 1, 17, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    report = _verify(engine)
    assert report.ok, report.reason


def test_a_naive_time_is_refused_rather_than_guessed(engine):
    with session_scope(engine) as session, pytest.raises(ValueError, match="naive"):
        record(session, actor_id=None, action="x", object_type="x", object_id=1, now=datetime(2026, 3, 1, 9, 0))


@pytest.fixture
def cli_env(monkeypatch, database_url, tmp_path):
    """Point the in-process CLI at this test's database, as an operator's environment would."""
    monkeypatch.setenv("CIVIC_DATABASE_URL", database_url)
    monkeypatch.setenv("CIVIC_SECRET_KEY", "test-secret-key-not-for-production")
    monkeypatch.setenv("CIVIC_VAR_DIR", str(tmp_path))


def test_cli_audit_verify_exits_0_on_an_intact_chain(engine, cli_env, capsys):
    events = _record_five(engine)
    assert cli.main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert f"audit chain intact: 5 events, head {events[-1].hash}" in out


def test_cli_audit_verify_exits_1_naming_the_broken_event(engine, cli_env, capsys):
    events = _record_five(engine)
    _sql(engine, "UPDATE auditevent SET payload = '{}' WHERE id = :id", id=events[3].id)
    assert cli.main(["audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert f"audit chain broken at event {events[3].id}" in err
    assert "3 events verified before it" in err


def test_concurrent_writers_make_one_unbroken_chain(engine):
    """8 threads × 10 events, each event its own transaction: the unique prev_hash plus the savepoint
    retry in record() must serialise them into one chain with nothing lost."""
    threads, errors = 8, []
    start = threading.Barrier(threads)

    def write(worker: int) -> None:
        try:
            start.wait()
            for i in range(10):
                with session_scope(engine) as session:
                    record(session, actor_id=worker, action="test.concurrent", object_type="worker",
                           object_id=worker, payload={"i": i})
        except Exception as exc:  # collected: an exception in a thread would otherwise vanish
            errors.append(exc)

    workers = [threading.Thread(target=write, args=(w,)) for w in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(timeout=120)
    assert errors == []
    report = _verify(engine)
    assert (report.ok, report.events) == (True, 80), report.reason
    with session_scope(engine) as session:
        per_worker = session.execute(
            select(AuditEvent.actor_id, text("count(*)")).group_by(AuditEvent.actor_id)
        ).all()
    assert sorted(per_worker) == [(w, 10) for w in range(threads)]
