"""The "Scheduled meetings" tab of the Meetings page (M11): the offline-mode requests to
confirm or decline first (S3), then the meetings booked on the host's links, paged on the
server, with filter, search, cancel and reschedule. The services decide who may do what."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime

import reflex as rx

from meetings_ui import i18n
from meetings_ui.components.forms import dialog_actions, form_error, labelled
from meetings_ui.components.i18n import t, tr
from meetings_ui.components.layout import data_table
from meetings_ui.domain.enums import BookingStatus
from meetings_ui.domain.messages import N_
from meetings_ui.services import bookings as booking_service
from meetings_ui.services import host_meetings
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.services.host_meetings import MeetingFilter
from meetings_ui.state.auth import AuthState

REQUESTS_PAGE_SIZE = 10
FILTER_LABELS = {
    MeetingFilter.UPCOMING: N_("Upcoming"),
    MeetingFilter.REQUESTS: N_("Requests"),
    MeetingFilter.PAST: N_("Past"),
    MeetingFilter.CANCELLED: N_("Cancelled or declined"),
    MeetingFilter.ALL: N_("All meetings"),
}
ALL_LINKS = "all"
STATUS_LABELS = {
    BookingStatus.REQUESTED: N_("Request"),
    BookingStatus.CONFIRMED: N_("Confirmed"),
    BookingStatus.CANCELLED: N_("Cancelled"),
}
STATUS_COLOURS = {
    BookingStatus.REQUESTED: "amber",
    BookingStatus.CONFIRMED: "green",
    BookingStatus.CANCELLED: "gray",
}
GONE = N_("This meeting no longer exists, or is not yours.")
# What the host cannot fix in a dialog: said in a toast, and the list is read again.
REFUSALS = (
    booking_service.BookingNotFoundError,  # its MeetingStartedError too
    booking_service.RequestClosedError,
    ForbiddenError,
)


@dataclasses.dataclass
class MeetingItem:
    id: int
    prospect: str
    email: str
    when: str
    link: str
    status: str
    colour: str
    source: str
    can_change: bool
    problem: str


def _item(state: AuthState, row: host_meetings.MeetingRow) -> MeetingItem:
    """A meeting as the host reads it: words in their language, times in their locale."""
    tz = row.start.tzinfo
    return MeetingItem(
        id=row.id,
        prospect=row.prospect_name,
        email=row.prospect_email,
        when=state.t(
            "{start}–{end}",
            start=i18n.format_datetime(row.start, state.locale, tz, "medium"),
            end=i18n.format_time(row.end, state.locale, tz),
        ),
        link=row.link_name,
        status=state.t(STATUS_LABELS[row.status]),
        colour=STATUS_COLOURS[row.status],
        source=state.translate(row.source.value),
        can_change=row.can_change,
        problem=state.translate(row.calendar_error or ""),
    )


class ScheduledMeetingsState(AuthState):
    loaded: bool = False
    loading: bool = False
    time_zone: str = ""
    requests: list[MeetingItem] = []
    requests_total: int = 0
    requests_offset: int = 0
    rows: list[MeetingItem] = []
    total: int = 0
    offset: int = 0
    which: str = MeetingFilter.UPCOMING.value
    link_filter: str = ALL_LINKS
    search: str = ""
    link_options: list[list[str]] = []  # [id, name]
    # The meeting a dialog is about; which dialog is open.
    target_id: int = 0
    target_name: str = ""
    dialog: str = ""  # "decline", "cancel", "busy", "reschedule" or ""
    message: str = ""
    busy_reasons: list[str] = []
    working: bool = False
    dialog_error: str = ""
    move_day: str = ""
    move_times: list[str] = []  # the labels shown; _move_starts maps them to instants
    move_time: str = ""
    _move_starts: dict[str, str] = {}

    @rx.var
    def showing(self) -> str:
        if self.total == 0:
            return ""
        last = min(self.offset + host_meetings.PAGE_SIZE, self.total)
        return self.t(
            "Showing {first}–{last} of {total}", first=self.offset + 1, last=last, total=self.total
        )

    @rx.var
    def has_previous(self) -> bool:
        return self.offset > 0

    @rx.var
    def has_next(self) -> bool:
        return self.offset + host_meetings.PAGE_SIZE < self.total

    @rx.var
    def requests_showing(self) -> str:
        last = min(self.requests_offset + REQUESTS_PAGE_SIZE, self.requests_total)
        return self.t(
            "Showing {first}–{last} of {total} requests",
            first=self.requests_offset + 1,
            last=last,
            total=self.requests_total,
        )

    @rx.var
    def requests_paged(self) -> bool:
        return self.requests_total > REQUESTS_PAGE_SIZE

    @rx.var
    def empty_message(self) -> str:
        if self.search.strip() or self.link_filter != ALL_LINKS:
            return self.t("No meeting matches this search.")
        return self.t(
            {
                MeetingFilter.UPCOMING: N_(
                    "No upcoming meetings. Share a meeting link to get booked."
                ),
                MeetingFilter.REQUESTS: N_("No requests waiting for an answer."),
                MeetingFilter.PAST: N_("No past meetings yet."),
                MeetingFilter.CANCELLED: N_("No cancelled or declined meetings."),
            }.get(self.which, N_("No meetings booked on your links yet."))
        )

    @rx.event
    def open_tab(self, tab: str) -> None:
        if tab == "scheduled":
            self.refresh()

    def refresh(self) -> None:
        """Read the page the host is on again, from the server."""
        actor = self._current_user()
        if actor is None:
            return
        requests = host_meetings.meetings_of(
            actor=actor,
            which=MeetingFilter.REQUESTS,
            offset=self.requests_offset,
            limit=REQUESTS_PAGE_SIZE,
        )
        if requests.total and requests.offset >= requests.total:  # answered the last ones
            self.requests_offset = 0
            self.refresh()
            return
        link_id = int(self.link_filter) if self.link_filter.isdigit() else None
        page = host_meetings.meetings_of(
            actor=actor,
            which=MeetingFilter(self.which),
            link_id=link_id,
            search=self.search,
            offset=self.offset,
            limit=host_meetings.PAGE_SIZE,
        )
        if page.total and page.offset >= page.total:
            self.offset = 0
            self.refresh()
            return
        self.requests = [_item(self, r) for r in requests.rows]
        self.requests_total = requests.total
        self.rows = [_item(self, r) for r in page.rows]
        self.total = page.total
        self.time_zone = page.time_zone
        self.link_options = [
            [str(link_id), name] for link_id, name in host_meetings.link_choices(actor=actor)
        ]
        self.loaded = True

    @rx.event
    def set_which(self, value: str) -> None:
        self.which = value if value in {f.value for f in MeetingFilter} else "upcoming"
        self.offset = 0
        self.refresh()

    @rx.event
    def set_link_filter(self, value: str) -> None:
        known = {option[0] for option in self.link_options}
        self.link_filter, self.offset = (value if value in known else ALL_LINKS), 0
        self.refresh()

    @rx.event
    def set_search(self, value: str) -> None:
        self.search, self.offset = value[: host_meetings.MAX_SEARCH_LENGTH], 0
        self.refresh()

    @rx.event
    def previous_page(self) -> None:
        self.offset = max(0, self.offset - host_meetings.PAGE_SIZE)
        self.refresh()

    @rx.event
    def next_page(self) -> None:
        if self.offset + host_meetings.PAGE_SIZE < self.total:
            self.offset += host_meetings.PAGE_SIZE
        self.refresh()

    @rx.event
    def previous_requests(self) -> None:
        self.requests_offset = max(0, self.requests_offset - REQUESTS_PAGE_SIZE)
        self.refresh()

    @rx.event
    def next_requests(self) -> None:
        if self.requests_offset + REQUESTS_PAGE_SIZE < self.requests_total:
            self.requests_offset += REQUESTS_PAGE_SIZE
        self.refresh()

    # --- actions ----------------------------------------------------------------------------

    def _open(self, dialog: str, booking_id: int, name: str) -> None:
        self.dialog, self.target_id, self.target_name = dialog, booking_id, name
        self.message, self.dialog_error, self.working = "", "", False

    def _close(self) -> None:
        self.dialog, self.target_id, self.working = "", 0, False

    @rx.event
    def close_dialog(self) -> None:
        self._close()

    @rx.event
    def set_message(self, value: str) -> None:
        self.message = value

    def _refused(self, error: Exception) -> rx.event.EventSpec:
        """A refusal the host cannot fix in the dialog: say it, show the list as it is now."""
        self._close()
        self.refresh()
        return rx.toast.error(self.translate(str(error)) if str(error) else self.t(GONE))

    @rx.event(background=True)
    async def confirm(
        self, booking_id: int, name: str, anyway: bool = False
    ) -> AsyncIterator[rx.event.EventSpec]:
        """Confirm a request; its calendar is read live (slow), so in the background."""
        async with self:
            if self.working:
                return
            actor = self._require_actor()
            self._open("busy" if anyway else "", booking_id, name)
            self.working = True
        try:
            done = await asyncio.to_thread(
                host_meetings.do_confirm, actor=actor, booking_id=booking_id, anyway=anyway
            )
        except booking_service.TimeNowBusyError as busy:
            async with self:
                self.dialog, self.busy_reasons, self.working = "busy", busy.reasons, False
            return
        except REFUSALS as refused:
            async with self:
                toast = self._refused(refused)
            yield toast
            return
        async with self:
            self._close()
            self.refresh()
        if done.already:
            yield rx.toast.info(self.t("The meeting with {name} was already confirmed.", name=name))
        elif done.calendar_write_queued:
            yield rx.toast.success(
                self.t(
                    "Confirmed: {name} is told, and the event is being added to your calendar.",
                    name=name,
                )
            )
        else:
            yield rx.toast.success(
                self.t(
                    "Confirmed: {name} is told. Nothing was added to a calendar: no calendar "
                    "is connected.",
                    name=name,
                )
            )

    @rx.event
    def confirm_anyway(self) -> rx.event.EventSpec:
        return ScheduledMeetingsState.confirm(self.target_id, self.target_name, True)

    @rx.event
    def ask_decline(self, booking_id: int, name: str) -> None:
        self._open("decline", booking_id, name)

    @rx.event
    def ask_cancel(self, booking_id: int, name: str) -> None:
        self._open("cancel", booking_id, name)

    @rx.event
    def answer(self) -> Iterator[rx.event.EventSpec | None]:
        """Decline the request, or cancel the meeting, the dialog is about."""
        declining = self.dialog == "decline"
        self.working, self.dialog_error = True, ""
        yield
        action = host_meetings.do_decline if declining else host_meetings.do_cancel
        try:
            action(actor=self._require_actor(), booking_id=self.target_id, message=self.message)
        except booking_service.InvalidBookingError as refused:
            self.working = False
            self.dialog_error = "; ".join(self.translate(m) for _, m in refused.problems)
            return
        except REFUSALS as refused:
            yield self._refused(refused)
            return
        name = self.target_name
        self._close()
        self.refresh()
        yield rx.toast.success(
            self.t("Request declined: {name} is told.", name=name)
            if declining
            else self.t("Meeting cancelled: {name} is told.", name=name)
        )

    @rx.event
    def ask_reschedule(self, booking_id: int, name: str) -> None:
        self._open("reschedule", booking_id, name)
        self.move_day, self.move_times, self.move_time, self._move_starts = "", [], "", {}

    @rx.event(background=True)
    async def set_move_day(self, value: str) -> AsyncIterator[rx.event.EventSpec]:
        """The day's free times, read live from the calendars (slow): in the background."""
        async with self:
            self.move_day, self.move_time, self.dialog_error = value, "", ""
            self.move_times, self._move_starts = [], {}
            try:
                day = date.fromisoformat(value)
            except ValueError:
                return
            actor, booking_id = self._require_actor(), self.target_id
            self.working = True
        try:
            slots = await asyncio.to_thread(
                host_meetings.free_times, actor=actor, booking_id=booking_id, day=day
            )
        except REFUSALS as refused:
            async with self:
                toast = self._refused(refused)
            yield toast
            return
        except ValueError as refused:  # a day the engine does not schedule
            async with self:
                self.working, self.dialog_error = False, self.translate(str(refused))
            return
        async with self:
            if self.move_day != value:  # another day was chosen meanwhile
                return
            self._move_starts = {
                i18n.format_time(s.start, self.locale, s.start.tzinfo): s.start.isoformat()
                for s in slots
            }
            self.move_times = list(self._move_starts)
            self.working = False

    @rx.event
    def set_move_time(self, value: str) -> None:
        self.move_time = value

    @rx.event(background=True)
    async def move(self) -> AsyncIterator[rx.event.EventSpec]:
        """Book the new time (live calendar read, slow), then cancel the old one."""
        async with self:
            start = self._move_starts.get(self.move_time)
            if start is None:
                self.dialog_error = self.t("Choose a day, then one of its free times.")
                return
            if self.working:
                return
            actor, booking_id, name = self._require_actor(), self.target_id, self.target_name
            self.working, self.dialog_error = True, ""
        try:
            await asyncio.to_thread(
                host_meetings.do_reschedule,
                actor=actor,
                booking_id=booking_id,
                new_start=datetime.fromisoformat(start),
            )
        except booking_service.SlotUnavailableError:
            async with self:
                self.working = False
                self.dialog_error = self.t("This time was just taken: choose another.")
            return
        except booking_service.InvalidBookingError as refused:
            async with self:
                self.working = False
                self.dialog_error = "; ".join(self.translate(m) for _, m in refused.problems)
            return
        except REFUSALS as refused:
            async with self:
                toast = self._refused(refused)
            yield toast
            return
        async with self:
            self._close()
            self.refresh()
        yield rx.toast.success(self.t("Meeting moved: {name} is told the new time.", name=name))


