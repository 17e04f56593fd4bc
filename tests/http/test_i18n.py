"""The language of a page, end to end: the account's preference, then the civic_locale cookie,
then Accept-Language, then the site default (Simplified Chinese)."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from civic.auth.models import Account
from tests.conftest import CivicClient


@pytest.fixture
def settings(settings):
    """The shared fixture defaults to English; here the product default matters."""
    return settings.with_(default_locale="zh-Hans")


def page_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.text)
    assert match, "no <html lang> on the page"
    return match.group(1)


def test_without_any_preference_the_page_is_chinese(client):
    assert page_lang(client.get("/")) == "zh-Hans"


@pytest.mark.parametrize(("header", "lang"), [
    ("en", "en"),
    ("en-US,en;q=0.9", "en"),
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh-Hans"),
    ("fr-FR,fr;q=0.9", "zh-Hans"),
])
def test_accept_language_picks_the_language(client, header, lang):
    assert page_lang(client.get("/", headers={"Accept-Language": header})) == lang


@pytest.mark.parametrize(("cookie", "header", "lang"), [
    ("en", "zh-CN,zh;q=0.9", "en"),
    ("zh-Hans", "en-US,en;q=0.9", "zh-Hans"),
])
def test_cookie_beats_accept_language(client, cookie, header, lang):
    client.cookies.set("civic_locale", cookie)
    assert page_lang(client.get("/votes", headers={"Accept-Language": header})) == lang


@pytest.mark.parametrize(("account_locale", "cookie", "lang"), [
    ("en", "zh-Hans", "en"),
    ("zh-Hans", "en", "zh-Hans"),
])
def test_signed_in_account_locale_beats_cookie(client, make_account, account_locale, cookie, lang):
    client.login_as(make_account("Zhang Wei", locale=account_locale))
    client.cookies.set("civic_locale", cookie)
    assert page_lang(client.get("/", headers={"Accept-Language": cookie})) == lang


def test_error_pages_follow_the_negotiated_language(client):
    page = client.get("/no/such/page", headers={"Accept-Language": "en"})
    assert page.status_code == 404
    assert page_lang(page) == "en"


def test_switching_language_signed_in_is_remembered_on_the_account(client, make_account, session, app):
    account = make_account("Zhang Wei")
    client.login_as(account)
    response = client.post_form("/language", {"locale": "en", "next": "/votes"})
    assert response.status_code == 303
    assert response.headers["location"] == "/votes"
    session.rollback()
    assert session.exec(select(Account.locale).where(Account.id == account.id)).one() == "en"

    # Another device, with no cookie and a Chinese browser, still gets the account's language.
    with CivicClient(app, follow_redirects=False) as other_device:
        other_device.login_as(account)
        assert page_lang(other_device.get("/", headers={"Accept-Language": "zh-CN"})) == "en"
