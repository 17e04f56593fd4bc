"""`civic fixtures load demo`: the Wuchang demo register and the demo accounts, idempotently."""

from __future__ import annotations

import sys
import time

from sqlalchemy import Engine, insert, select
from sqlmodel import Session
from tqdm import tqdm

from civic import clock
from civic.auth.models import Account, Role, RoleGrant, ScopeType
from civic.auth.passwords import hash_password
from civic.contests import demo as demo_contests
from civic.covenants import demo as demo_covenants
from civic.errors import InvalidInput
from civic.i18n import N_
from civic.places import demo
from civic.planning import demo as demo_planning
from civic.votes import demo as demo_votes

DEMO_PASSWORD = "civic-demo-2026"  # noqa: S105 — documented in docs/register.md; demo data only
# email, display name, role, scope (a community name, "grid", or None), tied person ref, what it is for
DEMO_ACCOUNTS = [
    ("admin@civic.test", "管理员", Role.administrator, None, None, "administrator of the whole site"),
    ("staff@civic.test", "李娟（北环社区）", Role.staff, "北环社区", None, "staff of 北环社区"),
    ("staff2@civic.test", "周敏（沙湖社区）", Role.staff, "沙湖社区", None, "staff of 沙湖社区"),
    ("staff3@civic.test", "陈芳（北环社区）", Role.staff, "北环社区", None,
     "second staff member of 北环社区 (confirms paper ballots entered by staff@)"),
    ("owner@civic.test", "王秀英", None, None, "demo-p-owner", "owner of 南苑村小区 1栋 301"),
    ("owner2@civic.test", "刘建国", None, None, "demo-p-owner2", "owner of 南苑村小区 2栋 502 and 北环路小区 1栋 201"),
    ("tenant@civic.test", "陈晓明", None, None, "demo-p-tenant", "tenant of 南苑村小区 3栋 402"),
    ("resident@civic.test", "赵丽", None, None, None, "resident with no unit yet: can ask to be linked"),
    ("gridworker@civic.test", "网格员 孙强", Role.grid_worker, "grid", None, "grid worker of 北环社区第1网格"),
    # Their grants are per project: civic.planning.demo appoints them on each demo planning project.
    ("planner@civic.test", "社区规划师 林静", Role.planner, None, None,
     "planner of both demo planning projects (松涛社区 in design feedback, 北环社区 in discovery)"),
    # Their grants are per contest: civic.contests.demo appoints them on each demo contest (_accounts gives none).
    ("judge@civic.test", "评委 郭伟", Role.judge, None, None,
     "judge of both demo contests (declared a conflict in the finished one)"),
    ("reviewer@civic.test", "评审 何琳", None, None, None, "grant reviewer (no programme yet: no grant)"),
    ("officer@civic.test", "项目官员 梁涛", None, None, None, "programme officer (no programme yet: no grant)"),
    ("treasurer@civic.test", "出纳 宋洁", Role.treasurer, None, None,
     "treasurer of both demo contests (confirms money received)"),
    ("ngo@civic.test", "社会组织 唐颖", None, None, None, "NGO member (no organisation yet: no grant)"),
]


def load(engine: Engine, name: str, progress: bool = True) -> str:
    """Load a named data set; loading it again changes nothing and says so."""
    if name != "demo":
        raise InvalidInput(N_("There is no data set called %(name)s."), name=name)
    started = time.perf_counter()
    with Session(engine) as session, tqdm(total=3, desc="demo data", unit="step", file=sys.stderr,
                                          disable=not progress, leave=False) as bar:
        conn = session.connection()
        register = demo.existing(conn)
        created_register = register is None
        if register is None:
            register = demo.load_register(conn)
        bar.update()
        new_accounts = _accounts(conn, register)
        bar.update()
        new_votes = _votes(session, register)
        bar.update()
        session.commit()
    seconds = time.perf_counter() - started
    if not created_register and not new_accounts and not new_votes:
        head = "Demo data is already loaded: nothing changed."
    elif created_register:
        c = register.counts
        head = (f"Loaded the Wuchang demo register in {seconds:.1f} s: {c['streets']} streets, {c['communities']} "
                f"communities, {c['compounds']} compounds, {c['units']:,} units, {c['people']:,} people, "
                f"{c['owner_links']:,} owner links, {c['tenants']} tenants, {c['households']:,} households in "
                f"{c['grids']} grids; {len(new_accounts)} accounts created; {new_votes} votes, proposals, covenants, contests and planning projects.")
    else:
        head = (f"Demo register already loaded; created {len(new_accounts)} missing accounts "
                f"and {new_votes} missing votes, proposals, covenants, contests and planning projects.")
    return head + "\n\n" + account_table()


