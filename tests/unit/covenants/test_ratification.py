"""Ratification: freezing the text opens a vote that records its hash; the vote's close adopts or rejects the
covenant; an adopted text never changes, and a new text is a new covenant that supersedes it by its own vote."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from civic.covenants import access, published, ratification, rules, service
from civic.covenants.models import Covenant, CovenantStatus, FrozenOutcome, FrozenText
from civic.errors import Conflict, InvalidInput, PermissionDenied
from civic.notifications import Notification
from civic.votes.models import Vote
from tests.unit.covenants.builders import (
    AFTER_VOTE,
    NOW,
    PETS,
    VOTE_CLOSES,
    VOTE_OPENS,
    adopt,
    close_vote,
    freeze,
    set_status,
)

S = CovenantStatus


def subjects(session, account_id):
    return [n.subject for n in session.execute(select(Notification).where(Notification.account_id == account_id)
                                               .order_by(Notification.id)).scalars()]


def test_freezing_opens_a_vote_that_records_the_frozen_texts_hash(session, world):
    w = world
    frozen = freeze(session, w)
    covenant, vote = session.get(Covenant, w.covenant.id), session.get(Vote, frozen.vote_id)
    expected = rules.covenant_text("南苑村小区文明公约", "为建设和谐宜居小区，全体居民共同约定：", [("文明养犬", PETS)])
    assert frozen.text == expected and frozen.sha256 == rules.sha256_text(expected)
    assert (vote.subject_type, vote.subject_ref) == ("covenant_version", frozen.sha256)
    assert vote.rule_name == "cn-residents-meeting" and vote.matter == "residents-convention"
    assert PETS[:20] in vote.description and frozen.sha256 in vote.description
    assert covenant.status == S.ratification and covenant.frozen_version_hash == frozen.sha256
    assert covenant.ratification_vote_id == vote.id
    # Proposed dates: the day after the vote closes (Wuhan) and a year later.
    assert frozen.effective_on == access.register_day(VOTE_CLOSES) + timedelta(days=1)
    assert frozen.review_on == frozen.effective_on.replace(year=frozen.effective_on.year + 1)
    assert "“南苑村小区文明公约” has been put to a ratification vote" in subjects(session, w.drafter.account_id)


def test_an_owners_covenant_is_ratified_under_article_278(session, world):
    w = world
    session.get(Covenant, w.covenant.id).kind = "owners"
    session.commit()
    vote = session.get(Vote, freeze(session, w).vote_id)
    assert vote.rule_name == "cn278-ordinary" and vote.matter == "cn278-2-management-covenant"


def test_the_text_is_frozen_while_the_vote_runs(session, world):
    w = world
    freeze(session, w)
    with pytest.raises(Conflict):
        service.edit_clause(session, viewer=w.drafter, clause_id=w.clause.id, based_on_version_id=w.v1.id,
                            text=PETS + "补充。", now=NOW)
    session.rollback()
    with pytest.raises(Conflict):  # and it goes to a vote once
        ratification.freeze_for_vote(session, viewer=w.drafter, covenant_id=w.covenant.id, opens_at=VOTE_OPENS,
                                     closes_at=VOTE_CLOSES, now=NOW)


@pytest.mark.parametrize("who, status, error", [
    ("zhang", S.consultation, PermissionDenied),  # a resident
    ("stranger", S.consultation, PermissionDenied),
    ("other_staff", S.consultation, PermissionDenied),
    ("drafter", S.drafting, Conflict),  # the consultation comes first
])
def test_who_may_freeze_and_when(session, world, who, status, error):
    w = world
    set_status(session, w.covenant, status)
    with pytest.raises(error):
        ratification.freeze_for_vote(session, viewer=getattr(w, who), covenant_id=w.covenant.id, opens_at=VOTE_OPENS,
                                     closes_at=VOTE_CLOSES, now=NOW)
    session.rollback()
    assert session.execute(select(func.count()).select_from(Vote)).scalar_one() == 0


def test_staff_may_freeze_too(session, world):
    w = world
    set_status(session, w.covenant, S.consultation)
    ratification.freeze_for_vote(session, viewer=w.staff, covenant_id=w.covenant.id, opens_at=VOTE_OPENS,
                                 closes_at=VOTE_CLOSES, now=NOW)
    assert session.get(Covenant, w.covenant.id).status == S.ratification


@pytest.mark.parametrize("dates, field", [
    ({"effective_on": date(2026, 11, 1)}, "effective_on"),  # before the vote closes
    ({"effective_on": date(2027, 1, 1), "review_on": date(2027, 1, 1)}, "review_on"),
    ({"effective_on": date(2027, 1, 1), "review_on": date(2040, 1, 1)}, "review_on"),
])
def test_bad_dates_are_refused_and_nothing_is_written(session, world, dates, field):
    w = world
    set_status(session, w.covenant, S.consultation)
    with pytest.raises(InvalidInput) as refused:
        ratification.freeze_for_vote(session, viewer=w.drafter, covenant_id=w.covenant.id, opens_at=VOTE_OPENS,
                                     closes_at=VOTE_CLOSES, now=NOW, **dates)
    assert refused.value.field == field
    session.rollback()
    assert session.get(Covenant, w.covenant.id).status == S.consultation


def test_a_covenant_without_text_cannot_go_to_a_vote(session, world):
    w = world
    service.add_clause(session, viewer=w.drafter, covenant_id=w.covenant.id, heading="停车", subject="parking",
                       text="", now=NOW)
    set_status(session, w.covenant, S.consultation)
    with pytest.raises(InvalidInput, match="Write the text of every clause"):
        ratification.freeze_for_vote(session, viewer=w.drafter, covenant_id=w.covenant.id, opens_at=VOTE_OPENS,
                                     closes_at=VOTE_CLOSES, now=NOW)


def test_a_valid_approving_vote_adopts_the_covenant_at_close(session, world):
    w = world
    frozen = adopt(session, w)
    session.expire_all()
    covenant = session.get(Covenant, w.covenant.id)
    assert covenant.status == S.adopted and covenant.adopted_at == AFTER_VOTE
    assert (covenant.effective_on, covenant.review_on) == (frozen.effective_on, frozen.review_on)
    assert session.get(FrozenText, frozen.id).outcome == FrozenOutcome.adopted
    assert "“南苑村小区文明公约” has been adopted" in subjects(session, w.drafter.account_id)
    # The adopted text never changes.
    with pytest.raises(Conflict):
        service.edit_clause(session, viewer=w.staff, clause_id=w.clause.id, based_on_version_id=w.v1.id,
                            text=PETS + "补充。", now=AFTER_VOTE)
    # What is published is what was voted on: its hash is the vote's.
    adopted = published.adopted_covenant(session, covenant_id=covenant.id)
    assert rules.sha256_text(adopted.text) == session.get(Vote, frozen.vote_id).subject_ref
    assert [c.text for c in adopted.clauses] == [PETS]


def test_an_invalid_vote_rejects_it_and_drafters_may_revise_and_try_again(session, world):
    w = world
    frozen = freeze(session, w)
    close_vote(session, frozen, yes=(w.zhang,))  # one of three residents: the meeting is not valid
    session.expire_all()
    covenant = session.get(Covenant, w.covenant.id)
    assert covenant.status == S.rejected and session.get(FrozenText, frozen.id).outcome == FrozenOutcome.rejected
    service.move_status(session, viewer=w.drafter, covenant_id=covenant.id, to=S.drafting, now=AFTER_VOTE)
    assert covenant.frozen_version_hash is None and covenant.ratification_vote_id is None
    covenant.status = S.consultation
    session.commit()
    again = ratification.freeze_for_vote(session, viewer=w.drafter, covenant_id=covenant.id,
                                         opens_at=AFTER_VOTE, closes_at=AFTER_VOTE + timedelta(days=7), now=AFTER_VOTE)
    assert again.number == 2 and again.sha256 == frozen.sha256  # the same text, a new vote


def test_a_new_text_is_a_new_covenant_that_supersedes_the_old_by_its_own_vote(session, world):
    w = world
    adopt(session, w)
    with pytest.raises(PermissionDenied):
        ratification.start_revision(session, viewer=w.drafter, covenant_id=w.covenant.id, now=AFTER_VOTE)
    session.rollback()
    new = ratification.start_revision(session, viewer=w.staff, covenant_id=w.covenant.id, now=AFTER_VOTE)
    session.commit()
    assert new.supersedes_id == w.covenant.id and new.status == S.drafting
    assert [v.text for _c, v in ratification.current_clauses(session, new.id)] == [PETS]
    with pytest.raises(Conflict, match="already being drafted"):
        ratification.start_revision(session, viewer=w.staff, covenant_id=w.covenant.id, now=AFTER_VOTE)
    session.rollback()
    new.status = S.consultation
    session.commit()
    later = AFTER_VOTE + timedelta(days=1)
    frozen = ratification.freeze_for_vote(session, viewer=w.staff, covenant_id=new.id, opens_at=later,
                                          closes_at=later + timedelta(days=7), now=later)
    session.commit()
    from civic.votes import service as votes
    for viewer in (w.zhang, w.li):
        votes.cast_ballot(session, vote_id=frozen.vote_id, voter=votes.Voter(viewer.account_id, viewer.person_id),
                          choice="yes", now=later + timedelta(hours=1))
    votes.advance(session, vote=session.get(Vote, frozen.vote_id), now=later + timedelta(days=8))
    session.commit()
    session.expire_all()
    assert session.get(Covenant, new.id).status == S.adopted
    assert session.get(Covenant, w.covenant.id).status == S.superseded
    history = published.history_record(session, covenant_id=w.covenant.id)
    assert [f["outcome"] for f in history["frozen_texts"]] == ["adopted"]


def test_the_vote_closing_by_the_due_job_settles_the_covenant(session, world, engine):
    from civic.settings import Settings
    from civic.votes.service import advance_due_votes

    w = world
    frozen = freeze(session, w)
    from civic.votes import service as votes
    for viewer in (w.zhang, w.li):
        votes.cast_ballot(session, vote_id=frozen.vote_id, voter=votes.Voter(viewer.account_id, viewer.person_id),
                          choice="yes", now=NOW + timedelta(hours=1))
    session.commit()
    assert advance_due_votes(engine, Settings(), AFTER_VOTE) == 1
    session.expire_all()
    assert session.get(Covenant, w.covenant.id).status == S.adopted
