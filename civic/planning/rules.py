"""Pure planning rules: the phase at a moment, who may do what in which phase, the proposal status
workflow, the built-in categories and the base layers. No session, no request, no clock."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from civic.planning.models import BaseLayer, CategoryKey, Phase, ProjectStatus, ProposalStatus
from civic.schedule import (  # noqa: F401 (the boundary rules are used as rules.*)
    Permission,
    moved_past_boundary,
    permission,
    phase_dates_problem,
    refusal_in,
)

TITLE_MAX = 200
PLACE_LABEL_MAX = 200
LONG_MAX = 20_000  # description (Markdown)
COMMENT_MAX = 2000
REASON_MAX = 1000
NOTE_MAX = 5000
CATEGORIES_MAX = 12
CATEGORY_LABEL_MAX = 40
THEME_NAME_MAX = 120
PHOTOS_MAX = 4
PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTO_TYPES = ("image/png", "image/jpeg", "image/webp")

# ---- roles towards one project (access.roles_of) -------------------------------------------------------
STAFF = "staff"  # staff of the project's place or above, administrators
PLANNER = "planner"  # holds the planner role on this project
RESIDENT = "resident"  # signed in, with a current link to a unit under the project's place
SIGNED_IN = "signed_in"
# Towards one proposal:
AUTHOR = "author"

PHASE_ORDER = (Phase.draft, Phase.upcoming, Phase.discovery, Phase.proposals, Phase.feedback, Phase.closed)
PUBLIC_PHASES = frozenset(PHASE_ORDER[1:])
EVERY_PHASE = frozenset(PHASE_ORDER)
CONTRIBUTING = frozenset({Phase.discovery, Phase.proposals})  # residents add to the map
DISCUSSING = frozenset({Phase.discovery, Phase.proposals, Phase.feedback})  # residents comment and support


def phase_at(*, status: str, discovery_opens_at: datetime, proposals_opens_at: datetime,
             feedback_opens_at: datetime, closes_at: datetime, now: datetime) -> Phase:
    """The phase a project is in at `now`; every boundary belongs to the phase it opens."""
    if status == ProjectStatus.draft:
        return Phase.draft
    for boundary, phase in ((discovery_opens_at, Phase.upcoming), (proposals_opens_at, Phase.discovery),
                            (feedback_opens_at, Phase.proposals), (closes_at, Phase.feedback)):
        if now < boundary:
            return phase
    return Phase.closed


def project_phase(project, now: datetime) -> Phase:
    """`phase_at` for a PlanningProject row (or anything with the same attributes)."""
    return phase_at(status=project.status, discovery_opens_at=project.discovery_opens_at,
                    proposals_opens_at=project.proposals_opens_at, feedback_opens_at=project.feedback_opens_at,
                    closes_at=project.closes_at, now=now)


_p = permission


# Who may do what in which phase. The matrix test walks every action × role × phase; docs/planning.md
# shows the same table to people.
PERMISSIONS: dict[str, Permission] = {
    "see_draft": _p({Phase.draft}, STAFF, PLANNER),
    # Description, dates, categories and layers; the service keeps passed dates and existing shapes safe.
    "edit_project": _p(EVERY_PHASE, STAFF, PLANNER),
    "publish": _p({Phase.draft}, STAFF, PLANNER),
    "appoint_planners": _p(EVERY_PHASE, STAFF),
    "propose": _p(CONTRIBUTING, RESIDENT),
    # An author may correct their proposal while residents are still adding to the map and nobody has
    # moved it on (the service checks the status).
    "edit_proposal": _p(CONTRIBUTING, AUTHOR),
    "support": _p(DISCUSSING, RESIDENT),
    "comment": _p(DISCUSSING, RESIDENT, PLANNER, STAFF),
    "follow": _p(PUBLIC_PHASES, SIGNED_IN),
    "moderate": _p(PUBLIC_PHASES, PLANNER, STAFF),
    # Planners keep working after the project closes: proposals move on until they are built.
    "set_status": _p(PUBLIC_PHASES, PLANNER, STAFF),
    "manage_themes": _p(EVERY_PHASE, PLANNER, STAFF),
    "annotate": _p(EVERY_PHASE, PLANNER, STAFF),
    "see_internal": _p(EVERY_PHASE, PLANNER, STAFF),
}


def refusal(action: str, phase: str, roles: Iterable[str]) -> str | None:
    """Why `action` is refused: "role", "phase", or None when it is allowed (the role first)."""
    return refusal_in(PERMISSIONS, action, phase, roles)


def allowed(action: str, phase: str, roles: Iterable[str]) -> bool:
    return refusal(action, phase, roles) is None


# ---- the status workflow --------------------------------------------------------------------------------

STATUS_ORDER = (ProposalStatus.received, ProposalStatus.under_review, ProposalStatus.in_plan,
                ProposalStatus.in_design, ProposalStatus.built)
# A proposal moves one step forward or back along the way to being built, or is declined (with a reason)
# from anywhere before it is built; a declined one may be reconsidered (back to under review).
TRANSITIONS: dict[ProposalStatus, frozenset[ProposalStatus]] = {
    ProposalStatus.received: frozenset({ProposalStatus.under_review, ProposalStatus.declined}),
    ProposalStatus.under_review: frozenset({ProposalStatus.received, ProposalStatus.in_plan,
                                            ProposalStatus.declined}),
    ProposalStatus.in_plan: frozenset({ProposalStatus.under_review, ProposalStatus.in_design,
                                       ProposalStatus.declined}),
    ProposalStatus.in_design: frozenset({ProposalStatus.in_plan, ProposalStatus.built, ProposalStatus.declined}),
    ProposalStatus.built: frozenset(),
    ProposalStatus.declined: frozenset({ProposalStatus.under_review}),
}


def can_move(current: str, target: str) -> bool:
    return ProposalStatus(target) in TRANSITIONS.get(ProposalStatus(current), frozenset())


def next_statuses(current: str) -> list[ProposalStatus]:
    """The statuses a planner may choose next, in workflow order (declined last)."""
    allowed_next = TRANSITIONS.get(ProposalStatus(current), frozenset())
    return [s for s in (*STATUS_ORDER, ProposalStatus.declined) if s in allowed_next]


def needs_reason(target: str) -> bool:
    return target == ProposalStatus.declined


# ---- categories and layers -------------------------------------------------------------------------------

# Colour-blind-safe colours (Okabe–Ito); the map never relies on colour alone: the list and popups name
# the category in words.
CATEGORY_COLOURS = ("#009e73", "#d55e00", "#0072b2", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#f0e442")
DEFAULT_CATEGORIES = ((CategoryKey.beauty, "#009e73"), (CategoryKey.pain, "#d55e00"), (CategoryKey.idea, "#0072b2"))


def parse_layers(text: str) -> frozenset[BaseLayer]:
    """The stored comma list → the layers it names; unknown names are ignored."""
    known = {layer.value for layer in BaseLayer}
    return frozenset(BaseLayer(name) for name in (text or "").split(",") if name in known)


def layers_text(layers: Iterable[str]) -> str:
    """The layers in a fixed order, comma-separated, for storing."""
    chosen = set(layers)
    return ",".join(layer.value for layer in BaseLayer if layer.value in chosen)


