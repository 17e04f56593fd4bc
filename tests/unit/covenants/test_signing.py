"""After adoption: signing and withdrawing, breaches with evidence, disputes and their resolution, and who
keeps the covenant (no recorded or upheld breach in the last N days)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from civic.auth.models import Account
from civic.covenants import access, keepers, rules, signing
from civic.covenants.models import BreachStatus, CovenantSignature, CovenantStatus
from civic.errors import Conflict, InvalidInput, PermissionDenied
from civic.notifications import Notification
from tests.statements import recorded
from tests.unit.covenants.builders import AFTER_VOTE, adopt, person_viewer, set_status
from tests.unit.places.builders import add_person, link

S = CovenantStatus
LATER = AFTER_VOTE + timedelta(days=30)
DAYS = 365


@pytest.fixture
def adopted(session, world):
    adopt(session, world)
    return world


def record(session, w, who, *, on: date | None = None, **fields):
    return signing.record_breach(session, viewer=w.staff, covenant_id=w.covenant.id, account_id=who.account_id,
                                 occurred_on=on or access.register_day(LATER), description="高空抛物",
                                 evidence="监控录像 2026-12-24 20:13，物业存档", now=LATER, **fields)


def keeper_ids(session, w, now=LATER, days=DAYS):
    page = keepers.keepers_page(session, viewer=w.staff, covenant_id=w.covenant.id, now=now, days=days,
                                only_keepers=True)
    return {row.account_id for row in page.signers.items}


def test_residents_sign_withdraw_and_sign_again(session, adopted):
    w = adopted
    signing.sign(session, viewer=w.zhang, covenant_id=w.covenant.id, now=LATER)
    with pytest.raises(Conflict, match="already signed"):
        signing.sign(session, viewer=w.zhang, covenant_id=w.covenant.id, now=LATER)
    signing.withdraw(session, viewer=w.zhang, covenant_id=w.covenant.id, now=LATER)
    with pytest.raises(PermissionDenied):  # nothing left to withdraw
        signing.withdraw(session, viewer=w.zhang, covenant_id=w.covenant.id, now=LATER)
    signing.sign(session, viewer=w.zhang, covenant_id=w.covenant.id, now=LATER)
    rows = session.execute(select(CovenantSignature)).scalars().all()
    assert len(rows) == 1 and rows[0].withdrawn_at is None


@pytest.mark.parametrize("who", ["stranger", "drafter", "other_staff", "anonymous"])
def test_only_residents_of_the_place_sign(session, adopted, who):
    with pytest.raises(PermissionDenied):
        signing.sign(session, viewer=getattr(adopted, who), covenant_id=adopted.covenant.id, now=LATER)


@pytest.mark.parametrize("status", [S.drafting, S.consultation, S.superseded, S.repealed])
def test_only_a_covenant_in_force_is_signed(session, adopted, status):
    set_status(session, adopted.covenant, status)
    with pytest.raises(Conflict):
        signing.sign(session, viewer=adopted.zhang, covenant_id=adopted.covenant.id, now=LATER)


def test_staff_record_a_breach_by_a_signer_who_is_told(session, adopted):
    w = adopted
    signing.sign(session, viewer=w.zhang, covenant_id=w.covenant.id, now=LATER)
    breach = record(session, w, w.zhang, clause_id=w.clause.id)
    assert breach.status == BreachStatus.recorded
    notes = session.execute(select(Notification.subject).where(Notification.account_id == w.zhang.account_id)).scalars()
    assert "A breach of “南苑村小区文明公约” has been recorded against you" in list(notes)


def test_breaches_need_a_signer_a_past_day_in_force_and_evidence(session, adopted):
    w = adopted
    signing.sign(session, viewer=w.zhang, covenant_id=w.covenant.id, now=LATER)
    session.commit()
    today = access.register_day(LATER)
    for who, fields, field in [
        (w.li, {}, "account_id"),  # has not signed
        (w.zhang, {"on": today + timedelta(days=1)}, "occurred_on"),
        (w.zhang, {"on": date(2026, 1, 1)}, "occurred_on"),  # before it took effect
        (w.zhang, {"clause_id": 999_999}, "clause_id"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            record(session, w, who, **fields)
        assert refused.value.field == field
        session.rollback()
    with pytest.raises(InvalidInput) as refused:
        signing.record_breach(session, viewer=w.staff, covenant_id=w.covenant.id, account_id=w.zhang.account_id,
                              occurred_on=today, description="高空抛物", evidence="  ", now=LATER)
    assert refused.value.field == "evidence"


@pytest.mark.parametrize("who", ["drafter", "zhang", "other_staff"])
def test_only_staff_of_the_place_record_breaches(session, adopted, who):
    w = adopted
    signing.sign(session, viewer=w.zhang, covenant_id=w.covenant.id, now=LATER)
    with pytest.raises(PermissionDenied):
        signing.record_breach(session, viewer=getattr(w, who), covenant_id=w.covenant.id,
                              account_id=w.zhang.account_id, occurred_on=access.register_day(LATER),
                              description="x", evidence="y", now=LATER)


def test_the_person_recorded_disputes_and_staff_resolve(session, adopted):
    w = adopted
    signing.sign(session, viewer=w.zhang, covenant_id=w.covenant.id, now=LATER)
    breach = record(session, w, w.zhang)
    session.commit()
    with pytest.raises(PermissionDenied):
        signing.dispute_breach(session, viewer=w.li, breach_id=breach.id, reason="不是他", now=LATER)
    with pytest.raises(Conflict):  # only a disputed breach is resolved
        signing.resolve_dispute(session, viewer=w.staff, breach_id=breach.id, uphold=True, reason="x", now=LATER)
    session.rollback()
    signing.dispute_breach(session, viewer=w.zhang, breach_id=breach.id, reason="那天我不在家", now=LATER)
    session.commit()
    with pytest.raises(Conflict, match="already been disputed"):
        signing.dispute_breach(session, viewer=w.zhang, breach_id=breach.id, reason="again", now=LATER)
    with pytest.raises(PermissionDenied):
        signing.resolve_dispute(session, viewer=w.zhang, breach_id=breach.id, uphold=False, reason="x", now=LATER)
    session.rollback()
    resolved = signing.resolve_dispute(session, viewer=w.staff, breach_id=breach.id, uphold=False,
                                       reason="录像中不是本人", now=LATER)
    assert resolved.status == BreachStatus.dismissed and resolved.resolution == "录像中不是本人"


def test_a_withdrawn_signer_may_still_dispute(session, adopted):
    w = adopted
    signing.sign(session, viewer=w.zhang, covenant_id=w.covenant.id, now=LATER)
    breach = record(session, w, w.zhang)
    signing.withdraw(session, viewer=w.zhang, covenant_id=w.covenant.id, now=LATER)
    assert signing.dispute_breach(session, viewer=w.zhang, breach_id=breach.id, reason="不是我",
                                  now=LATER).status == BreachStatus.disputed


@pytest.mark.parametrize("outcome, keeper", [
    (None, False),  # recorded, not disputed: counts
    ("disputed", True),  # waits for the resolution
    ("upheld", False),
    ("dismissed", True),
])
def test_who_keeps_the_covenant(session, adopted, outcome, keeper):
    w = adopted
    for viewer in (w.zhang, w.li):
        signing.sign(session, viewer=viewer, covenant_id=w.covenant.id, now=LATER)
    breach = record(session, w, w.zhang)
    if outcome:
        signing.dispute_breach(session, viewer=w.zhang, breach_id=breach.id, reason="不是我", now=LATER)
    if outcome in ("upheld", "dismissed"):
        signing.resolve_dispute(session, viewer=w.staff, breach_id=breach.id, uphold=outcome == "upheld",
                                reason="核实", now=LATER)
    session.commit()
    expected = {w.li.account_id} | ({w.zhang.account_id} if keeper else set())
    assert keeper_ids(session, w) == expected


def test_a_breach_older_than_the_window_no_longer_counts(session, adopted):
    w = adopted
    signing.sign(session, viewer=w.zhang, covenant_id=w.covenant.id, now=LATER)
    breach_day = access.register_day(LATER)
    record(session, w, w.zhang, on=breach_day)
    session.commit()
    assert rules.keeper_window_start(breach_day, 1) == breach_day
    assert keeper_ids(session, w, now=LATER, days=30) == set()
    assert keeper_ids(session, w, now=LATER + timedelta(days=29), days=30) == set()  # day 30 of the window
    assert keeper_ids(session, w, now=LATER + timedelta(days=30), days=30) == {w.zhang.account_id}


def test_only_staff_see_the_keepers(session, adopted):
    for who in ("zhang", "drafter", "other_staff"):
        with pytest.raises(PermissionDenied):
            keepers.keepers_page(session, viewer=getattr(adopted, who), covenant_id=adopted.covenant.id, now=LATER,
                                 days=DAYS)


def test_keepers_export_lists_keepers_with_their_units(session, adopted):
    w = adopted
    for viewer in (w.zhang, w.li):
        signing.sign(session, viewer=viewer, covenant_id=w.covenant.id, now=LATER)
    record(session, w, w.li)
    session.commit()
    rows = list(keepers.keepers_csv_rows(session, viewer=w.staff, covenant_id=w.covenant.id, now=LATER, days=DAYS,
                                         chunk=1))
    assert rows[0] == keepers.KEEPERS_CSV_HEADER
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [(w.zhang.account_id, "张伟", "1栋 101")]


def test_the_keepers_page_reads_a_constant_number_of_queries(session, adopted, make_account):
    w = adopted
    r = w.r

    def signers(n):
        for i in range(n):
            person = add_person(session, f"居民{i}")
            link(session, r.u201, person, "resident")
            viewer = person_viewer(make_account, person)
            signing.sign(session, viewer=viewer, covenant_id=w.covenant.id, now=LATER)
            if i % 3 == 0:
                record(session, w, viewer)
        session.commit()

    def count():
        with recorded(session.get_bind()) as statements:
            page = keepers.keepers_page(session, viewer=w.staff, covenant_id=w.covenant.id, now=LATER, days=DAYS)
        return len(statements), page

    signers(2)
    few, _ = count()
    signers(60)
    many, page = count()
    assert few == many and page.signers.total == 62 and page.breaches.total == 21
    assert page.keepers == 62 - 21
    assert session.get(Account, w.zhang.account_id) is not None
