"""What the REST API shows, built by the services: one call per route, no rows above here.

The views are frozen dataclasses named like the API's response models (api/schemas.py),
which read them by attribute. Times are in the zone the prospect asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import object_session
from sqlmodel import Session, select

from meetings_ui.domain.availability import LocalSlot
from meetings_ui.domain.enums import BookingStatus, LinkType
from meetings_ui.domain.link_settings import LinkSettings
from meetings_ui.domain.messages import Text
from meetings_ui.domain.time_zones import (
    EARLIEST_DATE,
    LATEST_DATE,
    is_time_zone,
    zone,
)
from meetings_ui.models import Booking, MeetingLink, User
from meetings_ui.services import bookings, links, scheduling
from meetings_ui.services.booking_pages import QuestionView
from meetings_ui.services.guard import Actor


class InvalidSlotQueryError(ValueError):
    """A slots query the link cannot answer; `field` is "range", "duration" or "timezone"."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class SlotTakenError(Exception):
    """The time was just taken; `slots` are the free ones left that day."""

    def __init__(self, slots: list[LocalSlot]) -> None:
        super().__init__(Text("This time was just taken — pick another."))
        self.slots = slots


# The most slots one answer carries (about 140 kB): more asks for a shorter range. A day
# holds at most 288 five-minute slots, so one day always fits.
MAX_SLOTS = 2000

# Every booking asks these two first; a link's own questions follow.
ALWAYS_ASKED = (
    QuestionView("name", "Name", "text", required=True, choices=()),
    QuestionView("email", "Email", "text", required=True, choices=()),
)


@dataclass(frozen=True)
class PublicLinkView:
    slug: str
    name: str
    host: str
    link_type: LinkType
    durations: tuple[int, ...]
    questions: tuple[QuestionView, ...]
    mode: str
    host_time_zone: str


@dataclass(frozen=True)
class SlotsView:
    timezone: str
    duration: int
    slots: list[LocalSlot]


@dataclass(frozen=True)
class BookingView:
    id: int
    link_id: int
    status: BookingStatus
    start: datetime
    end: datetime
    timezone: str
    name: str
    email: str
    answers: dict[str, str]
    host_id: int
    cancel_url: str
    reschedule_url: str
    ics_url: str
    location: str = ""
    meeting_url: str = ""
    video_to_come: str = ""


@dataclass(frozen=True)
class LinkView:
    id: int
    name: str
    slug: str
    url: str
    link_type: LinkType
    host_ids: list[int]  # everyone named, whatever their answer (a round trip keeps them)
    hosts: list[links.HostView]
    settings: LinkSettings
    created_at: datetime


# --- public --------------------------------------------------------------------------------


def _public(session: Session, slug: str) -> MeetingLink:
    link = links.link_by_slug(session=session, slug=slug)
    if link is None:
        raise links.LinkNotFoundError(Text("No meeting link at {slug}", slug=repr(slug)))
    return link


def public_link(*, session: Session, slug: str) -> PublicLinkView:
    """What a prospect sees of a link before booking it."""
    link = _public(session, slug)
    settings = link.settings
    return PublicLinkView(
        slug=link.slug,
        name=link.name,
        host=session.get(User, link.owner_id).display_name,
        link_type=LinkType(link.link_type),
        durations=tuple(settings.durations),
        questions=(
            *ALWAYS_ASKED,
            *(
                QuestionView(q.id, q.label, q.kind, q.required, tuple(q.choices))
                for q in settings.questions
            ),
        ),
        mode="online" if scheduling.is_online(session, link) else "offline",
        host_time_zone=settings.time_zone,
    )


def _slots_between(
    session: Session,
    link: MeetingLink,
    first: date,
    last: date,
    time_zone: str,
    duration: int,
    *,
    use_cache: bool,
) -> list[LocalSlot]:
    """`use_cache`: a slots query, like a booking page view, may reuse a fresh busy-time
    read (services/busy_cache.py); after a refused booking the calendars are read again."""
    start, end = scheduling.day_range(first, last, time_zone)
    _, slots = scheduling.link_slots(
        session=session,
        link=link,
        start=start,
        end=end,
        duration=duration,
        now=datetime.now(UTC),
        use_cache=use_cache,
    )
    tz = zone(time_zone)
    return [slot.in_zone(tz) for slot in slots]


