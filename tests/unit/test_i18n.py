"""civic.i18n: which language a request gets, and how numbers, money, areas and dates are written."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from civic import i18n

# ---------------------------------------------------------------------------------------------------
# normalise() and negotiate()


@pytest.mark.parametrize(("code", "expected"), [
    ("zh", "zh-Hans"),
    ("zh-CN", "zh-Hans"),
    ("zh_Hans_CN", "zh-Hans"),
    ("zh-Hans", "zh-Hans"),
    ("zh-TW", "zh-Hans"),  # Traditional-script requests still get the only Chinese we have
    ("ZH-hant-HK", "zh-Hans"),
    ("en", "en"),
    ("en-US", "en"),
    ("en_GB", "en"),
    (" en ", "en"),
    ("fr", None),
    ("fr-FR", None),
    ("", None),
    (None, None),
])
def test_normalise(code, expected):
    assert i18n.normalise(code) == expected


def test_account_preference_beats_cookie_and_header():
    assert i18n.negotiate(account_locale="en", cookie="zh-Hans", accept_language="zh-CN") == "en"
    assert i18n.negotiate(account_locale="zh-Hans", cookie="en", accept_language="en-US") == "zh-Hans"


def test_cookie_beats_header_when_the_account_has_no_preference():
    assert i18n.negotiate(account_locale=None, cookie="en", accept_language="zh-CN,zh;q=0.9") == "en"
    assert i18n.negotiate(account_locale=None, cookie="zh-Hans", accept_language="en-US") == "zh-Hans"


def test_unusable_preferences_fall_through_to_the_next_source():
    assert i18n.negotiate(account_locale="fr", cookie="de", accept_language="en-US", default="zh-Hans") == "en"
    assert i18n.negotiate(account_locale="", cookie="", accept_language="en", default="zh-Hans") == "en"


@pytest.mark.parametrize(("header", "expected"), [
    ("en-US,en;q=0.9", "en"),
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh-Hans"),
    ("en;q=0.3, zh-CN;q=0.8", "zh-Hans"),  # by quality, not by position
    ("zh;q=0.5, en;q=0.5", "zh-Hans"),  # equal quality: the earlier one
    ("fr-FR, de;q=0.9, en;q=0.1", "en"),  # the best language we actually have
    ("en;q=0, zh;q=0.1", "zh-Hans"),  # q=0 means "not this one"
    ("en;q=bogus, zh;q=0.2", "zh-Hans"),  # an unreadable quality counts as zero
    ("*", "zh-Hans"),
    ("fr", "zh-Hans"),
    ("", "zh-Hans"),
])
def test_accept_language_by_quality(header, expected):
    assert i18n.negotiate(account_locale=None, cookie=None, accept_language=header, default="zh-Hans") == expected


def test_default_applies_when_nothing_is_known():
    assert i18n.negotiate(account_locale=None, cookie=None, accept_language=None) == i18n.DEFAULT_LOCALE == "zh-Hans"
    assert i18n.negotiate(account_locale=None, cookie=None, accept_language=None, default="en") == "en"


# ---------------------------------------------------------------------------------------------------
# Numbers, money, areas


@pytest.mark.parametrize("locale", ["zh-Hans", "en"])
@pytest.mark.parametrize(("fen", "expected"), [
    (0, "¥0.00"),
    (5, "¥0.05"),
    (123450, "¥1,234.50"),
    (100_000_00, "¥100,000.00"),  # the contest's prize pool
    (-5, "-¥0.05"),
    (-123450, "-¥1,234.50"),
    (12_345_678_901_234, "¥123,456,789,012.34"),  # larger than a float keeps exactly
])
def test_format_money_from_integer_fen(locale, fen, expected):
    assert i18n.format_money(fen, locale) == expected


@pytest.mark.parametrize(("dm2", "expected"), [
    (123450, "1,234.50 m²"),
    (8950, "89.50 m²"),
    (1, "0.01 m²"),
    (0, "0.00 m²"),
])
def test_format_area_from_square_decimetres(dm2, expected):
    assert i18n.format_area(dm2, "zh-Hans") == expected
    assert i18n.format_area(dm2, "en") == expected


def test_format_number():
    assert i18n.format_number(1234567, "en") == "1,234,567"
    assert i18n.format_number(1234567, "zh-Hans") == "1,234,567"
    assert i18n.format_number(Decimal("2.5"), "en", places=2) == "2.50"
    assert i18n.format_number(Decimal("1234.5"), "en", places=0) == "1,234"


# ---------------------------------------------------------------------------------------------------
# Dates and times: stored in UTC, shown in Asia/Shanghai

LATE_AFTERNOON_UTC = datetime(2026, 1, 1, 16, 30, tzinfo=UTC)  # 00:30 on 2 January in Wuhan


def test_format_date_in_both_locales():
    assert i18n.format_date(date(2026, 3, 5), "zh-Hans") == "2026年3月5日"
    assert i18n.format_date(date(2026, 3, 5), "en") == "5 Mar 2026"


def test_format_date_of_a_utc_datetime_uses_the_display_timezone():
    assert i18n.format_date(LATE_AFTERNOON_UTC, "zh-Hans") == "2026年1月2日"
    assert i18n.format_date(LATE_AFTERNOON_UTC, "en") == "2 Jan 2026"
    assert i18n.format_date(LATE_AFTERNOON_UTC, "zh-Hans", "short") == "2026/1/2"


def test_format_datetime_in_both_locales_uses_the_display_timezone():
    assert i18n.format_datetime(LATE_AFTERNOON_UTC, "zh-Hans") == "2026年1月2日 00:30:00"
    assert i18n.format_datetime(LATE_AFTERNOON_UTC, "en") == "2 Jan 2026, 00:30:00"


def test_missing_dates_render_as_nothing():
    assert i18n.format_date(None, "en") == ""
    assert i18n.format_datetime(None, "zh-Hans") == ""


# ---------------------------------------------------------------------------------------------------
# Catalogues


def test_english_is_the_source_language():
    assert i18n.translations("en").gettext("Votes") == "Votes"


def test_every_supported_locale_has_a_name_and_a_babel_locale():
    assert set(i18n.LOCALE_NAMES) == set(i18n.LOCALES) == {"zh-Hans", "en"}
    assert i18n.LOCALE_NAMES["zh-Hans"] == "简体中文"
