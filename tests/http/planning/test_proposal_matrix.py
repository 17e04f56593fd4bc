"""Who may do what with proposals and notes, in which phase, over HTTP: every action × role × phase against
`civic.planning.rules.PERMISSIONS`. Allowed: 303 (or the page) and something written; refused: 403 (role),
409 (phase) or 404 (a draft project, which exists only for its planners and staff) and nothing written at
all; signed out: sent to sign in. One world per phase, reset between cells, keeps it fast."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from sqlalchemy import delete, func, select, update

from civic import clock, uploads
from civic.audit import AuditEvent
from civic.auth.models import Account
from civic.notifications import Notification
from civic.planning import rules
from civic.planning.models import (
    Phase,
    PlanningAnnotation,
    PlanningComment,
    PlanningFollow,
    PlanningPhoto,
    PlanningProposal,
    PlanningStatusChange,
    PlanningSupport,
    PlanningTheme,
    ProposalStatus,
)
from tests.unit.planning.builders import add_proposal, build_planning_world, inside_point

PHASES = [Phase.draft, Phase.upcoming, Phase.discovery, Phase.proposals, Phase.feedback, Phase.closed]
S = rules.SIGNED_IN
ROLES = {
    "anonymous": (None, frozenset()),
    "stranger": ("stranger", frozenset({S})),
    "resident": ("zhang", frozenset({S, rules.RESIDENT})),
    "author": ("li", frozenset({S, rules.RESIDENT, rules.AUTHOR})),  # 李娜 wrote the proposal
    "planner": ("planner", frozenset({S, rules.PLANNER})),  # and wrote the note
    "staff": ("staff", frozenset({S, rules.STAFF})),
    "other_staff": ("other_staff", frozenset({S})),  # staff of another community
}
REFUSED = {"role": 403, "phase": 409}
CSRF = "t" * 43  # the token client.login_as puts in the session
TITLE = "李娜的长椅"


def by_rule(action: str, ok: int = 303, *, own_refused: bool = False, author_only_or_staff: bool = False
            ) -> Callable[[Phase, frozenset[str]], int]:
    def expected(phase: Phase, roles: frozenset[str]) -> int:
        if phase == Phase.draft and roles.isdisjoint({rules.STAFF, rules.PLANNER}):
            return 404
        why = rules.refusal(action, phase, roles)
        if why is not None:
            return REFUSED[why]
        if own_refused and rules.AUTHOR in roles:  # never one's own proposal
            return 403
        if author_only_or_staff and rules.PLANNER not in roles and rules.STAFF not in roles:
            return 403
        return ok

    return expected


def _see(phase: Phase, roles: frozenset[str]) -> int:
    return 404 if phase == Phase.draft and roles.isdisjoint({rules.STAFF, rules.PLANNER}) else 200


def _note(session, w, _viewer) -> None:
    w.note = PlanningAnnotation(project_id=w.project.id, author_id=w.planner.account_id, title="旧说明",
                                **w.shape.columns())
    session.add(w.note)


def _bump(session, w, column: str) -> None:
    """Keep the proposal's counter true to the rows written directly (hiding or withdrawing subtracts)."""
    session.execute(update(PlanningProposal).where(PlanningProposal.id == w.proposal.id)
                    .values({column: getattr(PlanningProposal, column) + 1}))


def _comment(session, w, _viewer) -> None:
    w.comment = PlanningComment(proposal_id=w.proposal.id, author_id=w.zhang.account_id, body="一条评论")
    session.add(w.comment)
    _bump(session, w, "comment_count")


def _own(model) -> Callable:
    """The viewer already supports / follows the proposal (so that taking it back has something to take)."""
    def arrange(session, w, viewer) -> None:
        mine = session.execute(select(model.id).where(model.proposal_id == w.proposal.id,
                                                      model.account_id == viewer.account_id)).first()
        if viewer.account_id is not None and mine is None:
            session.add(model(proposal_id=w.proposal.id, account_id=viewer.account_id))
            if model is PlanningSupport:
                _bump(session, w, "support_count")

    return arrange


def _not_following(session, w, viewer) -> None:
    """Supporting and commenting earlier made the viewer follow: following again would change nothing."""
    session.execute(delete(PlanningFollow).where(PlanningFollow.proposal_id == w.proposal.id,
                                                 PlanningFollow.account_id == viewer.account_id))


def _nothing(session, w, viewer) -> None:
    return None


@dataclass(frozen=True)
class Case:
    request: Callable  # (post, get, w) -> response
    expected: Callable  # (phase, roles) -> status for a signed-in viewer
    arrange: Callable = _nothing  # (session, w, viewer): what the cell needs, written before it starts
    get: bool = False
    extra: dict = field(default_factory=dict)


def _proposal_form(w) -> dict:
    return {"title": "新的提议", "category": str(w.categories["idea"].id), "description": "", "place_label": "南门",
            "geometry": json.dumps(inside_point(0.001)), "latitude": "", "longitude": "", "register_place": ""}


