"""Covenant use cases: create a covenant, change its title, preamble and status, add and remove clauses,
and edit a clause without ever losing an update. (session, *, keyword args) -> result; domain errors.

Drafters are in `drafters.py`, amendments in `amendments.py`, comments and follows in `comments.py`, diffs in
`diffs.py`, what pages read in `queries.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from civic import audit
from civic.covenants import access, rules
from civic.covenants.models import (
    Clause,
    ClauseVersion,
    Covenant,
    CovenantKind,
    CovenantStatus,
    VersionSource,
)
from civic.errors import Conflict, InvalidInput, PermissionDenied
from civic.i18n import N_
from civic.places import rules as place_rules
from civic.places.models import Place
from civic.places.rules import Viewer

# ---- checks of what people type ---------------------------------------------------------------------


def check_title(title: str) -> str:
    title = rules.normalise(title).strip()
    if not title:
        raise InvalidInput(N_("Give the covenant a title."), field="title")
    if "\n" in title or len(title) > rules.TITLE_MAX:
        raise InvalidInput(N_("The title must be one line of at most %(max)d characters."), field="title",
                           max=rules.TITLE_MAX)
    return title


def check_preamble(preamble: str) -> str:
    preamble = rules.normalise(preamble)
    if len(preamble) > rules.PREAMBLE_MAX:
        raise InvalidInput(N_("The preamble is too long (at most %(max)d characters)."), field="preamble",
                           max=rules.PREAMBLE_MAX)
    return preamble


def check_clause_text(text: str, *, field: str = "text", allow_empty: bool = False) -> str:
    text = rules.normalise(text)
    if not text and not allow_empty:
        raise InvalidInput(N_("The clause text is empty. To take a clause out, remove it instead."), field=field)
    if len(text) > rules.CLAUSE_MAX:
        raise InvalidInput(N_("The clause is too long (at most %(max)d characters)."), field=field,
                           max=rules.CLAUSE_MAX)
    return text


def check_reason(reason: str, *, field: str = "reason") -> str:
    reason = rules.normalise(reason).strip()
    if not reason:
        raise InvalidInput(N_("Give a reason."), field=field)
    if len(reason) > rules.REASON_MAX:
        raise InvalidInput(N_("The reason is too long (at most %(max)d characters)."), field=field,
                           max=rules.REASON_MAX)
    return reason


def check_note(note: str, field: str = "note") -> str:
    note = rules.normalise(note).strip()
    if len(note) > rules.NOTE_MAX:
        raise InvalidInput(N_("The note is too long (at most %(max)d characters)."), field=field, max=rules.NOTE_MAX)
    return note


# ---- the covenant -----------------------------------------------------------------------------------


def create_covenant(session: Session, *, viewer: Viewer, scope_place_id: int | None, kind: str, title: str,
                    preamble: str = "", now: datetime, supersedes_id: int | None = None) -> Covenant:
    """Staff of a community or compound start a covenant there (drafting). `supersedes_id`: a new text of
    an adopted covenant of the same place and kind, which it replaces once adopted by its own vote."""
    place = session.get(Place, scope_place_id) if scope_place_id is not None else None
    if place is None:
        raise InvalidInput(N_("Choose the community or compound the covenant is for."), field="scope")
    if not place_rules.can_manage(viewer, place.path):
        raise PermissionDenied(N_("Only staff of this place can start a covenant here."))
    if place.kind not in rules.SCOPE_KINDS:
        raise InvalidInput(N_("A covenant belongs to a community or a compound."), field="scope")
    if kind not in set(CovenantKind):
        raise InvalidInput(N_("Choose an owners' covenant or a residents' convention."), field="kind")
    title, preamble = check_title(title), check_preamble(preamble)
    if supersedes_id is not None:
        old = session.get(Covenant, supersedes_id)
        if old is None or old.scope_place_id != place.id or old.kind != kind or old.status != CovenantStatus.adopted:
            raise InvalidInput(N_("Only an adopted covenant of the same place and kind can be replaced."),
                               field="supersedes")
    covenant = Covenant(scope_place_id=place.id, kind=kind, title=title, preamble=preamble, created_by=viewer.account_id,
                        created_at=now, status_changed_at=now, supersedes_id=supersedes_id)
    session.add(covenant)
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="covenant.created", object_type="covenant",
                 object_id=covenant.id, payload={"place": place.id, "kind": kind, "supersedes": supersedes_id},
                 now=now)
    return covenant


def update_covenant(session: Session, *, viewer: Viewer, covenant_id: int, title: str, preamble: str,
                    now: datetime) -> Covenant:
    """Drafters (or staff) change the title and preamble while the text is open."""
    covenant, place = access.covenant_and_place(session, covenant_id, lock="share")
    access.authorise(session, viewer=viewer, action="edit", covenant=covenant, place=place, now=now)
    title, preamble = check_title(title), check_preamble(preamble)
    if (title, preamble) == (covenant.title, covenant.preamble):
        return covenant
    covenant.title, covenant.preamble = title, preamble
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="covenant.updated", object_type="covenant",
                 object_id=covenant.id, payload={"title": title, "preamble_sha256": rules.sha256_text(preamble)},
                 now=now)
    return covenant


def move_status(session: Session, *, viewer: Viewer, covenant_id: int, to: str, now: datetime) -> Covenant:
    """A plain status change from the transition table (open or end the consultation; revise after a failed
    vote). Freezing for the vote and a vote's outcome are their own use cases."""
    covenant, place = access.covenant_and_place(session, covenant_id, lock="update")
    transition = rules.TRANSITIONS.get((covenant.status, to))
    if transition is None:
        raise Conflict(N_("A covenant cannot go from “%(old)s” to “%(new)s”."), old=covenant.status, new=to)
    roles = access.roles_of(session, viewer=viewer, covenant=covenant, place=place, now=now)
    if transition.roles.isdisjoint(roles):
        raise PermissionDenied(N_("Only the drafters of this covenant and staff of its place can change its status."))
    if transition.use_case is not None:
        raise Conflict(N_("This change of status has its own step (freezing the text for a vote, or a vote's "
                          "result); it cannot be made directly."))
    old = covenant.status
    payload = {"from": old, "to": to}
    if old == CovenantStatus.rejected:
        # Revising after a failed vote: the next freeze makes a new hash; the failed vote keeps the old one.
        payload |= {"frozen_version_hash": covenant.frozen_version_hash, "vote": covenant.ratification_vote_id}
        covenant.frozen_version_hash = covenant.frozen_at = covenant.ratification_vote_id = None
    covenant.status, covenant.status_changed_at = to, now
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="covenant.status_changed", object_type="covenant",
                 object_id=covenant.id, payload=payload, now=now)
    return covenant


