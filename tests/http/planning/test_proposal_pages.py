"""Proposal pages over HTTP: adding a proposal drawn, typed as coordinates (the way without JavaScript) or
from the register, with photos typed by their content; bad input back on the form with nothing written;
editing; support, following, comments, hiding, statuses and themes — each as a redirect and, with HTMX, as its
own block; planners' notes; and a proposal page whose statements do not grow with its comments."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from civic import clock, uploads
from civic.auth.models import Account
from civic.planning.models import (
    Phase,
    PlanningAnnotation,
    PlanningComment,
    PlanningPhoto,
    PlanningProposal,
    PlanningStatusChange,
    PlanningTheme,
    ProposalStatus,
)
from tests.statements import recorded
from tests.unit.planning.builders import CENTRE, HALF, add_proposal, build_planning_world, inside_point

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
LON, LAT = CENTRE
HTMX = {"HX-Request": "true"}


def sign_in(client, session, viewer) -> None:
    client.cookies.clear()
    if viewer.account_id is not None:
        client.login_as(session.get(Account, viewer.account_id))


def count(session, model, *where) -> int:
    session.rollback()
    return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


@pytest.fixture
def w(session, make_account):
    """Discovery, on the real clock; 李娜's proposal; 南苑村小区 has a point in the register."""
    w = build_planning_world(session, make_account, phase=Phase.discovery, now=clock.now())
    w.r.compound.geojson = json.dumps(inside_point(0.002, 0.001))
    session.commit()
    w.proposal = add_proposal(session, w, author=w.li, title="李娜的长椅", category="idea", place_label="花园东侧")
    w.url = f"/planning/proposals/{w.proposal.id}"
    w.new = f"/planning/{w.project.id}/proposals/new"
    return w


def form(w, **changes) -> dict:
    return {"title": "南门路灯太暗", "category": str(w.categories["pain"].id), "description": "晚上**看不见**",
            "place_label": "南门外的路灯", "geometry": json.dumps(inside_point(0.001)), "latitude": "",
            "longitude": "", "register_place": "", **changes}


def post(client, url, data, files=None, headers=None):
    return client.post(url, data={**data, "csrf_token": client.csrf_token()}, files=files, headers=headers)


def newest(session) -> PlanningProposal:
    session.rollback()
    return session.execute(select(PlanningProposal).order_by(PlanningProposal.id.desc())).scalars().first()


# ---- adding and editing -------------------------------------------------------------------------------------

def test_a_resident_adds_a_drawn_proposal_with_a_photo(client, session, w):
    sign_in(client, session, w.zhang)
    page = client.get(w.new)
    assert page.status_code == 200
    text = page.text
    assert 'data-geometry-target="geometry"' in text and 'data-mode="draw"' in text
    assert '<input type="hidden" id="geometry" name="geometry" value="">' in text
    assert "Or give the place without the map" in text and 'name="latitude"' in text
    assert f'<option value="{w.r.compound.id}">南苑村小区</option>' in text
    assert f'id="category-{w.categories["beauty"].id}"' in text and "beauty</label>" in text  # words, not colour only
    answer = post(client, w.new, form(w), files={"photo-0": ("lamp.jpg", PNG, "image/jpeg"),  # a PNG named .jpg
                                                 "photo-0-alt": (None, "南门外漆黑的路")})
    assert answer.status_code == 303
    made = newest(session)
    assert answer.headers["location"] == f"/planning/proposals/{made.id}"
    photo = session.execute(select(PlanningPhoto).where(PlanningPhoto.proposal_id == made.id)).scalar_one()
    assert session.get(uploads.StoredFile, photo.file_id).content_type == "image/png"
    text = client.get(answer.headers["location"]).text
    for words in ("南门路灯太暗", "pain", "new, not yet reviewed", "南门外的路灯", "point", "<strong>看不见</strong>",
                  f"latitude {LAT:.6f}, longitude {LON + 0.001:.6f}", f'<img src="/files/{photo.file_id}" alt="南门外漆黑的路"',
                  "Your proposal is on the map", "You follow this proposal"):
        assert words in text, words
    sign_in(client, session, w.anonymous)
    served = client.get(f"/files/{photo.file_id}")
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"


