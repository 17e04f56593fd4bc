"""Pure covenant rules: text normalisation and hashing, character-level diffs, the three-way merge,
the status transitions and who may do what in which status. No session, no request, no clock.

Diffs are character-level (Chinese has no spaces between words) with diff-match-patch and its
semantic cleanup, which turns scattered one-character matches into readable whole changes.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from diff_match_patch import diff_match_patch

from civic.covenants.clause_templates import CLAUSE_TEMPLATES, SUBJECTS, ClauseTemplate
from civic.covenants.models import CovenantKind, CovenantStatus

__all__ = ["CLAUSE_TEMPLATES", "SUBJECTS", "ClauseTemplate"]

TITLE_MAX = 200
PREAMBLE_MAX = 5000
HEADING_MAX = 120
CLAUSE_MAX = 2000  # characters of one clause's text: a micro-covenant clause is one to three sentences
REASON_MAX = 1000
COMMENT_MAX = 2000
NOTE_MAX = 500

# Which vote ratifies which kind (DOMAIN-RULES §2): the matter, and the preset the votes domain uses for it.
KIND_MATTER = {CovenantKind.owners: "cn278-2-management-covenant", CovenantKind.residents: "residents-convention"}
KIND_RULE = {CovenantKind.owners: "cn278-ordinary", CovenantKind.residents: "cn-residents-meeting"}
SCOPE_KINDS = ("community", "compound")  # the place kinds a covenant may belong to


# ---- text ---------------------------------------------------------------------------------------------

def normalise(text: str) -> str:
    """The form every clause text is stored and hashed in: NFC, "\\n" line ends, no trailing white space
    on a line (full-width spaces included), no blank lines at either end. Idempotent."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def sha256_text(text: str) -> str:
    """SHA-256 (hex) of a text's UTF-8 bytes; the caller normalises first."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def covenant_text(title: str, preamble: str, clauses: Iterable[tuple[str, str]]) -> str:
    """The canonical whole text a ratification freezes and hashes: the title, the preamble, then each
    clause as "N. heading\\ntext" in order (clauses: (heading, text) pairs), separated by blank lines."""
    parts = [normalise(title), normalise(preamble)]
    for n, (heading, text) in enumerate(clauses, start=1):
        parts.append(f"{n}. {normalise(heading)}\n{normalise(text)}")
    return "\n\n".join(parts) + "\n"


def covenant_hash(title: str, preamble: str, clauses: Iterable[tuple[str, str]]) -> str:
    return sha256_text(covenant_text(title, preamble, clauses))


# ---- diffs --------------------------------------------------------------------------------------------

EQUAL, INSERT, DELETE = "equal", "insert", "delete"
_OPS = {diff_match_patch.DIFF_EQUAL: EQUAL, diff_match_patch.DIFF_INSERT: INSERT,
        diff_match_patch.DIFF_DELETE: DELETE}


@dataclass(frozen=True)
class Segment:
    """A run of the diff: `op` is equal, insert or delete. Pages render insert as <ins> and delete as
    <del> (with words for screen readers, not colour alone)."""

    op: str
    text: str


def _dmp() -> diff_match_patch:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0  # texts are short (CLAUSE_MAX); no timeout keeps every diff the same, run after run
    return dmp


def diff(old: str, new: str) -> list[Segment]:
    """Character-level diff of two texts with semantic cleanup."""
    dmp = _dmp()
    diffs = dmp.diff_main(old, new, False)
    dmp.diff_cleanupSemantic(diffs)
    return [Segment(_OPS[op], text) for op, text in diffs if text]


def side_by_side(segments: Sequence[Segment]) -> tuple[list[Segment], list[Segment]]:
    """The old text (equal and deleted runs) and the new text (equal and inserted runs), for two columns."""
    return ([s for s in segments if s.op != INSERT], [s for s in segments if s.op != DELETE])


def has_changes(segments: Sequence[Segment]) -> bool:
    return any(s.op != EQUAL for s in segments)


# ---- three-way merge ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Hunk:
    """One change against the base: base[start:end] is replaced by `text` (start == end: an insertion)."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class ConflictRegion:
    """Where both sides changed the same (or adjacent) characters of the base: the base's span and what
    each side made of it."""

    start: int
    end: int
    base: str
    mine: str
    theirs: str


@dataclass(frozen=True)
class MergeResult:
    ok: bool
    text: str | None
    conflicts: list[ConflictRegion]


