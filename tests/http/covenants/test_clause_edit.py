"""Editing a clause over HTTP: saved, merged with a save made meanwhile, unchanged; a conflict (409) shows
both texts and the diff and saves nothing; bad input (400) comes back next to the field; who may edit."""

from __future__ import annotations

import re

import pytest

from civic.covenants import service
from civic.covenants.models import ClauseVersion, CovenantStatus
from tests.http.covenants.clause_world import count, sign_in, world
from tests.unit.covenants.builders import LATER, PETS, version
from tests.unit.covenants.builders import versions as _versions

S = CovenantStatus
START, END = "养犬人出户遛犬时", "养犬人及时制止。"


@pytest.fixture
def w(session, make_account):
    w = world(session, make_account)
    w.edit_url = f"{w.url}/edit"
    return w


def versions(session, clause) -> list[ClauseVersion]:
    """The clause's versions as the database has them now (a fresh transaction: the app wrote meanwhile)."""
    session.rollback()
    return _versions(session, clause)


def based_on(html: str) -> int:
    return int(re.search(r'name="based_on" value="(\d+)"', html).group(1))


def save(client, w, text: str, based_on_id: int):
    return client.post_form(w.edit_url, {"text": text, "based_on": str(based_on_id)})


def test_the_form_starts_from_the_current_version(client, session, w):
    sign_in(client, w, "drafter")
    form = client.get(w.edit_url)
    assert form.status_code == 200
    assert based_on(form.text) == w.v1.id and f">{PETS}</textarea>" in form.text
    assert '<label for="edit-text">Text of the clause</label>' in form.text and "Editing from version 1." in form.text


def test_a_save_makes_the_next_version(client, session, w):
    sign_in(client, w, "drafter")
    done = save(client, w, PETS + "违者劝导。", w.v1.id)
    assert done.status_code == 303 and done.headers["location"] == f"{w.url}#version-2"
    assert "Saved as version 2." in client.get(w.url).text
    assert [v.text for v in versions(session, w.clause)] == [PETS, PETS + "违者劝导。"]


def test_a_full_width_indent_and_line_breaks_are_kept(client, session, w):
    sign_in(client, w, "drafter")
    assert save(client, w, "　　第一行\r\n第二行  \r\n", w.v1.id).status_code == 303
    assert versions(session, w.clause)[-1].text == "　　第一行\n第二行"


def test_two_saves_from_one_version_that_do_not_overlap_are_merged(client, session, w):
    sign_in(client, w, "drafter")
    assert save(client, w, PETS.replace(START, "每位养犬人出户遛犬时"), w.v1.id).status_code == 303
    client.get(w.url)  # the first flash is shown
    sign_in(client, w, "staff")
    done = save(client, w, PETS.replace(END, "养犬人应当及时制止。"), w.v1.id)  # started from version 1 too
    assert done.status_code == 303 and done.headers["location"] == f"{w.url}#version-3"
    page = client.get(w.url).text
    assert ("Version 2 was saved while you were editing. Your changes did not overlap with it and were merged: "
            "saved as version 3.") in page
    last = versions(session, w.clause)[-1]
    assert last.number == 3 and last.source == "merge" and "每位养犬人" in last.text and "应当及时制止" in last.text
    assert "merged with the versions saved meanwhile" in page


def test_saving_the_same_text_changes_nothing(client, session, w):
    sign_in(client, w, "drafter")
    done = save(client, w, PETS, w.v1.id)
    assert done.status_code == 303
    assert "Nothing changed: the clause already says this." in client.get(w.url).text
    assert len(versions(session, w.clause)) == 1


def test_overlapping_saves_conflict_and_nothing_is_saved(client, session, w):
    service.edit_clause(session, viewer=w.staff, clause_id=w.clause.id, based_on_version_id=w.v1.id,
                        text=PETS.replace("束犬绳", "束牵引绳"), now=LATER)
    session.commit()
    v2 = version(session, w.clause, 2)
    sign_in(client, w, "drafter")
    mine = PETS.replace("束犬绳", "拴绳子")
    page = client.post_form(w.edit_url, {"text": mine, "based_on": str(w.v1.id)})
    assert page.status_code == 409
    html = page.text
    assert "Nothing was saved: someone saved this clause while you were editing" in html
    assert "Version 2 of this clause was saved while you were editing" in html
    assert "Their version 2 (saved meanwhile)" in html and "Your text (not saved)" in html
    assert f'<div class="clause-text">{v2.text}</div>' in html and f'<div class="clause-text">{mine}</div>' in html
    assert html.count("[deleted: </span>束牵引绳") == 2 and html.count("[inserted: </span>拴绳子") == 2  # both views
    assert '<p class="diff-column-label">Their version 2</p>' in html and '<p class="diff-column-label">Your text</p>' in html
    assert "Where you both changed the same words" in html
    # The form holds my text, based on their version: saving again applies.
    assert based_on(html) == v2.id and f">{mine}</textarea>" in html and "Editing from version 2." in html
    assert len(versions(session, w.clause)) == 2
    again = save(client, w, mine, v2.id)
    assert again.status_code == 303 and versions(session, w.clause)[-1].text == mine


@pytest.mark.parametrize(("text", "message"), [
    ("   ", "The clause text is empty. To take a clause out, remove it instead."),
    ("长" * 2001, "The clause is too long (at most 2000 characters)."),
])
def test_bad_text_comes_back_next_to_the_field(client, session, w, text, message):
    sign_in(client, w, "drafter")
    page = client.post_form(w.edit_url, {"text": text, "based_on": str(w.v1.id)})
    assert page.status_code == 400
    assert f'<p class="field-error" id="edit-text-error">{message}</p>' in page.text
    assert 'aria-invalid="true" aria-describedby="edit-text-error edit-text-hint"' in page.text
    assert based_on(page.text) == w.v1.id
    assert count(session, ClauseVersion) == 1


def test_a_version_of_another_clause_is_bad_input(client, session, w):
    other = service.add_clause(session, viewer=w.drafter, covenant_id=w.covenant.id, template="noise", now=LATER)
    session.commit()
    sign_in(client, w, "drafter")
    page = save(client, w, PETS + "。", service.current_version(session, other).id)
    assert page.status_code == 400 and 'id="edit-error"' in page.text
    assert "The version this text was based on is not a version of this clause." in page.text


@pytest.mark.parametrize(("who", "status", "expected"), [
    ("anonymous", S.drafting, 303), ("stranger", S.drafting, 403), ("zhang", S.drafting, 403),
    ("other_staff", S.drafting, 403), ("drafter", S.drafting, 200), ("staff", S.consultation, 200),
    ("drafter", S.ratification, 409), ("staff", S.adopted, 409),
])
def test_who_may_edit_and_when(client, session, make_account, who, status, expected):
    w = world(session, make_account, status)
    sign_in(client, w, who)
    url = f"{w.url}/edit"
    assert client.get(url).status_code == expected
    sent = client.post_form(url, {"text": PETS + "违者劝导。", "based_on": str(w.v1.id)})
    assert sent.status_code == (303 if expected == 200 else expected)
    if who == "anonymous":
        assert sent.headers["location"].startswith("/login?next=")
    assert count(session, ClauseVersion) == (2 if expected == 200 else 1)
