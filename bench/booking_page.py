"""Benchmark of the booking page in a real browser, against the production server.

`make serve` (the production build, two backend workers, PostgreSQL, Redis) with the
provider sandbox in its own process standing in for Google, and a host whose Google
calendar is connected. Headless Chromium (Debian's, through Playwright) then measures, from
the start of the navigation:
  (a) the first bookable day visible (a day button "N times available");
  (b) the first time visible (the first bookable day is clicked as soon as it shows, then
      the first time button is waited for: (b) includes that click's round trip);
on the way, the page's load event and the opening of Reflex's event websocket; and, as
the baseline measured in the same run on the same server, the login page's
heading visible (a page of the same app that asks no provider anything).

Each is measured cold (a new browser context: empty HTTP cache, no cookies, a new Reflex
session) and warm (the same context, the page already visited once), with 0 and 100 ms of
latency added to every provider answer by the sandbox. Provider calls per view are the
requests the sandbox saw during the view. Figures are medians of --repeat views.

Run: .venv/bin/python -m bench.booking_page [--repeat 5] [--workers 2]
Needs PostgreSQL (--postgres, default postgresql://postgres@127.0.0.1:5432/postgres) and
Redis (--redis, default redis://127.0.0.1:6379/9, flushed); the first run builds the
frontend into .web-production-test (minutes).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time as clock
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis
import requests
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from bench.servers import scratch_database
from tests.processes import free_port, stop_group, wait_until_up

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
CONTROL_TOKEN = "bench-sandbox-control-token"
HOST_EMAIL = "bench.host@example.com"
GOOGLE_ACCOUNT = "demo.google@example.com"  # seeded in the sandbox, with events
SLUG = "bench-intro"
BUILD_TIMEOUT = 1800  # seconds: npm and the production build on a busy machine
STEP_TIMEOUT = 60_000  # milliseconds, for one thing to show in the browser
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Servers:
    url: str
    sandbox_url: str

    def control(self, method: str, endpoint: str, **json: object) -> dict:
        answer = requests.request(
            method,
            f"{self.sandbox_url}/control{endpoint}",
            json=json or None,
            headers={"Authorization": f"Bearer {CONTROL_TOKEN}"},
            timeout=30,
        )
        answer.raise_for_status()
        return answer.json() if answer.content else {}


@contextmanager
def servers(database_url: str, redis_url: str, workers: int, logs: Path) -> Iterator[Servers]:
    """The sandbox, then `make serve` as documented (this virtualenv, no demo data)."""
    redis.Redis.from_url(redis_url).flushdb()
    port, sandbox_port = free_port(), free_port()
    url = f"http://127.0.0.1:{port}"
    sandbox_url = f"http://127.0.0.1:{sandbox_port}/_sandbox"
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("MEETINGS_", "SMTP_", "DATABASE_", "REDIS_", "GRANIAN_"))
    } | {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "MEETINGS_SECRET_KEY": "booking-page-benchmark-secret-key-0123456789",
        "MEETINGS_APP_URL": url,
        "MEETINGS_SANDBOX": "1",
        "MEETINGS_SANDBOX_TOKEN": CONTROL_TOKEN,
        "MEETINGS_SANDBOX_URL": sandbox_url,
        "REFLEX_WEB_WORKDIR": str(PROJECT_ROOT / ".web-production-test"),
    }
    sandbox_log, server_log = logs / "sandbox.log", logs / "serve.log"
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "meetings_ui.sandbox", "--port", str(sandbox_port)],
        cwd=PROJECT_ROOT,
        env=env | {"MEETINGS_BACKEND_URL": url},
        stdout=sandbox_log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
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
            f"WORKERS={workers}",
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
        print("building and starting the production server (minutes the first time) …")
        wait_until_up(f"{url}/health", server, server_log, BUILD_TIMEOUT)
        wait_until_up(f"{url}/login", server, server_log, 120)
        for name, value in env.items():  # this process seeds the same database
            if name.startswith(("MEETINGS_", "DATABASE_")):
                os.environ[name] = value
        os.environ["MEETINGS_BACKEND_URL"] = url
        yield Servers(url, sandbox_url)
    finally:
        stop_group(server)
        stop_group(sandbox)


def seed() -> None:
    """A host with their Google calendar (the sandbox's demo account, which holds events
    this week and next) and a link: weekdays 09:00–17:00 Paris, 30 minutes."""
    from meetings_ui.config import get_settings
    from meetings_ui.db import session_scope
    from meetings_ui.domain.enums import Provider
    from meetings_ui.providers.registry import connector_for
    from meetings_ui.services.accounts import do_create_user
    from meetings_ui.services.calendar_connections import (
        callback_url,
        do_save_connected_account,
    )
    from meetings_ui.services.guard import OPERATOR
    from meetings_ui.services.links import do_create_link
    from tests.sandbox import consent

    get_settings.cache_clear()
    with session_scope() as session:
        host = do_create_user(
            session=session, actor=OPERATOR, email=HOST_EMAIL, password="bench host password"
        )
        connector = connector_for(Provider.GOOGLE)
        callback = callback_url(Provider.GOOGLE)
        start = connector.begin(redirect_uri=callback, state="bench")
        connected = connector.complete(
            flow=start.flow,
            callback_params=consent(start.url, GOOGLE_ACCOUNT, redirect_uri=callback),
        )
        calendars = connector.open(connected.credentials, lambda _: None).list_calendars()
        do_save_connected_account(
            session=session, user_id=host.id, account=connected, calendars=calendars
        )
        do_create_link(
            session=session,
            owner=host,
            name="Intro call",
            slug=SLUG,
            settings={
                "time_zone": "Europe/Paris",
                "durations": [30],
                "minimum_notice": 0,
                "rolling_days": 60,
            },
        )


# --- measuring in the browser ----------------------------------------------------------------


@dataclass(frozen=True)
class View:
    first: float  # seconds from the navigation's start: the baseline's heading, or a day
    time: float | None  # to the first time (booking page only)
    provider_calls: int
    loaded: float | None = None  # the page's load event (its scripts fetched and run)
    socket: float | None = None  # Reflex's event websocket open


def booking_view(page: Page, servers: Servers) -> View:
    servers.control("DELETE", "/requests")
    sockets: list[float] = []

    def opened(_socket: object) -> None:
        sockets.append(clock.perf_counter())

    page.on("websocket", opened)
    began = clock.perf_counter()
    page.goto(f"{servers.url}/meetings/{SLUG}", wait_until="commit")
    day = (
        page.get_by_role("group", name="Days")
        .get_by_role("button", name=re.compile(r"\d+ times available"))
        .first
    )
    day.wait_for(state="visible", timeout=STEP_TIMEOUT)
    day_seen = clock.perf_counter() - began
    day.click()
    page.get_by_role("group", name="Available times").get_by_role("button").first.wait_for(
        state="visible", timeout=STEP_TIMEOUT
    )
    time_seen = clock.perf_counter() - began
    loaded = page.evaluate(
        "performance.getEntriesByType('navigation')[0].loadEventEnd / 1000"
    )  # from the browser's own navigation start, as `began` approximately is
    page.remove_listener("websocket", opened)
    return View(
        day_seen,
        time_seen,
        servers.control("GET", "/requests")["total"],
        loaded=loaded or None,
        socket=sockets[0] - began if sockets else None,
    )


def baseline_view(page: Page, servers: Servers) -> View:
    servers.control("DELETE", "/requests")
    began = clock.perf_counter()
    page.goto(f"{servers.url}/login", wait_until="commit")
    page.get_by_role("heading", name="Log in").wait_for(state="visible", timeout=STEP_TIMEOUT)
    return View(clock.perf_counter() - began, None, servers.control("GET", "/requests")["total"])


def measure(
    browser: Browser, servers: Servers, view: Callable[[Page, Servers], View], repeat: int
) -> dict[str, list[View]]:
    """`repeat` cold views (each in a new context) and `repeat` warm ones (one context that
    has seen the page once before)."""
    cold = []
    for _ in range(repeat):
        context = browser.new_context(timezone_id="Europe/Paris")
        cold.append(view(context.new_page(), servers))
        context.close()
    context: BrowserContext = browser.new_context(timezone_id="Europe/Paris")
    page = context.new_page()
    view(page, servers)  # the visit that warms the cache
    warm = [view(page, servers) for _ in range(repeat)]
    context.close()
    return {"cold": cold, "warm": warm}


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.0f} ms (min {min(values) * 1000:5.0f})"


def report(latency: int, baseline: dict[str, list[View]], booking: dict[str, list[View]]) -> None:
    targets = {"warm": 1.0, "cold": 1.5}
    print(f"\nprovider latency {latency} ms")
    for kind in ("warm", "cold"):
        base, views = baseline[kind], booking[kind]
        time_median = statistics.median(v.time for v in views)
        met = "met" if time_median < targets[kind] else "NOT met"
        print(f"  {kind}")
        print(f"    baseline: login heading visible  {_ms([v.first for v in base])}")
        loaded = [v.loaded for v in views if v.loaded]
        sockets = [v.socket for v in views if v.socket]
        if loaded:
            print(f"    booking: page load event         {_ms(loaded)}")
        if sockets:
            print(f"    booking: websocket opened        {_ms(sockets)}")
        print(f"    booking: first bookable day      {_ms([v.first for v in views])}")
        print(f"    booking: first time visible      {_ms([v.time for v in views])}", end="")
        print(f"   target < {targets[kind]:.1f} s with 100 ms: {met}" if latency == 100 else "")
        print(
            f"    first time / baseline            "
            f"{time_median / statistics.median(v.first for v in base):7.2f} x"
        )
        calls = sorted({v.provider_calls for v in views})
        print(f"    provider calls per view          {', '.join(map(str, calls))}")


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"{chromium.strip()}, load average {load}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/9")
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory() as logs,
        scratch_database(args.postgres) as database_url,
        servers(database_url, args.redis, args.workers, Path(logs)) as running,
        sync_playwright() as playwright,
    ):
        seed()
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        print(f"machine: {machine()}")
        print(f"production server (make serve, {args.workers} workers), medians of {args.repeat}")
        for latency in (0, 100):
            running.control("PUT", "/settings", latency_ms=latency)
            baseline = measure(browser, running, baseline_view, args.repeat)
            booking = measure(browser, running, booking_view, args.repeat)
            report(latency, baseline, booking)
        browser.close()


if __name__ == "__main__":
    main()
