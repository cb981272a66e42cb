"""Everyone's busy time for a link, gathered from the database and the hosts' calendars,
handed to the availability engine.

A link is **online** when every host has a healthy connected calendar: its busy time is
read live and bookings are written to the calendar. Otherwise it is **offline** (S3):
prospects may request a meeting, nothing is written to a calendar, and the slots come
from the link's rules and the bookings we know of.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from meetings_ui.domain.availability import (
    Busy,
    ExistingBooking,
    HostTime,
    Mode,
    Slot,
    explain,
    find_slots,
)
from meetings_ui.domain.enums import BookingStatus, ConnectionStatus, HostStatus, LinkType
from meetings_ui.domain.link_settings import LinkSettings
from meetings_ui.domain.messages import Text
from meetings_ui.domain.time_zones import start_of_local_day, zone
from meetings_ui.models import (
    Booking,
    BookingHost,
    Calendar,
    CalendarConnection,
    LinkHost,
    MeetingLink,
)
from meetings_ui.providers.base import (
    BusyEvent,
    BusyInterval,
    NeedsReconnectError,
    ProviderError,
)
from meetings_ui.services.busy_cache import cached_busy_time
from meetings_ui.services.calendar_connections import read_busy_events, read_busy_time

MAX_RANGE_DAYS = 62
ACTIVE_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.REQUESTED)


def mode_of(link: MeetingLink) -> Mode:
    return Mode.ROUND_ROBIN if link.link_type == LinkType.ROUND_ROBIN else Mode.COLLECTIVE


# Statements of every page view and slots query, built once (M13): SQLAlchemy then neither
# builds them nor computes their cache key again on each request.
_CONNECTION_OF = (
    select(CalendarConnection)
    .where(
        CalendarConnection.user_id == sa.bindparam("user_id"),
        CalendarConnection.status == ConnectionStatus.CONNECTED,
    )
    .order_by(CalendarConnection.created_at, CalendarConnection.id)
)
# Each host of a link (links.host_ids_of's order) with their healthy connections, oldest
# first (connection_of's order): one statement for what took one per host and one more.
_HOSTS_AND_CONNECTIONS = (
    select(LinkHost.user_id, CalendarConnection)
    .outerjoin(
        CalendarConnection,
        sa.and_(
            CalendarConnection.user_id == LinkHost.user_id,
            CalendarConnection.status == ConnectionStatus.CONNECTED,
        ),
    )
    .where(LinkHost.link_id == sa.bindparam("link_id"), LinkHost.status == HostStatus.ACCEPTED)
    .order_by(LinkHost.position, CalendarConnection.created_at, CalendarConnection.id)
)
_CALENDARS_OF = select(Calendar).where(Calendar.connection_id == sa.bindparam("connection_id"))
_EXISTING_BOOKINGS = (
    select(Booking, MeetingLink)
    .join(BookingHost, BookingHost.booking_id == Booking.id)
    .join(MeetingLink, MeetingLink.id == Booking.link_id)
    .where(
        BookingHost.user_id == sa.bindparam("host_id"),
        Booking.status.in_(ACTIVE_STATUSES),
        Booking.start_at < sa.bindparam("until"),
        Booking.end_at > sa.bindparam("since"),
    )
)


def connection_of(session: Session, user_id: int) -> CalendarConnection | None:
    """The host's calendar connection that bookings use: the oldest healthy one."""
    return session.exec(_CONNECTION_OF, params={"user_id": user_id}).first()


def hosts_and_connections(
    session: Session, link: MeetingLink
) -> list[tuple[int, CalendarConnection | None]]:
    """`host_ids_of(link)`, each with `connection_of(host)`, in one statement."""
    found: dict[int, CalendarConnection | None] = {}
    for host_id, connection in session.exec(_HOSTS_AND_CONNECTIONS, params={"link_id": link.id}):
        found.setdefault(host_id, connection)
    return list(found.items())


def is_online(session: Session, link: MeetingLink) -> bool:
    return all(connection is not None for _, connection in hosts_and_connections(session, link))


@dataclass(frozen=True)
class Availability:
    online: bool
    hosts: list[HostTime]


def gather(
    session: Session,
    link: MeetingLink,
    start: datetime,
    end: datetime,
    *,
    read_calendars: bool = True,
    moving: Booking | None = None,
    use_cache: bool = False,
    titles_for: int | None = None,
) -> Availability:
    """Busy time of every host of `link` between `start` and `end`. A calendar that cannot
    be read blocks the whole range: an error is never free time. `moving` is a booking
    being rescheduled: neither it nor its own event on its hosts' calendars is busy.
    `use_cache`: a page view or a slots query, which may reuse a fresh read (busy_cache.py);
    booking always reads live. `titles_for`: the host whose busy time is told event by
    event with its titles (their own "why isn't this time free?"), private ones hidden."""
    online = True
    hosts = []
    own_event = _own_event_hosts(session, moving)
    for host_id, connection in hosts_and_connections(session, link):
        busy: list[Busy] = []
        if connection is None:
            online = False
        elif read_calendars:
            # A page view reads the connection's calendars once: the cache's key (the
            # selected ones) and the labels below come from the same rows.
            calendars = _calendars(session, connection) if use_cache else None
            try:
                result = (
                    cached_busy_time(
                        session=session,
                        connection=connection,
                        start=start,
                        end=end,
                        calendars=calendars,
                    )
                    if use_cache
                    else read_busy_time(
                        session=session, connection=connection, start=start, end=end
                    )
                )
            except NeedsReconnectError:
                online = False
            except ProviderError as error:
                busy.append(
                    Busy(start, end, Text("calendars (unreadable: {error})", error=str(error)))
                )
            else:
                names = (
                    {row.provider_calendar_id: row.name for row in calendars}
                    if calendars is not None
                    else _calendar_names(session, connection)
                )
                events = (
                    read_busy_events(session=session, connection=connection, start=start, end=end)
                    if titles_for == host_id
                    else {}
                )
                for calendar_id, intervals in result.busy.items():
                    label = names.get(calendar_id, calendar_id)
                    kept = [
                        i
                        for i in intervals
                        if not (host_id in own_event and (i.start, i.end) == own_event[host_id])
                    ]
                    if calendar_id in events:
                        busy.extend(_titled(kept, events[calendar_id], label))
                    else:
                        busy.extend(Busy(i.start, i.end, label) for i in kept)
                for calendar_id, reason in result.errors.items():
                    busy.append(
                        Busy(
                            start,
                            end,
                            Text(
                                "{calendar} (unreadable: {error})",
                                calendar=names.get(calendar_id, calendar_id),
                                error=reason,
                            ),
                        )
                    )
        hosts.append(
            HostTime(
                host_id, busy, existing_bookings(session, link, host_id, start, end, moving=moving)
            )
        )
    return Availability(online, hosts)