State = ScheduledMeetingsState


# --- components ---------------------------------------------------------------------------


def _pager(
    showing: rx.Var[str],
    has_previous: rx.Var[bool],
    has_next: rx.Var[bool],
    on_previous: rx.EventHandler,
    on_next: rx.EventHandler,
    previous_label: rx.Var[str],
    next_label: rx.Var[str],
) -> rx.Component:
    return rx.hstack(
        rx.text(showing, size="2", role="status"),
        rx.hstack(
            rx.button(
                t("Previous"),
                variant="soft",
                size="1",
                disabled=~has_previous,
                on_click=on_previous,
                aria_label=previous_label,
            ),
            rx.button(
                t("Next"),
                variant="soft",
                size="1",
                disabled=~has_next,
                on_click=on_next,
                aria_label=next_label,
            ),
            spacing="2",
        ),
        justify="between",
        align="center",
        width="100%",
    )


def _request(item: MeetingItem) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.text(
                    t(
                        "{prospect} ({email}) asks for “{link}”",
                        prospect=item.prospect,
                        email=item.email,
                        link=item.link,
                    )
                ),
                rx.text(t("{when} ({zone})", when=item.when, zone=State.time_zone), size="2"),
                spacing="1",
            ),
            rx.cond(
                item.can_change,
                rx.hstack(
                    rx.button(
                        t("Confirm"),
                        size="2",
                        on_click=State.confirm(item.id, item.prospect, False),
                        loading=State.working & (State.target_id == item.id),
                        aria_label=t("Confirm the request of {name}", name=item.prospect),
                    ),
                    rx.button(
                        t("Decline"),
                        size="2",
                        variant="soft",
                        color_scheme="red",
                        on_click=State.ask_decline(item.id, item.prospect),
                        aria_label=t("Decline the request of {name}", name=item.prospect),
                    ),
                    spacing="2",
                ),
                rx.text(t("Its host answers it."), size="2", color=rx.color("gray", 11)),
            ),
            justify="between",
            align="center",
            wrap="wrap",
            width="100%",
        ),
        width="100%",
    )


