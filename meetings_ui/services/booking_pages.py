"""The public booking pages' door to the services: one use case per prospect action, each
returning plain view models, never database rows.

The free times of a month are handed over as UTC instants covering that month in *every*
time zone (from its first day at UTC+14 to its last at UTC-12). The page keeps them raw and
derives, for whatever zone the prospect picks, the month's cells and a day's time labels
with the pure functions at the end of this module — so changing zone asks nothing of the
host's calendars.
"""

from __future__ import annotations

import calendar
import functools
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone

from meetings_ui import i18n, routes
from meetings_ui.domain.enums import BookingStatus
from meetings_ui.domain.messages import N_, Text
from meetings_ui.domain.time_zones import (
    EARLIEST_DATE,
    LATEST_DATE,
    canonical_name,
    zone,
)
from meetings_ui.models import Booking, MeetingLink, User
from meetings_ui.services import bookings, scheduling
from meetings_ui.services.domain_brand import (
    BrandView,
    LinkMovedError,
    brand_of,
    domain_host,
    link_for_host,
    served_domain,
)
from meetings_ui.services.single_flight import SingleFlight
from meetings_ui.services.transactions import Session, use_case

# The earliest and latest UTC offsets of any IANA zone: a month's free times are read
# between its first day's midnight at the one and its last day's end at the other.
_EARLIEST_OFFSET = timezone(timedelta(hours=14))
_LATEST_OFFSET = timezone(timedelta(hours=-12))


class LinkRefusedError(Exception):
    """An emailed link that leads to no booking, or no longer may: `title` and `detail`
    say why, in the prospect's words."""

    def __init__(self, title: str, detail: str) -> None:
        super().__init__(f"{title}. {detail}")
        self.title, self.detail = title, detail


# --- view models ------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionView:
    id: str
    label: str
    kind: str
    required: bool
    choices: tuple[str, ...]


@dataclass(frozen=True)
class Prefill:
    """What the form starts with: a returning visitor (S14) or the meeting being moved."""

    name: str
    email: str
    answers: Mapping[str, str]


@dataclass(frozen=True)
class MonthSlots:
    """The free times of one month for one duration, as UTC instants."""

    month: str  # YYYY-MM
    duration: int
    online: bool  # False: offline mode (S3), the host confirms each request
    starts: tuple[datetime, ...]


@dataclass(frozen=True)
class BookingPage:
    link_name: str
    host_name: str
    durations: tuple[int, ...]
    questions: tuple[QuestionView, ...]
    time_zone: str  # the prospect's: their browser's, or the one of the meeting being moved
    rescheduling: bool
    problems: tuple[str, ...]
    prefill: Prefill | None
    slots: MonthSlots
    brand: BrandView | None = None  # the link's custom domain's brand (S14)
    location: str = ""  # where to meet, when the link names a place
    video: str = ""  # "Google Meet", "Teams", or "web" for the host's own address; "" for none


@dataclass(frozen=True)
class BookingResult:
    """Where to go once booked, or what to tell the prospect."""

    confirmation_path: str = ""
    visitor_token: str = ""  # remembered in the visitor's cookie for next time (S14)
    problems: tuple[str, ...] = ()
    taken: bool = False  # the time was taken meanwhile: `slots` holds the fresh free times
    slots: MonthSlots | None = None


@dataclass(frozen=True)
class BookingDetails:
    """One booking as the prospect sees it on the confirmation and cancel pages."""

    status: BookingStatus
    link_name: str
    host_name: str
    start: datetime
    end: datetime
    prospect_time_zone: str
    host_time_zone: str
    message: str
    ics_url: str
    cancel_url: str
    reschedule_url: str
    location: str = ""  # a place (text)
    meeting_url: str = ""  # where to join, when known
    video_to_come: str = ""  # "Google Meet" or "Teams" while the calendar is making it
    brand: BrandView | None = None