def _titled(
    intervals: Sequence[BusyInterval], events: Sequence[BusyEvent], calendar: str
) -> list[Busy]:
    """The busy intervals of one calendar told by the events behind them, each with its
    title ("Private event" for a private one). An interval the events do not cover whole
    (free/busy and events read a moment apart) stays too, untitled: when unsure, busy."""
    told: list[Busy] = []
    for interval in intervals:
        behind = sorted(
            (e for e in events if e.start < interval.end and interval.start < e.end),
            key=lambda e: e.start,
        )
        covered = interval.start
        for event in behind:
            if event.start > covered:
                break
            covered = max(covered, event.end)
        if covered < interval.end:
            told.append(Busy(interval.start, interval.end, calendar))
        for event in behind:
            title = (
                Text("Private event") if event.private else event.title or Text("Untitled event")
            )
            told.append(Busy(event.start, event.end, calendar, title))
    return list(dict.fromkeys(told))


def _own_event_hosts(
    session: Session, moving: Booking | None
) -> dict[int, tuple[datetime, datetime]]:
    """For a booking being moved that has its event in the calendars: the hosts it occupies
    and its time. Free/busy answers carry no event ids, so the busy interval that is exactly
    the meeting's own time is taken for its event. A busy period merged with other events
    (overlapping or back to back) stays busy: when unsure, busy."""
    if moving is None or not moving.provider_event_id:
        return {}
    host_ids = session.exec(
        select(BookingHost.user_id).where(BookingHost.booking_id == moving.id)
    ).all()
    return {host_id: (moving.start_at, moving.end_at) for host_id in host_ids}


def _calendars(session: Session, connection: CalendarConnection) -> list[Calendar]:
    return list(session.exec(_CALENDARS_OF, params={"connection_id": connection.id}).all())


def _calendar_names(session: Session, connection: CalendarConnection) -> dict[str, str]:
    return {row.provider_calendar_id: row.name for row in _calendars(session, connection)}


def existing_bookings(
    session: Session,
    link: MeetingLink,
    host_id: int,
    start: datetime,
    end: datetime,
    *,
    moving: Booking | None = None,
) -> list[ExistingBooking]:
    """The host's active bookings near the range, with the buffers of their own links,
    but for `moving` (the booking being rescheduled). Only this link's bookings count
    toward its daily cap."""
    margin = timedelta(days=2)
    query = _EXISTING_BOOKINGS
    params = {"host_id": host_id, "until": end + margin, "since": start - margin}
    if moving is not None:
        query = query.where(Booking.id != moving.id)
    rows = session.exec(query, params=params).all()
    result = []
    for booking, booking_link in rows:
        settings = booking_link.settings
        result.append(
            ExistingBooking(
                booking.start_at,
                booking.end_at,
                Text("meeting with {name}", name=booking.prospect_name),
                settings.buffer_before,
                settings.buffer_after,
                counts_toward_cap=booking.link_id == link.id,
            )
        )
    return result


def day_range(first_day: date, last_day: date, time_zone: str) -> tuple[datetime, datetime]:
    """The instants from the start of `first_day` to the end of `last_day` in a zone."""
    tz = zone(time_zone)
    return start_of_local_day(first_day, tz), start_of_local_day(last_day + timedelta(days=1), tz)


def link_slots(
    *,
    session: Session,
    link: MeetingLink,
    start: datetime,
    end: datetime,
    duration: int,
    now: datetime,
    moving: Booking | None = None,
    use_cache: bool = False,
) -> tuple[bool, list[Slot]]:
    """(online, slots) for slots starting in [start, end); `moving` and `use_cache` as for
    `gather`."""
    settings = link.settings
    reach = timedelta(minutes=duration + settings.buffer_before + settings.buffer_after)
    gathered = gather(session, link, start - reach, end + reach, moving=moving, use_cache=use_cache)
    slots = find_slots(
        settings.rules(),
        gathered.hosts,
        duration=duration,
        now=now,
        start=start,
        end=end,
        mode=mode_of(link),
    )
    return gathered.online, slots


def free_hosts_at(
    *,
    settings: LinkSettings,
    link: MeetingLink,
    hosts: Sequence[HostTime],
    at: datetime,
    duration: int,
    now: datetime,
) -> list[int] | None:
    """The hosts free for a meeting at `at`, or None when it cannot be booked."""
    explanation = explain(
        settings.rules(), hosts, at=at, duration=duration, now=now, mode=mode_of(link)
    )
    if not explanation.bookable:
        return None
    blocked = {reason.host_id for reason in explanation.reasons}
    return [h.host_id for h in hosts if h.host_id not in blocked]