def _requests() -> rx.Component:
    return rx.cond(
        State.requests_total > 0,
        rx.vstack(
            rx.heading(t("Requests to answer"), size="4", as_="h2"),
            rx.text(
                t(
                    "These prospects booked while no calendar was connected (offline mode). "
                    "Confirm to tell them the meeting is on, or decline."
                ),
                size="2",
            ),
            rx.foreach(State.requests, _request),
            rx.cond(
                State.requests_paged,
                _pager(
                    State.requests_showing,
                    State.requests_offset > 0,
                    State.requests_offset + REQUESTS_PAGE_SIZE < State.requests_total,
                    State.previous_requests,
                    State.next_requests,
                    t("Previous page of requests"),
                    t("Next page of requests"),
                ),
            ),
            width="100%",
            spacing="2",
        ),
    )


def _row(item: MeetingItem) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(rx.text(item.prospect), rx.text(item.email, size="1"), spacing="0")
        ),
        rx.table.cell(item.when),
        rx.table.cell(item.link),
        rx.table.cell(
            rx.vstack(
                rx.badge(item.status, color_scheme=item.colour),
                rx.cond(item.problem != "", rx.text(item.problem, size="1", color_scheme="red")),
                spacing="1",
            )
        ),
        rx.table.cell(item.source),
        rx.table.cell(
            rx.cond(
                item.can_change,
                rx.hstack(
                    rx.button(
                        t("Reschedule"),
                        size="1",
                        variant="soft",
                        on_click=State.ask_reschedule(item.id, item.prospect),
                        aria_label=t("Reschedule the meeting with {name}", name=item.prospect),
                    ),
                    rx.button(
                        t("Cancel"),
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        on_click=State.ask_cancel(item.id, item.prospect),
                        aria_label=t("Cancel the meeting with {name}", name=item.prospect),
                    ),
                    spacing="2",
                ),
            )
        ),
    )


