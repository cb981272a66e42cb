"""Calendar events into the CRM (S4): each change that incremental sync reads from a
connection's primary calendar (the calendar watched and synced since M9, where a host's own
meetings are) puts the meeting on the records of the contacts among its attendees.

- Who counts: every attendee except the host (their login email and the email of every
  calendar account they connected), the event's organizer when that is the host, and
  resources (rooms). Colleagues who are workspace users are counted like anybody else: a
  host may well keep a colleague as a contact.
- Matching is by the host's own contacts, by lower-cased email. With the host's setting
  "Add every external attendee of my calendar events as a contact" (`crm_sync_all_attendees`)
  an attendee without a contact gets one, named after the attendee's display name.
- One `ContactMeeting` per contact and event (source calendar_sync, keyed by contact,
  connection and event id): a changed title or time follows; an attendee taken off the
  event, a cancelled event and a deleted one (Google's `status: cancelled`, Graph's
  `@removed`) leave the meeting on the record, marked cancelled: it happened in the
  contact's history, and a re-invited attendee gets it confirmed again.
- An event the app wrote for a booking (Booking.provider_event_id) is the booking's
  meeting, not a second one; when it is deleted in the calendar, the booking is cancelled
  here: the prospect is told by email (through the outbox), the booking's meetings on
  contact records are marked cancelled, and the cancellation is audited.
- A full listing (the first sync, or a resync after the token expired) is the whole truth
  for its window: synced meetings of the connection within it that the listing no longer
  has are marked cancelled.

Runs inside `calendar_sync.sync_changes`, in the transaction that stores the next sync
token, so a crash replays the same changes and the rows come out the same. Two workers
syncing one connection at once: each insert runs in a savepoint, and the one that loses the
unique constraint updates the winner's row instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from meetings_ui.domain.enums import BookingStatus, MeetingSource
from meetings_ui.domain.messages import Text
from meetings_ui.models import (
    Booking,
    CalendarConnection,
    Contact,
    ContactMeeting,
    MeetingLink,
    User,
    utc_now,
)
from meetings_ui.providers.base import ChangeSet, ProviderEvent
from meetings_ui.services import audit, contacts
from meetings_ui.services.bookings import (
    booking_for_calendar_key,
    ics_for,
    prospect_reader,
    when_for_prospect,
)
from meetings_ui.services.guard import Actor, ForbiddenError, require_self_or_admin
from meetings_ui.services.mail import Attachment, send_email
from meetings_ui.services.transactions import use_case

T = TypeVar("T")
TITLE_MAX, NAME_MAX, EMAIL_MAX = 500, 200, 320


@dataclass(frozen=True)
class CancelledBooking:
    """A booking cancelled because its event was deleted in the calendar: to audit once
    the sync has committed."""

    booking_id: int
    host_id: int
    prospect_email: str


def _host_emails(session: Session, host: User) -> set[str]:
    accounts = session.exec(
        select(CalendarConnection.account_email).where(CalendarConnection.user_id == host.id)
    ).all()
    return {host.email.lower(), *(a.lower() for a in accounts)}


def _inserted(session: Session, row: T, find: Callable[[], T | None]) -> T:
    """Insert `row` in a savepoint; when another worker inserted the same key first, its
    row instead."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        existing = find()
        if existing is None:
            raise
        return existing
    return row


def _contact(session: Session, host: User, email: str, name: str, create: bool) -> Contact | None:
    def find() -> Contact | None:
        return session.exec(
            select(Contact).where(Contact.owner_id == host.id, Contact.email == email)
        ).first()

    contact = find()
    if contact is not None or not create or len(email) > EMAIL_MAX or "@" not in email:
        return contact
    return _inserted(
        session, Contact(owner_id=host.id, email=email, name=name.strip()[:NAME_MAX]), find
    )


def _meetings_of(
    session: Session, connection: CalendarConnection, event_id: str
) -> list[ContactMeeting]:
    return list(
        session.exec(
            select(ContactMeeting).where(
                ContactMeeting.connection_id == connection.id,
                ContactMeeting.provider_event_id == event_id,
                ContactMeeting.source == MeetingSource.CALENDAR_SYNC,
            )
        )
    )


def _cancel(meeting: ContactMeeting, now: datetime) -> bool:
    if meeting.status == BookingStatus.CANCELLED:
        return False
    meeting.status, meeting.updated_at = BookingStatus.CANCELLED, now
    return True