def hunks(base: str, other: str) -> list[Hunk]:
    """The changes that turn `base` into `other`, in base coordinates, from the same diff pages show."""
    found, pos = [], 0
    start = end = None
    inserted: list[str] = []
    for segment in diff(base, other):
        if segment.op == EQUAL:
            if start is not None:
                found.append(Hunk(start, end, "".join(inserted)))
                start, inserted = None, []
            pos += len(segment.text)
            continue
        if start is None:
            start = end = pos
        if segment.op == DELETE:
            pos += len(segment.text)
            end = pos
        else:
            inserted.append(segment.text)
    if start is not None:
        found.append(Hunk(start, end, "".join(inserted)))
    return found


def _apply(base: str, changes: Iterable[Hunk], start: int = 0, end: int | None = None) -> str:
    """base[start:end] with the given non-overlapping hunks (inside that span) applied."""
    end = len(base) if end is None else end
    out, pos = [], start
    for h in sorted(changes, key=lambda h: (h.start, h.end)):
        out.append(base[pos:h.start])
        out.append(h.text)
        pos = h.end
    out.append(base[pos:end])
    return "".join(out)


def merge3(base: str, mine: str, theirs: str) -> MergeResult:
    """Merge two edits of `base`, character by character.

    The changes each side made are located in the base explicitly, and the merge happens only if no change
    of one side overlaps or touches a change of the other; a change both sides made identically is taken
    once. Touching counts as overlapping (as in diff3): two changes with no unchanged character between
    them, or two insertions at one place, have no order anyone agreed on. The merged text is the base with
    every change spliced in at its own position — exact, unlike a fuzzy patch, which can land a change on
    the wrong one of two repeated phrases. On a conflict nothing is merged (text is None).
    """
    if mine == theirs or theirs == base:
        return MergeResult(True, mine, [])
    if mine == base:
        return MergeResult(True, theirs, [])
    mine_h, theirs_h = set(hunks(base, mine)), set(hunks(base, theirs))
    both = mine_h & theirs_h
    tagged = sorted([(h, "both") for h in both] + [(h, "mine") for h in mine_h - both]
                    + [(h, "theirs") for h in theirs_h - both], key=lambda t: (t[0].start, t[0].end))
    clusters: list[list[tuple[Hunk, str]]] = []
    for hunk, side in tagged:
        if clusters and hunk.start <= max(h.end for h, _ in clusters[-1]):
            clusters[-1].append((hunk, side))
        else:
            clusters.append([(hunk, side)])
    conflicts = []
    for cluster in clusters:
        sides = {side for _h, side in cluster}
        if {"mine", "theirs"} <= sides:
            start, end = cluster[0][0].start, max(h.end for h, _ in cluster)
            conflicts.append(ConflictRegion(
                start, end, base[start:end],
                _apply(base, [h for h, s in cluster if s != "theirs"], start, end),
                _apply(base, [h for h, s in cluster if s != "mine"], start, end)))
    if conflicts:
        return MergeResult(False, None, conflicts)
    return MergeResult(True, _apply(base, [h for h, _side in tagged]), [])


# ---- who may do what, and when ------------------------------------------------------------------------

# The roles a viewer holds towards one covenant (computed by the service from the register and grants).
STAFF, DRAFTER, RESIDENT, SIGNER, VOTE = "staff", "drafter", "resident", "signer", "vote"
BREACHED = "breached"  # the signer a given breach is recorded against (added by the use case, per breach)
# VOTE is no person: the outcome of a vote (ratification, repeal) moves the covenant, through the service
# that closes the vote.

DRAFTING, CONSULTATION, RATIFICATION = CovenantStatus.drafting, CovenantStatus.consultation, CovenantStatus.ratification
OPEN_TEXT = frozenset({DRAFTING, CONSULTATION})  # the text may change
ADOPTED = CovenantStatus.adopted
AFTER_ADOPTION = frozenset({ADOPTED, CovenantStatus.superseded, CovenantStatus.repealed})
EVERY_STATUS = frozenset(CovenantStatus)


@dataclass(frozen=True)
class Permission:
    statuses: frozenset[str]
    roles: frozenset[str]


