"""The host's scheduled meetings (M11): the bookings made on their links, paged on the
server, and what the host does with them — confirm or decline an offline-mode request
(S3), cancel, reschedule.

Who sees what: a meeting is listed for the host it is assigned to, for every host it
occupies (a group link's co-hosts attend it) and for the owner of its link. Who acts: the
assigned host and the link's owner; a co-host who only attends sees the meeting and
cannot change it (ForbiddenError). Admins act on other people's meetings only through the
admin pages, never here. A meeting somebody may not see does not exist for them
(BookingNotFoundError), so ids cannot be probed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlmodel import Session, func, select

from meetings_ui.domain.availability import LocalSlot
from meetings_ui.domain.enums import BookingStatus
from meetings_ui.domain.messages import N_, Text
from meetings_ui.domain.text_fields import printable_line
from meetings_ui.domain.time_zones import zone
from meetings_ui.models import Booking, BookingHost, MeetingLink, User
from meetings_ui.services import bookings, links, scheduling
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.services.transactions import use_case

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_SEARCH_LENGTH = 200
NOT_YOURS = N_("Only the meeting's host or its link's owner can change this meeting.")


class MeetingFilter(enum.StrEnum):
    ALL = "all"
    REQUESTS = "requests"  # offline-mode requests still to answer
    UPCOMING = "upcoming"  # confirmed, not over yet (requests have their own filter)
    PAST = "past"  # over, not cancelled
    CANCELLED = "cancelled"  # cancelled or declined


class MeetingSource(enum.StrEnum):
    BOOKING_PAGE = N_("Booking page")
    RESCHEDULED = N_("Rescheduled")


@dataclass(frozen=True)
class MeetingRow:
    id: int
    prospect_name: str
    prospect_email: str
    start: datetime  # in the viewer's zone
    end: datetime
    link_id: int
    link_name: str
    status: BookingStatus
    source: MeetingSource
    can_change: bool  # the viewer may act on it and it has not started
    calendar_error: str | None


@dataclass(frozen=True)
class MeetingPage:
    rows: list[MeetingRow]
    total: int
    offset: int
    limit: int
    time_zone: str


def _visible_to(user_id: int) -> sa.ColumnElement[bool]:
    occupied = select(BookingHost.booking_id).where(BookingHost.user_id == user_id)
    owned = select(MeetingLink.id).where(MeetingLink.owner_id == user_id)
    return sa.or_(Booking.host_id == user_id, Booking.id.in_(occupied), Booking.link_id.in_(owned))


def _may_change(session: Session, actor: User, booking: Booking) -> bool:
    if booking.host_id == actor.id:
        return True
    return session.get(MeetingLink, booking.link_id).owner_id == actor.id


def _filter_condition(which: MeetingFilter, now: datetime) -> sa.ColumnElement[bool] | None:
    return {
        MeetingFilter.ALL: None,
        MeetingFilter.REQUESTS: sa.and_(
            Booking.status == BookingStatus.REQUESTED, Booking.end_at > now
        ),
        MeetingFilter.UPCOMING: sa.and_(
            Booking.status == BookingStatus.CONFIRMED, Booking.end_at > now
        ),
        MeetingFilter.PAST: sa.and_(
            Booking.status != BookingStatus.CANCELLED, Booking.end_at <= now
        ),
        MeetingFilter.CANCELLED: Booking.status == BookingStatus.CANCELLED,
    }[which]


def _search_condition(search: str) -> sa.ColumnElement[bool] | None:
    words = printable_line(search)[:MAX_SEARCH_LENGTH]  # no NUL reaches PostgreSQL
    if not words:
        return None
    escaped = words.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return sa.or_(
        func.lower(Booking.prospect_name).like(pattern, escape="\\"),
        func.lower(Booking.prospect_email).like(pattern, escape="\\"),
    )


def _source(booking: Booking) -> MeetingSource:
    """Only what the booking itself tells: a move made by the reschedule link or the host.
    (The REST API leaves no mark on a booking, so its bookings read as the booking page.)"""
    key = booking.idempotency_key or ""
    if key.startswith(bookings.MOVED_FROM_KEY_PREFIX):
        return MeetingSource.RESCHEDULED
    return MeetingSource.BOOKING_PAGE


@use_case
def meetings_of(
    *,
    session: Session,
    actor: User,
    which: MeetingFilter = MeetingFilter.ALL,
    link_id: int | None = None,
    search: str = "",
    offset: int = 0,
    limit: int = PAGE_SIZE,
    now: datetime | None = None,
) -> MeetingPage:
    """One page of the actor's meetings: requests to answer first, then the upcoming ones,
    soonest first, then the past ones, latest first. Times in the actor's zone."""
    now = now or datetime.now(UTC)
    offset = max(0, offset)
    limit = min(max(1, limit), MAX_PAGE_SIZE)
    conditions = [_visible_to(actor.id)]
    for condition in (_filter_condition(which, now), _search_condition(search)):
        if condition is not None:
            conditions.append(condition)
    if link_id is not None:
        conditions.append(Booking.link_id == link_id)
    total = session.exec(select(func.count(Booking.id)).where(*conditions)).one()
    group = sa.case(
        (sa.and_(Booking.status == BookingStatus.REQUESTED, Booking.end_at > now), 0),
        (Booking.end_at > now, 1),
        else_=2,
    )
    # Upcoming ones by start ascending, then past ones by start descending: the first key
    # is empty (equal) for the past ones, so the second decides for them.
    rows = session.exec(
        select(Booking, MeetingLink.name, MeetingLink.owner_id)
        .join(MeetingLink, MeetingLink.id == Booking.link_id)
        .where(*conditions)
        .order_by(
            group,
            sa.case((Booking.end_at > now, Booking.start_at), else_=None),
            Booking.start_at.desc(),
            Booking.id,
        )
        .offset(offset)
        .limit(limit)
    ).all()
    return MeetingPage(
        rows=[_row(actor, booking, name, owner_id, now) for booking, name, owner_id in rows],
        total=total,
        offset=offset,
        limit=limit,
        time_zone=actor.time_zone or "UTC",
    )