CASES = {
    "see the proposal": Case(lambda post, get, w: get(f"/planning/proposals/{w.proposal.id}"), _see, get=True),
    "propose": Case(lambda post, get, w: post(f"/planning/{w.project.id}/proposals/new", _proposal_form(w)),
                    by_rule("propose")),
    "edit": Case(lambda post, get, w: post(f"/planning/proposals/{w.proposal.id}/edit",
                                           {**_proposal_form(w), "title": "改过的标题", "geometry": ""}),
                 by_rule("edit_proposal")),
    "support": Case(lambda post, get, w: post(f"/planning/proposals/{w.proposal.id}/support", {}),
                    by_rule("support", own_refused=True)),
    "unsupport": Case(lambda post, get, w: post(f"/planning/proposals/{w.proposal.id}/unsupport", {}),
                      by_rule("support"), _own(PlanningSupport)),
    "follow": Case(lambda post, get, w: post(f"/planning/proposals/{w.proposal.id}/follow", {}), by_rule("follow"),
                   _not_following),
    "unfollow": Case(lambda post, get, w: post(f"/planning/proposals/{w.proposal.id}/unfollow", {}),
                     by_rule("follow"), _own(PlanningFollow)),
    "comment": Case(lambda post, get, w: post(f"/planning/proposals/{w.proposal.id}/comments", {"body": "加油"}),
                    by_rule("comment")),
    "hide a comment": Case(lambda post, get, w: post(f"/planning/comments/{w.comment.id}/hide", {}),
                           by_rule("moderate"), _comment),
    "set the status": Case(lambda post, get, w: post(f"/planning/proposals/{w.proposal.id}/status",
                                                     {"status": "under_review", "reason": ""}),
                           by_rule("set_status")),
    "set the theme": Case(lambda post, get, w: post(f"/planning/proposals/{w.proposal.id}/theme",
                                                    {"theme": str(w.theme.id)}), by_rule("manage_themes")),
    "annotate": Case(lambda post, get, w: post(f"/planning/{w.project.id}/annotations/new", {
        "title": "说明", "body": "", "visibility": "public", "geometry": json.dumps(inside_point()), "latitude": "",
        "longitude": "", "register_place": ""}), by_rule("annotate")),
    "delete a note": Case(lambda post, get, w: post(f"/planning/annotations/{w.note.id}/delete", {}),
                          by_rule("annotate", author_only_or_staff=True), _note),
}


def fingerprint(session, w) -> tuple:
    """Everything an action could write, read in one statement."""
    session.rollback()
    counts = [select(func.count()).select_from(model).scalar_subquery() for model in (
        PlanningProposal, PlanningSupport, PlanningFollow, PlanningComment, PlanningAnnotation, PlanningStatusChange,
        PlanningPhoto, AuditEvent, Notification, uploads.StoredFile)]
    hidden = select(func.count()).where(PlanningComment.hidden_at.is_not(None)).scalar_subquery()
    row = session.execute(select(*counts, hidden, PlanningProposal.title, PlanningProposal.status,
                                 PlanningProposal.theme_id, PlanningProposal.support_count,
                                 PlanningProposal.comment_count).where(PlanningProposal.id == w.proposal.id)).one()
    return tuple(row)


def arrange_world(session, make_account, phase: Phase):
    """李娜's proposal, a design theme and the accounts, on the real clock (the routes read it)."""
    w = build_planning_world(session, make_account, phase=phase, now=clock.now())
    w.proposal = add_proposal(session, w, author=w.li, title=TITLE)
    w.theme = PlanningTheme(project_id=w.project.id, name="花园")
    session.add(w.theme)
    session.commit()
    w.shape = _shape(w)
    w.accounts = {name: session.get(Account, getattr(w, name).account_id) for name, _r in ROLES.values() if name}
    return w


def _shape(w):
    from civic.planning import geo

    return geo.proposal_shape(json.dumps(inside_point(0.002)), boundary=geo.boundary_of(w.project))


def reset(session, w, case: Case, viewer) -> None:
    """Back to the starting point for the proposal, then what this cell needs."""
    session.rollback()
    session.execute(update(PlanningProposal).where(PlanningProposal.id == w.proposal.id)
                    .values(title=TITLE, status=ProposalStatus.received, theme_id=None))
    case.arrange(session, w, viewer)
    session.commit()


@pytest.mark.parametrize("phase", PHASES)
def test_each_proposal_action_works_exactly_for_whom_and_when_the_rules_say(client, session, make_account, phase):
    w = arrange_world(session, make_account, phase)
    failures = []
    for name, case in CASES.items():
        for role, (who, roles) in ROLES.items():
            viewer = getattr(w, who) if who else w.anonymous
            reset(session, w, case, viewer)
            client.cookies.clear()
            if who:
                client.login_as(w.accounts[who])

                def post(url, data):
                    return client.post(url, data={**data, "csrf_token": CSRF})
            else:
                def post(url, data):
                    return client.post_form(url, data)
            before = fingerprint(session, w)
            response = case.request(post, client.get, w)
            after = fingerprint(session, w)
            if who is None and not case.get:
                outcome = (response.status_code == 303 and response.headers["location"].startswith("/login?next=")
                           and after == before)
                expected = "303 to sign in"
            else:
                expected = case.expected(phase, roles)
                changed = after != before
                outcome = response.status_code == expected and (changed if expected == 303 else not changed)
            if not outcome:
                failures.append(f"{name} × {role}: expected {expected}, got {response.status_code}, "
                                f"{'wrote' if after != before else 'wrote nothing'}")
    assert failures == []