def _filters() -> rx.Component:
    return rx.hstack(
        rx.box(
            labelled(
                t("Show"),
                rx.select.root(
                    rx.select.trigger(id="meetings-filter", aria_label=t("Show")),
                    rx.select.content(
                        *[
                            rx.select.item(tr(label), value=value.value)
                            for value, label in FILTER_LABELS.items()
                        ]
                    ),
                    value=State.which,
                    on_change=State.set_which,
                ),
                "meetings-filter",
            ),
            width="14em",
        ),
        rx.box(
            labelled(
                t("Link"),
                rx.select.root(
                    rx.select.trigger(id="meetings-link", aria_label=t("Link")),
                    rx.select.content(
                        rx.select.item(t("All links"), value=ALL_LINKS),
                        rx.foreach(State.link_options, lambda o: rx.select.item(o[1], value=o[0])),
                    ),
                    value=State.link_filter,
                    on_change=State.set_link_filter,
                ),
                "meetings-link",
            ),
            width="14em",
        ),
        rx.box(
            labelled(
                t("Search"),
                rx.input(
                    id="meetings-search",
                    value=State.search,
                    on_change=State.set_search.debounce(300),
                    placeholder=t("Prospect name or email"),
                    max_length=host_meetings.MAX_SEARCH_LENGTH,
                ),
                "meetings-search",
            ),
            width="20em",
        ),
        spacing="4",
        wrap="wrap",
        align="end",
        width="100%",
    )


