"""The contest set-up forms as typed: yuan, Wuhan times, counts and the rubric's criteria and levels →
the typed values civic.contests.setup checks. Every problem is collected, so the form shows them all."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta

from civic.contests import rules
from civic.contests.models import Contest, MatchingMethod, Normalize, TieRule
from civic.contests.setup import DATE_FIELDS, ContestSetup, CriterionInput
from civic.errors import DomainError, InvalidInput
from civic.i18n import DISPLAY_TIMEZONE, N_
from civic.web.deps import form_text
from civic.web.local_time import input_value, parse_local

DATE_MESSAGES = {  # field → (msgid when empty, msgid when unreadable)
    "submission_opens_at": (N_("Give the time submissions open."),
                            N_("Enter when submissions open as a date and a time in Wuhan time, e.g. %(example)s.")),
    "submission_closes_at": (N_("Give the submission deadline."),
                             N_("Enter the submission deadline as a date and a time in Wuhan time, e.g. %(example)s.")),
    "backing_opens_at": (N_("Give the time public backing opens."),
                         N_("Enter when backing opens as a date and a time in Wuhan time, e.g. %(example)s.")),
    "backing_closes_at": (N_("Give the backing deadline."),
                          N_("Enter the backing deadline as a date and a time in Wuhan time, e.g. %(example)s.")),
    "judging_closes_at": (N_("Give the time judging closes."),
                          N_("Enter when judging closes as a date and a time in Wuhan time, e.g. %(example)s.")),
}
TEXT_FIELDS = ("title", "description", "place", "prize_pool", "advance_count", "winner_count", "normalize",
               "jury_weight", "tie_rule", "matching_method", "matching_cap_percent", *DATE_FIELDS)
BLANK_CRITERIA = 2  # empty criterion blocks the rubric form offers: save to get more
_LEVEL = re.compile(r"\s*(\d{1,2})\s*[=:.、,，-]\s*(.+)")


def setup_values(form) -> dict[str, str]:
    return {name: form_text(form, name, max_length=rules.LONG_MAX if name == "description" else rules.TITLE_MAX)
            for name in TEXT_FIELDS}


def default_values(now: datetime) -> dict[str, str]:
    """A new contest's form: submissions from tomorrow 09:00 Wuhan time for four weeks, a week of screening,
    three weeks of backing, two of judging; the seed's counts and pool; z-scores and quadratic matching."""
    start = (now.astimezone(DISPLAY_TIMEZONE) + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    offsets = (0, 28, 35, 56, 70)
    values = {name: input_value(start + timedelta(days=days)) for name, days in zip(DATE_FIELDS, offsets, strict=True)}
    return {**values, "title": "", "description": "", "place": "", "prize_pool": "100000", "advance_count": "20",
            "winner_count": "5", "normalize": Normalize.zscore, "jury_weight": "70", "tie_rule": TieRule.jury,
            "matching_method": MatchingMethod.quadratic, "matching_cap_percent": "10"}


def contest_values(contest: Contest) -> dict[str, str]:
    """An existing contest's set-up as the form shows it."""
    values = {name: input_value(getattr(contest, name)) for name in DATE_FIELDS}
    cap = contest.matching_cap_percent
    return {**values, "title": contest.title, "description": contest.description, "place": str(contest.place_id),
            "prize_pool": rules.yuan(contest.prize_pool_fen).replace(",", ""),
            "advance_count": str(contest.advance_count), "winner_count": str(contest.winner_count),
            "normalize": contest.normalize, "jury_weight": str(contest.jury_weight), "tie_rule": contest.tie_rule,
            "matching_method": contest.matching_method, "matching_cap_percent": "" if cap is None else str(cap)}


def _whole(text: str) -> int | None:
    text = unicodedata.normalize("NFKC", text).strip()
    return int(text) if re.fullmatch(r"\d{1,6}", text) else None


def parse_setup(values: dict[str, str], problems: list[DomainError]) -> ContestSetup | None:
    """The typed set-up, or None with every unreadable field in `problems`."""
    typed: dict = {"title": values["title"], "description": values["description"], "normalize": values["normalize"],
                   "tie_rule": values["tie_rule"], "matching_method": values["matching_method"]}
    pool = rules.parse_yuan(values["prize_pool"])
    if pool is None:
        problems.append(InvalidInput(N_("Enter the prize pool in yuan, e.g. 100000."), field="prize_pool"))
    typed["prize_pool_fen"] = pool
    for name, message in (("advance_count", N_("Enter how many entries advance: a whole number from 1 to 1000.")),
                          ("winner_count", N_("Enter how many entries win: a whole number.")),
                          ("jury_weight", N_("Enter the weight of the jury score: a whole number from 0 to 100."))):
        typed[name] = _whole(values[name])
        if typed[name] is None:
            problems.append(InvalidInput(message, field=name))
    if typed["jury_weight"] is not None:
        typed["support_weight"] = 100 - typed["jury_weight"]
    cap = values["matching_cap_percent"].strip()
    typed["matching_cap_percent"] = _whole(cap) if cap else None
    if cap and typed["matching_cap_percent"] is None:
        problems.append(InvalidInput(N_("The cap is a share of the pool from 1 to 100 per cent, or empty for none."),
                                     field="matching_cap_percent"))
    for name, (missing, invalid) in DATE_MESSAGES.items():
        try:
            typed[name] = parse_local(values[name], field=name, missing=missing, invalid=invalid)
        except InvalidInput as exc:
            problems.append(exc)
    return None if problems else ContestSetup(**typed)


# ---- the rubric ------------------------------------------------------------------------------------------

def rubric_values(form) -> list[dict[str, str]]:
    """The criterion blocks as typed: criterion-N-name, -weight, -description, -levels (N from 0)."""
    blocks = []
    for n in range(rules.CRITERIA_MAX + BLANK_CRITERIA):
        block = {key: form_text(form, f"criterion-{n}-{key}", max_length=6000 if key == "levels" else 1000)
                 for key in ("name", "weight", "description", "levels")}
        if any(block.values()):
            blocks.append(block)
    return blocks


def levels_text(levels) -> str:
    """Levels (highest first) as the form's text: one "score = description" per line."""
    return "\n".join(f"{level.score} = {level.description}" for level in levels)


def parse_rubric(blocks: list[dict[str, str]], problems: list[DomainError]) -> list[CriterionInput]:
    """Blocks with a name or levels are criteria; one without either (a blank block) is skipped."""
    criteria = []
    for n, block in enumerate(blocks, start=1):
        if not block["name"] and not block["levels"]:
            continue
        weight = _whole(block["weight"])
        if weight is None:
            problems.append(InvalidInput(N_("The weight of criterion %(n)s must be a whole number from 1 to 100."),
                                         field="rubric", n=n))
            continue
        levels = []
        for line in block["levels"].splitlines():
            if not line.strip():
                continue
            match = _LEVEL.fullmatch(unicodedata.normalize("NFKC", line))
            if match is None:
                problems.append(InvalidInput(N_("Criterion %(n)s: write each level as “score = description”, "
                                                "e.g. “5 = Clear benefit to many neighbours”."), field="rubric", n=n))
                break
            levels.append((int(match.group(1)), match.group(2).strip()))
        criteria.append(CriterionInput(name=block["name"], weight=weight, description=block["description"],
                                       levels=levels))
    return criteria
