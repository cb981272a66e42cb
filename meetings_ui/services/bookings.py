"""Booking a slot, race-free: the same slot, an overlapping one or one inside a buffer is
never confirmed twice, whatever the concurrency.

How: the provider's free/busy is read first (it does not change with our own bookings),
then one transaction locks every host's row — `UPDATE user SET id = id` is a row lock on
PostgreSQL and takes SQLite's single write lock — re-reads the bookings and re-checks the
slot with the availability engine, and inserts. Two requests for one host therefore run
one after the other, and the second sees the first.

The booking's side effects (the event on the host's calendar, the emails) are outbox rows
committed in the same transaction, and delivered afterwards by the background worker
(services/delivery.py): the request never waits for SMTP or a calendar provider, and a
booking that exists is always answered as booked.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

import sqlalchemy as sa
from sqlmodel import Session, func, select

from meetings_ui import i18n, routes
from meetings_ui.config import get_settings
from meetings_ui.crypto import sign, unsign
from meetings_ui.domain import time_zones
from meetings_ui.domain.availability import ReasonKind, explain
from meetings_ui.domain.enums import BookingStatus, LinkType, OutboxKind, Provider, VideoMeeting
from meetings_ui.domain.ics import CalendarInvite, invite_ics
from meetings_ui.domain.link_settings import LinkSettings
from meetings_ui.domain.messages import Text
from meetings_ui.domain.text_fields import (
    MAX_NAME_LENGTH,
    InvalidTextError,
    clean_line,
    clean_text,
    normalize_email,
)
from meetings_ui.models import (
    Booking,
    BookingHost,
    MeetingLink,
    OutboxItem,
    User,
    VisitorProfile,
    utc_now,
)
from meetings_ui.providers.base import Attendee, NewEvent, ProviderError
from meetings_ui.services import contacts, domain_brand, outbox, scheduling
from meetings_ui.services.calendar_connections import call_provider
from meetings_ui.services.links import host_ids_of, link_url
from meetings_ui.services.mail import Attachment, reader_of, send_email
from meetings_ui.services.tokens import digest
from meetings_ui.services.transactions import use_case

CANCEL = "cancel-booking"
RESCHEDULE = "reschedule-booking"
VIEW = "view-booking"
_UNTIL_START = frozenset({CANCEL, RESCHEDULE})  # purposes whose links die at the start
MOVED_FROM_KEY_PREFIX = "moved-from-booking-"  # a reschedule's idempotency key: the old id
log = logging.getLogger(__name__)


class InvalidBookingError(ValueError):
    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))
        self.problems = problems


class SlotUnavailableError(Exception):
    """Someone else took the time, or it stopped being free: pick another."""


class BookingNotFoundError(LookupError):
    """The link does not lead to a booking the prospect may act on; the message says why."""


class MeetingStartedError(BookingNotFoundError):
    """A cancel or reschedule link opened, or a cancel or a move asked for, once the
    meeting has started."""


class CalendarWriteError(Exception):
    """Writing to the host's calendar failed; the outbox tries again later."""


VIDEO_NAMES = {VideoMeeting.GOOGLE_MEET: "Google Meet", VideoMeeting.MICROSOFT_TEAMS: "Teams"}
VIDEO_PROVIDERS = {
    VideoMeeting.GOOGLE_MEET: Provider.GOOGLE,
    VideoMeeting.MICROSOFT_TEAMS: Provider.MICROSOFT,
}


_CALENDAR_KEY_PREFIX = "meetings-booking-"


@dataclass(frozen=True)
class MeetingPlace:
    """Where the prospect meets the host: a place (text), a web address to join, and
    whether a video meeting is still to come (the calendar has not made it yet)."""

    location: str = ""
    url: str = ""
    video_to_come: str = ""  # "Google Meet" or "Teams" while its join link is unknown


def meeting_place(session: Session, link: MeetingLink, booking: Booking) -> MeetingPlace:
    """The link's fixed place and web address, or the booking's own video meeting. A video
    meeting is to come only while its link is unknown (`meeting_url` None; "" once the
    calendar made none), for a confirmed booking (a request has no calendar event), on the
    host's calendar of that provider (Google makes no Teams meeting)."""
    settings = link.settings
    to_come = ""
    if (
        settings.video != VideoMeeting.NONE
        and booking.status == BookingStatus.CONFIRMED
        and booking.meeting_url is None
    ):
        connection = scheduling.connection_of(session, booking.host_id)
        if connection is not None and connection.provider == VIDEO_PROVIDERS[settings.video]:
            to_come = VIDEO_NAMES[settings.video]
    return MeetingPlace(
        location=settings.location,
        url=booking.meeting_url or settings.meeting_url,
        video_to_come=to_come,
    )


def _place_lines(place: MeetingPlace, reader: i18n.Reader) -> list[str]:
    """The place as email lines: what the prospect needs to find or join the meeting."""
    lines = []
    if place.location:
        lines.append(reader.t("Where: {place}", place=place.location))
    if place.url:
        lines.append(reader.t("Join: {url}", url=place.url))
    if place.video_to_come:
        lines.append(
            reader.t("The {video} link will follow in a separate email.", video=place.video_to_come)
        )
    return lines