# ---- clauses -----------------------------------------------------------------------------------------


def add_clause(session: Session, *, viewer: Viewer, covenant_id: int, now: datetime, template: str | None = None,
               subject: str = "other", heading: str = "", text: str = "") -> Clause:
    """Add a clause at the end, from a template (its subject, heading and text) or blank (a heading, and a
    text that may still be empty). Its first version is saved with it."""
    covenant, place = access.covenant_and_place(session, covenant_id, lock="share")
    access.authorise(session, viewer=viewer, action="edit", covenant=covenant, place=place, now=now)
    if template is not None:
        if not template:
            raise InvalidInput(N_("Choose a template."), field="template")
        found = rules.CLAUSE_TEMPLATES.get(template)
        if found is None:
            raise InvalidInput(N_("There is no such clause template."), field="template")
        subject, heading, text = found.subject, found.heading, found.text
    if subject not in rules.SUBJECTS:
        raise InvalidInput(N_("Choose what the clause is about."), field="subject")
    heading = rules.normalise(heading).strip()
    if not heading or "\n" in heading or len(heading) > rules.HEADING_MAX:
        raise InvalidInput(N_("Give the clause a heading of one line (at most %(max)d characters)."),
                           field="heading", max=rules.HEADING_MAX)
    text = check_clause_text(text, allow_empty=True)
    position = (session.execute(select(func.max(Clause.position)).where(Clause.covenant_id == covenant.id))
                .scalar() or 0) + 1
    clause = Clause(covenant_id=covenant.id, position=position, subject=subject, heading=heading, current_number=1,
                    created_by=viewer.account_id, created_at=now)
    session.add(clause)
    session.flush()
    version = ClauseVersion(clause_id=clause.id, number=1, text=text, sha256=rules.sha256_text(text),
                            author_id=viewer.account_id, saved_by=viewer.account_id, created_at=now,
                            source=VersionSource.edit)
    session.add(version)
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="clause.added", object_type="clause",
                 object_id=clause.id, payload={"covenant": covenant.id, "template": template,
                                               "sha256": version.sha256}, now=now)
    return clause


def remove_clause(session: Session, *, viewer: Viewer, clause_id: int, now: datetime) -> Clause:
    """Take a clause out of the covenant; its versions, amendments and comments stay on record."""
    clause, covenant, place = access.clause_for_change(session, clause_id)
    access.authorise(session, viewer=viewer, action="edit", covenant=covenant, place=place, now=now)
    access.check_not_removed(clause)
    clause.removed_at, clause.removed_by = now, viewer.account_id
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="clause.removed", object_type="clause",
                 object_id=clause.id, payload={"covenant": covenant.id}, now=now)
    return clause


def current_version(session: Session, clause: Clause) -> ClauseVersion:
    return session.execute(select(ClauseVersion).where(ClauseVersion.clause_id == clause.id,
                                                       ClauseVersion.number == clause.current_number)).scalar_one()


