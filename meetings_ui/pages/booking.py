"""The public booking page, /meetings/<slug>: a month of free days, the day's times in the
prospect's own time zone, the form, then the confirmation page. No log-in.

Also serves rescheduling (?reschedule=<signed token>) and the embeddable widget (?embed=1).
"""

from __future__ import annotations

import asyncio
import calendar
import dataclasses
import secrets
from datetime import UTC, date, datetime
from zoneinfo import available_timezones

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.forms import labelled
from meetings_ui.db import session_scope
from meetings_ui.domain.time_zones import UnknownTimeZoneError, zone
from meetings_ui.models import Booking, MeetingLink, User
from meetings_ui.services import bookings, scheduling
from meetings_ui.services.links import link_by_slug

TIME_ZONES = [
    "UTC",
    *sorted(
        z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))
    ),
]
VISITOR_COOKIE = "meetings_visitor"


@dataclasses.dataclass
class QuestionField:
    id: str
    label: str
    kind: str
    required: bool
    choices: list[str]


@dataclasses.dataclass
class DayCell:
    key: str
    number: str
    iso: str
    label: str
    available: bool
    blank: bool


@dataclasses.dataclass
class TimeChoice:
    start: str  # ISO instant
    label: str


def _month_of(value: date) -> str:
    return f"{value.year:04d}-{value.month:02d}"


