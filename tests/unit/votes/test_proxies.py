"""Proxy mandates: staff record them (who, for whom, this vote, evidence), the proxy casts a web ballot for
the key, and a mandate can be revoked only until it is used."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from civic.audit import AuditEvent
from civic.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from civic.notifications import Notification
from civic.votes import chain, proxies, service
from civic.votes.models import Ballot, ProxyMandate
from tests.unit.places.builders import build_register
from tests.unit.votes.test_paper import staff
from tests.unit.votes.test_vote_service import NOW, open_vote, staff_of, voter

LATER = NOW + timedelta(hours=1)
EVIDENCE = "书面委托书，2026-11-20 李娜签字，原件存社区居委会"


@pytest.fixture
def world(session, make_account):
    r = build_register(session)
    w = SimpleNamespace(r=r, vote=open_vote(session, r))
    w.staff = staff(make_account, r.community, "李娟")
    w.stranger = staff(make_account, r.other_community, "陈静")
    w.proxy = make_account("赵磊", email="zhao@example.test", phone="+8613900000009", locale="en")
    w.li_account = make_account("李娜", person_id=r.li.id)
    w.li = f"owners:{r.li.id}+{r.wang.id}"
    return w


def record(session, w, voter_name="1栋 102", proxy="zhao@example.test", evidence=EVIDENCE, vote=None, viewer=None):
    mandate = proxies.record_mandate(session, viewer=viewer or w.staff, vote_id=(vote or w.vote).id, voter=voter_name,
                                     proxy=proxy, evidence=evidence, now=NOW)
    session.commit()
    return mandate


def as_proxy(w) -> service.Voter:
    return service.Voter(account_id=w.proxy.id, person_id=None)


def ballot(session) -> Ballot:
    session.expire_all()
    return session.execute(select(Ballot)).scalar_one()


def test_staff_record_a_mandate_and_the_proxy_is_told(session, world):
    w = world
    mandate = record(session, w, proxy="139 0000 0009")  # a phone number, spelt as people write it
    assert (mandate.voter_key, mandate.proxy_account_id, mandate.recorded_by) == (w.li, w.proxy.id, w.staff.account_id)
    assert mandate.evidence == EVIDENCE and proxies.mandate_status(mandate) == "active"
    note = session.execute(select(Notification)).scalar_one()
    assert (note.account_id, note.subject, note.url) == (w.proxy.id, "You may vote as a proxy: 更换物业服务企业",
                                                         f"/votes/{w.vote.id}")
    assert session.execute(select(AuditEvent.action).where(AuditEvent.object_type == "proxy_mandate")).scalar_one() \
        == "vote.proxy_recorded"


def test_the_proxy_casts_a_web_ballot_for_the_key_and_the_mandate_is_then_used(session, world):
    w = world
    mandate = record(session, w)
    receipt = service.cast_ballot(session, vote_id=w.vote.id, voter=as_proxy(w), choice="yes", now=LATER, for_key=w.li)
    session.commit()
    counted = ballot(session)
    assert (counted.voter_key, counted.choice, counted.channel, counted.cast_by) == (w.li, "yes", "proxy", w.proxy.id)
    chain.link(session, vote_id=w.vote.id)
    assert counted.receipt == receipt.receipt and chain.head(session, vote_id=w.vote.id)[0] == 1
    assert session.get(ProxyMandate, mandate.id).used_at == LATER
    with pytest.raises(Conflict, match="already been used"):
        proxies.revoke_mandate(session, viewer=w.staff, mandate_id=mandate.id, now=LATER)
    session.rollback()
    service.cast_ballot(session, vote_id=w.vote.id, voter=as_proxy(w), choice="no", now=LATER, for_key=w.li)
    session.commit()
    assert ballot(session).choice == "no"  # a used mandate still lets the proxy change the ballot until close


def test_a_mandate_revoked_before_use_lets_the_proxy_cast_nothing(session, world):
    w = world
    mandate = record(session, w)
    proxies.revoke_mandate(session, viewer=w.staff, mandate_id=mandate.id, now=LATER)
    session.commit()
    session.expire_all()
    assert proxies.mandate_status(session.get(ProxyMandate, mandate.id)) == "revoked"
    with pytest.raises(PermissionDenied):
        service.cast_ballot(session, vote_id=w.vote.id, voter=as_proxy(w), choice="yes", now=LATER, for_key=w.li)
    session.rollback()
    assert session.execute(select(func.count()).select_from(Ballot)).scalar_one() == 0
    with pytest.raises(Conflict, match="already been revoked"):
        proxies.revoke_mandate(session, viewer=w.staff, mandate_id=mandate.id, now=LATER)
    session.rollback()
    subjects = session.execute(select(Notification.subject).order_by(Notification.id)).scalars().all()
    assert subjects[-1] == "Your proxy mandate was revoked: 更换物业服务企业"
    record(session, w)  # with the first one revoked, a new mandate may be recorded


def test_one_active_mandate_per_key_and_vote(session, world, make_account):
    w = world
    record(session, w)
    other = make_account("孙丽", email="sun@example.test")
    with pytest.raises(Conflict, match="already has a proxy mandate"):
        record(session, w, voter_name=w.li, proxy=other.email)


def test_representative_and_proxy_both_casting_leaves_one_ballot_the_latest(session, world):
    w = world
    record(session, w)
    service.cast_ballot(session, vote_id=w.vote.id, voter=voter(w.r.li), choice="yes", now=NOW)
    service.cast_ballot(session, vote_id=w.vote.id, voter=as_proxy(w), choice="no", now=LATER, for_key=w.li)
    session.commit()
    counted = ballot(session)
    assert (counted.choice, counted.channel, counted.changes) == ("no", "proxy", 1)
    service.cast_ballot(session, vote_id=w.vote.id, voter=voter(w.r.li), choice="abstain", now=LATER)
    session.commit()
    counted = ballot(session)
    assert (counted.choice, counted.channel, counted.changes) == ("abstain", "web", 2)
    live = service.counts(session, vote=w.vote)
    assert (live.participation.heads, live.abstain.heads) == (1, 1) and live == service.counts(session, vote=w.vote,
                                                                                               live=False)


def test_a_mandate_for_a_scheduled_vote_names_the_key_from_the_register_and_works_once_it_opens(session, world):
    w = world
    vote = service.create_vote(session, viewer=staff_of(w.r.community), scope_place_id=w.r.compound.id,
                               title="加装电梯", description="", matter="cn278-7-rebuild", kind="yes_no", secret=True,
                               opens_at=NOW + timedelta(days=1), closes_at=NOW + timedelta(days=3), now=NOW)
    session.commit()
    mandate = record(session, w, voter_name="1栋102", vote=vote)
    assert mandate.voter_key == w.li
    with pytest.raises(Conflict):  # not open yet
        service.cast_ballot(session, vote_id=vote.id, voter=as_proxy(w), choice="yes", now=NOW, for_key=w.li)
    session.rollback()
    service.cast_ballot(session, vote_id=vote.id, voter=as_proxy(w), choice="yes", now=NOW + timedelta(days=1),
                        for_key=w.li)
    session.commit()
    assert (ballot(session).channel, ballot(session).cast_by) == ("proxy", w.proxy.id)


def test_someone_without_a_mandate_cannot_cast_for_a_key(session, world, make_account):
    w = world
    record(session, w)
    other = make_account("孙丽")
    with pytest.raises(PermissionDenied):
        service.cast_ballot(session, vote_id=w.vote.id, voter=service.Voter(account_id=other.id, person_id=None),
                            choice="yes", now=LATER, for_key=w.li)
    with pytest.raises(PermissionDenied):  # the mandate is for 102, not for 101
        service.cast_ballot(session, vote_id=w.vote.id, voter=as_proxy(w), choice="yes", now=LATER,
                            for_key=f"owner:{w.r.zhang.id}")


@pytest.mark.parametrize(("changes", "field"), [
    ({"proxy": "nobody@example.test"}, "proxy"),
    ({"proxy": "not an address"}, "proxy"),
    ({"evidence": "  "}, "evidence"),
    ({"evidence": "x" * 501}, "evidence"),
    ({"voter_name": "9栋 901"}, "voter"),
    ({"voter_name": ""}, "voter"),
])
def test_bad_input_is_refused_and_nothing_is_recorded(session, world, changes, field):
    w = world
    with pytest.raises(InvalidInput) as error:
        record(session, w, **changes)
    session.rollback()
    assert error.value.field == field
    assert session.execute(select(func.count()).select_from(ProxyMandate)).scalar_one() == 0
    assert session.execute(select(func.count()).select_from(Notification)).scalar_one() == 0


def test_only_staff_of_the_place_record_and_revoke_and_not_after_close(session, world):
    w = world
    with pytest.raises(PermissionDenied):
        record(session, w, viewer=w.stranger)
    session.rollback()
    mandate = record(session, w)
    with pytest.raises(PermissionDenied):
        proxies.revoke_mandate(session, viewer=w.stranger, mandate_id=mandate.id, now=LATER)
    session.rollback()
    with pytest.raises(NotFound):
        proxies.revoke_mandate(session, viewer=w.staff, mandate_id=mandate.id + 99, now=LATER)
    session.rollback()
    after = w.vote.closes_at + timedelta(minutes=1)
    with pytest.raises(Conflict):
        proxies.revoke_mandate(session, viewer=w.staff, mandate_id=mandate.id, now=after)
    session.rollback()
    with pytest.raises(Conflict):
        proxies.record_mandate(session, viewer=w.staff, vote_id=w.vote.id, voter="1栋 101", proxy="zhao@example.test",
                               evidence=EVIDENCE, now=after)
