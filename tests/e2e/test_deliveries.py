"""A delivery the outbox gave up on: its host sees it on the dashboard, an admin retries it
from Admin > Failed deliveries, and the background delivery sends it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import Browser, expect
from sqlmodel import select

from meetings_ui.db import session_scope
from meetings_ui.domain.enums import OutboxStatus
from meetings_ui.models import MeetingLink, OutboxItem, User
from meetings_ui.services import bookings
from meetings_ui.services.links import do_create_link
from tests.e2e.helpers import ADMIN, HOST, eventually, log_in_as

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def test_a_failed_email_is_shown_to_its_host_and_retried_by_an_admin(
    browser: Browser, app_url: str
) -> None:
    with session_scope() as session:
        host = session.exec(select(User).where(User.email == HOST[0])).one()
        link = do_create_link(
            session=session,
            owner=host,
            name="Undelivered call",
            settings={"minimum_notice": 0, "weekly": {day: [["00:00", "23:59"]] for day in DAYS}},
        )
        # Far from the times the other browser tests book for the same host.
        start = (datetime.now(UTC) + timedelta(days=11)).replace(minute=0, second=0, microsecond=0)
        booking = bookings.do_book(
            session=session,
            link=session.get(MeetingLink, link.id),
            request=bookings.BookingRequest(
                start=start, time_zone="UTC", name="Fay", email="fay@example.org", answers={}
            ),
        ).booking

    # The background delivery sends the confirmations; then one is made to have failed.
    def delivered() -> OutboxItem | None:
        with session_scope() as session:
            return session.exec(
                select(OutboxItem).where(
                    OutboxItem.booking_id == booking.id,
                    OutboxItem.recipient == "fay@example.org",
                    OutboxItem.status == OutboxStatus.SENT,
                )
            ).first()

    item = eventually(delivered, "the confirmation to be delivered")
    with session_scope() as session:
        row = session.get(OutboxItem, item.id)
        row.status, row.attempts, row.last_error = OutboxStatus.FAILED, 10, "SMTP refused: 554"
        session.add(row)
        session.commit()
    what = "Email to fay@example.org"

    host_page = browser.new_page()
    log_in_as(host_page, app_url, HOST)
    problems = host_page.get_by_role("alert", name="Failed deliveries")
    expect(problems).to_contain_text(what)
    expect(problems).to_contain_text("SMTP refused: 554")

    admin_page = browser.new_page()
    log_in_as(admin_page, app_url, ADMIN)
    admin_page.goto(app_url + "/app/admin")
    admin_page.get_by_role("link", name="Failed deliveries").click()
    expect(admin_page.get_by_role("heading", name="Failed deliveries", level=1)).to_be_visible()
    row = admin_page.get_by_role("row", name=what)
    expect(row).to_contain_text("SMTP refused: 554")
    row.get_by_role("button", name="Retry: " + what).click()
    expect(admin_page.get_by_text("Queued again")).to_be_visible()
    expect(admin_page.get_by_role("row", name=what)).to_have_count(0)

    def sent_again() -> bool:
        with session_scope() as session:
            return session.get(OutboxItem, item.id).status == OutboxStatus.SENT

    eventually(sent_again, "the retried email to be delivered")
    host_page.reload()
    expect(host_page.get_by_role("heading", name="Meetings", level=1)).to_be_visible()
    expect(host_page.get_by_role("alert", name="Failed deliveries")).to_have_count(0)
