"""The web shell: layout, HTMX fragments, error pages, CSRF, language, security headers."""

from civic.auth.models import Role, ScopeType


def test_home_page_renders_layout_with_navigation(client):
    page = client.get("/")
    assert page.status_code == 200
    for path in ["/covenants", "/votes", "/contests", "/planning", "/grants", "/open-data"]:
        assert f'href="{path}"' in page.text
    assert 'class="skip-link"' in page.text
    assert page.headers["vary"].startswith("HX-Request")


def test_sections_show_a_real_empty_state(client):
    for path in ["/covenants", "/votes", "/contests", "/planning", "/grants", "/open-data"]:
        page = client.get(path)
        assert page.status_code == 200, path
        assert "empty-state" in page.text, path


def test_unknown_page_is_a_404_in_the_layout(client):
    page = client.get("/no/such/page")
    assert page.status_code == 404
    assert "Page not found" in page.text
    assert 'class="skip-link"' in page.text


def test_post_without_csrf_token_is_refused_and_changes_nothing(client):
    page = client.post("/language", data={"locale": "en"})
    assert page.status_code == 403
    assert "civic_locale" not in page.cookies


def test_post_with_header_token_is_accepted(client):
    token = client.csrf_token()
    page = client.post("/language", data={"locale": "en", "next": "/votes"}, headers={"X-CSRF-Token": token})
    assert page.status_code == 303
    assert page.headers["location"] == "/votes"


def test_language_switch_sets_cookie_and_never_redirects_off_site(client):
    page = client.post_form("/language", {"locale": "zh-Hans", "next": "//evil.example/"})
    assert page.headers["location"] == "/"
    assert client.get("/").text.count('lang="zh-Hans"') >= 1


def test_security_headers(client):
    headers = client.get("/").headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


def test_signed_in_user_sees_account_menu(client, make_account):
    account = make_account("王秀英", roles=[(Role.staff, ScopeType.place, 1)])
    client.login_as(account)
    page = client.get("/")
    assert "王秀英" in page.text