def version_of(session: Session, clause: Clause, version_id: int | None, *, field: str = "based_on") -> ClauseVersion:
    """A version of this clause by id; any other id is bad input (a form sent for another clause)."""
    version = session.get(ClauseVersion, version_id) if version_id is not None else None
    if version is None or version.clause_id != clause.id:
        raise InvalidInput(N_("The version this text was based on is not a version of this clause."), field=field)
    return version


@dataclass(frozen=True)
class EditResult:
    """What a save did: "saved" a new version, "merged" it with one saved meanwhile, or left the clause
    "unchanged" (the text already says this)."""

    version: ClauseVersion
    outcome: str
    merged_with: ClauseVersion | None = None


@dataclass(frozen=True)
class VersionRef:
    """A version as plain values: an error outlives the session whose rows it describes."""

    id: int
    number: int
    text: str
    sha256: str
    author_id: int | None
    created_at: datetime

    @classmethod
    def of(cls, version: ClauseVersion) -> VersionRef:
        return cls(version.id, version.number, version.text, version.sha256, version.author_id, version.created_at)


class EditConflict(Conflict):
    """Another save came in between and its changes overlap these: nothing was written. Carries what the
    form shows: the version the editor started from, the current one (theirs), the editor's text, the
    overlapping regions and the diff from the current text to the editor's."""

    def __init__(self, message: str, *, base: ClauseVersion, current: ClauseVersion, mine: str,
                 conflicts: list[rules.ConflictRegion], field: str = "text", **params):
        super().__init__(message, field=field, number=current.number, **params)
        self.base, self.current = VersionRef.of(base), VersionRef.of(current)
        self.mine, self.conflicts = mine, conflicts
        self.segments = rules.diff(current.text, mine)

    @property
    def theirs(self) -> str:
        return self.current.text


EDIT_CONFLICT = N_("Version %(number)d of this clause was saved while you were editing, and its changes overlap "
                   "yours. Nothing was saved: compare the two texts, then save again based on version %(number)d.")


def next_version(session: Session, clause: Clause, *, based_on: ClauseVersion, text: str, author_id: int | None,
                 saved_by: int | None, now: datetime, conflict_message: str = EDIT_CONFLICT,
                 source: str = VersionSource.edit) -> EditResult:
    """Save `text`, written from `based_on`, as the clause's next version — with the clause row locked by
    the caller. If another version was saved since `based_on`, merge three-way (base: based_on, theirs: the
    current text); overlapping changes raise EditConflict and write nothing."""
    current = current_version(session, clause)
    merged_with = None
    if based_on.id != current.id:
        merged = rules.merge3(based_on.text, text, current.text)
        if not merged.ok:
            raise EditConflict(conflict_message, base=based_on, current=current, mine=text, conflicts=merged.conflicts)
        text, merged_with = check_clause_text(merged.text), current
        if source == VersionSource.edit:
            source = VersionSource.merge
    if text == current.text:
        return EditResult(current, "unchanged", merged_with)
    version = ClauseVersion(clause_id=clause.id, number=current.number + 1, text=text, sha256=rules.sha256_text(text),
                            author_id=author_id, saved_by=saved_by, created_at=now, based_on_version_id=based_on.id,
                            source=source)
    try:
        # The lock makes saves take turns; the unique (clause, number) would still refuse a second "next".
        with session.begin_nested():
            session.add(version)
            clause.current_number = version.number
            session.flush()
    except IntegrityError:
        raise Conflict(N_("Someone saved this clause at the same moment. Nothing was saved; reload it and try "
                          "again."), field="text") from None
    return EditResult(version, "merged" if merged_with else "saved", merged_with)


def edit_clause(session: Session, *, viewer: Viewer, clause_id: int, based_on_version_id: int | None, text: str,
                now: datetime) -> EditResult:
    """A drafter (or staff) saves a clause's new text, based on the version they opened. Never a lost update:
    a save in between is merged when the changes do not overlap, else EditConflict and nothing written."""
    clause, covenant, place = access.clause_for_change(session, clause_id)
    access.authorise(session, viewer=viewer, action="edit", covenant=covenant, place=place, now=now)
    access.check_not_removed(clause)
    text = check_clause_text(text)
    based_on = version_of(session, clause, based_on_version_id)
    result = next_version(session, clause, based_on=based_on, text=text, author_id=viewer.account_id,
                          saved_by=viewer.account_id, now=now)
    if result.outcome != "unchanged":
        v = result.version
        audit.record(session, actor_id=viewer.account_id, action="clause.edited", object_type="clause",
                     object_id=clause.id, payload={"number": v.number, "sha256": v.sha256, "source": v.source,
                                                   "based_on": based_on.number}, now=now)
    return result
