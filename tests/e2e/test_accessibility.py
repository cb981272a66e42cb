"""Every page, as the person who uses it, through axe-core: no serious or critical
violation (WCAG 2.1 A/AA and best practice), and keyboard focus that can be seen."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlmodel import select

from meetings_ui import routes
from meetings_ui.db import session_scope
from meetings_ui.models import Booking, Contact, MeetingLink, User
from meetings_ui.services import bookings
from tests.e2e.helpers import ADMIN, HOST, OFFLINE_HOST, assert_accessible, log_in_as


def link_of(email: str) -> MeetingLink:
    with session_scope() as session:
        return session.exec(
            select(MeetingLink)
            .join(User, MeetingLink.owner_id == User.id)
            .where(User.email == email)
        ).first()


def book(email: str, prospect: str, days_ahead: int) -> Booking:
    """A meeting booked as the booking page books it: a weekday at 9:00 in New York, when
    both demo hosts are free (inside their hours, before the demo host's events)."""
    day = datetime.now(UTC).date() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    with session_scope() as session:
        link = session.get(MeetingLink, link_of(email).id)
        return bookings.do_book(
            session=session,
            link=link,
            request=bookings.BookingRequest(
                start=datetime.combine(day, time(9), ZoneInfo("America/New_York")),
                time_zone="Europe/London",
                name="Alex Axe",
                email=prospect,
                answers={"company": "Axe Inc"} if link.settings.questions else {},
            ),
        ).booking


def shown(page: Page, url: str, ready: Callable[[Page], Locator] | None = None) -> None:
    """Open a page and wait for what the user sees once it is ready: by default its main
    heading."""
    page.goto(url)
    expect((ready or main_heading)(page)).to_be_visible()


def main_heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1).first


def button(name: str) -> Callable[[Page], Locator]:
    """An account page shows its form once the browser's login binding cookie is set, a
    trip to the backend and back (state/login_binding.py): its button says it is ready."""
    return lambda page: page.get_by_role("button", name=name, exact=True)


@pytest.mark.parametrize(
    ("path", "ready"),
    [
        (routes.LANDING, main_heading),
        (routes.LOGIN, button("Log in")),
        (routes.SIGN_UP, button("Sign up")),
        (routes.FORGOT_PASSWORD, button("Send reset link")),
        (
            routes.RESET_PASSWORD + "?token=not-a-real-token",
            lambda page: page.get_by_role("link", name="Ask for a new link"),
        ),
        ("/no-such-page", lambda page: page.get_by_text("404: Page not found")),
        (routes.BOOKING_PREFIX + "/no-such-link", main_heading),
    ],
    ids=["landing", "login", "signup", "forgot", "reset", "404", "no-such-link"],
)
def test_public_pages(
    app_url: str, page: Page, path: str, ready: Callable[[Page], Locator]
) -> None:
    shown(page, app_url + path, ready)
    assert_accessible(page)


def test_the_confirmation_and_cancel_pages(app_url: str, page: Page) -> None:
    """The pages a prospect reaches after booking, and from the emails."""
    booking = book(OFFLINE_HOST[0], "cancel.axe@example.org", days_ahead=4)
    shown(page, f"{app_url}{routes.BOOKING_CONFIRMED}?token={bookings.view_token(booking)}")
    assert_accessible(page)
    shown(page, bookings.cancel_url(booking))
    assert_accessible(page)


def test_the_booking_and_reschedule_pages(app_url: str, page: Page) -> None:
    """The booking page, its form once a time is picked, and the reschedule page (the
    offline host's link: a request)."""
    shown(page, app_url + routes.booking_page(link_of(OFFLINE_HOST[0]).slug))
    page.get_by_role("group", name="Days").get_by_role(
        "button", name=re.compile(r"\d+ times? available")
    ).first.click()
    page.get_by_role("group", name="Available times").get_by_role("button").first.click()
    expect(page.get_by_label("Email")).to_be_visible()
    assert_accessible(page)  # the month, the times and the form
    booking = book(OFFLINE_HOST[0], "move.axe@example.org", days_ahead=5)
    shown(page, bookings.reschedule_url(booking))
    assert_accessible(page)


def test_the_hosts_pages(app_url: str, page: Page) -> None:
    log_in_as(page, app_url, HOST)
    shown(page, app_url + routes.MEETINGS)
    assert_accessible(page)  # the meeting links tab
    page.get_by_role("tab", name="Scheduled meetings").click()
    expect(page.get_by_role("tab", name="Scheduled meetings")).to_have_attribute(
        "aria-selected", "true"
    )
    assert_accessible(page)
    for path in (routes.CONTACTS, routes.SETTINGS, routes.SETTINGS_CALENDAR):
        shown(page, app_url + path)
        assert_accessible(page)


def test_a_contacts_record(app_url: str, page: Page) -> None:
    book(HOST[0], "record.axe@example.org", days_ahead=6)
    with session_scope() as session:
        contact = session.exec(
            select(Contact).where(Contact.email == "record.axe@example.org")
        ).one()
    log_in_as(page, app_url, HOST)
    shown(page, app_url + routes.contact(contact.id))
    assert_accessible(page)


def test_the_admins_pages(app_url: str, page: Page) -> None:
    log_in_as(page, app_url, ADMIN)
    for path in (
        routes.ADMIN,
        routes.ADMIN_USERS,
        routes.ADMIN_CALENDARS,
        routes.ADMIN_AUDIT,
        routes.ADMIN_DELIVERIES,
        routes.ADMIN_DOMAINS,
        routes.DEV_OUTBOX,
    ):
        shown(page, app_url + path)
        assert_accessible(page)


def focus_ring(page: Page) -> str:
    """How the element the keyboard is on shows it: its outline or box shadow."""
    return page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
            return outline ? `outline ${style.outlineWidth} ${style.outlineStyle}`
                : style.boxShadow !== "none" ? `box-shadow ${style.boxShadow}` : "";
        }"""
    )


def test_keyboard_focus_is_visible(app_url: str, page: Page) -> None:
    """Tab through the log-in page: every link and button it reaches shows a ring."""
    shown(page, app_url + routes.LOGIN)
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    reached = []
    for _ in range(12):
        page.keyboard.press("Tab")
        role = page.evaluate("() => document.activeElement.tagName.toLowerCase()")
        if role in ("a", "button"):
            name = page.evaluate("() => document.activeElement.textContent.trim()")
            reached.append(name)
            assert focus_ring(page), f"no visible focus on the {role} {name!r}"
    assert "Log in" in reached and "Forgot password?" in reached, reached
