"""Anonymous visitor: every top-level page, reached through the navigation, is WCAG 2.1 AA clean
(axe-core), loads nothing from another host, has one h1, and its skip link moves focus to <main>."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from civic import i18n

pytestmark = pytest.mark.browser

SECTIONS = [
    ("/covenants", "Covenants"),
    ("/votes", "Votes"),
    ("/contests", "Contests"),
    ("/planning", "Planning"),
    ("/grants", "Grants"),
    ("/open-data", "Open data"),
]


def check_structure(page: Page, gettext: Callable[[str], str]) -> None:
    """One h1, inside <main>; Tab reaches the skip link first, it shows, and Enter focuses <main>."""
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("main h1")).to_have_count(1)
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name=gettext("Skip to main content"))
    expect(skip_link).to_be_focused()
    box = skip_link.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, f"the focused skip link is off screen: {box}"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


@pytest.mark.parametrize(("browser_locale", "locale"), [("zh-CN", "zh-Hans"), ("en-GB", "en")])
def test_every_section_is_accessible_and_self_hosted(new_context, axe_check, assert_same_origin,
                                                    assert_no_csp_violations, browser_locale, locale):
    gettext = i18n.translations(locale).gettext
    page = new_context(locale=browser_locale).new_page()
    response = page.goto("/")
    assert response is not None and response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", locale)
    check_structure(page, gettext)
    axe_check(page)

    main_nav = page.get_by_role("navigation", name=gettext("Main"))
    for path, label in SECTIONS:
        link = main_nav.get_by_role("link", name=gettext(label), exact=True)
        link.click()
        expect(page).to_have_url(re.compile(re.escape(path) + "$"))
        expect(link).to_have_attribute("aria-current", "page")
        check_structure(page, gettext)
        axe_check(page)

    response = page.goto("/no/such/page")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(gettext("Page not found"))
    check_structure(page, gettext)
    axe_check(page)

    assert_same_origin()
    assert_no_csp_violations()


def test_axe_check_reports_violations(page, axe_check):
    """The checker itself can fail: an unlabelled field and an image without alt text are caught."""
    page.goto("/")
    page.evaluate("""() => {
        const main = document.querySelector('main');
        main.insertAdjacentHTML('beforeend', '<input type="text" id="nameless"><img src="/static/none.png">');
    }""")
    with pytest.raises(AssertionError) as failure:
        axe_check(page)
    message = str(failure.value)
    assert "label" in message and "#nameless" in message
    assert "image-alt" in message


def test_off_host_requests_are_caught(page, assert_same_origin):
    """The same-origin check itself can fail: a request to another host is reported by its URL."""
    # 192.0.2.0/24 is TEST-NET-1, and the route answers locally: nothing reaches the network.
    page.route("http://192.0.2.1/**", lambda route: route.fulfill(status=204))
    page.set_content('<img src="http://192.0.2.1/pixel.png" alt="">')  # about:blank: no CSP to stop it
    with pytest.raises(AssertionError, match=r"192\.0\.2\.1/pixel\.png"):
        assert_same_origin()


def test_csp_violations_are_caught(page, assert_no_csp_violations):
    """On a served page the CSP blocks an off-host image, and the console check reports it."""
    page.goto("/")
    page.evaluate("""() => { const img = new Image(); img.src = 'http://192.0.2.1/pixel.png';
                             img.alt = ''; document.querySelector('main').append(img); }""")
    page.wait_for_timeout(200)
    with pytest.raises(AssertionError, match="Content Security Policy"):
        assert_no_csp_violations()


def test_axe_check_refuses_pages_without_javascript(new_context, axe_check):
    """axe-core needs JavaScript; asked to check a no-JS page it fails at once instead of hanging."""
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/")
    with pytest.raises(pytest.fail.Exception, match="needs JavaScript"):
        axe_check(page)


def test_keyboard_focus_is_visible_on_the_header_and_on_the_page(page):
    """WCAG 2.4.7 and 1.4.11: a yellow outline (visible on the red header) and a dark outer ring
    (visible on white: the yellow alone is only 1.6:1 there) surround whatever has keyboard focus."""
    page.goto("/")
    for region in ("header", "main"):
        link = page.locator(f"{region} a").first
        link.focus()
        page.keyboard.press("Shift+Tab")  # focus by keyboard, so :focus-visible applies
        page.keyboard.press("Tab")
        expect(link).to_be_focused()
        style = link.evaluate("el => { const s = getComputedStyle(el); "
                              "return {outline: s.outlineStyle, width: s.outlineWidth, ring: s.boxShadow}; }")
        assert style["outline"] != "none" and style["width"] != "0px", (region, style)
        assert style["ring"] != "none", (region, style)
