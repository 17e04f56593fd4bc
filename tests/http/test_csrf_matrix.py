"""Every unsafe route refuses a request without the session's CSRF token, whoever sends it.

The routes are read from the app's own route table (recursively through Mounts), so a route added
tomorrow is covered without touching this file, and an exempted one makes this test fail.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import create_engine
from starlette.routing import BaseRoute, Mount, Route

from civic.settings import Settings
from civic.web.app import create_app
from tests.conftest import SECRET

PARAM = re.compile(r"{[^}]*}")
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
CSRF_MESSAGE = "This form has expired or did not come from this site."


def unsafe_endpoints(routes: list[BaseRoute], prefix: str = "") -> list[tuple[str, str]]:
    """(method, path) for every unsafe method of every route; path parameters filled with 1."""
    found: list[tuple[str, str]] = []
    for route in routes:
        if isinstance(route, Mount):
            mount_path = prefix + _fill(route.path)
            children = route.routes
            if children:
                found += unsafe_endpoints(children, mount_path)
            else:
                # An app mounted without a route table (static files, a sub-application) still sits
                # behind the middleware: any unsafe request into it must be refused too.
                found += [(method, mount_path + "/1") for method in UNSAFE]
        elif isinstance(route, Route):
            path = prefix + _fill(route.path)
            # methods is None for a raw ASGI endpoint, which then answers every method.
            methods = UNSAFE if route.methods is None else [m for m in UNSAFE if m in route.methods]
            found += [(method, path) for method in methods]
    return found


def _fill(path: str) -> str:
    """"/{account_id:int}/roles" → "/1/roles": every path parameter becomes 1."""
    return PARAM.sub("1", path)


def _route_table() -> list[tuple[str, str]]:
    # The route table does not depend on the database; an unconnected engine is never used here.
    app = create_app(Settings(database_url="sqlite://", secret_key=SECRET), engine=create_engine("sqlite://"))
    return sorted(set(unsafe_endpoints(app.routes)))


ENDPOINTS = _route_table()


def test_the_route_table_is_really_walked():
    """Guards the walker itself: known unsafe routes, at top level and inside a Mount, are found."""
    assert ("POST", "/logout") in ENDPOINTS
    assert ("POST", "/login") in ENDPOINTS
    assert ("POST", "/account/password") in ENDPOINTS
    assert ("POST", "/account/1/roles") in ENDPOINTS
    assert not any(method == "POST" and path == "/account/" for method, path in ENDPOINTS)  # GET only


def test_walker_fills_parameters_and_follows_nested_mounts():
    async def endpoint(request):  # pragma: no cover - never called
        raise AssertionError

    table = [Mount("/a/{x:int}", routes=[Mount("/b", routes=[Route("/{y}/z", endpoint, methods=["PATCH"])]),
                                         Route("/", endpoint, methods=["GET"])])]
    assert unsafe_endpoints(table) == [("PATCH", "/a/1/b/1/z")]


def _send(client, method: str, path: str, token: str | None, via_header: bool = False):
    data = {"anything": "x"}
    headers = {}
    if token is not None and via_header:
        headers["X-CSRF-Token"] = token
    elif token is not None:
        data["csrf_token"] = token
    return client.request(method, path, data=data, headers=headers)


@pytest.mark.parametrize(("method", "path"), ENDPOINTS, ids=[f"{m} {p}" for m, p in ENDPOINTS])
@pytest.mark.parametrize("who", ["anonymous", "signed-in"])
def test_unsafe_route_refuses_missing_or_wrong_token(client, make_account, method, path, who):
    if who == "signed-in":
        client.login_as(make_account("Admin", roles=[("administrator", "global", 0)]))
    client.get("/")  # the session now holds a real token, which none of these requests carries
    for token, via_header in [(None, False), ("wrong-token", False), ("wrong-token", True), ("", False)]:
        page = _send(client, method, path, token, via_header)
        assert page.status_code == 403, (method, path, token, page.status_code)
        # The middleware's own refusal, not a 403 from the route: an exempted route would not say this.
        assert CSRF_MESSAGE in page.text, (method, path, token)