STARTED = Text("This meeting has already started: it can no longer be cancelled or rescheduled.")


@dataclass(frozen=True)
class BookingRequest:
    start: datetime
    time_zone: str
    name: str
    email: str
    answers: Mapping[str, Any]
    duration: int | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class BookingOutcome:
    booking: Booking
    created: bool  # False when the same request had already been booked


def validate_request(settings: LinkSettings, request: BookingRequest) -> int:
    """The meeting's duration, once every field is known to be acceptable."""
    problems: list[tuple[str, str]] = []
    try:
        clean_line(request.name, max_length=MAX_NAME_LENGTH)
    except InvalidTextError as error:
        problems.append(("name", Text("Enter your name: {problem}", problem=error.args[0])))
    try:
        normalize_email(request.email)
    except InvalidTextError as error:
        problems.append(("email", error.args[0]))
    if not time_zones.is_time_zone(request.time_zone):
        problems.append(
            (
                "timezone",
                Text("{zone} is not an IANA time zone.", zone=repr(request.time_zone)),
            )
        )
    if not isinstance(request.start, datetime) or request.start.utcoffset() is None:
        problems.append(("start", Text("Give the start as an ISO-8601 time with its offset.")))
    elif not time_zones.EARLIEST_DATE <= request.start.date() <= time_zones.LATEST_DATE:
        problems.append(
            (
                "start",
                Text(
                    "Choose a time between {earliest} and {latest}.",
                    earliest=str(time_zones.EARLIEST_DATE),
                    latest=str(time_zones.LATEST_DATE),
                ),
            )
        )
    duration = request.duration if request.duration is not None else settings.durations[0]
    if duration not in settings.durations:
        problems.append(
            (
                "duration",
                Text(
                    "Choose one of {durations} minutes.",
                    durations=", ".join(map(str, settings.durations)),
                ),
            )
        )
    if request.idempotency_key is not None and (
        not isinstance(request.idempotency_key, str) or not 8 <= len(request.idempotency_key) <= 200
    ):
        problems.append(("idempotency_key", Text("Use 8 to 200 characters.")))
    problems.extend(
        settings.answer_problems(request.answers if request.answers is not None else {})
    )
    if problems:
        raise InvalidBookingError(problems)
    return duration


def _lock_hosts(session: Session, host_ids: list[int]) -> None:
    """Serialise bookings per host (see the module's docstring); ids in order, no deadlock."""
    for host_id in sorted(host_ids):
        session.execute(sa.update(User).where(User.id == host_id).values(id=User.id))


def _existing_for_key(session: Session, key: str | None) -> Booking | None:
    if key is None:
        return None
    return session.exec(select(Booking).where(Booking.idempotency_key == key)).first()


def _same_request(booking: Booking, link: MeetingLink, request: BookingRequest) -> Booking:
    """The booking a replayed request made, only for the same prospect, link and time: a key
    is no way to read somebody else's booking (name, email, cancel link)."""
    if (
        booking.link_id != link.id
        or booking.start_at != request.start.astimezone(UTC)
        or booking.prospect_email != normalize_email(request.email)
    ):
        raise InvalidBookingError(
            [("idempotency_key", Text("This key was already used for another booking."))]
        )
    return booking


def _round_robin_choice(session: Session, link: MeetingLink, free: list[int]) -> int:
    """Fair rotation: the free host with the fewest bookings on this link, then by id."""
    counts = dict(
        session.exec(
            select(Booking.host_id, func.count(Booking.id))
            .where(Booking.link_id == link.id, Booking.status != BookingStatus.CANCELLED)
            .group_by(Booking.host_id)
        ).all()
    )
    return min(free, key=lambda host_id: (counts.get(host_id, 0), host_id))


