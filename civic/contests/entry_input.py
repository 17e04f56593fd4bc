"""An entry as its team typed it (text, yuan, a map point, budget lines and material needs) → checked, typed
values. Every problem is collected, so that the form shows them all at once. Pure: no session."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from civic.contests import rules
from civic.errors import InvalidInput
from civic.i18n import N_

BUDGET_LINES_MAX = 30
MATERIALS_MAX = 20
ITEM_MAX = 200
MATERIAL_ITEM_MAX = 120
UNIT_MAX = 20
_COORDINATE = re.compile(r"-?\d{1,3}(?:\.\d{1,10})?")
_WHOLE = re.compile(r"\d{1,9}")


@dataclass
class EntryForm:
    """What the form holds, as typed (the web layer fills it; the edit page starts from `form_of`)."""

    title: str = ""
    summary: str = ""
    beneficiaries: str = ""
    plan: str = ""
    place: str = ""  # a place id, or empty
    latitude: str = ""
    longitude: str = ""
    money_goal: str = ""  # yuan
    hours_goal: str = ""
    budget: list[tuple[str, str]] = field(default_factory=list)  # (item, amount in yuan)
    materials: list[tuple[str, str, str]] = field(default_factory=list)  # (item, quantity, unit)

    def budget_total_fen(self) -> int:
        """The budget lines' total as typed so far (a line that does not read as money is left out: its
        error says so)."""
        return sum(fen for _item, amount in self.budget if (fen := rules.parse_yuan(amount)) is not None)

    def goal_differs(self) -> bool:
        """The money goal typed differs from the budget's total: the form points it out (it may on purpose)."""
        goal = rules.parse_yuan(self.money_goal or "0")
        return bool(self.budget) and goal is not None and goal != self.budget_total_fen()


@dataclass
class EntryFields:
    """Checked and typed: what entries.create_entry and edit_entry write."""

    title: str
    summary: str
    beneficiaries: str
    plan: str
    place_id: int | None
    latitude: float | None
    longitude: float | None
    money_goal_fen: int
    hours_goal: int
    budget: list[tuple[str, int]]  # (item, fen)
    materials: list[tuple[str, int, str]]  # (item, quantity, unit)

    @property
    def budget_total_fen(self) -> int:
        return sum(fen for _item, fen in self.budget)


class InvalidEntry(InvalidInput):
    """Several problems with one entry form: the first is the error's own message, `problems` has them all."""

    def __init__(self, problems: list[InvalidInput]):
        first = problems[0]
        super().__init__(first.message, field=first.field, **first.params)
        self.problems = problems


def clean(text: str) -> str:
    """NFC, "\\n" line ends, no white space at either end."""
    return unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _whole(text: str) -> int | None:
    text = unicodedata.normalize("NFKC", text or "").strip().replace(",", "")
    return int(text) if _WHOLE.fullmatch(text) else None


def _coordinate(text: str, limit: int) -> float | None:
    text = unicodedata.normalize("NFKC", text).strip()
    if not _COORDINATE.fullmatch(text):
        return None
    value = Decimal(text)
    return float(value) if -limit <= value <= limit else None


def _texts(form: EntryForm, problems: list[InvalidInput]) -> dict:
    title, summary = " ".join(clean(form.title).split()), clean(form.summary)
    beneficiaries, plan = clean(form.beneficiaries), clean(form.plan)
    if not title:
        problems.append(InvalidInput(N_("Give the entry a title."), field="title"))
    elif len(title) > rules.TITLE_MAX:
        problems.append(InvalidInput(N_("The title is too long (at most %(max)s characters)."), field="title",
                                     max=rules.TITLE_MAX))
    for name, value, limit in (("summary", summary, rules.TEXT_MAX), ("beneficiaries", beneficiaries, rules.TEXT_MAX),
                               ("plan", plan, rules.LONG_MAX)):
        if len(value) > limit:
            problems.append(InvalidInput(N_("This text is too long (at most %(max)s characters)."), field=name,
                                         max=limit))
    return {"title": title, "summary": summary, "beneficiaries": beneficiaries, "plan": plan}


def _where(form: EntryForm, problems: list[InvalidInput]) -> dict:
    place = form.place.strip()
    place_id = _whole(place) if place else None
    if place and not place_id:
        problems.append(InvalidInput(N_("Choose the place from the list, or leave it empty."), field="place"))
    lat_text, lon_text = form.latitude.strip(), form.longitude.strip()
    latitude = _coordinate(lat_text, 90) if lat_text else None
    longitude = _coordinate(lon_text, 180) if lon_text else None
    if lat_text and latitude is None:
        problems.append(InvalidInput(N_("The latitude is a number of degrees from -90 to 90, e.g. 30.5434."),
                                     field="latitude"))
    if lon_text and longitude is None:
        problems.append(InvalidInput(N_("The longitude is a number of degrees from -180 to 180, e.g. 114.3416."),
                                     field="longitude"))
    if bool(lat_text) != bool(lon_text):
        problems.append(InvalidInput(N_("Give both the latitude and the longitude of the map point, or neither."),
                                     field="longitude" if lat_text else "latitude"))
    return {"place_id": place_id, "latitude": latitude, "longitude": longitude}


