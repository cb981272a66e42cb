"""Settings > General > Calendar in a real browser, against the provider sandbox, by the
article's labels: connect (S1, S6), the account's health, Meetings URL (S7), Default
booking link (S8), Selected calendars (S9, S10) and Meeting domain (S12, S13)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from playwright.sync_api import Page, expect
from sqlmodel import select

from meetings_ui import i18n
from meetings_ui.config import get_settings
from meetings_ui.db import session_scope
from meetings_ui.domain.enums import ConnectionStatus
from meetings_ui.models import Calendar, CalendarConnection, Domain, MeetingLink, User, utc_now
from meetings_ui.services.accounts import do_create_user
from meetings_ui.services.calendar_connections import do_check_connection_health
from meetings_ui.services.guard import OPERATOR
from meetings_ui.services.links import do_create_link
from tests.e2e.helpers import ADMIN, HOST, log_in_as
from tests.e2e.test_booking import choose_zone, zone_picker
from tests.sandbox import control

SETTINGS = "/app/settings/calendar"


def sandbox(method: str, path: str, **body: object) -> dict:
    return control(get_settings().sandbox_url, method, path, **body)


def connect_through_the_ui(
    page: Page, app_url: str, provider_label: str, accept_label: str, account: str
) -> None:
    page.goto(app_url + SETTINGS)
    page.get_by_role("button", name="Connect your calendar").click()
    dialog = page.get_by_role("dialog", name="Connect your calendar")
    dialog.get_by_label(provider_label).click()
    dialog.get_by_role("button", name="Connect your calendar").click()
    expect(dialog).to_contain_text("will read this calendar and the other calendars")
    expect(dialog).to_contain_text("may also create and modify calendars and events")
    dialog.get_by_role("button", name=accept_label).click()
    consent_in_sandbox(page, account)


def consent_in_sandbox(page: Page, account: str, decision: str = "Allow") -> None:
    """On the provider's (sandbox) consent page: pick the account, then Allow or Deny."""
    expect(page.get_by_role("note")).to_contain_text("Provider sandbox")
    page.get_by_label(re.compile(re.escape(account))).check()
    page.get_by_role("button", name=decision).click()


def test_connect_google_then_office_365_and_deny(app_url: str, page: Page) -> None:
    log_in_as(page, app_url, HOST)
    connect_through_the_ui(
        page, app_url, "Google/Gmail", "Accept and connect to Google", "demo.google@example.com"
    )
    expect(page).to_have_url(re.compile(r"/app/meetings\?connected=google"))
    expect(page.get_by_role("status").filter(has_text="calendar is connected")).to_contain_text(
        "Set up your personal meeting link"
    )

    # Connecting the same account again does not duplicate it.
    connect_through_the_ui(
        page, app_url, "Google/Gmail", "Accept and connect to Google", "demo.google@example.com"
    )
    expect(page).to_have_url(re.compile(r"/app/meetings\?connected=google"))
    with session_scope() as session:
        host = session.exec(select(User).where(User.email == HOST[0])).one()
        rows = session.exec(
            select(CalendarConnection).where(CalendarConnection.user_id == host.id)
        ).all()
        assert [(r.provider, r.account_email) for r in rows] == [
            ("google", "host@example.com"),  # the demo workspace's
            ("google", "demo.google@example.com"),
        ]

    # Denying consent comes back to the settings with a clear message.
    page.goto(app_url + SETTINGS)
    page.get_by_role("button", name="Connect your calendar").click()
    dialog = page.get_by_role("dialog", name="Connect your calendar")
    dialog.get_by_label("Office 365").click()
    dialog.get_by_role("button", name="Connect your calendar").click()
    dialog.get_by_role("button", name="Accept and connect to Office 365").click()
    consent_in_sandbox(page, "demo.office@example.com", "Deny")
    expect(page).to_have_url(re.compile(r"/app/settings/calendar\?connect_error=denied"))
    expect(page.get_by_role("alert")).to_contain_text("You cancelled the connection")

    connect_through_the_ui(
        page, app_url, "Office 365", "Accept and connect to Office 365", "demo.office@example.com"
    )
    expect(page).to_have_url(re.compile(r"connected=microsoft"))
    page.goto(app_url + SETTINGS)
    expect(page.get_by_text("Office 365 · demo.office@example.com")).to_be_visible()
    expect(page.get_by_text("Google · demo.google@example.com")).to_be_visible()


