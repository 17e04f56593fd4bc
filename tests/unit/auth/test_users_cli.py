"""`civic users create`, run in-process against the test database."""

import pytest
from sqlalchemy import select

from civic import cli
from civic.auth.models import Account, RoleGrant


@pytest.fixture
def cli_env(monkeypatch, database_url, engine, tmp_path):
    monkeypatch.setenv("CIVIC_DATABASE_URL", database_url)
    monkeypatch.setenv("CIVIC_SECRET_KEY", "cli-test-secret")
    monkeypatch.setenv("CIVIC_VAR_DIR", str(tmp_path))


def test_users_create_with_roles(cli_env, session, capsys):
    status = cli.main(["users", "create", "--name", "王建国", "--email", "admin@example.test",
                       "--password", "admin-password-2026", "--role", "administrator", "--role", "staff:place:12"])
    assert status == 0
    assert "created account" in capsys.readouterr().out
    account = session.execute(select(Account).where(Account.email == "admin@example.test")).scalar_one()
    grants = session.execute(select(RoleGrant.role, RoleGrant.scope_type, RoleGrant.scope_id)
                             .where(RoleGrant.account_id == account.id).order_by(RoleGrant.role)).all()
    assert [tuple(g) for g in grants] == [("administrator", "global", 0), ("staff", "place", 12)]


@pytest.mark.parametrize(("role", "message"), [
    ("staff:contest:1", "granted on a place"),
    ("overlord", "Unknown role"),
])
def test_users_create_with_a_bad_role_exits_2_with_one_line(cli_env, session, capsys, role, message):
    status = cli.main(["users", "create", "--name", "X", "--phone", "13800138000", "--password", "long enough pw",
                       "--role", role])
    assert status == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert session.execute(select(Account)).first() is None
