"""The app shell, as a visitor sees it: a landing page, then the host navigation."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.helpers import ADMIN, HOST, assert_accessible, log_in_as


def test_landing_leads_into_the_host_navigation(page: Page, app_url: str) -> None:
    log_in_as(page, app_url, ADMIN)
    page.goto(app_url + "/")
    expect(page.get_by_role("heading", name="Meetings", level=1)).to_be_visible()
    page.get_by_role("link", name="Open the app").click()

    expect(page.get_by_role("heading", name="Meetings", level=1)).to_be_visible()
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name="Meetings")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_role("button", name="New meeting link")).to_be_visible()

    navigation.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Settings", level=1)).to_be_visible()
    page.get_by_role("link", name="Calendar").click()
    expect(page.get_by_role("heading", name="Calendar", level=1)).to_be_visible()
    expect(page).to_have_url(app_url + "/app/settings/calendar")

    navigation.get_by_role("link", name="Contacts").click()
    expect(page.get_by_role("heading", name="Contacts", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="New contact")).to_be_visible()

    navigation.get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", name="Admin", level=1)).to_be_visible()
    page.get_by_role("link", name="Connected calendars").click()
    expect(page.get_by_role("heading", name="Connected calendars", level=1)).to_be_visible()


def test_every_host_page_loads_directly(page: Page, app_url: str) -> None:
    log_in_as(page, app_url, ADMIN)
    for path, heading in [
        ("/app/meetings", "Meetings"),
        ("/app/contacts", "Contacts"),
        ("/app/settings", "Settings"),
        ("/app/settings/calendar", "Calendar"),
        ("/app/admin", "Admin"),
        ("/app/admin/calendars", "Connected calendars"),
    ]:
        page.goto(app_url + path)
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()


def test_a_host_who_is_not_an_admin_sees_no_admin_entry(page: Page, app_url: str) -> None:
    log_in_as(page, app_url, HOST)
    page.goto(app_url + "/app/contacts")
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name="Contacts")).to_be_visible()
    expect(navigation.get_by_role("link", name="Settings")).to_be_visible()
    expect(navigation.get_by_role("link", name="Admin")).to_have_count(0)
    assert_accessible(page)

    # Typed in directly, an admin page still says politely whose it is, and shows nothing
    # of the admin sections.
    page.goto(app_url + "/app/admin")
    expect(page.get_by_role("alert")).to_contain_text("Admins only")
    expect(page.get_by_role("navigation", name="Admin sections")).to_have_count(0)
    expect(navigation.get_by_role("link", name="Admin")).to_have_count(0)
