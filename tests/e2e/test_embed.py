"""The booking widget on a partner's site (M12 item 9): the snippet from the links page, on
a page of another site, in a browser that blocks third-party cookies and storage; a time
is booked inside the frame, which grows and shrinks with its content."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Frame, Page, Playwright, expect
from sqlmodel import select

from meetings_ui.db import session_scope
from meetings_ui.domain.enums import BookingStatus
from meetings_ui.models import Booking
from tests.e2e.conftest import CHROMIUM, FRAMED_PAGE_TIMEOUT, PartnerSite
from tests.e2e.helpers import OFFLINE_HOST, log_in_as
from tests.e2e.test_booking import make_link

STORAGE_PROBE = """() => ["localStorage", "sessionStorage"].map((name) => {
    try { window[name].getItem("probe"); return name + ": open"; }
    catch (error) { return name + ": " + error.name; }
})"""


@pytest.fixture
def blocking_context(playwright: Playwright, tmp_path: Path) -> Iterator[BrowserContext]:
    """Chromium with "Block third-party cookies" on (the profile's cookie controls, as a
    person sets them in the settings): cookies and storage are refused to cross-site
    frames, which makes localStorage and sessionStorage throw SecurityError there."""
    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    (profile / "Default" / "Preferences").write_text(
        json.dumps({"profile": {"cookie_controls_mode": 1, "block_third_party_cookies": True}})
    )
    context = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        timezone_id="Europe/Paris",
        locale="en-GB",
    )
    yield context
    context.close()


def _snippet(page: Page, app_url: str, link_name: str) -> str:
    """The script snippet as a host copies it from the links page's embed dialog."""
    log_in_as(page, app_url, OFFLINE_HOST)
    page.goto(app_url + "/app/meetings")
    page.get_by_role("button", name=f"Embed {link_name}", exact=True).click()
    dialog = page.get_by_role("dialog")
    snippet = dialog.get_by_role("textbox", name="Script snippet (recommended)")
    expect(snippet).to_have_value(re.compile(r"^<script src=.*/embed\.js"))
    expect(dialog.get_by_role("textbox", name="Embed code (a plain iframe)")).to_have_value(
        re.compile(r"^<iframe src=.*\?embed=1")
    )
    return snippet.input_value()


def _frame(page: Page, app_url: str) -> Frame:
    widget = page.frame_locator("iframe[title='Book a meeting']")
    expect(widget.get_by_role("heading", name="Call partner-intro")).to_be_visible(
        timeout=FRAMED_PAGE_TIMEOUT
    )
    return next(f for f in page.frames if f.url.startswith(app_url + "/meetings/"))


def test_a_partner_site_embeds_the_booking_page_with_third_party_storage_blocked(
    app_url: str, page: Page, partner_site: PartnerSite, blocking_context: BrowserContext
) -> None:
    make_link(OFFLINE_HOST[0], "partner-intro")
    snippet = _snippet(page, app_url, "Call partner-intro")
    port = partner_site.server_address[1]
    partner_site.body = (
        "<!doctype html><html lang='en'><head><title>Partner</title></head><body>"
        "<h1>Our partner's site</h1>"
        f"{snippet}"
        "<p id='after'>Below the widget</p></body></html>"
    ).encode()
    assert urlsplit(app_url).hostname == "127.0.0.1"

    partner = blocking_context.new_page()
    partner.goto(f"http://localhost:{port}/")
    widget = partner.frame_locator("iframe[title='Book a meeting']")
    frame = _frame(partner, app_url)

    # The browser refuses the frame its storage and cookies: the page put in-memory
    # stand-ins in place of the storage (and nothing else is missing).
    assert frame.evaluate("() => window.__meetingsMemoryStorage") == [
        "localStorage",
        "sessionStorage",
    ]
    assert frame.evaluate("() => { document.cookie = 'probe=1'; return document.cookie }") == ""
    # Proof that it is the browser refusing: a fresh document of the app's origin, framed
    # by the partner page, cannot read its storage either.
    partner.evaluate(
        """(src) => new Promise((done) => {
            const f = document.createElement("iframe");
            f.src = src; f.title = "probe"; f.onload = () => done(); document.body.append(f);
        })""",
        f"{app_url}/embed.js",
    )
    probe_frame = next(f for f in partner.frames if f.url == f"{app_url}/embed.js")
    assert probe_frame.evaluate(STORAGE_PROBE) == [
        "localStorage: SecurityError",
        "sessionStorage: SecurityError",
    ]

    # The iframe is sized to the page's content (the snippet starts it at 720 px).
    iframe = partner.locator("iframe[title='Book a meeting']")
    expect(iframe).not_to_have_attribute("style", re.compile(r"height: 720px"))
    first_height = iframe.bounding_box()["height"]

    # Book inside the frame.
    widget.get_by_role("group", name="Days").get_by_role(
        "button", name=re.compile(r"\d+ times available")
    ).first.click()
    widget.get_by_role("group", name="Available times").get_by_role("button").first.click()
    widget.get_by_label("Name").fill("Fiona Framed")
    widget.get_by_label("Email").fill("fiona@example.org")
    widget.get_by_label("Company").fill("Partner Co")
    widget.get_by_role("button", name="Request meeting").click()
    expect(widget.get_by_role("heading", name="Request sent")).to_be_visible()
    expect(partner.get_by_role("heading", name="Our partner's site")).to_be_visible()

    # The confirmation is not as tall as the month and its times: the frame follows it.
    partner.wait_for_function(
        "(h) => document.querySelector(\"iframe[title='Book a meeting']\")"
        ".getBoundingClientRect().height !== h",
        arg=first_height,
    )
    with session_scope() as session:
        booking = session.exec(
            select(Booking).where(Booking.prospect_email == "fiona@example.org")
        ).one()
        assert booking.status == BookingStatus.REQUESTED
        assert booking.prospect_time_zone == "Europe/Paris"