def test_without_javascript_the_place_is_typed_or_chosen_from_the_register(client, session, w):
    sign_in(client, session, w.zhang)
    answer = post(client, w.new, form(w, geometry="", latitude=f"{LAT + 0.002}", longitude=f"{LON}"))
    assert answer.status_code == 303
    assert (newest(session).kind, newest(session).lat) == ("point", pytest.approx(LAT + 0.002))
    answer = post(client, w.new, form(w, geometry="", register_place=str(w.r.compound.id)))
    assert answer.status_code == 303 and newest(session).lon == pytest.approx(LON + 0.002)


def test_bad_input_comes_back_with_every_problem_and_nothing_is_written(client, session, w):
    sign_in(client, session, w.zhang)
    before = count(session, PlanningProposal)
    outside = json.dumps(inside_point(HALF * 3))
    page = post(client, w.new, form(w, title="", place_label="", geometry=outside),
                files={"photo-0": ("notes.png", b"just some text", "image/png"), "photo-0-alt": (None, "文字"),
                       "photo-1": ("big.png", PNG + bytes(2 * 1024 * 1024 - len(PNG) + 1), "image/png"),
                       "photo-1-alt": (None, "太大"), "photo-2": ("a.png", PNG, "image/png")})
    assert page.status_code == 400
    for field in ("title", "place_label", "geometry", "photo-0", "photo-1", "photo-2-alt"):
        assert f'id="{field}-error"' in page.text, field
    assert "outside the project&#39;s boundary" in page.text and "not a PNG, JPEG or WebP" in page.text
    assert '<input type="hidden" id="geometry" name="geometry" value="">' in page.text  # the refused shape is gone
    assert 'value="晚上**看不见**"' not in page.text and "晚上**看不见**</textarea>" in page.text
    assert count(session, PlanningProposal) == before and count(session, uploads.StoredFile) == 0
    typed = post(client, w.new, form(w, geometry="", latitude="north", longitude=f"{LON}"))
    assert typed.status_code == 400 and 'id="latitude-error"' in typed.text and 'value="north"' in typed.text


def test_signed_out_visitors_sign_in_and_strangers_are_refused(client, session, w):
    for answer in (client.get(w.new), post(client, w.new, form(w)), post(client, f"{w.url}/support", {})):
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next=")
    assert post(client, f"{w.url}/support", {}).headers["location"] == f"/login?next=/planning/proposals/{w.proposal.id}"
    sign_in(client, session, w.stranger)
    assert client.get(w.new).status_code == 403


def test_the_author_edits_until_the_planners_take_it_up(client, session, w):
    sign_in(client, session, w.li)
    page = client.get(f"{w.url}/edit")
    assert page.status_code == 200 and 'value="李娜的长椅"' in page.text and 'value="花园东侧"' in page.text
    assert "Leave all of this empty to keep the place as it is." in page.text
    answer = post(client, f"{w.url}/edit", form(w, title="两张长椅", geometry="", place_label="花园东侧"),
                  files={"photo-0": ("a.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 " + bytes(20), "image/webp"),
                         "photo-0-alt": (None, "花园")})
    assert answer.status_code == 303
    session.rollback()
    session.expire_all()
    edited = session.get(PlanningProposal, w.proposal.id)
    assert (edited.title, edited.lon) == ("两张长椅", pytest.approx(LON)) and count(session, PlanningPhoto) == 1
    photo = session.execute(select(PlanningPhoto)).scalar_one()
    assert 'name="remove_photo"' in client.get(f"{w.url}/edit").text
    assert post(client, f"{w.url}/edit", {**form(w, geometry=""), "remove_photo": str(photo.id)}).status_code == 303
    assert count(session, PlanningPhoto) == 0 and count(session, uploads.StoredFile) == 0
    sign_in(client, session, w.zhang)
    assert client.get(f"{w.url}/edit").status_code == 403
    w.proposal.status = ProposalStatus.under_review
    session.merge(w.proposal)
    session.commit()
    sign_in(client, session, w.li)
    assert client.get(f"{w.url}/edit").status_code == 409


# ---- on the proposal page -------------------------------------------------------------------------------------

