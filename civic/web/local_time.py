"""Date-times typed into forms are Wuhan wall-clock times (whatever the server's or browser's zone);
they are stored in UTC. Parsing is forgiving about how a time is written, strict about what it means."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta

from civic.errors import InvalidInput
from civic.i18n import DISPLAY_TIMEZONE, N_

# 2026-12-01T09:00 (what <input type="datetime-local"> sends), optionally with seconds; also 2026/12/1 9:00
# and 2026.12.01 09:00 as typed where the browser shows a plain text box instead of a picker.
_LOCAL = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:T|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?")
EXAMPLE = "2026-12-01 09:00"


def parse_local(raw: str, *, field: str, missing: str, invalid: str) -> datetime:
    """A Wuhan wall-clock date-time → an aware UTC datetime; `missing` / `invalid` are the msgids of the
    errors (with `%(example)s` in `invalid`), raised for `field`. China keeps no daylight saving time,
    so every local time names exactly one instant."""
    # NFKC turns full-width digits and the full-width colon a Chinese input method types into ASCII.
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        raise InvalidInput(missing, field=field)
    match = _LOCAL.fullmatch(text)
    if match is None:
        raise InvalidInput(invalid, field=field, example=EXAMPLE)
    year, month, day, hour, minute, second = (int(part or 0) for part in match.groups())
    try:
        local = datetime(year, month, day, hour, minute, second, tzinfo=DISPLAY_TIMEZONE)
    except ValueError:  # 2026-02-30, 25:00 …
        raise InvalidInput(invalid, field=field, example=EXAMPLE) from None
    if not 2000 <= year <= 2999:  # a mistyped year, not a vote anyone means to hold
        raise InvalidInput(invalid, field=field, example=EXAMPLE)
    return local.astimezone(UTC)


def input_value(value: datetime) -> str:
    """An aware datetime as a datetime-local input's value, in Wuhan time: "2026-12-01T09:00"."""
    return value.astimezone(DISPLAY_TIMEZONE).strftime("%Y-%m-%dT%H:%M")


# ---- a vote's opening and closing times, as the forms that schedule one take them --------------------

VOTE_TIMES = {  # field → (msgid when empty, msgid when unreadable)
    "opens_at": (N_("Give the date and time the vote opens."),
                 N_("Enter the opening time as a date and a time in Wuhan time, e.g. %(example)s.")),
    "closes_at": (N_("Give the date and time the vote closes."),
                  N_("Enter the closing time as a date and a time in Wuhan time, e.g. %(example)s.")),
}


def default_vote_times(now: datetime) -> dict[str, str]:
    """A week-long vote opening tomorrow at 09:00 Wuhan time: a common shape, and every field stays editable."""
    opens = (now.astimezone(DISPLAY_TIMEZONE) + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    return {"opens_at": input_value(opens), "closes_at": input_value(opens + timedelta(days=7, hours=9))}


def parse_vote_times(values: dict[str, str], problems: list[InvalidInput]) -> dict[str, datetime]:
    """The opening and closing times typed into a form (Wuhan time); what cannot be read goes to `problems`."""
    fields = {}
    for name, (missing, invalid) in VOTE_TIMES.items():
        try:
            fields[name] = parse_local(values[name], field=name, missing=missing, invalid=invalid)
        except InvalidInput as exc:
            problems.append(exc)
    return fields
