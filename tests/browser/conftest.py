"""Browser test infrastructure: the real app under uvicorn on a fresh SQLite database, Debian's
chromium driven by Playwright, a log of every request a page makes, and axe-core.

Outside CI a missing /usr/bin/chromium skips these tests with a visible reason; under CI=true
the same condition fails them (see `skip_or_fail` in tests/conftest.py).

CSP note: the app sends `script-src 'self'`, which blocks the inline <script> that Playwright's
`page.add_script_tag(path=…)` creates. Rather than turning the policy off for the whole test
(`bypass_csp=True`), axe-core is evaluated through the DevTools protocol (`page.evaluate`), which
the page's policy does not govern. The pages are therefore tested under the same CSP users get,
and `PageLog.csp_violations` catches anything the policy would block.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import skip_or_fail

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright, Request

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_SCRIPT = Path(__file__).resolve().parent / "vendor" / "axe-4.14.1.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
STARTUP_TIMEOUT = 30.0  # seconds for `civic db upgrade` plus uvicorn to answer /healthz
_NO_JAVASCRIPT: weakref.WeakSet[BrowserContext] = weakref.WeakSet()  # contexts where axe cannot run


@dataclass(frozen=True)
class Credentials:
    """A local account the live server knows, with its known password."""

    name: str
    email: str
    password: str
    roles: tuple[str, ...] = ()


RESIDENT = Credentials("李秀兰", "resident@example.test", "resident-password-2026")
ADMINISTRATOR = Credentials("王建国", "admin@example.test", "admin-password-2026", roles=("administrator",))


@dataclass(frozen=True)
class LiveServer:
    """A running `uvicorn app:app` on its own database; `url` has no trailing slash."""

    url: str
    env: dict[str, str]
    log_path: Path

    @property
    def netloc(self) -> str:
        return urlsplit(self.url).netloc

    def civic(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run the `civic` console script against this server's database."""
        result = subprocess.run([sys.executable, "-m", "civic", *args], cwd=REPO_ROOT, env=self.env,
                                capture_output=True, text=True, timeout=60)
        if check and result.returncode != 0:
            pytest.fail(f"`civic {' '.join(args)}` exited {result.returncode}:\n{result.stderr or result.stdout}")
        return result

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's output, for error messages."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class PageLog:
    """Everything a browser context asked for and complained about, for same-origin and CSP checks."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def record_request(self, request: Request) -> None:
        self.requests.append(request.url)

    def record_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def off_host(self, netloc: str) -> list[str]:
        """URLs that went anywhere but `netloc` (data: and blob: URLs never leave the page)."""
        return [url for url in self.requests
                if urlsplit(url).scheme not in {"data", "blob", "about"} and urlsplit(url).netloc != netloc]

    @property
    def csp_violations(self) -> list[str]:
        return [text for text in self.console_errors if "Content Security Policy" in text]


# ---------------------------------------------------------------------------------------------------
# Availability


@pytest.fixture(scope="session", autouse=True)
def _require_chromium() -> None:
    """Every test in tests/browser needs Debian's chromium (Playwright is a dev dependency)."""
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} is missing: browser tests skipped (apt-get install chromium)")


