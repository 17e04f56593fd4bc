"""Pure contest rules: the phase at a moment, who may do what in which phase, the declared set-up's
checks, the pledge-cancel rule at the deadline, automatic conflicts and a score sheet's total.
No session, no request, no clock (DOMAIN-RULES §3)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from civic.contests.models import ContestStatus, Phase
from civic.schedule import (  # noqa: F401 (the boundary rules are used as rules.*)
    Permission,
    moved_past_boundary,
    permission,
    phase_dates_problem,
    refusal_in,
)

TITLE_MAX = 200
TEXT_MAX = 1000  # summary, beneficiaries, reasons
LONG_MAX = 20_000  # description, plan (Markdown)
COMMENT_MAX = 2000
UPDATE_MAX = 5000
MONEY_MAX_FEN = 100_000_000_00  # ¥100 million: anything above is a typing mistake
PLEDGE_MAX_FEN = 1_000_000_00  # ¥1,000,000 in one pledge
HOURS_MAX = 100_000
QUANTITY_MAX = 1_000_000
CRITERIA_MAX = 12
LEVELS_MAX = 11  # scores 0 … 10
LEVEL_SCORE_MAX = 10
WEIGHT_MAX = 100
# The last hours of backing, when a cancel may not take an entry below its goal (DOMAIN-RULES §3).
CANCEL_GUARD = timedelta(hours=24)

# ---- roles towards one contest (access.roles_of) ------------------------------------------------------
STAFF = "staff"  # staff of the contest's place or above, administrators
JUDGE = "judge"  # holds the judge role on this contest
TREASURER = "treasurer"  # holds the treasurer role on this contest: confirms money received
RESIDENT = "resident"  # signed in, with a current link to a unit under the contest's place
SIGNED_IN = "signed_in"  # any signed-in account
# Towards one entry (access.entry_roles adds them):
TEAM = "team"
BACKER = "backer"  # has a standing pledge on this entry


def phase_at(*, status: str, submission_opens_at: datetime, submission_closes_at: datetime,
             backing_opens_at: datetime, backing_closes_at: datetime, judging_closes_at: datetime,
             now: datetime) -> Phase:
    """The phase a contest is in at `now`; every boundary belongs to the phase it opens."""
    if status == ContestStatus.draft:
        return Phase.draft
    for boundary, phase in ((submission_opens_at, Phase.upcoming), (submission_closes_at, Phase.submission),
                            (backing_opens_at, Phase.screening), (backing_closes_at, Phase.backing),
                            (judging_closes_at, Phase.judging)):
        if now < boundary:
            return phase
    return Phase.results


def contest_phase(contest, now: datetime) -> Phase:
    """`phase_at` for a Contest row (or anything with the same attributes)."""
    return phase_at(status=contest.status, submission_opens_at=contest.submission_opens_at,
                    submission_closes_at=contest.submission_closes_at, backing_opens_at=contest.backing_opens_at,
                    backing_closes_at=contest.backing_closes_at, judging_closes_at=contest.judging_closes_at,
                    now=now)


PHASE_ORDER = (Phase.draft, Phase.upcoming, Phase.submission, Phase.screening, Phase.backing, Phase.judging,
               Phase.results)
BEFORE_JUDGING = frozenset(PHASE_ORDER[:PHASE_ORDER.index(Phase.judging)])
PUBLIC_PHASES = frozenset(PHASE_ORDER[1:])
EVERY_PHASE = frozenset(PHASE_ORDER)


_p = permission


# Who may do what in which phase. The matrix test walks every action × role × phase.
PERMISSIONS: dict[str, Permission] = {
    # The set-up (rules, rubric, formula, matching, dates) is public before judging opens, frozen after.
    "edit_setup": _p(BEFORE_JUDGING, STAFF),
    "publish": _p({Phase.draft}, STAFF),
    "assign_judges": _p(EVERY_PHASE - {Phase.results}, STAFF),
    "see_draft": _p({Phase.draft}, STAFF),
    "create_entry": _p({Phase.submission}, RESIDENT),
    # A team changes, submits or withdraws its entry only until the submission deadline: then it is locked.
    "edit_entry": _p({Phase.submission}, TEAM),
    "screen": _p({Phase.screening}, STAFF),
    "pledge": _p({Phase.backing}, RESIDENT),
    "cancel_pledge": _p({Phase.backing}, BACKER),
    "post_update": _p({Phase.screening, Phase.backing, Phase.judging, Phase.results}, TEAM),
    "comment": _p({Phase.submission, Phase.screening, Phase.backing, Phase.judging, Phase.results}, SIGNED_IN),
    "moderate": _p(PUBLIC_PHASES, STAFF),
    # Conflicts may be declared as soon as the entries are known, and until the judge's last score.
    "declare_conflict": _p({Phase.screening, Phase.backing, Phase.judging}, JUDGE),
    "score": _p({Phase.judging}, JUDGE),
    # Money is confirmed once backing has closed and the entry kept its pledges.
    "confirm_money": _p({Phase.judging, Phase.results}, TREASURER, STAFF),
    "see_ledger": _p(PUBLIC_PHASES, TREASURER, STAFF),
    # While judging runs, staff see each judge's progress but no score; everyone sees scores after.
    "see_progress": _p({Phase.judging, Phase.results}, STAFF),
    "see_dashboard": _p({Phase.results}, STAFF),
}


def refusal(action: str, phase: str, roles: Iterable[str]) -> str | None:
    """Why `action` is refused: "role", "phase", or None when it is allowed (the role first)."""
    return refusal_in(PERMISSIONS, action, phase, roles)


def allowed(action: str, phase: str, roles: Iterable[str]) -> bool:
    return refusal(action, phase, roles) is None


# ---- the declared set-up -------------------------------------------------------------------------------



def weights_problem(jury_weight: int, support_weight: int) -> bool:
    return not (0 <= jury_weight <= 100 and 0 <= support_weight <= 100 and jury_weight + support_weight == 100)


# ---- pledges --------------------------------------------------------------------------------------------

def cancel_refused(*, now: datetime, backing_closes_at: datetime, standing: int, goal: int, amount: int) -> bool:
    """In the last 24 hours before the backing deadline a backer may not cancel a pledge when that would
    take the entry from at or above its goal to below it (money in fen, hours, or a material's quantity).
    Before those 24 hours, and for an entry already below its goal, the cancel stands."""
    in_last_day = backing_closes_at - CANCEL_GUARD <= now < backing_closes_at
    return in_last_day and goal > 0 and standing >= goal and standing - amount < goal


def reached_goal(money_goal_fen: int, standing_money_fen: int) -> bool:
    """All-or-nothing: an entry keeps its pledges when its standing money pledges reach its money goal
    (an entry asking for no money always does)."""
    return standing_money_fen >= money_goal_fen


# ---- judging ------------------------------------------------------------------------------------------

def automatic_conflict(*, judge_id: int, judge_household: int | None, team: Iterable[int],
                       team_households: Iterable[int | None]) -> str | None:
    """"team" when the judge is on the entry's team, "household" when the judge shares a household with
    a member of it, else None."""
    if judge_id in set(team):
        return "team"
    if judge_household is not None and judge_household in set(team_households):
        return "household"
    return None


def sheet_total(weights: Mapping[int, int], levels: Mapping[int, int]) -> tuple[int, bool]:
    """(Σ weight × level over the scored criteria, whether every criterion is scored)."""
    total = sum(weights[c] * level for c, level in levels.items() if c in weights)
    return total, set(weights) <= set(levels)


def judge_letters(judge_ids: Iterable[int]) -> dict[int, str]:
    """Judge A, B … Z, AA … for the public results, in the order of the given ids."""
    letters = {}
    for n, judge_id in enumerate(judge_ids):
        label, k = "", n
        while True:
            label = chr(ord("A") + k % 26) + label
            k = k // 26 - 1
            if k < 0:
                break
        letters[judge_id] = label
    return letters


# ---- money typed in yuan --------------------------------------------------------------------------------

def parse_yuan(text: str) -> int | None:
    """"1200", "1,200.5", "¥1200.50", "１２００" (full-width) → fen; None when it is not an amount of money
    with at most two decimals. Negative amounts are None too: no form here takes one."""
    cleaned = unicodedata.normalize("NFKC", text or "").strip().removeprefix("¥").removeprefix("￥")
    cleaned = cleaned.replace(",", "").replace(" ", "").removesuffix("元")
    match = re.fullmatch(r"(\d{1,12})(?:\.(\d{1,2}))?", cleaned)
    if match is None:
        return None
    return int(match.group(1)) * 100 + int((match.group(2) or "").ljust(2, "0"))


def yuan(fen: int) -> str:
    """Fen → "1,200.50" for pages (the ¥ sign is the template's)."""
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{part:02d}"
