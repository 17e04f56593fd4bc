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
class Sentence:
    """One sentence of a result in words: a msgid and its figures, so the certificate can be shown in the
    reader's language while `civic tally` and result.json keep the English text."""

    msgid: str
    params: tuple[tuple[str, str], ...] = ()

    # Parameters that are themselves msgids (a verdict, a noun phrase) and must be translated too.
    TRANSLATED = frozenset({"verdict", "who", "base_who"})

    def render(self, gettext=lambda text: text) -> str:
        values = {k: gettext(v) if k in self.TRANSLATED else v for k, v in self.params}
        return gettext(self.msgid) % values if values else gettext(self.msgid)

    def as_list(self) -> list:
        return [self.msgid, dict(self.params)]

    @classmethod
    def from_list(cls, item: list) -> Sentence:
        return cls(item[0], tuple(sorted(item[1].items())))


def _sentence(msgid: str, **params: object) -> Sentence:
    return Sentence(msgid, tuple(sorted((k, str(v)) for k, v in params.items())))


@dataclass(frozen=True)
class Decision:
    rule: Rule
    counts: Counts
    quorum_met: bool
    approved: bool
    tie: bool
    sentences: tuple[Sentence, ...]

    @property
    def explanation(self) -> tuple[str, ...]:
        return tuple(s.render() for s in self.sentences)


def approval_denominator(rule: Rule, counts: Counts) -> Measure:
    if rule.approval_base is ApprovalBase.participants:
        return counts.participation
    if rule.approval_base is ApprovalBase.cast:
        return counts.yes + counts.no
    return counts.electorate


def participation_met(rule: Rule, counts: Counts) -> bool:
    part, elec = counts.participation, counts.electorate
    return all((
        rule.participation_heads is None or rule.participation_heads.met(part.heads, elec.heads),
        rule.participation_area is None or rule.participation_area.met(part.area, elec.area),
    ))


def approval_met(rule: Rule, counts: Counts) -> bool:
    base = approval_denominator(rule, counts)
    return all((
        rule.approval_heads is None or rule.approval_heads.met(counts.yes.heads, base.heads),
        rule.approval_area is None or rule.approval_area.met(counts.yes.area, base.area),
    ))


def decide(rule: Rule, counts: Counts) -> Decision:
    """Valid when participation is met; approved when valid and approval is met. A tie never approves."""
    quorum = participation_met(rule, counts)
    tie = counts.yes.heads == counts.no.heads and (not rule.approval_area or counts.yes.area == counts.no.area)
    approved = quorum and approval_met(rule, counts) and not tie and counts.yes.heads > 0
    return Decision(rule, counts, quorum, approved, tie, tuple(explain(rule, counts, quorum, approved, tie)))


def percent(part: Decimal | int, whole: Decimal | int) -> str:
    if not whole:
        return "0.0%"
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value}%"


def area_number(value: Decimal) -> str:
    """7912.4 → "7,912.40" (m², two decimals)."""
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


# Noun phrases for who is counted; each is a msgid of its own so translations need not be assembled.
WHO = {True: N_("owners"), False: N_("voters")}
BASE_WHO = {
    (ApprovalBase.participants, True): N_("participating owners"),
    (ApprovalBase.participants, False): N_("participating voters"),
    (ApprovalBase.cast, True): N_("owners who voted yes or no"),
    (ApprovalBase.cast, False): N_("voters who voted yes or no"),
    (ApprovalBase.electorate, True): N_("owners on the roll"),
    (ApprovalBase.electorate, False): N_("voters on the roll"),
}


def participation_sentence(rule: Rule, counts: Counts, quorum: bool) -> Sentence:
    part, elec = counts.participation, counts.electorate
    who = WHO[rule.weighs_area]
    if rule.participation_heads is None and rule.participation_area is None:
        return _sentence(N_("Valid: this rule has no participation threshold; %(heads)s of %(total)s %(who)s took part."),
                         heads=part.heads, total=elec.heads, who=who)
    verdict = N_("Valid") if quorum else N_("Not valid")
    heads = dict(verdict=verdict, heads=part.heads, total=elec.heads, who=who, pct=percent(part.heads, elec.heads),
                 needs=rule.participation_heads.describe() if rule.participation_heads else "—")
    if rule.participation_area is None:
        return _sentence(N_("%(verdict)s: %(heads)s of %(total)s %(who)s (%(pct)s, needs %(needs)s) took part."), **heads)
    return _sentence(N_("%(verdict)s: %(heads)s of %(total)s %(who)s (%(pct)s, needs %(needs)s) holding %(area)s "
                        "of %(area_total)s m² (%(area_pct)s, needs %(area_needs)s) took part."),
                     **heads, area=area_number(part.area), area_total=area_number(elec.area),
                     area_pct=percent(part.area, elec.area), area_needs=rule.participation_area.describe())


