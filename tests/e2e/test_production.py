"""Production mode as `make serve` runs it: the built frontend and the backend on one
port, two backend workers sharing Reflex state through Redis, PostgreSQL, no demo data.

One module-scoped server (the production build is slow), then Chromium through it: the
first admin signs up and is logged in, connects a Google calendar (the provider sandbox,
run as its own process as a real provider would be), and a prospect books a meeting while
their events go to both workers. The same server is attacked from a foreign origin.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import psutil
import pytest
import redis
import requests
import websocket
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlmodel import Session, select

from meetings_ui.config import PROJECT_ROOT
from meetings_ui.db import engine_for
from meetings_ui.models import Booking, Domain, MeetingLink, User
from meetings_ui.services.links import do_create_link
from tests.conftest import make_empty_database
from tests.e2e.test_booking import EVERY_DAY, fill_form, pick_first_time
from tests.e2e.test_calendar_settings import connect_through_the_ui
from tests.processes import free_port, stop_group, wait_until_up
from tests.sandbox import CONTROL_TOKEN

SS = shutil.which("ss") or "/usr/bin/ss"  # iproute2: bytes received per connection
BUILD_TIMEOUT = 1200  # seconds: npm and the production build on a busy machine
SLOW = 60_000  # milliseconds, for each browser step
FOREIGN = "https://evil.example"
OWNER = ("Olga Owner", "owner@example.com", "owner password 1")

pytestmark = pytest.mark.skipif(
    not (os.environ.get("TEST_DATABASE_URL") and os.environ.get("TEST_REDIS_URL")),
    reason="production mode needs PostgreSQL and Redis: set TEST_DATABASE_URL and TEST_REDIS_URL",
)


@dataclass(frozen=True)
class Production:
    url: str
    database_url: str
    sandbox_url: str


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Production]:
    directory = tmp_path_factory.mktemp("production")
    database_url, drop = make_empty_database("postgresql", directory)
    redis.Redis.from_url(os.environ["TEST_REDIS_URL"]).flushdb()
    port, sandbox_port = free_port(), free_port()
    url = f"http://127.0.0.1:{port}"
    sandbox_url = f"http://127.0.0.1:{sandbox_port}/_sandbox"
    env = {
        name: value
        for name, value in os.environ.items()
        # Not the app's settings of this process, nor what an earlier development harness
        # left here (APP_HARNESS_FLAG, REFLEX_ENV_MODE): the Makefile sets Reflex's own.
        if not name.startswith(
            ("MEETINGS_", "SMTP_", "DATABASE_", "REDIS_", "GRANIAN_", "REFLEX_", "PYTEST_")
        )
        and name != "APP_HARNESS_FLAG"
    } | {
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ["TEST_REDIS_URL"],
        "MEETINGS_SECRET_KEY": "production-test-secret-key-0123456789abcdef",
        "MEETINGS_APP_URL": url,
        # The provider stand-in, in a process of its own as a real provider is.
        "MEETINGS_SANDBOX": "1",
        "MEETINGS_SANDBOX_TOKEN": CONTROL_TOKEN,
        "MEETINGS_SANDBOX_URL": sandbox_url,
        # A frontend directory of its own: the development harness of the other browser
        # tests may be serving .web from this same checkout.
        "REFLEX_WEB_WORKDIR": str(PROJECT_ROOT / ".web-production-test"),
    }
    sandbox_log = directory / "sandbox.log"
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "meetings_ui.sandbox", "--port", str(sandbox_port)],
        cwd=PROJECT_ROOT,
        env=env | {"MEETINGS_BACKEND_URL": url},
        stdout=sandbox_log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server_log = directory / "serve.log"
    # `make serve` as documented, with this virtualenv (its requirements already installed).
    server = subprocess.Popen(
        [
            shutil.which("make") or "make",
            "--no-print-directory",
            "-o",
            "install",
            "serve",
            f"VENV={sys.prefix}",
            f"PORT={port}",
            "HOST=127.0.0.1",
            "WORKERS=2",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=server_log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until_up(
            f"{sandbox_url}/control/state",
            sandbox,
            sandbox_log,
            120,
            headers={"Authorization": f"Bearer {CONTROL_TOKEN}"},
        )
        wait_until_up(f"{url}/health", server, server_log, BUILD_TIMEOUT)
        wait_until_up(f"{url}/login", server, server_log, 120)
        yield Production(url=url, database_url=database_url, sandbox_url=sandbox_url)
    finally:
        stop_group(server)
        stop_group(sandbox)
        drop()


def _route_http_outside_the_browser(context: BrowserContext) -> None:
    """Every HTTP request of this context is made by Playwright, not by Chromium: then
    Chromium's only connections to the app are its event websockets (which routes leave
    alone), so each one can be traced to the worker process holding it."""
    context.route(
        re.compile(r"^https?://"),
        # Redirects go back to the browser, which follows them with its own URL bar.
        lambda route: route.fulfill(response=route.fetch(max_redirects=0)),
    )
    # A page Playwright fulfilled has no address of its own; Chromium's local network
    # access checks then block its websocket to 127.0.0.1 unless allowed.
    context.grant_permissions(["local-network-access"])


def _websocket_worker(port: int) -> int | None:
    """The pid of the backend worker holding Chromium's one open websocket to `port`, or
    None while there is not exactly one (a reload closes the old one, opens the next).
    Chromium may also hold a connection it opened ahead of need and never used: the
    websocket is the one the server has received bytes on (`ss` reports them)."""
    browser_ports = {
        c.laddr.port
        for c in psutil.net_connections(kind="tcp")
        if c.status == psutil.CONN_ESTABLISHED
        and c.raddr
        and c.raddr.port == port
        and c.pid
        and "chrom" in _name(c.pid)
    }
    used = {
        peer: worker
        for peer, (worker, received) in _server_sockets(port).items()
        if peer in browser_ports and received
    }
    return next(iter(used.values())) if len(used) == 1 else None


def _server_sockets(port: int) -> dict[int, tuple[int, int]]:
    """Each established connection to `port`: peer port -> (worker pid, bytes received)."""
    listing = subprocess.run(
        [SS, "-Htinp", "state", "established", f"( sport = :{port} )"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    sockets: dict[int, tuple[int, int]] = {}
    peer = worker = None
    for line in listing.splitlines():
        if head := re.search(r':(\d+)\s+users:\(\("[^"]*",pid=(\d+)', line):
            peer, worker = int(head[1]), int(head[2])
            sockets[peer] = (worker, 0)
        elif peer is not None and (received := re.search(r"bytes_received:(\d+)", line)):
            sockets[peer] = (worker, int(received[1]))
    return sockets


def _name(pid: int) -> str:
    try:
        return psutil.Process(pid).name()
    except psutil.Error:
        return ""


def _wait_for_websocket_worker(port: int) -> int:
    deadline = time.monotonic() + SLOW / 1000
    while time.monotonic() < deadline:
        if (worker := _websocket_worker(port)) is not None:
            return worker
        time.sleep(0.5)
    seen = [
        (c.laddr, c.raddr, c.pid, _name(c.pid) if c.pid else "")
        for c in psutil.net_connections(kind="tcp")
        if c.status == psutil.CONN_ESTABLISHED and c.raddr and port in (c.laddr.port, c.raddr.port)
    ]
    pytest.fail(f"the page has no single websocket to the app: {seen}")


def test_production_mode_refuses_demo_data_and_serves_one_port(production: Production) -> None:
    health = requests.get(f"{production.url}/health", timeout=30)
    assert health.json()["status"] == "ok"
    with Session(engine_for(production.database_url)) as session:
        assert session.exec(select(User)).all() == []  # no demo workspace
    page = requests.get(f"{production.url}/login", timeout=30)
    assert page.status_code == 200 and "<html" in page.text  # the built pages, same port


def test_a_page_from_another_origin_cannot_open_the_websocket(production: Production) -> None:
    """The attack: a page on another site opening the event websocket with the visitor's
    cookies. The same handshake from the app's own origin is accepted."""
    ws_url = production.url.replace("http://", "ws://") + "/_event/?EIO=4&transport=websocket"
    with pytest.raises(websocket.WebSocketBadStatusException):
        websocket.create_connection(ws_url, origin=FOREIGN, timeout=30)
    own = websocket.create_connection(ws_url, origin=production.url, timeout=30)
    try:
        assert own.recv().startswith("0")  # engine.io's open packet
    finally:
        own.close()


