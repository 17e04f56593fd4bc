"""Staff pages of a vote: paper ballot batches (enter, confirm by a second staff member, reject, resolve
conflicts) and proxy mandates (record, revoke), with permissions, 400s that change nothing, and forms
that carry the CSRF token."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from civic import clock
from civic.auth.models import Role, ScopeType
from civic.places.rules import Viewer
from civic.votes import service
from civic.votes.models import Ballot, PaperBatch, PaperEntry, ProxyMandate
from tests.http.votes.test_vote_pages import make_vote
from tests.statements import recorded
from tests.unit.places.builders import build_register


@pytest.fixture
def world(session, make_account):
    r = build_register(session)
    w = type("World", (), {})()
    w.r, w.vote = r, make_vote(session, r)
    w.a = make_account("李娟", roles=[(Role.staff, ScopeType.place, r.community.id)])
    w.b = make_account("周敏", roles=[(Role.staff, ScopeType.place, r.community.id)])
    w.paper, w.proxies = f"/votes/{w.vote.id}/paper", f"/votes/{w.vote.id}/proxies"
    return w


def count(session, model) -> int:
    session.rollback()
    session.expire_all()
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def batch_id(session) -> int:
    session.rollback()
    return session.execute(select(PaperBatch.id).order_by(PaperBatch.id.desc())).scalars().first()


def forms_carry_csrf(html: str) -> bool:
    posts = re.findall(r'<form method="post".*?</form>', html, flags=re.S)
    return bool(posts) and all('name="csrf_token"' in form for form in posts)


def test_staff_see_the_tools_on_the_vote_page_and_residents_do_not(client, session, world, make_account):
    w = world
    client.login_as(w.a)
    page = client.get(f"/votes/{w.vote.id}")
    assert "Staff tools" in page.text and f'href="{w.paper}"' in page.text and f'href="{w.proxies}"' in page.text
    client.login_as(make_account("张伟", person_id=w.r.zhang.id))
    assert "Staff tools" not in client.get(f"/votes/{w.vote.id}").text


def test_a_batch_entered_by_one_staff_member_counts_once_another_confirms_it(client, session, world):
    w = world
    client.login_as(w.a)
    form = client.get(w.paper)
    assert form.status_code == 200 and "Enter a batch" in form.text and forms_carry_csrf(form.text)
    entered = client.post_form(w.paper, {"lines": "1栋 101, 同意\n1栋 102，no\n", "note": "一号票箱"})
    assert entered.status_code == 303 and entered.headers["location"] == w.paper
    mine = client.get(w.paper)
    assert "has been entered" in mine.text and "waiting for a second staff member" in mine.text
    assert "You entered this batch" in mine.text and "Confirm and count" not in mine.text
    assert count(session, Ballot) == 0
    bid = batch_id(session)
    refused = client.post_form(f"{w.paper}/batches/{bid}/confirm")
    assert refused.status_code == 403 and "another staff member" in refused.text
    assert count(session, Ballot) == 0

    client.login_as(w.b)
    theirs = client.get(w.paper)
    assert "Confirm and count" in theirs.text and "1栋 101" in theirs.text and forms_carry_csrf(theirs.text)
    confirmed = client.post_form(f"{w.paper}/batches/{bid}/confirm")
    assert confirmed.status_code == 303
    assert "Ballots counted: 2; conflicts to resolve: 0." in client.get(w.paper).text
    assert count(session, Ballot) == 2
    assert "2 / 2" in client.get(f"/votes/{w.vote.id}").text  # the turnout meter counts them
    again = client.post_form(f"{w.paper}/batches/{bid}/confirm")
    assert again.status_code == 409


def test_bad_lines_re_render_the_form_with_each_problem_and_change_nothing(client, session, world):
    w = world
    client.login_as(w.a)
    text = "1栋 101, yes\n9栋 901, yes\n1栋 102 no\n1栋101, perhaps\n"
    page = client.post_form(w.paper, {"lines": text, "note": ""})
    assert page.status_code == 400
    assert "Line 2: “9栋 901” is not on the roll of this vote." in page.text
    assert "Line 3: write the unit or voter key, a comma, then the choice." in page.text
    assert "Line 4: “1栋101” is the same voter as line 1" in page.text
    assert "1栋 102 no" in page.text  # what was typed is kept for correcting
    assert count(session, PaperBatch) == 0 and count(session, PaperEntry) == 0


def test_a_conflict_is_shown_and_resolved_with_a_reason(client, session, world, make_account):
    w = world
    client.login_as(make_account("张伟", person_id=w.r.zhang.id))
    client.post_form(f"/votes/{w.vote.id}/ballot", {"choice": "no"})
    client.login_as(w.a)
    client.post_form(w.paper, {"lines": "1栋 101, yes", "note": ""})
    bid = batch_id(session)
    client.login_as(w.b)
    assert "yes: this line will be a conflict" in client.get(w.paper).text
    client.post_form(f"{w.paper}/batches/{bid}/confirm")
    page = client.get(w.paper)
    assert "conflicts to resolve: 1" in page.text and "Resolve this conflict" in page.text
    assert "Counted ballot: cast online" in page.text
    session.rollback()
    entry = session.execute(select(PaperEntry.id)).scalar_one()
    missing = client.post_form(f"{w.paper}/conflicts/{entry}/resolve", {"keep": "paper", "reason": ""})
    assert missing.status_code == 400 and "Say why" in missing.text
    session.rollback()
    session.expire_all()
    assert session.execute(select(Ballot.channel)).scalar_one() == "web"
    resolved = client.post_form(f"{w.paper}/conflicts/{entry}/resolve", {"keep": "paper", "reason": "业主到场确认"})
    assert resolved.status_code == 303
    assert "now counts in place of the earlier one" in client.get(w.paper).text
    session.rollback()
    session.expire_all()
    assert session.execute(select(Ballot.choice, Ballot.channel)).one() == ("yes", "paper")


def test_a_batch_is_rejected_only_with_a_reason(client, session, world):
    w = world
    client.login_as(w.a)
    client.post_form(w.paper, {"lines": "1栋 101, yes", "note": ""})
    bid = batch_id(session)
    client.login_as(w.b)
    missing = client.post_form(f"{w.paper}/batches/{bid}/reject", {"reason": " "})
    assert missing.status_code == 400 and "Say why the batch is rejected" in missing.text
    rejected = client.post_form(f"{w.paper}/batches/{bid}/reject", {"reason": "票面与录入不符"})
    assert rejected.status_code == 303
    page = client.get(w.paper)
    assert "Rejected by 周敏" in page.text and "Reason: 票面与录入不符" in page.text
    assert count(session, Ballot) == 0


@pytest.mark.parametrize("path", ["paper", "proxies"])
def test_non_staff_get_403_and_anonymous_are_sent_to_sign_in(client, session, world, make_account, path):
    w = world
    url = getattr(w, path)
    anonymous = client.get(url)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    assert client.post_form(url, {}).status_code == 303
    client.login_as(make_account("张伟", person_id=w.r.zhang.id))
    assert client.get(url).status_code == 403
    client.login_as(make_account("陈静", roles=[(Role.staff, ScopeType.place, w.r.other_community.id)]))
    assert client.get(url).status_code == 403
    refused = client.post_form(url, {"lines": "1栋 101, yes", "voter": "1栋 101", "proxy": "x@example.test",
                                     "evidence": "e", "note": ""})
    assert refused.status_code == 403
    assert count(session, PaperBatch) == 0 and count(session, ProxyMandate) == 0


def test_a_proxy_is_recorded_casts_on_the_vote_page_and_can_then_no_longer_be_revoked(client, session, world,
                                                                                     make_account):
    w = world
    proxy = make_account("赵磊", email="zhao@example.test")
    client.login_as(w.a)
    page = client.get(w.proxies)
    assert page.status_code == 200 and "Record a mandate" in page.text and forms_carry_csrf(page.text)
    bad = client.post_form(w.proxies, {"voter": "1栋 102", "proxy": "nobody@example.test", "evidence": "委托书"})
    assert bad.status_code == 400 and "No active account" in bad.text and count(session, ProxyMandate) == 0
    done = client.post_form(w.proxies, {"voter": "1栋 102", "proxy": "zhao@example.test", "evidence": "委托书原件存档"})
    assert done.status_code == 303
    listed = client.get(w.proxies)
    assert "赵磊" in listed.text and "委托书原件存档" in listed.text and "Revoke this mandate" in listed.text

    client.login_as(proxy)
    vote_page = client.get(f"/votes/{w.vote.id}")
    key = re.search(r'name="for_key" value="([^"]+)"', vote_page.text).group(1)
    cast = client.post_form(f"/votes/{w.vote.id}/ballot", {"choice": "yes", "for_key": key})
    assert cast.status_code == 303
    session.rollback()
    assert session.execute(select(Ballot.channel, Ballot.cast_by)).one() == ("proxy", proxy.id)

    client.login_as(w.b)
    used = client.get(w.proxies)
    assert "used to vote" in used.text and "Revoke this mandate" not in used.text
    session.rollback()
    mandate = session.execute(select(ProxyMandate.id)).scalar_one()
    assert client.post_form(f"{w.proxies}/{mandate}/revoke").status_code == 409


def test_an_unused_mandate_is_revoked(client, session, world, make_account):
    w = world
    make_account("赵磊", email="zhao@example.test")
    client.login_as(w.a)
    client.post_form(w.proxies, {"voter": "1栋 101", "proxy": "zhao@example.test", "evidence": "委托书"})
    session.rollback()
    mandate = session.execute(select(ProxyMandate.id)).scalar_one()
    revoked = client.post_form(f"{w.proxies}/{mandate}/revoke")
    assert revoked.status_code == 303
    assert "has been revoked" in client.get(w.proxies).text
    session.rollback()
    session.expire_all()
    assert session.get(ProxyMandate, mandate).revoked_at is not None


def test_the_paper_page_takes_the_same_number_of_queries_whatever_the_number_of_batches(client, session, world,
                                                                                        engine):
    w = world
    client.login_as(w.a)
    def queries() -> int:
        with recorded(engine) as statements:
            assert client.get(w.paper).status_code == 200
        return len(statements)

    client.post_form(w.paper, {"lines": "1栋 101, yes", "note": ""})
    few = queries()
    for line in ("1栋 102, no", "1栋 101, no", "1栋 102, abstain"):
        client.post_form(w.paper, {"lines": line, "note": ""})
    assert queries() == few


def test_after_the_vote_closes_the_pages_show_the_record_without_forms(client, session, make_account):
    r = build_register(session)
    now = clock.now()
    vote = service.create_vote(session, viewer=Viewer(account_id=None, staff_place_ids=frozenset({r.community.id})),
                               scope_place_id=r.compound.id, title="已结束的表决", description="", matter="poll",
                               kind="yes_no", secret=False, opens_at=now - timedelta(hours=2),
                               closes_at=now - timedelta(hours=1), now=now - timedelta(hours=3))
    session.commit()
    client.login_as(make_account("李娟", roles=[(Role.staff, ScopeType.place, r.community.id)]))
    paper_page = client.get(f"/votes/{vote.id}/paper")
    assert paper_page.status_code == 200 and "only while the vote is open" in paper_page.text
    assert f'action="/votes/{vote.id}/paper"' not in paper_page.text
    proxies_page = client.get(f"/votes/{vote.id}/proxies")
    assert proxies_page.status_code == 200 and "proxy mandates can no longer be recorded" in proxies_page.text
    assert client.post_form(f"/votes/{vote.id}/paper", {"lines": "1栋 101, yes"}).status_code == 409
