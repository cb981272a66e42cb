"""Video meetings and meeting places (M9 item 8): a link with Google Meet or Teams ends
with the join link on the booking, in the prospect's emails and in the .ics; a fixed place
or web address travels with every booking, connected or offline."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from meetings_ui.domain.enums import BookingStatus, OutboxKind, OutboxStatus
from meetings_ui.models import Booking, MeetingLink, OutboxEmail, OutboxItem, User
from meetings_ui.services import bookings
from meetings_ui.services.booking_pages import confirmation
from tests.conftest import BACKENDS, downgrade, make_empty_database, migrate
from tests.sandbox import Sandbox
from tests.services.test_bookings import next_weekday, paris, request
from tests.services.test_outbox import connect, later, make_link

VIDEO = {"google": "google_meet", "microsoft": "microsoft_teams"}
JOIN_PREFIX = {
    "google": "https://meet.sandbox.invalid/",
    "microsoft": "https://teams.microsoft.sandbox.invalid/",
}


def mails_to(session: Session, to: str) -> list[OutboxEmail]:
    return list(session.exec(select(OutboxEmail).where(OutboxEmail.to == to)).all())


@pytest.mark.parametrize("provider", ["google", "microsoft"])
def test_a_booking_with_a_video_meeting_ends_with_its_join_link_everywhere(
    session: Session,
    host: User,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    mail_captured: None,
    deliver,
    provider: str,
) -> None:
    connect(session, host, sandbox, monkeypatch, provider)
    link = make_link(session, host, video=VIDEO[provider])
    booking = bookings.do_book(
        session=session, link=link, request=request(paris(next_weekday(2), 11))
    ).booking
    assert booking.status == BookingStatus.CONFIRMED

    # The booking answers before the calendar is written: the page says the link is coming.
    details = confirmation(token=bookings.view_token(booking))
    assert details.meeting_url == "" and details.video_to_come

    deliver()
    (first,) = [m for m in mails_to(session, "pat@example.org") if m.subject.startswith("Conf")]
    assert "link will follow in a separate email" in first.text
    session.refresh(booking)
    assert booking.meeting_url and booking.meeting_url.startswith(JOIN_PREFIX[provider])
    assert sandbox.store.events[booking.provider_event_id].join_url == booking.meeting_url

    follow_up = [m for m in mails_to(session, "pat@example.org") if m.subject.startswith("Video")]
    assert len(follow_up) == 1
    assert f"Join: {booking.meeting_url}" in follow_up[0].text
    assert follow_up[0].attachments[0]["filename"] == "invite.ics"

    ics = bookings.ics_for(session, booking).replace("\r\n ", "")
    assert f"URL;VALUE=URI:{booking.meeting_url}" in ics
    assert f"LOCATION:{booking.meeting_url}" in ics
    assert "CONFERENCE;FEATURE=VIDEO" in ics
    assert "SEQUENCE:1" in ics  # replaces the invitation the confirmation carried
    shown = confirmation(token=bookings.view_token(booking))
    assert shown.meeting_url == booking.meeting_url and shown.video_to_come == ""

    # Every outbox row is done: nothing left to retry, nothing failed.
    statuses = {i.kind: i.status for i in session.exec(select(OutboxItem)).all()}
    assert set(statuses.values()) == {OutboxStatus.SENT}
    if provider == "google":
        assert statuses[OutboxKind.VIDEO_LINK] == OutboxStatus.SENT


def test_a_meet_still_pending_is_read_again_until_made(
    session: Session,
    host: User,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    mail_captured: None,
    deliver,
) -> None:
    connect(session, host, sandbox, monkeypatch, "google")
    link = make_link(session, host, video="google_meet")
    booking = bookings.do_book(
        session=session, link=link, request=request(paris(next_weekday(2), 11))
    ).booking
    # Google still answers "pending" on the next read: the row waits its backoff.
    sandbox.store.meet_pending_reads = 1
    assert deliver().retrying == 1
    session.refresh(booking)
    assert booking.meeting_url is None
    assert not [m for m in mails_to(session, "pat@example.org") if m.subject.startswith("Video")]
    deliver(now=later(minutes=10))
    session.refresh(booking)
    assert booking.meeting_url and booking.meeting_url.startswith(JOIN_PREFIX["google"])
    assert (
        len([m for m in mails_to(session, "pat@example.org") if m.subject.startswith("Video")]) == 1
    )


@pytest.mark.parametrize(
    "settings", [{"location": "Office, 3 rue X"}, {"meeting_url": "https://zoom.us/j/123"}]
)
def test_an_offline_link_carries_its_place_or_web_address(
    session: Session, host: User, mail_captured: None, deliver, settings: dict
) -> None:
    link = make_link(session, host, **settings)
    booking = bookings.do_book(
        session=session, link=link, request=request(paris(next_weekday(2), 11))
    ).booking
    assert booking.status == BookingStatus.REQUESTED  # no calendar: offline mode
    deliver()
    (prospect,) = mails_to(session, "pat@example.org")
    ics = bookings.ics_for(session, booking).replace("\r\n ", "")
    details = confirmation(token=bookings.view_token(booking))
    assert details.video_to_come == ""
    if "location" in settings:
        assert "Where: Office, 3 rue X" in prospect.text
        assert "LOCATION:Office\\, 3 rue X" in ics and "URL" not in ics
        assert details.location == "Office, 3 rue X" and details.meeting_url == ""
    else:
        assert "Join: https://zoom.us/j/123" in prospect.text
        assert "URL;VALUE=URI:https://zoom.us/j/123" in ics
        assert details.meeting_url == "https://zoom.us/j/123"


def test_a_video_link_booked_offline_promises_no_video_link(
    session: Session, host: User, mail_captured: None, deliver
) -> None:
    """No calendar, no event, no Meet: nobody is told a link will follow."""
    link = make_link(session, host, video="google_meet")
    booking = bookings.do_book(
        session=session, link=link, request=request(paris(next_weekday(2), 11))
    ).booking
    deliver()
    (prospect,) = mails_to(session, "pat@example.org")
    assert "will follow" not in prospect.text
    assert confirmation(token=bookings.view_token(booking)).video_to_come == ""


def test_no_video_link_is_promised_when_the_calendar_cannot_make_one(
    session: Session,
    host: User,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    mail_captured: None,
    deliver,
) -> None:
    """A Google Meet link on a host whose calendar is Microsoft's: the event is written
    without a meeting, and neither the email nor the page waits for one."""
    connect(session, host, sandbox, monkeypatch, "microsoft")
    link = make_link(session, host, video="google_meet")
    booking = bookings.do_book(
        session=session, link=link, request=request(paris(next_weekday(2), 11))
    ).booking
    assert confirmation(token=bookings.view_token(booking)).video_to_come == ""
    deliver()
    session.refresh(booking)
    assert booking.provider_event_id and booking.meeting_url == ""
    assert sandbox.store.events[booking.provider_event_id].join_url == ""
    for mail in mails_to(session, "pat@example.org"):
        assert "will follow" not in mail.text and not mail.subject.startswith("Video")


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_migration_keeps_bookings_and_links_saved_before(backend: str, tmp_path) -> None:
    """Bookings get no join link (none was made) and links saved without the new settings
    load with no video, no place, no web address; downgrading drops the column only."""
    url, drop = make_empty_database(backend, tmp_path)
    migrate(url, "5a1e2c3d4f60")
    engine = sa.create_engine(url)
    now = datetime.now(UTC).replace(tzinfo=None)
    old_settings = json.dumps({"durations": [45], "confirmation_message": "See you"})
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                'INSERT INTO "user" (id, email, display_name, role, time_zone, is_active, '
                "created_at) VALUES (1, 'h@example.com', 'H', 'user', 'UTC', true, :now)"
            ),
            {"now": now},
        )
        connection.execute(
            sa.text(
                "INSERT INTO meeting_link (id, owner_id, name, slug, link_type, settings, "
                "created_at) VALUES (1, 1, 'L', 'l', 'one_on_one', :settings, :now)"
            ),
            {"now": now, "settings": old_settings},
        )
        connection.execute(
            sa.text(
                "INSERT INTO booking (id, link_id, host_id, start_at, end_at, status, "
                "prospect_name, prospect_email, prospect_time_zone, answers, sequence, "
                "reminders_sent, provider_event_id, created_at) VALUES "
                "(1, 1, 1, :now, :now, 'confirmed', 'P', 'p@example.com', 'UTC', '{}', 0, "
                "'[]', 'evt-1', :now)"
            ),
            {"now": now},
        )
    migrate(url)
    with Session(engine) as check:
        booking = check.get(Booking, 1)
        assert booking.meeting_url is None and booking.provider_event_id == "evt-1"
        settings = check.get(MeetingLink, 1).settings
        assert (settings.video, settings.location, settings.meeting_url) == ("none", "", "")
        assert settings.durations == (45,) and settings.confirmation_message == "See you"
    downgrade(url, "5a1e2c3d4f60")
    columns = {c["name"] for c in sa.inspect(engine).get_columns("booking")}
    assert "meeting_url" not in columns and "provider_event_id" in columns
    engine.dispose()
    drop()