def support_sentence(rule: Rule, counts: Counts, msgid_heads: str, msgid_area: str, **extra: object) -> Sentence:
    """How much of the approval base chose yes (or one option) against the approval thresholds."""
    base = approval_denominator(rule, counts)
    fields = dict(extra, heads=counts.yes.heads, base=base.heads, base_who=BASE_WHO[rule.approval_base, rule.weighs_area],
                  pct=percent(counts.yes.heads, base.heads),
                  needs=rule.approval_heads.describe() if rule.approval_heads else "—")
    if rule.approval_area is None:
        return _sentence(msgid_heads, **fields)
    return _sentence(msgid_area, **fields, area=area_number(counts.yes.area), area_base=area_number(base.area),
                     area_pct=percent(counts.yes.area, base.area), area_needs=rule.approval_area.describe())


def explain(rule: Rule, counts: Counts, quorum: bool, approved: bool, tie: bool) -> list[Sentence]:
    """The result in words with the exact figures (DOMAIN-RULES §1.3)."""
    sentences = [participation_sentence(rule, counts, quorum)]
    if not quorum:
        sentences.append(_sentence(N_("Not approved: without a valid participation the result cannot approve anything.")))
        return sentences
    sentences.append(support_sentence(
        rule, counts,
        N_("%(verdict)s: %(heads)s of %(base)s %(base_who)s (%(pct)s, needs %(needs)s) voted yes."),
        N_("%(verdict)s: %(heads)s of %(base)s %(base_who)s (%(pct)s, needs %(needs)s) holding %(area)s of "
           "%(area_base)s m² (%(area_pct)s, needs %(area_needs)s) voted yes."),
        verdict=N_("Approved") if approved else N_("Not approved")))
    if counts.abstain.heads and rule.approval_base is ApprovalBase.participants:
        sentences.append(_sentence(N_("1 abstention counts as taking part and weighs like a no.")
                                   if counts.abstain.heads == 1 else
                                   N_("%(num)s abstentions count as taking part and weigh like a no."),
                                   num=counts.abstain.heads))
    if tie and not approved:
        sentences.append(_sentence(N_("Yes and no are tied; a tie never approves.")))
    return sentences


@dataclass(frozen=True)
class OptionsDecision:
    """One of N options: an option wins only if, counted as "yes" against every other choice, it meets
    the approval rule; if none (or, under a rule below one half, more than one) does, nothing is decided."""

    rule: Rule
    electorate: Measure
    options: tuple[tuple[str, str, Measure], ...]  # (choice, label, measure) in ballot order
    abstain: Measure
    quorum_met: bool
    winner: str | None
    sentences: tuple[Sentence, ...]

    @property
    def approved(self) -> bool:
        return self.winner is not None

    @property
    def participation(self) -> Measure:
        total = self.abstain
        for _choice, _label, measure in self.options:
            total = total + measure
        return total

    @property
    def explanation(self) -> tuple[str, ...]:
        return tuple(s.render() for s in self.sentences)


def option_counts(electorate: Measure, options: list[tuple[str, str, Measure]], abstain: Measure,
                  choice: str) -> Counts:
    """The vote seen from one option: its ballots are the yes, every other option's the no."""
    no = Measure()
    for other, _label, measure in options:
        if other != choice:
            no = no + measure
    return Counts(electorate, dict((c, m) for c, _l, m in options)[choice], no, abstain)


