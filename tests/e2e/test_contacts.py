"""Contacts in a real browser (S4, S5): the list and a contact's record with its booked
meeting and form submission, another host kept out, and Create meeting with a connected
calendar (the event written, the contact invited) and without one (the dialog warns
before saving)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from playwright.sync_api import Page, expect
from sqlmodel import select

from meetings_ui.db import session_scope
from meetings_ui.domain.enums import MeetingSource
from meetings_ui.models import ContactMeeting, User
from meetings_ui.services import contacts as contact_service
from meetings_ui.services.accounts import do_create_user
from meetings_ui.services.bookings import BookingRequest, do_book
from meetings_ui.services.guard import OPERATOR
from meetings_ui.services.links import do_create_link
from tests.e2e.helpers import eventually, log_in_as
from tests.e2e.test_calendar_settings import connect_through_the_ui

PASSWORD = "contacts e2e password"
CONTACTS = "/app/contacts"


def host(email: str) -> tuple[str, str]:
    with session_scope() as session:
        do_create_user(session=session, actor=OPERATOR, email=email, password=PASSWORD)
    return email, PASSWORD


def next_monday_at(hour: int) -> datetime:
    day = datetime.now(UTC).date() + timedelta(days=3)
    day += timedelta(days=(0 - day.weekday()) % 7)
    return datetime.combine(day, time(hour), UTC)


def test_the_record_shows_a_booked_meeting_and_what_was_typed(app_url: str, page: Page) -> None:
    account = host("rita.records@example.com")
    with session_scope() as session:
        owner = session.exec(select(User).where(User.email == account[0])).one()
        link = do_create_link(
            session=session,
            owner=owner,
            name="Discovery call",
            settings={
                "time_zone": "UTC",
                "durations": [30],
                "minimum_notice": 0,
                "weekly": {"mon": [["09:00", "17:00"]]},
                "questions": [{"id": "goal", "label": "Your goal", "kind": "text"}],
            },
        )
        do_book(
            session=session,
            link=link,
            request=BookingRequest(
                start=next_monday_at(10),
                time_zone="UTC",
                name="Pat Prospect",
                email="pat.prospect@example.org",
                answers={"goal": "Cut our no-shows"},
            ),
        )
    log_in_as(page, app_url, account)
    page.goto(app_url + CONTACTS)
    page.get_by_label("Search contacts").fill("prospect")
    page.get_by_role("link", name="Pat Prospect").click()
    expect(page.get_by_role("heading", name="Pat Prospect", level=2)).to_be_visible()
    booked = page.get_by_role("article", name="Discovery call")
    expect(booked).to_contain_text("Booking page")
    expect(booked).to_contain_text("Requested")  # no calendar: the booking is a request
    expect(page.get_by_text("Cut our no-shows")).to_be_visible()
    expect(page.get_by_text("Your goal")).to_be_visible()
    record_url = page.url

    # Another host opening the same address sees nothing of it.
    other = page.context.browser.new_context().new_page()
    log_in_as(other, app_url, host("olaf.other@example.com"))
    other.goto(record_url)
    expect(other.get_by_role("alert")).to_contain_text("not one of yours")
    expect(other.get_by_text("Pat Prospect")).to_have_count(0)
    other.goto(app_url + CONTACTS)
    expect(other.get_by_role("status").filter(has_text="No contacts yet")).to_be_visible()


def _new_contact(page: Page, app_url: str, email: str, name: str) -> None:
    page.goto(app_url + CONTACTS)
    page.get_by_role("button", name="New contact").click()
    dialog = page.get_by_role("dialog", name="New contact")
    dialog.get_by_label("Email").fill(email)
    dialog.get_by_label("Name").fill(name)
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=name, level=2)).to_be_visible()


def _fill_meeting(page: Page, title: str, when: datetime) -> None:
    dialog = page.get_by_role("dialog", name="Create meeting")
    dialog.get_by_label("Title").fill(title)
    dialog.get_by_label("Date").fill(when.date().isoformat())
    dialog.get_by_label("Time").fill(when.strftime("%H:%M"))
    dialog.get_by_label("Duration (minutes)").fill("45")
    dialog.get_by_label("Description").fill("Walk through the proposal")


def test_create_meeting_without_a_calendar_says_so_before_saving(app_url: str, page: Page) -> None:
    log_in_as(page, app_url, host("nora.nocalendar@example.com"))
    _new_contact(page, app_url, "Dana@Example.org", "Dana Doe")
    expect(page.get_by_text("dana@example.org")).to_be_visible()

    # The same email again is refused, with the way to the contact that has it.
    page.goto(app_url + CONTACTS)
    page.get_by_role("button", name="New contact").click()
    dialog = page.get_by_role("dialog", name="New contact")
    dialog.get_by_label("Email").fill("DANA@example.org")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_role("alert")).to_contain_text("You already have a contact with this")
    dialog.get_by_role("link", name="Open the contact with this email").click()
    expect(page.get_by_role("heading", name="Dana Doe", level=2)).to_be_visible()

    page.get_by_role("button", name="Create meeting").click()
    dialog = page.get_by_role("dialog", name="Create meeting")
    expect(dialog.get_by_role("status")).to_contain_text(
        "No calendar is connected: this meeting is only logged on the contact record, "
        "and no invitation will be sent."
    )
    dialog.get_by_label("Duration (minutes)").fill("1000")
    dialog.get_by_role("button", name="Save meeting").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Enter a date as YYYY-MM-DD")
    _fill_meeting(page, "", next_monday_at(9))
    dialog.get_by_label("Duration (minutes)").fill("1000")
    dialog.get_by_role("button", name="Save meeting").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Title: Enter a title")
    expect(dialog.get_by_role("alert")).to_contain_text("Duration: Choose a duration of 5 to 720")
    _fill_meeting(page, "Proposal review", next_monday_at(9))
    dialog.get_by_role("button", name="Save meeting").click()
    expect(page.get_by_text("Meeting logged on the record")).to_be_visible()
    logged = page.get_by_role("article", name="Proposal review")
    expect(logged).to_contain_text("Created here")
    expect(logged).not_to_contain_text("In your calendar")

    expect(logged).to_contain_text(re.compile(r"9:00\sAM–9:45\sAM"))  # en-US: 12-hour

    logged.get_by_role("button", name="Edit meeting Proposal review").click()
    dialog = page.get_by_role("dialog", name="Edit meeting")
    expect(dialog.get_by_label("Title")).to_have_value("Proposal review")
    dialog.get_by_label("Duration (minutes)").fill("60")
    dialog.get_by_role("button", name="Save meeting").click()
    expect(page.get_by_text("Meeting saved")).to_be_visible()
    expect(logged).to_contain_text(re.compile(r"9:00\sAM–10:00\sAM"))

    # Cancelling it asks first.
    logged.get_by_role("button", name="Cancel meeting Proposal review").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Cancel meeting").click()
    expect(page.get_by_role("article", name="Proposal review")).to_contain_text("Cancelled")


def test_create_meeting_with_a_connected_calendar_invites_the_contact(
    app_url: str, page: Page
) -> None:
    account = host("cora.calendar@example.com")
    log_in_as(page, app_url, account)
    connect_through_the_ui(
        page, app_url, "Google/Gmail", "Accept and connect to Google", "demo.google@example.com"
    )
    expect(page).to_have_url(re.compile(r"/app/meetings\?connected=google"))
    _new_contact(page, app_url, "ivan.invited@example.org", "Ivan Invited")

    page.get_by_role("button", name="Create meeting").click()
    dialog = page.get_by_role("dialog", name="Create meeting")
    expect(dialog.get_by_role("status")).to_contain_text(
        "added to your calendar (demo.google@example.com) and ivan.invited@example.org gets "
        "an invitation"
    )
    _fill_meeting(page, "Contract signature", next_monday_at(14))
    dialog.get_by_role("button", name="Save meeting").click()
    expect(page.get_by_text("it is being added to your calendar")).to_be_visible()
    expect(page.get_by_role("article", name="Contract signature")).to_contain_text("Created here")

    def written() -> ContactMeeting | None:
        with session_scope() as session:
            # The demo host's calendar is the same sandbox account: its sync may find the
            # event too, on the demo host's own contacts. This host's is the one created here.
            row = session.exec(
                select(ContactMeeting).where(
                    ContactMeeting.title == "Contract signature",
                    ContactMeeting.source == MeetingSource.CONTACT_RECORD,
                )
            ).one()
            return row if row.provider_event_id else None

    row = eventually(written, "the event in the host's calendar")
    assert row.calendar_error is None
    page.reload()
    expect(page.get_by_role("article", name="Contract signature")).to_contain_text(
        "In your calendar"
    )


def test_edit_merge_page_and_delete_contacts(app_url: str, page: Page) -> None:
    account = host("mara.merge@example.com")
    with session_scope() as session:
        owner = session.exec(select(User).where(User.email == account[0])).one()
        for number in range(26):
            contact_service.do_create_contact(
                session=session,
                actor=owner,
                email=f"lead{number:02d}@example.org",
                name=f"Lead {number:02d}",
            )
        contact_service.do_create_contact(
            session=session, actor=owner, email="sam.work@example.org", company="Acme"
        )
    log_in_as(page, app_url, account)
    page.goto(app_url + CONTACTS)
    expect(page.get_by_text("1–25 of 27")).to_be_visible()
    page.get_by_role("button", name="Next page of contacts").click()
    expect(page.get_by_text("26–27 of 27")).to_be_visible()
    expect(page.get_by_role("link", name="sam.work@example.org")).to_be_visible()
    page.get_by_role("button", name="Previous page of contacts").click()
    expect(page.get_by_role("link", name="Lead 00")).to_be_visible()

    _new_contact(page, app_url, "sam@example.org", "Sam")
    page.get_by_role("button", name="Edit").click()
    dialog = page.get_by_role("dialog", name="Edit contact")
    dialog.get_by_label("Name").fill("Sam Sample")
    dialog.get_by_label("Phone").fill("+33 6 12 34 56 78")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Contact saved")).to_be_visible()
    expect(page.get_by_role("heading", name="Sam Sample", level=2)).to_be_visible()

    page.get_by_role("button", name="Merge with…").click()
    dialog = page.get_by_role("dialog", name="Merge with another contact")
    dialog.get_by_label("Search contacts to merge").fill("sam.work")
    dialog.get_by_role("button", name="Merge sam.work@example.org").click()
    confirm = page.get_by_role("alertdialog", name="Merge these contacts?")
    expect(confirm).to_contain_text("sam.work@example.org")
    confirm.get_by_role("button", name="Merge contacts").click()
    expect(page.get_by_text("Contacts merged")).to_be_visible()
    expect(page.get_by_text("Acme")).to_be_visible()  # filled from the merged contact

    page.get_by_role("button", name="Delete contact").click()
    confirm = page.get_by_role("alertdialog", name="Delete this contact?")
    confirm.get_by_role("button", name="Delete contact").click()
    expect(page.get_by_text("Contact deleted")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/app/contacts$"))
    page.get_by_label("Search contacts").fill("sam")
    expect(page.get_by_role("status").filter(has_text="No contact matches")).to_be_visible()
