""" "Why isn't this time free?" in the browser: a host asks about one time per reason
on a link of theirs with a co-host, then reads the page in French."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from meetings_ui import routes
from meetings_ui.config import get_settings
from meetings_ui.db import session_scope
from meetings_ui.domain.enums import LinkType, Provider
from meetings_ui.models import CalendarConnection, User
from meetings_ui.providers.registry import connector_for
from meetings_ui.services import bookings
from meetings_ui.services.accounts import do_create_user
from meetings_ui.services.calendar_connections import (
    callback_url,
    do_disconnect,
    do_save_connected_account,
)
from meetings_ui.services.guard import OPERATOR
from meetings_ui.services.links import do_create_link, do_delete_link
from tests.e2e.helpers import assert_accessible, log_in_as
from tests.sandbox import consent, control

PARIS = ZoneInfo("Europe/Paris")
EVERY_DAY_9_TO_17 = {
    d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
}
WHY_HOST = ("wendy.why@example.com", "wendy-why-password")
HOST_ACCOUNT = "hugo.why@example.com"
CO_HOST_ACCOUNT = "zoe.why@example.com"


@dataclass
class Scene:
    link_id: int
    day: datetime  # midnight in Paris, ten days ahead
    primary: str  # the name of the host's primary calendar


def _sandbox(method: str, endpoint: str, /, **json: object) -> dict:
    return control(get_settings().sandbox_url, method, endpoint, **json)


def _connect(session, user: User, account: str) -> None:
    _sandbox("POST", "/accounts", provider="google", email=account, display_name=user.display_name)
    connector = connector_for("google")
    callback = callback_url(Provider.GOOGLE)
    start = connector.begin(redirect_uri=callback, state="why")
    connected = connector.complete(
        flow=start.flow, callback_params=consent(start.url, account, redirect_uri=callback)
    )
    calendars = connector.open(connected.credentials, lambda _: None).list_calendars()
    do_save_connected_account(
        session=session, user_id=user.id, account=connected, calendars=calendars
    )


@pytest.fixture
def scene(app_url: str) -> Iterator[Scene]:
    """A group link of a host of its own with a co-host, both calendars connected to fresh
    sandbox accounts with a few events; one request the day after, for the daily cap.
    Everything is removed afterwards (the app is shared by the browser tests)."""
    day = datetime.combine(datetime.now(PARIS).date() + timedelta(days=10), time(0), PARIS)
    events: list[str] = []
    with session_scope() as session:
        # A host of its own: the demo host's calendar is already connected (the demo).
        host = do_create_user(
            session=session,
            actor=OPERATOR,
            email=WHY_HOST[0],
            password=WHY_HOST[1],
            display_name="Wendy Why",
        )
        zoe = do_create_user(
            session=session,
            actor=OPERATOR,
            email="zoe.cohost@example.com",
            password="zoe-cohost-password",
            display_name="Zoe Cohost",
        )
        link = do_create_link(
            session=session,
            owner=host,
            name="Why demo",
            slug="why-demo",
            link_type=LinkType.GROUP,
            host_ids=[host.id, zoe.id],
            actor=OPERATOR,
            settings={
                "time_zone": "Europe/Paris",
                "weekly": EVERY_DAY_9_TO_17,
                "durations": [30, 60],
                "buffer_before": 15,
                "buffer_after": 15,
                "minimum_notice": 120,
                "rolling_days": 30,
                "daily_cap": 1,
            },
        )
        # The day after: a request (no calendar yet, so offline) that fills the cap.
        bookings.do_book(
            session=session,
            link=link,
            request=bookings.BookingRequest(
                start=day + timedelta(days=1, hours=9),
                time_zone="Europe/Paris",
                name="Cap Filler",
                email="cap.filler@example.org",
                answers={},
                duration=30,
            ),
        )
        _connect(session, host, HOST_ACCOUNT)
        _connect(session, zoe, CO_HOST_ACCOUNT)
        link_id, host_id, zoe_id = link.id, host.id, zoe.id

    def event(account: str, summary: str, start: int, end: int, **extra: object) -> None:
        made = _sandbox(
            "POST",
            "/events",
            calendar_id=account,
            summary=summary,
            start=(day + timedelta(minutes=start)).isoformat(),
            end=(day + timedelta(minutes=end)).isoformat(),
            **extra,
        )
        events.append(made["id"])

    event(HOST_ACCOUNT, "Quarterly review", 10 * 60, 11 * 60)
    event(HOST_ACCOUNT, "Therapy session", 12 * 60, 13 * 60, visibility="private")
    event(HOST_ACCOUNT, "Design sync", 14 * 60, 14 * 60 + 30)
    event(CO_HOST_ACCOUNT, "Zoe's secret interview", 15 * 60, 16 * 60)
    yield Scene(link_id, day, HOST_ACCOUNT)

    for event_id in events:
        _sandbox("DELETE", f"/events/{event_id}")
    with session_scope() as session:
        host = session.get(User, host_id)
        do_delete_link(session=session, actor=host, link_id=link_id)
        for user_id in (host_id, zoe_id):
            for connection in session.exec(
                select(CalendarConnection).where(CalendarConnection.user_id == user_id)
            ).all():
                do_disconnect(session=session, actor=OPERATOR, connection_id=connection.id)
        for user_id in (host_id, zoe_id):
            user = session.get(User, user_id)
            user.is_active = False
            session.add(user)
        session.commit()


@pytest.fixture
def page_in(browser: Browser) -> Iterator:
    contexts = []

    def open_page(locale: str) -> Page:
        context = browser.new_context(locale=locale, timezone_id="Europe/Paris")
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def ask(page: Page, when: datetime, duration: str = "30") -> None:
    page.get_by_label("Date", exact=True).fill(when.strftime("%Y-%m-%d"))
    page.get_by_label("Time", exact=True).fill(when.strftime("%H:%M"))
    page.get_by_label("Duration", exact=True).select_option(duration)
    page.get_by_role("button", name="Check").click()


def test_each_reason_in_words_then_in_french(app_url: str, scene: Scene, page_in) -> None:
    page = page_in("en-US")
    log_in_as(page, app_url, WHY_HOST)
    page.goto(app_url + routes.link_why(scene.link_id))
    expect(page.get_by_role("heading", name="Why isn't this time free?", level=1)).to_be_visible()
    expect(page.get_by_text("in the link's time zone, Europe/Paris")).to_be_visible()
    answer = page.get_by_role("main")
    day = scene.day

    ask(page, day + timedelta(hours=9))
    expect(answer.get_by_text("This time is free: prospects can book it.")).to_be_visible()
    expect(answer.get_by_text("Your time:")).to_be_visible()  # the host lives in UTC
    assert_accessible(page)

    ask(page, day + timedelta(hours=20))
    expect(answer.get_by_text("Outside the link's available hours")).to_be_visible()

    ask(page, day + timedelta(hours=10))
    expect(
        answer.get_by_text(f"Busy in calendar {scene.primary}: Quarterly review")
    ).to_be_visible()

    ask(page, day + timedelta(hours=12))
    expect(answer.get_by_text(f"Busy in calendar {scene.primary}: Private event")).to_be_visible()
    expect(answer.get_by_text("Therapy session")).to_have_count(0)

    ask(page, day + timedelta(hours=14, minutes=30))
    expect(
        answer.get_by_text(f"Within the buffer around Design sync (calendar {scene.primary})")
    ).to_be_visible()

    ask(page, day + timedelta(hours=15))
    expect(answer.get_by_role("heading", name="Zoe Cohost")).to_be_visible()
    expect(answer.get_by_text("Zoe Cohost is busy", exact=True)).to_be_visible()
    expect(answer.get_by_text("secret interview")).to_have_count(0)

    ask(page, day + timedelta(days=1, hours=15))
    expect(answer.get_by_text("Daily cap reached").first).to_be_visible()

    ask(page, day + timedelta(days=40, hours=10))
    expect(answer.get_by_text("Beyond the booking window")).to_be_visible()

    soon = datetime.now(PARIS).replace(second=0, microsecond=0) + timedelta(minutes=61)
    ask(page, soon - timedelta(minutes=soon.minute % 30))
    expect(answer.get_by_text("Too soon: this link needs at least 2 hours notice")).to_be_visible()
    assert_accessible(page)

    french = page_in("fr-FR")
    french.context.add_cookies(page.context.cookies())  # the same host, logged in
    french.goto(app_url + routes.link_why(scene.link_id))
    expect(
        french.get_by_role("heading", name="Pourquoi ce créneau n'est-il pas libre ?", level=1)
    ).to_be_visible()
    french.get_by_label("Date", exact=True).fill((day + timedelta(hours=20)).strftime("%Y-%m-%d"))
    french.get_by_label("Heure", exact=True).fill("20:00")
    french.get_by_role("button", name="Vérifier").click()
    expect(french.get_by_text("En dehors des horaires disponibles du lien")).to_be_visible()
    assert_accessible(french)
