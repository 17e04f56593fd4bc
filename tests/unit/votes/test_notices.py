"""Everyone on the roll hears when a vote opens and, if they have not voted, a day before it closes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from civic import jobs
from civic.notifications import Notification
from civic.votes import service
from civic.votes.models import RollEntry
from tests.unit.places.builders import build_register
from tests.unit.votes.test_vote_service import NOW, open_vote, voter


def subjects(session) -> list[tuple[int, str]]:
    session.rollback()
    session.expire_all()
    return sorted(session.execute(select(Notification.account_id, Notification.subject)).all())


def test_the_roll_is_told_once_when_the_vote_opens_and_reminded_a_day_before_close(session, engine, settings,
                                                                                   make_account):
    r = build_register(session)
    zhang = make_account("张伟", person_id=r.zhang.id, locale="en")
    li = make_account("李娜", person_id=r.li.id)  # no locale: told in the default language
    make_account("王芳", person_id=r.wang.id, locale="en")  # co-owner, not the representative: not on the roll
    vote = open_vote(session, r, hours=72)
    list(jobs.run_due(engine, settings, now=NOW))
    assert subjects(session) == [(zhang.id, "A vote has opened: 更换物业服务企业"),
                                 (li.id, "表决已开始：更换物业服务企业")]
    list(jobs.run_due(engine, settings, now=NOW + timedelta(hours=1)))
    assert len(subjects(session)) == 2  # announced once, whatever the number of runs

    service.cast_ballot(session, vote_id=vote.id, voter=voter(r.li), choice="yes", now=NOW)
    session.commit()
    list(jobs.run_due(engine, settings, now=NOW + timedelta(hours=47)))  # more than a day left: no reminder yet
    assert len(subjects(session)) == 2
    for hour in (49, 50):
        list(jobs.run_due(engine, settings, now=NOW + timedelta(hours=hour)))
    reminders = [s for s in subjects(session) if "day left" in s[1] or "还有一天" in s[1]]
    assert reminders == [(zhang.id, "A day left to vote: 更换物业服务企业")]  # 李娜 has voted


def test_the_frozen_roll_keeps_each_units_label_and_area(session):
    r = build_register(session)
    vote = open_vote(session, r)
    rows = session.execute(select(RollEntry.unit_labels, RollEntry.unit_areas, RollEntry.area_dm2)
                           .where(RollEntry.vote_id == vote.id).order_by(RollEntry.voter_key)).all()
    assert rows == [("1栋 101", "8950", 8950), ("1栋 102", "12000", 12000)]