@dataclass(frozen=True)
class DayCell:
    """One square of the month grid; blank squares pad the first week."""

    key: str
    number: str = ""
    iso: str = ""
    label: str = ""
    available: bool = False
    blank: bool = False


@dataclass(frozen=True)
class TimeChoice:
    start: str  # ISO instant
    label: str  # HH:MM in the prospect's zone


@dataclass(frozen=True)
class BookingForm:
    start: str  # ISO instant, as the page offered it
    time_zone: str
    duration: int
    name: str
    email: str
    answers: Mapping[str, str] = field(default_factory=dict)


# --- use cases --------------------------------------------------------------------------


@use_case
def open_booking_page(
    *,
    session: Session,
    slug: str,
    browser_zone: str,
    visitor_token: str = "",
    reschedule_token: str = "",
    page_host: str | None = None,
    now: datetime | None = None,
) -> BookingPage | None:
    """Everything the page shows first, this month's free times included; None for a link
    this host does not serve (domain_brand.link_for_host), LinkMovedError for a link of a
    custom domain opened on the app domain."""
    link = link_for_host(session, slug, page_host)
    if link is None:
        return None
    settings = link.settings
    questions = tuple(
        QuestionView(q.id, q.label, q.kind, q.required, tuple(q.choices))
        for q in settings.questions
    )
    known = {q.id for q in questions}
    time_zone = canonical_name(browser_zone) or "UTC"
    duration = settings.durations[0]
    problems: tuple[str, ...] = ()
    prefill = None
    moving = _booking_to_move(session, reschedule_token, link) if reschedule_token else None
    if isinstance(moving, Booking):
        time_zone = moving.prospect_time_zone
        moved_duration = moving.minutes
        if moved_duration in settings.durations:
            duration = moved_duration
        prefill = _prefill(moving.prospect_name, moving.prospect_email, moving.answers, known)
    else:
        problems = (moving,) if moving else ()
        profile = bookings.visitor_profile(session=session, token=visitor_token or None)
        if profile is not None:
            prefill = _prefill(profile.name, profile.email, profile.answers, known)
    now = now or datetime.now(UTC)
    month = f"{now.astimezone(zone(time_zone)):%Y-%m}"
    return BookingPage(
        link_name=link.name,
        host_name=_display_name(session, link.owner_id),
        durations=tuple(settings.durations),
        questions=questions,
        time_zone=time_zone,
        rescheduling=isinstance(moving, Booking),
        problems=problems,
        prefill=prefill,
        slots=_month_slots(
            session, link, month, duration, now, moving if isinstance(moving, Booking) else None
        ),
        brand=brand_of(session, link.domain_id),
        location=settings.location,
        video=bookings.VIDEO_NAMES.get(settings.video, "web" if settings.meeting_url else ""),
    )


@use_case
def month_slots(
    *,
    session: Session,
    slug: str,
    month: str,
    duration: int,
    reschedule_token: str = "",
    page_host: str | None = None,
    now: datetime | None = None,
) -> MonthSlots | None:
    """The free times of `month` (YYYY-MM) for a duration the link offers, the meeting
    being moved (if any) not counting as busy; None for a link this host does not serve."""
    link = _served_link(session, slug, page_host)
    if link is None:
        return None
    moving = _booking_to_move(session, reschedule_token, link) if reschedule_token else None
    return _month_slots(
        session,
        link,
        month,
        duration,
        now or datetime.now(UTC),
        moving if isinstance(moving, Booking) else None,
    )