def _table() -> rx.Component:
    return rx.cond(
        ~State.loaded,
        rx.hstack(rx.spinner(), rx.text(t("Loading your meetings…")), role="status"),
        rx.cond(
            State.rows.length() > 0,
            rx.vstack(
                data_table(
                    (t("Prospect"), t("Time"), t("Link"), t("Status"), t("Source"), t("Actions")),
                    State.rows,
                    _row,
                ),
                _pager(
                    State.showing,
                    State.has_previous,
                    State.has_next,
                    State.previous_page,
                    State.next_page,
                    t("Previous page of meetings"),
                    t("Next page of meetings"),
                ),
                width="100%",
            ),
            rx.callout(State.empty_message, icon="calendar-x", role="status"),
        ),
    )


def _message_dialog(
    kind: str, title: rx.Var[str], description: rx.Var[str], action: rx.Var[str]
) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description),
            labelled(
                t("Message to the prospect (optional)"),
                rx.text_area(
                    id=f"{kind}-message",
                    value=State.message,
                    on_change=State.set_message,
                    rows="3",
                    width="100%",
                    max_length=booking_service.MAX_MESSAGE_LENGTH,
                ),
                f"{kind}-message",
            ),
            form_error(State.dialog_error),
            dialog_actions(
                t("Keep it"),
                State.close_dialog,
                rx.button(action, color_scheme="red", on_click=State.answer, loading=State.working),
            ),
        ),
        open=State.dialog == kind,
    )


