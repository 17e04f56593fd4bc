"""Link requests: a resident asks, staff of the place decide once with a reason; others cannot."""

import re

import pytest
from sqlalchemy import select

from civic.audit import AuditEvent
from civic.auth.models import Account, Role, ScopeType
from civic.notifications import Notification
from civic.places.models import LinkRequest, UnitLink
from tests.unit.places.builders import build_register


@pytest.fixture
def register(session):
    return build_register(session)


@pytest.fixture
def resident(make_account):
    return make_account("赵丽")


@pytest.fixture
def staff(make_account, register):
    return make_account("李娟", roles=[(Role.staff, ScopeType.place, register.community.id)])


def sign_in(client, account) -> None:
    """Switch user: drop the previous session cookie first, or the client would send both."""
    client.cookies.clear()
    client.login_as(account)


def ask(client, register, number="102", kind="owner", note="我是业主"):
    return client.post_form("/register/link", {"compound": register.compound.id, "building": register.building.id,
                                               "number": number, "kind": kind, "note": note})


def pending(session):
    session.rollback()
    return session.execute(select(LinkRequest)).scalars().all()


def test_picker_walks_compound_building_unit_without_javascript(client, resident, register):
    sign_in(client, resident)
    start = client.get("/register/link")
    assert start.status_code == 200 and "北环社区 · 南苑村小区" in start.text
    assert 'name="building"' not in start.text
    compound = client.get(f"/register/link?compound={register.compound.id}")
    assert f'<option value="{register.building2.id}">2栋</option>' in compound.text
    assert 'method="post"' not in compound.text.split("</header>")[1]
    chosen = client.get(f"/register/link?compound={register.compound.id}&building={register.building.id}")
    assert 'name="number"' in chosen.text and 'name="csrf_token"' in chosen.text
    # A building of another compound is ignored rather than trusted.
    odd = client.get(f"/register/link?compound={register.compound.id}&building={register.other_building.id}")
    assert 'name="number"' not in odd.text


def test_htmx_refreshes_only_the_picker(client, resident, register):
    sign_in(client, resident)
    page = client.get(f"/register/link?compound={register.compound.id}", headers={"HX-Request": "true"})
    assert "<html" not in page.text and 'id="building"' in page.text and "Your requests" not in page.text


def test_resident_asks_and_sees_the_pending_request(client, resident, register, session):
    sign_in(client, resident)
    sent = ask(client, register)
    assert sent.status_code == 303
    [request] = pending(session)
    assert (request.unit_id, request.kind, request.status, request.note) == (register.u102.id, "owner", "pending", "我是业主")
    page = client.get("/register/link")
    assert "南苑村小区 1栋 102" in page.text and "pending" in page.text
    assert "李娜" not in page.text  # the current owners stay private


@pytest.mark.parametrize(("number", "kind", "message"), [
    ("999", "owner", "There is no unit 999 in this building."),
    ("", "owner", "Enter your unit number."),
    ("102", "landlord", "Choose whether you own or rent the unit."),
])
def test_bad_request_rerenders_with_400_and_writes_nothing(client, resident, register, session, number, kind, message):
    sign_in(client, resident)
    page = ask(client, register, number=number, kind=kind)
    assert page.status_code == 400
    assert message in page.text and 'role="alert"' in page.text
    assert pending(session) == []


def test_asking_twice_for_the_same_unit_is_refused(client, resident, register, session):
    sign_in(client, resident)
    ask(client, register)
    assert ask(client, register).status_code == 400
    assert len(pending(session)) == 1


def test_anonymous_cannot_ask(client, register, session):
    assert client.get("/register/link").status_code == 303
    assert ask(client, register).status_code == 303
    assert pending(session) == []


