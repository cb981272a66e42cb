"""S4: events the host makes in Google or Office 365 put meetings on their contacts'
records, through M9's incremental sync against the sandbox: created, changed, attendee
added and removed, deleted; the host and events without attendees ignored; the setting
off and on; replays and two workers; a 410 full resync; a booking's event deleted in the
calendar cancels the booking; a booking cancelled here cancels the event there."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from meetings_ui.config import get_settings
from meetings_ui.db import session_scope
from meetings_ui.domain.enums import BookingStatus, MeetingSource, Provider
from meetings_ui.models import (
    AuditEvent,
    Booking,
    CalendarConnection,
    Contact,
    ContactMeeting,
    OutboxItem,
    User,
)
from meetings_ui.providers.registry import connector_for
from meetings_ui.services import calendar_sync
from meetings_ui.services.bookings import BookingRequest, do_book, do_cancel
from meetings_ui.services.calendar_connections import do_save_connected_account
from meetings_ui.services.crm_sync import adds_every_attendee, do_set_add_every_attendee
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.services.links import do_create_link
from tests.sandbox import REDIRECT_URI, Sandbox, consent

ACCOUNTS = {
    Provider.GOOGLE: "demo.google@example.com",
    Provider.MICROSOFT: "demo.office@example.com",
}
BOTH = pytest.mark.parametrize("provider", list(Provider))
EVERY_DAY = {d: [["00:00", "00:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}

pytestmark = pytest.mark.usefixtures("mail_captured", "app_database")


def connect(
    session: Session, user: User, provider: Provider, sandbox: Sandbox, monkeypatch
) -> CalendarConnection:
    monkeypatch.setenv("MEETINGS_SANDBOX_URL", sandbox.url)
    get_settings.cache_clear()
    connector = connector_for(provider)
    start = connector.begin(redirect_uri=REDIRECT_URI, state="state")
    connected = connector.complete(
        flow=start.flow, callback_params=consent(start.url, ACCOUNTS[provider])
    )
    account = connector.open(connected.credentials, lambda _: None)
    return do_save_connected_account(
        session=session, user_id=user.id, account=connected, calendars=account.list_calendars()
    )


def sync(session: Session, connection: CalendarConnection) -> None:
    session.expire_all()
    assert calendar_sync.sync_changes(session=session, connection=connection)
    session.expire_all()


def tomorrow(hour: int) -> datetime:
    return datetime.combine(
        datetime.now(UTC).date() + timedelta(days=1), datetime.min.time(), UTC
    ) + timedelta(hours=hour)


def add_event(sandbox: Sandbox, provider: Provider, summary: str, *people: tuple[str, str]):
    calendar = sandbox.store.primary_calendar(provider, ACCOUNTS[provider]).id
    return sandbox.store.add_event(
        calendar,
        summary,
        tomorrow(3),
        tomorrow(4),
        attendees=sandbox.store.attendee_entries(
            calendar, [{"email": e, "name": n} for e, n in people]
        ),
    )


def meetings(session: Session, host: User) -> list[tuple[str, str, str]]:
    rows = session.exec(
        select(ContactMeeting, Contact)
        .join(Contact, Contact.id == ContactMeeting.contact_id)
        .where(ContactMeeting.host_id == host.id)
        .order_by(Contact.email)
    ).all()
    return [(contact.email, meeting.title, meeting.status) for meeting, contact in rows]


def contact(session: Session, host: User, email: str, name: str = "") -> Contact:
    row = Contact(owner_id=host.id, email=email, name=name)
    session.add(row)
    session.commit()
    return row


@BOTH
def test_an_event_with_a_contact_puts_a_meeting_on_the_record_and_follows_changes(
    session: Session, host: User, sandbox: Sandbox, monkeypatch, provider: Provider
) -> None:
    connection = connect(session, host, provider, sandbox, monkeypatch)
    sync(session, connection)  # the first, full listing: the demo events have no attendees
    assert meetings(session, host) == []
    lee = contact(session, host, "lee@example.org", "Lee")
    event = add_event(sandbox, provider, "Demo for Lee", ("Lee@Example.ORG", "Lee L"))
    sync(session, connection)
    (meeting,) = session.exec(select(ContactMeeting)).all()
    assert meeting.contact_id == lee.id and meeting.source == MeetingSource.CALENDAR_SYNC
    assert (meeting.title, meeting.status) == ("Demo for Lee", BookingStatus.CONFIRMED)
    assert (meeting.start_at, meeting.end_at) == (tomorrow(3), tomorrow(4))
    assert meeting.provider_event_id == event.id and meeting.connection_id == connection.id

    sandbox.store.update_event(event, summary="Demo, take two", start=tomorrow(5), end=tomorrow(6))
    sync(session, connection)
    session.refresh(meeting)
    assert (meeting.title, meeting.start_at, meeting.end_at) == (
        "Demo, take two",
        tomorrow(5),
        tomorrow(6),
    )
    sync(session, connection)  # nothing new: nothing changes, no duplicate
    assert meetings(session, host) == [
        ("lee@example.org", "Demo, take two", BookingStatus.CONFIRMED)
    ]

    sandbox.store.cancel_event(event)  # deleted in the calendar
    sync(session, connection)
    assert meetings(session, host) == [
        ("lee@example.org", "Demo, take two", BookingStatus.CANCELLED)
    ]


@BOTH
def test_attendees_added_and_removed_follow_and_the_host_is_never_a_contact(
    session: Session, host: User, sandbox: Sandbox, monkeypatch, provider: Provider
) -> None:
    connection = connect(session, host, provider, sandbox, monkeypatch)
    sync(session, connection)
    for email in ("lee@example.org", "kim@example.org", host.email, ACCOUNTS[provider]):
        contact(session, host, email)
    event = add_event(sandbox, provider, "Review", ("lee@example.org", ""))
    sync(session, connection)
    assert [m[0] for m in meetings(session, host)] == ["lee@example.org"]
    calendar = event.calendar_id
    sandbox.store.update_event(
        event,
        attendees=sandbox.store.attendee_entries(
            calendar,
            [
                {"email": "KIM@example.org"},
                {"email": host.email.upper()},
                {"email": ACCOUNTS[provider]},
            ],
        ),
    )
    sync(session, connection)
    assert meetings(session, host) == [
        ("kim@example.org", "Review", BookingStatus.CONFIRMED),
        ("lee@example.org", "Review", BookingStatus.CANCELLED),
    ]
    sandbox.store.update_event(
        event,
        attendees=sandbox.store.attendee_entries(
            calendar, [{"email": "kim@example.org"}, {"email": "lee@example.org"}]
        ),
    )
    sync(session, connection)  # re-invited: confirmed again, still one row each
    assert [m[2] for m in meetings(session, host)] == [BookingStatus.CONFIRMED] * 2


@BOTH
def test_strangers_make_contacts_only_with_the_setting_on(
    session: Session, host: User, sandbox: Sandbox, monkeypatch, provider: Provider
) -> None:
    connection = connect(session, host, provider, sandbox, monkeypatch)
    sync(session, connection)
    add_event(sandbox, provider, "Coffee", ("sam@example.org", "Sam Stranger"))
    add_event(sandbox, provider, "Focus time")  # no attendees: ignored either way
    sync(session, connection)
    assert session.exec(select(Contact)).all() == [] and meetings(session, host) == []

    host.crm_sync_all_attendees = True
    session.add(host)
    session.commit()
    add_event(sandbox, provider, "Lunch", ("sam@example.org", "Sam Stranger"))
    sync(session, connection)
    (sam,) = session.exec(select(Contact)).all()
    assert (sam.owner_id, sam.email, sam.name) == (host.id, "sam@example.org", "Sam Stranger")
    assert meetings(session, host) == [("sam@example.org", "Lunch", BookingStatus.CONFIRMED)]


@BOTH
def test_a_replayed_sync_and_two_workers_at_once_make_no_duplicates(
    session: Session, host: User, sandbox: Sandbox, monkeypatch, provider: Provider
) -> None:
    host.crm_sync_all_attendees = True
    session.add(host)
    session.commit()
    connection = connect(session, host, provider, sandbox, monkeypatch)
    sync(session, connection)
    token = connection.sync_token
    add_event(sandbox, provider, "Kick-off", ("ann@example.org", "Ann"), ("bo@example.org", "Bo"))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with session_scope() as own:
                mine = own.get(CalendarConnection, connection.id)
                barrier.wait(timeout=30)
                calendar_sync.sync_changes(session=own, connection=mine)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    # A restart that lost the new token replays the same changes.
    row = session.get(CalendarConnection, connection.id)
    row.sync_token = token
    session.add(row)
    session.commit()
    sync(session, row)
    session.expire_all()
    assert len(session.exec(select(Contact)).all()) == 2
    assert [m[0] for m in meetings(session, host)] == ["ann@example.org", "bo@example.org"]


@BOTH
def test_an_expired_token_resyncs_in_full_and_marks_what_vanished_cancelled(
    session: Session, host: User, sandbox: Sandbox, monkeypatch, provider: Provider
) -> None:
    connection = connect(session, host, provider, sandbox, monkeypatch)
    sync(session, connection)
    contact(session, host, "lee@example.org")
    kept = add_event(sandbox, provider, "Kept", ("lee@example.org", ""))
    gone = add_event(sandbox, provider, "Gone", ("lee@example.org", ""))
    sync(session, connection)
    assert len(meetings(session, host)) == 2
    with sandbox.store.lock:  # deleted for good, while our token expires
        del sandbox.store.events[gone.id]
    sandbox.store.invalidate_sync_tokens()
    sync(session, connection)
    assert sorted((m[1], m[2]) for m in meetings(session, host)) == [
        ("Gone", BookingStatus.CANCELLED),
        ("Kept", BookingStatus.CONFIRMED),
    ]
    assert kept.id in {m.provider_event_id for m in session.exec(select(ContactMeeting))}


def book(session: Session, host: User) -> Booking:
    link = do_create_link(
        session=session,
        owner=host,
        name="Intro call",
        settings={
            "time_zone": "UTC",
            "weekly": EVERY_DAY,
            "durations": [60],
            "slot_interval": 60,
            "minimum_notice": 0,
        },
    )
    request = BookingRequest(
        start=tomorrow(7),
        time_zone="UTC",
        name="Pat Prospect",
        email="pat@example.org",
        answers={},
    )
    return do_book(session=session, link=link, request=request).booking


@BOTH
def test_a_booking_deleted_in_the_calendar_is_cancelled_here_and_the_prospect_told(
    session: Session, host: User, sandbox: Sandbox, monkeypatch, provider: Provider, deliver
) -> None:
    connection = connect(session, host, provider, sandbox, monkeypatch)
    sync(session, connection)
    booking = book(session, host)
    deliver()
    session.refresh(booking)
    event_id = booking.provider_event_id
    assert event_id
    calendar_synced = select(ContactMeeting).where(
        ContactMeeting.source == MeetingSource.CALENDAR_SYNC
    )
    # Read back before the write stored the event's id: known by the booking's key on it.
    booking.provider_event_id = None
    session.add(booking)
    session.commit()
    sync(session, connection)
    assert session.exec(calendar_synced).all() == []
    booking = session.get(Booking, booking.id)
    booking.provider_event_id = event_id
    session.add(booking)
    session.commit()
    sandbox.store.update_event(sandbox.store.events[event_id], summary="Intro call (moved)")
    sync(session, connection)  # the booking's own event: no second meeting for Pat
    assert session.exec(calendar_synced).all() == []
    mails_before = {i.id for i in session.exec(select(OutboxItem))}

    sandbox.store.cancel_event(sandbox.store.events[booking.provider_event_id])
    sync(session, connection)
    sync(session, connection)  # a replay tells nobody twice
    session.refresh(booking)
    assert booking.status == BookingStatus.CANCELLED
    new = [i for i in session.exec(select(OutboxItem)) if i.id not in mails_before]
    assert [(i.recipient, i.summary) for i in new] == [("pat@example.org", "Cancelled: Intro call")]
    assert session.exec(calendar_synced).all() == []
    for meeting in session.exec(
        select(ContactMeeting).where(ContactMeeting.booking_id == booking.id)
    ):
        assert meeting.status == BookingStatus.CANCELLED
    (audited,) = session.exec(
        select(AuditEvent).where(AuditEvent.action == "booking.cancelled_in_calendar")
    ).all()
    assert audited.details["booking_id"] == booking.id


@BOTH
def test_a_booking_cancelled_here_is_cancelled_in_the_calendar(
    session: Session, host: User, sandbox: Sandbox, monkeypatch, provider: Provider, deliver
) -> None:
    connect(session, host, provider, sandbox, monkeypatch)
    booking = book(session, host)
    deliver()
    session.refresh(booking)
    event = sandbox.store.events[booking.provider_event_id]
    assert event.status == "confirmed"
    do_cancel(session=session, booking=booking)
    deliver()
    assert sandbox.store.events[booking.provider_event_id].status == "cancelled"


def test_the_setting_is_off_by_default_saved_by_its_owner_and_refused_to_others(
    session: Session, alice: User, bob: User, admin: User
) -> None:
    assert adds_every_attendee(session=session, actor=alice) is False
    assert do_set_add_every_attendee(session=session, actor=alice, enabled=True) is True
    session.refresh(alice)
    assert alice.crm_sync_all_attendees is True
    with pytest.raises(ForbiddenError):
        do_set_add_every_attendee(session=session, actor=bob, enabled=False, user_id=alice.id)
    with pytest.raises(ForbiddenError):
        adds_every_attendee(session=session, actor=bob, user_id=alice.id)
    session.refresh(alice)
    assert alice.crm_sync_all_attendees is True
    do_set_add_every_attendee(session=session, actor=admin, enabled=False, user_id=alice.id)
    session.refresh(alice)
    assert alice.crm_sync_all_attendees is False
    audited = session.exec(
        select(AuditEvent).where(AuditEvent.action == "settings.crm_sync_all_attendees")
    ).all()
    assert [(a.actor_id, a.details["enabled"]) for a in audited] == [
        (alice.id, True),
        (admin.id, False),
    ]


@BOTH
def test_the_polling_pass_brings_a_new_event_to_the_contact(
    session: Session, host: User, sandbox: Sandbox, monkeypatch, provider: Provider
) -> None:
    """The background loop's pass (a polled connection) runs the same sync."""
    connect(session, host, provider, sandbox, monkeypatch)
    now = datetime.now(UTC)
    assert calendar_sync.poll_due(now=now) == 1  # the first, full listing
    contact(session, host, "lee@example.org", "Lee")
    add_event(sandbox, provider, "Pricing call", ("lee@example.org", "Lee"))
    assert calendar_sync.poll_due(now=now + calendar_sync.POLL_EVERY) == 1
    session.expire_all()
    assert meetings(session, host) == [("lee@example.org", "Pricing call", BookingStatus.CONFIRMED)]