def do_book(
    *,
    session: Session,
    link: MeetingLink,
    request: BookingRequest,
    now: datetime | None = None,
    moving: Booking | None = None,
    host_confirmed: bool = False,
    locale: str = "en",
) -> BookingOutcome:
    """Book the requested time. `moving` is the booking a reschedule replaces: its own time
    does not count as busy, so a meeting may move to a time overlapping its old one.
    `host_confirmed`: the host chose the time themselves (moving a confirmed meeting), so
    it is confirmed even in offline mode; the calendar is written only if connected.
    `locale`: the prospect's ("fr-FR"), for the words and dates of their emails."""
    settings = link.settings
    duration = validate_request(settings, request)
    now = now or datetime.now(UTC)
    start = request.start.astimezone(UTC)
    end = start + timedelta(minutes=duration)

    earlier = _existing_for_key(session, request.idempotency_key)
    if earlier is not None:
        return BookingOutcome(_same_request(earlier, link, request), created=False)

    reach = timedelta(minutes=duration + settings.buffer_before + settings.buffer_after, days=1)
    live = scheduling.gather(session, link, start - reach, end + reach, moving=moving)
    session.commit()  # end the read transaction: the lock must open the next one

    host_ids = host_ids_of(session=session, link=link)
    try:
        _lock_hosts(session, host_ids)
        earlier = _existing_for_key(session, request.idempotency_key)
        if earlier is not None:
            session.rollback()
            return BookingOutcome(_same_request(earlier, link, request), created=False)
        hosts = [
            replace(
                h,
                bookings=scheduling.existing_bookings(
                    session, link, h.host_id, start - reach, end + reach, moving=moving
                ),
            )
            for h in live.hosts
        ]
        free = scheduling.free_hosts_at(
            settings=settings, link=link, hosts=hosts, at=start, duration=duration, now=now
        )
        if free is None:
            raise SlotUnavailableError(Text("This time was just taken — pick another"))
        if link.link_type == LinkType.ROUND_ROBIN:
            assigned = _round_robin_choice(session, link, free)
            occupied = [assigned]
        else:
            assigned, occupied = host_ids[0], host_ids  # the owner comes first
        email = normalize_email(request.email)
        booking = Booking(
            link_id=link.id,
            host_id=assigned,
            contact_id=contacts.contact_for(session, assigned, email, request.name.strip()).id,
            start_at=start,
            end_at=end,
            status=BookingStatus.CONFIRMED
            if live.online or host_confirmed
            else BookingStatus.REQUESTED,
            prospect_name=request.name.strip(),
            prospect_email=email,
            prospect_time_zone=request.time_zone,
            answers={
                k: v.strip()
                for k, v in (request.answers or {}).items()
                if isinstance(v, str) and v.strip()
            },
            idempotency_key=request.idempotency_key,
            locale=i18n.supported_locale(locale),
        )
        session.add(booking)
        session.flush()
        session.add_all(BookingHost(booking_id=booking.id, user_id=host_id) for host_id in occupied)
        contacts.record_booking(session, booking)
        if (
            booking.status == BookingStatus.CONFIRMED
            and scheduling.connection_of(session, assigned) is not None
        ):
            outbox.enqueue(
                session,
                kind=OutboxKind.CALENDAR_CREATE,
                booking_id=booking.id,
                summary=f"Write “{link.name}” to the host's calendar",
            )
        _send_confirmations(session, link, booking)
        session.commit()  # the booking and its side effects, together
    except sa.exc.IntegrityError:
        session.rollback()  # the same idempotency key won a race a moment ago
        earlier = _existing_for_key(session, request.idempotency_key)
        if earlier is None:
            raise
        return BookingOutcome(_same_request(earlier, link, request), created=False)
    except BaseException:
        session.rollback()
        raise
    return BookingOutcome(booking, created=True)


def calendar_key(booking: Booking) -> str:
    """The idempotency key of the booking's calendar event (Google's private extended
    property, Graph's transactionId): it names the booking."""
    return f"{_CALENDAR_KEY_PREFIX}{booking.id}-{booking.created_at.timestamp():.6f}"


def booking_for_calendar_key(session: Session, key: str | None) -> Booking | None:
    """The booking whose event carries `key`, read back from the calendar; None for an
    event the app did not write for a booking."""
    booking_id, _, _ = (key or "").removeprefix(_CALENDAR_KEY_PREFIX).partition("-")
    if not key or not key.startswith(_CALENDAR_KEY_PREFIX) or not booking_id.isdigit():
        return None
    booking = session.get(Booking, int(booking_id))
    return booking if booking is not None and calendar_key(booking) == key else None


def deliver_calendar_create(session: Session, item: OutboxItem) -> None:
    """Outbox delivery (S11): the event goes on the assigned host's primary calendar; the
    provider invites the prospect (and the other hosts of a group link). The idempotency
    key is the booking's, so a repeated write (after a crash) finds the event it made."""
    booking = session.get(Booking, item.booking_id) if item.booking_id else None
    if booking is None or booking.status != BookingStatus.CONFIRMED or booking.provider_event_id:
        return  # cancelled meanwhile, or already written: nothing to do
    link = session.get(MeetingLink, booking.link_id)
    connection = scheduling.connection_of(session, booking.host_id)
    if connection is None:
        _calendar_failed(session, booking, "The host's calendar is not connected")
    others = (
        [
            session.get(User, host_id)
            for host_id in host_ids_of(session=session, link=link)
            if host_id != booking.host_id
        ]
        if link.link_type == LinkType.GROUP
        else []
    )
    settings = link.settings
    reader = reader_of(session.get(User, booking.host_id))
    event = NewEvent(
        summary=reader.t("{link} with {name}", link=link.name, name=booking.prospect_name),
        start=booking.start_at,
        end=booking.end_at,
        time_zone=booking.prospect_time_zone,
        # Unique across databases too, so a retried create finds only its own event.
        idempotency_key=calendar_key(booking),
        description=_description(booking, reader),
        attendees=(
            Attendee(booking.prospect_email, booking.prospect_name),
            *(Attendee(u.email, u.display_name) for u in others if u is not None),
        ),
        location=settings.location or settings.meeting_url,
        video=settings.video,
    )
    try:
        created = call_provider(
            session=session, connection=connection, action=lambda a: a.create_event(event)
        )
    except ProviderError as error:
        _calendar_failed(session, booking, str(error))
    booking.provider_event_id = created.id
    booking.calendar_error = None
    session.add(booking)
    if _web_address(created.join_url):
        _video_link_known(session, link, booking, created.join_url)
    elif created.video_pending:  # Google is still making the Meet: read it again later
        outbox.enqueue(
            session,
            kind=OutboxKind.VIDEO_LINK,
            booking_id=booking.id,
            summary=f"Read the video link of “{link.name}”",
        )
    elif settings.video != VideoMeeting.NONE:
        booking.meeting_url = ""  # none will come: nobody is told one is on its way
        log.warning(
            "Booking %s: the host's calendar made no %s meeting",
            booking.id,
            VIDEO_NAMES.get(settings.video, settings.video),
        )


