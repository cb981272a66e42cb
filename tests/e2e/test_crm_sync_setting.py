"""S4's setting in a real browser: *Add every external attendee of my calendar events as a
contact* on Settings > General, off by default, saved with a toast, kept after a reload."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlmodel import select

from meetings_ui.db import session_scope
from meetings_ui.models import User
from tests.e2e.helpers import HOST, eventually, log_in_as

LABEL = "Add every external attendee of my calendar events as a contact"


def stored(email: str) -> bool:
    with session_scope() as session:
        return session.exec(select(User).where(User.email == email)).one().crm_sync_all_attendees


def test_the_host_turns_on_and_off_adding_every_attendee(app_url: str, page: Page) -> None:
    log_in_as(page, app_url, HOST)
    page.goto(app_url + "/app/settings")
    switch = page.get_by_role("switch", name=LABEL)
    expect(switch).not_to_be_checked()
    switch.click()
    expect(page.get_by_text("Settings saved")).to_be_visible()
    expect(switch).to_be_checked()
    eventually(lambda: stored(HOST[0]), "the setting to be saved")
    page.reload()
    expect(page.get_by_role("switch", name=LABEL)).to_be_checked()
    page.get_by_role("switch", name=LABEL).click()
    expect(page.get_by_role("switch", name=LABEL)).not_to_be_checked()
    eventually(lambda: not stored(HOST[0]), "the setting to be turned off")