def _goals(form: EntryForm, problems: list[InvalidInput]) -> dict:
    money = rules.parse_yuan(form.money_goal) if form.money_goal.strip() else 0
    if money is None or money > rules.MONEY_MAX_FEN:
        problems.append(InvalidInput(N_("Enter the money goal in yuan, e.g. 2000 or 2000.50 (0 if the project needs "
                                        "no money)."), field="money_goal"))
    hours = _whole(form.hours_goal) if form.hours_goal.strip() else 0
    if hours is None or hours > rules.HOURS_MAX:
        problems.append(InvalidInput(N_("Enter the volunteer hours needed as a whole number from 0 to %(max)s."),
                                     field="hours_goal", max=rules.HOURS_MAX))
    return {"money_goal_fen": money or 0, "hours_goal": hours or 0}


def _budget(form: EntryForm, problems: list[InvalidInput]) -> list[tuple[str, int]]:
    lines = []
    for n, (item, amount) in enumerate(form.budget, start=1):
        item, amount = " ".join(clean(item).split()), amount.strip()
        if not item and not amount:
            continue  # a blank row of the form
        fen = rules.parse_yuan(amount)
        if not item or len(item) > ITEM_MAX:
            problems.append(InvalidInput(N_("Budget line %(n)s: say what the money is for (at most %(max)s "
                                            "characters)."), field="budget", n=n, max=ITEM_MAX))
        elif fen is None or fen > rules.MONEY_MAX_FEN:
            problems.append(InvalidInput(N_("Budget line %(n)s: enter the amount in yuan, e.g. 350 or 350.50."),
                                         field="budget", n=n))
        else:
            lines.append((item, fen))
    if len(lines) > BUDGET_LINES_MAX:
        problems.append(InvalidInput(N_("A budget has at most %(max)s lines."), field="budget", max=BUDGET_LINES_MAX))
    return lines


def _materials(form: EntryForm, problems: list[InvalidInput]) -> list[tuple[str, int, str]]:
    needs = []
    for n, (item, quantity, unit) in enumerate(form.materials, start=1):
        item, unit = " ".join(clean(item).split()), " ".join(clean(unit).split())
        if not item and not quantity.strip() and not unit:
            continue
        count = _whole(quantity)
        if not item or len(item) > MATERIAL_ITEM_MAX:
            problems.append(InvalidInput(N_("Material %(n)s: name what is needed (at most %(max)s characters)."),
                                         field="materials", n=n, max=MATERIAL_ITEM_MAX))
        elif count is None or not 0 < count <= rules.QUANTITY_MAX:
            problems.append(InvalidInput(N_("Material %(n)s: enter the quantity needed as a whole number from 1 to "
                                            "%(max)s."), field="materials", n=n, max=rules.QUANTITY_MAX))
        elif len(unit) > UNIT_MAX:
            problems.append(InvalidInput(N_("Material %(n)s: the unit is at most %(max)s characters (个, 袋, 米 …)."),
                                         field="materials", n=n, max=UNIT_MAX))
        else:
            needs.append((item, count, unit))
    if len(needs) > MATERIALS_MAX:
        problems.append(InvalidInput(N_("An entry asks for at most %(max)s kinds of material."), field="materials",
                                     max=MATERIALS_MAX))
    return needs


def read_entry(form: EntryForm) -> EntryFields:
    """The typed entry, or InvalidEntry with every problem found."""
    problems: list[InvalidInput] = []
    values = {**_texts(form, problems), **_where(form, problems), **_goals(form, problems)}
    values["budget"], values["materials"] = _budget(form, problems), _materials(form, problems)
    if problems:
        raise InvalidEntry(problems)
    return EntryFields(**values)


def form_of(entry, budget, materials) -> EntryForm:
    """An entry with its BudgetLine and MaterialNeed rows, as the edit form shows it."""
    def coordinate(value: float | None) -> str:
        return "" if value is None else f"{value:.6f}".rstrip("0").rstrip(".")

    return EntryForm(title=entry.title, summary=entry.summary, beneficiaries=entry.beneficiaries, plan=entry.plan,
                     place=str(entry.place_id or ""), latitude=coordinate(entry.latitude),
                     longitude=coordinate(entry.longitude),
                     money_goal=rules.yuan(entry.money_goal_fen).replace(",", ""), hours_goal=str(entry.hours_goal),
                     budget=[(b.item, rules.yuan(b.amount_fen).replace(",", "")) for b in budget],
                     materials=[(m.item, str(m.quantity), m.unit) for m in materials])