def test_an_unticked_google_permission_says_what_to_tick(app_url: str, page: Page) -> None:
    """Google's consent screen lets the person untick a permission and still allow: the
    settings page then says what Meetings needs, and no connection is added."""
    with session_scope() as session:
        before = len(session.exec(select(CalendarConnection)).all())
    log_in_as(page, app_url, HOST)
    page.goto(app_url + SETTINGS)
    page.get_by_role("button", name="Connect your calendar").click()
    dialog = page.get_by_role("dialog", name="Connect your calendar")
    dialog.get_by_label("Google/Gmail").click()
    dialog.get_by_role("button", name="Connect your calendar").click()
    dialog.get_by_role("button", name="Accept and connect to Google").click()
    expect(page.get_by_role("note")).to_contain_text("Provider sandbox")
    page.get_by_label(re.compile("demo.google@example.com")).check()
    page.get_by_label(
        "See, create, change, and delete events on Google calendars you own"
    ).uncheck()
    page.get_by_role("button", name="Allow").click()
    expect(page).to_have_url(
        re.compile(r"/app/settings/calendar\?connect_error=missing_permissions")
    )
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Meetings needs permission to see and edit your calendars")
    expect(alert).to_contain_text("tick every calendar box")
    with session_scope() as session:
        assert len(session.exec(select(CalendarConnection)).all()) == before


def test_account_health_reconnect_and_disconnect(app_url: str, page: Page) -> None:
    log_in_as(page, app_url, ADMIN)
    connect_through_the_ui(
        page, app_url, "Office 365", "Accept and connect to Office 365", "demo.office@example.com"
    )
    page.goto(app_url + SETTINGS)
    card = page.get_by_text("Office 365 · demo.office@example.com").locator(
        "xpath=ancestor::div[contains(@class,'rt-Card')]"
    )
    expect(card.get_by_text("Connected")).to_be_visible()
    # Graph validated the webhook and took the subscription: changes arrive as they happen.
    expect(card.get_by_text("Updates: instant (change notifications)")).to_be_visible()
    expect(card.get_by_text(re.compile(r"Last sync: \w{3} \d{1,2}, \d{4}, .* UTC"))).to_be_visible()

    sandbox("POST", "/accounts/microsoft/demo.office@example.com/revoke")
    sandbox("POST", "/tokens/expire")
    with session_scope() as session:
        admin = session.exec(select(User).where(User.email == ADMIN[0])).one()
        connection = session.exec(
            select(CalendarConnection).where(
                CalendarConnection.user_id == admin.id, CalendarConnection.provider == "microsoft"
            )
        ).one()
        assert (
            do_check_connection_health(
                session=session, actor=OPERATOR, connection_id=connection.id
            ).status
            == ConnectionStatus.NEEDS_RECONNECT
        )
    page.reload()
    expect(card.get_by_text("Needs reconnect")).to_be_visible()
    card.get_by_role("button", name="Reconnect demo.office@example.com").click()
    page.get_by_role("dialog").get_by_role(
        "button", name="Accept and connect to Office 365"
    ).click()
    consent_in_sandbox(page, "demo.office@example.com")
    page.goto(app_url + SETTINGS)
    expect(card.get_by_text("Connected")).to_be_visible()

    card.get_by_role("button", name="Disconnect demo.office@example.com").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("Disconnect this calendar?")
    confirm.get_by_role("button", name="Disconnect calendar").click()
    expect(page.get_by_text("Calendar disconnected")).to_be_visible()
    # Microsoft offers no revocation: the host is told where to remove the access.
    expect(page.get_by_text("Calendar disconnected")).to_contain_text("myapps.microsoft.com")
    expect(page.get_by_text("Office 365 · demo.office@example.com")).to_have_count(0)


def test_meetings_url_is_locked_without_a_sales_or_service_seat(app_url: str, page: Page) -> None:
    with session_scope() as session:
        do_create_user(
            session=session,
            actor=OPERATOR,
            email="noseat@example.com",
            password="no-seat-password-1",
            display_name="No Seat",
        )
    log_in_as(page, app_url, ("noseat@example.com", "no-seat-password-1"))
    page.goto(app_url + SETTINGS)
    expect(page.get_by_label("Meetings URL")).to_be_disabled()
    expect(page.get_by_text("Changing the Meetings URL needs a Sales Hub")).to_be_visible()
    expect(page.get_by_label("Meeting domain")).to_be_disabled()
    expect(page.get_by_text("Hosting meeting links on a custom domain needs")).to_be_visible()


def test_meetings_url_validation_suggestions_and_existing_links(app_url: str, page: Page) -> None:
    with session_scope() as session:
        other = do_create_user(
            session=session,
            actor=OPERATOR,
            email="taken@example.com",
            password="taken-password-12",
            display_name="Taken",
        )
        other.meetings_url = "sales-team"
        session.add(other)
        session.commit()
        host = session.exec(select(User).where(User.email == HOST[0])).one()
        before = {
            link.id: link.slug
            for link in session.exec(select(MeetingLink).where(MeetingLink.owner_id == host.id))
        }
    log_in_as(page, app_url, HOST)
    page.goto(app_url + SETTINGS)
    field = page.get_by_label("Meetings URL")
    field.fill("Bad URL!")
    expect(page.get_by_role("alert").first).to_contain_text("lower-case letters")
    expect(page.get_by_text("You have unsaved changes.")).to_be_visible()
    field.fill("sales-team")
    expect(page.get_by_text("“sales-team” is already used by someone else.")).to_be_visible()
    page.get_by_role("button", name="sales-team-2").click()
    expect(field).to_have_value("sales-team-2")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Settings saved")).to_be_visible()
    expect(page.get_by_text("You have unsaved changes.")).to_have_count(0)
    with session_scope() as session:
        host = session.exec(select(User).where(User.email == HOST[0])).one()
        assert host.meetings_url == "sales-team-2"
        after = {
            link.id: link.slug
            for link in session.exec(select(MeetingLink).where(MeetingLink.owner_id == host.id))
        }
        assert after == before  # existing links keep their URL (S7)
        new_link = do_create_link(session=session, owner=host, name="After the change")
        assert new_link.slug == "sales-team-2"


