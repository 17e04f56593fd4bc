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
from civic.covenants import access, diffs, rules
from civic.covenants.keepers import AdoptionPanel, adoption_panel
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
from civic.places.service import in_scope, natural_key, place_labels


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


def _covenants(place: Place | None, status: str | None):
    """Covenants (of a place and the places under it), as CovenantRow columns, most recently moved first."""
    clauses = (select(func.count(Clause.id)).where(Clause.covenant_id == Covenant.id, Clause.removed_at.is_(None))
               .scalar_subquery())
    stmt = (select(Covenant.id, Covenant.title, Covenant.kind, Covenant.status, Place.id, Place.name, clauses,
                   Covenant.status_changed_at, Covenant.effective_on)
            .join(Place, Place.id == Covenant.scope_place_id)
            .order_by(Covenant.status_changed_at.desc(), Covenant.id.desc()))
    if place is not None:
        stmt = stmt.where(Place.path.startswith(place.path))
    return stmt.where(Covenant.status == status) if status else stmt


def list_covenants(session: Session, *, place_id: int, number: int = 1, size: int = 20,
                   status: str | None = None) -> Page[CovenantRow]:
    """The covenants of a place and of the places under it, most recently moved first (three queries)."""
    place = session.get(Place, place_id)
    if place is None:
        raise NotFound(N_("There is no such place."))
    page = paginate(session, _covenants(place, status), number=number, size=size, scalars=False,
                    query={"status": status})
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
    adoption: AdoptionPanel  # ratification history, signatures, the viewer's breaches
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
    what the viewer may do, and its ratification history (six queries; from ratification on, up to four
    more for the signatures, the viewer's breaches and the texts before and after it)."""
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
    adoption = adoption_panel(session, covenant=covenant, place=place, viewer=viewer, roles=standing.roles, now=now)
    mine = next((d.status for d in drafters if viewer is not None and d.account_id == viewer.account_id), None)
    return CovenantPage(
        covenant=covenant, place=place, trail=_trail(session, place), clauses=[ClauseRow(*r) for r in rows],
        drafters=[d for d in drafters if d.status == DrafterStatus.approved],
        requests=[d for d in drafters if d.status == DrafterStatus.pending] if rules.STAFF in standing.roles else [],
        standing=standing, adoption=adoption, my_request=mine if mine in (DrafterStatus.pending, DrafterStatus.declined) else None,
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


# ---- the list page and the forms of the web pages ---------------------------------------------------


@dataclass(frozen=True)
class PlaceChoice:
    id: int
    label: str  # "北环社区 › 南苑村小区"


@dataclass(frozen=True)
class CovenantList:
    found: Page[CovenantRow]
    places: list[PlaceChoice]  # the places with covenants and the communities above them, to filter by
    place: PlaceChoice | None = None  # the place filtered by


def place_label(names: dict[int, str], path: str) -> str:
    """"北环社区 › 南苑村小区": named from the community down, where residents recognise the names."""
    ids = place_rules.path_ids(path)
    return " › ".join(names.get(i, "") for i in (ids[2:] or ids[-1:]))


def _choices(session: Session, paths: set[str]) -> list[PlaceChoice]:
    """A labelled choice for each path, in natural order (one query for the names)."""
    names = place_labels(session, paths)
    choices = [PlaceChoice(place_rules.path_ids(path)[-1], place_label(names, path)) for path in paths]
    return sorted(choices, key=lambda c: natural_key(c.label))


def browse_covenants(session: Session, *, place_id: int | None = None, status: str | None = None, number: int = 1,
                     size: int = 20) -> CovenantList:
    """Every covenant, or those of a place and the places under it, most recently moved first, with the places
    one may filter by (five queries at most)."""
    place = None
    if place_id is not None:
        place = session.get(Place, place_id)
        if place is None:
            raise NotFound(N_("There is no such place."))
    page = paginate(session, _covenants(place, status), number=number, size=size, scalars=False,
                    query={"place": place_id, "status": status})
    # The places to filter by: each covenant's place and its ancestors from the community down.
    paths = set()
    for path in session.execute(select(Place.path).join(Covenant, Covenant.scope_place_id == Place.id)
                                .distinct()).scalars():
        ids = place_rules.path_ids(path)
        paths |= {"/" + "/".join(map(str, ids[:n])) + "/" for n in range(min(3, len(ids)), len(ids) + 1)}
    if place is not None:
        paths.add(place.path)
    choices = _choices(session, paths)
    return CovenantList(found=dataclasses.replace(page, items=[CovenantRow(*row) for row in page.items]),
                        places=choices, place=next((c for c in choices if place and c.id == place.id), None))


def scope_choices(session: Session, *, viewer: Viewer) -> list[PlaceChoice]:
    """The communities and compounds where the viewer may start a covenant (two queries)."""
    if not viewer.is_staff:
        return []
    paths = set(session.execute(select(Place.path).where(Place.kind.in_(rules.SCOPE_KINDS),
                                                         in_scope(viewer, Place.path))).scalars())
    return _choices(session, paths)


@dataclass(frozen=True)
class ClauseRemoval:
    covenant: Covenant
    place: Place
    trail: list[tuple[int, str]]
    clause: Clause


def clause_removal(session: Session, *, clause_id: int, viewer: Viewer, now: datetime) -> ClauseRemoval:
    """The clause about to be removed, for the confirmation page: refused as the removal itself would be."""
    clause, covenant, place = access.clause_and_covenant(session, clause_id)
    access.authorise(session, viewer=viewer, action="edit", covenant=covenant, place=place, now=now)
    access.check_not_removed(clause)
    return ClauseRemoval(covenant=covenant, place=place, trail=_trail(session, place), clause=clause)


def drafter_covenant_id(session: Session, drafter_id: int) -> int:
    """The covenant a drafter row (or request to join) belongs to."""
    found = session.execute(select(CovenantDrafter.covenant_id).where(CovenantDrafter.id == drafter_id)).scalar()
    if found is None:
        raise NotFound(N_("There is no such drafter."))
    return found


# ---- the clause's other pages: editing, diffs (added for the web pages) ------------------------------


@dataclass(frozen=True)
class EditPage:
    covenant: Covenant
    place: Place
    trail: list[tuple[int, str]]
    clause: Clause
    current: ClauseVersion


def edit_page(session: Session, *, clause_id: int, viewer: Viewer, now: datetime) -> EditPage:
    """What the edit form starts from: the clause and its current version, for those who may edit it now
    (five queries); anyone else gets the refusal the save would give."""
    clause, covenant, place = access.clause_and_covenant(session, clause_id)
    access.authorise(session, viewer=viewer, action="edit", covenant=covenant, place=place, now=now)
    access.check_not_removed(clause)
    current = session.execute(select(ClauseVersion).where(ClauseVersion.clause_id == clause.id,
                                                          ClauseVersion.number == clause.current_number)).scalar_one()
    return EditPage(covenant, place, _trail(session, place), clause, current)


@dataclass(frozen=True)
class ClauseDiffPage:
    covenant: Covenant
    place: Place
    trail: list[tuple[int, str]]
    clause: Clause
    numbers: list[int]  # every version number of the clause, for the compare form
    diff: diffs.VersionDiff


def clause_diff_page(session: Session, *, clause_id: int, from_number: int, to_number: int) -> ClauseDiffPage:
    """Two versions of a clause compared, with what the page around the diff needs (four queries)."""
    clause, covenant, place = access.clause_and_covenant(session, clause_id)
    numbers = list(session.execute(select(ClauseVersion.number).where(ClauseVersion.clause_id == clause.id)
                                   .order_by(ClauseVersion.number)).scalars())
    found = diffs.diff_versions(session, clause_id=clause.id, from_number=from_number, to_number=to_number)
    return ClauseDiffPage(covenant, place, _trail(session, place), clause, numbers, found)


@dataclass(frozen=True)
class CovenantDiffPage:
    covenant: Covenant
    place: Place
    trail: list[tuple[int, str]]
    moments: list[datetime]  # when the text changed, oldest first (diffs.covenant_moments)
    at_from: datetime | None
    at_to: datetime | None
    diff: diffs.CovenantDiff | None  # None until the text has changed at least once


def covenant_diff_page(session: Session, *, covenant_id: int, at_from: datetime | None = None,
                       at_to: datetime | None = None) -> CovenantDiffPage:
    """The whole covenant at two moments (by default its first and its latest), clause by clause (eight
    queries at most)."""
    covenant, place = access.covenant_and_place(session, covenant_id)
    moments = diffs.covenant_moments(session, covenant_id=covenant.id)
    if len(moments) < 2:
        return CovenantDiffPage(covenant, place, _trail(session, place), moments, None, None, None)
    at_from, at_to = at_from or moments[0], at_to or moments[-1]
    found = diffs.covenant_diff(session, covenant_id=covenant.id, at_from=at_from, at_to=at_to)
    return CovenantDiffPage(covenant, place, _trail(session, place), moments, found.at_from, found.at_to, found)


def clause_id_of(session: Session, *, amendment_id: int | None = None, comment_id: int | None = None) -> int:
    """The clause an amendment or a comment is on: where its page is (one query)."""
    if amendment_id is not None:
        found = session.execute(select(Amendment.clause_id).where(Amendment.id == amendment_id)).scalar()
        if found is None:
            raise NotFound(N_("There is no such amendment."))
        return found
    found = session.execute(select(ClauseComment.clause_id).where(ClauseComment.id == comment_id)).scalar()
    if found is None:
        raise NotFound(N_("There is no such comment."))
    return found
