"""The clause page: text, versions, amendments and comment threads for anyone; comment pagination and its HTMX
fragment; diffs between two versions and between two moments of the whole covenant; the address
notifications carry; a constant number of queries however many comments there are."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from civic.covenants import amendments, service
from civic.covenants.models import ClauseComment, CovenantStatus
from tests.http.covenants.clause_world import comment, propose, sign_in, world
from tests.statements import recorded
from tests.unit.covenants.builders import LATER, NOW, PETS

S = CovenantStatus


@pytest.fixture
def settings(settings):
    """Two comment threads a page, so that a few comments make pages."""
    return dataclasses.replace(settings, page_size=2)


@pytest.fixture
def w(session, make_account):
    return world(session, make_account)


def main(html: str) -> str:
    """The page's own content, without the header (whose language switch is a form too)."""
    return html.split('<main id="main"', 1)[1]


def test_anyone_sees_the_clause_with_its_versions_amendments_and_comments(client, session, make_account):
    w = world(session, make_account, S.consultation)
    propose(session, w)
    first = comment(session, w, "遛狗要牵绳。")
    comment(session, w, "赞成。", viewer=w.zhang, parent_id=first.id)
    page = client.get(w.url)
    assert page.status_code == 200, page.text
    body = main(page.text)
    assert f'<a href="/covenants/{w.covenant.id}">南苑村小区文明公约</a>' in body and "北环社区 › 南苑村小区" in body
    assert "<h1>文明养犬</h1>" in body and f'<div class="clause-text">{PETS}</div>' in body
    assert "Version 1, saved by 周敏 at" in body and w.v1.sha256 in body
    assert "Amendment by 李娜" in body and "更准确" in body and ">open</span>" in body
    assert "<del><span class=\"visually-hidden\">[deleted: </span>犬" in body
    assert "<ins><span class=\"visually-hidden\">[inserted: </span>牵引" in body
    assert "Key: <ins>inserted text</ins> <del>deleted text</del>" in body
    # The thread: the reply in a list nested in its comment's item.
    assert body.index('id="comment-1"') < body.index('<ol class="replies"') < body.index('id="comment-2"')
    assert "遛狗要牵绳。" in body and "赞成。" in body
    assert f'href="/login?next=/covenants/clauses/{w.clause.id}"' in body and "Sign in to comment" in body
    assert "<form" not in body  # no forms for an anonymous reader: nothing they could send would work


def test_the_text_keeps_its_line_breaks_and_is_escaped(client, session, w):
    service.edit_clause(session, viewer=w.drafter, clause_id=w.clause.id, based_on_version_id=w.v1.id,
                        text="第一行<b>\n第二行", now=LATER)
    session.commit()
    body = main(client.get(w.url).text)
    assert '<div class="clause-text">第一行&lt;b&gt;\n第二行</div>' in body


def test_versions_credit_the_proposer_of_an_accepted_amendment_and_link_diffs(client, session, make_account):
    w = world(session, make_account, S.consultation)
    amendment = propose(session, w)
    amendments.accept_amendment(session, viewer=w.drafter, amendment_id=amendment.id, now=LATER)
    rejected = propose(session, w, viewer=w.zhang, text=PETS + "违者劝导。", reason="补充")
    amendments.reject_amendment(session, viewer=w.staff, amendment_id=rejected.id, reason="已有规定", now=LATER)
    session.commit()
    body = main(client.get(w.url).text)
    assert body.index('id="version-2"') < body.index('id="version-1"')  # newest first
    assert f'<a href="#amendment-{amendment.id}">amendment proposed by 李娜</a>' in body and "accepted by 周敏" in body
    assert f"/covenants/clauses/{w.clause.id}/diff?from=1&amp;to=2" in body
    assert "Version 2, saved by 周敏" in body
    assert 'It became version 2.' in body and "Accepted by 周敏 at" in body
    assert "Rejected by 社区工作人员 at" in body and "已有规定" in body
    assert '<select id="compare-from" name="from">' in body


