"""Pure register rules: who counts as one owner (Art. 278 voter keys), the roll fingerprint, and
who may manage a place. No session, no request, no clock."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class UnitOwnership:
    """One unit as the roll sees it: its exclusive area and who owns it on the roll's day."""

    unit_id: int
    area_dm2: int
    owner_ids: frozenset[int]
    representative_id: int | None = None  # the co-owner designated to vote, when designated
    developer: bool = False  # owned by the developer (unsold)


@dataclass(frozen=True)
class VoterKey:
    """One head under Art. 278: a set of owners holding one or more units, with the summed area."""

    key: str
    representative_id: int | None
    unit_ids: tuple[int, ...]
    area_dm2: int
    owner_ids: tuple[int, ...] = ()
    developer: bool = False

    @property
    def needs_representative(self) -> bool:
        """Co-owned and nobody designated yet: this head cannot vote until staff record a representative."""
        return self.representative_id is None


@dataclass(frozen=True)
class Roll:
    """The voter keys of a place, plus the units that cannot be on the roll because nobody owns them."""

    keys: tuple[VoterKey, ...]
    unowned_unit_ids: tuple[int, ...] = ()
    conflicting_keys: tuple[str, ...] = field(default=())  # co-owners named different representatives

    @property
    def heads(self) -> int:
        return len(self.keys)

    @property
    def area_dm2(self) -> int:
        return sum(k.area_dm2 for k in self.keys)

    @property
    def without_representative(self) -> tuple[VoterKey, ...]:
        return tuple(k for k in self.keys if k.needs_representative)


def voter_keys(units: Iterable[UnitOwnership]) -> Roll:
    """Group units into heads: the same set of owners is one head with the summed area (Art. 278 practice).

    - one owner of several units → one key, areas summed (this also makes the developer's unsold units one head);
    - co-owners of a unit → one key whose representative is the co-owner they designated (None until then);
    - units owned by exactly the same set of co-owners → one key;
    - a person who owns A alone and B with someone else holds two keys: the owner sets differ, and the
      co-owners of B decide together who votes for B.
    """
    groups: dict[frozenset[int], list[UnitOwnership]] = defaultdict(list)
    unowned: list[int] = []
    for unit in units:
        if unit.owner_ids:
            groups[frozenset(unit.owner_ids)].append(unit)
        else:
            unowned.append(unit.unit_id)
    keys, conflicts = [], []
    for owners, members in groups.items():
        owner_ids = tuple(sorted(owners))
        key = f"owner:{owner_ids[0]}" if len(owner_ids) == 1 else "owners:" + "+".join(map(str, owner_ids))
        if len(owner_ids) == 1:
            representative = owner_ids[0]
        else:
            # Only a co-owner can represent; if the units of one group name different people, nobody is
            # assumed to speak for the group and staff must settle it.
            named = {u.representative_id for u in members if u.representative_id in owners}
            representative = next(iter(named)) if len(named) == 1 else None
            if len(named) > 1:
                conflicts.append(key)
        keys.append(VoterKey(
            key=key, representative_id=representative, unit_ids=tuple(sorted(u.unit_id for u in members)),
            area_dm2=sum(u.area_dm2 for u in members), owner_ids=owner_ids,
            developer=any(u.developer for u in members),
        ))
    keys.sort(key=lambda k: k.key)
    return Roll(keys=tuple(keys), unowned_unit_ids=tuple(sorted(unowned)), conflicting_keys=tuple(sorted(conflicts)))


def roll_text(keys: Iterable[VoterKey]) -> str:
    """The canonical text a frozen roll is hashed over: one `key|unit,unit|area_dm2` line per key, sorted."""
    lines = sorted(f"{k.key}|{','.join(str(u) for u in sorted(k.unit_ids))}|{k.area_dm2}" for k in keys)
    return "".join(line + "\n" for line in lines)


def roll_fingerprint(keys: Iterable[VoterKey]) -> str:
    """SHA-256 (hex) of roll_text(): two rolls with the same heads, units and areas have the same print."""
    return hashlib.sha256(roll_text(keys).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Viewer:
    """Who is asking, as the register needs it: plain values so the domain never imports the web layer."""

    account_id: int | None
    person_id: int | None = None
    staff_place_ids: frozenset[int] = frozenset()
    admin: bool = False

    @property
    def is_staff(self) -> bool:
        return self.admin or bool(self.staff_place_ids)


def path_ids(path: str) -> list[int]:
    """"/1/4/9/" → [1, 4, 9]: the ancestors of a place, then the place itself."""
    return [int(part) for part in path.strip("/").split("/") if part]


def can_manage(viewer: Viewer, path: str) -> bool:
    """Administrators manage everything; staff manage a place when they are staff of it or of an ancestor."""
    return viewer.admin or not viewer.staff_place_ids.isdisjoint(path_ids(path))
