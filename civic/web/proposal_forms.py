"""What the proposal pages share: the proposal and note forms as posted (with their photos), the messages of
a refused form, and the addresses."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request

from civic.errors import DomainError
from civic.planning import rules
from civic.planning.proposals import Photo
from civic.web.deps import form_text, id_param
from civic.web.render import form_problems

PROPOSAL_FIELDS = ("title", "category", "description", "place_label", "geometry", "latitude", "longitude",
                   "register_place")
NOTE_FIELDS = ("title", "body", "visibility", "geometry", "latitude", "longitude", "register_place")
LIMITS = {"description": rules.LONG_MAX, "body": rules.NOTE_MAX, "geometry": 200_000}


def proposal_url(proposal_id: int, anchor: str = "") -> str:
    return f"/planning/proposals/{proposal_id}" + (f"#{anchor}" if anchor else "")


def problems(request: Request, exc: DomainError) -> tuple[list[str], dict[str, str]]:
    """Every message of a refused form (all its problems at once) and, per field, the first."""
    return form_problems(request, getattr(exc, "problems", None) or [exc])


def bad_input(exc: DomainError) -> None:
    """Bad input comes back on its form; any other refusal goes on to the error page."""
    if exc.status_code != 400:
        raise exc


def _texts(form, names) -> dict[str, str]:
    return {name: form_text(form, name, max_length=LIMITS.get(name, 1000)) for name in names}


async def read_proposal(request: Request) -> tuple[dict[str, str], list[Photo], list[int]]:
    """The proposal form as typed, its photos (photo-N with photo-N-alt, N from 0) and the ids of photos
    ticked for removal."""
    form = await request.form()
    values = _texts(form, PROPOSAL_FIELDS)
    photos = []
    for slot in range(rules.PHOTOS_MAX):
        upload = form.get(f"photo-{slot}")
        # At most one byte past the limit: enough to refuse a larger file without holding all of it.
        data = await upload.read(rules.PHOTO_MAX_BYTES + 1) if isinstance(upload, UploadFile) else b""
        alt = form_text(form, f"photo-{slot}-alt", max_length=400)
        if data or alt:
            photos.append(Photo(data=data, alt=alt, slot=slot))
    removed = [pid for raw in form.getlist("remove_photo") if (pid := id_param(raw)) is not None]
    await form.close()
    return values, photos, removed


def proposal_kwargs(values: dict[str, str]) -> dict:
    """The typed form → the keyword arguments of proposals.create_proposal / update_proposal."""
    return {"title": values["title"], "category_id": id_param(values["category"]),
            "description": values["description"], "place_label": values["place_label"],
            "geometry_text": values["geometry"], "latitude": values["latitude"], "longitude": values["longitude"],
            "register_place_id": id_param(values["register_place"])}


async def read_note(request: Request) -> dict[str, str]:
    return _texts(await request.form(), NOTE_FIELDS)


def note_kwargs(values: dict[str, str]) -> dict:
    return {"title": values["title"], "body": values["body"], "visibility": values["visibility"],
            "geometry_text": values["geometry"], "latitude": values["latitude"], "longitude": values["longitude"],
            "register_place_id": id_param(values["register_place"])}


def kept_values(values: dict[str, str], field_errors: dict[str, str]) -> dict[str, str]:
    """What the refused form shows again: everything typed, except a drawn shape that was itself refused
    (it sits in a hidden field nobody without JavaScript could clear)."""
    return {**values, "geometry": "" if "geometry" in field_errors else values.get("geometry", "")}
