"""Date-times typed into forms are Wuhan wall-clock times (whatever the server's or browser's zone);
they are stored in UTC. Parsing is forgiving about how a time is written, strict about what it means."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime

from civic.errors import InvalidInput
from civic.i18n import DISPLAY_TIMEZONE

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
