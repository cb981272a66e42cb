"""The availability editor in a real browser (M12): weekday switches and time pickers with
several intervals, hours across midnight, dates with their own hours, duration chips,
numbers with units, the time zone picker, problems said next to their field, in English
and in French. What the editor saves is what prospects are offered (the public slots API)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlmodel import select

from meetings_ui.config import get_settings
from meetings_ui.db import session_scope
from meetings_ui.models import MeetingLink, User
from meetings_ui.services.accounts import do_create_user
from meetings_ui.services.guard import OPERATOR
from tests.e2e.helpers import HOST, assert_accessible, log_in_as

NEWCOMER = ("nia.newcomer@example.com", "nia-newcomer-password")

PARIS = ZoneInfo("Europe/Paris")


def open_new_link(page: Page, app_url: str) -> Locator:
    log_in_as(page, app_url, HOST)
    page.goto(app_url + "/app/meetings")
    page.get_by_role("button", name="New meeting link").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Weekly hours")).to_be_visible()
    return dialog


@pytest.fixture
def forget_links() -> Iterator[list[str]]:
    """Slugs of the links a test makes: removed afterwards (the browser tests share one
    workspace)."""
    made: list[str] = []
    yield made
    with session_scope() as session:
        for link in session.exec(select(MeetingLink).where(MeetingLink.slug.in_(made))).all():
            session.delete(link)
        session.commit()


def slots(slug: str, day: date, last: date | None = None) -> list[datetime]:
    """What the public API offers prospects, 60-minute meetings, in Paris time."""
    answer = httpx.get(
        f"{get_settings().backend_url}/api/v1/public/links/{slug}/slots",
        params={
            "start": day.isoformat(),
            "end": (last or day).isoformat(),
            "timezone": "Europe/Paris",
            "duration": 60,
        },
        timeout=30,
    )
    answer.raise_for_status()
    return [datetime.fromisoformat(s["start"]).astimezone(PARIS) for s in answer.json()["slots"]]


def hours(starts: list[datetime]) -> list[str]:
    return [f"{s:%a %H:%M}" for s in starts]


def test_weekly_hours_night_hours_and_dates_reach_the_booking_slots(
    app_url: str, page: Page, forget_links: list[str]
) -> None:
    forget_links.append("night-owls")
    with session_scope() as session:
        host_zone = session.exec(select(User.time_zone).where(User.email == HOST[0])).one()
    dialog = open_new_link(page, app_url)
    dialog.get_by_label("Name").fill("Night owls")
    dialog.get_by_label("URL ending").fill("night-owls")

    # Durations: chips, and one of the host's own.
    durations = dialog.get_by_role("group", name="Durations")
    expect(durations.get_by_role("button", name="30 min", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    durations.get_by_role("button", name="1 h", exact=True).click()
    durations.get_by_role("button", name="30 min", exact=True).click()
    dialog.get_by_label("Add another duration").fill("50")
    dialog.get_by_role("button", name="Add this duration").click()
    expect(durations.get_by_role("button", name="50 min", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(durations.get_by_role("button", name="30 min", exact=True)).to_have_attribute(
        "aria-pressed", "false"
    )

    # The time zone: searched, each with its offset, the host's own first.
    zone = dialog.get_by_role("combobox", name="Time zone")
    zone.click()
    listbox = dialog.get_by_role("listbox", name="Time zone")
    expect(listbox.get_by_role("option").first).to_contain_text(host_zone)
    zone.fill("paris")
    listbox.get_by_role("option", name=re.compile(r"^Europe\/Paris \(UTC\+0[12]:00\)$")).click()
    expect(zone).to_have_value(re.compile(r"^Europe\/Paris \(UTC\+0[12]:00\)$"))

    # Monday: two intervals; Tuesday off; Friday from 22:00 to 02:00 the next morning.
    dialog.get_by_label("Monday, interval 1: to").fill("12:00")
    dialog.get_by_role("button", name="Add an interval to Monday").click()
    dialog.get_by_label("Monday, interval 2: from").fill("14:00")
    dialog.get_by_label("Monday, interval 2: to").fill("17:00")
    tuesday = dialog.get_by_role("switch", name="Tuesday")
    expect(tuesday).to_be_checked()
    tuesday.click()
    expect(tuesday).not_to_be_checked()
    expect(dialog.get_by_label("Tuesday, interval 1: from")).to_have_count(0)
    dialog.get_by_label("Friday, interval 1: from").fill("22:00")
    dialog.get_by_label("Friday, interval 1: to").fill("02:00")
    expect(dialog.get_by_text("ends the next day")).to_be_visible()

    # Dates: a Wednesday off all day, a Thursday with other hours.
    monday = date.today() + timedelta(days=7 - date.today().weekday() + 7)  # in 8-14 days
    wednesday, thursday = monday + timedelta(days=2), monday + timedelta(days=3)
    expect(dialog.get_by_text("No dates with other hours.")).to_be_visible()
    dialog.get_by_role("button", name="Add a date").click()
    first = dialog.get_by_role("group", name="Date 1")
    first.get_by_label("Date 1", exact=True).fill(wednesday.isoformat())
    expect(first.get_by_role("checkbox", name="Unavailable all day")).to_be_checked()
    dialog.get_by_role("button", name="Add a date").click()
    second = dialog.get_by_role("group", name="Date 2")
    second.get_by_label("Date 2", exact=True).fill(thursday.isoformat())
    second.get_by_role("checkbox", name="Unavailable all day").click()
    second.get_by_label("interval 1: from").fill("10:00")
    second.get_by_label("interval 1: to").fill("11:00")

    # Numbers with their unit.
    dialog.get_by_label("Minimum notice", exact=True).fill("2")
    dialog.get_by_label("Unit of the minimum notice").select_option("hours")
    dialog.get_by_label("Start times every").fill("60")
    dialog.get_by_label("Most meetings per day").fill("")
    assert_accessible(page)

    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Meeting link saved")).to_be_visible()
    expect(page.get_by_role("row", name="Night owls")).to_contain_text("50 min / 1 h")

    with session_scope() as session:
        link = session.exec(select(MeetingLink).where(MeetingLink.slug == "night-owls")).one()
        stored = link.settings.to_json()
    assert stored["time_zone"] == "Europe/Paris"
    assert stored["durations"] == [50, 60]
    assert stored["minimum_notice"] == 120 and stored["slot_interval"] == 60
    assert stored["weekly"] == {
        "mon": [["09:00", "12:00"], ["14:00", "17:00"]],
        "wed": [["09:00", "17:00"]],
        "thu": [["09:00", "17:00"]],
        "fri": [["22:00", "02:00"]],
    }
    assert stored["overrides"] == {
        wednesday.isoformat(): [],
        thursday.isoformat(): [["10:00", "11:00"]],
    }

    # Prospects are offered exactly that.
    week = slots("night-owls", monday, monday + timedelta(days=6))
    assert hours(week) == [
        "Mon 09:00", "Mon 10:00", "Mon 11:00", "Mon 14:00", "Mon 15:00", "Mon 16:00",
        "Thu 10:00",
        "Fri 22:00", "Fri 23:00", "Sat 00:00", "Sat 01:00",
    ]  # fmt: skip

    # Opened again, the editor shows what was saved.
    page.get_by_role("button", name="Edit Night owls").click()
    expect(dialog.get_by_role("switch", name="Tuesday")).not_to_be_checked()
    expect(dialog.get_by_label("Monday, interval 2: from")).to_have_value("14:00")
    expect(dialog.get_by_label("Minimum notice", exact=True)).to_have_value("2")
    expect(dialog.get_by_label("Unit of the minimum notice")).to_have_value("hours")
    expect(
        dialog.get_by_role("group", name="Date 1").get_by_label("Date 1", exact=True)
    ).to_have_value(wednesday.isoformat())
    # A date removed goes back to its weekday's hours.
    dialog.get_by_role("button", name=f"Remove the date {wednesday.isoformat()}").click()
    expect(dialog.get_by_role("group", name="Date 2")).to_have_count(0)
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_have_count(0)  # saved (the first save's toast may still show)
    assert hours(slots("night-owls", wednesday))[:2] == ["Wed 09:00", "Wed 10:00"]


def test_the_editor_says_what_to_fix_next_to_the_field(app_url: str, page: Page) -> None:
    with session_scope() as session:
        before = len(session.exec(select(MeetingLink.id)).all())
    dialog = open_new_link(page, app_url)
    dialog.get_by_label("Name").fill("Not saved")

    # Two intervals of a day that overlap.
    dialog.get_by_role("button", name="Add an interval to Monday").click()
    dialog.get_by_label("Monday, interval 2: from").fill("16:00")
    dialog.get_by_label("Monday, interval 2: to").fill("18:00")
    expect(
        dialog.get_by_role("alert").filter(has_text="09:00–17:00 and 16:00–18:00 overlap")
    ).to_be_visible()
    dialog.get_by_role("button", name="Remove interval 2 of Monday").click()
    expect(dialog.get_by_role("alert").filter(has_text="overlap")).to_have_count(0)

    # An interval that starts and ends at once.
    dialog.get_by_label("Wednesday, interval 1: to").fill("09:00")
    expect(
        dialog.get_by_role("alert").filter(has_text="cannot start and end at the same time")
    ).to_be_visible()
    dialog.get_by_label("Wednesday, interval 1: to").fill("17:00")

    # Numbers out of bounds, and no duration at all.
    dialog.get_by_label("Buffer before each meeting").fill("2000")
    expect(
        dialog.get_by_role("alert").filter(has_text="Enter whole minutes from 0 to 1440.")
    ).to_be_visible()
    dialog.get_by_label("Most meetings per day").fill("0")
    expect(
        dialog.get_by_role("alert").filter(has_text="enter a whole number from 1 to 100")
    ).to_be_visible()
    dialog.get_by_role("group", name="Durations").get_by_role(
        "button", name="30 min", exact=True
    ).click()
    expect(
        dialog.get_by_role("alert").filter(has_text="Choose from one to ten durations")
    ).to_be_visible()
    assert_accessible(page)

    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_role("alert").filter(has_text="see the messages above")).to_be_visible()
    dialog.get_by_label("Buffer before each meeting").fill("15")
    expect(dialog.get_by_role("alert").filter(has_text="from 0 to 1440")).to_have_count(0)
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    with session_scope() as session:
        assert len(session.exec(select(MeetingLink.id)).all()) == before


@pytest.fixture
def french_page(app_url: str, browser: Browser, page: Page) -> Iterator[Page]:
    """The host, logged in, in a browser that asks for French."""
    log_in_as(page, app_url, HOST)
    context = browser.new_context(locale="fr-FR", storage_state=page.context.storage_state())
    yield context.new_page()
    context.close()


def test_a_french_browser_gets_the_editor_in_french(app_url: str, french_page: Page) -> None:
    page = french_page
    page.goto(app_url + "/app/meetings")
    page.get_by_role("button", name="Nouveau lien de réunion").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Horaires de la semaine")).to_be_visible()
    expect(dialog.get_by_role("switch", name="Lundi")).to_be_checked()
    expect(dialog.get_by_role("switch", name="Samedi")).not_to_be_checked()
    expect(dialog.get_by_label("Lundi, plage 1 : de")).to_have_value("09:00")
    expect(dialog.get_by_role("combobox", name="Fuseau horaire")).to_be_visible()
    expect(dialog.get_by_label("Battement avant chaque réunion")).to_be_visible()
    dialog.get_by_role("button", name="Ajouter une date").click()
    expect(dialog.get_by_role("checkbox", name="Indisponible toute la journée")).to_be_checked()
    dialog.get_by_label("Battement avant chaque réunion").fill("2000")
    expect(
        dialog.get_by_role("alert").filter(
            has_text="Saisissez un nombre entier de minutes de 0 à 1440."
        )
    ).to_be_visible()
    assert_accessible(page)
    dialog.get_by_role("button", name="Annuler").click()
    expect(dialog).to_have_count(0)


def test_a_newcomer_without_links_is_shown_how_to_start(app_url: str, page: Page) -> None:
    with session_scope() as session:
        if not session.exec(select(User).where(User.email == NEWCOMER[0])).first():
            do_create_user(session=session, actor=OPERATOR, email=NEWCOMER[0], password=NEWCOMER[1])
    log_in_as(page, app_url, NEWCOMER)
    page.goto(app_url + "/app/meetings")
    empty = page.get_by_role("status").filter(has_text="No meeting links yet")
    expect(empty).to_contain_text("no calendar needs to be connected")
    assert_accessible(page)
    empty.get_by_role("button", name="Create my first meeting link").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="New meeting link")).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(empty).to_be_visible()
