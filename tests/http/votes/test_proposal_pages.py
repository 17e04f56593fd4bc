"""Residents' proposal pages: proposing, supporting per household, the duty to schedule, and scheduling."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from civic.auth.models import Role, ScopeType
from civic.places.models import Household
from civic.votes.models import ProposalSupport, Vote, VoteProposal
from tests.unit.places.builders import add_person, build_register

STAFF = (Role.staff, ScopeType.place)


def add_household(session, unit, *people) -> Household:
    household = Household(unit_id=unit.id, label=unit.number)
    session.add(household)
    session.flush()
    for person in people:
        person.household_id = household.id
    return household


@pytest.fixture
def r(session, make_account):
    """build_register with two households in 南苑村小区 (张伟's; 李娜's with 王芳) and their accounts."""
    r = build_register(session)
    add_household(session, r.u101, r.zhang)
    add_household(session, r.u102, r.li, r.wang)
    session.commit()
    # English accounts: notifications are written in the recipient's language, and these tests read English.
    r.zhang_account = make_account("张伟", person_id=r.zhang.id, locale="en")
    r.li_account = make_account("李娜", person_id=r.li.id, locale="en")
    r.wang_account = make_account("王芳", person_id=r.wang.id, locale="en")
    r.staff = make_account("北环社区工作人员", roles=[(*STAFF, r.community.id)], locale="en")
    r.other_staff = make_account("沙湖社区工作人员", roles=[(*STAFF, r.other_community.id)], locale="en")
    return r


def propose(client, r, **changes) -> str:
    form = {"scope": str(r.compound.id), "title": "加装电梯", "description": "为老人加装电梯。",
            "matter": "residents-matter"}
    form.update(changes)
    done = client.post_form("/votes/proposals/new", form)
    assert done.status_code == 303, done.text
    return done.headers["location"]


def fresh(session, model, id_):
    session.rollback()
    session.expire_all()
    return session.get(model, id_)


def test_a_resident_proposes_for_a_place_they_live_in(client, session, r):
    client.login_as(r.wang_account)  # 王芳 lives in 南苑村小区 and owns a flat in 沙湖苑小区
    form = client.get("/votes/proposals/new")
    assert form.status_code == 200 and 'name="csrf_token"' in form.text
    assert "北环社区 › 南苑村小区" in form.text and "沙湖社区 › 沙湖苑小区" in form.text
    location = propose(client, r)
    page = client.get(location)
    assert "Your proposal is published." in page.text and "加装电梯" in page.text
    assert "0 of 2 households — needs 1" in page.text
    proposal = session.execute(select(VoteProposal)).scalar_one()
    assert location == f"/votes/proposals/{proposal.id}" and proposal.proposed_by == r.wang_account.id


def test_proposing_needs_a_home_in_the_place(client, session, r, make_account):
    assert client.get("/votes/proposals/new").headers["location"] == "/login?next=/votes/proposals/new"
    client.login_as(r.zhang_account)
    assert "沙湖" not in client.get("/votes/proposals/new").text
    refused = client.post_form("/votes/proposals/new", {"scope": str(r.other_compound.id), "title": "x",
                                                        "matter": "residents-matter"})
    assert refused.status_code == 403
    client.login_as(make_account("新用户"))
    assert "Link your account to your home" in client.get("/votes/proposals/new").text
    assert session.execute(select(VoteProposal)).first() is None


def test_a_bad_proposal_is_shown_with_its_field(client, session, r):
    client.login_as(r.zhang_account)
    page = client.post_form("/votes/proposals/new", {"scope": str(r.compound.id), "title": "  ",
                                                     "description": "说明", "matter": "residents-matter"})
    assert page.status_code == 400
    assert '<p class="field-error" id="title-error">Give the proposal a title.' in page.text
    assert "说明" in page.text
    assert session.execute(select(VoteProposal)).first() is None


def test_households_support_once_and_the_threshold_obliges_staff(client, session, r):
    client.login_as(r.zhang_account)
    location = propose(client, r)
    proposal_id = int(location.rsplit("/", 1)[1])
    listing = client.get("/votes/proposals")
    assert "0 of 2 households — needs 1" in listing.text and "gathering support" in listing.text
    client.login_as(r.li_account)
    page = client.get(location)
    assert "Support on behalf of my household" in page.text and "Staff must schedule" not in page.text
    assert client.post_form(f"{location}/support").status_code == 303
    page = client.get(location)
    assert "Your household&#39;s support has been recorded." in page.text
    assert "1 of 2 households — needs 1" in page.text and "Your household supports this proposal." in page.text
    assert "Staff must schedule this vote (Organic Law of Urban Residents Committees, Art. 10)." in page.text
    assert "Schedule it" not in page.text  # residents see the duty, staff the link
    client.login_as(r.wang_account)  # same household as 李娜
    again = client.post_form(f"{location}/support")
    assert again.status_code == 409 and "Your household already supports this proposal." in again.text
    client.login_as(r.staff)
    staff_page = client.get(location)
    assert f'href="/votes/new?proposal={proposal_id}">Schedule it</a>' in staff_page.text
    inbox = client.get("/inbox/")
    assert "staff must schedule it: 加装电梯" in inbox.text
    assert session.execute(select(ProposalSupport.account_id)).scalars().all() == [r.li_account.id]


def test_outsiders_and_anonymous_cannot_support(client, session, r, make_account):
    client.login_as(r.zhang_account)
    location = propose(client, r)
    client.cookies.clear()
    anonymous = client.post_form(f"{location}/support")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    outsider = add_person(session, "沙湖居民")
    add_household(session, r.far, outsider)
    session.commit()
    client.login_as(make_account("沙湖居民", person_id=outsider.id))
    assert "no household of yours there" in client.get(location).text
    refused = client.post_form(f"{location}/support")
    assert refused.status_code == 403 and "no household of yours there" in refused.text
    assert session.execute(select(ProposalSupport)).first() is None
    assert client.post_form("/votes/proposals/999/support").status_code == 404


def test_staff_schedule_the_proposal_from_the_prefilled_form(client, session, r):
    client.login_as(r.zhang_account)
    location = propose(client, r, description="第一段。")
    proposal_id = int(location.rsplit("/", 1)[1])
    client.login_as(r.li_account)
    client.post_form(f"{location}/support")
    client.login_as(r.other_staff)
    assert client.get(f"/votes/new?proposal={proposal_id}").status_code == 403
    client.login_as(r.staff)
    form = client.get(f"/votes/new?proposal={proposal_id}")
    assert form.status_code == 200
    assert 'value="加装电梯"' in form.text and "第一段。" in form.text
    assert f'name="proposal" value="{proposal_id}"' in form.text and 'name="scope"' not in form.text
    assert '<option value="residents-matter" selected>' in form.text
    bad = client.post_form("/votes/new", {"proposal": str(proposal_id), "title": "加装电梯表决",
                                          "matter": "residents-matter", "kind": "yes_no", "ballots": "named",
                                          "opens_at": "2030-03-01T09:00", "closes_at": "2030-02-01T09:00"})
    assert bad.status_code == 400 and "The vote must close after it opens." in bad.text
    assert fresh(session, VoteProposal, proposal_id).status == "must_schedule"
    done = client.post_form("/votes/new", {"proposal": str(proposal_id), "title": "加装电梯表决",
                                           # a forged scope is ignored: the vote is held where it was proposed
                                           "scope": str(r.other_compound.id),
                                           "matter": "residents-matter", "kind": "yes_no", "ballots": "named",
                                           "opens_at": "2030-03-01T09:00", "closes_at": "2030-03-08T09:00"})
    assert done.status_code == 303
    session.rollback()  # read what the app committed, not this session's earlier snapshot
    vote = session.execute(select(Vote)).scalar_one()
    assert vote.scope_place_id == r.compound.id and done.headers["location"] == f"/votes/{vote.id}"
    proposal = fresh(session, VoteProposal, proposal_id)
    assert (proposal.status, proposal.vote_id) == ("scheduled", vote.id)
    page = client.get(location)
    assert f'href="/votes/{vote.id}">加装电梯表决</a>' in page.text and "vote scheduled" in page.text
    assert client.get(f"/votes/new?proposal={proposal_id}").status_code == 409
    client.login_as(r.li_account)
    assert "The vote you asked for has been scheduled: 加装电梯表决" in client.get("/inbox/").text


def test_the_proposer_withdraws(client, session, r):
    client.login_as(r.zhang_account)
    location = propose(client, r)
    client.login_as(r.li_account)
    assert "Withdraw my proposal" not in client.get(location).text
    assert client.post_form(f"{location}/withdraw").status_code == 403
    client.login_as(r.zhang_account)
    assert client.post_form(f"{location}/withdraw").status_code == 303
    page = client.get(location)
    assert "Your proposal has been withdrawn." in page.text and "Support on behalf" not in page.text
    assert "withdrawn" in client.get("/votes/proposals?status=withdrawn").text
    assert "No proposals with this status." in client.get("/votes/proposals?status=gathering").text


def test_the_list_is_public_and_links_proposing(client, r):
    listing = client.get("/votes/proposals")
    assert listing.status_code == 200 and "No proposals yet." in listing.text
    assert "Sign in to propose a vote" in listing.text
    client.login_as(r.zhang_account)
    assert 'href="/votes/proposals/new"' in client.get("/votes/proposals").text
    assert client.get("/votes/proposals/12345").status_code == 404
