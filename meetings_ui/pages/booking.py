"""The public booking page, /meetings/<slug>: a month of free days, the day's times in the
prospect's own time zone, the form, then the confirmation page. No log-in.

Also serves rescheduling (?reschedule=<signed token>) and the embeddable widget (?embed=1).
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime
from typing import TypeVar

import reflex as rx
from reflex.istate.data import RouterData

from meetings_ui import routes
from meetings_ui.components.brand import BrandVars, branded
from meetings_ui.components.embed import EMBED_ROOT
from meetings_ui.components.forms import labelled
from meetings_ui.components.i18n import t
from meetings_ui.components.layout import logo
from meetings_ui.components.time_zone_picker import time_zone_picker
from meetings_ui.domain.time_zones import canonical_name, is_time_zone
from meetings_ui.services import booking_pages, challenges, rate_limits
from meetings_ui.services.booking_pages import DayCell, QuestionView, TimeChoice
from meetings_ui.services.domain_brand import LinkMovedError
from meetings_ui.state.auth import visitor_ip
from meetings_ui.state.locale import LocaleState
from meetings_ui.state.navigation import full_page_load, page_host, query_value

VISITOR_COOKIE = "meetings_visitor"
ZONE_STORAGE = "meetings_zone"
# First in every page's head, before Reflex connects: the browser's zone goes to
# localStorage, which Reflex sends with the tab's first event (BookingState.browser_zone),
# so opening the booking page needs no round trip to ask the browser for it.
ZONE_SCRIPT = (
    f"try {{ localStorage.setItem({json.dumps(ZONE_STORAGE)}, "
    "Intl.DateTimeFormat().resolvedOptions().timeZone); } catch (ignored) {}"
)
T = TypeVar("T")


def _counted(check: Callable[..., None], client_ip: str, slug: str, call: Callable[[], T]) -> T:
    """`call()` once the public API's rate limit (rate_limits.slots_query / booking_request,
    the same counters) lets this client and link go on; else RateLimitedError, uncounted."""
    check(client_ip=client_ip, slug=slug)
    return call()


def _checked_booking(
    client_ip: str, slug: str, solution: str, call: Callable[[], booking_pages.BookingResult]
) -> booking_pages.BookingResult:
    """Book once the rate limit and the challenge (challenges.py) let this request go on."""
    rate_limits.booking_request(client_ip=client_ip, slug=slug)
    challenges.verify(challenges.BOOKING, solution, client_ip)
    return call()


def _too_many(state: LocaleState, refused: rate_limits.RateLimitedError) -> str:
    return state.t_plural(
        "Too many requests from your network just now: try again in {count} minute.",
        "Too many requests from your network just now: try again in {count} minutes.",
        refused.minutes,
    )


class BookingState(BrandVars, LocaleState):
    """One prospect on one booking page. The state keeps what the services said and what
    the prospect chose; the grid, the times and the labels are computed vars over it."""

    opened: bool = False
    not_found: bool = False
    embed: bool = False
    link_name: str = ""
    host_name: str = ""
    online: bool = True
    durations: list[int] = []
    location: str = ""
    video: str = ""  # "Google Meet", "Teams", "web" (the host's own address) or ""
    questions: list[QuestionView] = []
    rescheduling: bool = False

    time_zone: str = "UTC"
    detected_zone: str = ""  # the browser's own zone, listed first in the picker
    month: str = ""  # YYYY-MM, the month shown
    duration: int = 30
    day: str = ""  # the chosen YYYY-MM-DD, in the prospect's zone
    start: str = ""  # the chosen ISO instant
    loading: bool = True  # the free times of the month are on their way

    name: str = ""
    email: str = ""
    answers: dict[str, str] = {}
    problems: list[str] = []
    notice: str = ""
    submitting: bool = False
    limited: str = ""  # the page could not even open: too many requests from this network

    visitor: str = rx.Cookie("", name=VISITOR_COOKIE, max_age=365 * 24 * 3600, same_site="lax")
    browser_zone: str = rx.LocalStorage("", name=ZONE_STORAGE, sync=False)  # ZONE_SCRIPT's
    _slug: str = ""
    _page_host: str = ""  # the page's host: it decides which links are served (M10)
    _reschedule_token: str = ""
    _slots: list[datetime] = []  # free slot starts (UTC) of `month`, in every zone

    # --- derived ----------------------------------------------------------------------------

    @rx.var
    def month_label(self) -> str:
        return booking_pages.month_label(self.month, self.locale)

    @rx.var
    def weekdays(self) -> list[str]:
        return list(booking_pages.weekday_labels(self.locale))

    @rx.var
    def cells(self) -> list[DayCell]:
        """Not recomputed (nor resent) when a day is picked: the page marks the chosen one."""
        return booking_pages.month_cells(self.month, self._slots, self.time_zone, self.locale)

    @rx.var
    def month_is_empty(self) -> bool:
        """No free day in the month shown, in the prospect's zone (the page suggests the
        next month)."""
        return not any(cell.available for cell in self.cells)

    @rx.var
    def times(self) -> list[TimeChoice]:
        return booking_pages.day_times(self._slots, self.time_zone, self.day, self.locale)

    @rx.var
    def start_label(self) -> str:
        return booking_pages.moment_label(self.start, self.time_zone, self.locale)

    @rx.var
    def host_initials(self) -> str:
        return "".join(word[0] for word in self.host_name.split()[:2]).upper() or "?"

    @rx.var
    def submit_label(self) -> str:
        if self.rescheduling:
            return self.t("Move meeting")
        return self.t("Confirm booking") if self.online else self.t("Request meeting")

    # --- loading ----------------------------------------------------------------------------

    @rx.event
    def open_page(self) -> rx.event.EventSpec:
        """The page's `on_load`. A tab that showed a page before (a reload, another link) is
        cleared at once, so it shows the spinner rather than the last view while loading;
        a new tab is not written until the answer is in."""
        if self.opened:
            self.opened, self.loading = False, True
        return BookingState.load_page

    @rx.event(background=True)
    async def load_page(self) -> AsyncIterator[rx.event.EventSpec]:
        """The link and its month, read in a thread; the browser's zone came with the tab's
        first event (no round trip to ask it), and the state is written once."""
        router = self.router
        slug, host = self.slug, page_host(router)
        reschedule_token = query_value(router, "reschedule")
        call = functools.partial(
            booking_pages.open_booking_page,
            slug=slug,
            browser_zone=self.browser_zone,
            visitor_token=self.visitor,
            reschedule_token=reschedule_token,
            page_host=host,
        )
        try:
            page = await asyncio.to_thread(
                _counted, rate_limits.slots_query, visitor_ip(router), slug, call
            )
        except rate_limits.RateLimitedError as refused:
            async with self:
                self._start_afresh(router, slug, host, reschedule_token)
                self.opened, self.limited = True, _too_many(self, refused)
            return
        except LinkMovedError as moved:
            # A custom domain's link opened on the app domain: its one address is there.
            query = router.url.query
            yield full_page_load(f"{moved.url}?{query}" if query else moved.url)
            return
        async with self:
            if slug != self.slug:
                return  # the tab went on to another link meanwhile
            self._start_afresh(router, slug, host, reschedule_token)
            self.opened, self.not_found = True, page is None
            if page is None:
                return
            self.link_name, self.host_name = page.link_name, page.host_name
            self.location, self.video = page.location, page.video
            self._take_brand(page.brand)
            self.durations, self.questions = list(page.durations), list(page.questions)
            self.time_zone, self.rescheduling = page.time_zone, page.rescheduling
            self.problems = [self.translate(problem) for problem in page.problems]
            if page.prefill is not None:
                self.name, self.email = page.prefill.name, page.prefill.email
                self.answers = dict(page.prefill.answers)
            self.month, self.duration = page.slots.month, page.slots.duration
            self._show(page.slots)

    def _start_afresh(
        self, router: RouterData, slug: str, host: str, reschedule_token: str
    ) -> None:
        """What the tab knew of an earlier page goes (it may come back to this one)."""
        self._slug, self._page_host, self._reschedule_token = slug, host, reschedule_token
        self.embed = query_value(router, "embed") == "1"
        self.detected_zone = canonical_name(self.browser_zone) or ""
        self.submitting, self.limited = False, ""
        self.problems, self.notice, self.start, self.day = [], "", "", ""

    def _show(self, slots: booking_pages.MonthSlots) -> None:
        """Take a month's free times, unless the prospect has moved on since it was asked."""
        if (slots.month, slots.duration) != (self.month, self.duration):
            return
        self.online = slots.online
        self._slots = list(slots.starts)
        self.loading = False

    async def _load_month(self) -> None:
        """Read the shown month's free times in a thread (the host's calendars are asked)."""
        async with self:
            self.loading = True
            call = functools.partial(
                booking_pages.month_slots,
                slug=self._slug,
                month=self.month,
                duration=self.duration,
                reschedule_token=self._reschedule_token if self.rescheduling else "",
                page_host=self._page_host,
            )
            slug, client_ip = self._slug, visitor_ip(self.router)
        try:
            slots = await asyncio.to_thread(
                _counted, rate_limits.slots_query, client_ip, slug, call
            )
        except rate_limits.RateLimitedError as refused:
            async with self:
                self._slots, self.loading, self.notice = [], False, _too_many(self, refused)
            return
        async with self:
            if slots is None:
                self.not_found = True
            else:
                self._show(slots)

    # --- choosing ---------------------------------------------------------------------------

    @rx.event
    def choose_zone(self, value: str) -> None:
        """No reload: the month's free times cover every zone."""
        if not is_time_zone(value):
            self.problems = [self.t("Choose a time zone from the list.")]
            return
        self.time_zone = value

    @rx.event(background=True)
    async def choose_duration(self, value: str) -> None:
        async with self:
            if not str(value).isdigit() or int(value) not in self.durations:
                return
            self.duration, self.start = int(value), ""
        await self._load_month()

    @rx.event(background=True)
    async def shift_month(self, step: int) -> None:
        async with self:
            if step not in (-1, 1):  # the page only steps one month either way
                return
            self.month = booking_pages.shift_month(self.month, step)
            self.day, self.start = "", ""
        await self._load_month()

    @rx.event
    def choose_day(self, iso: str) -> None:
        """Events come from the browser: only a real date is taken."""
        try:
            date.fromisoformat(iso)
        except (TypeError, ValueError):
            return
        self.day, self.start, self.notice = iso, "", ""

    @rx.event
    def choose_time(self, start: str) -> None:
        if start not in {choice.start for choice in self.times}:
            return  # not one of the free times offered
        self.start, self.problems = start, []

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

    @rx.event
    def submit(self) -> rx.event.EventSpec | None:
        """Have the browser solve the challenge first, when one is configured."""
        if self.submitting or not self.start:
            return None
        self.submitting, self.problems, self.notice = True, [], ""
        challenge = challenges.issue(challenges.BOOKING)
        if challenge is None:
            return BookingState.book("")
        return rx.call_script(challenges.browser_script(challenge), callback=BookingState.book)

    @rx.event(background=True)
    async def book(self, solution: str) -> AsyncIterator[rx.event.EventSpec]:
        """Book in a thread: the host's calendar is read and written."""
        async with self:
            if not self.start:
                self.submitting = False
                return
            call = functools.partial(
                booking_pages.book,
                slug=self._slug,
                form=booking_pages.BookingForm(
                    start=self.start,
                    time_zone=self.time_zone,
                    duration=self.duration,
                    name=self.name,
                    email=self.email,
                    answers=dict(self.answers),
                ),
                visitor_token=self.visitor,
                reschedule_token=self._reschedule_token if self.rescheduling else "",
                month=self.month,
                page_host=self._page_host,
                locale=self.locale,  # the words and dates of the prospect's emails
            )
            slug, client_ip = self._slug, visitor_ip(self.router)
        try:
            result = await asyncio.to_thread(
                _checked_booking, client_ip, slug, str(solution or ""), call
            )
        except rate_limits.RateLimitedError as refused:
            async with self:
                self.submitting, self.notice = False, _too_many(self, refused)
            return
        except challenges.ChallengeFailedError as failed:
            async with self:
                self.submitting, self.notice = False, self.translate(str(failed))
            return
        async with self:
            if result.confirmation_path:
                self.visitor = result.visitor_token  # stays `submitting` while it leaves
            else:
                self.submitting = False
                self.problems = [self.translate(problem) for problem in result.problems]
            if result.taken:
                self.start, self.notice = "", self.t("This time was just taken — pick another.")
            if result.slots is not None:
                self._show(result.slots)
        if result.confirmation_path:
            # In a partner's frame the confirmation stays framed (its padding, its height).
            embed = "&embed=1" if self.embed else ""
            yield rx.redirect(result.confirmation_path + embed)


