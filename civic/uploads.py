"""Uploaded files (entry images; later map photos and grant attachments), kept in the database.

In the database rather than on a disk so that every worker of a several-worker deployment serves the
same files, and a database backup holds them too. The type is decided from the content's first bytes,
never from the file's name or the browser's declared type.

Who may fetch a file is decided by what it is attached to. A domain that attaches files registers one
check with `@attachment("name")` in a module listed in ATTACHMENT_MODULES: `check(session, viewer,
file_id, now) -> bool` answers True when the file is attached to something of that domain the viewer
may see (one query), False otherwise. `viewable_file` serves a file when any check says yes; a file no
check claims is served to nobody. Planning and grants add their module to the list and a check.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Collection
from datetime import datetime

from sqlalchemy import LargeBinary
from sqlmodel import Field, Session, SQLModel

from civic.clock import now as clock_now
from civic.db import UTCDateTime
from civic.errors import InvalidInput, NotFound
from civic.i18n import N_
from civic.places.rules import Viewer

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp"})
MAX_BYTES = 2 * 1024 * 1024  # "2 MB": 2 MiB, 2,097,152 bytes
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}
# Modules whose import registers attachment checks (as civic.jobs does with JOB_MODULES).
ATTACHMENT_MODULES = ["civic.contests.entry_queries", "civic.planning.proposal_queries"]

AttachmentCheck = Callable[[Session, Viewer, int, datetime], bool]
_CHECKS: dict[str, AttachmentCheck] = {}


class StoredFile(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, index=True)
    content_type: str = Field(max_length=64)
    size: int
    data: bytes = Field(sa_type=LargeBinary)
    uploaded_by: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = Field(default_factory=clock_now, sa_type=UTCDateTime)


def sniff(data: bytes) -> str | None:
    """The type the content's magic bytes announce, or None when they announce none we know."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def store(session: Session, *, data: bytes, uploaded_by: int | None, allowed: Collection[str] = IMAGE_TYPES,
          max_bytes: int = MAX_BYTES) -> StoredFile:
    """Keep a file whose content is one of the `allowed` types and at most `max_bytes` long (flushed)."""
    if not data:
        raise InvalidInput(N_("The file is empty: choose an image to upload."), field="file")
    if len(data) > max_bytes:
        raise InvalidInput(N_("The file is too large: an image may be at most %(max)s MB."), field="file",
                           max=f"{max_bytes / (1024 * 1024):g}")
    content_type = sniff(data)
    if content_type is None or content_type not in allowed:
        raise InvalidInput(N_("This file is not a PNG, JPEG or WebP image (whatever its name says)."),
                           field="file")
    row = StoredFile(sha256=hashlib.sha256(data).hexdigest(), content_type=content_type, size=len(data),
                     data=data, uploaded_by=uploaded_by)
    session.add(row)
    session.flush()
    return row


def filename(row: StoredFile) -> str:
    """"<id>.<ext>": never the uploader's own name, which could say anything."""
    return f"{row.id}.{EXTENSIONS.get(row.content_type, 'bin')}"


def attachment(name: str) -> Callable[[AttachmentCheck], AttachmentCheck]:
    """Register a domain's check of whether a viewer may see a file it attaches (see the module's docstring)."""
    def register(check: AttachmentCheck) -> AttachmentCheck:
        _CHECKS[name] = check
        return check

    return register


def checks() -> dict[str, AttachmentCheck]:
    for module in ATTACHMENT_MODULES:
        importlib.import_module(module)
    return dict(_CHECKS)


def viewable_file(session: Session, *, viewer: Viewer, file_id: int, now: datetime) -> StoredFile:
    """The file, when it is attached to something the viewer may see; otherwise it does not exist."""
    if not any(check(session, viewer, file_id, now) for check in checks().values()):
        raise NotFound(N_("There is no such file."))
    row = session.get(StoredFile, file_id)
    if row is None:
        raise NotFound(N_("There is no such file."))
    return row