@use_case
def book(
    *,
    session: Session,
    slug: str,
    form: BookingForm,
    month: str,
    visitor_token: str = "",
    reschedule_token: str = "",
    page_host: str | None = None,
    now: datetime | None = None,
    locale: str = "en",
) -> BookingResult:
    """Book (or, with a reschedule token, move the meeting to) the chosen time, remember the
    visitor, and say where to go. A time taken meanwhile comes back with fresh free times.
    `locale`: the visitor's, for the words and dates of their emails."""
    link = _served_link(session, slug, page_host)
    if link is None:
        return BookingResult(problems=(N_("This meeting link no longer exists."),))
    try:
        start = datetime.fromisoformat(form.start)
    except ValueError:
        return BookingResult(problems=(N_("Choose a time."),))
    request = bookings.BookingRequest(
        start=start,
        time_zone=form.time_zone,
        name=form.name,
        email=form.email,
        # Only this link's questions: answers typed on another link's page stay behind.
        answers={q.id: form.answers[q.id] for q in link.settings.questions if q.id in form.answers},
        duration=form.duration,
    )
    try:
        if reschedule_token:
            moving = bookings.booking_from_token(
                session=session, purpose=bookings.RESCHEDULE, token=reschedule_token
            )
            booking = bookings.do_reschedule(
                session=session, booking=moving, new_start=start, now=now, locale=locale
            )
        else:
            booking = bookings.do_book(
                session=session, link=link, request=request, now=now, locale=locale
            ).booking
    except bookings.InvalidBookingError as refused:
        return BookingResult(problems=tuple(message for _, message in refused.problems))
    except bookings.BookingNotFoundError as missing:
        return BookingResult(problems=(str(missing),))
    except bookings.SlotUnavailableError:
        moving = _booking_to_move(session, reschedule_token, link) if reschedule_token else None
        fresh = _month_slots(
            session,
            link,
            month,
            form.duration,
            now or datetime.now(UTC),
            moving if isinstance(moving, Booking) else None,
            use_cache=False,  # the time was just taken: read the calendars again
        )
        return BookingResult(taken=True, slots=fresh)
    visitor = visitor_token or secrets.token_urlsafe(32)
    bookings.remember_visitor(session=session, token=visitor, request=request)
    return BookingResult(
        confirmation_path=f"{routes.BOOKING_CONFIRMED}?token={bookings.view_token(booking)}",
        visitor_token=visitor,
    )


@use_case
def confirmation(*, session: Session, token: str, page_host: str | None = None) -> BookingDetails:
    """The booking a confirmation link shows; LinkRefusedError when the link is not valid."""
    return _details(session, _booking_for(session, bookings.VIEW, token, page_host))


@use_case
def cancellation(*, session: Session, token: str, page_host: str | None = None) -> BookingDetails:
    """The booking an emailed cancel link is about; LinkRefusedError when the link is not
    valid or the meeting has started."""
    return _details(session, _booking_for(session, bookings.CANCEL, token, page_host))


@use_case
def cancel(*, session: Session, token: str, page_host: str | None = None) -> BookingDetails:
    """Cancel the booking of an emailed cancel link (the host's calendar and both people
    are told); LinkRefusedError when the link is not valid or the meeting has started."""
    booking = _booking_for(session, bookings.CANCEL, token, page_host)
    try:
        bookings.do_cancel(session=session, booking=booking, reason=Text("Cancelled by the guest."))
    except bookings.MeetingStartedError as started:  # it started while the page was open
        raise LinkRefusedError(N_("This meeting has already started"), str(started)) from None
    return _details(session, booking)


@use_case
def reschedule_path(*, session: Session, token: str, page_host: str | None = None) -> str:
    """The booking page to pick a new time on, through the link's slug as it is now (email
    links outlive a slug change); LinkRefusedError when the link is not valid or the
    meeting has started."""
    booking = _booking_for(session, bookings.RESCHEDULE, token, page_host)
    slug = session.get(MeetingLink, booking.link_id).slug
    return f"{routes.booking_page(slug)}?reschedule={token}"


# --- helpers of the use cases -----------------------------------------------------------


def _served_link(session: Session, slug: str, page_host: str | None) -> MeetingLink | None:
    """The link, only through the host that serves it (a moved link is not served here)."""
    try:
        return link_for_host(session, slug, page_host)
    except LinkMovedError:
        return None


