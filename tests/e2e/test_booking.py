"""The prospect's journey in a real browser: month view, times in the browser's own zone,
the form, the confirmation, returning-visitor pre-fill, a slot taken meanwhile, cancel
and reschedule — in offline mode and with a connected calendar."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from limits import parse
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from meetings_ui import i18n
from meetings_ui.config import get_settings
from meetings_ui.db import session_scope
from meetings_ui.domain.enums import BookingStatus, Provider
from meetings_ui.models import Booking, MeetingLink, User
from meetings_ui.providers.registry import connector_for
from meetings_ui.services import bookings, rate_limits
from meetings_ui.services.calendar_connections import callback_url, do_save_connected_account
from meetings_ui.services.links import do_create_link
from tests.e2e.helpers import OFFLINE_HOST, assert_accessible, eventually
from tests.sandbox import consent, control

EVERY_DAY = {d: [["00:00", "00:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def make_link(email: str, slug: str, **settings: object) -> MeetingLink:
    with session_scope() as session:
        owner = session.exec(select(User).where(User.email == email)).one()
        return do_create_link(
            session=session,
            owner=owner,
            name=f"Call {slug}",
            slug=slug,
            settings={
                "weekly": EVERY_DAY,
                "minimum_notice": 0,
                "durations": [60],
                "slot_interval": 60,
                "questions": [{"id": "company", "label": "Company", "required": True}],
                **settings,
            },
        )


@pytest.fixture
def page_in(browser: Browser) -> Iterator:
    """A page whose browser lives in the given time zone (Playwright's timezone_id)."""
    contexts = []

    def open_page(time_zone: str) -> Page:
        context = browser.new_context(timezone_id=time_zone)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def pick_first_time(page: Page) -> str:
    page.get_by_role("group", name="Days").get_by_role(
        "button", name=re.compile(r"\d+ times available")
    ).first.click()
    first = page.get_by_role("group", name="Available times").get_by_role("button").first
    label = first.inner_text()
    first.click()
    return label


def zone_picker(page: Page):
    return page.get_by_role("combobox", name="Time zone")


def choose_zone(page: Page, search: str, zone: str) -> None:
    """Search the time zone picker and choose `zone` among what it lists."""
    zone_picker(page).fill(search)
    page.get_by_role("option", name=f"{zone} (UTC").click()
    expect(zone_picker(page)).to_have_value(re.compile(rf"^{re.escape(zone)} \(UTC"))


def fill_form(page: Page, name: str = "Pat Prospect", email: str = "pat@example.org") -> None:
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Company").fill("Acme")


def test_offline_journey_in_the_browsers_time_zone(app_url: str, page_in) -> None:
    make_link(OFFLINE_HOST[0], "offline-intro")
    page = page_in("America/Los_Angeles")
    page.goto(f"{app_url}/meetings/offline-intro")
    expect(page.get_by_role("heading", name="Call offline-intro")).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text("will confirm your request")
    expect(zone_picker(page)).to_have_value(re.compile(r"^America/Los_Angeles \(UTC-0[78]:00\)$"))
    label = pick_first_time(page)
    fill_form(page)
    page.get_by_role("button", name="Request meeting").click()

    expect(page.get_by_role("heading", name="Request sent")).to_be_visible()
    expect(page.get_by_text("Your time:")).to_be_visible()
    expect(page.get_by_text(re.compile(rf"{label}.*\(America/Los_Angeles\)"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"\(Europe/London\)"))).to_be_visible()  # the host's zone
    expect(page.get_by_role("link", name="Add to calendar (.ics)")).to_be_visible()

    with session_scope() as session:
        booking = session.exec(
            select(Booking).where(Booking.prospect_email == "pat@example.org")
        ).one()
        assert booking.status == BookingStatus.REQUESTED
        assert booking.prospect_time_zone == "America/Los_Angeles"
        assert booking.provider_event_id is None
        local = booking.start_at.astimezone(ZoneInfo("America/Los_Angeles"))
        assert i18n.format_time(local, "en-US") == label  # Playwright's locale: a 12-hour clock

    # S14: the same visitor comes back and finds the form filled in; a stranger does not.
    page.goto(f"{app_url}/meetings/offline-intro")
    pick_first_time(page)
    expect(page.get_by_label("Name")).to_have_value("Pat Prospect")
    expect(page.get_by_label("Email")).to_have_value("pat@example.org")
    stranger = page_in("Europe/Berlin")
    stranger.goto(f"{app_url}/meetings/offline-intro")
    expect(zone_picker(stranger)).to_have_value(re.compile(r"^Europe/Berlin \(UTC"))
    pick_first_time(stranger)
    expect(stranger.get_by_label("Name")).to_have_value("")


def test_the_booking_page_counts_against_the_public_rate_limits(
    app_url: str, page_in, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A script driving the page instead of the API meets the same per-IP limits."""
    make_link(OFFLINE_HOST[0], "limited-intro")
    monkeypatch.setattr(rate_limits, "BOOKINGS_PER_IP", parse("1/hour"))
    page = page_in("UTC")
    page.goto(f"{app_url}/meetings/limited-intro")
    pick_first_time(page)
    fill_form(page, email="first@example.org")
    page.get_by_role("button", name="Request meeting").click()
    expect(page.get_by_role("heading", name="Request sent")).to_be_visible()

    page.goto(f"{app_url}/meetings/limited-intro")
    pick_first_time(page)
    fill_form(page, email="second@example.org")
    page.get_by_role("button", name="Request meeting").click()
    expect(page.get_by_role("alert")).to_contain_text("Too many requests from your network")
    with session_scope() as session:
        assert (
            session.exec(select(Booking).where(Booking.prospect_email == "second@example.org"))
        ).first() is None

    # Slot queries: each month shown is one.
    monkeypatch.setattr(rate_limits, "SLOTS_PER_IP", parse("2/minute"))
    page.goto(f"{app_url}/meetings/limited-intro")
    expect(page.get_by_role("group", name="Days")).to_be_visible()
    page.get_by_role("button", name="Next month").click()
    expect(page.get_by_role("alert")).not_to_be_visible()
    page.get_by_role("button", name="Next month").click()
    expect(page.get_by_role("alert")).to_contain_text("Too many requests from your network")
    page.goto(f"{app_url}/meetings/limited-intro")
    expect(page.get_by_role("alert")).to_contain_text("Too many requests from your network")


def test_booking_with_a_proof_of_work_solved_by_the_browser(
    app_url: str, page_in, proof_of_work: list[str]
) -> None:
    make_link(OFFLINE_HOST[0], "pow-intro")
    page = page_in("UTC")
    page.goto(f"{app_url}/meetings/pow-intro")
    pick_first_time(page)
    fill_form(page, email="worker@example.org")
    page.get_by_role("button", name="Request meeting").click()
    expect(page.get_by_role("heading", name="Request sent")).to_be_visible()
    with session_scope() as session:
        assert session.exec(
            select(Booking).where(Booking.prospect_email == "worker@example.org")
        ).one()
    assert len(proof_of_work) == 1  # the browser solved the server's challenge


def test_a_time_taken_meanwhile_says_so_and_offers_fresh_times(app_url: str, page_in) -> None:
    link = make_link(OFFLINE_HOST[0], "busy-intro")
    page = page_in("Asia/Tokyo")
    page.goto(f"{app_url}/meetings/busy-intro")
    pick_first_time(page)
    fill_form(page, email="late@example.org")
    # Someone else books that very slot first.
    taken_start = _chosen_start(page)
    with session_scope() as session:
        own = session.get(MeetingLink, link.id)
        bookings.do_book(
            session=session,
            link=own,
            request=bookings.BookingRequest(
                start=taken_start,
                time_zone="UTC",
                name="Early",
                email="early@example.org",
                answers={"company": "E"},
            ),
        )
    page.get_by_role("button", name="Request meeting").click()
    expect(page.get_by_role("alert")).to_contain_text("This time was just taken — pick another")
    expect(page.get_by_role("group", name="Available times")).to_be_visible()
    with session_scope() as session:
        assert (
            session.exec(
                select(Booking).where(Booking.prospect_email == "late@example.org")
            ).first()
            is None
        )


def _chosen_start(page: Page) -> datetime:
    """The instant the page has chosen, read back from the state as the user sees it."""
    # e.g. "Friday, November 27, 2026, 12:00 PM (Asia/Tokyo)" (Playwright's en-US locale)
    heading = page.get_by_role("heading", level=2).inner_text().replace("\u202f", " ")
    match = re.match(r"\w+, (\w+ \d+, \d{4}), (\d+:\d\d [AP]M) \(([^)]+)\)", heading)
    assert match, heading
    local = datetime.strptime(f"{match.group(1)} {match.group(2)}", "%B %d, %Y %I:%M %p")
    return local.replace(tzinfo=ZoneInfo(match.group(3)))


def test_connected_calendar_booking_lands_in_the_primary_calendar(app_url: str, page_in) -> None:
    with session_scope() as session:
        admin = session.exec(select(User).where(User.email == "admin@example.com")).one()
        connector = connector_for("google")
        callback = callback_url(Provider.GOOGLE)  # the only redirect the app's sandbox allows
        start = connector.begin(redirect_uri=callback, state="e2e")
        connected = connector.complete(
            flow=start.flow,
            callback_params=consent(start.url, "demo.google@example.com", redirect_uri=callback),
        )
        calendars = connector.open(connected.credentials, lambda _: None).list_calendars()
        do_save_connected_account(
            session=session, user_id=admin.id, account=connected, calendars=calendars
        )
    make_link("admin@example.com", "online-demo")
    control(get_settings().sandbox_url, "DELETE", "/requests")
    page = page_in("Europe/Paris")
    page.goto(f"{app_url}/meetings/online-demo")
    expect(page.get_by_role("heading", name="Call online-demo")).to_be_visible()
    expect(page.get_by_role("note")).to_have_count(0)  # not offline
    free_days = page.get_by_role("group", name="Days").get_by_role(
        "button", name=re.compile(r"\d+ times available")
    )
    expect(free_days.first).to_be_visible()
    choose_zone(page, "tokyo", "Asia/Tokyo")
    choose_zone(page, "par", "Europe/Paris")
    expect(free_days.first).to_be_visible()
    # One page view, the zone changed twice: the calendar account was asked once.
    received = control(get_settings().sandbox_url, "GET", "/requests")["requests"]
    assert [path for _, path in received if path.endswith("/freeBusy")] == [
        "/google/calendar/v3/freeBusy"
    ]
    pick_first_time(page)
    fill_form(page, name="Olivia Online", email="olivia@example.org")
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_role("heading", name="You are booked")).to_be_visible()
    expect(page.get_by_text("A confirmation email is on its way.")).to_be_visible()

    def written() -> Booking | None:
        """The event is written by the background delivery, moments after the answer."""
        with session_scope() as session:
            booking = session.exec(
                select(Booking).where(Booking.prospect_email == "olivia@example.org")
            ).one()
        return booking if booking.provider_event_id else None

    booking = eventually(written, "the event in the host's calendar")
    assert booking.status == BookingStatus.CONFIRMED and booking.calendar_error is None

    # Cancel from the link in the email.
    page.goto(bookings.cancel_url(booking))
    expect(page.get_by_role("heading", name="Cancel this meeting?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Cancel meeting").click()
    expect(page.get_by_role("heading", name="Your meeting is cancelled")).to_be_visible()
    with session_scope() as session:
        assert session.get(Booking, booking.id).status == BookingStatus.CANCELLED


def test_reschedule_from_the_email_link(app_url: str, page_in) -> None:
    link = make_link(OFFLINE_HOST[0], "move-me")
    with session_scope() as session:
        own = session.get(MeetingLink, link.id)
        start = (datetime.now(UTC) + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
        booking = bookings.do_book(
            session=session,
            link=own,
            request=bookings.BookingRequest(
                start=start,
                time_zone="Europe/London",
                name="Mo",
                email="mo@example.org",
                answers={"company": "M"},
            ),
        ).booking
    page = page_in("Europe/London")
    page.goto(bookings.reschedule_url(booking))
    expect(page.get_by_role("note").filter(has_text="Pick a new time")).to_be_visible()
    assert_accessible(page)
    pick_first_time(page)
    expect(page.get_by_label("Email")).to_have_value("mo@example.org")
    page.get_by_role("button", name="Move meeting").click()
    expect(page.get_by_role("heading", name="Request sent")).to_be_visible()
    assert_accessible(page)
    with session_scope() as session:
        assert session.get(Booking, booking.id).status == BookingStatus.CANCELLED
        moved = session.exec(
            select(Booking).where(
                Booking.prospect_email == "mo@example.org", Booking.status != "cancelled"
            )
        ).one()
        assert moved.id != booking.id


def test_unknown_links_and_forged_tokens_are_friendly(app_url: str, page: Page) -> None:
    page.goto(f"{app_url}/meetings/no-such-link")
    expect(page.get_by_role("heading", name="This meeting link does not exist")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{app_url}/meetings/cancel?token=12.forged")
    expect(page.get_by_role("heading", name="This link is not valid")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{app_url}/meetings/reschedule?token=12.forged")
    expect(page.get_by_role("heading", name="This link is not valid")).to_be_visible()
    assert_accessible(page)
