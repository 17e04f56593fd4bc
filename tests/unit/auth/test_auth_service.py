"""Account use cases against the real database: sign-up, sign-in, passwords, roles, audit events."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from civic.audit import AuditEvent
from civic.audit import verify as verify_chain
from civic.auth import service
from civic.auth.identity import load_current_user, session_stamp
from civic.auth.models import Account, RoleGrant
from civic.auth.passwords import verify_password
from civic.auth.throttle import ThrottlePolicy
from civic.db import run_in_session
from civic.errors import InvalidInput, NotFound
from tests.unit.auth.dbhelp import fresh

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def sign_up(engine, **overrides):
    values = {"display_name": "王秀英", "identifier": "Wang@Example.test", "password": "correct horse",
              "confirmation": "correct horse", "locale": "zh-Hans", "now": NOW}
    return run_in_session(engine, service.sign_up, **{**values, **overrides})


def actions(session) -> list[str]:
    fresh(session)
    return session.execute(select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all()


def test_sign_up_with_email_creates_signs_in_and_audits(engine, session):
    signed_in = sign_up(engine)
    account = session.get(Account, signed_in.account_id)
    assert account.email == "wang@example.test" and account.phone is None
    assert account.locale == "zh-Hans" and account.last_login_at == NOW
    assert verify_password(account.password_hash, "correct horse")
    assert signed_in.stamp == session_stamp(account)
    assert actions(session) == ["account.created", "account.signed_in"]
    assert verify_chain(session).ok


def test_sign_up_with_phone(engine, session):
    signed_in = sign_up(engine, identifier="138 0013 8000")
    assert session.get(Account, signed_in.account_id).phone == "+8613800138000"


@pytest.mark.parametrize(("first", "second", "message"), [
    ("wang@example.test", "WANG@example.test ", "already exists"),
    ("13800138000", "+86 138-0013-8000", "already exists"),
])
def test_duplicate_identifier_is_a_clear_error_and_writes_nothing(engine, session, first, second, message):
    sign_up(engine, identifier=first)
    with pytest.raises(InvalidInput, match=message) as exc:
        sign_up(engine, identifier=second, display_name="Someone else")
    assert exc.value.field == "identifier"
    fresh(session)
    assert len(session.execute(select(Account)).all()) == 1
    assert actions(session) == ["account.created", "account.signed_in"]


@pytest.mark.parametrize(("overrides", "field"), [
    ({"password": "short", "confirmation": "short"}, "password"),
    ({"confirmation": "correct h0rse"}, "password_confirm"),
    ({"display_name": "  "}, "display_name"),
    ({"identifier": "not an address"}, "identifier"),
])
def test_bad_sign_up_names_the_field_and_writes_nothing(engine, session, overrides, field):
    with pytest.raises(InvalidInput) as exc:
        sign_up(engine, **overrides)
    assert exc.value.field == field
    fresh(session)
    assert session.execute(select(Account)).first() is None


def test_authenticate_by_email_or_phone(engine, session):
    sign_up(engine, identifier="wang@example.test")
    sign_up(engine, identifier="13800138000", display_name="Li")
    policy = ThrottlePolicy()
    by_email = run_in_session(engine, service.authenticate, identifier=" WANG@example.test", password="correct horse",
                              address="1.2.3.4", policy=policy, now=NOW)
    by_phone = run_in_session(engine, service.authenticate, identifier="+86 138 0013 8000",
                              password="correct horse", address="1.2.3.4", policy=policy, now=NOW)
    assert by_email.display_name == "王秀英" and by_phone.display_name == "Li"
    wrong = run_in_session(engine, service.authenticate, identifier="wang@example.test", password="nope",
                           address="1.2.3.4", policy=policy, now=NOW)
    assert wrong is None


def test_inactive_account_cannot_sign_in(engine, session):
    signed_in = sign_up(engine)
    session.get(Account, signed_in.account_id).is_active = False
    session.commit()
    assert run_in_session(engine, service.authenticate, identifier="wang@example.test", password="correct horse",
                          address=None, policy=ThrottlePolicy(), now=NOW) is None


def test_change_password_changes_the_stamp_so_old_sessions_end(engine, session):
    signed_in = sign_up(engine)
    new_stamp = run_in_session(engine, service.change_password, account_id=signed_in.account_id,
                               current="correct horse", new="battery staple 2026", confirmation="battery staple 2026",
                               now=NOW)
    assert new_stamp != signed_in.stamp
    assert run_in_session(engine, load_current_user, account_id=signed_in.account_id, stamp=signed_in.stamp) is None
    assert run_in_session(engine, load_current_user, account_id=signed_in.account_id, stamp=new_stamp) is not None
    assert actions(session)[-1] == "account.password_changed"


@pytest.mark.parametrize(("current", "new", "confirmation", "field"), [
    ("wrong password", "battery staple 2026", "battery staple 2026", "current_password"),
    ("correct horse", "short", "short", "password"),
    ("correct horse", "battery staple 2026", "battery staple 2027", "password_confirm"),
    ("correct horse", "correct horse", "correct horse", "password"),
])
def test_change_password_refusals_change_nothing(engine, session, current, new, confirmation, field):
    signed_in = sign_up(engine)
    with pytest.raises(InvalidInput) as exc:
        run_in_session(engine, service.change_password, account_id=signed_in.account_id, current=current, new=new,
                       confirmation=confirmation, now=NOW)
    assert exc.value.field == field
    fresh(session)
    assert session_stamp(session.get(Account, signed_in.account_id)) == signed_in.stamp


def test_set_locale_refuses_unknown_languages(engine, session):
    signed_in = sign_up(engine)
    run_in_session(engine, service.set_locale, account_id=signed_in.account_id, locale="en")
    with pytest.raises(InvalidInput):
        run_in_session(engine, service.set_locale, account_id=signed_in.account_id, locale="fr")
    fresh(session)
    assert session.get(Account, signed_in.account_id).locale == "en"


def test_create_account_with_roles_grants_and_audits(engine, session):
    account = run_in_session(engine, service.create_account_with_roles, display_name="Admin", email="A@x.test",
                             phone=None, password="admin password", now=NOW,
                             roles=["administrator", "staff:place:12", "staff:place:12"])
    fresh(session)
    grants = session.execute(select(RoleGrant.role, RoleGrant.scope_type, RoleGrant.scope_id)
                             .where(RoleGrant.account_id == account.id).order_by(RoleGrant.role)).all()
    assert [tuple(g) for g in grants] == [("administrator", "global", 0), ("staff", "place", 12)]
    assert actions(session) == ["account.created", "role.granted", "role.granted"]
    view = run_in_session(engine, service.account_view, account_id=account.id)
    assert view.email == "a@x.test" and view.has_password and len(view.grants) == 2


@pytest.mark.parametrize(("fields", "message"), [
    ({"roles": ["staff"]}, "needs a scope"),
    ({"roles": ["mayor"]}, "Unknown role"),
    ({"email": None}, "email address or a phone number"),
    ({"password": "short"}, "at least 10"),
])
def test_create_account_with_bad_input_creates_nothing(engine, session, fields, message):
    values = {"display_name": "Admin", "email": "a@x.test", "phone": None, "password": "admin password",
              "roles": ["administrator"], "now": NOW}
    with pytest.raises(InvalidInput, match=message):
        run_in_session(engine, service.create_account_with_roles, **{**values, **fields})
    fresh(session)
    assert session.execute(select(Account)).first() is None


def test_granting_a_held_role_again_or_to_nobody_is_refused(engine, make_account):
    account = make_account(roles=[("judge", "contest", 3)])
    with pytest.raises(InvalidInput, match="already holds"):
        run_in_session(engine, service.grant_role, account_id=account.id, spec="judge:contest:3", granted_by=None,
                       now=NOW)
    with pytest.raises(NotFound):
        run_in_session(engine, service.grant_role, account_id=9999, spec="judge:contest:3", granted_by=None, now=NOW)
