"""Micro-covenants end to end in a real browser, on the demo data: a drafter edits a clause, a resident proposes
an amendment, the drafter accepts it and sees the diff, and the covenant goes to its ratification vote; the
adopted covenant's public page prints its text. Every page is WCAG 2.1 AA clean (axe-core)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from civic import i18n
from civic.covenants.clause_templates import CLAUSE_TEMPLATES
from civic.covenants.demo import ADOPTED_TITLE, CONSULTATION_TITLE
from civic.fixtures import DEMO_PASSWORD
from tests.browser.test_sign_in import account_nav, sign_in

pytestmark = pytest.mark.browser

_ = i18n.translations("zh-Hans").gettext  # the default test browser speaks Chinese
NOISE, RUBBISH = CLAUSE_TEMPLATES["noise"], CLAUSE_TEMPLATES["rubbish"]


@pytest.fixture(scope="module")
def demo(live_server) -> None:
    live_server.civic("fixtures", "load", "demo")


def sign_out(page: Page) -> None:
    account_nav(page).get_by_role("button", name=_("Sign out"), exact=True).click()


def open_covenant(page: Page, title: str) -> None:
    page.goto("/covenants")
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def open_clause(page: Page, heading: str) -> None:
    open_covenant(page, CONSULTATION_TITLE)
    name = _("“%(heading)s”: versions, amendments and comments") % {"heading": heading}
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)


def flashed(page: Page, msgid: str) -> None:
    """The flash message starts with the translated msgid's text before its first placeholder."""
    expect(page.get_by_role("status").first).to_contain_text(_(msgid).split("%(")[0].strip())


def test_drafted_amended_accepted_and_put_to_a_vote(demo, page, axe_check, assert_same_origin,
                                                    assert_no_csp_violations):
    # A drafter (王秀英, owner@) edits a clause.
    sign_in(page, "owner@civic.test", DEMO_PASSWORD, axe_check)
    open_clause(page, NOISE.heading)
    axe_check(page)
    page.get_by_role("link", name=_("Edit the text"), exact=True).click()
    axe_check(page)
    page.get_by_label(_("Text of the clause"), exact=True).fill(NOISE.text + "节假日前一天可延长至23时。")
    page.get_by_role("button", name=_("Save"), exact=True).click()
    flashed(page, "Saved as version %(number)d.")
    expect(page.get_by_text("节假日前一天可延长至23时。").first).to_be_visible()
    sign_out(page)

    # A resident (陈晓明, tenant@) proposes an amendment to another clause.
    sign_in(page, "tenant@civic.test", DEMO_PASSWORD, axe_check)
    open_clause(page, RUBBISH.heading)
    page.get_by_label(_("The clause as you would have it"), exact=True).fill(RUBBISH.text + "每月第一个周六为旧物交换日。")
    page.get_by_label(_("Why?"), exact=True).fill("让闲置物品有去处，也减少大件垃圾。")
    page.get_by_role("button", name=_("Propose the amendment"), exact=True).click()
    flashed(page, "Your amendment has been proposed. The drafters have been told.")
    axe_check(page)
    sign_out(page)

    # The drafter accepts it and sees the diff.
    sign_in(page, "owner@civic.test", DEMO_PASSWORD, axe_check)
    open_clause(page, RUBBISH.heading)
    amendment = page.locator("article.amendment-open").filter(has_text="旧物交换日")
    amendment.get_by_role("button", name=_("Accept: make it the next version"), exact=True).click()
    flashed(page, "The amendment was accepted: it is now version %(number)d.")
    page.get_by_role("link", name=_("compare with version %(number)d") % {"number": 1}, exact=True).first.click()
    expect(page.locator("ins").filter(has_text="每月第一个周六为旧物交换日。").first).to_be_visible()
    axe_check(page)

    # The covenant goes to its ratification vote.
    open_covenant(page, CONSULTATION_TITLE)
    page.get_by_role("link", name=_("Freeze the text and schedule the vote"), exact=True).click()
    expect(page.get_by_text("每月第一个周六为旧物交换日。")).to_be_visible()  # the text to be frozen
    axe_check(page)
    page.get_by_role("button", name=_("Freeze the text and schedule the vote"), exact=True).click()
    flashed(page, "The text is frozen and its ratification vote is scheduled.")
    expect(page.get_by_role("heading", level=1)).to_have_text(CONSULTATION_TITLE)
    expect(page.get_by_text("节假日前一天可延长至23时。")).to_be_visible()  # the vote shows the frozen text
    axe_check(page)
    assert_same_origin()
    assert_no_csp_violations()


def test_an_adopted_covenant_is_signed_and_printed(demo, page, axe_check, assert_same_origin,
                                                   assert_no_csp_violations):
    sign_in(page, "staff@civic.test", DEMO_PASSWORD, axe_check)
    open_covenant(page, ADOPTED_TITLE)
    axe_check(page)
    page.get_by_role("link", name=_("Signers, breaches and covenant keepers"), exact=True).click()
    expect(page.get_by_text("刘建国").first).to_be_visible()
    axe_check(page)
    page.goto("/covenants/adopted")
    expect(page.get_by_role("heading", level=2, name=ADOPTED_TITLE)).to_be_visible()
    expect(page.get_by_text(CLAUSE_TEMPLATES["height"].text[:12])).to_be_visible()
    axe_check(page)
    assert_same_origin()
    assert_no_csp_violations()
