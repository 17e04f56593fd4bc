"""Drafting use cases: covenants, drafters, clauses and their immutable versions, stale saves merged or
refused, status changes, diffs — and every refusal writes nothing."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from civic.audit import AuditEvent
from civic.covenants import diffs, drafters, rules, service
from civic.covenants.models import (
    Clause,
    ClauseVersion,
    Covenant,
    CovenantDrafter,
    CovenantStatus,
    DrafterStatus,
)
from civic.covenants.service import EditConflict
from civic.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from civic.notifications import Notification
from tests.unit.covenants.builders import LATER, NOW, PETS, audit_count, set_status, version, versions


def edit(session, w, viewer, text, based_on=None, now=LATER, clause=None):
    clause = clause or w.clause
    return service.edit_clause(session, viewer=viewer, clause_id=clause.id, text=text, now=now,
                               based_on_version_id=(based_on or w.v1).id)


# ---- the covenant ----------------------------------------------------------------------------------------

def test_staff_create_a_covenant_for_a_community_or_compound(session, world):
    w = world
    covenant = session.get(Covenant, w.covenant.id)
    assert (covenant.status, covenant.kind, covenant.scope_place_id) == ("drafting", "residents", w.r.compound.id)
    owners = service.create_covenant(session, viewer=w.staff, scope_place_id=w.r.community.id, kind="owners",
                                     title="  北环社区管理规约 ", now=NOW)
    assert owners.title == "北环社区管理规约"
    actions = session.execute(select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all()
    assert actions[0] == "covenant.created" and actions[-1] == "covenant.created"


@pytest.mark.parametrize(("who", "place", "kind", "title", "error", "field"), [
    ("zhang", "compound", "residents", "公约", PermissionDenied, None),
    ("other_staff", "compound", "residents", "公约", PermissionDenied, None),
    ("staff", "building", "residents", "公约", InvalidInput, "scope"),
    ("staff", None, "residents", "公约", InvalidInput, "scope"),
    ("staff", "compound", "tenants", "公约", InvalidInput, "kind"),
    ("staff", "compound", "owners", "  ", InvalidInput, "title"),
    ("staff", "compound", "owners", "公约\n第二行", InvalidInput, "title"),
    ("staff", "compound", "owners", "约" * 201, InvalidInput, "title"),
])
def test_refused_covenants_write_nothing(session, world, who, place, kind, title, error, field):
    w = world
    before = audit_count(session)
    with pytest.raises(error) as caught:
        service.create_covenant(session, viewer=getattr(w, who), kind=kind, title=title, now=NOW,
                                scope_place_id=getattr(w.r, place).id if place else None)
    assert caught.value.field == field
    session.rollback()
    assert session.execute(select(func.count()).select_from(Covenant)).scalar_one() == 1
    assert audit_count(session) == before


def test_a_new_text_supersedes_only_an_adopted_covenant_of_the_same_place_and_kind(session, world):
    w = world
    with pytest.raises(InvalidInput, match="Only an adopted covenant"):
        service.create_covenant(session, viewer=w.staff, scope_place_id=w.r.compound.id, kind="residents",
                                title="新公约", now=NOW, supersedes_id=w.covenant.id)
    session.rollback()
    set_status(session, w.covenant, CovenantStatus.adopted)
    new = service.create_covenant(session, viewer=w.staff, scope_place_id=w.r.compound.id, kind="residents",
                                  title="新公约", now=NOW, supersedes_id=w.covenant.id)
    assert new.supersedes_id == w.covenant.id and new.status == "drafting"


def test_title_and_preamble_change_while_drafting(session, world):
    w = world
    service.update_covenant(session, viewer=w.drafter, covenant_id=w.covenant.id, title="南苑村小区微公约",
                            preamble="全体居民共同约定：\r\n", now=LATER)
    session.commit()
    covenant = session.get(Covenant, w.covenant.id)
    assert (covenant.title, covenant.preamble) == ("南苑村小区微公约", "全体居民共同约定：")
    with pytest.raises(InvalidInput) as caught:
        service.update_covenant(session, viewer=w.drafter, covenant_id=w.covenant.id, title="公约",
                                preamble="序" * 5001, now=LATER)
    assert caught.value.field == "preamble"


def test_status_moves_by_the_table(session, world):
    w = world
    with pytest.raises(PermissionDenied):
        service.move_status(session, viewer=w.zhang, covenant_id=w.covenant.id, to="consultation", now=LATER)
    session.rollback()
    moved = service.move_status(session, viewer=w.drafter, covenant_id=w.covenant.id, to="consultation", now=LATER)
    assert (moved.status, moved.status_changed_at) == ("consultation", LATER)
    session.commit()
    with pytest.raises(Conflict, match="its own step"):
        service.move_status(session, viewer=w.staff, covenant_id=w.covenant.id, to="ratification", now=LATER)
    session.rollback()
    with pytest.raises(Conflict, match="cannot go from"):
        service.move_status(session, viewer=w.staff, covenant_id=w.covenant.id, to="adopted", now=LATER)
    session.rollback()
    assert service.move_status(session, viewer=w.staff, covenant_id=w.covenant.id, to="drafting",
                               now=LATER).status == "drafting"
    payloads = session.execute(select(AuditEvent.payload).where(AuditEvent.action == "covenant.status_changed")
                               .order_by(AuditEvent.id)).scalars().all()
    assert payloads == ['{"from": "drafting", "to": "consultation"}', '{"from": "consultation", "to": "drafting"}']


def test_revising_after_a_failed_vote_clears_the_frozen_hash(session, world):
    w = world
    covenant = session.get(Covenant, w.covenant.id)
    covenant.status, covenant.frozen_version_hash, covenant.frozen_at = "rejected", "ab" * 32, NOW
    session.commit()
    service.move_status(session, viewer=w.drafter, covenant_id=w.covenant.id, to="drafting", now=LATER)
    session.commit()
    session.expire_all()
    covenant = session.get(Covenant, w.covenant.id)
    assert (covenant.status, covenant.frozen_version_hash, covenant.frozen_at) == ("drafting", None, None)
    payload = session.execute(select(AuditEvent.payload).order_by(AuditEvent.id.desc()).limit(1)).scalar_one()
    assert "ab" * 32 in payload


# ---- drafters -----------------------------------------------------------------------------------------------

def test_a_resident_asks_to_join_and_staff_decide(session, world):
    w = world
    request = drafters.request_to_join(session, viewer=w.zhang, covenant_id=w.covenant.id, note="我养狗十年", now=NOW)
    session.commit()
    told = session.execute(select(Notification.account_id, Notification.subject)
                           .where(Notification.account_id == w.staff.account_id)).all()
    assert [subject for _a, subject in told] == ["A resident asks to join the drafters of “南苑村小区文明公约”."]
    with pytest.raises(Conflict, match="already asked"):
        drafters.request_to_join(session, viewer=w.zhang, covenant_id=w.covenant.id, note="", now=NOW)
    session.rollback()
    with pytest.raises(PermissionDenied):
        drafters.decide_join(session, viewer=w.drafter, request_id=request.id, approve=True, now=NOW)
    session.rollback()
    with pytest.raises(PermissionDenied):  # staff of another community
        drafters.decide_join(session, viewer=w.other_staff, request_id=request.id, approve=True, now=NOW)
    session.rollback()
    approved = drafters.decide_join(session, viewer=w.staff, request_id=request.id, approve=True, now=LATER)
    session.commit()
    assert (approved.status, approved.appointed_by) == ("approved", w.staff.account_id)
    assert edit(session, w, w.zhang, PETS + "违者由物业劝导。").outcome == "saved"  # a drafter now
    with pytest.raises(Conflict, match="already been answered"):
        drafters.decide_join(session, viewer=w.staff, request_id=request.id, approve=False, reason="不", now=LATER)


def test_declining_needs_a_reason_and_strangers_cannot_ask(session, world):
    w = world
    request = drafters.request_to_join(session, viewer=w.li, covenant_id=w.covenant.id, note="", now=NOW)
    session.commit()
    with pytest.raises(InvalidInput) as caught:
        drafters.decide_join(session, viewer=w.staff, request_id=request.id, approve=False, reason=" ", now=LATER)
    assert caught.value.field == "reason"
    session.rollback()
    declined = drafters.decide_join(session, viewer=w.staff, request_id=request.id, approve=False,
                                   reason="起草小组已满", now=LATER)
    assert declined.status == DrafterStatus.declined
    session.commit()
    again = drafters.request_to_join(session, viewer=w.li, covenant_id=w.covenant.id, note="再试一次", now=LATER)
    assert again.id == request.id and again.status == "pending"  # asking again reopens the one request
    for viewer in (w.stranger, w.anonymous, w.drafter):
        with pytest.raises((PermissionDenied, Conflict)):
            drafters.request_to_join(session, viewer=viewer, covenant_id=w.covenant.id, note="", now=NOW)
        session.rollback()


def test_staff_appoint_and_remove_drafters(session, world, make_account):
    w = world
    with pytest.raises(Conflict, match="already a drafter"):
        drafters.appoint_drafter(session, viewer=w.staff, covenant_id=w.covenant.id, account_id=w.drafter.account_id,
                                now=NOW)
    session.rollback()
    with pytest.raises(InvalidInput):
        drafters.appoint_drafter(session, viewer=w.staff, covenant_id=w.covenant.id, account_id=999_999, now=NOW)
    session.rollback()
    row = session.execute(select(CovenantDrafter).where(CovenantDrafter.account_id == w.drafter.account_id)).scalar_one()
    drafters.remove_drafter(session, viewer=w.staff, drafter_id=row.id, reason="搬离小区", now=LATER)
    session.commit()
    with pytest.raises(PermissionDenied):
        edit(session, w, w.drafter, PETS + "补充。")


# ---- clauses and versions -------------------------------------------------------------------------------

def test_a_clause_from_a_template_starts_at_version_one(session, world):
    w = world
    clause = service.add_clause(session, viewer=w.staff, covenant_id=w.covenant.id, template="height", now=NOW)
    session.commit()
    [first] = versions(session, clause)
    template = rules.CLAUSE_TEMPLATES["height"]
    assert (clause.position, clause.subject, clause.heading) == (2, "height", "杜绝高空抛物")
    assert (first.number, first.text, first.sha256) == (1, template.text, hashlib.sha256(template.text.encode()).hexdigest())
    blank = service.add_clause(session, viewer=w.drafter, covenant_id=w.covenant.id, heading="其他约定", now=NOW)
    assert blank.position == 3 and versions(session, blank)[0].text == ""


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"template": "swimming"}, "template"),
    ({"subject": "swimming", "heading": "游泳"}, "subject"),
    ({"heading": ""}, "heading"),
    ({"heading": "标题", "text": "约" * 2001}, "text"),
])
def test_bad_clauses_are_refused(session, world, kwargs, field):
    w = world
    with pytest.raises(InvalidInput) as caught:
        service.add_clause(session, viewer=w.drafter, covenant_id=w.covenant.id, now=NOW, **kwargs)
    assert caught.value.field == field


def test_an_edit_makes_a_new_immutable_version(session, world):
    w = world
    new_text = PETS.replace("束犬绳", "束牵引绳")
    result = edit(session, w, w.drafter, new_text + "  \r\n")
    session.commit()
    assert result.outcome == "saved" and result.merged_with is None
    first, second = versions(session, w.clause)
    assert (first.text, first.sha256, first.created_at) == (PETS, w.v1.sha256, NOW)  # untouched
    assert (second.number, second.text, second.source, second.based_on_version_id) == (2, new_text, "edit", w.v1.id)
    assert (second.author_id, second.saved_by, second.created_at) == (w.drafter.account_id, w.drafter.account_id, LATER)
    assert second.sha256 == hashlib.sha256(new_text.encode()).hexdigest()
    assert session.get(Clause, w.clause.id).current_number == 2
    event = session.execute(select(AuditEvent).where(AuditEvent.action == "clause.edited")).scalar_one()
    assert '"number": 2' in event.payload and second.sha256 in event.payload


def test_saving_the_same_text_changes_nothing(session, world):
    w = world
    before = audit_count(session)
    result = edit(session, w, w.drafter, PETS + "\n")
    assert (result.outcome, result.version.id) == ("unchanged", w.v1.id)
    assert len(versions(session, w.clause)) == 1 and audit_count(session) == before


def test_a_stale_save_is_merged_when_the_changes_do_not_overlap(session, world):
    w = world
    edit(session, w, w.drafter, PETS.replace("束犬绳", "束牵引绳"))
    session.commit()
    result = edit(session, w, w.staff, PETS.replace("及时制止", "立即制止"), now=LATER + timedelta(minutes=1))
    session.commit()
    assert result.outcome == "merged" and result.merged_with.number == 2
    third = versions(session, w.clause)[2]
    assert third.text == PETS.replace("束犬绳", "束牵引绳").replace("及时制止", "立即制止")
    assert (third.number, third.source, third.based_on_version_id) == (3, "merge", w.v1.id)


def test_a_stale_save_that_overlaps_is_refused_with_both_texts_and_nothing_written(session, world):
    w = world
    theirs = PETS.replace("当即清理", "立即清理")
    edit(session, w, w.drafter, theirs)
    session.commit()
    before = audit_count(session)
    mine = PETS.replace("当即清理", "自行清理干净")
    with pytest.raises(EditConflict) as caught:
        edit(session, w, w.staff, mine)
    conflict = caught.value
    assert conflict.field == "text" and conflict.params == {"number": 2} and conflict.status_code == 409
    assert (conflict.base.number, conflict.current.number, conflict.theirs, conflict.mine) == (1, 2, theirs, mine)
    assert [(c.mine, c.theirs) for c in conflict.conflicts] == [("自行清理干净", "立即清理")]
    assert "".join(s.text for s in conflict.segments if s.op != "insert") == theirs
    assert str(conflict).startswith("Version 2 of this clause was saved while you were editing")
    session.rollback()
    assert len(versions(session, w.clause)) == 2 and audit_count(session) == before


def test_a_stale_save_of_what_was_saved_meanwhile_changes_nothing(session, world):
    w = world
    same = PETS.replace("束犬绳", "束牵引绳")
    edit(session, w, w.drafter, same)
    session.commit()
    before = audit_count(session)
    result = edit(session, w, w.staff, same)
    assert (result.outcome, result.version.number, result.merged_with.number) == ("unchanged", 2, 2)
    assert len(versions(session, w.clause)) == 2 and audit_count(session) == before


@pytest.mark.parametrize(("text", "field"), [("  \r\n ", "text"), ("约" * 2001, "text")])
def test_bad_texts_are_refused(session, world, text, field):
    w = world
    with pytest.raises(InvalidInput) as caught:
        edit(session, w, w.drafter, text)
    assert caught.value.field == field


def test_a_version_of_another_clause_is_no_base(session, world):
    w = world
    other = service.add_clause(session, viewer=w.drafter, covenant_id=w.covenant.id, template="noise", now=NOW)
    session.commit()
    with pytest.raises(InvalidInput) as caught:
        edit(session, w, w.drafter, "新的文字。", based_on=versions(session, other)[0])
    assert caught.value.field == "based_on"
    with pytest.raises(NotFound):
        service.edit_clause(session, viewer=w.drafter, clause_id=999_999, based_on_version_id=w.v1.id, text="x",
                            now=LATER)


def test_removed_clauses_cannot_change(session, world):
    w = world
    service.remove_clause(session, viewer=w.drafter, clause_id=w.clause.id, now=LATER)
    session.commit()
    with pytest.raises(Conflict, match="removed"):
        edit(session, w, w.drafter, "新的文字。")


# ---- diffs ------------------------------------------------------------------------------------------------

def test_diff_between_two_versions(session, world):
    w = world
    edit(session, w, w.drafter, PETS.replace("束犬绳", "束牵引绳"))
    session.commit()
    result = diffs.diff_versions(session, clause_id=w.clause.id, from_number=1, to_number=2)
    assert [(s.op, s.text) for s in result.segments if s.op != "equal"] == [("delete", "犬"), ("insert", "牵引")]
    assert "".join(s.text for s in result.left) == PETS and result.changed
    with pytest.raises(NotFound):
        diffs.diff_versions(session, clause_id=w.clause.id, from_number=1, to_number=7)


def test_whole_covenant_diff_between_two_times(session, world):
    w = world
    t1, t2, t3 = LATER, LATER + timedelta(hours=1), LATER + timedelta(hours=2)
    height = service.add_clause(session, viewer=w.drafter, covenant_id=w.covenant.id, template="height", now=t1)
    edit(session, w, w.drafter, PETS.replace("束犬绳", "束牵引绳"), now=t2)
    noise = service.add_clause(session, viewer=w.drafter, covenant_id=w.covenant.id, template="noise", now=t2)
    service.remove_clause(session, viewer=w.drafter, clause_id=height.id, now=t3)
    session.commit()
    before = diffs.covenant_diff(session, covenant_id=w.covenant.id, at_from=NOW, at_to=t1)
    assert [(d.clause.id, d.old is None, d.new is not None) for d in before.changed] == [(height.id, True, True)]
    whole = diffs.covenant_diff(session, covenant_id=w.covenant.id, at_from=t1, at_to=t3)
    rows = {d.clause.id: d for d in whole.clauses}
    assert (rows[w.clause.id].old.number, rows[w.clause.id].new.number) == (1, 2) and rows[w.clause.id].changed
    assert rows[height.id].new is None and rows[noise.id].old is None
    assert [d.clause.id for d in whole.clauses] == [w.clause.id, height.id, noise.id]
    assert diffs.covenant_diff(session, covenant_id=w.covenant.id, at_from=t3, at_to=t3).changed == []


def test_every_version_row_stays_as_written(session, world):
    w = world
    for n in range(3):
        current = versions(session, w.clause)[-1]
        edit(session, w, w.drafter, PETS + f"补充{n}。", based_on=current, now=LATER + timedelta(minutes=n))
        session.commit()
    rows = versions(session, w.clause)
    assert [v.number for v in rows] == [1, 2, 3, 4]
    assert all(v.sha256 == rules.sha256_text(v.text) for v in rows)
    assert [v.based_on_version_id for v in rows] == [None, rows[0].id, rows[1].id, rows[2].id]
    assert session.execute(select(func.count()).select_from(ClauseVersion)).scalar_one() == 4
    assert version(session, w.clause, 1).text == PETS
