"""Who may do what in which status: every action × every status × staff, drafter, resident, a signed-in
stranger and an anonymous visitor. Allowed: it works; a role that may act in other statuses: Conflict;
anyone else: PermissionDenied (a stranger learns nothing about phases)."""

from __future__ import annotations

import pytest

from civic.covenants import amendments, comments, drafters, service
from civic.covenants.models import Covenant, CovenantStatus
from civic.errors import Conflict, PermissionDenied
from tests.unit.covenants.builders import LATER, NOW, PETS, set_status

S = CovenantStatus
EDITORS, PEOPLE = {"staff", "drafter"}, {"staff", "drafter", "resident"}
OPEN_TEXT = {S.drafting, S.consultation}
EXPECTED = {
    "edit": (OPEN_TEXT, EDITORS),
    "add_clause": (OPEN_TEXT, EDITORS),
    "remove_clause": (OPEN_TEXT, EDITORS),
    "update_covenant": (OPEN_TEXT, EDITORS),
    "amend": ({S.consultation}, PEOPLE),
    "accept": (OPEN_TEXT, EDITORS),
    "reject": (OPEN_TEXT | {S.ratification}, EDITORS),
    "comment": (OPEN_TEXT | {S.ratification}, PEOPLE),
    "request_to_join": (OPEN_TEXT, {"resident"}),
    "appoint": (OPEN_TEXT, {"staff"}),
    "hide": (set(S), {"staff"}),
}
WHO = {"staff": "staff", "drafter": "drafter", "resident": "zhang", "stranger": "stranger", "anonymous": "anonymous"}


@pytest.fixture
def scene(session, world):
    """The world in consultation with an open amendment and a comment, then back to drafting."""
    w = world
    set_status(session, w.covenant, S.consultation)
    w.amendment = amendments.propose_amendment(session, viewer=w.li, clause_id=w.clause.id,
                                               text=PETS.replace("束犬绳", "束牵引绳"), reason="更准确", now=NOW)
    w.comment = comments.add_comment(session, viewer=w.li, clause_id=w.clause.id, body="好", now=NOW)
    session.commit()
    return w


def act(session, w, action, viewer):
    c = w.covenant.id
    match action:
        case "edit":
            service.edit_clause(session, viewer=viewer, clause_id=w.clause.id, based_on_version_id=w.v1.id,
                                text=PETS + "违者劝导。", now=LATER)
        case "add_clause":
            service.add_clause(session, viewer=viewer, covenant_id=c, template="noise", now=LATER)
        case "remove_clause":
            service.remove_clause(session, viewer=viewer, clause_id=w.clause.id, now=LATER)
        case "update_covenant":
            service.update_covenant(session, viewer=viewer, covenant_id=c, title="新标题", preamble="", now=LATER)
        case "amend":
            amendments.propose_amendment(session, viewer=viewer, clause_id=w.clause.id, text=PETS + "补充。",
                                         reason="补充", now=LATER)
        case "accept":
            amendments.accept_amendment(session, viewer=viewer, amendment_id=w.amendment.id, now=LATER)
        case "reject":
            amendments.reject_amendment(session, viewer=viewer, amendment_id=w.amendment.id, reason="不采纳", now=LATER)
        case "comment":
            comments.add_comment(session, viewer=viewer, clause_id=w.clause.id, body="同意", now=LATER)
        case "request_to_join":
            drafters.request_to_join(session, viewer=viewer, covenant_id=c, note="", now=LATER)
        case "appoint":
            drafters.appoint_drafter(session, viewer=viewer, covenant_id=c, account_id=w.li.account_id, now=LATER)
        case "hide":
            comments.hide_comment(session, viewer=viewer, comment_id=w.comment.id, reason="离题", now=LATER)


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_role_by_status_matrix(session, scene, action):
    statuses, roles = EXPECTED[action]
    outcomes = {}
    for status in S:
        for role, attr in WHO.items():
            session.get(Covenant, scene.covenant.id).status = status
            session.flush()
            try:
                act(session, scene, action, getattr(scene, attr))
                outcomes[status, role] = "ok"
            except PermissionDenied:
                outcomes[status, role] = "denied"
            except Conflict:
                outcomes[status, role] = "conflict"
            finally:
                session.rollback()
    expected = {(status, role): "ok" if status in statuses and role in roles
                else "conflict" if role in roles else "denied" for status in S for role in WHO}
    assert outcomes == expected


def test_residents_are_those_living_under_the_place_today(session, world, make_account):
    from datetime import date

    from tests.unit.covenants.builders import person_viewer
    from tests.unit.places.builders import add_person, link

    w = world
    set_status(session, w.covenant, S.consultation)
    far = add_person(session, "沙湖居民")
    link(session, w.r.far, far, "resident")
    moved = add_person(session, "已搬走")
    link(session, w.r.u201, moved, "tenant", since=date(2020, 1, 1), until=date(2026, 1, 1))
    future = add_person(session, "尚未入住")
    link(session, w.r.u201, future, "tenant", since=date(2027, 1, 1))
    session.commit()
    for person in (far, moved, future):
        with pytest.raises(PermissionDenied, match="Only residents of 南苑村小区"):
            act(session, w, "amend", person_viewer(make_account, person))
        session.rollback()
    for viewer in (person_viewer(make_account, w.r.wang), w.other_staff):  # 王芳 rents in 2栋; staff elsewhere
        try:
            act(session, w, "amend", viewer)
            allowed = True
        except PermissionDenied:
            allowed = False
        session.rollback()
        assert allowed is (viewer is not w.other_staff)
