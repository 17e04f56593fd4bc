"""What the entry page shows — the entry, its team, budget, images, progress, the viewer's own pledges, updates
and a page of comments — and the team and images pages, each in a constant number of queries whatever the
number of pledges, updates and comments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from civic.auth.models import Account
from civic.contests import entries, rules
from civic.contests.entry_queries import CHANGEABLE, SCREENABLE, SeenEntry, visible_entry
from civic.contests.models import (
    BudgetLine,
    Contest,
    ContestEntry,
    EntryComment,
    EntryImage,
    EntryMember,
    EntryStatus,
    EntryUpdate,
    Phase,
    Pledge,
)
from civic.contests.progress import Progress, entry_progress
from civic.pagination import Page
from civic.places.models import Place
from civic.places.rules import Viewer
from civic.places.service import place_labels, trail

COMMENTS_PER_PAGE = 20


@dataclass(frozen=True)
class Member:
    id: int
    account_id: int
    name: str
    is_lead: bool


@dataclass(frozen=True)
class Post:
    """An update or a comment, with its author's name."""

    id: int
    author_id: int
    author: str
    body: str
    created_at: datetime
    hidden_at: datetime | None = None
    hidden_reason: str = ""


@dataclass
class EntryPage:
    """What the entry page shows; the can_* properties say which forms it offers (those that would work)."""

    entry: ContestEntry
    contest: Contest
    place: Place
    roles: frozenset[str]
    phase: Phase
    viewer_id: int | None
    place_label: str  # the contest's place
    entry_place_label: str
    team: list[Member]
    budget: list[BudgetLine]
    images: list[EntryImage]
    progress: Progress
    my_pledges: list[Pledge]
    updates: list[Post]
    comments: Page[Post]

    def can(self, action: str) -> bool:
        return rules.allowed(action, self.phase, self.roles)

    @property
    def budget_total_fen(self) -> int:
        return sum(line.amount_fen for line in self.budget)

    @property
    def budget_differs(self) -> bool:
        """The money goal need not equal the budget's total, but the page points it out when it does not."""
        return bool(self.budget) and self.budget_total_fen != self.entry.money_goal_fen

    @property
    def is_lead(self) -> bool:
        return any(m.account_id == self.viewer_id and m.is_lead for m in self.team)

    @property
    def can_change(self) -> bool:
        return self.can("edit_entry") and self.entry.status in CHANGEABLE

    @property
    def can_pledge(self) -> bool:
        return self.can("pledge") and rules.TEAM not in self.roles and self.entry.status == EntryStatus.accepted

    @property
    def can_cancel(self) -> bool:
        return self.can("cancel_pledge")

    @property
    def can_post_update(self) -> bool:
        return self.can("post_update") and self.entry.status != EntryStatus.draft

    @property
    def can_comment(self) -> bool:
        return self.can("comment") and self.entry.status != EntryStatus.draft

    @property
    def can_moderate(self) -> bool:
        return self.can("moderate")

    @property
    def can_screen(self) -> bool:
        return self.can("screen") and self.entry.status in SCREENABLE

    def material(self, need_id: int | None):
        return next((m for m in self.progress.materials if m.need_id == need_id), None)


def _team(session: Session, entry_id: int) -> list[Member]:
    """The lead first, then the members in the order they joined (one query)."""
    return [Member(m.id, m.account_id, name, m.is_lead) for m, name in session.execute(
        select(EntryMember, Account.display_name).join(Account, Account.id == EntryMember.account_id)
        .where(EntryMember.entry_id == entry_id).order_by(EntryMember.is_lead.desc(), EntryMember.id)).all()]


def _posts(rows) -> list[Post]:
    return [Post(id=row.id, author_id=row.author_id, author=name, body=row.body, created_at=row.created_at,
                 hidden_at=getattr(row, "hidden_at", None), hidden_reason=getattr(row, "hidden_reason", ""))
            for row, name in rows]


def _comments(session: Session, entry_id: int, number: int) -> Page[Post]:
    """One page of the entry's comments, oldest first; page 0 (or one past the end) is the last page, where a
    new comment is. Two queries."""
    total = session.execute(select(func.count()).where(EntryComment.entry_id == entry_id)).scalar_one()
    pages = max(1, -(-total // COMMENTS_PER_PAGE))
    number = pages if number <= 0 or number > pages else number
    rows = session.execute(
        select(EntryComment, Account.display_name).join(Account, Account.id == EntryComment.author_id)
        .where(EntryComment.entry_id == entry_id).order_by(EntryComment.created_at, EntryComment.id)
        .limit(COMMENTS_PER_PAGE).offset((number - 1) * COMMENTS_PER_PAGE)).all()
    return Page(items=_posts(rows), number=number, size=COMMENTS_PER_PAGE, total=total)


def entry_page(session: Session, *, viewer: Viewer | None, entry_id: int, now: datetime,
               comments_page: int = 1) -> EntryPage:
    """Everything the entry page shows (comments: page 0 is the last). Backing is settled first if it has
    closed and no one has settled it yet."""
    from civic.contests import backing  # settling is the backing side's; the page only needs it done

    viewer = viewer or Viewer(account_id=None)
    backing.settle_if_due(session, entry_id=entry_id, now=now)
    seen = visible_entry(session, viewer=viewer, entry_id=entry_id, now=now)
    entry = seen.entry
    team = _team(session, entry.id)
    budget = list(session.execute(select(BudgetLine).where(BudgetLine.entry_id == entry.id)
                                  .order_by(BudgetLine.position, BudgetLine.id)).scalars())
    images = list(session.execute(select(EntryImage).where(EntryImage.entry_id == entry.id)
                                  .order_by(EntryImage.position, EntryImage.id)).scalars())
    paths = {seen.place.path}
    entry_place = session.get(Place, entry.place_id) if entry.place_id else None
    if entry_place is not None:
        paths.add(entry_place.path)
    names = place_labels(session, paths)
    mine = list(session.execute(select(Pledge).where(Pledge.entry_id == entry.id, Pledge.account_id ==
                                                     viewer.account_id).order_by(Pledge.id)).scalars()) \
        if viewer.account_id is not None else []
    updates = _posts(session.execute(
        select(EntryUpdate, Account.display_name).join(Account, Account.id == EntryUpdate.author_id)
        .where(EntryUpdate.entry_id == entry.id).order_by(EntryUpdate.created_at.desc(), EntryUpdate.id.desc())).all())
    comments = _comments(session, entry.id, comments_page)
    return EntryPage(
        entry=entry, contest=seen.contest, place=seen.place, roles=seen.roles, phase=seen.phase,
        place_label=trail(names, seen.place.path),
        entry_place_label=trail(names, entry_place.path) if entry_place is not None else "",
        team=team, budget=budget, images=images, progress=entry_progress(session, [entry.id]).get(entry.id),
        my_pledges=mine, updates=updates, viewer_id=viewer.account_id,
        comments=comments)


@dataclass
class TeamPage:
    seen: SeenEntry
    team: list[Member]
    images: list[EntryImage]
    is_lead: bool


def team_page(session: Session, *, viewer: Viewer, entry_id: int, now: datetime) -> TeamPage:
    """The team and the images, for the team while it may still change them."""
    seen = entries.changeable_entry(session, viewer=viewer, entry_id=entry_id, now=now)
    team = _team(session, entry_id)
    images = list(session.execute(select(EntryImage).where(EntryImage.entry_id == entry_id)
                                  .order_by(EntryImage.position, EntryImage.id)).scalars())
    return TeamPage(seen=seen, team=team, images=images,
                    is_lead=any(m.account_id == viewer.account_id and m.is_lead for m in team))
