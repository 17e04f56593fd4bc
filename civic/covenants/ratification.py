"""Ratification: drafters freeze the text and open the vote; the vote's close adopts or rejects it; an
adopted covenant gets a new text only as a new covenant that supersedes it by its own vote.

The vote is scheduled through the votes service and names its subject (`covenant_version`, the frozen
text's SHA-256); `settle_ratification` runs inside the transaction that closes the vote.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, union
from sqlmodel import Session

from civic import audit, markdown
from civic.covenants import access, rules, service
from civic.covenants.models import (
    Clause,
    ClauseFollow,
    ClauseVersion,
    Covenant,
    CovenantDrafter,
    CovenantSignature,
    CovenantStatus,
    DrafterStatus,
    FrozenOutcome,
    FrozenText,
)
from civic.errors import Conflict, InvalidInput
from civic.i18n import N_
from civic.notifications import notify
from civic.places.models import Place
from civic.places.rules import Viewer
from civic.votes import outcomes
from civic.votes import rules as vote_rules
from civic.votes import service as votes
from civic.votes.models import Vote
from civic.votes.queries import MATTER_LABELS
from civic.votes.scheduling import rule_in_words

SUBJECT_TYPE = "covenant_version"
REVIEW_AFTER_MAX = timedelta(days=10 * 366)  # a review date further than ten years out is a typing slip


def current_clauses(session: Session, covenant_id: int) -> list[tuple[Clause, ClauseVersion]]:
    """The covenant's clauses in order with their current versions (one query)."""
    return [(c, v) for c, v in session.execute(
        select(Clause, ClauseVersion)
        .join(ClauseVersion, (ClauseVersion.clause_id == Clause.id) & (ClauseVersion.number == Clause.current_number))
        .where(Clause.covenant_id == covenant_id, Clause.removed_at.is_(None)).order_by(Clause.position, Clause.id)
    ).all()]


def vote_description(covenant: Covenant, clauses: list[tuple[Clause, ClauseVersion]], sha256: str) -> str:
    """The vote's description: the frozen text verbatim (escaped, so nothing in it reads as Markdown), the
    hash the vote records, and a link back to the covenant."""
    parts = [markdown.escape(covenant.preamble)] if covenant.preamble else []
    for n, (clause, version) in enumerate(clauses, start=1):
        parts.append(f"**{n}\\. {markdown.escape(clause.heading)}**\\\n{markdown.escape(version.text)}")
    parts.append(f"SHA-256 `{sha256}`")
    parts.append(f"[{markdown.escape(covenant.title)}]({access.covenant_path(covenant.id)})")
    return "\n\n".join(parts)


def check_dates(*, closes_at: datetime, effective_on: date | None, review_on: date | None) -> tuple[date, date]:
    """The proposed effective and review dates: by default the day after the vote closes (Wuhan), and a
    year later; in force no earlier than the close, reviewed after it takes effect."""
    closing_day = access.register_day(closes_at)
    effective_on = effective_on or closing_day + timedelta(days=1)
    if effective_on < closing_day:
        raise InvalidInput(N_("The covenant cannot take effect before its vote closes."), field="effective_on")
    if review_on is None:
        try:
            review_on = effective_on.replace(year=effective_on.year + 1)
        except ValueError:  # 29 February
            review_on = effective_on + timedelta(days=365)
    if review_on <= effective_on:
        raise InvalidInput(N_("The review date must come after the covenant takes effect."), field="review_on")
    if review_on - effective_on > REVIEW_AFTER_MAX:
        raise InvalidInput(N_("Review the covenant within ten years of it taking effect."), field="review_on")
    return effective_on, review_on


@dataclass(frozen=True)
class FreezeForm:
    """What the freeze form shows: the covenant, its place, the text that would be frozen and the rule."""

    covenant: Covenant
    place: Place
    clauses: list[tuple[Clause, ClauseVersion]]
    matter: str  # the vote's matter, as a msgid
    rule: vote_rules.Sentence  # the rule that decides it, in words


