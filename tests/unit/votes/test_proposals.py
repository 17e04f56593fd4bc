"""Residents' proposals (Art. 10): the exact fifth of households, one support per household, only households
of the place, staff told at the threshold, and scheduling that links the vote."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from civic.audit import AuditEvent
from civic.auth.models import Role, ScopeType
from civic.db import session_scope
from civic.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from civic.notifications import Notification
from civic.places.models import Household
from civic.places.rules import Viewer
from civic.votes import proposal_queries, proposals, scheduling
from civic.votes.models import ProposalSupport, Vote, VoteProposal
from civic.votes.proposals import ProposalStatus, support_needed, threshold_met
from tests.statements import selects
from tests.unit.places.builders import add_person, add_unit, build_register, link

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
STAFF = (Role.staff, ScopeType.place)


# ---- builders ---------------------------------------------------------------------------------------

def add_household(session, unit, *people) -> Household:
    """A household living in `unit`, with these people as its members."""
    household = Household(unit_id=unit.id, label=f"{unit.number}户")
    session.add(household)
    session.flush()
    for person in people:
        person.household_id = household.id
    session.flush()
    return household


def fill_households(session, building, count: int, start: int = 500) -> list:
    """`count` more flats in `building`, each with a one-person household tied to it as resident."""
    people = []
    for n in range(start, start + count):
        unit = add_unit(session, building, str(n))
        person = add_person(session, f"居民{n}")
        link(session, unit, person, "resident")
        add_household(session, unit, person)
        people.append(person)
    session.commit()
    return people


@pytest.fixture
def resident(make_account):
    """resident(person) → the Viewer of that person's account (made once: an account is one person's)."""
    made: dict[int, Viewer] = {}

    def viewer(person) -> Viewer:
        if person.id not in made:
            account = make_account(person.name, person_id=person.id)
            made[person.id] = Viewer(account_id=account.id, person_id=person.id)
        return made[person.id]

    return viewer


def staff(make_account, place, name="社区工作人员") -> Viewer:
    account = make_account(name, roles=[(*STAFF, place.id)])
    return Viewer(account_id=account.id, staff_place_ids=frozenset({place.id}))


@pytest.fixture
def register(session):
    """build_register, with households: 张伟 at 101, 李娜 and 王芳 together at 102."""
    r = build_register(session)
    r.zhang_home = add_household(session, r.u101, r.zhang)
    r.li_home = add_household(session, r.u102, r.li, r.wang)
    session.commit()
    return r


def a_proposal(session, viewer, r, **fields) -> VoteProposal:
    values = dict(scope_place_id=r.compound.id, title="加装电梯", description="为老人加装电梯。",
                  matter="residents-matter", now=NOW)
    values.update(fields)
    proposal = proposals.propose(session, viewer=viewer, **values)
    session.commit()
    return proposal


def support(session, viewer, proposal):
    result = proposals.support(session, viewer=viewer, proposal_id=proposal.id, now=NOW)
    session.commit()
    return result


# ---- the threshold --------------------------------------------------------------------------------

@pytest.mark.parametrize(("supporting", "households", "met"), [
    (12, 60, True), (11, 60, False), (13, 61, True), (12, 61, False), (1, 5, True), (0, 5, False),
    (1, 1, True), (0, 0, False), (1, 0, False), (200_000, 1_000_000, True), (199_999, 1_000_000, False),
])
def test_the_threshold_is_at_least_one_fifth_exactly(supporting, households, met):
    assert threshold_met(supporting, households) is met


@pytest.mark.parametrize(("households", "needed"), [(60, 12), (61, 13), (64, 13), (65, 13), (66, 14), (1, 1), (0, 1)])
def test_households_needed(households, needed):
    assert support_needed(households) == needed
    assert households == 0 or (threshold_met(needed, households) and not threshold_met(needed - 1, households))


def test_exactly_a_fifth_of_households_makes_staff_schedule(session, register, make_account, resident):
    r = register
    fill_households(session, r.building2, 8)  # 10 households in the compound: 2 are a fifth
    proposal = a_proposal(session, resident(r.zhang), r)
    first = support(session, resident(r.zhang), proposal)
    assert (first.supporting, first.households, first.reached_now) == (1, 10, False)
    assert first.proposal.status == ProposalStatus.gathering
    second = support(session, resident(r.li), proposal)
    assert (second.supporting, second.households, second.reached_now) == (2, 10, True)
    assert session.get(VoteProposal, proposal.id).status == ProposalStatus.must_schedule


def test_just_below_a_fifth_keeps_gathering(session, register, make_account, resident):
    r = register
    fill_households(session, r.building2, 9)  # 11 households: 2 are 2/11 < 1/5
    proposal = a_proposal(session, resident(r.zhang), r)
    support(session, resident(r.zhang), proposal)
    result = support(session, resident(r.li), proposal)
    assert (result.supporting, result.households, result.reached_now) == (2, 11, False)
    assert session.get(VoteProposal, proposal.id).status == ProposalStatus.gathering


def test_households_nobody_belongs_to_do_not_count(session, register):
    r = register
    empty = add_unit(session, r.building2, "909")
    add_household(session, empty)
    session.commit()
    assert proposals.households_in(session, r.compound.path) == 2


# ---- who may propose and support ----------------------------------------------------------------

def test_a_resident_proposes_only_where_they_live(session, register, make_account, resident):
    r = register
    zhang = resident(r.zhang)
    assert a_proposal(session, zhang, r).status == ProposalStatus.gathering
    assert a_proposal(session, zhang, r, scope_place_id=r.building.id).scope_place_id == r.building.id
    with pytest.raises(PermissionDenied, match="only for a place you live in"):
        a_proposal(session, zhang, r, scope_place_id=r.other_compound.id)
    with pytest.raises(PermissionDenied):  # 201 is in the compound, but 张伟 has no tie to building 2
        a_proposal(session, zhang, r, scope_place_id=r.building2.id)
    moved = add_person(session, "搬走的人")
    link(session, r.u201, moved, "tenant", since=date(2020, 1, 1), until=date(2025, 1, 1))
    session.commit()
    with pytest.raises(PermissionDenied):
        a_proposal(session, resident(moved), r)


def test_staff_may_propose_and_a_street_is_not_a_proposal_place(session, register, make_account):
    r = register
    worker = staff(make_account, r.community)
    assert a_proposal(session, worker, r).proposed_by == worker.account_id
    with pytest.raises(InvalidInput) as refused:
        a_proposal(session, Viewer(account_id=worker.account_id, admin=True), r, scope_place_id=r.street.id)
    assert refused.value.field == "scope"


@pytest.mark.parametrize(("fields", "field"), [
    ({"title": "  "}, "title"), ({"title": "长" * 201}, "title"), ({"matter": "nonsense"}, "matter"),
    ({"description": "x" * 5001}, "description"), ({"scope_place_id": None}, "scope"),
])
def test_bad_proposals_are_refused_with_the_field(session, register, make_account, fields, field, resident):
    with pytest.raises(InvalidInput) as refused:
        a_proposal(session, resident(register.zhang), register, **fields)
    assert refused.value.field == field
    session.rollback()
    assert session.execute(select(func.count()).select_from(VoteProposal)).scalar_one() == 0


def test_one_support_per_household(session, register, make_account, resident):
    r = register
    proposal = a_proposal(session, resident(r.zhang), r)
    support(session, resident(r.li), proposal)
    with pytest.raises(Conflict, match="Your household already supports this proposal"):
        support(session, resident(r.wang), proposal)  # 王芳 lives in 李娜's household
    session.rollback()
    rows = session.execute(select(ProposalSupport.household_id).where(ProposalSupport.proposal_id == proposal.id)).all()
    assert rows == [(r.li_home.id,)]


def test_only_households_of_the_place_may_support(session, register, make_account, resident):
    r = register
    proposal = a_proposal(session, resident(r.zhang), r, scope_place_id=r.building.id)
    elsewhere = add_person(session, "别处居民")
    add_household(session, r.far, elsewhere)
    loner = add_person(session, "没有户的人")
    session.commit()
    for person in (elsewhere, loner):
        with pytest.raises(PermissionDenied, match="no household of yours there"):
            support(session, resident(person), proposal)
        session.rollback()
    with pytest.raises(PermissionDenied):  # signed in, but not linked to anyone in the register
        support(session, Viewer(account_id=make_account("无人").id), proposal)
    session.rollback()
    assert proposals.supporting_households(session, proposal.id) == 0


# ---- the duty to schedule -------------------------------------------------------------------------

def test_staff_of_the_place_and_above_are_told_once(session, register, make_account, resident):
    r = register  # 2 households: one support is half, well over a fifth
    community = staff(make_account, r.community, "北环社区工作人员")
    street = staff(make_account, r.street, "街道工作人员")
    other = staff(make_account, r.other_community, "沙湖社区工作人员")
    make_account("管理员", roles=[(Role.administrator, ScopeType.global_, 0)])
    proposal = a_proposal(session, resident(r.zhang), r)
    assert support(session, resident(r.zhang), proposal).reached_now
    support(session, resident(r.li), proposal)  # more support does not tell anyone again
    told = session.execute(select(Notification.account_id, Notification.url)
                           .order_by(Notification.account_id)).all()
    url = f"/votes/proposals/{proposal.id}"
    assert told == [(community.account_id, url), (street.account_id, url)]
    assert other.account_id not in {a for a, _u in told}
    actions = session.execute(select(AuditEvent.action).where(AuditEvent.object_type == "vote_proposal")
                              .order_by(AuditEvent.id)).scalars().all()
    assert actions == ["proposal.created", "proposal.supported", "proposal.must_schedule", "proposal.supported"]


def test_scheduling_links_the_vote_and_tells_who_asked(session, register, make_account, resident):
    r = register
    worker = staff(make_account, r.community)
    zhang, li = resident(r.zhang), resident(r.li)
    proposal = a_proposal(session, zhang, r)
    support(session, li, proposal)
    session.execute(Notification.__table__.delete())
    vote = proposals.schedule(session, viewer=worker, proposal_id=proposal.id, title="加装电梯表决",
                              description="", matter="residents-matter", kind="yes_no", secret=False,
                              opens_at=NOW + timedelta(days=1), closes_at=NOW + timedelta(days=8), now=NOW)
    session.commit()
    stored = session.get(VoteProposal, proposal.id)
    assert (stored.status, stored.vote_id) == (ProposalStatus.scheduled, vote.id)
    assert session.get(Vote, vote.id).scope_place_id == r.compound.id
    told = set(session.execute(select(Notification.account_id).where(Notification.url == f"/votes/{vote.id}")).scalars())
    assert told == {zhang.account_id, li.account_id}
    with pytest.raises(Conflict):
        proposals.schedule(session, viewer=worker, proposal_id=proposal.id, title="再来一次", description="",
                           matter="poll", kind="yes_no", secret=False, opens_at=NOW + timedelta(days=1),
                           closes_at=NOW + timedelta(days=8), now=NOW)


def test_only_staff_of_the_place_schedule_and_nothing_is_written_otherwise(session, register, make_account, resident):
    r = register
    proposal = a_proposal(session, resident(r.zhang), r)
    for viewer in (staff(make_account, r.other_community), resident(r.li)):
        with pytest.raises(PermissionDenied):
            proposals.schedule(session, viewer=viewer, proposal_id=proposal.id, title="x", description="",
                               matter="poll", kind="yes_no", secret=False, opens_at=NOW,
                               closes_at=NOW + timedelta(days=1), now=NOW)
        session.rollback()
    with pytest.raises(InvalidInput):  # staff, but a bad vote: the proposal stays as it was
        proposals.schedule(session, viewer=staff(make_account, r.community), proposal_id=proposal.id, title="x",
                           description="", matter="poll", kind="yes_no", secret=False, opens_at=NOW,
                           closes_at=NOW - timedelta(days=1), now=NOW)
    session.rollback()
    assert session.get(VoteProposal, proposal.id).status == ProposalStatus.gathering
    assert session.execute(select(func.count()).select_from(Vote)).scalar_one() == 0
    with pytest.raises(NotFound):
        proposals.schedule(session, viewer=staff(make_account, r.community, "另一位"), proposal_id=999_999,
                           title="x", description="", matter="poll", kind="yes_no", secret=False, opens_at=NOW,
                           closes_at=NOW + timedelta(days=1), now=NOW)


def test_the_proposer_withdraws_only_while_gathering(session, register, make_account, resident):
    r = register
    zhang, li = resident(r.zhang), resident(r.li)
    proposal = a_proposal(session, zhang, r)
    with pytest.raises(PermissionDenied):
        proposals.withdraw(session, viewer=li, proposal_id=proposal.id, now=NOW)
    session.rollback()
    support(session, li, proposal)  # a half: the threshold is reached
    with pytest.raises(Conflict):
        proposals.withdraw(session, viewer=zhang, proposal_id=proposal.id, now=NOW)
    session.rollback()
    early = a_proposal(session, zhang, r, title="另一个提议")
    assert proposals.withdraw(session, viewer=zhang, proposal_id=early.id, now=NOW).status == ProposalStatus.withdrawn
    session.commit()
    with pytest.raises(Conflict, match="no longer gathers support"):
        support(session, li, early)


def test_households_supporting_at_once_still_reach_the_threshold(session, engine, register, make_account,
                                                                   resident):
    r = register
    people = fill_households(session, r.building2, 38)  # 40 households: 8 are a fifth
    worker = staff(make_account, r.community)
    proposal = a_proposal(session, resident(r.zhang), r)
    supporters = [resident(person) for person in people[:8]]
    start, errors = threading.Barrier(len(supporters)), []

    def back(viewer) -> None:
        try:
            start.wait()
            with session_scope(engine) as s:
                proposals.support(s, viewer=viewer, proposal_id=proposal.id, now=NOW)
        except Exception as exc:  # every supporter must get an answer; collect rather than lose it
            errors.append(exc)

    threads = [threading.Thread(target=back, args=(v,)) for v in supporters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    session.rollback()
    session.expire_all()
    # Were supports not taken in turn, each could count only its own among the committed ones and all miss 8.
    assert errors == [] and session.get(VoteProposal, proposal.id).status == ProposalStatus.must_schedule
    told = session.execute(select(Notification.account_id)).scalars().all()
    assert told == [worker.account_id]


# ---- what the pages read -------------------------------------------------------------------------

def test_the_list_reads_support_for_a_whole_page_in_five_queries(session, register, make_account, resident):
    r = register
    fill_households(session, r.building2, 8)
    zhang = resident(r.zhang)
    for n in range(6):
        proposal = a_proposal(session, zhang, r, title=f"提议{n}")
    support(session, zhang, proposal)
    a_proposal(session, zhang, r, title="一栋的提议", scope_place_id=r.building.id)
    with selects(session) as seen:
        page = proposal_queries.list_proposals(session, number=1, size=50)
    assert len(seen) <= 5 and page.total == 7
    first = page.items[0]  # newest first: building 1 has 张伟's and 李娜's households
    assert (first.title, first.place, first.support.households, first.support.needed) == ("一栋的提议", "北环社区 › 南苑村小区 › 1栋", 2, 1)
    supported = next(p for p in page.items if p.title == "提议5")
    assert (supported.support.supporting, supported.support.households, supported.support.needed) == (1, 10, 2)
    assert [p.title for p in proposal_queries.list_proposals(session, number=1, size=50,
                                                                status="withdrawn").items] == []


def test_the_proposal_page_knows_the_viewers_household(session, register, make_account, resident):
    r = register
    zhang, wang = resident(r.zhang), resident(r.wang)
    proposal = a_proposal(session, zhang, r)
    support(session, resident(r.li), proposal)
    page = proposal_queries.proposal_page(session, proposal_id=proposal.id, viewer=wang)
    assert page.my_household == r.li_home.id and page.my_household_supports and not page.can_support
    mine = proposal_queries.proposal_page(session, proposal_id=proposal.id, viewer=zhang)
    assert mine.is_proposer and mine.can_support and not mine.can_withdraw  # must_schedule now
    assert (mine.support.supporting, mine.support.households, mine.support.reached) == (1, 2, True)
    worker = proposal_queries.proposal_page(session, proposal_id=proposal.id, viewer=staff(make_account, r.street))
    assert worker.is_staff and worker.my_household is None


def test_form_choices(session, register, make_account):
    r = register
    homes = scheduling.home_scopes(session, person_id=r.wang.id, on=date(2026, 11, 24))
    assert [c.label for c in homes] == ["北环社区", "北环社区 › 南苑村小区", "北环社区 › 南苑村小区 › 1栋",
                                        "北环社区 › 南苑村小区 › 2栋", "沙湖社区", "沙湖社区 › 沙湖苑小区",
                                        "沙湖社区 › 沙湖苑小区 › 1栋"]
    managed = scheduling.managed_scopes(session, viewer=staff(make_account, r.other_community))
    assert [c.id for c in managed] == [r.other_community.id, r.other_compound.id, r.other_building.id]
    everything = scheduling.managed_scopes(session, viewer=Viewer(account_id=None, admin=True))
    assert len(everything) == 7  # two communities, two compounds, three buildings
    assert scheduling.managed_scopes(session, viewer=Viewer(account_id=None)) == []
    words = {m.value: m.rule.render() for m in scheduling.matter_choices()}
    assert words["cn278-7-rebuild"] == "needs ≥ 2/3 of owners and of floor area taking part, and ≥ 3/4 of them approving"
    assert words["residents-matter"] == "needs > 1/2 of residents taking part, and > 1/2 of them approving"
    assert words["poll"] == "no quorum; needs > 1/2 of the yes and no votes"


def test_wide_scopes_leave_buildings_out(session, register, monkeypatch):
    monkeypatch.setattr(scheduling, "SCOPE_CHOICES_MAX", 5)
    labels = [c.label for c in scheduling.managed_scopes(session, viewer=Viewer(account_id=None, admin=True))]
    assert labels == ["北环社区", "北环社区 › 南苑村小区", "沙湖社区", "沙湖社区 › 沙湖苑小区"]
