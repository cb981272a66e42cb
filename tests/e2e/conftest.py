"""Browser tests: the real app (AppHarness) driven by Playwright in Debian's Chromium."""

from __future__ import annotations

import http.server
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from reflex.config import get_config
from reflex.testing import AppHarness
from sqlmodel import select

from meetings_ui import routes
from meetings_ui.config import PROJECT_ROOT, get_settings
from meetings_ui.db import session_scope
from meetings_ui.models import MeetingLink
from meetings_ui.services import challenges
from meetings_ui.services.demo import do_seed_demo_workspace
from tests.conftest import migrate
from tests.sandbox import CONTROL_TOKEN

T = TypeVar("T", BrowserContext, Page)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CUSTOM_HOSTS = ("brand.test", "other.test")  # resolved to 127.0.0.1 by the browser

pytestmark = pytest.mark.e2e

# The one place for the browser tests' patience. On a busy two-core machine (several test
# runs at once, a CPU burner) a page, a websocket round trip or a background delivery can
# take many seconds: these are ceilings on waiting for what the user sees, never sleeps.
EXPECT_TIMEOUT_MS = 30_000  # expect(...) assertions (Playwright's default: 5 s)
ACTION_TIMEOUT_MS = 45_000  # clicks, fills, waits on locators (default: 30 s)
NAVIGATION_TIMEOUT_MS = 90_000  # goto, reload (default: 30 s)
# A cross-site frame has its own (partitioned) HTTP cache: its first page loads every module
# of the development server again.
FRAMED_PAGE_TIMEOUT = 60_000
expect.set_options(timeout=EXPECT_TIMEOUT_MS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            # Custom domains (M10): these host names reach the app on this machine.
            f"--host-resolver-rules={', '.join(f'MAP {h} 127.0.0.1' for h in CUSTOM_HOSTS)}",
        ],
    }


def patient(opened: T) -> T:
    """A browser context or page with the timeouts above."""
    opened.set_default_timeout(ACTION_TIMEOUT_MS)
    opened.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    return opened


@pytest.fixture
def context(context: BrowserContext) -> BrowserContext:
    return patient(context)


@pytest.fixture(scope="session", autouse=True)
def patient_browser(browser: Browser) -> Iterator[None]:
    """The contexts and pages a test opens itself (a second person, another time zone)
    get the same timeouts: the browser's openers are wrapped for the session."""
    browser_class = type(browser)
    openers = {name: getattr(browser_class, name) for name in ("new_context", "new_page")}
    for name, opener in openers.items():
        setattr(browser_class, name, _patiently(opener))
    yield
    for name, opener in openers.items():
        setattr(browser_class, name, opener)


def _patiently(opener: Callable[..., T]) -> Callable[..., T]:
    def opened(*args: object, **kwargs: object) -> T:
        return patient(opener(*args, **kwargs))

    return opened


def _set_env(values: dict[str, str | None]) -> dict[str, str | None]:
    """Apply environment values for the app's settings; return the previous ones."""
    previous = {name: os.environ.get(name) for name in values}
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    get_settings.cache_clear()
    return previous


@pytest.fixture(scope="package")
def app_url(tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> Iterator[str]:
    """The whole app, once for the browser tests, on a fresh migrated and seeded SQLite file.
    Package scope: it stops, background loop included, before the next package's tests,
    whose outbox rows that loop would otherwise deliver behind their back.

    Demo mode, the provider sandbox (control API with the tests' token), mail kept in the
    local outbox. The backend runs in this process, so the
    settings set here after start-up (the harness picks free ports) are the app's own.
    """
    database_url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'meetings.db'}"
    previous = _set_env(
        {
            "DATABASE_URL": database_url,
            "MEETINGS_DEMO": "1",
            "MEETINGS_SANDBOX": "1",  # the app's own sandbox stands in for both providers
            "MEETINGS_SANDBOX_TOKEN": CONTROL_TOKEN,
            "SMTP_HOST": None,
            # The development server answers these custom host names too.
            "MEETINGS_DEV_HOSTS": ",".join(CUSTOM_HOSTS),
            # Vite transforms every page when it starts (see _warm_up).
            "REFLEX_VITE_WARMUP_ROUTES": "1",
        }
    )
    migrate(database_url)
    with session_scope() as session:
        do_seed_demo_workspace(session=session)
    try:
        with AppHarness.create(root=PROJECT_ROOT, app_name="meetings_ui") as harness:
            assert harness.frontend_url is not None
            # The backend listens on 127.0.0.1: open the frontend on the same host, so the
            # session cookie set by the backend is same-site for the websocket (as
            # localhost:3000 and localhost:8000 are under `make run`).
            frontend = harness.frontend_url.rstrip("/").replace("//localhost:", "//127.0.0.1:")
            previous |= {
                k: v
                for k, v in _set_env(
                    {
                        "MEETINGS_APP_URL": frontend,
                        "MEETINGS_BACKEND_URL": get_config().api_url.rstrip("/"),
                    }
                ).items()
                if k not in previous
            }
            _warm_up(browser, frontend)
            yield frontend
    finally:
        _set_env(previous)


def _warm_up(browser: Browser, frontend: str) -> None:
    """Open the public pages once before any test. The development server (Vite) compiles a
    page on its first visit; on a fresh clone it then finds dependencies it had not
    bundled yet and reloads the page ("optimized dependencies changed"). Under load that
    happened in the middle of the first booking test, which then failed, and passed
    alone. Vite now transforms every page at start-up (REFLEX_VITE_WARMUP_ROUTES), so it
    finds them all at once, and this visit waits for that here, not in a test."""
    with session_scope() as session:
        slugs = session.exec(select(MeetingLink.slug)).all()
    page = browser.new_page()
    try:
        for path in ("/", routes.LOGIN, *(routes.booking_page(slug) for slug in slugs)):
            page.goto(frontend + path, wait_until="networkidle")
    finally:
        page.close()


@pytest.fixture
def proof_of_work(app_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The app (in this process) asks a proof of work of 12 bits from now on; yields the
    solutions it accepted."""
    accepted: list[str] = []
    verify = challenges.ProofOfWork.verify

    def recording(self, action: str, solution: str, client_ip: str) -> None:
        verify(self, action, solution, client_ip)
        accepted.append(solution)

    monkeypatch.setattr(challenges.ProofOfWork, "verify", recording)
    monkeypatch.setenv("MEETINGS_CHALLENGE", "proof-of-work")
    monkeypatch.setenv("MEETINGS_POW_DIFFICULTY", "12")
    get_settings.cache_clear()
    yield accepted
    monkeypatch.delenv("MEETINGS_CHALLENGE")
    monkeypatch.delenv("MEETINGS_POW_DIFFICULTY")
    get_settings.cache_clear()


# --- a partner's web site, for the embedded booking page (test_embed, test_custom_domains) --


class PartnerSite(http.server.ThreadingHTTPServer):
    """Serves `body` (the partner's page, set by the test) at every path."""

    body = b""


class _PartnerPage(http.server.BaseHTTPRequestHandler):
    server: PartnerSite

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(self.server.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def partner_site() -> Iterator[PartnerSite]:
    """A partner's web site on another site than the app: the app is 127.0.0.1, this is
    localhost (another host, so another site for cookies and storage)."""
    site = PartnerSite(("127.0.0.1", 0), _PartnerPage)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    yield site
    site.shutdown()
    site.server_close()