def _busy_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("This time is now busy")),
            rx.alert_dialog.description(
                t("This time is now busy in your calendar: confirming it may double-book you.")
            ),
            rx.el.ul(rx.foreach(State.busy_reasons, lambda r: rx.el.li(rx.text(r, size="2")))),
            dialog_actions(
                t("Keep it as a request"),
                State.close_dialog,
                rx.button(
                    t("Confirm anyway"),
                    color_scheme="orange",
                    on_click=State.confirm_anyway,
                    loading=State.working,
                ),
            ),
        ),
        open=State.dialog == "busy",
    )


def _reschedule_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("Reschedule the meeting with {name}", name=State.target_name)),
            rx.dialog.description(
                t(
                    "Choose a new free time (in {zone}). {name} is emailed the new time.",
                    zone=State.time_zone,
                    name=State.target_name,
                )
            ),
            labelled(
                t("Day"),
                rx.input(
                    id="move-day", type="date", value=State.move_day, on_change=State.set_move_day
                ),
                "move-day",
            ),
            rx.cond(
                State.working & (State.dialog == "reschedule"),
                rx.hstack(rx.spinner(), rx.text(t("Reading your free times…")), role="status"),
                rx.cond(
                    State.move_times.length() > 0,
                    labelled(
                        t("Free time"),
                        rx.select(
                            State.move_times,
                            id="move-time",
                            value=State.move_time,
                            on_change=State.set_move_time,
                            placeholder=t("Choose a time"),
                        ),
                        "move-time",
                    ),
                    rx.cond(
                        State.move_day != "",
                        rx.text(t("No free time that day: choose another."), size="2"),
                    ),
                ),
            ),
            form_error(State.dialog_error),
            dialog_actions(
                t("Keep it"),
                State.close_dialog,
                rx.button(t("Move meeting"), on_click=State.move, disabled=State.move_time == ""),
            ),
        ),
        open=State.dialog == "reschedule",
        on_open_change=lambda _: State.close_dialog(),
    )


def scheduled_meetings_tab() -> rx.Component:
    return rx.vstack(
        _requests(),
        rx.heading(t("Meetings"), size="4", as_="h2"),
        rx.cond(
            State.time_zone != "",
            rx.text(t("Times are in your time zone, {zone}.", zone=State.time_zone), size="2"),
        ),
        _filters(),
        _table(),
        _message_dialog(
            "decline",
            t("Decline this request?"),
            t(
                "{name} is emailed that you cannot meet at that time.",
                name=State.target_name,
            ),
            t("Decline request"),
        ),
        _message_dialog(
            "cancel",
            t("Cancel this meeting?"),
            t(
                "The meeting with {name} is cancelled, in your calendar too, and they are emailed.",
                name=State.target_name,
            ),
            t("Cancel meeting"),
        ),
        _busy_dialog(),
        _reschedule_dialog(),
        spacing="4",
        width="100%",
    )


def meetings_tabs(links_tab: rx.Component) -> rx.Component:
    """The Meetings page's two tabs: the links (first, as before) and the meetings."""
    return rx.tabs.root(
        rx.tabs.list(
            rx.tabs.trigger(t("Meeting links"), value="links"),
            rx.tabs.trigger(t("Scheduled meetings"), value="scheduled"),
        ),
        rx.tabs.content(links_tab, value="links", padding_top="1em"),
        rx.tabs.content(scheduled_meetings_tab(), value="scheduled", padding_top="1em"),
        default_value="links",
        on_change=State.open_tab,
        width="100%",
    )
