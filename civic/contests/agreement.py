"""How much the judges agree: Krippendorff's alpha (interval metric) over their scores, and the spread
of their z-scores per entry, which flags the entries a jury should talk about. Pure: no database.

Sums are exact (`Fraction`), so the figures do not depend on the order the ratings come in.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from decimal import Decimal
from fractions import Fraction
from math import sqrt

from civic.contests.ranking import id_order

# An entry whose judges' z-scores spread (population standard deviation) by a whole z-unit or more is
# flagged: the judges placed it a full standard deviation apart, which is worth a conversation.
DISAGREEMENT_FLAG = 1.0


def _squared_differences(values: list[Fraction]) -> Fraction:
    """Σ over ordered pairs i ≠ j of (vᵢ − vⱼ)² = 2 · (m · Σv² − (Σv)²), without the m² loop."""
    return 2 * (len(values) * sum(v * v for v in values) - sum(values) ** 2)


def krippendorff_alpha_interval(ratings: Mapping[tuple[Hashable, Hashable], int | float | Decimal]) -> float | None:
    """Krippendorff's alpha, interval metric, over (judge, entry) → rating with missing data allowed.

    α = 1 − D_o / D_e, where, over the n ratings of entries rated at least twice (the pairable values),
    D_o = (1/n) Σ_entries Σ_{i≠j} (vᵢ − vⱼ)² / (m_entry − 1) and D_e = Σ_{i≠j over all n} (vᵢ − vⱼ)² / (n(n − 1)).
    None when fewer than 2 values are pairable or they do not vary at all.
    """
    by_entry: dict[Hashable, list[Fraction]] = {}
    for (_, entry), value in ratings.items():
        by_entry.setdefault(entry, []).append(Fraction(value))
    units = [values for values in by_entry.values() if len(values) >= 2]
    pairable = [v for values in units for v in values]
    n = len(pairable)
    if n < 2:
        return None
    expected = _squared_differences(pairable) / (n * (n - 1))
    if expected == 0:
        return None
    observed = sum(_squared_differences(values) / (len(values) - 1) for values in units) / n
    return float(1 - observed / expected)


def disagreement(z: Mapping[tuple[str, str], Decimal]) -> dict[str, float]:
    """Entry → population standard deviation of its judges' z-scores (0.0 with fewer than 2 judges)."""
    by_entry: dict[str, list[Fraction]] = {}
    for (_, entry), value in z.items():
        by_entry.setdefault(entry, []).append(Fraction(value))
    spread: dict[str, float] = {}
    for entry, values in by_entry.items():
        m = len(values)
        spread[entry] = sqrt((m * sum(v * v for v in values) - sum(values) ** 2) / (m * m)) if m >= 2 else 0.0
    return spread


def flagged(spread: Mapping[str, float]) -> list[str]:
    """The entries whose spread is at least DISAGREEMENT_FLAG, widest first (then by entry id)."""
    idkey = id_order(spread)
    return sorted((e for e, s in spread.items() if s >= DISAGREEMENT_FLAG), key=lambda e: (-spread[e], idkey(e)))
