"""What the covenant pages show, each in a constant number of queries whatever the number of clauses,
versions, amendments or comments (templates never query)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from civic.auth.models import Account
from civic.covenants import access, rules
from civic.covenants.models import (
    Amendment,
    AmendmentStatus,
    Clause,
    ClauseComment,
    ClauseFollow,
    ClauseVersion,
    Covenant,
    CovenantDrafter,
    DrafterStatus,
)
from civic.errors import NotFound, PermissionDenied
from civic.i18n import N_
from civic.pagination import Page, paginate
from civic.places import rules as place_rules
from civic.places.models import Place
from civic.places.rules import Viewer
from civic.places.service import in_scope, place_labels


@dataclass(frozen=True)
class CovenantRow:
    id: int
    title: str
    kind: str
    status: str
    place_id: int
    place: str
    clauses: int
    status_changed_at: datetime
    effective_on: date | None


def list_covenants(session: Session, *, place_id: int, number: int = 1, size: int = 20,
                   status: str | None = None) -> Page[CovenantRow]:
    """The covenants of a place and of the places under it, most recently moved first (three queries)."""
    place = session.get(Place, place_id)
    if place is None:
        raise NotFound(N_("There is no such place."))
    clauses = (select(func.count(Clause.id)).where(Clause.covenant_id == Covenant.id, Clause.removed_at.is_(None))
               .scalar_subquery())
    stmt = (select(Covenant.id, Covenant.title, Covenant.kind, Covenant.status, Place.id, Place.name, clauses,
                   Covenant.status_changed_at, Covenant.effective_on)
            .join(Place, Place.id == Covenant.scope_place_id).where(Place.path.startswith(place.path))
            .order_by(Covenant.status_changed_at.desc(), Covenant.id.desc()))
    if status:
        stmt = stmt.where(Covenant.status == status)
    page = paginate(session, stmt, number=number, size=size, scalars=False, query={"status": status})
    return dataclasses.replace(page, items=[CovenantRow(*row) for row in page.items])


@dataclass(frozen=True)
class ClauseRow:
    id: int
    position: int
    subject: str
    heading: str
    version_id: int
    number: int
    text: str
    sha256: str
    updated_at: datetime
    comments: int  # visible comments and replies
    open_amendments: int


@dataclass(frozen=True)
class DrafterRow:
    id: int
    account_id: int
    name: str
    status: str
    note: str
    created_at: datetime


@dataclass(frozen=True)
class Standing:
    """What the viewer may do on a covenant now (the page shows only the buttons that would work)."""

    roles: frozenset[str] = frozenset()
    status: str = ""

    def may(self, action: str) -> bool:
        return rules.allowed(action, self.status, self.roles)

    @property
    def can_edit(self) -> bool:
        return self.may("edit")

    @property
    def can_amend(self) -> bool:
        return self.may("amend")

    @property
    def can_comment(self) -> bool:
        return self.may("comment")

    @property
    def can_decide_amendments(self) -> bool:
        return self.may("accept_amendment")

    @property
    def can_moderate(self) -> bool:
        return self.may("moderate")

    @property
    def next_statuses(self) -> list[str]:
        return rules.next_statuses(self.status, self.roles)


@dataclass(frozen=True)
class CovenantPage:
    covenant: Covenant
    place: Place
    trail: list[tuple[int, str]]
    clauses: list[ClauseRow]
    drafters: list[DrafterRow]
    requests: list[DrafterRow]  # pending requests to join: shown to staff only
    standing: Standing
    my_request: str | None = None  # the viewer's own request to join: pending or declined

    @property
    def can_join(self) -> bool:
        return self.standing.may("request_to_join") and rules.DRAFTER not in self.standing.roles \
            and self.my_request != DrafterStatus.pending


def _standing(session: Session, viewer: Viewer | None, covenant: Covenant, place: Place, now: datetime) -> Standing:
    if viewer is None:
        return Standing(status=covenant.status)
    return Standing(access.roles_of(session, viewer=viewer, covenant=covenant, place=place, now=now), covenant.status)


def _trail(session: Session, place: Place) -> list[tuple[int, str]]:
    names = place_labels(session, {place.path})
    return [(pid, names.get(pid, "")) for pid in place_rules.path_ids(place.path)]


def visible_comments():
    return ClauseComment.hidden_at.is_(None)


def covenant_page(session: Session, *, covenant_id: int, viewer: Viewer | None, now: datetime) -> CovenantPage:
    """A covenant with its clauses' current texts, their comment and open-amendment counts, its drafters and
    what the viewer may do (five queries)."""
    covenant, place = access.covenant_and_place(session, covenant_id)
    standing = _standing(session, viewer, covenant, place, now)
    comments = (select(func.count(ClauseComment.id)).where(ClauseComment.clause_id == Clause.id, visible_comments())
                .scalar_subquery())
    amendments = (select(func.count(Amendment.id))
                  .where(Amendment.clause_id == Clause.id, Amendment.status == AmendmentStatus.open).scalar_subquery())
    rows = session.execute(
        select(Clause.id, Clause.position, Clause.subject, Clause.heading, ClauseVersion.id, ClauseVersion.number,
               ClauseVersion.text, ClauseVersion.sha256, ClauseVersion.created_at, comments, amendments)
        .join(ClauseVersion, and_(ClauseVersion.clause_id == Clause.id, ClauseVersion.number == Clause.current_number))
        .where(Clause.covenant_id == covenant.id, Clause.removed_at.is_(None)).order_by(Clause.position, Clause.id)
    ).all()
    people = session.execute(
        select(CovenantDrafter.id, CovenantDrafter.account_id, Account.display_name, CovenantDrafter.status,
               CovenantDrafter.note, CovenantDrafter.created_at)
        .join(Account, Account.id == CovenantDrafter.account_id).where(CovenantDrafter.covenant_id == covenant.id)
        .order_by(CovenantDrafter.created_at, CovenantDrafter.id)
    ).all()
    drafters = [DrafterRow(*p) for p in people]
    mine = next((d.status for d in drafters if viewer is not None and d.account_id == viewer.account_id), None)
    return CovenantPage(
        covenant=covenant, place=place, trail=_trail(session, place), clauses=[ClauseRow(*r) for r in rows],
        drafters=[d for d in drafters if d.status == DrafterStatus.approved],
        requests=[d for d in drafters if d.status == DrafterStatus.pending] if rules.STAFF in standing.roles else [],
        standing=standing, my_request=mine if mine in (DrafterStatus.pending, DrafterStatus.declined) else None,
    )


@dataclass(frozen=True)
class VersionRow:
    id: int
    number: int
    text: str
    sha256: str
    source: str
    created_at: datetime
    author: str
    saved_by: str
    based_on: int | None  # the number of the version it was written from
    amendment_id: int | None = None  # the accepted amendment it came from


@dataclass(frozen=True)
class AmendmentRow:
    id: int
    proposer_id: int
    proposer: str
    based_on: int  # version number
    text: str
    reason: str
    status: str
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str
    resulting_number: int | None
    segments: list[rules.Segment] = field(default_factory=list)  # from its base to its text


@dataclass(frozen=True)
class CommentRow:
    id: int
    author_id: int
    author: str
    body: str  # empty when hidden, unless the viewer moderates
    created_at: datetime
    hidden: bool
    hidden_reason: str
    reports: int  # shown to moderators only (0 for everyone else)
    parent_id: int | None
    replies: list[CommentRow] = field(default_factory=list)


@dataclass(frozen=True)
class ClausePage:
    covenant: Covenant
    place: Place
    trail: list[tuple[int, str]]
    clause: Clause
    current: VersionRow
    versions: list[VersionRow]  # newest first
    amendments: list[AmendmentRow]  # open first, then newest first
    comments: Page[CommentRow]  # threads: first comments, newest first, each with its replies, oldest first
    standing: Standing
    following: bool = False


def _comment_rows(rows, moderator: bool) -> list[CommentRow]:
    return [CommentRow(c.id, c.author_id, name, c.body if c.hidden_at is None or moderator else "", c.created_at,
                       c.hidden_at is not None, c.hidden_reason, c.reports if moderator else 0, c.parent_id)
            for c, name in rows]


def clause_page(session: Session, *, clause_id: int, viewer: Viewer | None, now: datetime, comments_page: int = 1,
                size: int = 50) -> ClausePage:
    """A clause with every version, every amendment (with its diff) and one page of comment threads (with all
    their replies): nine queries at most, however many comments there are."""
    clause, covenant, place = access.clause_and_covenant(session, clause_id)
    standing = _standing(session, viewer, covenant, place, now)
    moderator = standing.can_moderate
    author, saver, base = aliased(Account), aliased(Account), aliased(ClauseVersion)
    versions = session.execute(
        select(ClauseVersion.id, ClauseVersion.number, ClauseVersion.text, ClauseVersion.sha256, ClauseVersion.source,
               ClauseVersion.created_at, func.coalesce(author.display_name, ""), func.coalesce(saver.display_name, ""),
               base.number)
        .outerjoin(author, author.id == ClauseVersion.author_id).outerjoin(saver, saver.id == ClauseVersion.saved_by)
        .outerjoin(base, base.id == ClauseVersion.based_on_version_id)
        .where(ClauseVersion.clause_id == clause.id).order_by(ClauseVersion.number.desc())
    ).all()
    proposer, decider, result = aliased(Account), aliased(Account), aliased(ClauseVersion)
    amendment_rows = session.execute(
        select(Amendment, proposer.display_name, base.number, base.text, decider.display_name, result.number)
        .join(proposer, proposer.id == Amendment.proposed_by).join(base, base.id == Amendment.based_on_version_id)
        .outerjoin(decider, decider.id == Amendment.decided_by)
        .outerjoin(result, result.id == Amendment.resulting_version_id)
        .where(Amendment.clause_id == clause.id)
        .order_by((Amendment.status == AmendmentStatus.open).desc(), Amendment.created_at.desc(), Amendment.id.desc())
    ).all()
    amendments = [AmendmentRow(a.id, a.proposed_by, name, base_number, a.text, a.reason, a.status, a.created_at,
                               decided, a.decided_at, a.decision_reason, result_number, rules.diff(base_text, a.text))
                  for a, name, base_number, base_text, decided, result_number in amendment_rows]
    from_amendment = {a.resulting_number: a.id for a in amendments if a.status == AmendmentStatus.accepted}
    version_rows = [VersionRow(*v, amendment_id=from_amendment.get(v[1]) if v[4] == "amendment" else None)
                    for v in versions]
    threads = paginate(session, select(ClauseComment, Account.display_name)
                       .join(Account, Account.id == ClauseComment.author_id)
                       .where(ClauseComment.clause_id == clause.id, ClauseComment.root_id.is_(None))
                       .order_by(ClauseComment.created_at.desc(), ClauseComment.id.desc()),
                       number=comments_page, size=size, scalars=False)
    roots = _comment_rows(threads.items, moderator)
    if roots:
        found = session.execute(
            select(ClauseComment, Account.display_name).join(Account, Account.id == ClauseComment.author_id)
            .where(ClauseComment.root_id.in_([r.id for r in roots]))
            .order_by(ClauseComment.created_at, ClauseComment.id)).all()
        by_root = {r.id: r for r in roots}
        for (comment, _name), reply in zip(found, _comment_rows(found, moderator), strict=True):
            by_root[comment.root_id].replies.append(reply)
    following = False
    if viewer is not None and viewer.account_id is not None:
        following = session.execute(select(func.count(ClauseFollow.id)).where(
            ClauseFollow.clause_id == clause.id, ClauseFollow.account_id == viewer.account_id)).scalar_one() > 0
    return ClausePage(covenant=covenant, place=place, trail=_trail(session, place), clause=clause,
                      current=next(v for v in version_rows if v.number == clause.current_number), versions=version_rows,
                      amendments=amendments, comments=dataclasses.replace(threads, items=roots), standing=standing,
                      following=following)


def reported_comments(session: Session, *, viewer: Viewer, number: int = 1, size: int = 50) -> Page:
    """The moderation queue: visible comments with open reports, in the places the viewer is staff of,
    most reported first (two queries). Items: (comment, author name, clause heading, covenant id, clause id)."""
    if not viewer.is_staff:
        raise PermissionDenied(N_("Only staff of this place can moderate comments on its covenants."))
    stmt = (select(ClauseComment, Account.display_name, Clause.heading, Covenant.id, Clause.id)
            .join(Account, Account.id == ClauseComment.author_id).join(Clause, Clause.id == ClauseComment.clause_id)
            .join(Covenant, Covenant.id == Clause.covenant_id).join(Place, Place.id == Covenant.scope_place_id)
            .where(ClauseComment.reports > 0, visible_comments(), in_scope(viewer, Place.path))
            .order_by(ClauseComment.reports.desc(), ClauseComment.created_at, ClauseComment.id))
    return paginate(session, stmt, number=number, size=size, scalars=False)