def deliver_video_link(session: Session, item: OutboxItem) -> None:
    """Outbox delivery: read the event again until the provider has made its video meeting
    (Google answers "pending" at first); each try that finds it pending waits the backoff."""
    booking = session.get(Booking, item.booking_id) if item.booking_id else None
    if (
        booking is None
        or booking.status != BookingStatus.CONFIRMED
        or booking.meeting_url
        or not booking.provider_event_id
    ):
        return
    connection = scheduling.connection_of(session, booking.host_id)
    if connection is None:
        raise outbox.PermanentDeliveryError("The host's calendar is not connected")
    event = call_provider(
        session=session,
        connection=connection,
        action=lambda a: a.get_event(booking.provider_event_id),
    )
    if _web_address(event.join_url):
        _video_link_known(
            session, session.get(MeetingLink, booking.link_id), booking, event.join_url
        )
    elif event.video_pending:
        raise outbox.RetryLaterError("The video meeting is still being made.")
    else:  # Google gave up making it
        booking.meeting_url = ""
        session.add(booking)


def _web_address(url: str) -> bool:
    """Only an http(s) join link is kept: it becomes a link on the confirmation page."""
    return url.lower().startswith(("https://", "http://")) and url.isprintable()


def _video_link_known(session: Session, link: MeetingLink, booking: Booking, url: str) -> None:
    """Keep the join link and send it to the prospect with the updated invitation (a new
    SEQUENCE, so calendar apps replace the event the confirmation added). The booking
    request answered before the calendar made the meeting, hence a second email."""
    booking.meeting_url = url
    booking.sequence += 1
    session.add(booking)
    session.flush()
    reader = prospect_reader(booking)
    host = session.get(User, booking.host_id)
    _mail_prospect_invite(
        session,
        link,
        booking,
        reader.t("Video link: {link} with {host}", link=link.name, host=host.display_name),
        [
            reader.t("Hello {name},", name=booking.prospect_name),
            "",
            reader.t("Your meeting on {when} takes place online.", when=_when(booking, reader)),
            *_place_lines(meeting_place(session, link, booking), reader),
            "",
            *_prospect_links(booking, reader),
        ],
    )


def prospect_reader(booking: Booking) -> i18n.Reader:
    """The prospect reads in the locale they booked in, in their time zone."""
    return i18n.Reader(booking.locale, booking.prospect_time_zone)


def _prospect_links(booking: Booking, reader: i18n.Reader) -> list[str]:
    return [
        reader.t("Reschedule: {url}", url=reschedule_url(booking)),
        reader.t("Cancel: {url}", url=cancel_url(booking)),
    ]


def _mail_prospect_invite(
    session: Session, link: MeetingLink, booking: Booking, subject: str, lines: list[str]
) -> None:
    """Mail the prospect about their meeting, the up-to-date invitation attached, so their
    calendar app keeps the event in step."""
    ics = ics_for(session, booking)
    send_email(
        session=session,
        to=booking.prospect_email,
        subject=_branded(session, link, subject),
        text="\n".join([*lines, *_brand_footer(session, link)]),
        attachments=[Attachment("invite.ics", "text/calendar", ics.encode())],
        booking_id=booking.id,
    )


def deliver_calendar_cancel(session: Session, item: OutboxItem) -> None:
    """Outbox delivery: cancel the booking's event (the provider tells the attendees)."""
    booking = session.get(Booking, item.booking_id) if item.booking_id else None
    if booking is None:
        return
    if not booking.provider_event_id:
        if _create_in_flight(session, booking.id):
            raise outbox.RetryLaterError("The event is still being written; cancelling next.")
        return  # never written (or the pending write will see the cancellation)
    connection = scheduling.connection_of(session, booking.host_id)
    if connection is None:
        _calendar_failed(session, booking, "The host's calendar is not connected")
    try:
        call_provider(
            session=session,
            connection=connection,
            action=lambda a: a.cancel_event(booking.provider_event_id),
        )
    except ProviderError as error:
        _calendar_failed(session, booking, f"Cancelling in the calendar failed: {error}")
    booking.calendar_error = None
    session.add(booking)


def _create_in_flight(session: Session, booking_id: int) -> bool:
    """A create claimed by a worker right now may still make the event: wait for it."""
    return (
        session.exec(
            select(OutboxItem.id).where(
                OutboxItem.booking_id == booking_id,
                OutboxItem.kind == OutboxKind.CALENDAR_CREATE,
                OutboxItem.claim.is_not(None),
            )
        ).first()
        is not None
    )