PERMISSIONS: dict[str, Permission] = {
    # Change the text: edit, add, remove or reorder clauses, the title and preamble.
    "edit": Permission(OPEN_TEXT, frozenset({DRAFTER, STAFF})),
    # Formal amendments open with the consultation; while drafting, residents comment instead.
    "amend": Permission(frozenset({CONSULTATION}), frozenset({RESIDENT, DRAFTER, STAFF})),
    "accept_amendment": Permission(OPEN_TEXT, frozenset({DRAFTER, STAFF})),
    # Rejecting changes no text, so drafters may still answer open amendments while the vote runs.
    "reject_amendment": Permission(OPEN_TEXT | {RATIFICATION}, frozenset({DRAFTER, STAFF})),
    "comment": Permission(OPEN_TEXT | {RATIFICATION}, frozenset({RESIDENT, DRAFTER, STAFF})),
    "request_to_join": Permission(OPEN_TEXT, frozenset({RESIDENT})),
    "manage_drafters": Permission(OPEN_TEXT, frozenset({STAFF})),
    "moderate": Permission(EVERY_STATUS, frozenset({STAFF})),
    # Freeze the text and open the ratification vote (consultation → ratification).
    "freeze": Permission(frozenset({CONSULTATION}), frozenset({DRAFTER, STAFF})),
    # The adopted text never changes: a new text is a new covenant that supersedes it by its own vote.
    "start_revision": Permission(frozenset({ADOPTED}), frozenset({STAFF})),
    "sign": Permission(frozenset({ADOPTED}), frozenset({RESIDENT})),
    "withdraw_signature": Permission(frozenset({ADOPTED}), frozenset({SIGNER})),
    "record_breach": Permission(frozenset({ADOPTED}), frozenset({STAFF})),
    # A dispute is the recorded person's own (signed or since withdrawn); staff resolve it even after the
    # covenant was superseded, since the keepers list still looks back over the last N days.
    "dispute_breach": Permission(AFTER_ADOPTION, frozenset({BREACHED})),
    "resolve_dispute": Permission(AFTER_ADOPTION, frozenset({STAFF})),
    "see_keepers": Permission(AFTER_ADOPTION, frozenset({STAFF})),
}


def refusal(action: str, status: str, roles: Iterable[str]) -> str | None:
    """Why `action` is refused: "role" (nobody with these roles may), "status" (not in this status), or
    None when it is allowed. The role is checked first: a stranger learns nothing about phases."""
    rule = PERMISSIONS[action]
    if rule.roles.isdisjoint(roles):
        return "role"
    if status not in rule.statuses:
        return "status"
    return None


def allowed(action: str, status: str, roles: Iterable[str]) -> bool:
    return refusal(action, status, roles) is None


@dataclass(frozen=True)
class Transition:
    roles: frozenset[str]
    # A transition with its own use case (freezing the text and opening the vote; a vote's outcome) is
    # made only by that use case, never by a bare status change.
    use_case: str | None = None


S = CovenantStatus
TRANSITIONS: dict[tuple[str, str], Transition] = {
    (S.drafting, S.consultation): Transition(frozenset({DRAFTER, STAFF})),
    (S.consultation, S.drafting): Transition(frozenset({DRAFTER, STAFF})),
    (S.consultation, S.ratification): Transition(frozenset({DRAFTER, STAFF}), "freeze"),
    (S.ratification, S.adopted): Transition(frozenset({VOTE}), "vote_closed"),
    (S.ratification, S.rejected): Transition(frozenset({VOTE}), "vote_closed"),
    (S.rejected, S.drafting): Transition(frozenset({DRAFTER, STAFF})),  # revise after a failed vote
    (S.adopted, S.superseded): Transition(frozenset({VOTE}), "successor_adopted"),
    (S.adopted, S.repealed): Transition(frozenset({VOTE}), "repeal_vote"),
}


def next_statuses(status: str, roles: Iterable[str]) -> list[str]:
    """The statuses these roles may move a covenant to by a plain status change (for the page's buttons)."""
    roles = set(roles)
    return [to for (frm, to), t in TRANSITIONS.items()
            if frm == status and t.use_case is None and not t.roles.isdisjoint(roles)]


# ---- covenant keepers ---------------------------------------------------------------------------------

def keeper_window_start(today: date, days: int) -> date:
    """The first day of the look-back window: a breach on this day or later costs a signer the standing of
    covenant keeper (DOMAIN-RULES §2: no breach in the last N days, today included)."""
    return today - timedelta(days=days - 1)


def is_keeper(counting_breach_days: Iterable[date], *, today: date, days: int) -> bool:
    """A signer is a covenant keeper when none of their counting breaches (recorded or upheld; disputed
    ones wait for the resolution) happened in the last `days` days."""
    start = keeper_window_start(today, days)
    return not any(start <= day <= today for day in counting_breach_days)