def _row(actor: User, booking: Booking, link_name: str, owner_id: int, now: datetime) -> MeetingRow:
    tz = zone(actor.time_zone or "UTC")
    return MeetingRow(
        id=booking.id,
        prospect_name=booking.prospect_name,
        prospect_email=booking.prospect_email,
        start=booking.start_at.astimezone(tz),
        end=booking.end_at.astimezone(tz),
        link_id=booking.link_id,
        link_name=link_name,
        status=BookingStatus(booking.status),
        source=_source(booking),
        can_change=actor.id in (booking.host_id, owner_id)
        and booking.status != BookingStatus.CANCELLED
        and booking.start_at > now,
        calendar_error=booking.calendar_error,
    )


@use_case
def meeting_of(*, session: Session, actor: User, booking_id: int) -> MeetingRow:
    """One meeting as the list shows it; BookingNotFoundError if the actor does not see it."""
    found = session.exec(
        select(Booking, MeetingLink.name, MeetingLink.owner_id)
        .join(MeetingLink, MeetingLink.id == Booking.link_id)
        .where(Booking.id == booking_id, _visible_to(actor.id))
    ).first()
    if found is None:
        raise bookings.BookingNotFoundError(Text("This meeting does not exist, or is not yours."))
    booking, link_name, owner_id = found
    return _row(actor, booking, link_name, owner_id, datetime.now(UTC))


def _changeable(session: Session, actor: User, booking_id: int) -> Booking:
    """The booking, if the actor may change it; BookingNotFoundError if they may not even
    see it, ForbiddenError if they only attend it."""
    booking = session.exec(
        select(Booking).where(Booking.id == booking_id, _visible_to(actor.id))
    ).first()
    if booking is None:
        raise bookings.BookingNotFoundError(Text("This meeting does not exist, or is not yours."))
    if not _may_change(session, actor, booking):
        raise ForbiddenError(NOT_YOURS)
    return booking


@use_case
def do_confirm(
    *,
    session: Session,
    actor: User,
    booking_id: int,
    anyway: bool = False,
    now: datetime | None = None,
) -> bookings.Confirmation:
    """Confirm a request (bookings.do_confirm_request says how)."""
    booking = _changeable(session, actor, booking_id)
    return bookings.do_confirm_request(session=session, booking=booking, anyway=anyway, now=now)


@use_case
def do_decline(*, session: Session, actor: User, booking_id: int, message: str = "") -> Booking:
    """Decline a request, with an optional message to the prospect."""
    booking = _changeable(session, actor, booking_id)
    return bookings.do_decline_request(session=session, booking=booking, message=message)


@use_case
def do_cancel(
    *,
    session: Session,
    actor: User,
    booking_id: int,
    message: str = "",
    now: datetime | None = None,
) -> Booking:
    """Cancel a meeting (or a request): the calendar event goes, both people are told,
    with the host's optional message."""
    booking = _changeable(session, actor, booking_id)
    message = bookings.host_message(message)
    host = session.get(User, booking.host_id)
    reason = "Cancelled by the host."
    if message:
        reason += f"\n\nMessage from {host.display_name}:\n{message}"
    return bookings.do_cancel(session=session, booking=booking, reason=reason, now=now)


@use_case
def free_times(
    *, session: Session, actor: User, booking_id: int, day: date, now: datetime | None = None
) -> list[LocalSlot]:
    """The free times on `day` (in the actor's zone) to move a meeting to: the link's slot
    engine, read live, the meeting's own time counted free."""
    booking = _changeable(session, actor, booking_id)
    time_zone = actor.time_zone or "UTC"
    link = session.get(MeetingLink, booking.link_id)
    start, end = scheduling.day_range(day, day, time_zone)
    _, slots = scheduling.link_slots(
        session=session,
        link=link,
        start=start,
        end=end,
        duration=booking.minutes,
        now=now or datetime.now(UTC),
        moving=booking,
    )
    return [slot.in_zone(zone(time_zone)) for slot in slots]


@use_case
def do_reschedule(
    *,
    session: Session,
    actor: User,
    booking_id: int,
    new_start: datetime,
    now: datetime | None = None,
) -> Booking:
    """Move a meeting to a new free time (bookings.do_reschedule): the prospect gets the
    new time and its invitation, and the old one's cancellation. The host chose the time:
    a confirmed meeting stays confirmed (offline mode too), a request stays a request."""
    booking = _changeable(session, actor, booking_id)
    return bookings.do_reschedule(
        session=session, booking=booking, new_start=new_start, now=now, by_host=True
    )


@use_case
def link_choices(*, session: Session, actor: User) -> list[tuple[int, str]]:
    """The links whose meetings the actor sees, for the filter: (id, name)."""
    return [(link.id, link.name) for link in links.links_of(session=session, user=actor)]