def _calendar_failed(session: Session, booking: Booking, reason: str) -> NoReturn:
    """Keep why on the booking (the host sees it), then fail this attempt."""
    session.rollback()
    booking = session.get(Booking, booking.id)
    booking.calendar_error = reason
    session.add(booking)
    session.commit()
    raise CalendarWriteError(reason)


def _description(booking: Booking, reader: i18n.Reader) -> str:
    lines = [
        reader.t(
            "Booked by {name} <{email}> through Meetings.",
            name=booking.prospect_name,
            email=booking.prospect_email,
        )
    ]
    lines.extend(f"{key}: {value}" for key, value in booking.answers.items())
    return "\n".join(lines)


# --- links for the prospect -------------------------------------------------------------


def cancel_token(booking: Booking) -> str:
    return sign(CANCEL, booking.id)


def reschedule_token(booking: Booking) -> str:
    return sign(RESCHEDULE, booking.id)


def _site_of(booking: Booking) -> str:
    """The base URL of the booking's link: its custom domain's, else the app's (the
    prospect's pages stay on the domain they booked on)."""
    session = sa.orm.object_session(booking)
    link = session.get(MeetingLink, booking.link_id) if session is not None else None
    if link is None:
        return get_settings().app_url
    return domain_brand.site_url(domain_brand.domain_host(session, link.domain_id))


def cancel_url(booking: Booking) -> str:
    return f"{_site_of(booking)}{routes.BOOKING_CANCEL}?token={cancel_token(booking)}"


def reschedule_url(booking: Booking) -> str:
    return f"{_site_of(booking)}{routes.BOOKING_RESCHEDULE}?token={reschedule_token(booking)}"


def _brand_footer(session: Session, link: MeetingLink) -> list[str]:
    """S14: the mail of a link on a branded domain says whose it is."""
    brand = domain_brand.brand_of(session, link.domain_id)
    if brand is None or not brand.name:
        return []
    return ["", f"— {brand.name} · {domain_brand.site_url(brand.host)}"]


def _branded(session: Session, link: MeetingLink, subject: str) -> str:
    brand = domain_brand.brand_of(session, link.domain_id)
    return f"{brand.name}: {subject}" if brand is not None and brand.name else subject


def view_token(booking: Booking) -> str:
    return sign(VIEW, booking.id)


def ics_url(booking: Booking) -> str:
    return f"{get_settings().backend_url}{routes.BOOKING_ICS}?token={view_token(booking)}"


def booking_from_token(
    *, session: Session, purpose: str, token: str, now: datetime | None = None
) -> Booking:
    """The booking a prospect's link points to. Cancel and reschedule links stop working
    when the meeting starts (MeetingStartedError); the view link keeps working."""
    booking_id = unsign(purpose, token)
    # type() and not isinstance(): JSON true is a bool, and a bool is an int in Python.
    booking = session.get(Booking, booking_id) if type(booking_id) is int else None
    if booking is None:
        raise BookingNotFoundError(Text("This link is not valid. Check that you copied all of it."))
    if purpose in _UNTIL_START and booking.start_at <= (now or datetime.now(UTC)):
        raise MeetingStartedError(STARTED)
    return booking


def ics_for(session: Session, booking: Booking, reader: i18n.Reader | None = None) -> str:
    """The booking's invitation, in the words of `reader` (the prospect by default)."""
    reader = reader or prospect_reader(booking)
    link = session.get(MeetingLink, booking.link_id)
    host = session.get(User, booking.host_id)
    place = meeting_place(session, link, booking)
    return invite_ics(
        CalendarInvite(
            uid=f"booking-{booking.id}@meetings",
            start=booking.start_at,
            end=booking.end_at,
            summary=reader.t("{link} with {name}", link=link.name, name=host.display_name),
            description=_description(booking, reader),
            organizer_name=host.display_name,
            organizer_email=host.email,
            attendee_name=booking.prospect_name,
            attendee_email=booking.prospect_email,
            sequence=booking.sequence,
            cancelled=booking.status == BookingStatus.CANCELLED,
            location=place.location,
            url=place.url,
            join_label=reader.t("Join"),
        ),
        now=utc_now(),
    )


def _when(booking: Booking, reader: i18n.Reader) -> str:
    """ "jeudi 26 novembre 2026, 14:30–15:00 (Europe/Paris)": the reader's words, clock and
    time zone."""
    return f"{reader.moment(booking.start_at)}–{reader.time(booking.end_at)} ({reader.time_zone})"


def when_for_prospect(booking: Booking) -> str:
    """The meeting's day and time as the prospect reads them, in their time zone."""
    return _when(booking, prospect_reader(booking))


