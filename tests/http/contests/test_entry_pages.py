"""Entry pages: starting, editing, submitting and withdrawing an entry, its team and images, screening, the
entry page itself (budget, map point, progress, results), updates and comments — each page's happy path, bad
input (400, the form with a field error, nothing written), signed-out visitors sent to sign in, and a number
of SQL statements that does not grow with the pledges and comments."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from civic import uploads
from civic.auth.models import Account
from civic.contests.models import (
    BudgetLine,
    ContestEntry,
    EntryComment,
    EntryImage,
    EntryMember,
    EntryStatus,
    EntryUpdate,
    MaterialNeed,
    Phase,
    Pledge,
    PledgeKind,
)
from tests.http.contests import PNG, entry_world, sign_in
from tests.statements import recorded

FORM = {"title": "楼道微花园", "summary": "把楼道变成花园", "beneficiaries": "1栋居民", "plan": "**先清理**，再种花",
        "money_goal": "2,000", "hours_goal": "40", "latitude": "30.5434", "longitude": "114.3416", "place": "",
        "budget-0-item": "花盆", "budget-0-amount": "300", "budget-1-item": "土", "budget-1-amount": "450.50",
        "material-0-item": "花盆", "material-0-quantity": "20", "material-0-unit": "个"}


def count(session, model, *where) -> int:
    session.rollback()
    return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


@pytest.fixture
def w(session, make_account):
    return entry_world(session, make_account, Phase.submission, status=EntryStatus.submitted)


# ---- starting an entry ----------------------------------------------------------------------------------

def test_a_resident_starts_an_entry_and_sees_it_as_a_draft(client, session, w):
    sign_in(client, session, w.zhang)
    page = client.get(f"/contests/{w.contest.id}/entries/new")
    assert page.status_code == 200 and "南苑村小区" in page.text and 'name="budget-2-item"' in page.text
    answer = client.post_form(f"/contests/{w.contest.id}/entries/new", {**FORM, "place": str(w.r.compound.id)})
    assert answer.status_code == 303
    session.rollback()
    entry = session.execute(select(ContestEntry).where(ContestEntry.title == "楼道微花园")).scalar_one()
    assert answer.headers["location"] == f"/contests/entries/{entry.id}"
    assert (entry.status, entry.money_goal_fen, entry.place_id) == (EntryStatus.draft, 2_000_00, w.r.compound.id)
    page = client.get(answer.headers["location"])
    text = page.text
    assert "saved as a draft" in text and "only your team sees it" in text
    assert "¥750.50" in text and "differs from the budget" in text  # total, and the goal is not equal to it
    assert "latitude 30.54340, longitude 114.34160" in text and "南苑村小区" in text
    assert "<strong>先清理</strong>" in text and "¥0.00 of ¥2,000.00 (0%)" in text
    assert f'action="/contests/entries/{entry.id}/submit"' in text
    sign_in(client, session, w.staff)
    assert client.get(answer.headers["location"]).status_code == 404  # a draft is its team's only


def test_bad_input_comes_back_with_every_problem_and_nothing_is_written(client, session, w):
    sign_in(client, session, w.zhang)
    before = count(session, ContestEntry)
    page = client.post_form(f"/contests/{w.contest.id}/entries/new",
                            {**FORM, "title": "", "money_goal": "很多", "latitude": "30.5", "longitude": "",
                             "budget-1-amount": "abc"})
    assert page.status_code == 400
    for message in ("Give the entry a title.", "Enter the money goal in yuan", "Give both the latitude and the longitude",
                    "Budget line 2: enter the amount in yuan"):
        assert message in page.text
    assert 'id="title-error"' in page.text and 'value="很多"' in page.text and 'value="abc"' in page.text
    assert count(session, ContestEntry) == before and count(session, BudgetLine) == 0


def test_a_place_outside_the_contest_is_refused(client, session, w):
    sign_in(client, session, w.zhang)
    page = client.post_form(f"/contests/{w.contest.id}/entries/new", {**FORM, "place": str(w.r.other_compound.id)})
    assert page.status_code == 400 and 'id="place-error"' in page.text


def test_signed_out_visitors_are_sent_to_sign_in_and_others_refused(client, session, w):
    url = f"/contests/{w.contest.id}/entries/new"
    for answer in (client.get(url), client.post_form(url, FORM)):
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next=")
    sign_in(client, session, w.stranger)
    assert client.get(url).status_code == 403
    for path in ("edit", "team", "images", "withdraw"):
        sign_in(client, session, w.anonymous)
        assert client.get(f"{w.url}/{path}").headers["location"].startswith("/login?next=")
        sign_in(client, session, w.zhang)
        assert client.get(f"{w.url}/{path}").status_code == 403


# ---- editing, submitting, withdrawing -----------------------------------------------------------------

def test_the_team_edits_its_entry(client, session, w):
    sign_in(client, session, w.wang)
    page = client.get(f"{w.url}/edit")
    assert page.status_code == 200 and 'value="李娜的书角"' in page.text and 'value="2000.00"' in page.text
    assert client.post_form(f"{w.url}/edit", {**FORM, "title": "新书角"}).status_code == 303
    session.rollback()
    session.expire_all()
    assert session.get(ContestEntry, w.entry.id).title == "新书角"
    assert count(session, MaterialNeed, MaterialNeed.entry_id == w.entry.id) == 1
    bad = client.post_form(f"{w.url}/edit", {**FORM, "hours_goal": "many"})
    assert bad.status_code == 400 and 'id="hours_goal-error"' in bad.text
    assert "Total of the budget lines: ¥750.50. Note: the money goal differs from it." in bad.text
    session.rollback()
    session.expire_all()
    assert session.get(ContestEntry, w.entry.id).hours_goal == 40


def test_submitting_needs_a_summary_and_withdrawing_asks_first(client, session, w):
    w.entry.status, w.entry.summary, w.entry.plan = EntryStatus.draft, "", "计划"
    session.commit()
    sign_in(client, session, w.li)
    page = client.post_form(f"{w.url}/submit")
    assert page.status_code == 400 and "Write a summary before submitting the entry." in page.text
    assert 'id="summary-error"' in page.text
    client.post_form(f"{w.url}/edit", FORM)
    assert client.post_form(f"{w.url}/submit").status_code == 303
    session.rollback()
    session.expire_all()
    assert session.get(ContestEntry, w.entry.id).status == EntryStatus.submitted
    page = client.get(f"{w.url}/withdraw")
    assert page.status_code == 200 and "Withdraw “楼道微花园” from the contest?" in page.text
    assert client.post_form(f"{w.url}/withdraw").status_code == 303
    session.rollback()
    session.expire_all()
    assert session.get(ContestEntry, w.entry.id).status == EntryStatus.withdrawn
    assert "Withdrawn by its team." in client.get(w.url).text


# ---- team and images ------------------------------------------------------------------------------------

def test_the_lead_adds_and_removes_members(client, session, w):
    sign_in(client, session, w.li)
    zhang = session.get(Account, w.zhang.account_id)
    page = client.get(f"{w.url}/team")
    assert page.status_code == 200 and "王芳" in page.text and 'name="contact"' in page.text
    bad = client.post_form(f"{w.url}/team", {"contact": "nobody@example.test"})
    assert bad.status_code == 400 and 'id="contact-error"' in bad.text
    assert client.post_form(f"{w.url}/team", {"contact": zhang.email}).status_code == 303
    session.rollback()
    member = session.execute(select(EntryMember.id).where(EntryMember.account_id == zhang.id)).scalar_one()
    answer = client.post_form(f"/contests/members/{member}/remove")
    assert answer.status_code == 303 and answer.headers["location"] == f"{w.url}/team"
    assert count(session, EntryMember, EntryMember.entry_id == w.entry.id) == 2
    sign_in(client, session, w.wang)  # a member sees the team but has no forms
    page = client.get(f"{w.url}/team")
    assert page.status_code == 200 and 'name="contact"' not in page.text


def upload(client, url, data: bytes, name: str, content_type: str, alt: str = "楼道的样子"):
    return client.post(url, data={"alt": alt, "csrf_token": client.csrf_token()},
                       files={"file": (name, data, content_type)})


def test_images_are_typed_by_their_content(client, session, w):
    sign_in(client, session, w.li)
    url = f"{w.url}/images"
    assert client.get(url).status_code == 200
    answer = upload(client, url, PNG, "photo.jpg", "image/jpeg")  # a PNG renamed .jpg
    assert answer.status_code == 303
    session.rollback()
    image = session.execute(select(EntryImage)).scalar_one()
    assert session.get(uploads.StoredFile, image.file_id).content_type == "image/png"
    text = upload(client, url, b"just some text", "notes.png", "image/png")
    assert text.status_code == 400 and "not a PNG, JPEG or WebP image" in text.text and 'id="file-error"' in text.text
    big = upload(client, url, PNG + bytes(2 * 1024 * 1024 - len(PNG) + 1), "big.png", "image/png")
    assert big.status_code == 400 and "too large" in big.text
    no_alt = upload(client, url, PNG, "a.png", "image/png", alt="")
    assert no_alt.status_code == 400 and 'id="alt-error"' in no_alt.text
    assert count(session, EntryImage) == 1 and count(session, uploads.StoredFile) == 1
    page = client.get(w.url).text
    assert f'<img src="/files/{image.file_id}" alt="楼道的样子"' in page
    assert client.post_form(f"/contests/images/{image.id}/remove").status_code == 303
    assert count(session, EntryImage) == 0 and count(session, uploads.StoredFile) == 0


# ---- screening ----------------------------------------------------------------------------------------

def test_staff_screen_from_their_list_and_the_reason_is_public(client, session, make_account):
    w = entry_world(session, make_account, Phase.screening, status=EntryStatus.submitted)
    sign_in(client, session, w.staff)
    page = client.get(f"/contests/{w.contest.id}/screening")
    assert page.status_code == 200 and "李娜的书角" in page.text and "1 entry waits for a decision." in page.text
    bad = client.post_form(f"{w.url}/screen", {"decision": "reject", "reason": ""})
    assert bad.status_code == 400 and "Give the public reason" in bad.text and f'id="{w.entry.id}-reason-error"' in bad.text
    answer = client.post_form(f"{w.url}/screen", {"decision": "reject", "reason": "项目不在本社区"})
    assert answer.status_code == 303 and answer.headers["location"].endswith(f"/screening#entry-{w.entry.id}")
    sign_in(client, session, w.anonymous)
    assert "Not accepted at screening: 项目不在本社区" in client.get(w.url).text
    sign_in(client, session, w.li)
    assert client.get(f"/contests/{w.contest.id}/screening").status_code == 403


# ---- the page, updates and comments ------------------------------------------------------------------------

def test_updates_and_comments(client, session, make_account):
    w = entry_world(session, make_account, Phase.backing)
    sign_in(client, session, w.wang)
    assert client.post_form(f"{w.url}/updates", {"body": ""}).status_code == 400
    answer = client.post_form(f"{w.url}/updates", {"body": "买好了**花盆**"})
    assert answer.status_code == 303 and "#update-" in answer.headers["location"]
    sign_in(client, session, w.stranger)
    bad = client.post_form(f"{w.url}/comments", {"body": "  "})
    assert bad.status_code == 400 and 'id="comment-body-error"' in bad.text
    answer = client.post_form(f"{w.url}/comments", {"body": "支持！"})
    session.rollback()
    comment = session.execute(select(EntryComment)).scalar_one()
    assert answer.status_code == 303 and answer.headers["location"] == f"{w.url}?page=last#comment-{comment.id}"
    page = client.get(answer.headers["location"]).text
    assert "<strong>花盆</strong>" in page and "支持！" in page
    assert client.post_form(f"/contests/comments/{comment.id}/hide", {"reason": "x"}).status_code == 403
    sign_in(client, session, w.staff)
    bad = client.post_form(f"/contests/comments/{comment.id}/hide", {"reason": ""})
    assert bad.status_code == 400 and f'id="hide-{comment.id}-reason-error"' in bad.text
    assert client.post_form(f"/contests/comments/{comment.id}/hide", {"reason": "广告"}).status_code == 303
    sign_in(client, session, w.anonymous)
    page = client.get(w.url).text
    assert "hidden by a moderator: 广告" in page and "支持！" not in page and "Sign in to comment" in page
    sign_in(client, session, w.staff)
    assert client.post_form(f"/contests/comments/{comment.id}/restore").status_code == 303
    assert count(session, EntryUpdate) == 1


def test_the_comments_are_paginated_and_htmx_gets_only_the_list(client, session, make_account):
    w = entry_world(session, make_account, Phase.backing)
    start = w.now - timedelta(hours=1)
    session.add_all([EntryComment(entry_id=w.entry.id, author_id=w.zhang.account_id, body=f"评论{n:02d}",
                                  created_at=start + timedelta(seconds=n)) for n in range(25)])
    session.commit()
    first = client.get(w.url).text
    assert "评论00" in first and "评论19" in first and "评论20" not in first and "Page 1 of 2" in first
    part = client.get(f"{w.url}?page=2", headers={"HX-Request": "true"})
    assert part.status_code == 200 and part.text.lstrip().startswith('<section id="comments"')
    assert "评论24" in part.text and "评论00" not in part.text and "<html" not in part.text
    assert "评论24" in client.get(f"{w.url}?page=last").text


def test_after_the_results_the_entry_shows_its_rank_and_matching_funds(client, session, make_account):
    w = entry_world(session, make_account, Phase.results)
    w.entry.rank, w.entry.advances, w.entry.match_fen = 2, True, 40_000_00
    w.contest.backing_settled_at = w.contest.backing_closes_at
    session.commit()
    text = client.get(w.url).text
    assert "Ranked no. 2." in text and "Advances." in text and "Matching funds: ¥40,000.00." in text


def add_pledges_and_comments(session, w, n: int) -> None:
    at = w.now - timedelta(hours=1)
    session.add_all([Pledge(entry_id=w.entry.id, account_id=w.zhang.account_id, kind=PledgeKind.money,
                            amount_fen=1_00, created_at=at) for _ in range(n)])
    session.add_all([EntryComment(entry_id=w.entry.id, author_id=w.zhang.account_id, body=f"第{i}条",
                                  created_at=at + timedelta(seconds=i)) for i in range(n)])
    session.add_all([EntryUpdate(entry_id=w.entry.id, author_id=w.li.account_id, body=f"进展{i}", created_at=at)
                     for i in range(n)])
    session.commit()


@pytest.mark.parametrize("who", ["anonymous", "zhang", "staff"])
def test_the_entry_page_runs_the_same_statements_for_1_or_50_pledges_and_comments(client, session, engine,
                                                                                   make_account, who):
    w = entry_world(session, make_account, Phase.backing, hours_goal=10)
    session.add(MaterialNeed(entry_id=w.entry.id, item="花盆", quantity=20, unit="个"))
    session.commit()
    sign_in(client, session, getattr(w, who))

    def statements() -> int:
        client.get(w.url)  # warm: a signed-in user is cached after the first page
        with recorded(engine) as seen:
            assert client.get(w.url).status_code == 200
        return len(seen)

    add_pledges_and_comments(session, w, 1)
    one = statements()
    add_pledges_and_comments(session, w, 49)
    assert statements() == one <= 20, one