class BookingState(rx.State):
    """One prospect on one booking page."""

    link_slug: str = ""
    opened: bool = False
    not_found: bool = False
    link_name: str = ""
    host_name: str = ""
    online: bool = True
    durations: list[int] = []
    duration: int = 30
    questions: list[QuestionField] = []
    embed: bool = False
    rescheduling: bool = False

    time_zone: str = "UTC"
    zone_chosen: bool = False
    month: str = ""  # YYYY-MM, in the prospect's zone
    month_label: str = ""
    loading: bool = True
    cells: list[DayCell] = []
    day: str = ""  # the chosen YYYY-MM-DD
    times: list[TimeChoice] = []
    start: str = ""  # the chosen ISO instant
    start_label: str = ""

    name: str = ""
    email: str = ""
    answers: dict[str, str] = {}
    problems: list[str] = []
    notice: str = ""
    submitting: bool = False

    visitor: str = rx.Cookie("", name=VISITOR_COOKIE, max_age=365 * 24 * 3600, same_site="lax")
    _times_by_day: dict[str, list[TimeChoice]] = {}
    _reschedule_token: str = ""

    # --- loading ----------------------------------------------------------------------

    @rx.event
    def open_page(self) -> list | None:
        params = self.router.page.params
        self.link_slug = str(params.get("slug", ""))
        self.embed = params.get("embed") == "1"
        self._reschedule_token = str(params.get("reschedule", ""))
        self.problems, self.notice, self.start, self.day = [], "", "", ""
        self.opened = True
        with session_scope() as session:
            link = link_by_slug(session=session, slug=self.link_slug)
            if link is None:
                self.not_found = True
                self.loading = False
                return None
            self.not_found = False
            settings = link.settings
            self.link_name = link.name
            self.host_name = session.get(User, link.owner_id).display_name
            self.durations = list(settings.durations)
            self.duration = settings.durations[0]
            self.questions = [
                QuestionField(q.id, q.label, q.kind, q.required, list(q.choices))
                for q in settings.questions
            ]
            self.rescheduling = False
            if self._reschedule_token:
                try:
                    moving = bookings.booking_from_token(
                        session=session, purpose=bookings.RESCHEDULE, token=self._reschedule_token
                    )
                except bookings.BookingNotFoundError:
                    self.problems = ["This reschedule link is not valid."]
                else:
                    self.rescheduling = moving.link_id == link.id and moving.status != "cancelled"
                    self._prefill(moving.prospect_name, moving.prospect_email, dict(moving.answers))
                    self.time_zone = moving.prospect_time_zone
            if not self.rescheduling:
                profile = bookings.visitor_profile(session=session, token=self.visitor or None)
                if profile is not None:
                    self._prefill(profile.name, profile.email, dict(profile.answers))
        self.month = _month_of(datetime.now(zone(self.time_zone)).date())
        return [
            BookingState.load_month,
            rx.call_script(
                "Intl.DateTimeFormat().resolvedOptions().timeZone",
                callback=BookingState.use_browser_zone,
            ),
        ]

    def _prefill(self, name: str, email: str, answers: dict[str, str]) -> None:
        self.name, self.email = name, email
        known = {q.id for q in self.questions}
        self.answers = {k: v for k, v in answers.items() if k in known}

    @rx.event
    def use_browser_zone(self, detected: str) -> list | None:
        if self.zone_chosen or self.rescheduling or detected == self.time_zone:
            return None
        try:
            zone(detected)
        except UnknownTimeZoneError:
            return None
        self.time_zone = detected
        return [BookingState.load_month]

    @rx.event
    def choose_zone(self, value: str) -> list | None:
        try:
            zone(value)
        except UnknownTimeZoneError:
            self.problems = [f"{value!r} is not a time zone."]
            return None
        self.time_zone, self.zone_chosen = value, True
        return [BookingState.load_month]

    @rx.event
    def choose_duration(self, value: str) -> list | None:
        if value.isdigit() and int(value) in self.durations:
            self.duration = int(value)
            return [BookingState.load_month]
        return None

    @rx.event
    def shift_month(self, step: int) -> list:
        year, month = (int(part) for part in self.month.split("-"))
        month += step
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
        self.month = f"{year:04d}-{month:02d}"
        return [BookingState.load_month]

    @rx.event(background=True)
    async def load_month(self) -> None:
        async with self:
            self.loading = True
            slug, month, time_zone, duration = (
                self.link_slug,
                self.month,
                self.time_zone,
                self.duration,
            )
        year, number = (int(part) for part in month.split("-"))
        first = date(year, number, 1)
        last = date(year, number, calendar.monthrange(year, number)[1])
        online, days = await asyncio.to_thread(_month_slots, slug, first, last, time_zone, duration)
        by_day = {
            day.isoformat(): [
                TimeChoice(s.start_utc.isoformat(), s.start.strftime("%H:%M")) for s in slots
            ]
            for day, slots in days
        }
        async with self:
            if (self.month, self.time_zone, self.duration) != (month, time_zone, duration):
                return  # the prospect moved on while this month loaded
            self.online = online
            self._times_by_day = by_day
            self.cells = _cells(first, by_day)
            self.month_label = f"{first:%B %Y}"
            self.loading = False
            if self.day and self.day not in by_day:
                self.day, self.times, self.start = "", [], ""
            elif self.day:
                self.times = by_day[self.day]

    # --- choosing --------------------------------------------------------------------------

    @rx.event
    def choose_day(self, iso: str) -> None:
        self.day = iso
        self.times = self._times_by_day.get(iso, [])
        self.start, self.notice = "", ""

    @rx.event
    def choose_time(self, start: str, label: str) -> None:
        self.start = start
        self.start_label = f"{date.fromisoformat(self.day):%A %d %B %Y}, {label} ({self.time_zone})"
        self.problems = []

    @rx.event
    def back_to_times(self) -> None:
        self.start = ""

    @rx.event
    def set_name(self, value: str) -> None:
        self.name = value

    @rx.event
    def set_email(self, value: str) -> None:
        self.email = value

    @rx.event
    def set_answer(self, question_id: str, value: str) -> None:
        self.answers = {**self.answers, question_id: value}

    # --- booking ----------------------------------------------------------------------------

    @rx.event(background=True)
    async def submit(self) -> None:
        async with self:
            if self.submitting:
                return
            self.submitting, self.problems = True, []
            visitor = self.visitor or secrets.token_urlsafe(32)
            request = bookings.BookingRequest(
                start=datetime.fromisoformat(self.start),
                time_zone=self.time_zone,
                name=self.name,
                email=self.email,
                answers=dict(self.answers),
                duration=self.duration,
                idempotency_key=None,
            )
            slug, reschedule = self.link_slug, (self._reschedule_token if self.rescheduling else "")
        outcome = await asyncio.to_thread(_book, slug, request, visitor, reschedule)
        async with self:
            self.submitting = False
            if isinstance(outcome, str):  # the page to go to
                self.visitor = visitor
                yield rx.redirect(outcome)
                return
            kind, messages = outcome
            self.problems = messages
            if kind == "taken":
                self.start = ""
                self.notice = "This time was just taken — pick another."
        if outcome[0] == "taken":
            yield BookingState.load_month


def _month_slots(slug: str, first: date, last: date, time_zone: str, duration: int):  # noqa: ANN202
    with session_scope() as session:
        link = link_by_slug(session=session, slug=slug)
        if link is None:
            return False, []
        return scheduling.slots_by_day(
            session=session,
            link=link,
            first_day=first,
            last_day=last,
            time_zone=time_zone,
            duration=duration,
            now=datetime.now(UTC),
        )


