"""Setting a contest up: staff create it for a place, declare its rules (phases, counts, prize pool, ranking
formula, matching method, rubric), appoint judges and treasurers, and publish it. Everything declared is
public from publication and frozen once judging opens (`edit_setup`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, exists, select
from sqlmodel import Session

from civic import audit
from civic.auth import rules as auth_rules
from civic.auth.models import Account, Role, RoleGrant, ScopeType
from civic.contests import access, rules
from civic.contests.models import (
    Contest,
    ContestStatus,
    MatchingMethod,
    Normalize,
    RubricCriterion,
    RubricLevel,
    ScoreSheet,
    TieRule,
)
from civic.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from civic.i18n import N_
from civic.notifications import notify
from civic.places import rules as place_rules
from civic.places.models import Place
from civic.places.rules import Viewer

DATE_FIELDS = ("submission_opens_at", "submission_closes_at", "backing_opens_at", "backing_closes_at",
               "judging_closes_at")
DATE_ORDER_MESSAGES = {
    "submission_closes_at": N_("The submission deadline must come after submissions open."),
    "backing_opens_at": N_("Backing must open after the submission deadline (screening happens in between)."),
    "backing_closes_at": N_("The backing deadline must come after backing opens."),
    "judging_closes_at": N_("Judging must close after the backing deadline."),
}
PLACE_KINDS = ("district", "street", "community", "compound")  # where a contest may be run
APPOINTABLE = {"judge": Role.judge, "treasurer": Role.treasurer}
ALREADY = {"judge": N_("%(name)s is already a judge of this contest."),
           "treasurer": N_("%(name)s is already a treasurer of this contest.")}
APPOINTED = {"judge": N_("You are a judge of the contest “%(title)s”."),
             "treasurer": N_("You are a treasurer of the contest “%(title)s”: you confirm money received.")}


@dataclass
class ContestSetup:
    """What staff declare (typed: the web layer has parsed yuan and Wuhan times)."""

    title: str
    description: str
    prize_pool_fen: int
    advance_count: int
    winner_count: int
    submission_opens_at: datetime
    submission_closes_at: datetime
    backing_opens_at: datetime
    backing_closes_at: datetime
    judging_closes_at: datetime
    normalize: str = Normalize.zscore
    jury_weight: int = 100
    support_weight: int = 0
    tie_rule: str = TieRule.jury
    matching_method: str = MatchingMethod.quadratic
    matching_cap_percent: int | None = None


@dataclass
class CriterionInput:
    name: str
    weight: int
    description: str = ""
    levels: list[tuple[int, str]] = field(default_factory=list)  # (score, description)


def check_setup(setup: ContestSetup) -> ContestSetup:
    """Every declared value in range, or InvalidInput naming the field. Returns it tidied."""
    setup.title, setup.description = setup.title.strip(), setup.description.strip()
    if not setup.title:
        raise InvalidInput(N_("Give the contest a title."), field="title")
    if len(setup.title) > rules.TITLE_MAX:
        raise InvalidInput(N_("The title is too long (at most %(max)s characters)."), field="title", max=rules.TITLE_MAX)
    if len(setup.description) > rules.LONG_MAX:
        raise InvalidInput(N_("The description is too long (at most %(max)s characters)."), field="description",
                           max=rules.LONG_MAX)
    if not 0 <= setup.prize_pool_fen <= rules.MONEY_MAX_FEN:
        raise InvalidInput(N_("Enter the prize pool in yuan, e.g. 100000."), field="prize_pool")
    if not 1 <= setup.advance_count <= 1000:
        raise InvalidInput(N_("Enter how many entries advance: a whole number from 1 to 1000."), field="advance_count")
    if not 1 <= setup.winner_count <= setup.advance_count:
        raise InvalidInput(N_("Winners are chosen among the advancing entries: enter a number from 1 to %(max)s."),
                           field="winner_count", max=setup.advance_count)
    dates = [getattr(setup, name) for name in DATE_FIELDS]
    wrong = rules.phase_dates_problem(dates)
    if wrong is not None:
        raise InvalidInput(DATE_ORDER_MESSAGES[DATE_FIELDS[wrong]], field=DATE_FIELDS[wrong])
    if setup.normalize not in set(Normalize):
        raise InvalidInput(N_("Choose how judges' scores are normalised."), field="normalize")
    if rules.weights_problem(setup.jury_weight, setup.support_weight):
        raise InvalidInput(N_("The weights of the jury score and of public support must add up to 100."),
                           field="jury_weight")
    if setup.tie_rule not in set(TieRule):
        raise InvalidInput(N_("Choose how ties are broken."), field="tie_rule")
    if setup.matching_method not in set(MatchingMethod):
        raise InvalidInput(N_("Choose how the prize pool is shared."), field="matching_method")
    cap = setup.matching_cap_percent
    if cap is not None and not 1 <= cap <= 100:
        raise InvalidInput(N_("The cap is a share of the pool from 1 to 100 per cent, or empty for none."),
                           field="matching_cap_percent")
    return setup


def _contest_place(session: Session, place_id: int | None) -> Place:
    place = session.get(Place, place_id) if place_id else None
    if place is None or place.kind not in PLACE_KINDS:
        raise InvalidInput(N_("Choose the district, street, community or compound that runs the contest."),
                           field="place")
    return place


def create_contest(session: Session, *, viewer: Viewer, place_id: int | None, setup: ContestSetup,
                   now: datetime) -> Contest:
    """Staff of a place start a contest there, as a draft only staff see."""
    place = _contest_place(session, place_id)
    if not place_rules.can_manage(viewer, place.path):
        raise PermissionDenied(access.ROLE_MESSAGES["edit_setup"], place=place.name)
    check_setup(setup)
    contest = Contest(place_id=place.id, created_by=viewer.account_id, created_at=now, **vars(setup))
    session.add(contest)
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="contest.created", object_type="contest",
                 object_id=contest.id, payload={"title": contest.title, "place_id": place.id}, now=now)
    return contest


def update_contest(session: Session, *, viewer: Viewer, contest_id: int, setup: ContestSetup,
                   now: datetime) -> Contest:
    """Staff change the declared rules before judging opens. Once published, a boundary already passed
    stays where it is and none moves into the past."""
    contest, place = access.contest_and_place(session, contest_id, lock="update")
    access.authorise(session, viewer=viewer, action="edit_setup", contest=contest, place=place, now=now)
    check_setup(setup)
    for name in DATE_FIELDS:
        # Forms carry times to the minute: a boundary sent back as shown is the boundary unchanged.
        if getattr(setup, name) == getattr(contest, name).replace(second=0, microsecond=0):
            setattr(setup, name, getattr(contest, name))
    if contest.status == ContestStatus.published:
        for name in DATE_FIELDS:
            if rules.moved_past_boundary(getattr(contest, name), getattr(setup, name), now):
                raise InvalidInput(N_("This date has passed or would move into the past: the contest is "
                                      "published, so it can no longer change."), field=name)
    changed = sorted(name for name, value in vars(setup).items() if getattr(contest, name) != value)
    for name, value in vars(setup).items():
        setattr(contest, name, value)
    audit.record(session, actor_id=viewer.account_id, action="contest.updated", object_type="contest",
                 object_id=contest.id, payload={"changed": changed}, now=now)
    return contest


def set_rubric(session: Session, *, viewer: Viewer, contest_id: int, criteria: list[CriterionInput],
               now: datetime) -> list[RubricCriterion]:
    """Replace the rubric as a whole (no score exists before judging opens, and then it is frozen)."""
    contest, place = access.contest_and_place(session, contest_id, lock="update")
    access.authorise(session, viewer=viewer, action="edit_setup", contest=contest, place=place, now=now)
    check_rubric(criteria)
    old = select(RubricCriterion.id).where(RubricCriterion.contest_id == contest.id)
    session.execute(delete(RubricLevel).where(RubricLevel.criterion_id.in_(old)))
    session.execute(delete(RubricCriterion).where(RubricCriterion.contest_id == contest.id))
    rows = []
    for position, item in enumerate(criteria):
        criterion = RubricCriterion(contest_id=contest.id, position=position, name=item.name,
                                    description=item.description, weight=item.weight)
        session.add(criterion)
        session.flush()
        session.add_all([RubricLevel(criterion_id=criterion.id, score=score, description=text)
                         for score, text in item.levels])
        rows.append(criterion)
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="contest.rubric_set", object_type="contest",
                 object_id=contest.id, now=now,
                 payload={"criteria": [[c.name, c.weight, [s for s, _ in c.levels]] for c in criteria]})
    return rows


def check_rubric(criteria: list[CriterionInput]) -> None:
    """1–12 criteria, each named with a weight of 1–100 and 2–11 distinct level scores from 0 to 10,
    every level described."""
    if not criteria:
        raise InvalidInput(N_("Give the rubric at least one criterion."), field="rubric")
    if len(criteria) > rules.CRITERIA_MAX:
        raise InvalidInput(N_("A rubric has at most %(max)s criteria."), field="rubric", max=rules.CRITERIA_MAX)
    for n, item in enumerate(criteria, start=1):
        item.name, item.description = item.name.strip(), item.description.strip()
        if not item.name or len(item.name) > 120:
            raise InvalidInput(N_("Criterion %(n)s needs a name of at most 120 characters."), field="rubric", n=n)
        if not 1 <= item.weight <= rules.WEIGHT_MAX:
            raise InvalidInput(N_("The weight of criterion %(n)s must be a whole number from 1 to 100."),
                               field="rubric", n=n)
        scores = [score for score, _ in item.levels]
        if not 2 <= len(scores) <= rules.LEVELS_MAX or len(set(scores)) != len(scores) or not all(
                0 <= s <= rules.LEVEL_SCORE_MAX for s in scores):
            raise InvalidInput(N_("Criterion %(n)s needs from 2 to 11 levels with different scores from 0 to 10."),
                               field="rubric", n=n)
        if not all(text.strip() and len(text) <= 500 for _, text in item.levels):
            raise InvalidInput(N_("Describe every level of criterion %(n)s (at most 500 characters each)."),
                               field="rubric", n=n)


def publish_contest(session: Session, *, viewer: Viewer, contest_id: int, now: datetime) -> Contest:
    """Staff make a draft public: it needs a rubric, and judging must still be ahead."""
    contest, place = access.contest_and_place(session, contest_id, lock="update")
    access.authorise(session, viewer=viewer, action="publish", contest=contest, place=place, now=now)
    has_rubric = session.execute(select(exists().where(RubricCriterion.contest_id == contest.id))).scalar()
    if not has_rubric:
        raise Conflict(N_("Give the contest a rubric before publishing it: judges score on it."))
    if contest.backing_closes_at <= now:
        raise Conflict(N_("The backing deadline has passed: move the dates before publishing the contest."))
    contest.status, contest.published_at = ContestStatus.published, now
    audit.record(session, actor_id=viewer.account_id, action="contest.published", object_type="contest",
                 object_id=contest.id, payload={"title": contest.title}, now=now)
    return contest


def appoint_by_contact(session: Session, *, viewer: Viewer, contest_id: int, contact: str, role: str,
                       now: datetime) -> RoleGrant:
    """Staff make the account with this e-mail address or phone number a judge or treasurer of the contest.
    The permission is checked first, so only staff learn whether such an account exists."""
    contest, place = access.contest_and_place(session, contest_id, lock="share")
    access.authorise(session, viewer=viewer, action="assign_judges", contest=contest, place=place, now=now)
    if role not in APPOINTABLE:
        raise InvalidInput(N_("Choose judge or treasurer."), field="role")
    try:
        kind, value = auth_rules.classify_identifier(contact)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field="contact", **exc.params) from None
    column = Account.email if kind == "email" else Account.phone
    account = session.execute(select(Account).where(column == value, Account.is_active)).scalar()
    if account is None:
        raise InvalidInput(N_("No active account has this e-mail address or phone number."), field="contact")
    held = session.execute(select(RoleGrant).where(
        RoleGrant.account_id == account.id, RoleGrant.role == APPOINTABLE[role],
        RoleGrant.scope_type == ScopeType.contest, RoleGrant.scope_id == contest.id)).scalar()
    if held is not None:
        raise Conflict(ALREADY[role], name=account.display_name)
    grant = RoleGrant(account_id=account.id, role=APPOINTABLE[role], scope_type=ScopeType.contest,
                      scope_id=contest.id, granted_by=viewer.account_id, created_at=now)
    session.add(grant)
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="contest.appointed", object_type="contest",
                 object_id=contest.id, payload={"account_id": account.id, "role": role}, now=now)
    notify(session, account_id=account.id, url=access.contest_path(contest.id),
           subject=APPOINTED[role], params={"title": contest.title})
    return grant


def remove_appointment(session: Session, *, viewer: Viewer, grant_id: int, now: datetime) -> int:
    """Staff take a judge or treasurer off the contest (its id is returned); a judge who has scored stays
    (declare conflicts instead), so that no published score loses its judge."""
    grant = session.get(RoleGrant, grant_id)
    if grant is None or grant.scope_type != ScopeType.contest or grant.role not in APPOINTABLE.values():
        raise NotFound(N_("There is no such appointment."))
    contest, place = access.contest_and_place(session, grant.scope_id, lock="share")
    access.authorise(session, viewer=viewer, action="assign_judges", contest=contest, place=place, now=now)
    if grant.role == Role.judge and session.execute(select(exists().where(
            ScoreSheet.contest_id == contest.id, ScoreSheet.judge_id == grant.account_id))).scalar():
        raise Conflict(N_("This judge has already scored entries and stays on the jury; a judge may declare "
                          "conflicts on single entries instead."))
    session.delete(grant)
    audit.record(session, actor_id=viewer.account_id, action="contest.appointment_removed", object_type="contest",
                 object_id=contest.id, payload={"account_id": grant.account_id, "role": grant.role}, now=now)
    return contest.id

