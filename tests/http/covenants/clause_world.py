"""For the clause pages' tests: the covenant world of tests/unit/covenants/builders with the accounts to sign in
as, and a few things to arrange through the real services."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import func, select

from civic.auth.models import Account
from civic.covenants import amendments, comments, rules
from civic.covenants.models import CovenantStatus
from tests.unit.covenants.builders import NOW, PETS, build_world, set_status

S = CovenantStatus
PEOPLE = ("staff", "other_staff", "drafter", "zhang", "li", "stranger")


def world(session, make_account, status: str = CovenantStatus.drafting) -> SimpleNamespace:
    """build_world with each viewer's account (`w.<name>_account`) and the clause page's address (`w.url`)."""
    w = build_world(session, make_account)
    for name in PEOPLE:
        setattr(w, f"{name}_account", session.get(Account, getattr(w, name).account_id))
    w.url = f"/covenants/clauses/{w.clause.id}"
    if status != CovenantStatus.drafting:
        set_status(session, w.covenant, status)
    return w


def sign_in(client, w, who: str) -> None:
    """Sign in as one of PEOPLE, or as nobody ("anonymous")."""
    if who == "anonymous":
        client.cookies.clear()
    else:
        client.login_as(getattr(w, f"{who}_account"))


def propose(session, w, *, viewer=None, text: str | None = None, reason: str = "更准确"):
    """An open amendment by 李娜 (the covenant must be in consultation for it), committed."""
    amendment = amendments.propose_amendment(session, viewer=viewer or w.li, clause_id=w.clause.id,
                                             text=text or PETS.replace("束犬绳", "束牵引绳"), reason=reason, now=NOW)
    session.commit()
    return amendment


def comment(session, w, body: str = "同意这一条。", *, viewer=None, parent_id: int | None = None):
    found = comments.add_comment(session, viewer=viewer or w.li, clause_id=w.clause.id, body=body, now=NOW,
                                 parent_id=parent_id)
    session.commit()
    return found


def fresh(session, model, id_):
    session.rollback()
    session.expire_all()
    return session.get(model, id_)


def count(session, model, *where) -> int:
    session.rollback()
    return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


# ---- the role × status matrix ------------------------------------------------------------------------

# Who signs in, and the roles the covenant rules see them hold towards the covenant of build_world.
MATRIX_ROLES = {"anonymous": set(), "stranger": set(), "zhang": {rules.RESIDENT}, "drafter": {rules.DRAFTER},
                "staff": {rules.STAFF}, "other_staff": set()}
MATRIX_STATUSES = (S.drafting, S.consultation, S.ratification, S.adopted)


def expected_status(permission: str, status: str, who: str) -> int:
    """What the page answers, from rules.PERMISSIONS: 303 when allowed (or, for anonymous, to sign in), 403
    when no role of the viewer's may, 409 when not in this status."""
    why = rules.refusal(permission, status, MATRIX_ROLES[who])
    if why is None or who == "anonymous":
        return 303
    return 403 if why == "role" else 409


def matrix_scene(session, make_account, status: str) -> SimpleNamespace:
    """The world with an open amendment and a comment by 李娜 (made in consultation), then set to `status`."""
    w = world(session, make_account, S.consultation)
    w.amendment = propose(session, w)
    w.comment = comment(session, w)
    set_status(session, w.covenant, status)
    return w