def open_slots(
    *,
    session: Session,
    slug: str,
    first_day: date,
    last_day: date | None,
    time_zone: str,
    duration: int | None,
) -> SlotsView:
    """The free slots from `first_day` to `last_day` (the prospect's dates, in their zone)."""
    link = _public(session, slug)
    settings = link.settings
    if not is_time_zone(time_zone):
        raise InvalidSlotQueryError(
            "timezone", Text("{zone} is not an IANA time zone.", zone=repr(time_zone))
        )
    last_day = last_day or first_day
    if not EARLIEST_DATE <= first_day <= last_day <= LATEST_DATE:
        message = (
            Text("The range ends before it starts.")
            if last_day < first_day
            else Text(
                "Ask for dates between {earliest} and {latest}.",
                earliest=str(EARLIEST_DATE),
                latest=str(LATEST_DATE),
            )
        )
        raise InvalidSlotQueryError("range", message)
    if (last_day - first_day).days + 1 > scheduling.MAX_RANGE_DAYS:
        raise InvalidSlotQueryError(
            "range",
            Text("Ask for at most {days} days at a time.", days=scheduling.MAX_RANGE_DAYS),
        )
    duration = duration if duration is not None else settings.durations[0]
    if duration not in settings.durations:
        offered = ", ".join(map(str, settings.durations))
        raise InvalidSlotQueryError(
            "duration", Text("This link offers {durations} minutes.", durations=offered)
        )
    slots = _slots_between(session, link, first_day, last_day, time_zone, duration, use_cache=True)
    if len(slots) > MAX_SLOTS:
        fits_until = max(first_day, slots[MAX_SLOTS].start.date() - timedelta(days=1))
        raise InvalidSlotQueryError(
            "range",
            Text(
                "More than {count} free slots in this range: ask for a shorter one "
                "(from {first} to {last} fits).",
                count=MAX_SLOTS,
                first=str(first_day),
                last=str(fits_until),
            ),
        )
    return SlotsView(timezone=time_zone, duration=duration, slots=slots)


def book(
    *, session: Session, slug: str, request: bookings.BookingRequest, locale: str = "en"
) -> tuple[BookingView, bool]:
    """(the booking, whether it is new); SlotTakenError carries the day's free slots.
    `locale`: the prospect's (Accept-Language), for their emails."""
    link = _public(session, slug)
    try:
        outcome = bookings.do_book(session=session, link=link, request=request, locale=locale)
    except bookings.SlotUnavailableError:
        day = request.start.astimezone(zone(request.time_zone)).date()
        duration = request.duration or link.settings.durations[0]
        raise SlotTakenError(
            _slots_between(session, link, day, day, request.time_zone, duration, use_cache=False)
        ) from None
    return booking_view(outcome.booking), outcome.created


def booking_view(booking: Booking) -> BookingView:
    tz = zone(booking.prospect_time_zone)
    session = object_session(booking)
    place = bookings.meeting_place(session, session.get(MeetingLink, booking.link_id), booking)
    return BookingView(
        id=booking.id,
        link_id=booking.link_id,
        status=BookingStatus(booking.status),
        start=booking.start_at.astimezone(tz),
        end=booking.end_at.astimezone(tz),
        timezone=booking.prospect_time_zone,
        name=booking.prospect_name,
        email=booking.prospect_email,
        answers=dict(booking.answers),
        host_id=booking.host_id,
        cancel_url=bookings.cancel_url(booking),
        reschedule_url=bookings.reschedule_url(booking),
        ics_url=bookings.ics_url(booking),
        location=place.location,
        meeting_url=place.url,
        video_to_come=place.video_to_come,
    )


# --- for the holder of an API key ----------------------------------------------------------


def link_view(*, session: Session, link: MeetingLink) -> LinkView:
    hosts = links.host_views(session=session, link=link)
    return LinkView(
        id=link.id,
        name=link.name,
        slug=link.slug,
        url=links.link_url(session, link),
        link_type=LinkType(link.link_type),
        host_ids=[host.id for host in hosts],
        hosts=hosts,
        settings=link.settings,
        created_at=link.created_at,
    )


def link_of(*, session: Session, actor: Actor, link_id: int) -> LinkView:
    """One of the actor's links; LinkNotFoundError for anyone else's."""
    return link_view(
        session=session, link=links.link_for(session=session, actor=actor, link_id=link_id)
    )


def links_of(*, session: Session, user: Actor) -> list[LinkView]:
    return [
        link_view(session=session, link=link) for link in links.links_of(session=session, user=user)
    ]


def bookings_of(
    *, session: Session, user: Actor, status: BookingStatus | None = None
) -> list[BookingView]:
    """The bookings of every link the user hosts or owns, earliest first."""
    mine = [link.id for link in links.links_of(session=session, user=user)]
    query = select(Booking).where(Booking.link_id.in_(mine)).order_by(Booking.start_at, Booking.id)
    if status is not None:
        query = query.where(Booking.status == status)
    return [booking_view(booking) for booking in session.exec(query).all()]


def cancel_booking(*, session: Session, actor: Actor, booking_id: int) -> BookingView:
    """Cancel a booking of one of the actor's links; anyone else's does not exist for them."""
    booking = session.get(Booking, booking_id)
    if booking is None:
        raise bookings.BookingNotFoundError(Text("No booking {id}", id=booking_id))
    try:
        links.link_for(session=session, actor=actor, link_id=booking.link_id)
    except links.LinkNotFoundError:
        raise bookings.BookingNotFoundError(Text("No booking {id}", id=booking_id)) from None
    bookings.do_cancel(session=session, booking=booking, reason=Text("Cancelled by the host."))
    return booking_view(booking)
