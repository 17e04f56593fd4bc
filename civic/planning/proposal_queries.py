"""What the proposal pages show — the proposal with its category, theme, author, photos, status history, a
page of comments and the viewer's own support and following, in a constant number of statements whatever
their number — the proposal and note forms, and who may fetch a proposal's photos."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, false, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from civic import uploads
from civic.auth.models import Account, Role, RoleGrant, ScopeType
from civic.errors import InvalidInput, NotFound
from civic.i18n import N_
from civic.pagination import Page
from civic.places import rules as place_rules
from civic.places.models import Place
from civic.places.rules import Viewer
from civic.places.service import place_labels, trail
from civic.planning import access, geo, rules
from civic.planning.models import (
    Phase,
    PlanningCategory,
    PlanningComment,
    PlanningFollow,
    PlanningPhoto,
    PlanningProject,
    PlanningProposal,
    PlanningStatusChange,
    PlanningSupport,
    PlanningTheme,
    ProjectStatus,
    ProposalStatus,
)
from civic.planning.proposals import REGISTER_KINDS, changeable_proposal

COMMENTS_PER_PAGE = 20


@uploads.attachment("planning_photo")
def planning_photo_visible(session: Session, viewer: Viewer, file_id: int, now: datetime) -> bool:
    """A proposal's photo is served to whoever may see its project: anyone once it is published, its
    planners and staff while it is a draft (one query)."""
    planner = (exists().where(RoleGrant.account_id == viewer.account_id, RoleGrant.role == Role.planner,
                              RoleGrant.scope_type == ScopeType.planning_project,
                              RoleGrant.scope_id == PlanningProject.id)
               if viewer.account_id is not None else false())
    rows = session.execute(
        select(PlanningProject.status, Place.path, planner).select_from(PlanningPhoto)
        .join(PlanningProposal, PlanningProposal.id == PlanningPhoto.proposal_id)
        .join(PlanningProject, PlanningProject.id == PlanningProposal.project_id)
        .join(Place, Place.id == PlanningProject.place_id).where(PlanningPhoto.file_id == file_id)).all()
    return any(status == ProjectStatus.published or is_planner or place_rules.can_manage(viewer, path)
               for status, path, is_planner in rows)


# ---- the forms ----------------------------------------------------------------------------------------------

def register_places(session: Session, project: PlanningProject, place: Place) -> list[tuple[int, str]]:
    """The compounds and buildings under the project's place whose register point lies inside its boundary,
    labelled with their trail below the project's place (two queries)."""
    rows = session.execute(select(Place.id, Place.path, Place.geojson).where(
        Place.path.startswith(place.path), Place.kind.in_(REGISTER_KINDS), Place.geojson.is_not(None))
        .order_by(Place.path)).all()
    boundary = geo.boundary_of(project).buffer(geo.TOLERANCE_DEG)
    inside = []
    for pid, path, text in rows:
        try:
            point = geo.parse(text, allowed=("Point",))
        except InvalidInput:  # a register point that does not parse is simply not offered
            continue
        if boundary.covers(point):
            inside.append((pid, path))
    names = place_labels(session, {path for _pid, path in inside})
    depth = len(place_rules.path_ids(place.path))
    labels = [(pid, " › ".join(names.get(i, "") for i in place_rules.path_ids(path)[depth:])) for pid, path in inside]
    return sorted(labels, key=lambda choice: choice[1])


@dataclass
class ProposalFormPage:
    project: PlanningProject
    place: Place
    categories: list[PlanningCategory]
    register_places: list[tuple[int, str]]
    proposal: PlanningProposal | None = None
    photos: list[PlanningPhoto] = field(default_factory=list)
    photos_max: int = rules.PHOTOS_MAX

    @property
    def photo_slots(self) -> range:
        """The empty photo fields the form offers (form slots photo-0, photo-1 …)."""
        return range(max(0, rules.PHOTOS_MAX - len(self.photos)))


def _categories(session: Session, project_id: int) -> list[PlanningCategory]:
    return list(session.execute(select(PlanningCategory).where(PlanningCategory.project_id == project_id)
                                .order_by(PlanningCategory.position, PlanningCategory.id)).scalars())


def new_proposal_page(session: Session, *, viewer: Viewer, project_id: int, now: datetime) -> ProposalFormPage:
    """The empty proposal form, for a resident while residents add to the map (refused as adding would be)."""
    project, place = access.project_and_place(session, project_id)
    access.authorise(session, viewer=viewer, action="propose", project=project, place=place, now=now)
    return ProposalFormPage(project=project, place=place, categories=_categories(session, project.id),
                            register_places=register_places(session, project, place))


def edit_proposal_page(session: Session, *, viewer: Viewer, proposal_id: int, now: datetime) -> ProposalFormPage:
    """The author's form for their proposal, with its photos."""
    proposal, project, place = changeable_proposal(session, viewer=viewer, proposal_id=proposal_id, now=now)
    photos = list(session.execute(select(PlanningPhoto).where(PlanningPhoto.proposal_id == proposal.id)
                                  .order_by(PlanningPhoto.position)).scalars())
    return ProposalFormPage(project=project, place=place, categories=_categories(session, project.id),
                            register_places=register_places(session, project, place), proposal=proposal,
                            photos=photos)


def form_of(proposal: PlanningProposal) -> dict[str, str]:
    """A proposal as its edit form starts: the location fields empty (the shape stays unless a new one is
    given)."""
    return {"title": proposal.title, "category": str(proposal.category_id), "description": proposal.description,
            "place_label": proposal.place_label, "geometry": "", "latitude": "", "longitude": "",
            "register_place": ""}