def _send_confirmations(session: Session, link: MeetingLink, booking: Booking) -> None:
    """The prospect's mail in their language, the host's in theirs, each with its .ics."""
    host = session.get(User, booking.host_id)
    settings = link.settings
    confirmed = booking.status == BookingStatus.CONFIRMED
    place = meeting_place(session, link, booking)
    reader = prospect_reader(booking)
    if confirmed:
        subject = reader.t("Confirmed: {link} with {host}", link=link.name, host=host.display_name)
        opening = reader.t("Your meeting is booked.")
    else:
        subject = reader.t("Requested: {link} with {host}", link=link.name, host=host.display_name)
        opening = reader.t("{host} will confirm your request.", host=host.display_name)
    prospect_text = "\n".join(
        [
            reader.t("Hello {name},", name=booking.prospect_name),
            "",
            opening,
            _when(booking, reader),
            *_place_lines(place, reader),
            settings.confirmation_message,
            "",
            *_prospect_links(booking, reader),
            *_brand_footer(session, link),
        ]
    )
    send_email(
        session=session,
        to=booking.prospect_email,
        subject=_branded(session, link, subject),
        text=prospect_text,
        attachments=[_invite(session, booking, reader)],
        booking_id=booking.id,
    )
    host_reader = reader_of(host)
    who = {"name": booking.prospect_name, "email": booking.prospect_email, "link": link.name}
    host_text = "\n".join(
        [
            host_reader.t("{name} <{email}> booked “{link}”.", **who)
            if confirmed
            else host_reader.t("{name} <{email}> requested “{link}”.", **who),
            _when(booking, host_reader),
            *_place_lines(replace(place, video_to_come=""), host_reader),
            *(f"{k}: {v}" for k, v in booking.answers.items()),
            ""
            if confirmed
            else host_reader.t(
                "Offline mode: nothing was added to your calendar. Confirm or decline the "
                "request under Scheduled meetings: {url}",
                url=f"{get_settings().app_url}{routes.MEETINGS}",
            ),
        ]
    )
    send_email(
        session=session,
        to=host.email,
        subject=host_reader.t("New booking: {link}", link=link.name),
        text=host_text,
        attachments=[_invite(session, booking, host_reader)],
        booking_id=booking.id,
    )


def _invite(
    session: Session, booking: Booking, reader: i18n.Reader, filename: str = "invite.ics"
) -> Attachment:
    return Attachment(filename, "text/calendar", ics_for(session, booking, reader).encode())


def do_cancel(
    *, session: Session, booking: Booking, reason: str = "", now: datetime | None = None
) -> Booking:
    """Cancel, and queue what tells the calendar (the provider tells the attendees) and both
    people, in one transaction. A meeting that has started can no longer be cancelled."""
    if booking.start_at <= (now or datetime.now(UTC)):
        raise MeetingStartedError(STARTED)
    was = booking.status
    # One conditional update: of two cancellations racing, only one tells anybody.
    cancelled = session.execute(
        sa.update(Booking)
        .where(Booking.id == booking.id, Booking.status != BookingStatus.CANCELLED)
        .values(status=BookingStatus.CANCELLED, sequence=Booking.sequence + 1)
    ).rowcount
    if not cancelled:
        session.commit()
        session.refresh(booking)
        return booking
    session.refresh(booking)
    contacts.record_booking(session, booking)
    link = session.get(MeetingLink, booking.link_id)
    host = session.get(User, booking.host_id)
    if was == BookingStatus.CONFIRMED:  # a request (offline mode) never had an event
        outbox.enqueue(
            session,
            kind=OutboxKind.CALENDAR_CANCEL,
            booking_id=booking.id,
            summary=f"Cancel “{link.name}” in the host's calendar",
        )
    for to, reader in (
        (booking.prospect_email, prospect_reader(booking)),
        (host.email, reader_of(host)),
    ):
        # Our own reasons are `Text`s, said in the reader's words; a host's typed message
        # is said as they wrote it.
        said = reader.translate(reason) if isinstance(reason, Text) else reason
        send_email(
            session=session,
            to=to,
            subject=_branded(session, link, reader.t("Cancelled: {link}", link=link.name)),
            text="\n".join(
                [
                    " ".join(
                        [
                            reader.t(
                                "The meeting on {when} is cancelled.", when=_when(booking, reader)
                            ),
                            said,
                        ]
                    ).strip(),
                    *_brand_footer(session, link),
                ]
            ),
            attachments=[_invite(session, booking, reader, "cancel.ics")],
            booking_id=booking.id,
        )
    session.commit()
    return booking


class RequestClosedError(Exception):
    """The request was answered already, the other way (confirmed, or declined/cancelled)."""