def test_default_booking_link(app_url: str, page: Page) -> None:
    with session_scope() as session:
        admin = session.exec(select(User).where(User.email == ADMIN[0])).one()
        do_create_link(
            session=session, owner=admin, name="Admin office hours", slug="ada-office-hours"
        )
    log_in_as(page, app_url, ADMIN)
    page.goto(app_url + SETTINGS)
    page.get_by_label("Default booking link").select_option(label="Admin office hours")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Settings saved")).to_be_visible()
    with session_scope() as session:
        admin = session.exec(select(User).where(User.email == ADMIN[0])).one()
        assert session.get(MeetingLink, admin.default_link_id).name == "Admin office hours"


def test_selected_calendars_block_the_booking_page(app_url: str, page: Page) -> None:
    log_in_as(page, app_url, ADMIN)
    connect_through_the_ui(
        page, app_url, "Google/Gmail", "Accept and connect to Google", "demo.google@example.com"
    )
    with session_scope() as session:
        admin = session.exec(select(User).where(User.email == ADMIN[0])).one()
        do_create_link(
            session=session,
            owner=admin,
            name="Busy check",
            slug="busy-check",
            settings={
                "time_zone": "UTC",
                "weekly": {
                    d: [["00:00", "00:00"]]
                    for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
                },
                "durations": [60],
                "minimum_notice": 0,
            },
        )
        team = session.exec(select(Calendar).where(Calendar.name == "Team")).first()
    day = datetime.now(UTC).date() + timedelta(days=2)
    start = datetime.combine(day, time(21), UTC)
    sandbox(
        "POST",
        "/events",
        calendar_id=team.provider_calendar_id,
        summary="Team offsite",
        start=start.isoformat(),
        end=(start + timedelta(hours=1)).isoformat(),
    )

    def times_on_day() -> list[str]:
        page.goto(f"{app_url}/meetings/busy-check")
        expect(zone_picker(page)).to_have_value(re.compile(".+"))
        choose_zone(page, "UTC", "UTC")
        page.get_by_role(
            "button", name=re.compile(re.escape(i18n.format_date(day, "en-US")))
        ).click()
        group = page.get_by_role("group", name="Available times")
        expect(group.get_by_role("button").first).to_be_visible()
        return group.get_by_role("button").all_inner_texts()

    nine_pm = i18n.format_time(start, "en-US", UTC)  # the page's clock: en-US, 12-hour
    assert nine_pm in times_on_day()  # Team is not selected yet

    page.goto(app_url + SETTINGS)
    page.get_by_label("Selected calendars").select_option(label="Team")
    expect(page.get_by_role("button", name="Remove Team")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Remove demo.google"))).to_have_count(
        0
    )  # primary stays
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Settings saved")).to_be_visible()
    assert nine_pm not in times_on_day()

    page.goto(app_url + SETTINGS)
    page.get_by_role("button", name="Remove Team").click()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Settings saved")).to_be_visible()
    assert nine_pm in times_on_day()
    # S10: a calendar the account cannot see is never offered.
    page.goto(app_url + SETTINGS)
    expect(
        page.get_by_label("Selected calendars").locator("option", has_text="Ana private")
    ).to_have_count(0)


def test_meeting_domain_lists_only_verified_domains(app_url: str, page: Page) -> None:
    with session_scope() as session:
        session.add(Domain(host="meet.verified.example", verified_at=utc_now()))
        session.add(Domain(host="pending.example"))
        session.commit()
    log_in_as(page, app_url, ADMIN)  # Marketing Hub Pro: may use a custom domain
    page.goto(app_url + SETTINGS)
    select = page.get_by_label("Meeting domain")
    expect(select).to_be_enabled()
    options = select.locator("option").all_inner_texts()
    assert options == [get_settings().app_domain, "meet.verified.example"]
    select.select_option(label="meet.verified.example")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Settings saved")).to_be_visible()
    with session_scope() as session:
        admin = session.exec(select_user(ADMIN[0])).one()
        assert session.get(Domain, admin.meeting_domain_id).host == "meet.verified.example"


def select_user(email: str):
    return select(User).where(User.email == email)
