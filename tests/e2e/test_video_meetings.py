"""Where people meet, in a real browser: the host chooses Google Meet (or a place, or a web
address of their own) in the link editor, and the prospect's confirmation page shows the
join link once the host's calendar has made it, or the place."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlmodel import select

from meetings_ui.db import session_scope
from meetings_ui.domain.enums import Provider
from meetings_ui.models import Booking, MeetingLink, User
from meetings_ui.providers.registry import connector_for
from meetings_ui.services.calendar_connections import callback_url, do_save_connected_account
from tests.e2e.helpers import ADMIN, OFFLINE_HOST, eventually, log_in_as
from tests.e2e.test_booking import pick_first_time
from tests.sandbox import consent


def connect_google(email: str) -> None:
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == email)).one()
        connector = connector_for("google")
        callback = callback_url(Provider.GOOGLE)  # the only redirect the app's sandbox allows
        start = connector.begin(redirect_uri=callback, state="e2e-video")
        connected = connector.complete(
            flow=start.flow,
            callback_params=consent(start.url, "demo.google@example.com", redirect_uri=callback),
        )
        calendars = connector.open(connected.credentials, lambda _: None).list_calendars()
        do_save_connected_account(
            session=session, user_id=user.id, account=connected, calendars=calendars
        )


def new_link(page: Page, name: str, slug: str, **choices: str) -> None:
    """Create a link bookable at any hour, with the editor's where-to-meet fields."""
    page.get_by_role("button", name="New meeting link").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill(name)
    dialog.get_by_label("URL ending").fill(slug)
    for day in ("Saturday", "Sunday"):  # off in a new link
        dialog.get_by_role("switch", name=day).click()
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
        dialog.get_by_label(f"{day}, interval 1: from").fill("00:00")
        dialog.get_by_label(f"{day}, interval 1: to").fill("00:00")  # the whole day
    dialog.get_by_label("Minimum notice", exact=True).fill("0")
    if "video" in choices:
        dialog.get_by_label("Video meeting").select_option(label=choices["video"])
    if "location" in choices:
        dialog.get_by_label("Location").fill(choices["location"])
    if "url" in choices:
        dialog.get_by_label("Web address to join").fill(choices["url"])
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Meeting link saved")).to_be_visible()


def book(page: Page, app_url: str, slug: str, email: str, *, online: bool = True) -> None:
    page.goto(f"{app_url}/meetings/{slug}")
    pick_first_time(page)
    page.get_by_label("Name").fill("Vera Video")
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Confirm booking" if online else "Request meeting").click()
    expect(
        page.get_by_role("heading", name="You are booked" if online else "Request sent")
    ).to_be_visible()


def test_google_meet_chosen_in_the_editor_is_shown_after_booking(app_url: str, page: Page) -> None:
    connect_google(ADMIN[0])
    log_in_as(page, app_url, ADMIN)
    page.goto(app_url + "/app/meetings")
    new_link(
        page, "Video call", "video-call", video="Google Meet (Google Calendar)", location="Room 4"
    )
    with session_scope() as session:
        link = session.exec(select(MeetingLink).where(MeetingLink.slug == "video-call")).one()
        assert link.settings.video == "google_meet" and link.settings.location == "Room 4"

    # The editor refuses an address that is not a web one, and both kinds at once.
    page.get_by_role("button", name="Edit Video call").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Video meeting")).to_have_value("google_meet")
    dialog.get_by_label("Web address to join").fill("javascript:alert(1)")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_role("alert")).to_contain_text("https://")
    dialog.get_by_label("Web address to join").fill("https://zoom.us/j/1")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_role("alert")).to_contain_text("not both")
    dialog.get_by_role("button", name="Cancel").click()

    book(page, app_url, "video-call", "vera@example.org")
    expect(page.get_by_text("Where: Room 4")).to_be_visible()

    def join_url() -> str | None:
        with session_scope() as session:
            booking = session.exec(
                select(Booking).where(Booking.prospect_email == "vera@example.org")
            ).one()
        return booking.meeting_url

    url = eventually(join_url, "the Meet link from the host's calendar")
    assert url.startswith("https://meet.sandbox.invalid/")
    # The page looks again while the link is being made, then shows it.
    expect(page.get_by_role("link", name=url)).to_have_attribute("href", url, timeout=60_000)


def test_an_offline_link_shows_its_own_web_address(app_url: str, page: Page) -> None:
    log_in_as(page, app_url, OFFLINE_HOST)
    page.goto(app_url + "/app/meetings")
    new_link(page, "Zoom chat", "zoom-chat", url="https://zoom.us/j/123456")
    book(page, app_url, "zoom-chat", "zed@example.org", online=False)
    expect(page.get_by_role("link", name="https://zoom.us/j/123456")).to_have_attribute(
        "href", "https://zoom.us/j/123456"
    )
    expect(page.get_by_text("link is being made")).to_have_count(0)