# --- the page -----------------------------------------------------------------------------------


def _month_header() -> rx.Component:
    return rx.hstack(
        rx.icon_button(
            rx.icon("chevron-left"),
            on_click=BookingState.shift_month(-1),
            aria_label=t("Previous month"),
            variant="soft",
        ),
        rx.heading(BookingState.month_label, size="4", as_="h2", aria_live="polite"),
        rx.icon_button(
            rx.icon("chevron-right"),
            on_click=BookingState.shift_month(1),
            aria_label=t("Next month"),
            variant="soft",
        ),
        justify="between",
        align="center",
        width="100%",
    )


def _day_button(cell: DayCell) -> rx.Component:
    chosen = BookingState.day == cell.iso
    return rx.cond(
        cell.blank,
        rx.box(),
        rx.button(
            cell.number,
            on_click=BookingState.choose_day(cell.iso),
            disabled=~cell.available,
            aria_label=cell.label,
            aria_pressed=rx.cond(chosen, "true", "false"),
            variant=rx.cond(chosen, "solid", rx.cond(cell.available, "soft", "ghost")),
            width="100%",
            min_width="0",
            padding="0",
            custom_attrs={"data-day": cell.iso},
        ),
    )


# Arrow keys move between the grid's free days (Left/Right a day, Up/Down a week, skipping
# days without times), as in a date picker; Tab still leaves the grid. Installed once.
DAY_GRID_KEYS = """
if (!window.__meetingsDayGridKeys) {
  window.__meetingsDayGridKeys = true;
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const grid = target instanceof Element && target.closest("[data-day-grid]");
    const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 }[event.key];
    if (!grid || !step || !target.matches("button[data-day]")) return;
    const days = Array.from(grid.querySelectorAll("button[data-day]"));
    let index = days.indexOf(target) + step;
    while (index >= 0 && index < days.length && days[index].disabled) index += Math.sign(step);
    if (index >= 0 && index < days.length) {
      event.preventDefault();
      days[index].focus();
    }
  });
}
"""


