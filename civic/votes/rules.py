"""The rule model (DOMAIN-RULES §1.3) as data, and the pure decision: valid? approved? why?

Everything is exact: thresholds are Fractions, areas Decimals; no float is ever compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction

from civic.errors import InvalidInput
from civic.i18n import N_


class Comparator(StrEnum):
    at_least = "≥"  # 以上 includes the boundary (Civil Code Art. 1259)
    more_than = ">"  # 过半数: strictly more than


class ApprovalBase(StrEnum):
    participants = "participants"  # everyone who took part, abstentions included (Art. 278)
    cast = "cast"  # yes + no only
    electorate = "electorate"  # everyone on the roll


@dataclass(frozen=True)
class Threshold:
    comparator: Comparator
    fraction: Fraction

    def met(self, part: Fraction | Decimal | int, whole: Fraction | Decimal | int) -> bool:
        """Compare part/whole with the threshold exactly; nothing is met against an empty whole."""
        if whole <= 0:
            return False
        share = Fraction(part) / Fraction(whole)
        return share >= self.fraction if self.comparator is Comparator.at_least else share > self.fraction

    def describe(self) -> str:
        return f"{self.comparator.value} {self.fraction.numerator}/{self.fraction.denominator}"


@dataclass(frozen=True)
class Rule:
    name: str
    participation_heads: Threshold | None
    participation_area: Threshold | None
    approval_heads: Threshold | None
    approval_area: Threshold | None
    approval_base: ApprovalBase

    @property
    def weighs_area(self) -> bool:
        return self.participation_area is not None or self.approval_area is not None


def _t(comparator: Comparator, numerator: int, denominator: int) -> Threshold:
    return Threshold(comparator, Fraction(numerator, denominator))


AT_LEAST, MORE_THAN = Comparator.at_least, Comparator.more_than
PRESETS: dict[str, Rule] = {
    "cn278-ordinary": Rule("cn278-ordinary", _t(AT_LEAST, 2, 3), _t(AT_LEAST, 2, 3),
                           _t(MORE_THAN, 1, 2), _t(MORE_THAN, 1, 2), ApprovalBase.participants),
    "cn278-major": Rule("cn278-major", _t(AT_LEAST, 2, 3), _t(AT_LEAST, 2, 3),
                        _t(AT_LEAST, 3, 4), _t(AT_LEAST, 3, 4), ApprovalBase.participants),
    "cn-residents-meeting": Rule("cn-residents-meeting", _t(MORE_THAN, 1, 2), None,
                                 _t(MORE_THAN, 1, 2), None, ApprovalBase.participants),
    "majority": Rule("majority", None, None, _t(MORE_THAN, 1, 2), None, ApprovalBase.cast),
    "two-thirds": Rule("two-thirds", None, None, _t(AT_LEAST, 2, 3), None, ApprovalBase.cast),
}


@dataclass(frozen=True)
class Measure:
    """Heads and area of one group of voter keys (area in m², exact)."""

    heads: int = 0
    area: Decimal = Decimal(0)

    def __add__(self, other: Measure) -> Measure:
        return Measure(self.heads + other.heads, self.area + other.area)


@dataclass(frozen=True)
class Counts:
    electorate: Measure
    yes: Measure
    no: Measure
    abstain: Measure

    @property
    def participation(self) -> Measure:
        return self.yes + self.no + self.abstain


@dataclass(frozen=True)
class Decision:
    rule: Rule
    counts: Counts
    quorum_met: bool
    approved: bool
    tie: bool
    explanation: tuple[str, ...]


def approval_denominator(rule: Rule, counts: Counts) -> Measure:
    if rule.approval_base is ApprovalBase.participants:
        return counts.participation
    if rule.approval_base is ApprovalBase.cast:
        return counts.yes + counts.no
    return counts.electorate


def decide(rule: Rule, counts: Counts) -> Decision:
    """Valid when participation is met; approved when valid and approval is met. A tie never approves."""
    part, elec = counts.participation, counts.electorate
    quorum = all((
        rule.participation_heads is None or rule.participation_heads.met(part.heads, elec.heads),
        rule.participation_area is None or rule.participation_area.met(part.area, elec.area),
    ))
    base = approval_denominator(rule, counts)
    approval = all((
        rule.approval_heads is None or rule.approval_heads.met(counts.yes.heads, base.heads),
        rule.approval_area is None or rule.approval_area.met(counts.yes.area, base.area),
    ))
    tie = counts.yes.heads == counts.no.heads and (not rule.approval_area or counts.yes.area == counts.no.area)
    approved = quorum and approval and not tie and counts.yes.heads > 0
    return Decision(rule, counts, quorum, approved, tie, tuple(explain(rule, counts, quorum, approved, tie)))


def percent(part: Decimal | int, whole: Decimal | int) -> str:
    if not whole:
        return "0.0%"
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value}%"


def area_text(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,} m²"


def explain(rule: Rule, counts: Counts, quorum: bool, approved: bool, tie: bool) -> list[str]:
    """The result in words with the exact figures (DOMAIN-RULES §1.3)."""
    who = "owners" if rule.weighs_area else "voters"
    part, elec = counts.participation, counts.electorate
    sentences = []
    if rule.participation_heads is None and rule.participation_area is None:
        sentences.append(f"Valid: this rule has no participation threshold; {part.heads} of {elec.heads} {who} took part.")
    else:
        clause = f"{part.heads} of {elec.heads} {who} ({percent(part.heads, elec.heads)}"
        clause += f", needs {rule.participation_heads.describe()})" if rule.participation_heads else ")"
        if rule.participation_area is not None:
            clause += (f" holding {area_text(part.area)[:-3]} of {area_text(elec.area)} "
                       f"({percent(part.area, elec.area)}, needs {rule.participation_area.describe()})")
        sentences.append(f"{'Valid' if quorum else 'Not valid'}: {clause} took part.")
    if not quorum:
        sentences.append("Not approved: without a valid participation the result cannot approve anything.")
        return sentences
    base = approval_denominator(rule, counts)
    base_who = {ApprovalBase.participants: f"participating {who}", ApprovalBase.cast: f"{who} who voted yes or no",
                ApprovalBase.electorate: f"{who} on the roll"}[rule.approval_base]
    clause = f"{counts.yes.heads} of {base.heads} {base_who}"
    if rule.approval_heads is not None:
        clause += f" ({percent(counts.yes.heads, base.heads)}, needs {rule.approval_heads.describe()})"
    if rule.approval_area is not None:
        clause += (f" holding {area_text(counts.yes.area)[:-3]} of {area_text(base.area)} "
                   f"({percent(counts.yes.area, base.area)}, needs {rule.approval_area.describe()})")
    verdict = "Approved" if approved else "Not approved"
    sentences.append(f"{verdict}: {clause} voted yes.")
    if counts.abstain.heads and rule.approval_base is ApprovalBase.participants:
        sentences.append(f"{counts.abstain.heads} abstentions count as taking part and weigh like a no.")
    if tie and not approved:
        sentences.append("Yes and no are tied; a tie never approves.")
    return sentences


# Matters and the preset each is decided by (DOMAIN-RULES §1.1–1.2). Art. 278 items 6–8 are "major".
MATTERS: dict[str, str] = {
    "cn278-1-assembly-rules": "cn278-ordinary",
    "cn278-2-management-covenant": "cn278-ordinary",
    "cn278-3-owners-committee": "cn278-ordinary",
    "cn278-4-property-manager": "cn278-ordinary",
    "cn278-5-use-maintenance-fund": "cn278-ordinary",
    "cn278-6-raise-maintenance-fund": "cn278-major",
    "cn278-7-rebuild": "cn278-major",
    "cn278-8-change-common-use": "cn278-major",
    "cn278-9-other-major": "cn278-ordinary",
    "residents-convention": "cn-residents-meeting",
    "residents-matter": "cn-residents-meeting",
    "poll": "majority",
}
YES_NO_CHOICES = ("yes", "no", "abstain")
TITLE_MAX = 200


def validate_new_vote(*, title: str, matter: str, kind: str, opens_at, closes_at, now) -> str:
    """Check a new vote's fields; return the preset its matter is decided by."""
    if not title.strip():
        raise InvalidInput(N_("Give the vote a title."), field="title")
    if len(title.strip()) > TITLE_MAX:
        raise InvalidInput(N_("The title is too long (at most %(max)d characters)."), field="title", max=TITLE_MAX)
    if matter not in MATTERS:
        raise InvalidInput(N_("Choose what kind of matter this vote decides."), field="matter")
    if kind != "yes_no":
        raise InvalidInput(N_("Only yes / no / abstain votes can be opened for now."), field="kind")
    if closes_at <= opens_at:
        raise InvalidInput(N_("The vote must close after it opens."), field="closes_at")
    if closes_at <= now:
        raise InvalidInput(N_("The closing time has already passed."), field="closes_at")
    return MATTERS[matter]


def check_choice(choice: str) -> None:
    """A ballot's choice must be one the vote offers."""
    if choice not in YES_NO_CHOICES:
        raise InvalidInput(N_("Choose yes, no or abstain."), field="choice")


def decision_dict(decision: Decision) -> dict:
    """The published result (the same shape as `civic tally --json`)."""
    def measure(m: Measure) -> dict:
        return {"heads": m.heads, "area": str(m.area)}

    c = decision.counts
    return {"rule": decision.rule.name, "electorate": measure(c.electorate), "participation": measure(c.participation),
            "yes": measure(c.yes), "no": measure(c.no), "abstain": measure(c.abstain),
            "quorum_met": decision.quorum_met, "approved": decision.approved,
            "explanation": list(decision.explanation)}
