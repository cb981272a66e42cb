"""Admin pages: seat assignment by an admin; everyone else is refused."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.helpers import ADMIN, HOST, log_in_as


def test_an_admin_assigns_and_removes_a_seat(page: Page, app_url: str) -> None:
    log_in_as(page, app_url, ADMIN)
    page.goto(app_url + "/app/admin/users")
    expect(page.get_by_role("heading", name="Users and seats", level=1)).to_be_visible()
    host_row = page.get_by_role("row", name="host@example.com")
    expect(host_row).to_contain_text("Sales Hub Pro")

    host_row.get_by_label("Seat for host@example.com").select_option(label="CMS Hub Enterprise")
    host_row.get_by_role("button", name="Assign seat to host@example.com").click()
    expect(
        page.get_by_text("host@example.com now holds a CMS Hub Enterprise seat.")
    ).to_be_visible()
    expect(host_row).to_contain_text("CMS Hub Enterprise")

    host_row.get_by_role("button", name="Remove CMS Hub Enterprise from host@example.com").click()
    confirm = page.get_by_role("alertdialog", name="Remove this seat?")
    expect(confirm).to_contain_text("host@example.com loses their CMS Hub Enterprise seat")
    confirm.get_by_role("button", name="Remove seat").click()
    expect(page.get_by_text("CMS Hub Enterprise seat removed.")).to_be_visible()
    expect(
        host_row.get_by_role("button", name="Remove CMS Hub Enterprise from host@example.com")
    ).to_have_count(0)

    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log", level=1)).to_be_visible()
    first_row = page.get_by_role("row").nth(1)
    expect(first_row).to_contain_text("seat.removed")
    expect(first_row).to_contain_text("host@example.com")


def test_a_host_is_refused_from_admin_pages(page: Page, app_url: str) -> None:
    log_in_as(page, app_url, HOST)
    for path in ("/app/admin", "/app/admin/users", "/app/admin/audit", "/app/admin/calendars"):
        page.goto(app_url + path)
        expect(page.get_by_role("alert")).to_contain_text("Admins only")
        expect(page.get_by_role("row", name="admin@example.com")).to_have_count(0)
        expect(page.get_by_text("seat.assigned")).to_have_count(0)


def test_a_host_sees_why_a_feature_is_locked(page: Page, app_url: str) -> None:
    log_in_as(page, app_url, HOST)
    page.goto(app_url + "/app/settings")
    expect(
        page.get_by_text("Hosting meeting links on a custom domain needs a Marketing Hub seat")
    ).to_be_visible()