def annotation_form_page(session: Session, *, viewer: Viewer, project_id: int, now: datetime) -> ProposalFormPage:
    """The note form, for the project's planners and staff."""
    project, place = access.project_and_place(session, project_id)
    access.authorise(session, viewer=viewer, action="annotate", project=project, place=place, now=now)
    return ProposalFormPage(project=project, place=place, categories=[],
                            register_places=register_places(session, project, place))


# ---- the proposal page --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Post:
    id: int
    author_id: int
    author: str
    body: str
    created_at: datetime
    hidden_at: datetime | None


@dataclass(frozen=True)
class Step:
    """One change of status, with the name of who made it."""

    from_status: str
    to_status: str
    reason: str
    by: str
    at: datetime


@dataclass
class ProposalPage:
    """What the proposal page shows; the can_* properties say which forms it offers (those that would work)."""

    proposal: PlanningProposal
    project: PlanningProject
    place: Place
    phase: Phase
    roles: frozenset[str]
    viewer_id: int | None
    category: PlanningCategory
    theme: PlanningTheme | None
    author: str
    place_label: str  # the project's place, as a trail
    photos: list[PlanningPhoto]
    history: list[Step]
    comments: Page[Post]
    supporting: bool
    following: bool
    themes: list[PlanningTheme]

    def can(self, action: str) -> bool:
        return rules.allowed(action, self.phase, self.roles)

    @property
    def can_edit(self) -> bool:
        return self.can("edit_proposal") and self.proposal.status == ProposalStatus.received

    @property
    def discussing(self) -> bool:
        """Residents may support and comment now (the page invites visitors to sign in for it)."""
        return self.phase in rules.DISCUSSING

    @property
    def can_support(self) -> bool:
        return self.can("support") and rules.AUTHOR not in self.roles

    @property
    def next_statuses(self) -> list[ProposalStatus]:
        return rules.next_statuses(self.proposal.status) if self.can("set_status") else []


def _comments(session: Session, proposal_id: int, number: int) -> Page[Post]:
    """One page of comments, oldest first; page 0 (or one past the end) is the last page. Two queries."""
    total = session.execute(select(func.count()).where(PlanningComment.proposal_id == proposal_id)).scalar_one()
    pages = max(1, -(-total // COMMENTS_PER_PAGE))
    number = pages if number <= 0 or number > pages else number
    rows = session.execute(
        select(PlanningComment, Account.display_name).join(Account, Account.id == PlanningComment.author_id)
        .where(PlanningComment.proposal_id == proposal_id)
        .order_by(PlanningComment.created_at, PlanningComment.id)
        .limit(COMMENTS_PER_PAGE).offset((number - 1) * COMMENTS_PER_PAGE)).all()
    items = [Post(c.id, c.author_id, name, c.body, c.created_at, c.hidden_at) for c, name in rows]
    return Page(items=items, number=number, size=COMMENTS_PER_PAGE, total=total)


def proposal_page(session: Session, *, viewer: Viewer | None, proposal_id: int, now: datetime,
                  comments_page: int = 1) -> ProposalPage:
    """Everything the proposal page shows (comments: page 0 is the last), in a constant number of queries."""
    viewer = viewer or Viewer(account_id=None)
    proposal, project, place = access.proposal_project_place(session, proposal_id)
    roles = access.roles_of(session, viewer=viewer, project=project, place=place, now=now, proposal=proposal)
    phase = rules.project_phase(project, now)
    if access.hidden_draft(phase, roles):
        raise NotFound(N_("There is no such planning project."))
    category, theme, author = session.execute(
        select(PlanningCategory, PlanningTheme, Account.display_name)
        .select_from(PlanningProposal)
        .join(PlanningCategory, PlanningCategory.id == PlanningProposal.category_id)
        .outerjoin(PlanningTheme, PlanningTheme.id == PlanningProposal.theme_id)
        .join(Account, Account.id == PlanningProposal.author_id).where(PlanningProposal.id == proposal.id)).one()
    photos = list(session.execute(select(PlanningPhoto).where(PlanningPhoto.proposal_id == proposal.id)
                                  .order_by(PlanningPhoto.position)).scalars())
    changer = aliased(Account)
    history = [Step(c.from_status, c.to_status, c.reason, name, c.changed_at) for c, name in session.execute(
        select(PlanningStatusChange, changer.display_name).join(changer, changer.id == PlanningStatusChange.changed_by)
        .where(PlanningStatusChange.proposal_id == proposal.id)
        .order_by(PlanningStatusChange.changed_at, PlanningStatusChange.id)).all()]
    supporting = following = False
    if viewer.account_id is not None:
        supporting, following = session.execute(select(
            exists().where(PlanningSupport.proposal_id == proposal.id, PlanningSupport.account_id == viewer.account_id),
            exists().where(PlanningFollow.proposal_id == proposal.id, PlanningFollow.account_id == viewer.account_id),
        )).one()
    themes = list(session.execute(select(PlanningTheme).where(PlanningTheme.project_id == project.id)
                                  .order_by(PlanningTheme.position, PlanningTheme.id)).scalars())
    return ProposalPage(
        proposal=proposal, project=project, place=place, phase=phase, roles=roles, viewer_id=viewer.account_id,
        category=category, theme=theme, author=author,
        place_label=trail(place_labels(session, {place.path}), place.path), photos=photos, history=history,
        comments=_comments(session, proposal.id, comments_page), supporting=bool(supporting),
        following=bool(following), themes=themes)


def proposal_of_comment(session: Session, *, comment_id: int) -> int:
    """The proposal a comment is on (to show its page again after a refused moderation)."""
    proposal_id = session.execute(select(PlanningComment.proposal_id).where(PlanningComment.id == comment_id)).scalar()
    if proposal_id is None:
        raise NotFound(N_("There is no such comment."))
    return proposal_id

