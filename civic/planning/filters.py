"""The one filter behind the list and the map (category, status, phase, text): parsed once from the query
string and turned into the same SQL conditions for both, so that the list always shows what the map shows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, or_

from civic.planning.models import Phase, PlanningProposal, ProposalStatus

TEXT_MAX = 100
FILTER_PHASES = (Phase.discovery, Phase.proposals)  # the phases proposals are added in


@dataclass(frozen=True)
class ProposalFilter:
    category_id: int | None = None
    status: str = ""
    phase: str = ""
    text: str = ""

    @property
    def active(self) -> bool:
        return bool(self.category_id or self.status or self.phase or self.text)

    def query(self) -> str:
        """The filter as a query string (without "?"), empty when nothing is chosen."""
        pairs = [("category", self.category_id), ("status", self.status), ("phase", self.phase), ("q", self.text)]
        return urlencode([(k, v) for k, v in pairs if v])


def parse_filter(params: Mapping[str, str]) -> ProposalFilter:
    """Query parameters → a filter. Unknown values are dropped rather than refused: a stale bookmark or a
    hand-edited link still shows the map, unfiltered on that point."""
    category = (params.get("category") or "").strip()
    status = (params.get("status") or "").strip()
    phase = (params.get("phase") or "").strip()
    text = " ".join((params.get("q") or "").split())[:TEXT_MAX]
    return ProposalFilter(
        category_id=int(category) if category.isdigit() and len(category) < 10 else None,
        status=status if status in {s.value for s in ProposalStatus} else "",
        phase=phase if phase in {p.value for p in FILTER_PHASES} else "",
        text=text,
    )


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def conditions(project_id: int, chosen: ProposalFilter) -> list[ColumnElement[bool]]:
    """WHERE conditions on PlanningProposal for one project and the chosen filter."""
    where: list[ColumnElement[bool]] = [PlanningProposal.project_id == project_id]
    if chosen.category_id:
        where.append(PlanningProposal.category_id == chosen.category_id)
    if chosen.status:
        where.append(PlanningProposal.status == chosen.status)
    if chosen.phase:
        where.append(PlanningProposal.phase == chosen.phase)
    if chosen.text:
        pattern = f"%{_like_escaped(chosen.text)}%"
        where.append(or_(PlanningProposal.title.ilike(pattern, escape="\\"),
                         PlanningProposal.place_label.ilike(pattern, escape="\\"),
                         PlanningProposal.description.ilike(pattern, escape="\\")))
    return where
