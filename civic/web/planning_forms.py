"""The planning project forms as typed: Wuhan times, base-layer boxes, and the boundary from one of three
sources (an imported file, pasted GeoJSON, or the shape drawn on the map) → the typed values
civic.planning.projects checks. Every unreadable field is collected, so the form shows them all."""

from __future__ import annotations

from datetime import datetime, timedelta

from civic.errors import DomainError, InvalidInput
from civic.i18n import DISPLAY_TIMEZONE, N_
from civic.planning import geo, rules
from civic.planning.models import BaseLayer, PlanningProject
from civic.planning.projects import DATE_FIELDS, THEME_DESCRIPTION_MAX
from civic.web.deps import form_text
from civic.web.local_time import input_value, parse_local

BOUNDARY_FILE_MAX = 1024 * 1024  # 1 MiB: a community's outline is a few kilobytes
BOUNDARY_FILE_TYPES = (".geojson", ".json")
DATE_MESSAGES = {  # field → (msgid when empty, msgid when unreadable)
    "discovery_opens_at": (N_("Give the time discovery opens."),
                           N_("Enter when discovery opens as a date and a time in Wuhan time, e.g. %(example)s.")),
    "proposals_opens_at": (N_("Give the time the proposal phase opens."),
                           N_("Enter when the proposal phase opens as a date and a time in Wuhan time, e.g. "
                              "%(example)s.")),
    "feedback_opens_at": (N_("Give the time design feedback opens."),
                          N_("Enter when design feedback opens as a date and a time in Wuhan time, e.g. %(example)s.")),
    "closes_at": (N_("Give the time the project closes."),
                  N_("Enter when the project closes as a date and a time in Wuhan time, e.g. %(example)s.")),
}
DEFAULT_WEEKS = (0, 4, 8, 10)  # discovery and proposals four weeks each, two weeks of design feedback


def project_values(form) -> dict:
    """The project form as typed; `base_layers` is the list of ticked boxes."""
    values: dict = {name: form_text(form, name, max_length=rules.TITLE_MAX) for name in ("title", "place", *DATE_FIELDS)}
    values["description"] = form_text(form, "description", max_length=rules.LONG_MAX)
    for name in ("boundary", "boundary_geojson"):  # drawn on the map; pasted
        values[name] = form_text(form, name, max_length=geo.MAX_TEXT)
    values["base_layers"] = [v for v in form.getlist("base_layers") if isinstance(v, str)][:len(BaseLayer)]
    return values


def default_values(now: datetime) -> dict:
    """A new project's form: discovery from tomorrow 09:00 Wuhan time, then proposals, design feedback, closed."""
    start = (now.astimezone(DISPLAY_TIMEZONE) + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    dates = {name: input_value(start + timedelta(weeks=weeks)) for name, weeks in zip(DATE_FIELDS, DEFAULT_WEEKS,
                                                                                      strict=True)}
    return {**dates, "title": "", "description": "", "place": "", "boundary": "", "boundary_geojson": "",
            "base_layers": [layer.value for layer in BaseLayer]}


def values_of(project: PlanningProject) -> dict:
    """An existing project as its edit form shows it: the map starts from the current boundary."""
    return {**{name: input_value(getattr(project, name)) for name in DATE_FIELDS}, "title": project.title,
            "description": project.description, "place": str(project.place_id), "boundary": project.boundary,
            "boundary_geojson": "", "base_layers": sorted(rules.parse_layers(project.base_layers))}


def parse_dates(values: dict, problems: list[DomainError]) -> dict[str, datetime]:
    """The four phase dates typed in Wuhan time, as UTC; what cannot be read goes to `problems`."""
    dates = {}
    for name, (missing, invalid) in DATE_MESSAGES.items():
        try:
            dates[name] = parse_local(values[name], field=name, missing=missing, invalid=invalid)
        except InvalidInput as exc:
            problems.append(exc)
    return dates


def boundary_text(values: dict, file_name: str, file_data: bytes, problems: list[DomainError]) -> str | None:
    """The boundary to store: an imported file wins over pasted GeoJSON, which wins over the shape drawn on
    the map (the hidden field). None when none was given."""
    if file_name:
        if len(file_data) > BOUNDARY_FILE_MAX:
            problems.append(InvalidInput(N_("The boundary file is larger than 1 MB."), field="boundary"))
            return None
        if not file_name.lower().endswith(BOUNDARY_FILE_TYPES):
            problems.append(InvalidInput(N_("Import the boundary as a .geojson or .json file."), field="boundary"))
            return None
        try:
            return file_data.decode("utf-8-sig")
        except UnicodeDecodeError:
            problems.append(InvalidInput(N_("The boundary file is not GeoJSON text (UTF-8)."), field="boundary"))
            return None
    return values["boundary_geojson"] or values["boundary"] or None


def category_values(form) -> dict[str, str]:
    """A category's form as typed: its name and colour."""
    return {"label": form_text(form, "label", max_length=rules.CATEGORY_LABEL_MAX),
            "colour": form_text(form, "colour", max_length=7)}


def theme_values(form) -> dict[str, str]:
    """A theme's form as typed: its name and description."""
    return {"name": form_text(form, "name", max_length=rules.THEME_NAME_MAX),
            "description": form_text(form, "description", max_length=THEME_DESCRIPTION_MAX)}