def _calendar() -> rx.Component:
    return rx.vstack(
        _month_header(),
        rx.grid(
            rx.foreach(
                BookingState.weekdays,
                lambda d: rx.text(d, size="1", color=rx.color("gray", 11), align="center"),
            ),
            rx.cond(
                BookingState.loading,
                rx.fragment(
                    *[rx.skeleton(rx.box(height="2.2em"), loading=True) for _ in range(35)]
                ),
                rx.foreach(BookingState.cells, _day_button),
            ),
            columns="7",
            spacing="1",
            width="100%",
            role="group",
            aria_label=t("Days"),
            aria_busy=rx.cond(BookingState.loading, "true", "false"),
            custom_attrs={"data-day-grid": ""},
            on_mount=rx.call_script(DAY_GRID_KEYS),
        ),
        rx.cond(
            BookingState.loading,
            rx.hstack(rx.spinner(), rx.text(t("Finding free times…")), role="status"),
            rx.cond(
                BookingState.month_is_empty,
                rx.callout(
                    rx.vstack(
                        rx.text(t("No free times in {month}.", month=BookingState.month_label)),
                        rx.button(
                            t("See next month"),
                            rx.icon("arrow-right", size=16),
                            on_click=BookingState.shift_month(1),
                            variant="soft",
                            size="2",
                        ),
                        spacing="2",
                    ),
                    icon="calendar-x",
                    role="status",
                    width="100%",
                ),
            ),
        ),
        width="100%",
        spacing="3",
    )