def _booking_deleted_in_calendar(
    session: Session, booking: Booking, now: datetime
) -> CancelledBooking | None:
    """The host deleted a booked meeting's event: cancel the booking here and tell the
    prospect. Nothing to write back to the calendar: the event is gone already."""
    cancelled = session.execute(
        sa.update(Booking)
        .where(Booking.id == booking.id, Booking.status != BookingStatus.CANCELLED)
        .values(status=BookingStatus.CANCELLED, sequence=Booking.sequence + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not cancelled:
        return None
    session.refresh(booking)
    contacts.record_booking(session, booking)  # the meeting on its contact's record follows
    link = session.get(MeetingLink, booking.link_id)
    host = session.get(User, booking.host_id)
    reader = prospect_reader(booking)
    send_email(
        session=session,
        to=booking.prospect_email,
        subject=reader.t("Cancelled: {link}", link=link.name),
        text=reader.t(
            "{host} cancelled the meeting on {when}.",
            host=host.display_name,
            when=when_for_prospect(booking),
        ),
        attachments=[Attachment("cancel.ics", "text/calendar", ics_for(session, booking).encode())],
        booking_id=booking.id,
    )
    return CancelledBooking(booking.id, booking.host_id, booking.prospect_email)


def _apply_event(
    session: Session,
    connection: CalendarConnection,
    host: User,
    own: set[str],
    event: ProviderEvent,
    now: datetime,
) -> CancelledBooking | None:
    # The app's own event for a booking, known by its id or, before the write that made it
    # has stored the id, by the booking's key on the event: the booking's meeting.
    booking = session.exec(
        select(Booking).where(
            Booking.provider_event_id == event.id, Booking.host_id == connection.user_id
        )
    ).first() or booking_for_calendar_key(session, event.idempotency_key)
    if booking is not None and booking.host_id != connection.user_id:
        return None  # another host's booking (a co-host's copy of a group event)
    if booking is not None:
        if event.cancelled and booking.status != BookingStatus.CANCELLED:
            return _booking_deleted_in_calendar(session, booking, now)
        return None
    if not event.cancelled and (event.start is None or event.end is None):
        return None  # no times to show: leave what is known as it is
    existing = {m.contact_id: m for m in _meetings_of(session, connection, event.id)}
    attendees: dict[str, str] = {}  # email -> display name, the host left out
    if not event.cancelled:
        people = [(a.email, a.name) for a in event.attendees] + [(event.organizer, "")]
        for address, name in people:
            email = address.strip().lower()
            if email and email not in own:
                attendees[email] = attendees.get(email) or name
    kept: set[int] = set()
    for email, name in attendees.items():
        contact = _contact(session, host, email, name, host.crm_sync_all_attendees)
        if contact is None:
            continue
        kept.add(contact.id)
        meeting = existing.get(contact.id)
        if meeting is None:
            meeting = _inserted(
                session,
                ContactMeeting(
                    contact_id=contact.id,
                    host_id=host.id,
                    source=MeetingSource.CALENDAR_SYNC,
                    connection_id=connection.id,
                    provider_event_id=event.id,
                    start_at=event.start,
                    end_at=event.end,
                    title=event.summary[:TITLE_MAX],
                ),
                lambda contact_id=contact.id: session.exec(
                    select(ContactMeeting).where(
                        ContactMeeting.contact_id == contact_id,
                        ContactMeeting.connection_id == connection.id,
                        ContactMeeting.provider_event_id == event.id,
                    )
                ).first(),
            )
        meeting.title = event.summary[:TITLE_MAX]
        meeting.start_at, meeting.end_at = event.start, event.end
        meeting.status, meeting.updated_at = BookingStatus.CONFIRMED, now
        session.add(meeting)
    for contact_id, meeting in existing.items():
        if contact_id not in kept and _cancel(meeting, now):
            session.add(meeting)
    return None


def apply_changes(
    *,
    session: Session,
    connection: CalendarConnection,
    changes: ChangeSet,
    full_listing: bool,
    window: tuple[datetime, datetime],
    now: datetime | None = None,
) -> list[CancelledBooking]:
    """Put the changed events on the host's contact records; the caller commits (with the
    next sync token) and audits the bookings returned, cancelled by deletion in the
    calendar."""
    now = now or utc_now()
    host = session.get(User, connection.user_id)
    own = _host_emails(session, host)
    cancelled = [
        done
        for event in changes.events
        if (done := _apply_event(session, connection, host, own, event, now)) is not None
    ]
    if full_listing:
        listed = {event.id for event in changes.events}
        start, end = window
        gone = session.exec(
            select(ContactMeeting).where(
                ContactMeeting.connection_id == connection.id,
                ContactMeeting.source == MeetingSource.CALENDAR_SYNC,
                ContactMeeting.status != BookingStatus.CANCELLED,
                ContactMeeting.end_at > start,
                ContactMeeting.start_at < end,
            )
        ).all()
        for meeting in gone:
            if meeting.provider_event_id not in listed and _cancel(meeting, now):
                session.add(meeting)
    return cancelled


# --- the host's setting ---------------------------------------------------------------------


def _user(session: Session, actor: Actor, user_id: int | None) -> User:
    user_id = actor.id if user_id is None else user_id
    require_self_or_admin(actor, user_id)
    user = session.get(User, user_id)
    if user is None:
        raise ForbiddenError(Text("That account no longer exists."))
    return user


@use_case
def adds_every_attendee(*, session: Session, actor: Actor, user_id: int | None = None) -> bool:
    """Whether the user's calendar events add every external attendee as a contact."""
    return _user(session, actor, user_id).crm_sync_all_attendees


@use_case
def do_set_add_every_attendee(
    *, session: Session, actor: Actor, enabled: bool, user_id: int | None = None
) -> bool:
    """Turn on or off "Add every external attendee of my calendar events as a contact"
    (the user's own, or any user's for an admin); from the next synced change on."""
    user = _user(session, actor, user_id)
    if user.crm_sync_all_attendees == enabled:
        return enabled
    user.crm_sync_all_attendees = enabled
    session.add(user)
    session.commit()
    audit.record(
        session=session,
        actor_id=actor.id,
        action="settings.crm_sync_all_attendees",
        target=user.email,
        details={"enabled": enabled},
    )
    return enabled
