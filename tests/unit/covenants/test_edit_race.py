"""Saves of one clause at the same moment, each in its own session and thread, all based on version 1:
one becomes current directly, every other merges or is refused — never a lost update. SQLite (BEGIN
IMMEDIATE) and PostgreSQL (the clause row locked FOR UPDATE)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from civic.covenants import amendments, service
from civic.covenants.models import Amendment, Clause, CovenantStatus
from civic.covenants.service import EditConflict
from civic.db import session_scope
from tests.unit.covenants.builders import LATER, NOW, PETS, set_status, versions

FOUR = "第一句出户牵绳。第二句清理粪便。第三句不得扰民。第四句文明乘梯。"
EDITS = [("出户牵绳", "出户拴绳"), ("清理粪便", "当即清理粪便"), ("不得扰民", "不得吠叫扰民"), ("文明乘梯", "主动避让")]


def race(engine, jobs) -> tuple[list, list, list]:
    """Run each job(session) in its own thread and unit of work, all released together."""
    start, results, conflicts, errors = threading.Barrier(len(jobs)), [], [], []

    def run(job) -> None:
        try:
            start.wait()
            with session_scope(engine) as s:
                results.append(job(s))
        except EditConflict as exc:
            conflicts.append(exc)
        except Exception as exc:  # every save must get an answer; collect rather than lose it
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, conflicts, errors


def saver(w, viewer, text, clause=None, based_on=None):
    clause_id, based_on_id = (clause or w.clause).id, (based_on or w.v1).id

    def save(s):
        return service.edit_clause(s, viewer=viewer, clause_id=clause_id, based_on_version_id=based_on_id, text=text,
                                   now=LATER).outcome
    return save


def test_two_non_overlapping_saves_both_land(session, engine, world):
    w = world
    mine, theirs = PETS.replace("束犬绳", "束牵引绳"), PETS.replace("及时制止", "立即制止")
    results, conflicts, errors = race(engine, [saver(w, w.drafter, mine), saver(w, w.staff, theirs)])
    session.rollback()
    assert errors == [] and conflicts == [] and sorted(results) == ["merged", "saved"]
    rows = versions(session, w.clause)
    assert [(v.number, v.source, v.based_on_version_id) for v in rows] == [
        (1, "edit", None), (2, "edit", w.v1.id), (3, "merge", w.v1.id)]
    assert rows[-1].text == PETS.replace("束犬绳", "束牵引绳").replace("及时制止", "立即制止")
    assert session.get(Clause, w.clause.id).current_number == 3


def test_two_overlapping_saves_one_lands_the_other_is_refused(session, engine, world):
    w = world
    mine, theirs = PETS.replace("当即清理", "自行清理"), PETS.replace("当即清理", "立即清理")
    results, conflicts, errors = race(engine, [saver(w, w.drafter, mine), saver(w, w.staff, theirs)])
    session.rollback()
    assert errors == [] and results == ["saved"] and len(conflicts) == 1
    rows = versions(session, w.clause)
    assert [v.number for v in rows] == [1, 2]
    refused = conflicts[0]
    assert refused.theirs == rows[1].text and {refused.mine, refused.theirs} == {mine, theirs}


def test_four_saves_at_once_in_four_sentences_all_land(session, engine, world, monkeypatch):
    """A slow read of the current version widens the window: without the row lock two saves would both
    take version 2 (and one fail on the unique number); with it each waits, then merges."""
    w = world
    clause = service.add_clause(session, viewer=w.drafter, covenant_id=w.covenant.id, heading="四句", text=FOUR, now=NOW)
    session.commit()
    base = versions(session, clause)[0]
    real = service.current_version

    def slow(s, c):
        found = real(s, c)
        time.sleep(0.05)
        return found

    monkeypatch.setattr(service, "current_version", slow)
    jobs = [saver(w, w.drafter if n % 2 else w.staff, FOUR.replace(old, new), clause=clause, based_on=base)
            for n, (old, new) in enumerate(EDITS)]
    results, conflicts, errors = race(engine, jobs)
    session.rollback()
    assert errors == [] and conflicts == [] and sorted(results) == ["merged"] * 3 + ["saved"]
    rows = versions(session, clause)
    expected = FOUR
    for old, new in EDITS:
        expected = expected.replace(old, new)
    assert [v.number for v in rows] == [1, 2, 3, 4, 5] and rows[-1].text == expected


def test_an_edit_and_an_acceptance_at_once(session, engine, world):
    w = world
    set_status(session, w.covenant, CovenantStatus.consultation)
    amendment = amendments.propose_amendment(session, viewer=w.zhang, clause_id=w.clause.id,
                                             text=PETS.replace("束犬绳", "束牵引绳"), reason="牵引绳更准确", now=NOW)
    session.commit()

    def accept(s):
        return amendments.accept_amendment(s, viewer=w.staff, amendment_id=amendment.id, now=LATER).outcome

    results, conflicts, errors = race(engine, [accept, saver(w, w.drafter, PETS.replace("及时制止", "立即制止"))])
    session.rollback()
    assert errors == [] and conflicts == [] and sorted(results) == ["merged", "saved"]
    session.expire_all()
    final = versions(session, w.clause)[-1]
    assert final.number == 3 and final.text == PETS.replace("束犬绳", "束牵引绳").replace("及时制止", "立即制止")
    accepted = session.execute(select(Amendment)).scalar_one()
    assert accepted.status == "accepted" and accepted.resulting_version_id in {v.id for v in versions(session, w.clause)}


@pytest.mark.parametrize("overlap", [False, True])
def test_repeated_races_never_lose_an_update(session, engine, world, overlap):
    """Ten rounds of two saves from the version current at the round's start."""
    w = world
    for n in range(10):
        current = versions(session, w.clause)[-1]
        text = current.text
        if overlap:
            jobs = [saver(w, w.drafter, text + f"甲{n}。", based_on=current),
                    saver(w, w.staff, text + f"乙{n}。", based_on=current)]
        else:
            jobs = [saver(w, w.drafter, f"{n}" + text, based_on=current),
                    saver(w, w.staff, text + f"乙{n}。", based_on=current)]
        results, conflicts, errors = race(engine, jobs)
        assert errors == []
        if overlap:
            assert results == ["saved"] and len(conflicts) == 1
        else:
            assert sorted(results) == ["merged", "saved"] and conflicts == []
        session.rollback()
    rows = versions(session, w.clause)
    assert [v.number for v in rows] == list(range(1, len(rows) + 1))
    assert len(rows) == (11 if overlap else 21)
    if not overlap:
        assert all(f"乙{n}。" in rows[-1].text and rows[-1].text.count(str(n)) >= 1 for n in range(10))