def _votes(session: Session, register: demo.DemoRegister) -> int:
    """The demo votes (civic.votes.demo), opened by staff@ of 北环社区 on the register just written, the
    residents' proposal gathering support, the demo covenants (civic.covenants.demo), contests
    (civic.contests.demo) and planning projects (civic.planning.demo); returns how many were created."""
    staff = session.execute(select(Account.id).where(Account.email == "staff@civic.test")).scalar()
    visitors = {register.person_ids[ref] for ref in demo_votes.KEEP_FOR_VISITORS if ref in register.person_ids}
    now = clock.now()
    created = demo_votes.load_votes(session, staff_account_id=staff, place_ids=register.place_ids,
                                    visitor_person_ids=visitors, now=now)
    created += demo_votes.load_proposal(session, now=now)
    # The covenants after the votes: one of them is in its own ratification vote.
    created += demo_covenants.load_covenants(session, staff_account_id=staff, now=now)
    # The contests after them: their residents' accounts are made for whoever the covenants left without one.
    created += demo_contests.load_contests(session, staff_account_id=staff, now=now)
    # The planning projects last: a community no other demo uses (松涛社区) gets its residents' accounts here.
    return created + demo_planning.load_planning(session, now=now)


def account_table() -> str:
    """The demo accounts as a plain-text table (all share one password)."""
    width = max(len(a[0]) for a in DEMO_ACCOUNTS) + 2
    lines = [f"Demo accounts (password: {DEMO_PASSWORD})", f"{'email':<{width}}what it is for"]
    lines += [f"{email:<{width}}{purpose}" for email, _n, _r, _s, _p, purpose in DEMO_ACCOUNTS]
    return "\n".join(lines)


def _accounts(conn, register: demo.DemoRegister) -> list[str]:
    """Create each demo account that does not exist yet, with its grant and its person; return their emails."""
    emails = [a[0] for a in DEMO_ACCOUNTS]
    have = set(conn.execute(select(Account.email).where(Account.email.in_(emails))).scalars())
    missing = [a for a in DEMO_ACCOUNTS if a[0] not in have]
    # Grid workers of the other grids: one each, as in the seed's 网格 practice.
    extra = [(f"gridworker{n}@civic.test", f"网格员 {n}", Role.grid_worker, ("grid", gid), None, "")
             for n, (_comm, gid) in enumerate(register.grid_ids[1:], 2)]
    have_extra = set(conn.execute(select(Account.email).where(Account.email.in_([e[0] for e in extra]))).scalars())
    missing += [e for e in extra if e[0] not in have_extra]
    if not missing:
        return []
    password = hash_password(DEMO_PASSWORD)  # one hash for all: the same password, and argon2 is slow on purpose
    # A person already tied to another account (e.g. a re-run after deleting one account) is left alone.
    taken = set(conn.execute(select(Account.person_id).where(Account.person_id.is_not(None))).scalars())
    conn.execute(insert(Account.__table__), [
        {"email": email, "display_name": display, "password_hash": password, "is_active": True,
         "person_id": register.person_ids.get(ref) if ref and register.person_ids.get(ref) not in taken else None}
        for email, display, _r, _s, ref, _p in missing])
    ids = dict(conn.execute(select(Account.email, Account.id).where(Account.email.in_([m[0] for m in missing]))).all())
    grants = []
    for email, _d, role, scope, _ref, _p in missing:
        if role == Role.administrator:
            grants.append((ids[email], role, ScopeType.global_, 0))
        elif role == Role.staff and scope in register.place_ids:
            grants.append((ids[email], role, ScopeType.place, register.place_ids[scope]))
        elif role == Role.grid_worker and register.grid_ids:
            grid = scope[1] if isinstance(scope, tuple) else register.grid_ids[0][1]
            grants.append((ids[email], role, ScopeType.grid, grid))
    if grants:
        conn.execute(insert(RoleGrant.__table__), [
            {"account_id": a, "role": r, "scope_type": t, "scope_id": s} for a, r, t, s in grants])
    return [m[0] for m in missing]
