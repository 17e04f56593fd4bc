"""Signing in with the form: the account menu shows who you are, it lasts across pages, and
signing out ends it. The login page and the signed-in layout are WCAG 2.1 AA clean too."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from civic import i18n

pytestmark = pytest.mark.browser

# The default test context is a Chinese-language browser, so the page speaks the default locale.
_ = i18n.translations("zh-Hans").gettext


def account_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name=_("Account"))


def main_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name=_("Main"))


def sign_in(page: Page, identifier: str, password: str, axe_check) -> None:
    """From the home page, follow "Sign in", check the form page, fill it in by its labels, submit."""
    page.goto("/")
    account_nav(page).get_by_role("link", name=_("Sign in"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/login(\?|$)"))
    expect(page.locator("h1")).to_have_count(1)
    axe_check(page)
    page.get_by_label(_("Email or phone"), exact=True).fill(identifier)
    page.get_by_label(_("Password"), exact=True).fill(password)
    page.get_by_role("main").get_by_role("button", name=_("Sign in"), exact=True).click()


def test_resident_signs_in_navigates_and_signs_out(accounts, page, axe_check, assert_same_origin,
                                                   assert_no_csp_violations):
    resident = accounts["resident"]
    sign_in(page, resident.email, resident.password, axe_check)

    name_link = account_nav(page).get_by_role("link", name=resident.name, exact=True)
    expect(name_link).to_be_visible()
    expect(account_nav(page).get_by_role("link", name=_("Sign in"), exact=True)).to_have_count(0)
    expect(main_nav(page).get_by_role("link", name=_("Register"), exact=True)).to_have_count(0)
    axe_check(page)

    main_nav(page).get_by_role("link", name=_("Votes"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/votes$"))
    expect(name_link).to_be_visible()
    axe_check(page)

    account_nav(page).get_by_role("button", name=_("Sign out"), exact=True).click()
    expect(account_nav(page).get_by_role("link", name=_("Sign in"), exact=True)).to_be_visible()
    expect(name_link).to_have_count(0)
    assert_same_origin()
    assert_no_csp_violations()


def test_administrator_sees_the_register(accounts, page, axe_check):
    administrator = accounts["administrator"]
    sign_in(page, administrator.email, administrator.password, axe_check)
    expect(account_nav(page).get_by_role("link", name=administrator.name, exact=True)).to_be_visible()
    main_nav(page).get_by_role("link", name=_("Register"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/register"))
    expect(page.locator("h1")).to_have_count(1)
    axe_check(page)
