"""Error pages render inside the layout with a readable message — never a stack trace."""

from starlette.routing import Route
from starlette.testclient import TestClient

from civic.errors import Conflict, InvalidInput


def _add(app, path, exc):
    async def endpoint(request):
        raise exc

    app.router.routes.insert(0, Route(path, endpoint))


def test_unexpected_error_is_a_500_page_without_traceback(app):
    _add(app, "/boom", RuntimeError("secret internals: password=hunter2"))
    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/boom")
    assert page.status_code == 500
    assert "Something went wrong on our side" in page.text
    assert 'class="skip-link"' in page.text
    assert "Traceback" not in page.text and "hunter2" not in page.text


def test_domain_errors_become_4xx_pages_with_their_message(app):
    _add(app, "/bad", InvalidInput("Area must be a positive number."))
    _add(app, "/conflict", Conflict("Someone changed this meanwhile."))
    with TestClient(app) as client:
        bad, conflict = client.get("/bad"), client.get("/conflict")
    assert bad.status_code == 400 and "Area must be a positive number." in bad.text
    assert conflict.status_code == 409 and "Someone changed this meanwhile." in conflict.text
    assert "This conflicts with a change made meanwhile" in conflict.text


def test_method_not_allowed_is_a_405_page(client):
    page = client.get("/logout")
    assert page.status_code == 405
    assert 'class="skip-link"' in page.text


def test_forbidden_page_says_what_is_missing(client, make_account):
    client.login_as(make_account("居民"))
    page = client.get("/account/1/roles")
    assert page.status_code == 403
    assert "Only administrators can see and grant roles." in page.text


def test_fragment_request_gets_only_the_block_and_full_request_the_page(client, make_account):
    account = make_account("居民")
    client.login_as(account)
    full = client.get("/inbox/")
    fragment = client.get("/inbox/", headers={"HX-Request": "true"})
    boosted = client.get("/inbox/", headers={"HX-Request": "true", "HX-Boosted": "true"})
    restore = client.get("/inbox/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in full.text and "<html" not in fragment.text
    assert "<html" in boosted.text and "<html" in restore.text
    assert "HX-Request" in full.headers["vary"] and "HX-Request" in fragment.headers["vary"]
