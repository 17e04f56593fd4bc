"""Ranking a contest's entries from the judges' scores (`civic rank`, DOMAIN-RULES §3), and the
combined ranking of jury and public support that the platform publishes. Pure: no database, no clock.

All arithmetic is `Decimal` in a local context of 50 significant digits (square roots by
`Decimal.sqrt`, correctly rounded), so the same scores give the same numbers on every machine.

Entry ids are strings and sort as strings, except when every id being sorted is all ASCII digits: then
they sort as numbers ("9" before "10"), which is what a reader of a CSV export numbered by the
platform expects. That rule (`id_order`) also breaks ties in `civic match`.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from pathlib import Path
from typing import Any

from civic.errors import FileInputError, InvalidInput
from civic.i18n import N_

CTX = Context(prec=50)
NORMALIZE = ("zscore", "none")
TIE_RULES = ("jury", "support")
ZERO = Decimal(0)
# Scores are compared after rounding to 12 decimal places: two entries whose exact scores are equal
# (e.g. mirror images under z-scores) may differ in the 50th digit after division and square roots, and
# such noise must never decide who ranks first; the declared tie-breakers do.
TIE_PLACES = Decimal("1e-12")


class DuplicateScore(InvalidInput):
    """One judge scored one entry twice."""


def id_order(ids: Iterable[str]) -> Callable[[str], tuple]:
    """A sort key for these entry ids: numeric when every id is all ASCII digits, else the string."""
    if all(i.isascii() and i.isdigit() for i in ids):
        return lambda i: (int(i), i)  # "007" and "7" are different ids: the string keeps them apart
    return lambda i: (0, i)


def _q(value: Decimal) -> Decimal:
    return Decimal(value).quantize(TIE_PLACES, context=CTX)


def as_text(value: Decimal, places: int = 6) -> str:
    """A decimal rounded half-up to `places` as plain text, never "-0.000000"."""
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=CTX)
    return f"{(rounded if rounded else abs(rounded)):f}"


def _mean_sd(values: Sequence[Decimal]) -> tuple[Decimal, Decimal]:
    """Mean and population standard deviation, in CTX."""
    with localcontext(CTX):
        mean = sum(values, ZERO) / len(values)
        return mean, (sum(((v - mean) ** 2 for v in values), ZERO) / len(values)).sqrt()


def _order(items: list, keys: Sequence[tuple[str, Callable[[Any], Any]]]) -> list[tuple[Any, str | None]]:
    """Sort by the keys in turn; for each item tied with the one above it on the first key, the name
    of the key that separated them (None when the first key already did)."""
    ordered = sorted(items, key=lambda item: tuple(k(item) for _, k in keys))
    out: list[tuple[Any, str | None]] = []
    for above, item in zip([None, *ordered], ordered, strict=False):
        broken_by = None
        if above is not None and keys[0][1](above) == keys[0][1](item):
            broken_by = next((name for name, k in keys[1:] if k(above) != k(item)), keys[-1][0])
        out.append((item, broken_by))
    return out


@dataclass(frozen=True)
class JudgeStats:
    mean: Decimal
    sd: Decimal  # population standard deviation over the entries this judge scored
    n: int


@dataclass(frozen=True)
class RankedEntry:
    entry_id: str
    rank: int
    score: Decimal  # mean z (zscore) or mean raw score (none)
    raw_mean: Decimal
    judges: int
    advances: bool
    tie_broken_by: str | None = None  # "raw_mean" or "entry_id" when the score tied with the entry above


@dataclass(frozen=True)
class Ranking:
    normalize: str
    entries: list[RankedEntry]
    per_judge: dict[str, JudgeStats]
    # (judge_id, entry_id) → z, filled under either normalisation (the spread between judges uses it).
    z: dict[tuple[str, str], Decimal]


def rank(scores: Iterable[tuple[str, str, Decimal]], normalize: str = "zscore", advance: int = 0) -> Ranking:
    """Rank entries from (judge_id, entry_id, score) rows exactly as DOMAIN-RULES §3 says."""
    if normalize not in NORMALIZE:
        raise InvalidInput(N_("unknown normalisation %(name)s (zscore or none)"), field="normalize",
                           name=normalize)
    if advance < 0:
        raise InvalidInput(N_("the number advancing must be 0 or more"), field="advance")
    by_judge: dict[str, dict[str, Decimal]] = {}
    for judge, entry, score in scores:
        sheet = by_judge.setdefault(judge, {})
        if entry in sheet:
            raise DuplicateScore(N_("judge %(judge)s scored entry %(entry)s twice"), judge=judge, entry=entry)
        sheet[entry] = Decimal(str(score)) if isinstance(score, float) else Decimal(score)
        if not sheet[entry].is_finite():
            raise InvalidInput(N_("a score must be a finite number"), field="score")
    per_judge: dict[str, JudgeStats] = {}
    z: dict[tuple[str, str], Decimal] = {}
    raws: dict[str, list[Decimal]] = {}
    zs: dict[str, list[Decimal]] = {}
    with localcontext(CTX):
        for judge, sheet in by_judge.items():
            mean, sd = _mean_sd(list(sheet.values()))
            per_judge[judge] = JudgeStats(mean, sd, len(sheet))
            for entry, score in sheet.items():
                # A judge who gave every entry the same score says nothing about their order: z = 0.
                z[judge, entry] = (score - mean) / sd if sd else ZERO
                raws.setdefault(entry, []).append(score)
                zs.setdefault(entry, []).append(z[judge, entry])
        raw_mean = {e: sum(v, ZERO) / len(v) for e, v in raws.items()}
        score_of = raw_mean if normalize == "none" else {e: sum(v, ZERO) / len(v) for e, v in zs.items()}
    idkey = id_order(raws)
    ordered = _order(list(raws), [("score", lambda e: -_q(score_of[e])), ("raw_mean", lambda e: -_q(raw_mean[e])),
                                  ("entry_id", idkey)])
    entries = [RankedEntry(e, n, score_of[e], raw_mean[e], len(raws[e]), n <= advance, broken_by)
               for n, (e, broken_by) in enumerate(ordered, start=1)]
    return Ranking(normalize, entries, per_judge, z)


def ranking_json(r: Ranking) -> dict:
    """The `civic rank --json` object: entries in rank order, scores as strings with 6 decimals."""
    return {"normalize": r.normalize, "entries": [
        {"entry_id": e.entry_id, "rank": e.rank, "score": as_text(e.score), "raw_mean": as_text(e.raw_mean),
         "judges": e.judges, "advances": e.advances} for e in r.entries]}


def read_rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, the required columns' stripped values); blank lines are skipped and a
    missing column is reported against the header line."""
    with path.open(newline="", encoding="utf-8-sig") as fp:
        reader = csv.reader(fp)
        try:
            header = [name.strip() for name in next(reader, [])]
            missing = [c for c in required if c not in header]
            if missing:
                raise FileInputError(str(path), 1, f"missing column {', '.join(missing)}")
            columns = [header.index(c) for c in required]
            for row in reader:
                if row:
                    yield reader.line_num, [row[i].strip() if i < len(row) else "" for i in columns]
        # A file that is not CSV in UTF-8 is bad input too: one line and exit 2, not a traceback.
        except UnicodeDecodeError:
            raise FileInputError(str(path), None, "not UTF-8 text") from None
        except csv.Error as exc:
            raise FileInputError(str(path), reader.line_num, f"not valid CSV ({exc})") from None