def freeze_form(session: Session, *, viewer: Viewer, covenant_id: int, now: datetime) -> FreezeForm:
    covenant, place = access.covenant_and_place(session, covenant_id)
    access.authorise(session, viewer=viewer, action="freeze", covenant=covenant, place=place, now=now)
    matter = rules.KIND_MATTER[covenant.kind]
    return FreezeForm(covenant, place, current_clauses(session, covenant.id), MATTER_LABELS[matter],
                      rule_in_words(vote_rules.PRESETS[vote_rules.MATTERS[matter]]))


def freeze_for_vote(session: Session, *, viewer: Viewer, covenant_id: int, opens_at: datetime, closes_at: datetime,
                    now: datetime, effective_on: date | None = None, review_on: date | None = None,
                    secret: bool = False) -> FrozenText:
    """Drafters (or staff) freeze the current text of a covenant in consultation and open its ratification
    vote: `cn278-ordinary` for an owners' covenant, `cn-residents-meeting` for a residents' convention. The
    vote records the frozen text's SHA-256; its close adopts or rejects the covenant."""
    covenant, place = access.covenant_and_place(session, covenant_id, lock="update")
    access.authorise(session, viewer=viewer, action="freeze", covenant=covenant, place=place, now=now)
    clauses = current_clauses(session, covenant.id)
    if not clauses:
        raise InvalidInput(N_("A covenant needs at least one clause before it can be put to a vote."), field="clauses")
    empty = [clause.heading for clause, version in clauses if not version.text]
    if empty:
        raise InvalidInput(N_("Write the text of every clause before the vote (empty: %(headings)s)."),
                           field="clauses", headings="、".join(empty))
    effective_on, review_on = check_dates(closes_at=closes_at, effective_on=effective_on, review_on=review_on)
    pairs = [(clause.heading, version.text) for clause, version in clauses]
    text = rules.covenant_text(covenant.title, covenant.preamble, pairs)
    sha256 = rules.sha256_text(text)
    vote = votes.schedule_vote(
        session, actor_id=viewer.account_id, place=place, title=covenant.title[:vote_rules.TITLE_MAX],
        description=vote_description(covenant, clauses, sha256), matter=rules.KIND_MATTER[covenant.kind],
        kind="yes_no", secret=secret, opens_at=opens_at, closes_at=closes_at, now=now,
        subject_type=SUBJECT_TYPE, subject_ref=sha256)
    number = (session.execute(select(func.max(FrozenText.number)).where(FrozenText.covenant_id == covenant.id))
              .scalar() or 0) + 1
    frozen = FrozenText(covenant_id=covenant.id, number=number, title=covenant.title, preamble=covenant.preamble,
                        text=text, sha256=sha256, clause_version_ids=",".join(str(v.id) for _c, v in clauses),
                        frozen_by=viewer.account_id, frozen_at=now, vote_id=vote.id, effective_on=effective_on,
                        review_on=review_on)
    session.add(frozen)
    covenant.status, covenant.status_changed_at = CovenantStatus.ratification, now
    covenant.frozen_version_hash, covenant.frozen_at, covenant.ratification_vote_id = sha256, now, vote.id
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="covenant.frozen", object_type="covenant",
                 object_id=covenant.id, payload={"sha256": sha256, "vote": vote.id, "number": number,
                                                 "effective_on": effective_on.isoformat(),
                                                 "review_on": review_on.isoformat()}, now=now)
    for account_id in interested_accounts(session, covenant.id):
        notify(session, account_id=account_id, subject=N_("“%(title)s” has been put to a ratification vote"),
               params={"title": covenant.title}, url=f"/votes/{vote.id}")
    return frozen


def interested_accounts(session: Session, covenant_id: int) -> list[int]:
    """Who hears of a covenant's ratification and adoption: its drafters, everyone following one of its
    clauses, and its signers (one query)."""
    drafters = select(CovenantDrafter.account_id).where(CovenantDrafter.covenant_id == covenant_id,
                                                        CovenantDrafter.status == DrafterStatus.approved)
    followers = (select(ClauseFollow.account_id).join(Clause, Clause.id == ClauseFollow.clause_id)
                 .where(Clause.covenant_id == covenant_id))
    signers = select(CovenantSignature.account_id).where(CovenantSignature.covenant_id == covenant_id,
                                                         CovenantSignature.withdrawn_at.is_(None))
    found = union(drafters, followers, signers).subquery()
    return sorted(session.execute(select(found.c[0])).scalars())


