"""`civic fixtures load demo`: the Wuchang demo register and accounts, loaded twice without change."""

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from civic import fixtures
from civic.auth.models import Account, RoleGrant
from civic.auth.passwords import verify_password
from civic.errors import InvalidInput
from civic.places import demo
from civic.places.models import Grid, Household, Person, Place, Unit, UnitLink
from civic.places.service import owner_roll
from civic.votes import chain
from civic.votes import demo as demo_votes
from civic.votes.models import Ballot, ProposalSupport, RollEntry, Vote, VoteProposal

TABLES = (Place, Unit, Person, UnitLink, Household, Grid, Account, RoleGrant)


def counts(session) -> dict[str, int]:
    session.rollback()
    return {t.__name__: session.execute(select(func.count()).select_from(t)).scalar_one() for t in TABLES}


def test_demo_loads_once_and_a_second_load_changes_nothing(engine, session):
    first = fixtures.load(engine, "demo", progress=False)
    assert first.startswith("Loaded the Wuchang demo register")
    assert "admin@civic.test" in first and fixtures.DEMO_PASSWORD in first
    loaded = counts(session)
    assert loaded["Unit"] >= 1500
    streets = session.execute(select(Place.name).where(Place.kind == "street")).scalars().all()
    assert sorted(streets) == sorted(demo.STREETS) and len(streets) == 14
    assert session.execute(select(Place.name).where(Place.kind == "district")).scalar_one() == "武昌区"
    second = fixtures.load(engine, "demo", progress=False)
    assert second.startswith("Demo data is already loaded: nothing changed.")
    assert counts(session) == loaded


def test_demo_register_has_what_the_roll_needs(engine, session):
    fixtures.load(engine, "demo", progress=False)
    session.rollback()
    beihuan = session.execute(select(Place.id).where(Place.name == "北环社区")).scalar_one()
    roll = owner_roll(session, place_id=beihuan, on=date(2026, 6, 1))
    owner2 = session.execute(select(Account.person_id).where(Account.email == "owner2@civic.test")).scalar_one()
    [key] = [k for k in roll.keys if k.key == f"owner:{owner2}"]
    assert len(key.unit_ids) == 2  # two units, one head
    assert len(roll.without_representative) == 1  # 南苑村小区 4栋 602 on purpose
    ningsong = session.execute(select(Place.id).where(Place.name == "宁松社区")).scalar_one()
    assert [k for k in owner_roll(session, place_id=ningsong, on=date(2026, 6, 1)).keys if k.developer]
    areas = session.execute(select(func.min(Unit.area_dm2), func.max(Unit.area_dm2))
                            .where(Unit.use == "residential")).one()
    assert areas[0] >= 4500 and areas[1] <= 16000
    assert session.execute(select(func.count()).select_from(Unit).where(Unit.use == "parking")).scalar_one() > 0
    compound_points = session.execute(select(Place.geojson).where(Place.kind.in_(["compound", "building"]))).scalars()
    for geometry in compound_points:
        assert geometry and '"Point"' in geometry
    households = session.execute(select(Grid.id, func.count(Household.id)).join(Household, Household.grid_id == Grid.id)
                                 .group_by(Grid.id)).all()
    assert households and all(100 <= n <= 450 for _g, n in households)


def test_every_demo_account_exists_with_the_demo_password(engine, session):
    """One load for all the accounts: the demo takes seconds to load, and the accounts do not interfere."""
    fixtures.load(engine, "demo", progress=False)
    session.rollback()
    tied = {"owner@civic.test", "owner2@civic.test", "tenant@civic.test"}
    for email, _name, expected, _scope, _ref, _purpose in fixtures.DEMO_ACCOUNTS:
        account = session.execute(select(Account).where(Account.email == email)).scalar_one()
        assert verify_password(account.password_hash, fixtures.DEMO_PASSWORD), email
        roles = set(session.execute(select(RoleGrant.role).where(RoleGrant.account_id == account.id)).scalars())
        assert roles == ({expected} if expected else set()), email
        assert (account.person_id is not None) == (email in tied), email


def test_unknown_data_set(engine):
    with pytest.raises(InvalidInput):
        fixtures.load(engine, "nope", progress=False)


def test_demo_votes_show_every_state_through_the_real_service(engine, session):
    fixtures.load(engine, "demo", progress=False)
    session.rollback()
    votes = {v.title: v for v in session.execute(select(Vote)).scalars()}
    parking, lift, renewal, greening, election = (votes[d.title] for d in demo_votes.DEMO_VOTES)
    assert parking.status == "open" and parking.rule_name == "cn278-ordinary"
    on_roll = session.execute(select(func.count()).where(RollEntry.vote_id == parking.id)).scalar_one()
    voted = session.execute(select(func.count()).where(Ballot.vote_id == parking.id)).scalar_one()
    assert 0 < voted < on_roll / 2  # partial turnout, still short of the quorum
    lift_result, renewal_result = json.loads(lift.result_json), json.loads(renewal.result_json)
    assert lift.status == "closed" and lift_result["quorum_met"] and lift_result["approved"]
    assert renewal.status == "closed" and not renewal_result["quorum_met"] and not renewal_result["approved"]
    assert greening.kind == "options" and greening.rule_name == "cn-residents-meeting" and greening.status == "open"
    assert election.secret and election.status == "closed"
    for vote in votes.values():
        assert chain.verify(session, vote_id=vote.id)[0]
    # The demo owner has not voted on the open vote, so a visitor signed in as them can.
    owner = session.execute(select(Account.person_id).where(Account.email == "owner@civic.test")).scalar_one()
    key = session.execute(select(RollEntry.voter_key).where(RollEntry.vote_id == parking.id,
                                                            RollEntry.representative_person_id == owner)).scalar_one()
    assert session.execute(select(Ballot).where(Ballot.vote_id == parking.id, Ballot.voter_key == key)).first() is None
    proposal = session.execute(select(VoteProposal)).scalar_one()
    supporters = session.execute(select(func.count()).where(ProposalSupport.proposal_id == proposal.id)).scalar_one()
    assert proposal.status == "gathering" and supporters == 2  # owner@'s household has not supported it yet