class TimeNowBusyError(Exception):
    """A request's time has become busy since the prospect asked; `reasons` say why. The
    host confirms anyway only on purpose."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(
            Text("This time is now busy in your calendar: {reasons}", reasons="; ".join(reasons))
        )
        self.reasons = reasons


@dataclass(frozen=True)
class Confirmation:
    booking: Booking
    calendar_write_queued: bool  # a calendar is connected: the event is on its way
    already: bool = False  # it was confirmed before (a double click, another tab)


_BUSY_KINDS = frozenset({ReasonKind.BUSY, ReasonKind.BOOKED})


def busy_reasons(session: Session, booking: Booking, now: datetime) -> list[str]:
    """Why the booking's time is no longer free for the hosts it occupies: their calendars
    read live (never the page cache) and their other meetings. The link's rules are not
    asked again: the time was offered when the prospect asked."""
    link = session.get(MeetingLink, booking.link_id)
    settings = link.settings
    reach = timedelta(
        minutes=booking.minutes + settings.buffer_before + settings.buffer_after, days=1
    )
    live = scheduling.gather(
        session, link, booking.start_at - reach, booking.end_at + reach, moving=booking
    )
    occupied = set(
        session.exec(select(BookingHost.user_id).where(BookingHost.booking_id == booking.id)).all()
    )
    explanation = explain(
        settings.rules(),
        [h for h in live.hosts if h.host_id in occupied],
        at=booking.start_at,
        duration=booking.minutes,
        now=now,
        mode=scheduling.mode_of(link),
    )
    return list(dict.fromkeys(r.message for r in explanation.reasons if r.kind in _BUSY_KINDS))


def do_confirm_request(
    *, session: Session, booking: Booking, anyway: bool = False, now: datetime | None = None
) -> Confirmation:
    """Confirm an offline-mode request (S3): re-check its time live (TimeNowBusyError unless
    `anyway`), write it to the host's calendar if one is connected by now, tell the
    prospect. One conditional update decides a race with a second confirm or a decline."""
    now = now or datetime.now(UTC)
    if booking.status == BookingStatus.CONFIRMED:
        return Confirmation(booking, calendar_write_queued=False, already=True)
    if booking.status != BookingStatus.REQUESTED:
        raise RequestClosedError(Text("This request was declined or cancelled already."))
    if booking.start_at <= now:
        raise MeetingStartedError(
            Text("This meeting's time has passed: it can no longer be confirmed.")
        )
    if not anyway:
        reasons = busy_reasons(session, booking, now)
        if reasons:
            session.rollback()
            raise TimeNowBusyError(reasons)
    session.commit()  # end the read transaction (the busy read may have taken a while)
    confirmed = session.execute(
        sa.update(Booking)
        .where(Booking.id == booking.id, Booking.status == BookingStatus.REQUESTED)
        .values(status=BookingStatus.CONFIRMED, sequence=Booking.sequence + 1)
    ).rowcount
    session.refresh(booking)
    if not confirmed:
        session.commit()
        if booking.status == BookingStatus.CONFIRMED:
            return Confirmation(booking, calendar_write_queued=False, already=True)
        raise RequestClosedError(Text("This request was declined or cancelled meanwhile."))
    contacts.record_booking(session, booking)
    link = session.get(MeetingLink, booking.link_id)
    host = session.get(User, booking.host_id)
    queued = scheduling.connection_of(session, booking.host_id) is not None
    if queued:
        outbox.enqueue(
            session,
            kind=OutboxKind.CALENDAR_CREATE,
            booking_id=booking.id,
            summary=f"Write “{link.name}” to the host's calendar",
        )
    reader = prospect_reader(booking)
    _mail_prospect_invite(
        session,
        link,
        booking,
        reader.t("Confirmed: {link} with {host}", link=link.name, host=host.display_name),
        [
            reader.t("Hello {name},", name=booking.prospect_name),
            "",
            reader.t("{host} confirmed your meeting.", host=host.display_name),
            _when(booking, reader),
            *_place_lines(meeting_place(session, link, booking), reader),
            link.settings.confirmation_message,
            "",
            *_prospect_links(booking, reader),
        ],
    )
    session.commit()
    return Confirmation(booking, calendar_write_queued=queued)


MAX_MESSAGE_LENGTH = 2000


def host_message(message: str) -> str:
    """A host's optional message to the prospect (decline, cancel), checked like every text
    people type; InvalidBookingError says what to fix."""
    try:
        return clean_text(message, max_length=MAX_MESSAGE_LENGTH)
    except InvalidTextError as error:
        raise InvalidBookingError([("message", error.args[0])]) from None


def do_decline_request(
    *, session: Session, booking: Booking, message: str = "", now: datetime | None = None
) -> Booking:
    """Decline an offline-mode request: the prospect is told, with the host's message and
    the booking page to pick another time. A second decline changes nothing; a decline
    racing a confirm loses or wins as one conditional update decides."""
    message = host_message(message)
    if booking.status == BookingStatus.CANCELLED:
        return booking
    declined = session.execute(
        sa.update(Booking)
        .where(Booking.id == booking.id, Booking.status == BookingStatus.REQUESTED)
        .values(status=BookingStatus.CANCELLED, sequence=Booking.sequence + 1)
    ).rowcount
    session.refresh(booking)
    if not declined:
        session.commit()
        if booking.status == BookingStatus.CANCELLED:
            return booking
        raise RequestClosedError(
            Text("This request was confirmed already: cancel the meeting instead.")
        )
    contacts.record_booking(session, booking)
    link = session.get(MeetingLink, booking.link_id)
    host = session.get(User, booking.host_id)
    reader = prospect_reader(booking)
    lines = [
        reader.t("Hello {name},", name=booking.prospect_name),
        "",
        reader.t(
            "{host} cannot meet at the time you asked for, and declined your request:",
            host=host.display_name,
        ),
        _when(booking, reader),
    ]
    if message:
        lines += ["", reader.t("Message from {host}:", host=host.display_name), message]
    lines += ["", reader.t("Pick another time: {url}", url=link_url(session, link))]
    send_email(
        session=session,
        to=booking.prospect_email,
        subject=reader.t("Declined: {link} with {host}", link=link.name, host=host.display_name),
        text="\n".join(lines),
        attachments=[_invite(session, booking, reader, "cancel.ics")],
        booking_id=booking.id,
    )
    session.commit()
    return booking


def do_reschedule(
    *,
    session: Session,
    booking: Booking,
    new_start: datetime,
    now: datetime | None = None,
    by_host: bool = False,
    locale: str | None = None,
) -> Booking:
    """Move a booking: book the new time race-free (as a new booking), then cancel the old
    one, so a failed move never loses the meeting. The old booking's own time is free for
    the new one (30 minutes at 10:00 may move to 10:15). The new booking's idempotency key
    names the one it replaces, so replays of one reschedule link racing each other make
    one meeting, never several. `by_host`: the host moves it (see do_book's
    `host_confirmed`). `locale`: the prospect's, when they move it themselves; otherwise
    the meeting keeps the one it was booked in."""
    if booking.status == BookingStatus.CANCELLED:
        raise InvalidBookingError(
            [("booking", Text("This meeting was cancelled; book a new one."))]
        )
    if booking.start_at <= (now or datetime.now(UTC)):
        raise MeetingStartedError(STARTED)
    link = session.get(MeetingLink, booking.link_id)
    try:
        outcome = do_book(
            session=session,
            link=link,
            request=BookingRequest(
                start=new_start,
                time_zone=booking.prospect_time_zone,
                name=booking.prospect_name,
                email=booking.prospect_email,
                answers=booking.answers,
                duration=booking.minutes,
                idempotency_key=f"{MOVED_FROM_KEY_PREFIX}{booking.id}",
            ),
            now=now,
            moving=booking,
            host_confirmed=by_host and booking.status == BookingStatus.CONFIRMED,
            locale=locale or booking.locale,
        )
    except InvalidBookingError as refused:
        if any(field == "idempotency_key" for field, _ in refused.problems):
            raise InvalidBookingError(
                [("booking", Text("This meeting was already moved to another time."))]
            ) from None
        raise
    do_cancel(session=session, booking=booking, reason=Text("It was moved to a new time."), now=now)
    if outcome.created:
        contacts.record_move(session, booking, outcome.booking)
        session.commit()
    return outcome.booking


# --- returning visitors (S14) -----------------------------------------------------------


def remember_visitor(*, session: Session, token: str, request: BookingRequest) -> None:
    """Keep what the visitor typed to fill the form next time; a name or an address that
    would be refused is not worth keeping (a reschedule books with the stored ones)."""
    try:
        name = clean_line(request.name, max_length=MAX_NAME_LENGTH)
        email = normalize_email(request.email)
    except InvalidTextError:
        return
    profile = session.get(VisitorProfile, digest(token)) or VisitorProfile(
        token_digest=digest(token)
    )
    profile.name = name
    profile.email = email
    profile.answers = {k: v for k, v in (request.answers or {}).items() if isinstance(v, str)}
    profile.updated_at = utc_now()
    session.add(profile)
    session.commit()


def visitor_profile(*, session: Session, token: str | None) -> VisitorProfile | None:
    return session.get(VisitorProfile, digest(token)) if token else None


# --- reminders ----------------------------------------------------------------------------


@use_case
def do_send_due_reminders(*, session: Session, now: datetime | None = None) -> int:
    """Queue each reminder once, when its time has come, in the transaction that records
    it as sent (the outbox delivers it, with retries). Safe to run from any worker: the
    booking rows are claimed with FOR UPDATE SKIP LOCKED on PostgreSQL. A booking whose
    reminder cannot be written is skipped and logged; the others still get theirs."""
    now = now or datetime.now(UTC)
    query = (
        select(Booking)
        .where(
            Booking.status == BookingStatus.CONFIRMED,
            Booking.start_at > now,
            Booking.start_at < now + timedelta(days=8),
        )
        .with_for_update(skip_locked=True)
    )
    queued = 0
    for booking in session.exec(query).all():
        link = session.get(MeetingLink, booking.link_id)
        due = [
            m
            for m in link.settings.reminders
            if booking.start_at - timedelta(minutes=m) <= now and m not in booking.reminders_sent
        ]
        if not due:
            continue
        try:
            with session.begin_nested():  # a savepoint: this booking's failure is its own
                _queue_reminder(session, link, booking)
                booking.reminders_sent = [*booking.reminders_sent, *due]
                session.add(booking)
        except Exception:
            log.exception("The reminder of booking %s could not be queued", booking.id)
            continue
        queued += 1
    session.commit()
    return queued


def _queue_reminder(session: Session, link: MeetingLink, booking: Booking) -> None:
    reader = prospect_reader(booking)
    host = session.get(User, booking.host_id)
    _mail_prospect_invite(
        session,
        link,
        booking,
        reader.t("Reminder: {link} with {host}", link=link.name, host=host.display_name),
        [
            reader.t("Your meeting is on {when}.", when=_when(booking, reader)),
            *_place_lines(meeting_place(session, link, booking), reader),
            "",
            reader.t("Cancel: {url}", url=cancel_url(booking)),
        ],
    )