def parse_decimal(text: str) -> Decimal | None:
    """The finite decimal written in `text`, or None."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() and "_" not in text else None


def read_scores(path: str | Path) -> list[tuple[str, str, Decimal]]:
    """Read `judge_id,entry_id,score`; the first bad row raises FileInputError naming its line."""
    path = Path(path)
    rows: list[tuple[str, str, Decimal]] = []
    first_line: dict[tuple[str, str], int] = {}
    for line, (judge, entry, text) in read_rows(path, ("judge_id", "entry_id", "score")):
        if not judge or not entry:
            raise FileInputError(str(path), line, f"{'judge_id' if not judge else 'entry_id'} is empty")
        score = parse_decimal(text)
        if score is None:
            raise FileInputError(str(path), line, f"score {text!r} is not a decimal number")
        if (judge, entry) in first_line:
            raise FileInputError(str(path), line, f"judge {judge} scored entry {entry} twice "
                                                  f"(first on line {first_line[judge, entry]})")
        first_line[judge, entry] = line
        rows.append((judge, entry, score))
    return rows


@dataclass(frozen=True)
class CombinedEntry:
    entry_id: str
    rank: int
    jury_score: Decimal
    raw_mean: Decimal
    support: int  # distinct backers
    support_z: Decimal
    combined: Decimal
    advances: bool
    wins: bool
    tie_broken_by: str | None = None  # "jury_score", "support", "raw_mean" or "entry_id"


@dataclass(frozen=True)
class Combined:
    jury_weight: int
    support_weight: int
    tie_rule: str
    support_mean: Decimal
    support_sd: Decimal
    entries: list[CombinedEntry]


def combine(jury: Mapping[str, Decimal], raw_means: Mapping[str, Decimal], support: Mapping[str, int], *,
            jury_weight: int, support_weight: int, tie_rule: str = "jury", advance: int = 0,
            wins: int = 0) -> Combined:
    """The contest's combined ranking of the entries in `jury` (their jury scores from `rank`)."""
    if not (0 <= jury_weight <= 100 and 0 <= support_weight <= 100 and jury_weight + support_weight == 100):
        raise InvalidInput(N_("the jury and support weights must be percentages adding up to 100"),
                           field="jury_weight")
    if tie_rule not in TIE_RULES:
        raise InvalidInput(N_("unknown tie rule %(name)s (jury or support)"), field="tie_rule", name=tie_rule)
    if advance < 0 or wins < 0:
        raise InvalidInput(N_("the number advancing must be 0 or more"), field="advance")
    ids = list(jury)
    backers = {e: int(support.get(e, 0)) for e in ids}
    mean, sd = _mean_sd([Decimal(backers[e]) for e in ids]) if ids else (ZERO, ZERO)
    with localcontext(CTX):
        # Support in z-units across the ranked entries, so that it weighs like the jury's z-scores.
        support_z = {e: (backers[e] - mean) / sd if sd else ZERO for e in ids}
        combined = {e: (jury_weight * jury[e] + support_weight * support_z[e]) / 100 for e in ids}
    by_jury = ("jury_score", lambda e: -_q(jury[e]))
    by_support = ("support", lambda e: -backers[e])
    keys = [("combined", lambda e: -_q(combined[e])),
            *((by_jury, by_support) if tie_rule == "jury" else (by_support, by_jury)),
            ("raw_mean", lambda e: -_q(raw_means[e])), ("entry_id", id_order(ids))]
    entries = [CombinedEntry(e, n, jury[e], raw_means[e], backers[e], support_z[e], combined[e], n <= advance,
                             n <= wins, broken_by)
               for n, (e, broken_by) in enumerate(_order(ids, keys), start=1)]
    return Combined(jury_weight, support_weight, tie_rule, mean, sd, entries)