def _times() -> rx.Component:
    return rx.cond(
        BookingState.times.length() > 0,
        rx.vstack(
            rx.heading(t("Available times"), size="3", as_="h2"),
            rx.text(
                t("Times in {zone}", zone=BookingState.time_zone),
                size="1",
                color=rx.color("gray", 11),
            ),
            rx.grid(
                rx.foreach(
                    BookingState.times,
                    lambda choice: rx.button(
                        choice.label,
                        on_click=BookingState.choose_time(choice.start),
                        variant="outline",
                        width="100%",
                    ),
                ),
                columns=rx.breakpoints(initial="3", sm="4"),
                spacing="2",
                width="100%",
                role="group",
                aria_label=t("Available times"),
            ),
            width="100%",
        ),
        rx.cond(
            ~BookingState.loading & ~BookingState.month_is_empty,
            rx.text(t("Choose a day to see the available times."), color=rx.color("gray", 11)),
        ),
    )


def _question(q: QuestionView) -> rx.Component:
    field_id = "q-" + q.id
    label = rx.cond(q.required, q.label + " *", q.label)
    control = rx.cond(
        q.kind == "choice",
        rx.el.select(
            rx.el.option(t("Choose…"), value=""),
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


def _contact_field(
    label: rx.Var[str], name: str, value: rx.Var[str], on_change: rx.event.EventHandler
) -> rx.Component:
    """Name and email: the browser may fill them in (autocomplete names the same)."""
    control = rx.input(
        id=name,
        type="email" if name == "email" else "text",
        value=value,
        on_change=on_change,
        width="100%",
        auto_complete=name,
    )
    return labelled(label, control, name)


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.button(
                rx.icon("arrow-left", size=16),
                t("Other times"),
                on_click=BookingState.back_to_times,
                variant="ghost",
                type="button",
            ),
            rx.heading(BookingState.start_label, size="3", as_="h2"),
            _contact_field(t("Name *"), "name", BookingState.name, BookingState.set_name),
            _contact_field(t("Email *"), "email", BookingState.email, BookingState.set_email),
            rx.foreach(BookingState.questions, _question),
            rx.text(
                rx.cond(
                    BookingState.online,
                    t("You will get a confirmation email with a calendar invitation."),
                    t(
                        "{host} will confirm your request; you will get an email either way.",
                        host=BookingState.host_name,
                    ),
                ),
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.button(
                BookingState.submit_label,
                loading=BookingState.submitting,
                size="3",
                type="submit",
                width="100%",
            ),
            width="100%",
            spacing="3",
        ),
        on_submit=lambda _: BookingState.submit(),
        width="100%",
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
                    rx.text(t("Please fix:")),
                    rx.foreach(BookingState.problems, lambda p: rx.text("• " + p)),
                ),
                icon="triangle-alert",
                color_scheme="red",
                role="alert",
            ),
        ),
    )


