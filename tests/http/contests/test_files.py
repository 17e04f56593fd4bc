"""GET /files/{id}: the bytes with the type read from their content and headers that keep a browser from
running or sniffing them; served only to whoever may see what the file is attached to."""

from __future__ import annotations

import pytest

from civic import uploads
from civic.contests import entry_team
from civic.contests.models import EntryStatus, Phase
from tests.http.contests import PNG, entry_world, sign_in


@pytest.fixture
def w(session, make_account):
    w = entry_world(session, make_account, Phase.submission, status=EntryStatus.draft)
    w.image = entry_team.add_image(session, viewer=w.li, entry_id=w.entry.id, data=PNG, alt="楼道", now=w.now)
    w.loose = uploads.store(session, data=PNG, uploaded_by=w.li.account_id)
    session.commit()
    w.file_url = f"/files/{w.image.file_id}"
    return w


def test_a_file_is_served_with_safe_headers(client, session, w):
    sign_in(client, session, w.wang)  # on the team: sees the draft
    answer = client.get(w.file_url)
    assert answer.status_code == 200 and answer.content == PNG
    assert answer.headers["content-type"] == "image/png"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["content-disposition"] == f'inline; filename="{w.image.file_id}.png"'
    assert answer.headers["cache-control"] == "private, max-age=3600"
    assert answer.headers["content-security-policy"] == "default-src 'none'; sandbox"


def test_a_drafts_images_are_its_teams_and_a_submitted_entrys_everyones(client, session, w):
    for viewer in (w.anonymous, w.zhang, w.staff):
        sign_in(client, session, viewer)
        assert client.get(w.file_url).status_code == 404
    w.entry.status = EntryStatus.submitted
    session.commit()
    sign_in(client, session, w.anonymous)
    assert client.get(w.file_url).status_code == 200


def test_files_attached_to_nothing_or_missing_are_not_found(client, session, w):
    sign_in(client, session, w.li)
    assert client.get(f"/files/{w.loose.id}").status_code == 404
    assert client.get(f"/files/{w.loose.id + 100}").status_code == 404