def test_support_and_follow_redirect_or_swap_their_block(client, session, w):
    sign_in(client, session, w.zhang)
    page = client.get(w.url).text
    assert f'hx-post="/planning/proposals/{w.proposal.id}/support"' in page and "0 residents support" in page
    answer = post(client, f"{w.url}/support", {})
    assert answer.status_code == 303 and answer.headers["location"] == f"{w.url}#support"
    again = post(client, f"{w.url}/support", {}, headers=HTMX)  # a double click: told in place
    assert again.status_code == 200 and "You already support this proposal." in again.text
    block = post(client, f"{w.url}/unsupport", {}, headers=HTMX)
    assert block.status_code == 200 and block.text.lstrip().startswith('<div id="support-block"')
    assert "<html" not in block.text and "0 residents support" in block.text and "taken back" in block.text
    block = post(client, f"{w.url}/support", {}, headers=HTMX)
    assert "1 resident supports this proposal." in block.text and "Take my support back" in block.text
    assert "Stop following" in block.text
    assert "Stop following" not in post(client, f"{w.url}/unfollow", {}, headers=HTMX).text
    sign_in(client, session, w.li)
    assert "You wrote this proposal" in client.get(w.url).text
    assert post(client, f"{w.url}/support", {}).status_code == 403


def test_comments_are_posted_hidden_and_paginated(client, session, w):
    sign_in(client, session, w.zhang)
    bad = post(client, f"{w.url}/comments", {"body": "  "})
    assert bad.status_code == 400 and 'id="comment-body-error"' in bad.text
    bad = post(client, f"{w.url}/comments", {"body": "  "}, headers=HTMX)
    assert bad.status_code == 200 and bad.text.lstrip().startswith('<section id="comments"')
    assert 'id="comment-body-error"' in bad.text
    answer = post(client, f"{w.url}/comments", {"body": "第一条"})
    assert answer.status_code == 303 and answer.headers["location"].startswith(f"{w.url}?page=last#comment-")
    block = post(client, f"{w.url}/comments?page=last", {"body": "<b>支持</b>\n好主意"}, headers=HTMX)
    assert "&lt;b&gt;支持&lt;/b&gt;" in block.text and "Your comment has been posted." in block.text
    session.rollback()
    made = session.execute(select(PlanningComment).where(PlanningComment.body != "第一条")).scalar_one()
    assert post(client, f"/planning/comments/{made.id}/hide", {}).status_code == 403
    sign_in(client, session, w.planner)
    block = post(client, f"/planning/comments/{made.id}/hide?page=1", {}, headers=HTMX)
    assert "hidden by a moderator" in block.text and "shown to moderators only" in block.text
    sign_in(client, session, w.anonymous)
    page = client.get(w.url).text
    assert "hidden by a moderator" in page and "支持" not in page and "Sign in to comment" in page
    start = clock.now() - timedelta(hours=1)
    session.rollback()
    session.add_all([PlanningComment(proposal_id=w.proposal.id, author_id=w.zhang.account_id, body=f"评论{n:02d}",
                                     created_at=start + timedelta(seconds=n)) for n in range(25)])
    session.commit()
    part = client.get(f"{w.url}?page=2", headers=HTMX)
    assert part.text.lstrip().startswith('<section id="comments"') and "评论24" in part.text
    assert "评论00" not in part.text and "Page 2 of 2" in part.text
    sign_in(client, session, w.zhang)  # a new comment shows on the last page, where it is
    block = post(client, f"{w.url}/comments?page=last", {"body": "最新的"}, headers=HTMX)
    assert "最新的" in block.text and "Page 2 of 2" in block.text


def test_planners_move_the_proposal_on_and_group_it(client, session, w):
    session.add(PlanningTheme(project_id=w.project.id, name="花园更好用"))
    session.commit()
    sign_in(client, session, w.zhang)
    assert "Move the proposal on" not in client.get(w.url).text
    assert post(client, f"{w.url}/status", {"status": "under_review"}).status_code == 403
    sign_in(client, session, w.planner)
    page = client.get(w.url).text
    assert 'value="under_review"' in page and 'value="declined"' in page and 'value="built"' not in page
    bad = post(client, f"{w.url}/status", {"status": "declined", "reason": ""})
    assert bad.status_code == 400 and 'id="status-reason-error"' in bad.text
    bad = post(client, f"{w.url}/status", {"status": "declined", "reason": ""}, headers=HTMX)
    assert bad.status_code == 200 and bad.text.lstrip().startswith('<section id="status"')
    assert "Give the public reason for declining" in bad.text
    block = post(client, f"{w.url}/status", {"status": "under_review", "reason": ""}, headers=HTMX)
    assert "under review</strong>" in block.text and 'value="in_plan"' in block.text
    answer = post(client, f"{w.url}/status", {"status": "declined", "reason": "不在项目范围内"})
    assert answer.status_code == 303 and answer.headers["location"] == f"{w.url}#status"
    session.rollback()
    theme = session.execute(select(PlanningTheme)).scalar_one()
    block = post(client, f"{w.url}/theme", {"theme": str(theme.id)}, headers=HTMX)
    assert "Grouped under the design theme “花园更好用”." in block.text
    assert post(client, f"{w.url}/theme", {"theme": "abc"}).status_code == 400
    sign_in(client, session, w.anonymous)
    page = client.get(w.url).text
    assert "not taken up</strong>: 不在项目范围内" in page and "moved it from under review to not taken up — 不在项目范围内" in page
    assert count(session, PlanningStatusChange) == 2