def _meeting_facts() -> rx.Component:
    """Who, what, how long and where: the first things a prospect checks."""
    return rx.vstack(
        rx.hstack(
            rx.avatar(fallback=BookingState.host_initials, size="4", radius="full"),
            rx.vstack(
                rx.text(BookingState.host_name, weight="bold"),
                rx.heading(BookingState.link_name, size="6", as_="h1"),
                spacing="0",
            ),
            align="center",
            spacing="3",
        ),
        rx.flex(
            rx.hstack(
                rx.icon("clock", size=16, aria_hidden="true"),
                rx.text(
                    t(
                        "{minutes} min",
                        minutes=rx.cond(
                            BookingState.durations.length() > 1,
                            BookingState.durations.join(" / "),
                            BookingState.duration.to_string(),
                        ),
                    )
                ),
                align="center",
                spacing="1",
            ),
            rx.cond(
                BookingState.video != "",
                rx.hstack(
                    rx.icon("video", size=16, aria_hidden="true"),
                    rx.text(
                        rx.cond(
                            BookingState.video == "web",
                            t("Video meeting (link in the confirmation)"),
                            t("{video} video meeting", video=BookingState.video),
                        )
                    ),
                    align="center",
                    spacing="1",
                ),
            ),
            rx.cond(
                BookingState.location != "",
                rx.hstack(
                    rx.icon("map-pin", size=16, aria_hidden="true"),
                    rx.text(BookingState.location),
                    align="center",
                    spacing="1",
                ),
            ),
            wrap="wrap",
            spacing="4",
            color=rx.color("gray", 11),
        ),
        spacing="3",
        width="100%",
    )


