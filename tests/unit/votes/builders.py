"""Votes built through the real service on a small compound: five owners' heads (one holding two units),
six adult residents; opened, cast and closed with explicit times."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

from sqlmodel import Session

from civic.places.rules import Viewer
from civic.votes import service
from civic.votes.models import Vote
from tests.unit.places.builders import add_person, add_unit, build_register, link

HOURS = 48


def build_compound(session: Session) -> SimpleNamespace:
    """build_register's 南苑村小区 plus 2栋 202 (张伟's second unit) and three more owners in 2栋. Committed.

    Owners' roll: 张伟 (1栋 101 + 2栋 202, 159.50 m²), 李娜+王芳 (1栋 102, 120.00), 陈静 (101.50),
    刘洋 (90.25), 赵磊 (110.00) — 5 heads, 581.25 m². Residents' roll: those six people.
    """
    r = build_register(session)
    r.u202 = add_unit(session, r.building2, "202", 7000, floor=2)
    link(session, r.u202, r.zhang)
    for attr, name, number, area in [("chen", "陈静", "203", 10150), ("liu", "刘洋", "204", 9025),
                                     ("zhao", "赵磊", "205", 11000)]:
        person, unit = add_person(session, name), add_unit(session, r.building2, number, area, floor=2)
        link(session, unit, person)
        setattr(r, attr, person)
        setattr(r, f"u{number}", unit)
    session.commit()
    return r


def create(session: Session, r, *, now: datetime, matter: str = "cn278-4-property-manager", secret: bool = False,
           options: tuple[str, ...] = (), title: str = "更换物业服务企业", opens_in: timedelta = timedelta(0)) -> Vote:
    """A vote on the compound, opening at now + opens_in (so at once by default) and closing HOURS later."""
    vote = service.create_vote(session, viewer=Viewer(account_id=None, staff_place_ids=frozenset({r.community.id})),
                               scope_place_id=r.compound.id, title=title, description="", matter=matter,
                               kind="options" if options else "yes_no", secret=secret, opens_at=now + opens_in,
                               closes_at=now + opens_in + timedelta(hours=HOURS), now=now, options=list(options))
    session.commit()
    return vote


def cast(session: Session, vote: Vote, ballots: list[tuple[object, str]], *, now: datetime) -> None:
    """Cast (person, choice) in order, a second of the clock apart, the way the board would receive them."""
    for n, (person, choice) in enumerate(ballots):
        service.cast_ballot(session, vote_id=vote.id, voter=service.Voter(account_id=None, person_id=person.id),
                            choice=choice, now=now + timedelta(seconds=n))
    session.commit()


def close(session: Session, vote: Vote) -> Vote:
    """Advance the clock past the vote's end: it is decided and its chain head published."""
    service.advance(session, vote=vote, now=vote.closes_at + timedelta(minutes=1))
    session.commit()
    return vote


def closed_votes(session: Session, r, *, now: datetime) -> dict[str, Vote]:
    """Four closed yes / no votes: approved, invalid for lack of quorum, a residents' matter, a secret vote."""
    approved = create(session, r, now=now, title="续聘物业")
    cast(session, approved, [(r.zhang, "no"), (r.li, "yes"), (r.chen, "yes"), (r.liu, "no"), (r.zhao, "abstain"),
                             (r.zhang, "yes")], now=now)  # 张伟 changes his mind: the board keeps both
    no_quorum = create(session, r, now=now, title="更换电梯", matter="cn278-7-rebuild")
    cast(session, no_quorum, [(r.zhang, "yes"), (r.li, "yes"), (r.chen, "no")], now=now)
    residents = create(session, r, now=now, title="居民公约：文明养犬", matter="residents-convention")
    cast(session, residents, [(r.zhang, "yes"), (r.li, "yes"), (r.wang, "no"), (r.chen, "yes")], now=now)
    secret = create(session, r, now=now, title="业主委员会选举", secret=True)
    cast(session, secret, [(r.zhang, "yes"), (r.li, "no"), (r.chen, "yes"), (r.liu, "yes")], now=now)
    votes = {"approved": approved, "no_quorum": no_quorum, "residents": residents, "secret": secret}
    for vote in votes.values():
        close(session, vote)
    return votes


UNIT_LABELS = ("1栋 101", "1栋 102", "2栋 202", "2栋 203", "2栋 204", "2栋 205")


def voter_keys(r) -> list[str]:
    """Every key either roll of the compound can hold: what a secret vote's data must never show."""
    owners = [f"owner:{p.id}" for p in (r.zhang, r.chen, r.liu, r.zhao)] + [f"owners:{r.li.id}+{r.wang.id}"]
    return owners + [f"person:{p.id}" for p in (r.zhang, r.li, r.wang, r.chen, r.liu, r.zhao)]
