"""Uploads: the type is read from the content (never the name), the size and emptiness are checked, an entry
takes at most five described images, and a file is served only to whoever may see what it is attached to."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from civic import uploads
from civic.contests import entry_team
from civic.contests.models import EntryImage, EntryStatus, Phase
from civic.errors import InvalidInput, NotFound
from tests.unit.contests.builders import add_entry, build_contest_world

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64)
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(64)
LIMIT = 2 * 1024 * 1024


@pytest.mark.parametrize("data, kind", [(PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp"),
                                        (b"GIF89a" + bytes(10), None), (b"RIFF\x00\x00\x00\x00WAVE", None),
                                        (b"%PDF-1.7", None), (b"PNG", None)])
def test_the_type_comes_from_the_magic_bytes(data, kind):
    assert uploads.sniff(data) == kind


def test_a_png_is_stored_as_png_whatever_it_was_called(session, make_account):
    account = make_account("上传者")
    row = uploads.store(session, data=PNG, uploaded_by=account.id, max_bytes=LIMIT)
    assert (row.content_type, row.size, uploads.filename(row)) == ("image/png", len(PNG), f"{row.id}.png")
    assert len(row.sha256) == 64


@pytest.mark.parametrize("data, message", [(b"", "empty"), (b"hello, I am text pretending to be a .png", "not a PNG"),
                                           (b"\x89PNG\r\n\x1a\n" + bytes(LIMIT - 7), "too large")])
def test_bad_files_are_refused_with_a_clear_message(session, data, message):
    with pytest.raises(InvalidInput, match=message) as caught:
        uploads.store(session, data=data, uploaded_by=None, max_bytes=LIMIT)
    assert caught.value.field == "file"
    assert session.execute(select(func.count()).select_from(uploads.StoredFile)).scalar_one() == 0


def test_exactly_the_limit_is_accepted_and_allowed_types_restrict(session):
    assert uploads.store(session, data=PNG[:8] + bytes(LIMIT - 8), uploaded_by=None, max_bytes=LIMIT).size == LIMIT
    with pytest.raises(InvalidInput):
        uploads.store(session, data=JPEG, uploaded_by=None, allowed={"image/png"}, max_bytes=LIMIT)


@pytest.fixture
def w(session, make_account):
    w = build_contest_world(session, make_account, phase=Phase.submission)
    w.entry = add_entry(session, w, lead=w.zhang, status=EntryStatus.draft, members=(w.li,))
    return w


def test_an_entry_takes_five_described_images(session, w):
    with pytest.raises(InvalidInput) as caught:
        entry_team.add_image(session, viewer=w.zhang, entry_id=w.entry.id, data=PNG, alt="  ", now=w.now)
    assert caught.value.field == "alt"
    images = [entry_team.add_image(session, viewer=w.li, entry_id=w.entry.id, data=data, alt=f"图{n}", now=w.now)
              for n, data in enumerate((PNG, JPEG, WEBP, PNG, PNG))]
    assert [i.position for i in images] == [1, 2, 3, 4, 5]
    with pytest.raises(InvalidInput, match="at most 5 images"):
        entry_team.add_image(session, viewer=w.zhang, entry_id=w.entry.id, data=PNG, alt="第六张", now=w.now)
    entry_team.remove_image(session, viewer=w.zhang, image_id=images[0].id, now=w.now)
    assert session.get(uploads.StoredFile, images[0].file_id) is None
    assert session.execute(select(func.count()).select_from(EntryImage)).scalar_one() == 4
    with pytest.raises(InvalidInput, match="too large"):
        entry_team.add_image(session, viewer=w.zhang, entry_id=w.entry.id, data=PNG + bytes(LIMIT), alt="大", now=w.now)


def test_a_file_is_served_only_to_whoever_sees_its_entry(session, w):
    image = entry_team.add_image(session, viewer=w.zhang, entry_id=w.entry.id, data=PNG, alt="楼道", now=w.now)
    loose = uploads.store(session, data=PNG, uploaded_by=None)
    session.commit()
    assert uploads.viewable_file(session, viewer=w.li, file_id=image.file_id, now=w.now).data == PNG
    for viewer in (w.staff, w.wang, w.anonymous):  # a draft's images are its team's
        with pytest.raises(NotFound):
            uploads.viewable_file(session, viewer=viewer, file_id=image.file_id, now=w.now)
    w.entry.status = EntryStatus.submitted
    session.commit()
    assert uploads.viewable_file(session, viewer=w.anonymous, file_id=image.file_id, now=w.now)
    with pytest.raises(NotFound):  # attached to nothing: served to nobody
        uploads.viewable_file(session, viewer=w.zhang, file_id=loose.id, now=w.now)
    assert set(uploads.checks()) >= {"entry_image"}
