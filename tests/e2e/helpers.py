"""What a person does in the browser, shared by the e2e tests."""

from __future__ import annotations

from playwright.sync_api import Page, expect

ADMIN = ("admin@example.com", "demo-admin-password")
HOST = ("host@example.com", "demo-host-password")


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
