"""The language switch: Chinese by default, one button to English, and the choice sticks —
with JavaScript and without it (the switch is a plain form post)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from civic import i18n

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_language_switch_persists_across_navigation(new_context, live_server, axe_check, assert_same_origin,
                                                     javascript):
    # A French browser asks for nothing Civic has, so it gets the default: Simplified Chinese.
    context = new_context(locale="fr-FR", java_script_enabled=javascript)
    page = context.new_page()
    html = page.locator("html")
    page.goto("/")
    expect(html).to_have_attribute("lang", "zh-Hans")

    page.get_by_role("button", name="English", exact=True).click()
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{live_server.url}/")
    assert {"name": "civic_locale", "value": "en"}.items() <= _cookie(context, "civic_locale").items()
    if javascript:  # axe-core is JavaScript: it cannot run where JavaScript is off
        axe_check(page)

    english = i18n.translations("en").gettext
    page.get_by_role("navigation", name=english("Main")).get_by_role("link", name=english("Votes"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/votes$"))
    expect(html).to_have_attribute("lang", "en")
    page.reload()
    expect(html).to_have_attribute("lang", "en")

    # Switching back returns to the page the visitor was on.
    page.get_by_role("button", name="简体中文", exact=True).click()
    expect(page).to_have_url(re.compile(r"/votes$"))
    expect(html).to_have_attribute("lang", "zh-Hans")
    assert_same_origin()


def _cookie(context, name: str) -> dict:
    cookies = {cookie["name"]: cookie for cookie in context.cookies()}
    assert name in cookies, f"no {name} cookie; cookies: {sorted(cookies)}"
    return dict(cookies[name])
