"""Locales, gettext catalogues (compiled from .po in memory) and locale-aware formatting."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal as babel_format_decimal
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
# Our locale codes (URL/cookie/account form) → Babel locales for formatting.
LOCALES: dict[str, Locale] = {
    "zh-Hans": Locale.parse("zh_Hans_CN"),
    "en": Locale.parse("en_GB"),
}
LOCALE_NAMES = {"zh-Hans": "简体中文", "en": "English"}
DEFAULT_LOCALE = "zh-Hans"
DISPLAY_TIMEZONE = ZoneInfo("Asia/Shanghai")


def N_(message: str) -> str:
    """Mark a string for extraction without translating it here (it is translated where shown)."""
    return message


@cache
def translations(locale: str) -> NullTranslations:
    """The catalogue for `locale`, compiled from its .po file once per process."""
    po = LOCALE_DIR / locale.replace("-", "_") / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=LOCALES[locale])
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def normalise(code: str | None) -> str | None:
    """Map zh, zh-CN, zh_Hans_CN, en-US … onto a supported locale, or None."""
    if not code:
        return None
    code = code.strip().replace("_", "-").lower()
    if code.startswith("zh"):
        # Traditional-script requests (zh-TW, zh-Hant) still get Simplified: it is the only Chinese we have.
        return "zh-Hans"
    if code.startswith("en"):
        return "en"
    return None


def negotiate(*, account_locale: str | None, cookie: str | None, accept_language: str | None,
              default: str = DEFAULT_LOCALE) -> str:
    """Account preference, then cookie, then Accept-Language (by quality), then the default."""
    for candidate in (account_locale, cookie):
        if (found := normalise(candidate)) is not None:
            return found
    for code in _accept_language(accept_language or ""):
        if (found := normalise(code)) is not None:
            return found
    return default


def _accept_language(header: str) -> list[str]:
    weighted = []
    for index, part in enumerate(header.split(",")):
        pieces = part.strip().split(";")
        if not pieces[0] or pieces[0] == "*":
            continue
        quality = 1.0
        for param in pieces[1:]:
            if param.strip().startswith("q="):
                try:
                    quality = float(param.strip()[2:])
                except ValueError:
                    quality = 0.0
        weighted.append((-quality, index, pieces[0]))
    return [code for _q, _i, code in sorted(weighted) if _q < 0]


def format_date(value: date | datetime | None, locale: str, form: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(DISPLAY_TIMEZONE).date()
    return babel_format_date(value, format=form, locale=LOCALES[locale])


def format_datetime(value: datetime | None, locale: str, form: str = "medium") -> str:
    if value is None:
        return ""
    return babel_format_datetime(value, format=form, tzinfo=DISPLAY_TIMEZONE, locale=LOCALES[locale])


def format_number(value: int | Decimal, locale: str, places: int | None = None) -> str:
    if places is not None:
        pattern = "#,##0." + "0" * places if places else "#,##0"
        return babel_format_decimal(value, format=pattern, locale=LOCALES[locale], decimal_quantization=True)
    return babel_format_decimal(value, locale=LOCALES[locale])


def format_money(fen: int, locale: str) -> str:
    """Integer fen → "¥1,234.50"; money is never a float."""
    sign = "-" if fen < 0 else ""
    return f"{sign}¥{format_number(Decimal(abs(fen)) / 100, locale, places=2)}"


def format_area(dm2: int, locale: str) -> str:
    """Area kept in dm² → "89.50 m²"."""
    return f"{format_number(Decimal(dm2) / 100, locale, places=2)} m²"
