"""HTTP tests of contests. `entry_world` and `sign_in` are shared by the entry, backing, matrix and file tests."""

from __future__ import annotations

from types import SimpleNamespace

from civic import clock
from civic.auth.models import Account
from civic.contests.models import EntryStatus, Phase
from tests.unit.contests.builders import add_entry, build_contest_world

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)


def entry_world(session, make_account, phase: Phase, *, status: str = EntryStatus.accepted,
                money_goal_fen: int = 2_000_00, hours_goal: int = 0) -> SimpleNamespace:
    """build_contest_world on the real clock (the routes read it), with 李娜's entry (王芳 on her team)."""
    w = build_contest_world(session, make_account, phase=phase, now=clock.now())
    w.entry = add_entry(session, w, lead=w.li, title="李娜的书角", status=status, money_goal_fen=money_goal_fen,
                        hours_goal=hours_goal, members=(w.wang,))
    w.url = f"/contests/entries/{w.entry.id}"
    return w


def sign_in(client, session, viewer) -> None:
    """Sign in as a builder's Viewer; signed out for the anonymous one."""
    client.cookies.clear()
    if viewer.account_id is not None:
        client.login_as(session.get(Account, viewer.account_id))
