"""An entry's team and images: the lead adds and removes members by e-mail or phone; the team adds up to five
images (checked by their content, with a text alternative) and removes them — until the submission deadline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from civic import audit, uploads
from civic.auth import rules as auth_rules
from civic.auth.models import Account
from civic.contests import access
from civic.contests.entries import changeable_entry
from civic.contests.entry_input import clean
from civic.contests.entry_queries import SeenEntry
from civic.contests.models import EntryImage, EntryMember
from civic.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from civic.i18n import N_
from civic.notifications import notify
from civic.places.rules import Viewer

TEAM_MAX = 20
IMAGES_MAX = 5
IMAGE_MAX_BYTES = 2 * 1024 * 1024  # 2 MB (MiB)
ALT_MAX = 200


def _led_entry(session: Session, viewer: Viewer, entry_id: int, now: datetime) -> SeenEntry:
    seen = changeable_entry(session, viewer=viewer, entry_id=entry_id, now=now, lock="share")
    lead = session.execute(select(EntryMember.is_lead).where(EntryMember.entry_id == entry_id,
                                                             EntryMember.account_id == viewer.account_id)).scalar()
    if not lead:
        raise PermissionDenied(N_("Only the team's lead can add or remove members."))
    return seen


def add_member(session: Session, *, viewer: Viewer, entry_id: int, contact: str, now: datetime) -> EntryMember:
    """The lead adds the account with this e-mail address or mobile number (spelt any way sign-in accepts)."""
    seen = _led_entry(session, viewer, entry_id, now)
    if not contact.strip():
        raise InvalidInput(N_("Enter the e-mail address or mobile phone number of the person to add."), field="contact")
    try:
        kind, value = auth_rules.classify_identifier(contact)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field="contact", **exc.params) from None
    column = Account.email if kind == "email" else Account.phone
    account = session.execute(select(Account).where(column == value, Account.is_active.is_(True))).scalar()
    if account is None:
        raise InvalidInput(N_("No active account has the e-mail address or phone number “%(value)s”; the person "
                              "must create an account first."), field="contact", value=contact.strip()[:80])
    size = session.execute(select(func.count()).where(EntryMember.entry_id == entry_id)).scalar_one()
    if size >= TEAM_MAX:
        raise InvalidInput(N_("A team has at most %(max)s members."), field="contact", max=TEAM_MAX)
    try:
        with session.begin_nested():
            member = EntryMember(entry_id=entry_id, account_id=account.id, added_at=now)
            session.add(member)
            session.flush()
    except IntegrityError:  # the unique (entry, account)
        raise InvalidInput(N_("%(name)s is already on the team."), field="contact", name=account.display_name) from None
    audit.record(session, actor_id=viewer.account_id, action="contest.member_added", object_type="contest_entry",
                 object_id=entry_id, payload={"account": account.id}, now=now)
    notify(session, account_id=account.id, url=access.entry_path(entry_id), params={"title": seen.entry.title},
           subject=N_("You have been added to the team of the contest entry “%(title)s”."))
    return member


def remove_member(session: Session, *, viewer: Viewer, member_id: int, now: datetime) -> EntryMember:
    """The lead takes a member off the team (never the lead: an entry always has one)."""
    member = session.get(EntryMember, member_id)
    if member is None:
        raise NotFound(N_("There is no such team member."))
    seen = _led_entry(session, viewer, member.entry_id, now)
    if member.is_lead:
        raise Conflict(N_("The lead stays on the team."))
    session.delete(member)
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="contest.member_removed", object_type="contest_entry",
                 object_id=member.entry_id, payload={"account": member.account_id}, now=now)
    notify(session, account_id=member.account_id, url=access.entry_path(member.entry_id),
           subject=N_("You are no longer on the team of the contest entry “%(title)s”."),
           params={"title": seen.entry.title})
    return member


def add_image(session: Session, *, viewer: Viewer, entry_id: int, data: bytes, alt: str, now: datetime) -> EntryImage:
    """The team adds an image: PNG, JPEG or WebP by its content, at most 2 MB, with a text alternative."""
    seen = changeable_entry(session, viewer=viewer, entry_id=entry_id, now=now, lock="share")
    alt = " ".join(clean(alt).split())
    if not alt or len(alt) > ALT_MAX:
        raise InvalidInput(N_("Describe the image for people who cannot see it (at most %(max)s characters)."),
                           field="alt", max=ALT_MAX)
    count, last = session.execute(select(func.count(), func.max(EntryImage.position))
                                  .where(EntryImage.entry_id == entry_id)).one()
    if count >= IMAGES_MAX:
        raise InvalidInput(N_("An entry has at most %(max)s images: remove one first."), field="file", max=IMAGES_MAX)
    stored = uploads.store(session, data=data, uploaded_by=viewer.account_id, allowed=uploads.IMAGE_TYPES,
                           max_bytes=IMAGE_MAX_BYTES)
    image = EntryImage(entry_id=seen.entry.id, file_id=stored.id, alt=alt, position=(last or 0) + 1)
    session.add(image)
    session.flush()
    audit.record(session, actor_id=viewer.account_id, action="contest.image_added", object_type="contest_entry",
                 object_id=entry_id, payload={"file": stored.id, "type": stored.content_type, "sha256": stored.sha256},
                 now=now)
    return image


def remove_image(session: Session, *, viewer: Viewer, image_id: int, now: datetime) -> EntryImage:
    """The team removes an image; its file goes with it (nothing else refers to it)."""
    image = session.get(EntryImage, image_id)
    if image is None:
        raise NotFound(N_("There is no such image."))
    changeable_entry(session, viewer=viewer, entry_id=image.entry_id, now=now, lock="share")
    session.delete(image)
    session.flush()
    # Deleted by a statement: loading the row would read the whole file for nothing.
    session.execute(delete(uploads.StoredFile).where(uploads.StoredFile.id == image.file_id))
    audit.record(session, actor_id=viewer.account_id, action="contest.image_removed", object_type="contest_entry",
                 object_id=image.entry_id, payload={"file": image.file_id}, now=now)
    return image
