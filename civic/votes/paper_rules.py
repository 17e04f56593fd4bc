"""Pure rules for staff work on a vote: reading typed paper-ballot lines, naming a voter by unit or key.

No session, no clock: the services in paper.py and proxies.py feed these the roll and the vote's options.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from civic.votes import rules as vote_rules

MAX_BATCH_LINES = 500  # one stack of paper a staff member can check against the screen in one sitting
NOTE_MAX = 500
REASON_MAX = 500
EVIDENCE_MAX = 500  # ProxyMandate.evidence

# The last comma (ASCII or the full-width one a Chinese input method types) or tab ends the voter part:
# unit labels contain spaces ("1栋 101"), never commas.
_SEPARATOR = re.compile(r"[,，\t]")

# What staff may type for a choice. The paper form says 同意 / 反对 / 弃权, so those count as written.
CHOICE_ALIASES = {
    "yes": "yes", "y": "yes", "同意": "yes", "赞成": "yes",
    "no": "no", "n": "no", "反对": "no", "不同意": "no",
    "abstain": "abstain", "a": "abstain", "弃权": "abstain",
}


class PaperLine(NamedTuple):
    """One typed line: who (unit label or voter key), the choice as written, and its line in the text."""

    who: str
    choice: str
    line: int = 0


def parse_lines(text: str) -> list[PaperLine]:
    """Split staff's text into lines of "unit or key, choice", keeping each line's number for messages.

    Never fails: a line without a separator becomes one with an empty choice, which the batch check
    reports with its line number alongside every other problem."""
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        cuts = list(_SEPARATOR.finditer(raw))
        if not cuts:
            lines.append(PaperLine(raw.strip(), "", number))
            continue
        cut = cuts[-1]
        lines.append(PaperLine(raw[:cut.start()].strip(), raw[cut.end():].strip(), number))
    return lines


def numbered(entries: Iterable[tuple[str, str] | PaperLine]) -> list[PaperLine]:
    """Entries as PaperLines: (who, choice) pairs are numbered 1, 2, …; parsed lines keep their numbers."""
    return [entry if isinstance(entry, PaperLine) and entry.line else PaperLine(entry[0], entry[1], index)
            for index, entry in enumerate(entries, start=1)]


def canonical_choice(written: str, *, options: int = 0) -> str:
    """The ballot value for a choice as staff typed it: an alias (同意, yes …) or, for a one-of-N vote,
    the option's number. Anything else is returned as typed, for check_choice to refuse."""
    value = written.strip().casefold()
    if options and value.isdigit():
        return vote_rules.option_choice(int(value))
    return CHOICE_ALIASES.get(value, written.strip())


def label_key(text: str) -> str:
    """How labels are compared: without any whitespace, case-folded ("1栋101" finds "1栋 101")."""
    return "".join(text.split()).casefold()


@dataclass(frozen=True)
class VoterIndex:
    """Find a voter key of a roll by the key itself or by the label of any of its units."""

    names: dict[str, frozenset[str]]

    @classmethod
    def of(cls, roll: Iterable[tuple[str, str]]) -> VoterIndex:
        """`roll`: (voter key, unit labels as RollEntry keeps them: "1栋 101, 1栋 102")."""
        names: dict[str, set[str]] = defaultdict(set)
        for key, labels in roll:
            names[label_key(key)].add(key)
            for label in labels.split(","):
                if label.strip():
                    names[label_key(label)].add(key)
        return cls({name: frozenset(keys) for name, keys in names.items()})

    def find(self, who: str) -> frozenset[str]:
        """Every key `who` names: none (not on the roll), one, or several (a label shared by several
        voters, as on a residents' roll where everyone in a unit is a voter)."""
        return self.names.get(label_key(who), frozenset())
