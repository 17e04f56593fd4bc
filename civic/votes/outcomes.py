"""What a closed vote decides, applied by the domain that asked for the vote.

A vote may name its subject (`Vote.subject_type`, `Vote.subject_ref`): a covenant's frozen text, say.
When the vote closes, the settler registered for that subject type runs inside the closing transaction,
so a vote is never closed without its outcome applied. The votes domain knows the subject types only by
the module that settles them (like `civic.jobs`): it never imports another domain's models.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import Session

if TYPE_CHECKING:
    from civic.votes.models import Vote
    from civic.votes.rules import Decision, OptionsDecision

Settler = Callable[[Session, "Vote", "Decision | OptionsDecision", datetime], None]

# Subject type → the module whose import registers its settler.
SUBJECT_MODULES = {"covenant_version": "civic.covenants.ratification"}
_SETTLERS: dict[str, Settler] = {}


def settles(subject_type: str) -> Callable[[Settler], Settler]:
    """Register `fn(session, vote, decision, now)` to apply the outcome of votes on `subject_type`."""
    def register(fn: Settler) -> Settler:
        _SETTLERS[subject_type] = fn
        return fn

    return register


def settle(session: Session, vote: Vote, decision: Decision | OptionsDecision, now: datetime) -> None:
    """Apply a closed vote's outcome to its subject, if it has one."""
    if vote.subject_type is None:
        return
    importlib.import_module(SUBJECT_MODULES[vote.subject_type])
    _SETTLERS[vote.subject_type](session, vote, decision, now)