# ---------------------------------------------------------------------------------------------------
# The live server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    """Poll /healthz until it answers 200; fail with the server's output if it dies or times out."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last_error = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the live server exited with status {process.returncode} before answering "
                        f"/healthz:\n{log_path.read_text(errors='replace')}")
        connection = http.client.HTTPConnection(urlsplit(url).netloc, timeout=2)
        try:
            connection.request("GET", "/healthz")
            status = connection.getresponse().status
            if status == 200:
                return
            last_error = f"HTTP {status}"
        except OSError as exc:  # refused while uvicorn binds, or a timeout
            last_error = str(exc)
        finally:
            connection.close()
        time.sleep(0.1)
    pytest.fail(f"the live server did not answer {url}/healthz within {STARTUP_TIMEOUT:.0f} s "
                f"(last error: {last_error}):\n{log_path.read_text(errors='replace')}")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Migrate a fresh SQLite database, start uvicorn on a free port, stop it after the session."""
    base = tmp_path_factory.mktemp("live")
    env = dict(os.environ)
    env.update({
        "CIVIC_ENV": "development",
        "CIVIC_DATABASE_URL": f"sqlite:///{base / 'civic.sqlite3'}",
        "CIVIC_VAR_DIR": str(base / "var"),
        "CIVIC_SECRET_KEY": "browser-test-secret-key-not-for-production",
        "CIVIC_DEFAULT_LOCALE": "zh-Hans",
    })
    port = _free_port()
    server = LiveServer(url=f"http://127.0.0.1:{port}", env=env, log_path=base / "server.log")
    server.civic("db", "upgrade")
    # Output goes to a file, not a pipe: a chatty server can never block on a full pipe buffer.
    with server.log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(port), "--no-access-log"],
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(server.url, process, server.log_path)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def accounts(live_server: LiveServer) -> dict[str, Credentials]:
    """An administrator and a plain resident, created with `civic users create`."""
    for account in (ADMINISTRATOR, RESIDENT):
        args = ["users", "create", "--name", account.name, "--email", account.email, "--password", account.password]
        for role in account.roles:
            args += ["--role", role]
        live_server.civic(*args)
    return {"administrator": ADMINISTRATOR, "resident": RESIDENT}


# ---------------------------------------------------------------------------------------------------
# Playwright: one browser per session, a fresh context per test


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def new_context(browser: Browser, live_server: LiveServer, page_log: PageLog) -> Iterator[Callable[..., BrowserContext]]:
    """new_context(**options) → a fresh context on the live server whose traffic goes to `page_log`.

    Defaults to a Chinese-language browser (the people Civic is for); pass `locale=…`,
    `java_script_enabled=False` … as for `Browser.new_context`. Every context is closed after the test.
    """
    opened: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        options.setdefault("base_url", live_server.url)
        options.setdefault("locale", "zh-CN")
        context = browser.new_context(**options)
        if options.get("java_script_enabled") is False:
            _NO_JAVASCRIPT.add(context)
        context.set_default_timeout(10_000)
        context.on("request", page_log.record_request)
        context.on("console", page_log.record_console)
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    """A page in a fresh default context (JavaScript on, Chinese-language browser)."""
    return new_context().new_page()


# ---------------------------------------------------------------------------------------------------
# Checks (plain functions, handed to tests by the fixtures at the end: tests never import conftest)


def _assert_same_origin(log: PageLog, server: LiveServer) -> None:
    """No request may leave the live server: Civic serves every asset itself (no CDN)."""
    off_host = log.off_host(server.netloc)
    assert not off_host, "requests to other hosts:\n  " + "\n  ".join(off_host)


def _assert_no_csp_violations(log: PageLog) -> None:
    """Nothing on the page was blocked by the Content-Security-Policy."""
    assert not log.csp_violations, "blocked by the CSP:\n  " + "\n  ".join(log.csp_violations)


def format_violations(violations: list[dict[str, Any]]) -> str:
    """axe's violations as one readable block: rule, impact, help, the offending nodes."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact') or 'n/a'}): {violation['help']}")
        lines.append(f"    {violation.get('helpUrl', '')}")
        for node in violation["nodes"]:
            lines.append(f"    at {json.dumps(node['target'], ensure_ascii=False)}")
            if summary := node.get("failureSummary"):
                lines.extend(f"       {line}" for line in summary.splitlines())
    return "\n".join(lines)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core's WCAG 2.0/2.1 A and AA rules on the page as it is now and return the violations."""
    if page.context in _NO_JAVASCRIPT:
        # page.evaluate() never returns in a context with JavaScript off: fail instead of hanging.
        pytest.fail("axe_check needs JavaScript: run it in a context with java_script_enabled=True")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated over DevTools, not injected as an inline <script>: the page's CSP stays on.
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    results = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return results["violations"]


def _axe_check(page: Page) -> None:
    """Fail with a readable list if axe-core finds any WCAG 2.1 A/AA violation on the page."""
    violations = axe_violations(page)
    assert not violations, f"axe-core found WCAG violations on {page.url}:\n{format_violations(violations)}"


@pytest.fixture
def axe_check() -> Callable[[Page], None]:
    """axe_check(page): fail with rule, impact, help and nodes for every WCAG 2.1 A/AA violation."""
    return _axe_check


@pytest.fixture
def assert_same_origin(page_log: PageLog, live_server: LiveServer) -> Callable[[], None]:
    """assert_same_origin(): no request of this test's contexts went to another host."""
    return lambda: _assert_same_origin(page_log, live_server)


@pytest.fixture
def assert_no_csp_violations(page_log: PageLog) -> Callable[[], None]:
    """assert_no_csp_violations(): the browser blocked nothing on the pages of this test."""
    return lambda: _assert_no_csp_violations(page_log)
