"""Votes end to end in a real browser, on the demo data: a resident casts, changes the ballot and checks
the receipt on the public page; staff enter a paper batch that a second staff member confirms; the
result certificate of a closed vote renders. Every page is WCAG 2.1 AA clean (axe-core)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from civic import i18n
from civic.fixtures import DEMO_PASSWORD
from civic.votes.demo import DEMO_VOTES
from tests.browser.test_sign_in import account_nav, sign_in

pytestmark = pytest.mark.browser

_ = i18n.translations("zh-Hans").gettext  # the default test browser speaks Chinese
PARKING, LIFT = DEMO_VOTES[0].title, DEMO_VOTES[1].title


@pytest.fixture(scope="module")
def demo(live_server) -> None:
    live_server.civic("fixtures", "load", "demo")


def open_vote(page: Page, title: str) -> None:
    page.goto("/votes")
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def sign_out(page: Page) -> None:
    account_nav(page).get_by_role("button", name=_("Sign out"), exact=True).click()


def test_a_resident_casts_changes_and_checks_the_receipt(demo, page, axe_check, assert_same_origin,
                                                          assert_no_csp_violations):
    sign_in(page, "owner@civic.test", DEMO_PASSWORD, axe_check)
    open_vote(page, PARKING)
    axe_check(page)
    page.get_by_label(_("Yes"), exact=True).check()
    page.get_by_role("button", name=_("Cast ballot"), exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text(_("Your ballot has been recorded. Receipt: %(receipt)s")
                                                             .split("%(receipt)s")[0].strip())
    first = page.get_by_role("link", name=_("Check it on the bulletin board")).get_attribute("href")

    page.get_by_label(_("No"), exact=True).check()
    page.get_by_role("button", name=_("Change ballot"), exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text(_("Your ballot has been changed. Receipt: %(receipt)s")
                                                             .split("%(receipt)s")[0].strip())
    check = page.get_by_role("link", name=_("Check it on the bulletin board"))
    assert check.get_attribute("href") != first  # a new event, a new receipt
    receipt = re.search(r"code=([0-9a-f]{16})", check.get_attribute("href")).group(1)
    axe_check(page)

    sign_out(page)  # the receipt page is public: check it as anyone
    open_vote(page, PARKING)
    page.get_by_label(_("Receipt code"), exact=True).fill(receipt)
    page.get_by_role("button", name=_("Check"), exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text(receipt)
    expect(page.locator(".flash-success")).to_have_count(1)
    axe_check(page)
    assert_same_origin()
    assert_no_csp_violations()


def test_staff_enter_a_paper_batch_that_a_second_staff_member_confirms(demo, page, axe_check, assert_same_origin,
                                                                       assert_no_csp_violations):
    sign_in(page, "staff@civic.test", DEMO_PASSWORD, axe_check)
    open_vote(page, PARKING)
    page.get_by_role("link", name=_("Paper ballots"), exact=True).click()
    axe_check(page)
    page.get_by_label(_("Ballots, one per line"), exact=True).fill("8栋 704, 同意\n8栋 703, 反对")
    page.get_by_role("button", name=_("Enter batch"), exact=True).click()
    expect(page.get_by_text(_("You entered this batch: another staff member must confirm or reject it."))).to_be_visible()
    axe_check(page)
    sign_out(page)

    sign_in(page, "staff3@civic.test", DEMO_PASSWORD, axe_check)
    open_vote(page, PARKING)
    page.get_by_role("link", name=_("Paper ballots"), exact=True).click()
    page.get_by_text(_("Confirm this batch…"), exact=True).click()  # the confirmation step, no JavaScript needed
    page.get_by_role("button", name=_("Confirm and count"), exact=True).click()
    confirmed = _("Batch %(id)d has been confirmed. Ballots counted: %(counted)d; conflicts to resolve: %(conflicts)d.")
    expect(page.get_by_role("status").first).to_contain_text(confirmed.split("%(counted)d")[0].split("%(id)d")[1])
    expect(page.get_by_text(_("Confirm this batch…"), exact=True)).to_have_count(0)
    axe_check(page)
    assert_same_origin()
    assert_no_csp_violations()


def test_the_certificate_of_a_closed_vote_renders_and_is_accessible(demo, page, axe_check, assert_same_origin,
                                                                    assert_no_csp_violations):
    open_vote(page, LIFT)
    page.get_by_role("link", name=_("The result certificate, ready to print"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(_("Result certificate"))
    expect(page.get_by_text(_("Valid"), exact=False).first).to_be_visible()
    expect(page.get_by_role("table").last).to_be_visible()  # named vote: everyone on the roll and their choice
    axe_check(page)
    assert_same_origin()
    assert_no_csp_violations()
