"""Vote pages: list, detail with the live turnout block, casting with receipts, receipt checks."""

from __future__ import annotations

import re
from datetime import timedelta

from civic import clock
from civic.places.rules import Viewer
from civic.votes import service
from tests.unit.places.builders import build_register


def make_vote(session, r, *, hours=48):
    now = clock.now()
    vote = service.create_vote(session, viewer=Viewer(account_id=None, staff_place_ids=frozenset({r.community.id})),
                               scope_place_id=r.compound.id, title="更换物业服务企业", description="",
                               matter="cn278-4-property-manager", kind="yes_no", secret=False,
                               opens_at=now - timedelta(minutes=5), closes_at=now + timedelta(hours=hours), now=now)
    session.commit()
    return vote


def test_list_and_detail_show_the_vote_and_its_thresholds(client, session):
    r = build_register(session)
    vote = make_vote(session, r)
    listing = client.get("/votes")
    assert listing.status_code == 200 and "更换物业服务企业" in listing.text
    page = client.get(f"/votes/{vote.id}")
    assert page.status_code == 200
    assert "people taking part" in page.text and "0 / 2" in page.text
    assert vote.roll_fingerprint in page.text


def test_turnout_fragment_for_htmx_polling(client, session):
    r = build_register(session)
    vote = make_vote(session, r)
    fragment = client.get(f"/votes/{vote.id}?part=turnout", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text and "people taking part" in fragment.text


def test_a_representative_casts_changes_and_checks_the_receipt(client, session, make_account):
    r = build_register(session)
    vote = make_vote(session, r)
    client.login_as(make_account("张伟", person_id=r.zhang.id))
    first = client.post_form(f"/votes/{vote.id}/ballot", {"choice": "no"})
    assert first.status_code == 303
    page = client.get(f"/votes/{vote.id}")
    receipt = re.search(r"Receipt: ([0-9a-f]{16})", page.text).group(1)
    assert "1 / 2" in page.text
    client.post_form(f"/votes/{vote.id}/ballot", {"choice": "yes"})
    changed = client.get(f"/votes/{vote.id}")
    assert "Your ballot has been changed" in changed.text and "1 / 2" in changed.text
    check = client.get(f"/votes/{vote.id}/receipt", params={"code": receipt})
    assert "is on the bulletin board" in check.text
    bogus = client.get(f"/votes/{vote.id}/receipt", params={"code": "0" * 16})
    assert "is not on the bulletin board" in bogus.text


def test_a_bad_choice_re_renders_the_form_with_400(client, session, make_account):
    r = build_register(session)
    vote = make_vote(session, r)
    client.login_as(make_account("张伟", person_id=r.zhang.id))
    page = client.post_form(f"/votes/{vote.id}/ballot", {"choice": "maybe"})
    assert page.status_code == 400 and "Choose yes, no or abstain." in page.text


def test_someone_not_on_the_roll_is_refused_and_anonymous_is_sent_to_sign_in(client, session, make_account):
    r = build_register(session)
    vote = make_vote(session, r)
    anonymous = client.post_form(f"/votes/{vote.id}/ballot", {"choice": "yes"})
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    client.login_as(make_account("王芳", person_id=r.wang.id))  # co-owner, not the representative
    refused = client.post_form(f"/votes/{vote.id}/ballot", {"choice": "yes"})
    assert refused.status_code == 403
    assert "0 / 2" in client.get(f"/votes/{vote.id}").text


def test_unknown_vote_is_404(client):
    assert client.get("/votes/999").status_code == 404


def test_an_options_vote_offers_its_options_and_its_result_reads_in_the_readers_language(client, session,
                                                                                        make_account):
    r = build_register(session)
    now = clock.now()
    vote = service.create_vote(session, viewer=Viewer(account_id=None, staff_place_ids=frozenset({r.community.id})),
                               scope_place_id=r.compound.id, title="绿化方案", description="", matter="poll",
                               kind="options", secret=False, opens_at=now - timedelta(minutes=5),
                               closes_at=now + timedelta(hours=1), now=now, options=["口袋公园", "共享菜园"])
    session.commit()
    client.login_as(make_account("张伟", person_id=r.zhang.id))
    page = client.get(f"/votes/{vote.id}")
    assert 'value="option:1"' in page.text and "口袋公园" in page.text and 'value="yes"' not in page.text
    assert client.post_form(f"/votes/{vote.id}/ballot", {"choice": "option:2"}).status_code == 303
    assert "Counted: 共享菜园" in client.get(f"/votes/{vote.id}").text
    service.advance(session, vote=vote, now=now + timedelta(hours=2))
    session.commit()
    english = client.get(f"/votes/{vote.id}").text
    assert "Decided: 共享菜园 meets the approval rule." in english
    chinese = client.get(f"/votes/{vote.id}", headers={"Accept-Language": "zh-CN"})
    assert "已决定：共享菜园 达到通过标准。" in chinese.text


def test_a_description_is_markdown_rendered_safely(client, session):
    r = build_register(session)
    now = clock.now()
    vote = service.create_vote(session, viewer=Viewer(account_id=None, staff_place_ids=frozenset({r.community.id})),
                               scope_place_id=r.compound.id, title="停车", matter="poll", kind="yes_no", secret=False,
                               description="**每月 100 元**\n\n<script>alert(1)</script>",
                               opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(hours=1), now=now)
    session.commit()
    page = client.get(f"/votes/{vote.id}").text
    assert "<strong>每月 100 元</strong>" in page and "<script>alert(1)</script>" not in page
