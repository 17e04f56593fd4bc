"""A compound's covenant built through the real services: staff of 北环社区, a drafter, residents of
南苑村小区 (张伟, 李娜), a signed-in stranger, staff of another community, and one clause from a template."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import func, select
from sqlmodel import Session

from civic.audit import AuditEvent
from civic.auth.models import Role, ScopeType
from civic.covenants import drafters, service
from civic.covenants.models import Clause, ClauseVersion, Covenant, CovenantStatus
from civic.places.rules import Viewer
from tests.unit.places.builders import build_register

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
# Notifications are written in the recipient's language; these accounts read English, as the asserts do.
LOCALE = "en"
PETS = "养犬人出户遛犬时为犬只束犬绳、挂犬牌，由成年人牵领。犬只在公共区域的粪便由养犬人当即清理。犬只吠叫影响邻居休息的，养犬人及时制止。"


def staff_viewer(make_account, place, name: str = "社区工作人员") -> Viewer:
    account = make_account(name, roles=[(Role.staff, ScopeType.place, place.id)], locale=LOCALE)
    return Viewer(account_id=account.id, staff_place_ids=frozenset({place.id}))


def person_viewer(make_account, person) -> Viewer:
    account = make_account(person.name, person_id=person.id, locale=LOCALE)
    return Viewer(account_id=account.id, person_id=person.id)


def build_world(session: Session, make_account, *, status: str = CovenantStatus.drafting) -> SimpleNamespace:
    """The register, the people, a residents' convention of 南苑村小区 with one pets clause (text PETS) and
    a drafter appointed by staff; the covenant set to `status`. Committed."""
    w = SimpleNamespace()
    w.r = r = build_register(session)
    w.staff = staff_viewer(make_account, r.community)
    w.other_staff = staff_viewer(make_account, r.other_community, "沙湖社区工作人员")
    w.drafter = Viewer(account_id=make_account("周敏", locale=LOCALE).id)
    w.zhang = person_viewer(make_account, r.zhang)  # owner of 1栋 101
    w.li = person_viewer(make_account, r.li)  # co-owner of 1栋 102
    w.stranger = Viewer(account_id=make_account("路人", locale=LOCALE).id)
    w.anonymous = Viewer(account_id=None)
    w.covenant = service.create_covenant(session, viewer=w.staff, scope_place_id=r.compound.id, kind="residents",
                                         title="南苑村小区文明公约", preamble="为建设和谐宜居小区，全体居民共同约定：",
                                         now=NOW)
    drafters.appoint_drafter(session, viewer=w.staff, covenant_id=w.covenant.id, account_id=w.drafter.account_id,
                            now=NOW)
    w.clause = service.add_clause(session, viewer=w.drafter, covenant_id=w.covenant.id, subject="pets",
                                  heading="文明养犬", text=PETS, now=NOW)
    w.covenant.status = status
    session.commit()
    w.v1 = version(session, w.clause, 1)
    return w


def version(session: Session, clause: Clause, number: int) -> ClauseVersion:
    return session.execute(select(ClauseVersion).where(ClauseVersion.clause_id == clause.id,
                                                       ClauseVersion.number == number)).scalar_one()


def versions(session: Session, clause: Clause) -> list[ClauseVersion]:
    session.expire_all()
    return list(session.execute(select(ClauseVersion).where(ClauseVersion.clause_id == clause.id)
                                .order_by(ClauseVersion.number)).scalars())


def set_status(session: Session, covenant: Covenant, status: str) -> None:
    session.get(Covenant, covenant.id).status = status
    session.commit()


def audit_count(session: Session) -> int:
    return session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()


VOTE_OPENS, VOTE_CLOSES = NOW, NOW + timedelta(days=7)
AFTER_VOTE = VOTE_CLOSES + timedelta(minutes=1)


def freeze(session: Session, w: SimpleNamespace, **dates):
    """Put the world's covenant (set to consultation) to its ratification vote, by its drafter. Committed."""
    from civic.covenants import ratification

    set_status(session, w.covenant, CovenantStatus.consultation)
    frozen = ratification.freeze_for_vote(session, viewer=w.drafter, covenant_id=w.covenant.id, opens_at=VOTE_OPENS,
                                          closes_at=VOTE_CLOSES, now=NOW, **dates)
    session.commit()
    return frozen


def close_vote(session: Session, frozen, *, yes: tuple = ()) -> None:
    """Cast yes for the given person viewers, then bring the vote past its close (settling the covenant)."""
    from civic.votes import service as votes
    from civic.votes.models import Vote

    for viewer in yes:
        votes.cast_ballot(session, vote_id=frozen.vote_id, voter=votes.Voter(viewer.account_id, viewer.person_id),
                          choice="yes", now=NOW + timedelta(hours=1))
    session.commit()
    votes.advance(session, vote=session.get(Vote, frozen.vote_id), now=AFTER_VOTE)
    session.commit()


def adopt(session: Session, w: SimpleNamespace):
    """The world's covenant adopted by 张伟 and 李娜 (two of the three residents on the roll)."""
    frozen = freeze(session, w)
    close_vote(session, frozen, yes=(w.zhang, w.li))
    return frozen