def _display_name(session: Session, user_id: int) -> str:
    return session.get(User, user_id).display_name


def _prefill(name: str, email: str, answers: Mapping[str, str], known: set[str]) -> Prefill:
    return Prefill(name, email, {k: v for k, v in answers.items() if k in known})


def _booking_to_move(session: Session, token: str, link: MeetingLink) -> Booking | str:
    """The booking a reschedule link moves, or why it cannot be moved here ("" to say
    nothing: a link to another meeting link's page)."""
    try:
        booking = _booking_for(session, bookings.RESCHEDULE, token)
    except LinkRefusedError as refused:
        return str(refused)
    if booking.status == BookingStatus.CANCELLED:
        return N_("This meeting was cancelled; book a new one.")
    return booking if booking.link_id == link.id else ""


def _booking_for(
    session: Session, purpose: str, token: str, page_host: str | None = None
) -> Booking:
    """The booking of an emailed link. On a custom domain only that domain's bookings are
    shown; the app domain shows every booking, so that emails sent before a link moved to
    a custom domain keep working."""
    try:
        booking = bookings.booking_from_token(session=session, purpose=purpose, token=token)
    except bookings.MeetingStartedError as started:
        raise LinkRefusedError(N_("This meeting has already started"), str(started)) from None
    except bookings.BookingNotFoundError:
        raise LinkRefusedError(
            N_("This link is not valid"), N_("Check that you copied all of it from the email.")
        ) from None
    served = served_domain(session, page_host)
    if served is not None:
        link = session.get(MeetingLink, booking.link_id)
        if served is False or domain_host(session, link.domain_id) != served.host:
            raise LinkRefusedError(
                N_("Not found"), N_("This address does not lead to a meeting on this site.")
            )
    return booking


def _month_slots(
    session: Session,
    link: MeetingLink,
    month: str,
    duration: int,
    now: datetime,
    moving: Booking | None = None,
    *,
    use_cache: bool = True,
) -> MonthSlots:
    """A page view's free times: the hosts' busy time may come from the cache, and views of
    the same month of a link at the same moment share one computation (single_flight)."""
    durations = link.settings.durations
    duration = duration if duration in durations else durations[0]
    first = _first_day(month)
    following = (first + timedelta(days=31)).replace(day=1)

    def compute() -> MonthSlots:
        online, slots = scheduling.link_slots(
            session=session,
            link=link,
            start=datetime.combine(first, time(0), _EARLIEST_OFFSET),
            end=datetime.combine(following, time(0), _LATEST_OFFSET),
            duration=duration,
            now=now,
            moving=moving,
            use_cache=use_cache,
        )
        return MonthSlots(month, duration, online, tuple(s.start for s in slots))

    if moving is not None or not use_cache:
        return compute()  # one prospect's own view, or a live read after a refusal
    return _month_views.run((link.id, month, duration), compute)


_month_views: SingleFlight[MonthSlots] = SingleFlight()


def _details(session: Session, booking: Booking) -> BookingDetails:
    link = session.get(MeetingLink, booking.link_id)
    host = session.get(User, booking.host_id)
    place = bookings.meeting_place(session, link, booking)
    return BookingDetails(
        status=BookingStatus(booking.status),
        link_name=link.name,
        host_name=host.display_name,
        start=booking.start_at,
        end=booking.end_at,
        prospect_time_zone=booking.prospect_time_zone,
        host_time_zone=host.time_zone or "UTC",
        message=link.settings.confirmation_message,
        ics_url=bookings.ics_url(booking),
        cancel_url=bookings.cancel_url(booking),
        reschedule_url=bookings.reschedule_url(booking),
        location=place.location,
        meeting_url=place.url,
        video_to_come=place.video_to_come,
        brand=brand_of(session, link.domain_id),
    )


# --- what the page derives from the raw data --------------------------------------------


def _first_day(month: str) -> date:
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, 1)