def _book(
    slug: str, request: bookings.BookingRequest, visitor: str, reschedule_token: str
) -> str | tuple[str, list[str]]:
    """The confirmation page to go to, or (kind, messages) to show."""
    with session_scope() as session:
        link: MeetingLink | None = link_by_slug(session=session, slug=slug)
        if link is None:
            return "missing", ["This meeting link no longer exists."]
        try:
            if reschedule_token:
                moving = bookings.booking_from_token(
                    session=session, purpose=bookings.RESCHEDULE, token=reschedule_token
                )
                booking: Booking = bookings.do_reschedule(
                    session=session, booking=moving, new_start=request.start
                )
            else:
                booking = bookings.do_book(session=session, link=link, request=request).booking
        except bookings.InvalidBookingError as refused:
            return "invalid", [message for _, message in refused.problems]
        except bookings.SlotUnavailableError:
            return "taken", []
        except bookings.BookingNotFoundError as missing:
            return "invalid", [str(missing)]
        bookings.remember_visitor(session=session, token=visitor, request=request)
        return f"{routes.BOOKING_CONFIRMED}?token={bookings.view_token(booking)}"


def _cells(first: date, by_day: dict[str, list[TimeChoice]]) -> list[DayCell]:
    blanks = [DayCell(f"blank-{i}", "", "", "", False, True) for i in range(first.weekday())]
    days = []
    for number in range(1, calendar.monthrange(first.year, first.month)[1] + 1):
        day = first.replace(day=number)
        count = len(by_day.get(day.isoformat(), []))
        label = f"{day:%A %d %B %Y}, " + (
            f"{count} times available" if count else "no times available"
        )
        days.append(DayCell(day.isoformat(), str(number), day.isoformat(), label, count > 0, False))
    return blanks + days


# --- the page -----------------------------------------------------------------------------------


def _month_header() -> rx.Component:
    return rx.hstack(
        rx.icon_button(
            rx.icon("chevron-left"),
            on_click=BookingState.shift_month(-1),
            aria_label="Previous month",
            variant="soft",
        ),
        rx.heading(BookingState.month_label, size="4", as_="h2", aria_live="polite"),
        rx.icon_button(
            rx.icon("chevron-right"),
            on_click=BookingState.shift_month(1),
            aria_label="Next month",
            variant="soft",
        ),
        justify="between",
        width="100%",
    )


def _day_button(cell: DayCell) -> rx.Component:
    return rx.cond(
        cell.blank,
        rx.box(),
        rx.button(
            cell.number,
            on_click=BookingState.choose_day(cell.iso),
            disabled=~cell.available,
            aria_label=cell.label,
            aria_pressed=rx.cond(BookingState.day == cell.iso, "true", "false"),
            variant=rx.cond(
                BookingState.day == cell.iso, "solid", rx.cond(cell.available, "soft", "ghost")
            ),
            width="100%",
        ),
    )


def _calendar() -> rx.Component:
    return rx.vstack(
        _month_header(),
        rx.grid(
            *[
                rx.text(d, size="1", color=rx.color("gray", 10), align="center")
                for d in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
            ],
            rx.cond(
                BookingState.loading,
                rx.fragment(
                    *[rx.skeleton(rx.box(height="2.2em"), loading=True) for _ in range(35)]
                ),
                rx.foreach(BookingState.cells, _day_button),
            ),
            columns="7",
            spacing="2",
            width="100%",
            role="group",
            aria_label="Days",
        ),
        rx.cond(
            BookingState.loading,
            rx.hstack(rx.spinner(), rx.text("Finding free times…"), role="status"),
        ),
        width="100%",
        spacing="3",
    )


def _times() -> rx.Component:
    return rx.cond(
        BookingState.day != "",
        rx.vstack(
            rx.heading("Available times", size="3", as_="h2"),
            rx.flex(
                rx.foreach(
                    BookingState.times,
                    lambda t: rx.button(
                        t.label,
                        on_click=BookingState.choose_time(t.start, t.label),
                        variant="outline",
                    ),
                ),
                wrap="wrap",
                spacing="2",
                role="group",
                aria_label="Available times",
            ),
            width="100%",
        ),
        rx.text("Choose a day to see the available times.", color=rx.color("gray", 11)),
    )