def _durations() -> rx.Component:
    """Several durations: one button each, the chosen one pressed."""
    return rx.cond(
        BookingState.durations.length() > 1,
        rx.vstack(
            rx.text(t("Duration"), weight="medium", id="duration-label"),
            rx.flex(
                rx.foreach(
                    BookingState.durations,
                    lambda d: rx.button(
                        t("{minutes} min", minutes=d),
                        on_click=BookingState.choose_duration(d.to_string()),
                        aria_pressed=rx.cond(BookingState.duration == d, "true", "false"),
                        variant=rx.cond(BookingState.duration == d, "solid", "outline"),
                        size="2",
                    ),
                ),
                wrap="wrap",
                spacing="2",
                role="group",
                aria_labelledby="duration-label",
            ),
            spacing="1",
        ),
    )


def _booking_panel() -> rx.Component:
    return rx.vstack(
        rx.cond((BookingState.brand_name == "") & (BookingState.brand_logo == ""), logo("32px")),
        _meeting_facts(),
        rx.cond(
            ~BookingState.online,
            rx.callout(
                t(
                    "{host} will confirm your request: nothing is added to a calendar until then.",
                    host=BookingState.host_name,
                ),
                icon="info",
                role="note",
            ),
        ),
        rx.cond(
            BookingState.rescheduling,
            rx.callout(t("Pick a new time for your meeting."), icon="calendar-clock", role="note"),
        ),
        rx.divider(),
        _messages(),
        rx.cond(
            BookingState.start == "",
            rx.vstack(
                _durations(),
                time_zone_picker(
                    t("Time zone"),
                    BookingState.time_zone,
                    BookingState.choose_zone,
                    preferred=BookingState.detected_zone,
                    id="time-zone",
                ),
                _calendar(),
                _times(),
                width="100%",
                spacing="4",
            ),
            _form(),
        ),
        spacing="4",
        width="100%",
        max_width="40em",
    )


@rx.page(route=routes.BOOKING_PAGE, title=t("Book a meeting"), on_load=BookingState.open_page)
def booking_page() -> rx.Component:
    # The framed page posts this element's height to the partner's page (components/embed).
    return branded(BookingState, _booking_page(), custom_attrs={EMBED_ROOT: ""})


def _booking_page() -> rx.Component:
    return rx.center(
        rx.cond(
            ~BookingState.opened,
            rx.hstack(rx.spinner(), rx.text(t("Loading…")), role="status"),
            rx.cond(
                BookingState.not_found,
                rx.vstack(
                    rx.heading(
                        t("Not found: this meeting link does not exist"), size="6", as_="h1"
                    ),
                    rx.text(t("Check the address, or ask the person who sent it for a new link.")),
                ),
                rx.cond(
                    BookingState.limited != "",
                    rx.callout(
                        BookingState.limited, icon="clock", color_scheme="amber", role="alert"
                    ),
                    _booking_panel(),
                ),
            ),
        ),
        padding=rx.cond(BookingState.embed, "0.5em", "1.25em"),
    )