def shift_month(month: str, step: int) -> str:
    """The month `step` months after `month` (YYYY-MM), kept within the supported dates."""
    first = _first_day(month)
    lowest, highest = (d.year * 12 + d.month - 1 for d in (EARLIEST_DATE, LATEST_DATE))
    index = min(max(first.year * 12 + first.month - 1 + step, lowest), highest)
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_label(month: str, locale: str = "en") -> str:
    """ "November 2026", "novembre 2026": the month as the locale names it."""
    return i18n.format_date(_first_day(month), locale, "LLLL y") if month else ""


@functools.lru_cache(maxsize=64)
def weekday_labels(locale: str = "en") -> tuple[str, ...]:
    """The grid's column heads, Monday first, abbreviated as the locale does ("Mon", "lun.");
    computed once per locale for every visitor."""
    monday = date(2024, 1, 1)
    return tuple(i18n.format_date(monday + timedelta(days=i), locale, "EEE") for i in range(7))


def _local_days(starts: Sequence[datetime], time_zone: str) -> dict[date, list[datetime]]:
    tz = zone(time_zone)
    days: dict[date, list[datetime]] = {}
    for start in starts:
        local = start.astimezone(tz)
        days.setdefault(local.date(), []).append(local)
    return days


def month_cells(
    month: str, starts: Sequence[datetime], time_zone: str, locale: str = "en"
) -> list[DayCell]:
    """The month grid in the prospect's zone, Monday first: which days have free times,
    each labelled for screen readers in the prospect's language."""
    if not month:
        return []
    first = _first_day(month)
    counts = {day: len(times) for day, times in _local_days(starts, time_zone).items()}
    cells = [DayCell(f"blank-{i}", blank=True) for i in range(first.weekday())]
    for number in range(1, calendar.monthrange(first.year, first.month)[1] + 1):
        day = first.replace(day=number)
        count = counts.get(day, 0)
        cells.append(
            DayCell(
                key=day.isoformat(),
                number=str(number),
                iso=day.isoformat(),
                label=_day_label(day, count, locale),
                available=count > 0,
            )
        )
    return cells


@functools.lru_cache(maxsize=4096)
def _day_label(day: date, count: int, locale: str) -> str:
    """ "Thursday 26 November 2026, 3 times available": the same few hundred labels for
    every visitor of a month, formatted once (Babel's formatting is most of a grid's cost)."""
    available = (
        i18n.ngettext(locale, "{count} time available", "{count} times available", count)
        if count
        else i18n.gettext(locale, "no times available")
    )
    return f"{i18n.format_date(day, locale)}, {available}"


def day_times(
    starts: Sequence[datetime], time_zone: str, day: str, locale: str = "en"
) -> list[TimeChoice]:
    """The free times of one of the prospect's days, in their zone, on their locale's
    clock ("14:30" or "2:30 PM")."""
    if not day:
        return []
    local = _local_days(starts, time_zone).get(date.fromisoformat(day), [])
    return [TimeChoice(t.astimezone(UTC).isoformat(), i18n.format_time(t, locale)) for t in local]


def moment_label(start: str, time_zone: str, locale: str = "en") -> str:
    """e.g. "Thursday, November 26, 2026, 9:00 AM (Asia/Tokyo)" by the locale."""
    if not start:
        return ""
    tz = zone(time_zone)
    return f"{i18n.format_datetime(datetime.fromisoformat(start), locale, tz)} ({time_zone})"


def meeting_label(
    start: datetime | None, end: datetime | None, time_zone: str, locale: str = "en"
) -> str:
    """e.g. "Thursday, November 26, 2026, 9:00 AM – 10:00 AM (Asia/Tokyo)" by the locale."""
    if start is None or end is None:
        return ""
    tz = zone(time_zone)
    begins = i18n.format_datetime(start, locale, tz)
    return f"{begins} – {i18n.format_time(end, locale, tz)} ({time_zone})"