def _question(q: QuestionField) -> rx.Component:
    field_id = "q-" + q.id
    label = rx.cond(q.required, q.label + " *", q.label)
    control = rx.cond(
        q.kind == "choice",
        rx.el.select(
            rx.el.option("Choose…", value=""),
            rx.foreach(q.choices, lambda c: rx.el.option(c, value=c)),
            id=field_id,
            value=BookingState.answers.get(q.id, ""),
            on_change=lambda v: BookingState.set_answer(q.id, v),
            style={"padding": "0.4em", "width": "100%"},
        ),
        rx.input(
            id=field_id,
            value=BookingState.answers.get(q.id, ""),
            on_change=lambda v: BookingState.set_answer(q.id, v),
            width="100%",
        ),
    )
    return labelled(label, control, field_id)


def _form() -> rx.Component:
    return rx.vstack(
        rx.button("← Other times", on_click=BookingState.back_to_times, variant="ghost"),
        rx.heading(BookingState.start_label, size="3", as_="h2"),
        labelled(
            "Name *",
            rx.input(
                id="name",
                value=BookingState.name,
                on_change=BookingState.set_name,
                width="100%",
                auto_complete="name",
            ),
            "name",
        ),
        labelled(
            "Email *",
            rx.input(
                id="email",
                type="email",
                value=BookingState.email,
                on_change=BookingState.set_email,
                width="100%",
                auto_complete="email",
            ),
            "email",
        ),
        rx.foreach(BookingState.questions, _question),
        rx.button(
            rx.cond(
                BookingState.rescheduling,
                "Move meeting",
                rx.cond(BookingState.online, "Confirm booking", "Request meeting"),
            ),
            on_click=BookingState.submit,
            loading=BookingState.submitting,
            size="3",
        ),
        width="100%",
        spacing="3",
    )


def _messages() -> rx.Component:
    return rx.fragment(
        rx.cond(
            BookingState.notice != "",
            rx.callout(BookingState.notice, icon="clock", color_scheme="amber", role="alert"),
        ),
        rx.cond(
            BookingState.problems.length() > 0,
            rx.callout(
                rx.vstack(
                    rx.text("Please fix:"),
                    rx.foreach(BookingState.problems, lambda p: rx.text("• " + p)),
                ),
                icon="triangle-alert",
                color_scheme="red",
                role="alert",
            ),
        ),
    )


def _booking_panel() -> rx.Component:
    return rx.vstack(
        rx.heading(BookingState.link_name, size="7", as_="h1"),
        rx.text("with ", rx.text.strong(BookingState.host_name)),
        rx.cond(
            ~BookingState.online,
            rx.callout(
                BookingState.host_name
                + " will confirm your request: nothing is added to a calendar until then.",
                icon="info",
                role="note",
            ),
        ),
        rx.cond(
            BookingState.rescheduling,
            rx.callout("Pick a new time for your meeting.", icon="calendar-clock", role="note"),
        ),
        rx.hstack(
            rx.vstack(
                rx.el.label("Time zone", html_for="time-zone", style={"font_weight": "500"}),
                rx.el.select(
                    rx.foreach(TIME_ZONES, lambda z: rx.el.option(z, value=z)),
                    id="time-zone",
                    value=BookingState.time_zone,
                    on_change=BookingState.choose_zone,
                    style={"padding": "0.4em"},
                ),
                spacing="1",
            ),
            rx.cond(
                BookingState.durations.length() > 1,
                rx.vstack(
                    rx.el.label("Duration", html_for="duration", style={"font_weight": "500"}),
                    rx.el.select(
                        rx.foreach(
                            BookingState.durations,
                            lambda d: rx.el.option(d.to_string() + " minutes", value=d.to_string()),
                        ),
                        id="duration",
                        value=BookingState.duration.to_string(),
                        on_change=BookingState.choose_duration,
                        style={"padding": "0.4em"},
                    ),
                    spacing="1",
                ),
            ),
            spacing="5",
            wrap="wrap",
        ),
        _messages(),
        rx.cond(
            BookingState.start == "",
            rx.vstack(_calendar(), _times(), width="100%", spacing="5"),
            _form(),
        ),
        spacing="4",
        width="100%",
        max_width="40em",
    )


@rx.page(route=routes.BOOKING_PAGE, title="Book a meeting", on_load=BookingState.open_page)
def booking_page() -> rx.Component:
    return rx.center(
        rx.cond(
            ~BookingState.opened,
            rx.hstack(rx.spinner(), rx.text("Loading…"), role="status"),
            rx.cond(
                BookingState.not_found,
                rx.vstack(
                    rx.heading("This meeting link does not exist", size="6", as_="h1"),
                    rx.text("Check the address, or ask the person who sent it for a new link."),
                ),
                _booking_panel(),
            ),
        ),
        padding=rx.cond(BookingState.embed, "0.5em", "2em"),
    )
