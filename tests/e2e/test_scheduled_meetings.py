"""The "Scheduled meetings" tab in a real browser: a host without a calendar confirms one
offline-mode request and declines another (the prospects' emails land in the local
outbox), and cancels a meeting from the list."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from playwright.sync_api import Page, expect
from sqlmodel import select

from meetings_ui.db import session_scope
from meetings_ui.domain.enums import BookingStatus
from meetings_ui.models import Booking, User
from meetings_ui.services import host_meetings
from meetings_ui.services.accounts import do_create_user
from meetings_ui.services.bookings import BookingRequest, do_book
from meetings_ui.services.guard import OPERATOR
from meetings_ui.services.links import do_create_link
from tests.e2e.helpers import log_in_as, open_outbox_message

WEEKDAYS = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def next_weekday() -> date:
    day = datetime.now(UTC).date() + timedelta(days=2)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def host_with_requests(email: str, link_name: str, prospects: list[tuple[str, str]]) -> list[int]:
    """A host without a calendar (offline mode) whose link got a request from each prospect."""
    with session_scope() as session:
        host = do_create_user(
            session=session, actor=OPERATOR, email=email, password=f"{email}-password"
        )
        host.display_name = link_name.split()[0]
        session.add(host)
        session.commit()
        link = do_create_link(
            session=session,
            owner=host,
            name=link_name,
            settings={"time_zone": "UTC", "weekly": WEEKDAYS, "minimum_notice": 0},
        )
        ids = []
        for hour, (name, prospect_email) in enumerate(prospects, start=10):
            booking = do_book(
                session=session,
                link=link,
                request=BookingRequest(
                    start=datetime.combine(next_weekday(), time(hour), UTC),
                    time_zone="UTC",
                    name=name,
                    email=prospect_email,
                    answers={},
                ),
            ).booking
            assert booking.status == BookingStatus.REQUESTED
            ids.append(booking.id)
        return ids


def confirm_as(email: str, booking_id: int) -> None:
    with session_scope() as session:
        host = session.exec(select(User).where(User.email == email)).one()
        host_meetings.do_confirm(session=session, actor=host, booking_id=booking_id)


def open_scheduled_meetings(page: Page, app_url: str, email: str) -> None:
    log_in_as(page, app_url, (email, f"{email}-password"))
    page.goto(app_url + "/app/meetings")
    page.get_by_role("tab", name="Scheduled meetings").click()


def status_of(booking_id: int) -> str:
    with session_scope() as session:
        return session.exec(select(Booking.status).where(Booking.id == booking_id)).one()


def test_a_host_confirms_one_request_and_declines_another(page: Page, app_url: str) -> None:
    confirmed_id, declined_id = host_with_requests(
        "rita.requests@example.com",
        "Rita intro",
        [("Pat Prospect", "pat.e2e@example.org"), ("Quinn Prospect", "quinn.e2e@example.org")],
    )
    open_scheduled_meetings(page, app_url, "rita.requests@example.com")
    expect(page.get_by_role("heading", name="Requests to answer")).to_be_visible()

    page.get_by_role("button", name="Confirm the request of Pat Prospect").click()
    expect(
        page.get_by_text("Nothing was added to a calendar: no calendar is connected.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Confirm the request of Pat Prospect")).to_have_count(0)
    assert status_of(confirmed_id) == BookingStatus.CONFIRMED

    page.get_by_role("button", name="Decline the request of Quinn Prospect").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Quinn Prospect is emailed")
    dialog.get_by_label("Message to the prospect (optional)").fill(
        "Sorry, I am <b>away</b> that week."
    )
    dialog.get_by_role("button", name="Decline request").click()
    expect(page.get_by_text("Request declined: Quinn Prospect is told.")).to_be_visible()
    expect(page.get_by_role("heading", name="Requests to answer")).to_have_count(0)
    assert status_of(declined_id) == BookingStatus.CANCELLED

    open_outbox_message(page, app_url, "Declined: Rita intro with Rita")
    declined = page.get_by_role("article", name="Declined: Rita intro with Rita")
    expect(declined).to_contain_text("quinn.e2e@example.org")
    expect(declined).to_contain_text("Sorry, I am <b>away</b> that week.")  # shown as text
    open_outbox_message(page, app_url, "Confirmed: Rita intro with Rita")
    expect(page.get_by_role("article", name="Confirmed: Rita intro with Rita")).to_contain_text(
        "pat.e2e@example.org"
    )


def test_a_host_cancels_a_meeting_from_the_list(page: Page, app_url: str) -> None:
    (booking_id,) = host_with_requests(
        "sam.cancels@example.com", "Sam demo", [("Val Visitor", "val.e2e@example.org")]
    )
    confirm_as("sam.cancels@example.com", booking_id)
    open_scheduled_meetings(page, app_url, "sam.cancels@example.com")
    row = page.get_by_role("row", name="Val Visitor")
    expect(row).to_contain_text("Sam demo")
    expect(row).to_contain_text("Booking page")
    expect(row).to_contain_text("Confirmed")
    row.get_by_role("button", name="Cancel the meeting with Val Visitor").click()
    dialog = page.get_by_role("alertdialog")
    dialog.get_by_label("Message to the prospect (optional)").fill("Something came up.")
    dialog.get_by_role("button", name="Cancel meeting").click()
    expect(page.get_by_text("Meeting cancelled: Val Visitor is told.")).to_be_visible()
    expect(page.get_by_text("No upcoming meetings.")).to_be_visible()
    assert status_of(booking_id) == BookingStatus.CANCELLED
    page.get_by_role("combobox", name="Show").click()
    page.get_by_role("option", name="Cancelled or declined").click()
    expect(page.get_by_role("row", name="Val Visitor")).to_contain_text("Cancelled")
    open_outbox_message(page, app_url, "Cancelled: Sam demo")
    cancelled = page.get_by_role("article", name="Cancelled: Sam demo").filter(
        has_text="val.e2e@example.org"
    )
    expect(cancelled).to_contain_text("Something came up.")


def test_a_host_moves_a_meeting_to_a_free_time(page: Page, app_url: str) -> None:
    (booking_id,) = host_with_requests(
        "tess.moves@example.com", "Tess chat", [("Wes Walker", "wes.e2e@example.org")]
    )
    confirm_as("tess.moves@example.com", booking_id)
    open_scheduled_meetings(page, app_url, "tess.moves@example.com")
    page.get_by_role("button", name="Reschedule the meeting with Wes Walker").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Wes Walker is emailed the new time")
    dialog.get_by_label("Day").fill(next_weekday().isoformat())
    dialog.get_by_role("combobox", name="Free time").click()
    page.get_by_role("option", name=re.compile(r"^2:00\sPM$")).click()
    dialog.get_by_role("button", name="Move meeting").click()
    expect(page.get_by_text("Meeting moved: Wes Walker is told the new time.")).to_be_visible()
    assert status_of(booking_id) == BookingStatus.CANCELLED
    with session_scope() as session:
        moved = session.exec(
            select(Booking).where(Booking.idempotency_key == f"moved-from-booking-{booking_id}")
        ).one()
        assert moved.start_at == datetime.combine(next_weekday(), time(14), UTC)
        assert moved.status == BookingStatus.CONFIRMED
    row = page.get_by_role("row", name="Wes Walker")
    expect(row).to_contain_text(re.compile(r"2:00\sPM"))
    expect(row).to_contain_text("Rescheduled")
