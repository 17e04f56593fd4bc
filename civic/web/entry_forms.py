"""What the entry pages share: the entry form as typed (with its budget and material rows), the messages of a
refused form, and the entry's address."""

from __future__ import annotations

from starlette.requests import Request

from civic.contests.entry_input import BUDGET_LINES_MAX, MATERIALS_MAX, EntryForm
from civic.errors import DomainError
from civic.web.deps import form_text
from civic.web.render import form_problems

BLANK_ROWS = 3  # empty budget and material rows the form offers: save to get more


def entry_url(entry_id: int, anchor: str = "") -> str:
    return f"/contests/entries/{entry_id}" + (f"#{anchor}" if anchor else "")


def problems(request: Request, exc: DomainError) -> tuple[list[str], dict[str, str]]:
    """Every message of a refused form (an entry form reports all its problems at once) and, per field, the first."""
    return form_problems(request, getattr(exc, "problems", None) or [exc])


def bad_input(exc: DomainError) -> None:
    """Bad input comes back on its form; any other refusal goes on to the error page."""
    if exc.status_code != 400:
        raise exc


def entry_form(form) -> EntryForm:
    """The entry form as typed; budget-N-item/-amount and material-N-item/-quantity/-unit rows from N = 0."""
    text = {name: form_text(form, name, max_length=20_000 if name == "plan" else 1000)
            for name in ("title", "summary", "beneficiaries", "plan", "place", "latitude", "longitude", "money_goal",
                         "hours_goal")}
    budget = [(form_text(form, f"budget-{n}-item", max_length=200), form_text(form, f"budget-{n}-amount", max_length=40))
              for n in range(BUDGET_LINES_MAX + BLANK_ROWS)]
    materials = [(form_text(form, f"material-{n}-item", max_length=120),
                  form_text(form, f"material-{n}-quantity", max_length=20),
                  form_text(form, f"material-{n}-unit", max_length=20)) for n in range(MATERIALS_MAX + BLANK_ROWS)]
    return EntryForm(**text, budget=[row for row in budget if any(row)],
                     materials=[row for row in materials if any(row)])