def decide_options(rule: Rule, electorate: Measure, options: list[tuple[str, str, Measure]],
                   abstain: Measure) -> OptionsDecision:
    everyone = option_counts(electorate, options, abstain, options[0][0])
    quorum = participation_met(rule, everyone)
    sentences = [participation_sentence(rule, everyone, quorum)]
    meeting = []
    for choice, label, _measure in options:
        seen = option_counts(electorate, options, abstain, choice)
        sentences.append(support_sentence(
            rule, seen,
            N_("%(label)s: %(heads)s of %(base)s %(base_who)s (%(pct)s, needs %(needs)s) chose it."),
            N_("%(label)s: %(heads)s of %(base)s %(base_who)s (%(pct)s, needs %(needs)s) holding %(area)s of "
               "%(area_base)s m² (%(area_pct)s, needs %(area_needs)s) chose it."), label=label))
        if seen.yes.heads and approval_met(rule, seen):
            meeting.append((choice, label))
    winner = meeting[0] if quorum and len(meeting) == 1 else None
    if not quorum:
        sentences.append(_sentence(N_("No decision: without a valid participation no option can win.")))
    elif winner:
        sentences.append(_sentence(N_("Decided: %(label)s meets the approval rule."), label=winner[1]))
    elif meeting:
        sentences.append(_sentence(N_("No decision: more than one option meets the approval rule.")))
    else:
        sentences.append(_sentence(N_("No decision: no option meets the approval rule.")))
    return OptionsDecision(rule, electorate, tuple(options), abstain, quorum, winner[0] if winner else None,
                           tuple(sentences))


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
OPTION_LABEL_MAX = 200
OPTIONS_MIN, OPTIONS_MAX = 2, 10
KINDS = ("yes_no", "options")


def validate_new_vote(*, title: str, matter: str, kind: str, opens_at, closes_at, now,
                      options: list[str] | tuple[str, ...] = ()) -> str:
    """Check a new vote's fields; return the preset its matter is decided by."""
    if not title.strip():
        raise InvalidInput(N_("Give the vote a title."), field="title")
    if len(title.strip()) > TITLE_MAX:
        raise InvalidInput(N_("The title is too long (at most %(max)d characters)."), field="title", max=TITLE_MAX)
    if matter not in MATTERS:
        raise InvalidInput(N_("Choose what kind of matter this vote decides."), field="matter")
    if kind not in KINDS:
        raise InvalidInput(N_("Choose yes / no / abstain, or one of several options."), field="kind")
    if kind == "options":
        check_option_labels(options)
    if closes_at <= opens_at:
        raise InvalidInput(N_("The vote must close after it opens."), field="closes_at")
    if closes_at <= now:
        raise InvalidInput(N_("The closing time has already passed."), field="closes_at")
    return MATTERS[matter]


def check_option_labels(options: list[str] | tuple[str, ...]) -> None:
    labels = [o.strip() for o in options]
    if not OPTIONS_MIN <= len(labels) <= OPTIONS_MAX:
        raise InvalidInput(N_("Give between %(min)d and %(max)d options, one per line."), field="options",
                           min=OPTIONS_MIN, max=OPTIONS_MAX)
    if any(not label for label in labels):
        raise InvalidInput(N_("An option is empty; give each option a name."), field="options")
    if any(len(label) > OPTION_LABEL_MAX for label in labels):
        raise InvalidInput(N_("An option is too long (at most %(max)d characters)."), field="options",
                           max=OPTION_LABEL_MAX)
    if len(set(labels)) != len(labels):
        raise InvalidInput(N_("Two options have the same name."), field="options")


def option_choice(position: int) -> str:
    """The ballot value of the option at this position (1-based): "option:2"."""
    return f"option:{position}"


def check_choice(choice: str, *, options: int = 0) -> None:
    """A ballot's choice must be one the vote offers: yes / no / abstain, or abstain or one of its options."""
    if options:
        if choice != "abstain" and choice not in {option_choice(i) for i in range(1, options + 1)}:
            raise InvalidInput(N_("Choose one of the options, or abstain."), field="choice")
    elif choice not in YES_NO_CHOICES:
        raise InvalidInput(N_("Choose yes, no or abstain."), field="choice")


def _measure(m: Measure) -> dict:
    return {"heads": m.heads, "area": str(m.area)}


def decision_dict(decision: Decision) -> dict:
    """The published result (the same shape as `civic tally --json`)."""
    c = decision.counts
    return {"rule": decision.rule.name, "electorate": _measure(c.electorate), "participation": _measure(c.participation),
            "yes": _measure(c.yes), "no": _measure(c.no), "abstain": _measure(c.abstain),
            "quorum_met": decision.quorum_met, "approved": decision.approved,
            "explanation": list(decision.explanation)}


def options_decision_dict(decision: OptionsDecision) -> dict:
    """The published result of a one-of-N vote: every option's support, and the winner if one met the rule."""
    return {"rule": decision.rule.name, "kind": "options", "electorate": _measure(decision.electorate),
            "participation": _measure(decision.participation),
            "options": [{"choice": c, "label": label, **_measure(m)} for c, label, m in decision.options],
            "abstain": _measure(decision.abstain), "quorum_met": decision.quorum_met,
            "approved": decision.approved, "winner": decision.winner, "explanation": list(decision.explanation)}
