"""Incremental sync and the busy-time cache, with the sandbox sending real notifications
to the app's webhook served on a real port: channels opened on connect, notifications
checked and turned into syncs, forged ones refused, renewal, stop on disconnect, polling
where notifications cannot come, and how often the providers are asked for busy time."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
import uvicorn
from sqlmodel import Session, select

from meetings_ui import routes
from meetings_ui.config import get_settings
from meetings_ui.domain.enums import Provider, SyncMode
from meetings_ui.models import (
    AuditEvent,
    BusyCache,
    CalendarChannel,
    CalendarConnection,
    Contact,
    ContactMeeting,
    MeetingLink,
    User,
)
from meetings_ui.providers.registry import connector_for
from meetings_ui.services import api_views, booking_pages, busy_cache, calendar_sync
from meetings_ui.services.calendar_connections import (
    callback_url,
    do_begin_connect,
    do_complete_connect,
    do_disconnect,
    do_save_connected_account,
    open_channel,
    webhook_address,
)
from meetings_ui.services.guard import OPERATOR
from meetings_ui.services.links import do_create_link
from tests.sandbox import REDIRECT_URI, Sandbox, consent

EVERY_DAY = {d: [["00:00", "00:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
ACCOUNTS = {
    Provider.GOOGLE: "demo.google@example.com",
    Provider.MICROSOFT: "demo.office@example.com",
}
FREE_BUSY_PATHS = {
    Provider.GOOGLE: ("/google/calendar/v3/freeBusy",),
    Provider.MICROSOFT: ("/graph/v1.0/me/calendar/getSchedule", "/calendarView"),
}
DEADLINE_SECONDS = 30

pytestmark = pytest.mark.usefixtures("mail_captured")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def app_url(app_database: str, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The app's backend routes on a real port, on the test database, with the sandbox
    standing in for both providers."""
    from meetings_ui.api.app import build_api

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("MEETINGS_BACKEND_URL", url)
    monkeypatch.setenv("MEETINGS_SANDBOX_URL", sandbox.url)
    monkeypatch.setenv("MEETINGS_SECRET_KEY", "test-secret-key-for-calendar-sync")
    get_settings.cache_clear()
    server = uvicorn.Server(
        uvicorn.Config(build_api(), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not server.started:
        assert time.monotonic() < deadline, "the app did not start"
        time.sleep(0.05)
    yield url
    server.should_exit = True
    thread.join(timeout=10)
    get_settings.cache_clear()


def wait_for(condition: Callable[[], object], what: str) -> object:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not (result := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
    return result


def connect(session: Session, user: User, provider: Provider) -> CalendarConnection:
    """Consent as a person would, save the account, open its channel (as the callback does)."""
    connector = connector_for(provider)
    start = connector.begin(redirect_uri=REDIRECT_URI, state="state")
    connected = connector.complete(
        flow=start.flow, callback_params=consent(start.url, ACCOUNTS[provider])
    )
    account = connector.open(connected.credentials, lambda _: None)
    connection = do_save_connected_account(
        session=session, user_id=user.id, account=connected, calendars=account.list_calendars()
    )
    open_channel(session=session, connection=connection)
    return connection


@pytest.fixture
def link(session: Session, host: User) -> MeetingLink:
    return do_create_link(
        session=session,
        owner=host,
        name="Intro call",
        slug="intro",
        settings={
            "time_zone": "Europe/Paris",
            "weekly": EVERY_DAY,
            "durations": [30, 60],
            "slot_interval": 60,
            "minimum_notice": 0,
            "rolling_days": 120,
        },
    )


def calls(sandbox: Sandbox, paths: tuple[str, ...]) -> int:
    with sandbox.store.lock:
        return sum(1 for _, path in sandbox.store.requests if any(p in path for p in paths))


def sent(sandbox: Sandbox, state: str) -> list[dict]:
    with sandbox.store.lock:
        return [n for n in sandbox.store.notifications if n.get("state") == state]


def a_free_hour() -> datetime:
    """Tomorrow 03:00 UTC: a whole hour in Paris, away from the demo data's events."""
    return datetime.combine(
        datetime.now(UTC).date() + timedelta(days=1), datetime.min.time(), UTC
    ) + timedelta(hours=3)


def month_of(at: datetime) -> str:
    return f"{at.astimezone(UTC):%Y-%m}"


def starts(month: str, duration: int = 60) -> tuple[datetime, ...]:
    slots = booking_pages.month_slots(slug="intro", month=month, duration=duration)
    assert slots is not None and slots.online
    return slots.starts


def primary_id(sandbox: Sandbox, provider: Provider) -> str:
    return sandbox.store.primary_calendar(provider, ACCOUNTS[provider]).id


# --- item 7: at most one free/busy read per account and page view ------------------------


@pytest.mark.parametrize("provider", [Provider.GOOGLE, Provider.MICROSOFT])
def test_a_page_view_reads_busy_time_once_and_a_second_view_not_at_all(
    session: Session,
    host: User,
    link: MeetingLink,
    app_url: str,
    sandbox: Sandbox,
    provider: Provider,
) -> None:
    connect(session, host, provider)
    sandbox.store.requests.clear()
    page = booking_pages.open_booking_page(slug="intro", browser_zone="Asia/Tokyo")
    assert page is not None and page.slots.online
    # The prospect picks another duration, and their zone (the page derives it, no call).
    starts(page.slots.month, duration=60)
    assert calls(sandbox, FREE_BUSY_PATHS[provider]) == 1
    assert calls(sandbox, ("/graph/v1.0/me/calendars", "/users/me/calendarList")) == 0
    # Another prospect within the fresh window: no call at all.
    booking_pages.open_booking_page(slug="intro", browser_zone="America/New_York")
    assert calls(sandbox, FREE_BUSY_PATHS[provider]) == 1


def test_a_slots_query_reads_busy_time_once_and_a_query_inside_it_not_at_all(
    session: Session, host: User, link: MeetingLink, app_url: str, sandbox: Sandbox
) -> None:
    """A public slots query is a view too (M13): within the fresh window it asks the
    calendar account nothing, whatever its range, zone or duration."""
    connect(session, host, Provider.GOOGLE)
    sandbox.store.requests.clear()
    day = a_free_hour().date()
    first = api_views.open_slots(
        session=session,
        slug="intro",
        first_day=day,
        last_day=day + timedelta(days=13),
        time_zone="Europe/Paris",
        duration=None,
    )
    assert first.slots and calls(sandbox, FREE_BUSY_PATHS[Provider.GOOGLE]) == 1
    again = api_views.open_slots(
        session=session,
        slug="intro",
        first_day=day + timedelta(days=2),
        last_day=day + timedelta(days=5),
        time_zone="Asia/Tokyo",
        duration=60,
    )
    assert again.slots and calls(sandbox, FREE_BUSY_PATHS[Provider.GOOGLE]) == 1


# --- item 6, Google: channels, notifications, renewal, stop, polling --------------------


def test_connecting_google_opens_a_channel_to_the_webhook(
    session: Session, host: User, app_url: str, sandbox: Sandbox
) -> None:
    connection = connect(session, host, Provider.GOOGLE)
    channel = session.exec(select(CalendarChannel)).one()
    assert connection.sync_mode == SyncMode.NOTIFICATIONS
    assert channel.provider_calendar_id == primary_id(sandbox, Provider.GOOGLE)
    assert channel.expires_at > datetime.now(UTC) + timedelta(days=6)
    watched = sandbox.store.watch_channels[0]
    assert watched["address"] == f"{app_url}{routes.webhook('google')}"
    assert watched["id"] == channel.channel_id
    assert watched["token"] and watched["token"] not in channel.secret_digest  # digest only
    wait_for(lambda: sent(sandbox, "sync"), "the channel's first message")


def test_a_new_event_notifies_the_app_which_syncs_and_blocks_the_slot(
    session: Session, host: User, link: MeetingLink, app_url: str, sandbox: Sandbox
) -> None:
    connection = connect(session, host, Provider.GOOGLE)
    at = a_free_hour()
    assert at in starts(month_of(at))
    assert session.get(BusyCache, connection.id) is not None
    sandbox.control(
        "POST",
        "/events",
        calendar_id=primary_id(sandbox, Provider.GOOGLE),
        summary="Dentist",
        start=at.isoformat(),
        end=(at + timedelta(hours=1)).isoformat(),
    )
    notice = wait_for(lambda: sent(sandbox, "exists"), "the change notification")
    assert notice[0]["status"] == 200
    session.expire_all()
    assert session.get(BusyCache, connection.id) is None  # the cache was dropped
    synced = session.get(CalendarConnection, connection.id)
    assert synced.sync_token and synced.last_synced_at and synced.last_notified_at
    assert at not in starts(month_of(at))  # the new event blocks the slot at once


@pytest.mark.parametrize("provider", list(Provider))
def test_a_notified_event_with_a_contact_shows_on_the_contact(
    session: Session, host: User, app_url: str, sandbox: Sandbox, provider: Provider
) -> None:
    """S4 through the webhook: the notification's sync puts the meeting on the record."""
    connect(session, host, provider)
    lee = Contact(owner_id=host.id, email="lee@example.org", name="Lee")
    session.add(lee)
    session.commit()
    at = a_free_hour()
    sandbox.control(
        "POST",
        "/events",
        calendar_id=primary_id(sandbox, provider),
        summary="Pricing call",
        start=at.isoformat(),
        end=(at + timedelta(hours=1)).isoformat(),
        attendees=[{"email": "Lee@example.org", "name": "Lee"}],
    )

    def meeting() -> ContactMeeting | None:
        session.expire_all()
        return session.exec(
            select(ContactMeeting).where(ContactMeeting.contact_id == lee.id)
        ).first()

    found = wait_for(meeting, "the meeting on the contact")
    assert (found.title, found.start_at, found.source) == ("Pricing call", at, "calendar_sync")


@pytest.mark.parametrize("token", ["forged-token", None])
def test_a_notification_with_a_wrong_or_missing_token_is_refused_and_audited(
    session: Session,
    host: User,
    link: MeetingLink,
    app_url: str,
    sandbox: Sandbox,
    token: str | None,
) -> None:
    connection = connect(session, host, Provider.GOOGLE)
    starts(month_of(a_free_hour()))  # the cache holds a read
    channel = session.exec(select(CalendarChannel)).one()
    before = calls(sandbox, ("/events",))
    headers = {"X-Goog-Channel-ID": channel.channel_id, "X-Goog-Resource-State": "exists"}
    if token:
        headers["X-Goog-Channel-Token"] = token
    answer = requests.post(f"{app_url}{routes.webhook('google')}", headers=headers, timeout=10)
    assert answer.status_code == 403
    session.expire_all()
    assert session.get(BusyCache, connection.id) is not None  # nothing was dropped
    assert calls(sandbox, ("/events",)) == before  # and nothing synced
    refused = session.exec(
        select(AuditEvent).where(AuditEvent.action == "calendar.notification_refused")
    ).one()
    assert refused.target == f"google:{ACCOUNTS[Provider.GOOGLE]}"


def test_a_notification_for_an_unknown_channel_is_refused(app_url: str) -> None:
    answer = requests.post(
        f"{app_url}{routes.webhook('google')}",
        headers={"X-Goog-Channel-ID": "nobody", "X-Goog-Channel-Token": "x"},
        timeout=10,
    )
    assert answer.status_code == 404


def test_a_channel_is_renewed_before_it_expires_and_the_old_one_stopped(
    session: Session, host: User, app_url: str, sandbox: Sandbox
) -> None:
    connect(session, host, Provider.GOOGLE)
    old = session.exec(select(CalendarChannel)).one()
    old_id, expires_at = old.channel_id, old.expires_at
    now = datetime.now(UTC)
    assert calendar_sync.renew_due(now=now) == 0  # a week ahead: nothing to do
    assert calendar_sync.renew_due(now=expires_at - timedelta(hours=2)) == 1
    session.expire_all()
    fresh = session.exec(select(CalendarChannel)).one()
    assert fresh.channel_id != old_id and fresh.expires_at > now
    by_id = {c["id"]: c for c in sandbox.store.watch_channels}
    assert by_id[old_id].get("stopped") and not by_id[fresh.channel_id].get("stopped")


def test_an_expired_channel_sends_nothing_and_the_calendar_falls_back_to_polling(
    session: Session, host: User, app_url: str, sandbox: Sandbox
) -> None:
    connection = connect(session, host, Provider.GOOGLE)
    sandbox.control("POST", "/channels/expire")
    sandbox.fault(provider="google", path="*/events/watch", status=403, count=5)
    channel = session.exec(select(CalendarChannel)).one()
    assert calendar_sync.renew_due(now=channel.expires_at + timedelta(minutes=1)) == 1
    session.expire_all()
    assert session.exec(select(CalendarChannel)).all() == []
    assert session.get(CalendarConnection, connection.id).sync_mode == SyncMode.POLLING
    count = len(sandbox.store.notifications)
    sandbox.control(
        "POST",
        "/events",
        calendar_id=primary_id(sandbox, Provider.GOOGLE),
        start=a_free_hour().isoformat(),
        end=(a_free_hour() + timedelta(hours=1)).isoformat(),
    )
    assert len(sandbox.store.notifications) == count


def test_disconnecting_stops_the_channel(
    session: Session, host: User, app_url: str, sandbox: Sandbox
) -> None:
    connection = connect(session, host, Provider.GOOGLE)
    channel_id = session.exec(select(CalendarChannel)).one().channel_id
    do_disconnect(actor=OPERATOR, connection_id=connection.id)
    stopped = {c["id"]: c.get("stopped") for c in sandbox.store.watch_channels}
    assert stopped == {channel_id: True}
    session.expire_all()
    assert session.exec(select(CalendarChannel)).all() == []


def test_a_refused_channel_leaves_the_calendar_polled_and_polling_sees_changes(
    session: Session, host: User, link: MeetingLink, app_url: str, sandbox: Sandbox
) -> None:
    sandbox.fault(provider="google", path="*/events/watch", status=403)
    connection = connect(session, host, Provider.GOOGLE)
    assert connection.sync_mode == SyncMode.POLLING
    assert session.exec(select(CalendarChannel)).all() == []
    now = datetime.now(UTC)
    assert calendar_sync.poll_due(now=now) == 1  # the first sync: a token is stored
    assert calendar_sync.poll_due(now=now) == 0  # not due again yet
    at = a_free_hour()
    assert at in starts(month_of(at))
    sandbox.control(
        "POST",
        "/events",
        calendar_id=primary_id(sandbox, Provider.GOOGLE),
        start=at.isoformat(),
        end=(at + timedelta(hours=1)).isoformat(),
    )
    assert calendar_sync.poll_due(now=now + calendar_sync.POLL_EVERY) == 1
    session.expire_all()
    assert session.get(BusyCache, connection.id) is None
    assert at not in starts(month_of(at))


def test_notifications_need_a_public_https_webhook_when_the_real_provider_is_used(
    env: Callable[..., None],
) -> None:
    env(GOOGLE_CLIENT_ID="id", GOOGLE_CLIENT_SECRET="secret")
    for private in ("http://meetings.example.com", "https://localhost:8000", "https://10.0.0.5"):
        env(MEETINGS_BACKEND_URL=private)
        assert webhook_address(Provider.GOOGLE) is None
    env(MEETINGS_BACKEND_URL="https://meetings.example.com")
    assert webhook_address(Provider.GOOGLE) == (
        "https://meetings.example.com/webhooks/calendar/google"
    )


def test_microsoft_validation_handshake_echoes_the_token(app_url: str) -> None:
    answer = requests.post(
        f"{app_url}{routes.webhook('microsoft')}",
        params={"validationToken": "Validation: token <1>"},
        timeout=10,
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    assert answer.text == "Validation: token <1>"


# --- item 6, Microsoft: subscriptions, handshake, notifications, PATCH renewal, DELETE ---


def test_connecting_microsoft_subscribes_after_the_validation_handshake(
    session: Session, host: User, app_url: str, sandbox: Sandbox
) -> None:
    connection = connect(session, host, Provider.MICROSOFT)
    channel = session.exec(select(CalendarChannel)).one()
    assert connection.sync_mode == SyncMode.NOTIFICATIONS
    subscription = sandbox.store.subscriptions[0]
    assert subscription["id"] == channel.channel_id
    assert subscription["notificationUrl"] == f"{app_url}{routes.webhook('microsoft')}"
    assert subscription["resource"] == (
        f"me/calendars/{primary_id(sandbox, Provider.MICROSOFT)}/events"
    )
    assert subscription["clientState"] and subscription["clientState"] not in channel.secret_digest
    assert channel.expires_at <= datetime.now(UTC) + timedelta(minutes=4230)


def test_a_webhook_that_fails_the_handshake_gets_no_subscription_and_is_polled(
    session: Session, host: User, app_url: str, sandbox: Sandbox, env: Callable[..., None]
) -> None:
    env(MEETINGS_BACKEND_URL="http://127.0.0.1:9")  # nothing answers there
    connection = connect(session, host, Provider.MICROSOFT)
    assert connection.sync_mode == SyncMode.POLLING
    assert sandbox.store.subscriptions == []
    assert session.exec(select(CalendarChannel)).all() == []


def test_a_microsoft_change_notifies_the_app_which_syncs_and_blocks_the_slot(
    session: Session, host: User, link: MeetingLink, app_url: str, sandbox: Sandbox
) -> None:
    connection = connect(session, host, Provider.MICROSOFT)
    at = a_free_hour()
    assert at in starts(month_of(at))
    sandbox.control(
        "POST",
        "/events",
        calendar_id=primary_id(sandbox, Provider.MICROSOFT),
        start=at.isoformat(),
        end=(at + timedelta(hours=1)).isoformat(),
    )
    notice = wait_for(lambda: sent(sandbox, "updated"), "the change notification")
    assert notice[0]["status"] == 202
    session.expire_all()
    assert session.get(BusyCache, connection.id) is None
    assert session.get(CalendarConnection, connection.id).sync_token
    assert at not in starts(month_of(at))


def test_a_microsoft_notification_with_a_wrong_client_state_is_refused(
    session: Session, host: User, link: MeetingLink, app_url: str, sandbox: Sandbox
) -> None:
    connection = connect(session, host, Provider.MICROSOFT)
    starts(month_of(a_free_hour()))
    channel = session.exec(select(CalendarChannel)).one()
    item = {"subscriptionId": channel.channel_id, "changeType": "created", "clientState": "x"}
    answer = requests.post(
        f"{app_url}{routes.webhook('microsoft')}", json={"value": [item]}, timeout=10
    )
    assert answer.status_code == 403
    session.expire_all()
    assert session.get(BusyCache, connection.id) is not None
    assert session.exec(
        select(AuditEvent).where(AuditEvent.action == "calendar.notification_refused")
    ).one()
    bad = requests.post(f"{app_url}{routes.webhook('microsoft')}", json={"x": 1}, timeout=10)
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_notification"


def test_a_subscription_is_renewed_in_place_and_deleted_on_disconnect(
    session: Session, host: User, app_url: str, sandbox: Sandbox
) -> None:
    connection = connect(session, host, Provider.MICROSOFT)
    channel = session.exec(select(CalendarChannel)).one()
    channel_id, now = channel.channel_id, datetime.now(UTC)
    channel.expires_at = now + timedelta(hours=2)  # as it is two days on
    session.add(channel)
    session.commit()
    assert calendar_sync.renew_due(now=now) == 1
    session.expire_all()
    renewed = session.exec(select(CalendarChannel)).one()
    assert renewed.channel_id == channel_id  # PATCHed, not replaced
    assert renewed.expires_at > now + timedelta(days=2)
    assert sandbox.store.subscriptions[0]["expires_at"] == renewed.expires_at
    do_disconnect(actor=OPERATOR, connection_id=connection.id)
    assert sandbox.store.subscriptions == []
    assert any(m == "DELETE" and channel_id in p for m, p in sandbox.store.requests)


def test_two_workers_storing_the_same_read_do_not_fail_the_page(
    session: Session,
    host: User,
    link: MeetingLink,
    app_url: str,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Both miss, both read; the second to store finds the first's row."""
    connection = connect(session, host, Provider.GOOGLE)
    read = busy_cache.read_busy_time

    def read_while_another_worker_stores(**kwargs: object) -> object:
        result = read(**kwargs)
        with Session(session.get_bind()) as other:
            now = datetime.now(UTC)
            other.add(
                BusyCache(
                    connection_id=connection.id,
                    calendar_ids="",
                    range_start=now,
                    range_end=now,
                    busy={},
                    read_at=now,
                )
            )
            other.commit()
        return result

    monkeypatch.setattr(busy_cache, "read_busy_time", read_while_another_worker_stores)
    assert starts(month_of(a_free_hour()))


def test_the_oauth_callback_opens_a_channel_and_a_reconnect_replaces_it(
    session: Session, host: User, app_url: str, sandbox: Sandbox
) -> None:
    def connect_through_the_callback() -> CalendarConnection:
        url = do_begin_connect(session=session, actor=host, provider=Provider.GOOGLE)
        params = consent(url, ACCOUNTS[Provider.GOOGLE], redirect_uri=callback_url("google"))
        return do_complete_connect(
            session=session, provider="google", params=params, browser_user=host
        )

    connection = connect_through_the_callback()
    first = session.exec(select(CalendarChannel)).one().channel_id
    assert connection.sync_mode == SyncMode.NOTIFICATIONS
    connect_through_the_callback()
    session.expire_all()
    second = session.exec(select(CalendarChannel)).one().channel_id
    stopped = {c["id"]: bool(c.get("stopped")) for c in sandbox.store.watch_channels}
    assert stopped == {first: True, second: False}