@outcomes.settles(SUBJECT_TYPE)
def settle_ratification(session: Session, vote: Vote, decision, now: datetime) -> None:
    """At the vote's close: approved by a valid vote → adopted (in force from the proposed day; a covenant it
    supersedes becomes superseded), otherwise rejected (drafters may revise and try again)."""
    frozen = session.execute(select(FrozenText).where(FrozenText.vote_id == vote.id)).scalar_one()
    covenant, _place = access.covenant_and_place(session, frozen.covenant_id, lock="update")
    adopted = bool(decision.quorum_met and decision.approved)
    frozen.outcome, frozen.decided_at = (FrozenOutcome.adopted if adopted else FrozenOutcome.rejected), now
    if covenant.status != CovenantStatus.ratification or covenant.ratification_vote_id != vote.id:
        # Cannot happen through the use cases (the text stays frozen while its vote runs); recorded, not raised,
        # so that the vote still closes.
        audit.record(session, actor_id=None, action="covenant.vote_ignored", object_type="covenant",
                     object_id=covenant.id, payload={"vote": vote.id, "status": covenant.status}, now=now)
        return
    payload = {"vote": vote.id, "sha256": frozen.sha256, "valid": decision.quorum_met, "approved": decision.approved}
    if adopted:
        covenant.status, covenant.adopted_at = CovenantStatus.adopted, now
        covenant.effective_on, covenant.review_on = frozen.effective_on, frozen.review_on
        subject = N_("“%(title)s” has been adopted")
        if covenant.supersedes_id is not None:
            old, _ = access.covenant_and_place(session, covenant.supersedes_id, lock="update")
            if old.status == CovenantStatus.adopted:
                old.status, old.status_changed_at = CovenantStatus.superseded, now
                audit.record(session, actor_id=None, action="covenant.superseded", object_type="covenant",
                             object_id=old.id, payload={"by": covenant.id, "vote": vote.id}, now=now)
    else:
        covenant.status = CovenantStatus.rejected
        subject = N_("“%(title)s” was not adopted by its vote")
    covenant.status_changed_at = now
    session.flush()
    audit.record(session, actor_id=None, action="covenant.adopted" if adopted else "covenant.rejected",
                 object_type="covenant", object_id=covenant.id, payload=payload, now=now)
    for account_id in interested_accounts(session, covenant.id):
        notify(session, account_id=account_id, subject=subject, params={"title": covenant.title},
               url=access.covenant_path(covenant.id))


def revision_form(session: Session, *, viewer: Viewer, covenant_id: int, now: datetime) -> Covenant:
    """The adopted covenant a new text would start from, if the viewer may start one."""
    covenant, place = access.covenant_and_place(session, covenant_id)
    access.authorise(session, viewer=viewer, action="start_revision", covenant=covenant, place=place, now=now)
    return covenant


def start_revision(session: Session, *, viewer: Viewer, covenant_id: int, now: datetime) -> Covenant:
    """Staff start a new text of an adopted covenant: a new covenant (drafting) with the same place, kind,
    title, preamble and clauses, which supersedes the old one only when its own vote adopts it. One
    revision at a time."""
    old, place = access.covenant_and_place(session, covenant_id, lock="update")
    access.authorise(session, viewer=viewer, action="start_revision", covenant=old, place=place, now=now)
    running = session.execute(select(Covenant.id).where(
        Covenant.supersedes_id == old.id,
        Covenant.status.in_([CovenantStatus.drafting, CovenantStatus.consultation, CovenantStatus.ratification,
                             CovenantStatus.rejected]))).scalar()
    if running is not None:
        raise Conflict(N_("A new text of this covenant is already being drafted (covenant %(id)d)."), id=running)
    new = service.create_covenant(session, viewer=viewer, scope_place_id=old.scope_place_id, kind=old.kind,
                                  title=old.title, preamble=old.preamble, now=now, supersedes_id=old.id)
    for clause, version in current_clauses(session, old.id):
        service.add_clause(session, viewer=viewer, covenant_id=new.id, subject=clause.subject, heading=clause.heading,
                           text=version.text, now=now)
    return new