def test_cross_origin_requests_get_no_permissive_cors_answer(production: Production) -> None:
    api = f"{production.url}/api/v1/public/links/anything"
    foreign = requests.get(api, headers={"Origin": FOREIGN}, timeout=30)
    assert "access-control-allow-origin" not in foreign.headers
    preflight = requests.options(
        api,
        headers={
            "Origin": FOREIGN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
        timeout=30,
    )
    assert "access-control-allow-origin" not in preflight.headers
    own = requests.get(api, headers={"Origin": production.url}, timeout=30)
    assert own.headers["access-control-allow-origin"] == production.url


def _create_link(database_url: str, email: str, slug: str) -> None:
    with Session(engine_for(database_url), expire_on_commit=False) as session:
        owner = session.exec(select(User).where(User.email == email)).one()
        do_create_link(
            session=session,
            owner=owner,
            name=f"Call {slug}",
            slug=slug,
            settings={
                "weekly": EVERY_DAY,
                "minimum_notice": 0,
                "durations": [60],
                "slot_interval": 60,
                "questions": [{"id": "company", "label": "Company", "required": True}],
            },
        )


def test_sign_up_connect_and_book_through_two_workers(
    production: Production, page: Page, browser: Browser
) -> None:
    url = production.url
    page.set_default_timeout(SLOW)
    # The first admin: /auth/browser and /auth/complete are backend routes on this port.
    page.goto(url + "/app/meetings")
    expect(page.get_by_role("heading", name="Create the first admin")).to_be_visible(timeout=SLOW)
    name, email, password = OWNER
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Create admin account").click()
    expect(page.get_by_role("heading", name="Users and seats", level=1)).to_be_visible(timeout=SLOW)

    # A Google calendar through the provider's consent page and the OAuth callback.
    connect_through_the_ui(
        page, url, "Google/Gmail", "Accept and connect to Google", "demo.google@example.com"
    )
    # (Production serves each page as a directory: /app/meetings/?connected=google.)
    expect(page).to_have_url(re.compile(r"/app/meetings/?\?connected=google"), timeout=SLOW)
    expect(page.get_by_role("status").filter(has_text="calendar is connected")).to_be_visible()

    _create_link(production.database_url, email, "production-call")
    page.context.close()  # its idle keep-alive connections too: only the prospect's remain
    port = int(url.rsplit(":", 1)[1])
    context = browser.new_context(timezone_id="Europe/Paris")
    _route_http_outside_the_browser(context)
    prospect = context.new_page()
    prospect.set_default_timeout(SLOW)
    prospect.goto(f"{url}/meetings/production-call")
    heading = prospect.get_by_role("heading", name="Call production-call")
    expect(heading).to_be_visible(timeout=SLOW)
    pick_first_time(prospect)
    fill_form(prospect)
    # One tab's events are handled in order: once this one shows, the form is in state.
    prospect.get_by_role("button", name="Other times").click()
    expect(prospect.get_by_role("group", name="Available times")).to_be_visible(timeout=SLOW)
    first = _wait_for_websocket_worker(port)

    # Each load opens a new websocket, taken by whichever worker accepts it first; the tab
    # keeps its state token, so its state comes from Redis, not from the worker's memory.
    workers = [first]
    while workers[-1] == first and len(workers) < 60:
        prospect.reload()
        expect(heading).to_be_visible(timeout=SLOW)
        workers.append(_wait_for_websocket_worker(port))
    assert workers[-1] != first, f"every websocket went to worker {first}: {workers}"

    # The other worker has what the prospect typed on the first one, and books.
    pick_first_time(prospect)
    expect(prospect.get_by_label("Name")).to_have_value("Pat Prospect")
    expect(prospect.get_by_label("Email")).to_have_value("pat@example.org")
    prospect.get_by_role("button", name="Confirm booking").click()
    expect(prospect.get_by_role("heading", name="You are booked")).to_be_visible(timeout=SLOW)
    assert _wait_for_websocket_worker(port) == workers[-1]

    with Session(engine_for(production.database_url)) as session:
        booking = session.exec(select(Booking)).one()
        assert (booking.prospect_name, booking.prospect_email) == (
            "Pat Prospect",
            "pat@example.org",
        )
        # Written to the host's Google calendar (the sandbox) by the second worker.
        assert booking.provider_event_id and booking.calendar_error is None
    context.close()


def test_a_custom_domain_is_served_on_the_same_port(
    production: Production, browser: Browser
) -> None:
    """M10 in production: brand.test (resolved to this machine by the browser) serves its
    own link under its brand with the noindex tag, not the app domain's link, and its
    robots.txt, all from the one port."""
    url = production.url
    port = int(url.rsplit(":", 1)[1])
    with Session(engine_for(production.database_url), expire_on_commit=False) as session:
        owner = User(email="dora@example.com", display_name="Dora Domain", time_zone="UTC")
        domain = Domain(
            host="brand.test",
            verified_at=datetime.now(UTC),
            brand_name="Brand Co",
            block_indexing=True,
        )
        session.add_all([owner, domain])
        session.commit()
    _create_link(production.database_url, "dora@example.com", "brand-production")
    _create_link(production.database_url, "dora@example.com", "app-production")
    with Session(engine_for(production.database_url)) as session:
        link = session.exec(select(MeetingLink).where(MeetingLink.slug == "brand-production")).one()
        link.domain_id = domain.id
        session.add(link)
        session.commit()

    app_robots = requests.get(f"{url}/robots.txt", timeout=30)
    assert app_robots.status_code == 200 and "Disallow: /app/" in app_robots.text
    custom_robots = requests.get(
        f"{url}/robots.txt", headers={"Host": f"brand.test:{port}"}, timeout=30
    )
    assert custom_robots.text == "User-agent: *\nDisallow: /meetings*\n"

    context = browser.new_context(timezone_id="Europe/Paris")
    page = context.new_page()
    page.set_default_timeout(SLOW)
    page.goto(f"http://brand.test:{port}/meetings/brand-production")
    expect(page.get_by_role("heading", name="Call brand-production")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("Brand Co")
    expect(page.locator('meta[name="robots"][content="noindex"]')).to_have_count(1)
    page.goto(f"http://brand.test:{port}/meetings/app-production")
    expect(page.get_by_role("heading", name=re.compile("Not found"))).to_be_visible()
    page.goto(f"{url}/meetings/brand-production")
    expect(page).to_have_url(re.compile(rf"^http://brand\.test:{port}/meetings/brand-production"))
    context.close()