def test_planners_put_notes_on_the_map_and_take_them_off(client, session, w):
    url = f"/planning/{w.project.id}/annotations/new"
    sign_in(client, session, w.zhang)
    assert client.get(url).status_code == 403
    sign_in(client, session, w.planner)
    page = client.get(url)
    assert page.status_code == 200 and 'data-mode="draw"' in page.text and 'id="visibility-internal"' in page.text
    bad = post(client, url, {"title": "", "body": "", "visibility": "internal", "geometry": "", "latitude": "",
                             "longitude": "", "register_place": ""})
    assert bad.status_code == 400 and 'id="title-error"' in bad.text and 'id="geometry-error"' in bad.text
    answer = post(client, url, {"title": "地下管线", "body": "施工注意", "visibility": "internal", "geometry": "",
                                "latitude": f"{LAT}", "longitude": f"{LON}", "register_place": ""})
    assert answer.status_code == 303 and answer.headers["location"] == f"/planning/{w.project.id}"
    session.rollback()
    note = session.execute(select(PlanningAnnotation)).scalar_one()
    delete = f"/planning/annotations/{note.id}/delete"
    sign_in(client, session, w.zhang)
    assert client.get(delete).status_code == 404 and post(client, delete, {}).status_code == 404
    sign_in(client, session, w.planner)
    page = client.get(delete)
    assert page.status_code == 200 and "Delete the note “地下管线”?" in page.text
    assert post(client, delete, {}).status_code == 303 and count(session, PlanningAnnotation) == 0


def test_the_proposal_page_runs_the_same_statements_for_1_or_30_comments_steps_and_photos(client, session, engine,
                                                                                         w):
    def grow(n: int) -> None:
        at = clock.now() - timedelta(hours=2)
        for i in range(n):
            session.add(PlanningComment(proposal_id=w.proposal.id, author_id=w.zhang.account_id, body=f"第{i}条",
                                        created_at=at + timedelta(seconds=i)))
            session.add(PlanningStatusChange(proposal_id=w.proposal.id, from_status="received",
                                             to_status="under_review", changed_by=w.planner.account_id, changed_at=at))
            stored = uploads.store(session, data=PNG, uploaded_by=w.li.account_id)
            session.add(PlanningPhoto(proposal_id=w.proposal.id, file_id=stored.id, alt=f"图{i}"))
        session.commit()

    def statements(viewer) -> int:
        sign_in(client, session, viewer)
        client.get(w.url)  # warm: a signed-in user is cached after the first page
        with recorded(engine) as seen:
            assert client.get(w.url).status_code == 200
        return len(seen)

    grow(1)
    one = {name: statements(getattr(w, name)) for name in ("anonymous", "zhang", "planner")}
    grow(29)
    assert {name: statements(getattr(w, name)) for name in ("anonymous", "zhang", "planner")} == one
    assert max(one.values()) <= 16, one


def test_a_draft_projects_proposal_is_not_found_for_residents(client, session, make_account):
    w = build_planning_world(session, make_account, phase=Phase.draft, now=clock.now())
    proposal = add_proposal(session, w, author=w.zhang)
    for viewer, status in ((w.zhang, 404), (w.anonymous, 404), (w.planner, 200), (w.staff, 200)):
        sign_in(client, session, viewer)
        assert client.get(f"/planning/proposals/{proposal.id}").status_code == status