def test_comment_threads_are_paginated_and_htmx_gets_the_threads_only(client, session, w):
    for n in range(5):
        comment(session, w, f"意见{n}")
    first = client.get(w.url)
    assert "意见4" in first.text and "意见3" in first.text and "意见2" not in first.text  # newest first, two a page
    base = f"/covenants/clauses/{w.clause.id}?comments=2"
    assert (f'<a href="{base}#comments" hx-get="{base}" hx-target="#comments" hx-swap="outerHTML" '
            'hx-push-url="true" rel="next">Next</a>') in first.text
    second = client.get(base)
    assert "<html" in second.text and "意见2" in second.text and "意见1" in second.text and "意见4" not in second.text
    fragment = client.get(base, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers["vary"]
    assert "<html" not in fragment.text and "Current text" not in fragment.text
    assert fragment.text.lstrip().startswith('<section id="comments"')
    assert "意见2" in fragment.text and "Page 2 of 3" in fragment.text and 'rel="prev"' in fragment.text
    assert client.get(f"/covenants/clauses/{w.clause.id}?comments=x").status_code == 200  # odd numbers: page 1


def test_signed_in_viewers_follow_and_unfollow(client, session, w):
    sign_in(client, w, "zhang")
    assert "Follow this clause" in client.get(w.url).text
    done = client.post_form(f"{w.url}/follow")
    assert done.status_code == 303 and done.headers["location"] == f"{w.url}#follow"
    page = client.get(w.url).text
    assert "You follow this clause: you will be told of new amendments." in page and "Stop following" in page
    assert client.post_form(f"{w.url}/unfollow").status_code == 303
    assert "Follow this clause" in client.get(w.url).text
    sign_in(client, w, "anonymous")
    assert client.post_form(f"{w.url}/follow").headers["location"] == f"/login?next=/covenants/clauses/{w.clause.id}"


def test_no_such_clause_is_404(client, w):
    assert client.get("/covenants/clauses/999999").status_code == 404


# ---- diffs ------------------------------------------------------------------------------------------


def edit(session, w, text: str, now, based_on=None):
    result = service.edit_clause(session, viewer=w.drafter, clause_id=w.clause.id,
                                 based_on_version_id=(based_on or service.current_version(session, w.clause)).id,
                                 text=text, now=now)
    session.commit()
    return result.version


def test_two_versions_compared_inline_and_side_by_side(client, session, w):
    edit(session, w, PETS.replace("束犬绳", "束牵引绳"), LATER)
    page = client.get(f"{w.url}/diff?from=1&to=2")
    assert page.status_code == 200
    body = main(page.text)
    assert "From version 1 to version 2." in body and "Key: <ins>inserted text</ins>" in body
    assert body.count("[inserted: </span>牵引") == 2  # inline, and in the new column
    assert body.count("[deleted: </span>犬") == 2
    assert '<p class="diff-column-label">Version 1</p>' in body and '<p class="diff-column-label">Version 2</p>' in body
    assert '<option value="2" selected>' in body
    same = main(client.get(f"{w.url}/diff?from=2&to=2").text)
    assert "No changes: the two texts are the same." in same and "diff-columns" not in same


@pytest.mark.parametrize(("query", "status"), [("", 400), ("from=1", 400), ("from=a&to=2", 400),
                                                ("from=1&to=7", 404), ("from=0&to=1", 400)])
def test_bad_version_numbers(client, session, w, query, status):
    edit(session, w, PETS + "违者劝导。", LATER)
    page = client.get(f"{w.url}/diff?{query}")
    assert page.status_code == status
    if status == 400:
        assert "Choose two version numbers to compare." in page.text
    else:
        assert "This clause has no such version." in page.text


def test_the_whole_covenant_between_two_moments(client, session, w):
    url = f"/covenants/{w.covenant.id}/diff"
    empty = client.get(url)
    assert empty.status_code == 200 and "there is nothing to compare yet" in empty.text  # one moment only
    edit(session, w, PETS.replace("束犬绳", "束牵引绳"), LATER)
    noise = service.add_clause(session, viewer=w.drafter, covenant_id=w.covenant.id, template="noise",
                               now=LATER + timedelta(hours=1))
    session.commit()
    page = client.get(url)
    assert page.status_code == 200
    body = main(page.text)
    assert body.count("<option value=") == 6  # three moments, in each of the two lists
    assert f'<option value="{NOW.isoformat()}" selected>' in body
    assert f'<option value="{(LATER + timedelta(hours=1)).isoformat()}" selected>' in body
    assert "2 clauses changed." in body and "From version 1 to version 2." in body
    assert "[inserted: </span>牵引" in body and ">added</span>" in body and noise.heading in body
    earlier = main(client.get(url, params={"from": NOW.isoformat(), "to": LATER.isoformat()}).text)
    assert "1 clause changed." in earlier and ">added</span>" not in earlier
    service.remove_clause(session, viewer=w.drafter, clause_id=noise.id, now=LATER + timedelta(hours=2))
    session.commit()
    later = main(client.get(url, params={"from": (LATER + timedelta(hours=1)).isoformat()}).text)
    assert ">removed</span>" in later and "No changes (version 2)." in later
    assert client.get(url, params={"from": "yesterday"}).status_code == 400
    assert client.get("/covenants/999999/diff").status_code == 404


# ---- queries ----------------------------------------------------------------------------------------


def add_comments(session, w, threads: int, replies: int) -> None:
    """Comments written straight into the table: `threads` first comments and `replies` replies among them."""
    rows = [{"clause_id": w.clause.id, "author_id": w.li.account_id, "body": f"意见{n}",
             "created_at": NOW + timedelta(seconds=n)} for n in range(threads)]
    session.execute(insert(ClauseComment), rows)
    roots = session.execute(select(ClauseComment.id).where(ClauseComment.clause_id == w.clause.id,
                                                           ClauseComment.root_id.is_(None))).scalars().all()
    if replies:
        session.execute(insert(ClauseComment), [
            {"clause_id": w.clause.id, "author_id": w.zhang.account_id, "body": f"回复{n}",
             "parent_id": roots[n % len(roots)], "root_id": roots[n % len(roots)],
             "created_at": LATER + timedelta(seconds=n)} for n in range(replies)])
    session.commit()


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_the_page_runs_the_same_queries_whatever_the_number_of_comments(client, session, engine, make_account,
                                                                          who):
    w = world(session, make_account, S.consultation)
    propose(session, w)
    sign_in(client, w, who)

    def queries() -> int:
        client.get(w.url)  # warm: a signed-in user is cached after the first page
        with recorded(engine, selects_only=True) as seen:
            assert client.get(w.url).status_code == 200
        return len(seen)

    none = queries()
    add_comments(session, w, 1, 0)
    one = queries()
    add_comments(session, w, 1000, 999)
    many = queries()
    assert many == one <= 12, (none, one, many)
    assert none == one - 1, (none, one, many)  # with no thread on the page, there are no replies to fetch
