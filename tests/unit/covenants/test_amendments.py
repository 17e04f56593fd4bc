"""Amendments: proposed in consultation with a reason, followers and drafters told; accepted as the next
version crediting the proposer (merged if the clause moved on, refused if the changes overlap); rejected
with a reason and kept visible."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from civic.covenants import amendments, comments, queries, service
from civic.covenants.models import Amendment, ClauseFollow, CovenantStatus
from civic.covenants.service import EditConflict
from civic.errors import Conflict, InvalidInput, PermissionDenied
from civic.notifications import Notification
from tests.unit.covenants.builders import LATER, NOW, PETS, audit_count, set_status, versions

LEASH = PETS.replace("束犬绳", "束牵引绳")


@pytest.fixture
def consulting(world, session):
    set_status(session, world.covenant, CovenantStatus.consultation)
    return world


def propose(session, w, viewer=None, text=LEASH, reason="牵引绳的说法更准确", **kwargs) -> Amendment:
    amendment = amendments.propose_amendment(session, viewer=viewer or w.zhang, clause_id=w.clause.id, text=text,
                                             reason=reason, now=NOW, **kwargs)
    session.commit()
    return amendment


def told(session, account_id) -> list[str]:
    return list(session.execute(select(Notification.subject).where(Notification.account_id == account_id)
                                .order_by(Notification.id)).scalars())


def test_a_resident_proposes_and_followers_and_drafters_are_told(session, consulting, make_account):
    w = consulting
    comments.follow(session, viewer=w.li, clause_id=w.clause.id, now=NOW)
    session.commit()
    amendment = propose(session, w)
    assert (amendment.status, amendment.based_on_version_id, amendment.proposed_by) == ("open", w.v1.id, w.zhang.account_id)
    subject = "New amendment to “文明养犬” in “南苑村小区文明公约”."
    assert told(session, w.li.account_id) == [subject] and told(session, w.drafter.account_id)[-1] == subject
    assert told(session, w.zhang.account_id) == []  # not the proposer
    url = session.execute(select(Notification.url).where(Notification.account_id == w.li.account_id)).scalar_one()
    assert url == f"/covenants/clauses/{w.clause.id}"
    followers = set(session.execute(select(ClauseFollow.account_id)).scalars())
    assert followers == {w.li.account_id, w.zhang.account_id}  # the proposer follows now


@pytest.mark.parametrize(("text", "reason", "field"), [
    (PETS, "理由", "text"), ("", "理由", "text"), ("约" * 2001, "理由", "text"), (LEASH, " ", "reason"),
    (LEASH, "理" * 1001, "reason"),
])
def test_bad_amendments_write_nothing(session, consulting, text, reason, field):
    w = consulting
    before = audit_count(session)
    with pytest.raises(InvalidInput) as caught:
        amendments.propose_amendment(session, viewer=w.zhang, clause_id=w.clause.id, text=text, reason=reason, now=NOW)
    assert caught.value.field == field
    session.rollback()
    assert session.execute(select(Amendment)).first() is None and audit_count(session) == before


def test_accepting_makes_the_next_version_crediting_the_proposer(session, consulting):
    w = consulting
    amendment = propose(session, w)
    result = amendments.accept_amendment(session, viewer=w.drafter, amendment_id=amendment.id, now=LATER)
    session.commit()
    assert result.outcome == "saved"
    second = versions(session, w.clause)[-1]
    assert (second.number, second.text, second.source) == (2, LEASH, "amendment")
    assert (second.author_id, second.saved_by, second.based_on_version_id) == (w.zhang.account_id, w.drafter.account_id,
                                                                                w.v1.id)
    session.refresh(amendment)
    assert (amendment.status, amendment.decided_by, amendment.resulting_version_id) == ("accepted", w.drafter.account_id,
                                                                                         second.id)
    assert told(session, w.zhang.account_id) == ["Your amendment to “文明养犬” was accepted."]
    with pytest.raises(Conflict, match="already been decided"):
        amendments.accept_amendment(session, viewer=w.drafter, amendment_id=amendment.id, now=LATER)


def test_an_amendment_to_an_older_version_is_merged(session, consulting):
    w = consulting
    amendment = propose(session, w)
    service.edit_clause(session, viewer=w.drafter, clause_id=w.clause.id, based_on_version_id=w.v1.id,
                        text=PETS.replace("及时制止", "立即制止"), now=LATER)
    session.commit()
    result = amendments.accept_amendment(session, viewer=w.staff, amendment_id=amendment.id,
                                         now=LATER + timedelta(minutes=1))
    session.commit()
    assert result.outcome == "merged" and result.version.number == 3 and result.version.source == "amendment"
    assert result.version.text == LEASH.replace("及时制止", "立即制止")


def test_an_overlapping_amendment_is_refused_and_nothing_changes(session, consulting):
    w = consulting
    amendment = propose(session, w, text=PETS.replace("当即清理", "自行清理"), reason="更明确")
    service.edit_clause(session, viewer=w.drafter, clause_id=w.clause.id, based_on_version_id=w.v1.id,
                        text=PETS.replace("当即清理", "立即清理"), now=LATER)
    session.commit()
    before = audit_count(session)
    with pytest.raises(EditConflict, match="changed since this amendment was proposed") as caught:
        amendments.accept_amendment(session, viewer=w.drafter, amendment_id=amendment.id, now=LATER)
    assert caught.value.params == {"number": 2} and caught.value.mine == amendment.text
    session.rollback()
    session.expire_all()
    assert len(versions(session, w.clause)) == 2 and audit_count(session) == before
    assert session.get(Amendment, amendment.id).status == "open"


def test_rejecting_needs_a_reason_and_the_amendment_stays_visible(session, consulting):
    w = consulting
    amendment = propose(session, w)
    with pytest.raises(InvalidInput) as caught:
        amendments.reject_amendment(session, viewer=w.drafter, amendment_id=amendment.id, reason="", now=LATER)
    assert caught.value.field == "reason"
    session.rollback()
    with pytest.raises(PermissionDenied):
        amendments.reject_amendment(session, viewer=w.li, amendment_id=amendment.id, reason="不好", now=LATER)
    session.rollback()
    amendments.reject_amendment(session, viewer=w.drafter, amendment_id=amendment.id, reason="与养犬条例用语一致", now=LATER)
    session.commit()
    page = queries.clause_page(session, clause_id=w.clause.id, viewer=w.li, now=LATER)
    [row] = page.amendments
    assert (row.status, row.decision_reason, row.proposer, row.decided_by) == ("rejected", "与养犬条例用语一致", "张伟", "周敏")
    assert [(s.op, s.text) for s in row.segments if s.op != "equal"] == [("delete", "犬"), ("insert", "牵引")]
    assert told(session, w.zhang.account_id) == ["Your amendment to “文明养犬” was rejected: 与养犬条例用语一致"]
    assert len(versions(session, w.clause)) == 1


def test_only_the_proposer_withdraws_an_open_amendment(session, consulting):
    w = consulting
    amendment = propose(session, w)
    with pytest.raises(PermissionDenied):
        amendments.withdraw_amendment(session, viewer=w.drafter, amendment_id=amendment.id, now=LATER)
    session.rollback()
    assert amendments.withdraw_amendment(session, viewer=w.zhang, amendment_id=amendment.id, now=LATER).status == "withdrawn"
    session.commit()
    with pytest.raises(Conflict):
        amendments.accept_amendment(session, viewer=w.drafter, amendment_id=amendment.id, now=LATER)


def test_an_amendment_based_on_an_older_version_by_choice(session, consulting):
    w = consulting
    service.edit_clause(session, viewer=w.drafter, clause_id=w.clause.id, based_on_version_id=w.v1.id,
                        text=PETS.replace("及时制止", "立即制止"), now=NOW)
    session.commit()
    amendment = propose(session, w, based_on_version_id=w.v1.id)
    assert amendment.based_on_version_id == w.v1.id
    assert amendments.accept_amendment(session, viewer=w.drafter, amendment_id=amendment.id,
                                       now=LATER).version.text == LEASH.replace("及时制止", "立即制止")
