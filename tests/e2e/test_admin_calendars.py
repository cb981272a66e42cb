"""The admin console of connected calendars: every user's accounts, health, search, and
disconnect or re-check on a user's behalf; hosts are kept out."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlmodel import select

from meetings_ui.config import get_settings
from meetings_ui.db import session_scope
from meetings_ui.models import AuditEvent, CalendarConnection, User
from meetings_ui.providers.registry import connector_for
from meetings_ui.services.calendar_connections import callback_url, do_save_connected_account
from tests.e2e.helpers import ADMIN, HOST, log_in_as
from tests.sandbox import consent, control

PAGE = "/app/admin/calendars"


def connect(email: str, provider: str, account: str) -> None:
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == email)).one()
        connector = connector_for(provider)
        callback = callback_url(provider)  # the only redirect the app's sandbox allows
        start = connector.begin(redirect_uri=callback, state="admin-e2e")
        connected = connector.complete(
            flow=start.flow, callback_params=consent(start.url, account, redirect_uri=callback)
        )
        calendars = connector.open(connected.credentials, lambda _: None).list_calendars()
        do_save_connected_account(
            session=session, user_id=user.id, account=connected, calendars=calendars
        )


def test_admin_sees_searches_rechecks_and_disconnects(app_url: str, page: Page) -> None:
    connect(HOST[0], "microsoft", "demo.personal@example.com")
    connect(ADMIN[0], "google", "demo.google@example.com")
    log_in_as(page, app_url, ADMIN)
    page.goto(app_url + PAGE)
    personal = page.get_by_role("row", name="demo.personal@example.com")
    expect(personal).to_contain_text("Hugo Host <host@example.com>")
    expect(personal).to_contain_text("Office 365")
    expect(personal).to_contain_text("Connected")
    expect(personal).to_contain_text("Calendars.ReadWrite")
    expect(personal).to_contain_text("Updates: checked every 5 minutes")  # no channel opened
    expect(page.get_by_role("row", name="demo.google@example.com")).to_contain_text(
        "calendar.freebusy"
    )

    page.get_by_label("Search").fill("hugo")
    expect(page.get_by_role("row", name="demo.google@example.com")).to_have_count(0)
    expect(personal).to_be_visible()

    sandbox_url = get_settings().sandbox_url
    control(sandbox_url, "POST", "/accounts/microsoft/demo.personal@example.com/revoke")
    control(sandbox_url, "POST", "/tokens/expire")
    page.get_by_role("button", name="Re-check demo.personal@example.com").click()
    expect(page.get_by_text("Health re-checked: Needs reconnect")).to_be_visible()
    expect(personal).to_contain_text("Needs reconnect")

    page.get_by_role("button", name="Disconnect demo.personal@example.com").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Disconnect calendar").click()
    expect(page.get_by_text("Calendar disconnected on the user's behalf")).to_be_visible()
    expect(page.get_by_role("row", name="demo.personal@example.com")).to_have_count(0)
    with session_scope() as session:
        assert (
            session.exec(
                select(CalendarConnection).where(
                    CalendarConnection.account_email == "demo.personal@example.com"
                )
            ).first()
            is None
        )
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
        assert "calendar.disconnected" in actions

    # The audit log shows it to admins.
    page.goto(app_url + "/app/admin/audit")
    expect(page.get_by_text("calendar.disconnected").first).to_be_visible()


def test_hosts_cannot_open_the_console(app_url: str, page: Page) -> None:
    log_in_as(page, app_url, HOST)
    page.goto(app_url + PAGE)
    expect(page.get_by_text("Admins only")).to_be_visible()
    expect(page.get_by_role("table")).to_have_count(0)
