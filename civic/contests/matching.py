"""Sharing a matching pool among entries by their backers' contributions (`civic match`, DOMAIN-RULES
§3): quadratic or proportional, an optional cap per entry, rounded to the fen. Pure: no database.

Money is counted in whole fen internally (contributions and the pool have at most 2 decimals of yuan);
the shares before rounding are `Decimal`s in a 50-digit context. Ties in rounding are broken by entry id
with the same numeric rule as the ranking (`ranking.id_order`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, localcontext
from pathlib import Path

from civic.contests.ranking import CTX, TIE_PLACES, ZERO, id_order, parse_decimal, read_rows
from civic.errors import FileInputError, InvalidInput
from civic.i18n import N_

METHODS = ("quadratic", "proportional")


@dataclass(frozen=True)
class AllocatedEntry:
    entry_id: str
    backers: int  # distinct backer keys
    contributions: Decimal  # yuan, 2 decimals
    raw: Decimal  # raw(i) in yuan, unrounded
    match: Decimal  # yuan, 2 decimals

    @property
    def match_fen(self) -> int:
        return int(self.match.scaleb(2))


@dataclass(frozen=True)
class Allocation:
    pool: Decimal  # yuan, 2 decimals
    method: str  # quadratic, proportional or none (equal_shares)
    cap: Decimal | None  # fraction of the pool, 0 < cap ≤ 1
    unallocated: Decimal  # yuan, 2 decimals: pool − Σ match
    entries: list[AllocatedEntry]  # by entry id


def amount_fen(amount: Decimal) -> int:
    """A positive amount of yuan with at most 2 decimals, in fen; ValueError saying what is wrong."""
    amount = Decimal(amount) if isinstance(amount, int) else amount
    if not amount.is_finite() or amount <= 0:
        raise ValueError(N_("amount must be positive"))
    _, digits, exponent = amount.as_tuple()
    if isinstance(exponent, int) and exponent < -2 and any(digits[exponent + 2:]):
        raise ValueError(N_("amount has more than 2 decimals"))
    return int(amount.scaleb(2, context=CTX))


def _yuan(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2, context=CTX)


def _pool_fen(pool: Decimal) -> int:
    if not isinstance(pool, Decimal) or not pool.is_finite() or pool < 0:
        raise InvalidInput(N_("the pool must be an amount of 0 or more"), field="pool")
    return 0 if pool == 0 else _checked(pool, "pool")


def _checked(amount: Decimal, field: str) -> int:
    try:
        return amount_fen(amount)
    except ValueError as exc:
        raise InvalidInput(str(exc), field=field) from None


def _raw(per_backer: dict[str, int], method: str, roots: dict[int, Decimal]) -> Decimal:
    """raw(i) in fen. Quadratic: (Σ√c)² − Σc; a lone backer's raw is 0 exactly, not the noise of
    squaring a rounded root. With two or more backers raw ≥ 2√(c₁c₂) ≥ 2 fen, so the cancellation costs
    nothing visible at 50 digits."""
    total = sum(per_backer.values())
    if method == "proportional":
        return Decimal(total)
    if len(per_backer) < 2:
        return ZERO
    with localcontext(CTX):
        root_sum = ZERO
        for c in per_backer.values():
            root = roots.get(c)
            if root is None:  # many backers give the same round sums: one square root per amount
                root = roots[c] = Decimal(c).sqrt()
            root_sum += root
        return max(root_sum * root_sum - total, ZERO)


def _split(pool_fen: int, raw: dict[str, Decimal], limit: Decimal | None) -> tuple[dict[str, int], int]:
    """Whole fen per entry with raw > 0, and the fen left unallocated."""
    ideal: dict[str, Decimal] = {}
    uncapped = [e for e, r in raw.items() if r > 0]
    remaining, placed_all = Decimal(pool_fen), False
    with localcontext(CTX):
        while uncapped:
            total = sum((raw[e] for e in uncapped), ZERO)
            share = {e: remaining * raw[e] / total for e in uncapped}
            over = {e for e in uncapped if limit is not None and share[e] > limit}
            if not over:
                ideal.update(share)
                placed_all = True
                break
            # Sharing the rest among the uncapped in proportion to raw is the same as handing each the
            # excess of the capped in proportion to raw; an entry over the cap stays over in later rounds.
            ideal.update(dict.fromkeys(over, limit))
            remaining -= limit * len(over)
            uncapped = [e for e in uncapped if e not in over]
        # Rounded to 12 places of a fen first, so that a share that is exactly whole fen in theory but
        # 2.999… in the 50th digit floors to 3, not 2.
        exact = {e: v.quantize(TIE_PLACES) for e, v in ideal.items()}
        # Everything is placed unless all entries are capped (or no entry has raw > 0); then what can be
        # placed is rounded DOWN to the fen, so that the capped entries together never exceed their caps
        # and the unallocated remainder is itself a whole number of fen.
        placed = pool_fen if placed_all else int(sum(exact.values(), ZERO))
    fen = {e: int(v) for e, v in exact.items()}
    left = placed - sum(fen.values())
    assert 0 <= left <= len(fen), (placed, left)
    idkey = id_order(fen)
    for e in sorted(fen, key=lambda e: (fen[e] - exact[e], idkey(e)))[:left]:  # largest remainders first
        fen[e] += 1
    return fen, pool_fen - placed


def allocate(pool: Decimal, contributions: Iterable[tuple[str, str, Decimal]], method: str,
             cap: Decimal | None = None, entry_ids: Iterable[str] = ()) -> Allocation:
    """Share `pool` yuan among the entries of (entry_id, backer_key, amount) rows (DOMAIN-RULES §3);
    `entry_ids` adds entries without contributions (they get 0)."""
    pool_fen = _pool_fen(pool)
    if method not in METHODS:
        raise InvalidInput(N_("unknown matching method %(name)s (quadratic or proportional)"), field="method",
                           name=method)
    if cap is not None and not (cap.is_finite() and 0 < cap <= 1):
        raise InvalidInput(N_("the cap must be a fraction of the pool above 0 and at most 1"), field="cap")
    c: dict[str, dict[str, int]] = {e: {} for e in entry_ids}
    for entry, backer, amount in contributions:
        per = c.setdefault(entry, {})
        per[backer] = per.get(backer, 0) + _checked(amount, "amount")
    roots: dict[int, Decimal] = {}
    raw = {e: _raw(per, method, roots) for e, per in c.items()}
    fen, unallocated = _split(pool_fen, raw, None if cap is None else CTX.multiply(cap, pool_fen))
    idkey = id_order(c)
    entries = [AllocatedEntry(e, len(c[e]), _yuan(sum(c[e].values())), raw[e].scaleb(-2, context=CTX),
                              _yuan(fen.get(e, 0))) for e in sorted(c, key=idkey)]
    return Allocation(_yuan(pool_fen), method, cap, _yuan(unallocated), entries)


def equal_shares(pool: Decimal, entry_ids: Iterable[str]) -> Allocation:
    """The pool shared equally (the "none" method), odd fen to the lowest entry ids; raw = 1 each."""
    pool_fen = _pool_fen(pool)
    unique = set(entry_ids)
    ids = sorted(unique, key=id_order(unique))
    fen, unallocated = _split(pool_fen, dict.fromkeys(ids, Decimal(1)), None)
    entries = [AllocatedEntry(e, 0, _yuan(0), Decimal(1), _yuan(fen[e])) for e in ids]
    return Allocation(_yuan(pool_fen), "none", None, _yuan(unallocated), entries)


def allocation_json(a: Allocation) -> dict:
    """The `civic match --json` object: amounts as strings with 2 decimals."""
    return {"pool": f"{a.pool:f}", "method": a.method, "unallocated": f"{a.unallocated:f}", "entries": [
        {"entry_id": e.entry_id, "backers": e.backers, "contributions": f"{e.contributions:f}",
         "match": f"{e.match:f}"} for e in a.entries]}


def read_contributions(path: str | Path) -> list[tuple[str, str, Decimal]]:
    """Read `entry_id,backer_key,amount`; the first bad row raises FileInputError naming its line."""
    path = Path(path)
    rows: list[tuple[str, str, Decimal]] = []
    for line, (entry, backer, text) in read_rows(path, ("entry_id", "backer_key", "amount")):
        if not entry or not backer:
            raise FileInputError(str(path), line, f"{'entry_id' if not entry else 'backer_key'} is empty")
        amount = parse_decimal(text)
        if amount is None:
            raise FileInputError(str(path), line, f"amount {text!r} is not a number")
        try:
            amount_fen(amount)
        except ValueError as exc:
            raise FileInputError(str(path), line, str(exc)) from None
        rows.append((entry, backer, amount))
    return rows
