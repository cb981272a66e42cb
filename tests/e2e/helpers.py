"""What a person does in the browser, shared by the e2e tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

T = TypeVar("T")

ADMIN = ("admin@example.com", "demo-admin-password")
HOST = ("host@example.com", "demo-host-password")  # the demo's calendar is connected
OFFLINE_HOST = ("offline@example.com", "demo-offline-password")  # no calendar: offline mode


def log_in(page: Page, app_url: str, email: str, password: str, path: str = "/login") -> None:
    page.goto(app_url + path)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def log_in_as(page: Page, app_url: str, account: tuple[str, str]) -> None:
    log_in(page, app_url, *account)
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("button", name="Log out")
    ).to_be_visible()


def eventually(read: Callable[[], T], what: str, seconds: float = 60) -> T:
    """Poll `read` until it returns something truthy: for what the app's background delivery
    does moments after a request has been answered (emails, calendar writes)."""
    deadline = time.monotonic() + seconds
    while not (value := read()):
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.25)
    return value


def open_outbox_message(page: Page, app_url: str, subject: str) -> None:
    """Open the local outbox until the message is there (it is delivered in the background)."""

    def shown() -> bool:
        page.goto(app_url + "/app/dev/outbox")
        expect(page.get_by_role("heading", name="Local outbox", level=1)).to_be_visible()
        try:
            expect(page.get_by_role("article", name=subject).first).to_be_visible(timeout=2000)
        except AssertionError:
            return False
        return True

    eventually(shown, f"the message {subject!r} in the local outbox")


def open_mailed_link(page: Page, subject: str, to: str) -> None:
    """From a page that points to the local outbox: the newest such mail's link."""
    page.get_by_role("link", name="the local outbox").click()
    expect(page.get_by_role("heading", name="Local outbox", level=1)).to_be_visible()
    message = page.get_by_role("article", name=subject).filter(has_text=f"To {to}").first

    def shown() -> bool:
        try:
            expect(message).to_be_visible(timeout=2000)
        except AssertionError:
            page.reload()  # delivered in the background, moments after the request
            return False
        return True

    eventually(shown, f"the message {subject!r} to {to} in the local outbox")
    message.get_by_role("link", name="Open the link in this message").click()


def sign_up(page: Page, app_url: str, email: str, password: str, name: str = "") -> None:
    """Sign up, then open the mailed confirmation link and create the account."""
    page.goto(app_url + "/signup")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"We have emailed {email.strip().lower()} a link to finish signing up"
    )
    open_mailed_link(page, "Confirm your Meetings account", email.strip().lower())
    expect(page.get_by_role("heading", name="Finish signing up")).to_be_visible()
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Meetings", level=1)).to_be_visible()


_AXE = Axe()
SERIOUS = frozenset({"serious", "critical"})


def assert_accessible(page: Page) -> None:
    """axe-core (axe-playwright-python) on the page as it stands: no serious or critical
    violation of WCAG 2.1 A/AA or best practice. Call it once what the user sees is shown."""
    results = _AXE.run(page, options={"resultTypes": ["violations"]})
    serious = [v for v in results.response["violations"] if v.get("impact") in SERIOUS]
    assert not serious, "axe-core: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(f"{node['target']} {node['html'][:160]}" for node in v["nodes"][:3])
        for v in serious
    )