def test_staff_approves_creates_person_link_notification_and_audit(client, resident, staff, register, session):
    sign_in(client, resident)
    ask(client, register, kind="tenant")
    request = pending(session)[0]
    sign_in(client, staff)
    queue = client.get("/register/requests")
    assert "赵丽" in queue.text and "南苑村小区 1栋 102" in queue.text
    decided = client.post_form(f"/register/requests/{request.id}/decide", {"decision": "approve", "reason": "核对租赁合同"})
    assert decided.status_code == 303
    session.rollback()
    request = session.get(LinkRequest, request.id)
    assert (request.status, request.reason, request.decided_by) == ("approved", "核对租赁合同", staff.id)
    account = session.get(Account, resident.id)
    assert account.person_id is not None
    link = session.execute(select(UnitLink).where(UnitLink.person_id == account.person_id)).scalar_one()
    assert (link.unit_id, link.kind, link.until) == (register.u102.id, "tenant", None)
    note = session.execute(select(Notification).where(Notification.account_id == resident.id)).scalar_one()
    assert note.subject == "您的房屋关联申请已通过" and note.body == "核对租赁合同"  # in the recipient's language
    actions = session.execute(select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all()
    assert actions == ["register.link_request.created", "register.link_request.approved"]
    sign_in(client, resident)
    assert "1栋 102" in client.get("/").text  # the home page now shows the unit
    sign_in(client, staff)
    assert "No link requests are waiting" in client.get("/register/requests").text


def test_reject_needs_a_reason_and_links_nothing(client, resident, staff, register, session):
    sign_in(client, resident)
    ask(client, register)
    request = pending(session)[0]
    sign_in(client, staff)
    empty = client.post_form(f"/register/requests/{request.id}/decide", {"decision": "reject", "reason": "  "})
    assert empty.status_code == 400 and "Give a reason for the decision." in empty.text
    assert pending(session)[0].status == "pending"
    done = client.post_form(f"/register/requests/{request.id}/decide", {"decision": "reject", "reason": "不是业主"})
    assert done.status_code == 303
    assert pending(session)[0].status == "rejected"
    assert session.execute(select(UnitLink).where(UnitLink.kind == "owner", UnitLink.unit_id == register.u102.id)
                           ).scalars().all().__len__() == 2  # only the two registered co-owners
    assert session.get(Account, resident.id).person_id is None


def test_a_decision_cannot_be_made_twice(client, resident, staff, register, session):
    sign_in(client, resident)
    ask(client, register)
    request = pending(session)[0]
    sign_in(client, staff)
    client.post_form(f"/register/requests/{request.id}/decide", {"decision": "approve", "reason": "ok"})
    again = client.post_form(f"/register/requests/{request.id}/decide", {"decision": "reject", "reason": "oops"})
    assert again.status_code == 409
    assert pending(session)[0].status == "approved"
    assert len(session.execute(select(Notification)).scalars().all()) == 1


def test_resident_cannot_decide(client, resident, register, session):
    sign_in(client, resident)
    ask(client, register)
    request = pending(session)[0]
    assert client.get("/register/requests").status_code == 403
    page = client.post_form(f"/register/requests/{request.id}/decide", {"decision": "approve", "reason": "me"})
    assert page.status_code == 403
    assert pending(session)[0].status == "pending"


def test_staff_of_another_community_can_neither_see_nor_decide(client, resident, register, session, make_account):
    sign_in(client, resident)
    ask(client, register)
    request = pending(session)[0]
    other = make_account("周敏", roles=[(Role.staff, ScopeType.place, register.other_community.id)])
    sign_in(client, other)
    queue = client.get("/register/requests")
    assert queue.status_code == 200 and "赵丽" not in queue.text
    assert not re.search(rf"/register/requests/{request.id}/decide", queue.text)
    page = client.post_form(f"/register/requests/{request.id}/decide", {"decision": "approve", "reason": "x"})
    assert page.status_code == 403
    assert pending(session)[0].status == "pending"


def test_post_without_csrf_is_refused(client, resident, register, session):
    sign_in(client, resident)
    page = client.post("/register/link", data={"compound": register.compound.id, "building": register.building.id,
                                               "number": "102", "kind": "owner"})
    assert page.status_code == 403
    assert pending(session) == []
