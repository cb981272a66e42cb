"""The booking page as people use it (M12 item 2): on a 360 px phone, by keyboard only, on
their locale's clock and in their language, with the time zone picker."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import OFFLINE_HOST, assert_accessible
from tests.e2e.test_booking import fill_form, make_link, pick_first_time, zone_picker


@pytest.fixture
def open_page(browser: Browser) -> Iterator:
    """A page in a browser of the given locale, zone and viewport."""
    contexts = []

    def opened(locale: str = "en-US", time_zone: str = "Europe/Paris", **options: object) -> Page:
        context = browser.new_context(locale=locale, timezone_id=time_zone, **options)
        contexts.append(context)
        return context.new_page()

    yield opened
    for context in contexts:
        context.close()


def test_a_phone_360_px_wide_books_without_scrolling_sideways(app_url: str, open_page) -> None:
    make_link(OFFLINE_HOST[0], "phone-intro", durations=[30, 60])
    page = open_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page.goto(f"{app_url}/meetings/phone-intro")
    expect(page.get_by_role("heading", name="Call phone-intro")).to_be_visible()
    expect(page.get_by_role("group", name="Days").get_by_role("button").first).to_be_visible()
    assert_accessible(page)

    def no_sideways_scroll() -> None:
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 360, f"the page is {width} px wide"

    no_sideways_scroll()
    page.get_by_role("button", name="60 min").click()
    expect(page.get_by_role("button", name="60 min")).to_have_attribute("aria-pressed", "true")
    pick_first_time(page)
    no_sideways_scroll()
    fill_form(page, email="phone@example.org")
    page.get_by_role("button", name="Request meeting").click()
    expect(page.get_by_role("heading", name="Request sent")).to_be_visible()
    no_sideways_scroll()
    assert_accessible(page)


def test_keyboard_only_picks_a_day_and_a_time_and_books(app_url: str, open_page) -> None:
    make_link(OFFLINE_HOST[0], "keys-intro")
    page = open_page()
    page.goto(f"{app_url}/meetings/keys-intro")
    free_day = page.get_by_role("group", name="Days").get_by_role(
        "button", name=re.compile(r"\d+ times available")
    )
    expect(free_day.first).to_be_visible()

    def tab_to(target) -> None:
        for _ in range(80):
            if target.evaluate("(el) => el === document.activeElement"):
                return
            page.keyboard.press("Tab")
        raise AssertionError("Tab never reached the control")

    tab_to(free_day.first)
    # Arrow keys move between the free days (every day is free on this link).
    second_day = free_day.nth(1).get_attribute("aria-label")
    page.keyboard.press("ArrowRight")
    expect(page.locator(":focus")).to_have_attribute("aria-label", second_day)
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")
    expect(free_day.first).to_have_attribute("aria-pressed", "true")
    first_time = page.get_by_role("group", name="Available times").get_by_role("button").first
    expect(first_time).to_be_visible()
    tab_to(first_time)
    page.keyboard.press("Enter")
    name = page.get_by_label("Name")
    expect(name).to_be_visible()
    tab_to(name)
    page.keyboard.type("Kim Keys")
    page.keyboard.press("Tab")
    page.keyboard.type("kim@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("Keyboard Inc")
    page.keyboard.press("Enter")  # submits the form
    expect(page.get_by_role("heading", name="Request sent")).to_be_visible()


@pytest.mark.parametrize(
    ("locale", "clock"),
    [
        ("en-US", r"^\d{1,2}:\d\d\s?[AP]M$"),
        ("en-GB", r"^\d\d:\d\d$"),
        ("fr-FR", r"^\d\d:\d\d$"),
    ],
)
def test_times_on_the_visitors_clock(app_url: str, open_page, locale: str, clock: str) -> None:
    make_link("host@example.com", f"clock-{locale.lower()}")
    page = open_page(locale=locale)
    page.goto(f"{app_url}/meetings/clock-{locale.lower()}")
    page.get_by_role("group", name=re.compile("Days|Jours")).get_by_role(
        "button", name=re.compile(r"\d+ (times|horaires?) (available|disponibles?)")
    ).first.click()
    times = page.get_by_role("group", name=re.compile("Available times|Horaires disponibles"))
    label = times.get_by_role("button").first.inner_text().replace("\u202f", " ")
    assert re.match(clock, label), label


def test_a_french_browser_sees_french(app_url: str, open_page) -> None:
    make_link("host@example.com", "french-intro")
    page = open_page(locale="fr-FR")
    page.goto(f"{app_url}/meetings/french-intro")
    expect(page.get_by_role("combobox", name="Fuseau horaire")).to_be_visible()
    expect(page.get_by_role("button", name="Mois suivant")).to_be_visible()
    expect(page.get_by_text("lun.", exact=True)).to_be_visible()
    page.get_by_role("group", name="Jours").get_by_role(
        "button", name=re.compile(r"\d+ horaires? disponibles?")
    ).first.click()
    expect(page.get_by_role("heading", name="Horaires disponibles")).to_be_visible()
    assert_accessible(page)


def test_the_time_zone_picker_searches_and_changes_the_times(app_url: str, open_page) -> None:
    make_link("host@example.com", "zones-intro", slot_interval=60)
    page = open_page(locale="en-GB", time_zone="Europe/Paris")
    page.goto(f"{app_url}/meetings/zones-intro")
    picker = zone_picker(page)
    expect(picker).to_have_value(re.compile(r"^Europe/Paris \(UTC\+0[12]:00\)$"))
    # The detected zone comes first; searching by city, by words and by offset.
    picker.click()
    expect(page.get_by_role("option").first).to_have_text(re.compile(r"^Europe/Paris"))
    picker.fill("new york")
    expect(page.get_by_role("option", name="America/New_York (UTC")).to_be_visible()
    picker.fill("+05:30")
    expect(page.get_by_role("option", name="Asia/Kolkata (UTC+05:30)")).to_be_visible()
    picker.fill("asmera")
    expect(page.get_by_text("No time zone matches.")).to_be_visible()  # no deprecated aliases
    picker.press("Escape")

    pick_day = page.get_by_role("group", name="Days").get_by_role(
        "button", name=re.compile(r"\d+ times available")
    )
    pick_day.first.click()
    times = page.get_by_role("group", name="Available times").get_by_role("button")
    paris_first = times.first.inner_text()
    # Keyboard in the picker: type, arrow down to the option, Enter.
    picker.fill("kolkata")
    picker.press("ArrowDown")
    picker.press("Enter")
    expect(picker).to_have_value("Asia/Kolkata (UTC+05:30)")
    pick_day.first.click()
    expect(times.first).not_to_have_text(paris_first)
    # :30 past the hour in India for slots on the hour in Paris.
    expect(times.first).to_have_text(re.compile(r":30$"))


def test_a_month_without_free_time_suggests_the_next(app_url: str, open_page) -> None:
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    make_link(
        "host@example.com",
        "later-intro",
        date_range=[next_month.isoformat(), (next_month + timedelta(days=20)).isoformat()],
        rolling_days=120,
    )
    page = open_page(locale="en-GB", time_zone="Europe/Paris")
    page.goto(f"{app_url}/meetings/later-intro")
    empty = page.get_by_role("status").filter(has_text="No free times in")
    expect(empty).to_be_visible()
    assert_accessible(page)
    empty.get_by_role("button", name="See next month").click()
    expect(page.get_by_role("heading", name=f"{next_month:%B %Y}")).to_be_visible()
    expect(
        page.get_by_role("group", name="Days")
        .get_by_role("button", name=re.compile(r"\d+ times? available"))
        .first
    ).to_be_visible()
