"""Settings > General > Calendar (/app/settings/calendar): the page of the HubSpot article.

Connect your calendar (S1, S6), the connected account and its health, Meetings URL (S7),
Default booking link (S8), Selected calendars (S9, S10) and Meeting domain (S12, S13).
"""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx
from sqlmodel import Session

from meetings_ui import routes
from meetings_ui.components.forms import confirm_dialog, labelled
from meetings_ui.components.labels import PROVIDER_NAMES, STATUS_LABELS, date_time_label
from meetings_ui.components.layout import host_shell
from meetings_ui.components.locked import locked
from meetings_ui.config import get_settings
from meetings_ui.db import session_scope
from meetings_ui.domain import licences
from meetings_ui.models import User
from meetings_ui.pages.settings import settings_tabs
from meetings_ui.providers.base import ProviderError
from meetings_ui.providers.registry import PROVIDER_LABELS
from meetings_ui.services import calendar_connections as connections
from meetings_ui.services import calendar_settings
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.services.links import links_of
from meetings_ui.state.auth import AuthState

DISCLOSURE = (
    "To power your meetings, Meetings will read this calendar and the other calendars you "
    "can reach through this account, so that busy times are never offered to prospects and "
    "events can be associated with your contacts. It may also create and modify calendars "
    "and events, for example to add the meetings prospects book with you."
)
BUILT_IN = "built-in"
NO_LINK = "none"


@dataclasses.dataclass
class ConnectionRow:
    id: int
    provider: str
    provider_label: str
    email: str
    status: str
    status_label: str
    last_sync: str
    problem: str


@dataclasses.dataclass
class CalendarRow:
    key: str  # "<connection id>|<provider calendar id>"
    name: str
    note: str
    primary: bool


@dataclasses.dataclass
class Choice:
    value: str
    label: str


class CalendarSettingsState(AuthState):
    loaded: bool = False
    connections: list[ConnectionRow] = []
    sandbox: bool = False
    connect_error: str = ""

    connect_open: bool = False
    connect_step: str = "choose"
    provider: str = "google"
    connecting: bool = False

    calendars: list[CalendarRow] = []
    selected: list[str] = []
    meetings_url: str = ""
    url_problems: list[str] = []
    url_suggestions: list[str] = []
    may_change_url: bool = False
    url_reason: str = ""
    link_choices: list[Choice] = []
    default_link: str = NO_LINK
    domain_choices: list[Choice] = []
    meeting_domain: str = BUILT_IN
    may_use_domain: bool = False
    domain_reason: str = ""

    dirty: bool = False
    saving: bool = False
    save_problems: list[str] = []
    disconnect_id: int = 0
    disconnect_label: str = ""

    # --- loading --------------------------------------------------------------------------

    @rx.event
    def load(self) -> None:
        user = self._current_user()
        if user is None:
            return
        code = str(self.router.page.params.get("connect_error", ""))
        self.connect_error = connections.CONNECT_MESSAGES.get(code, "") if code else ""
        self.sandbox = get_settings().uses_sandbox
        with session_scope() as session:
            self._fill(session, user)
        self.loaded, self.dirty, self.save_problems = True, False, []
        self.connect_open, self.connecting, self.disconnect_id = False, False, 0

    def _fill(self, session: Session, user: User) -> None:
        rows = connections.connections_of(session=session, actor=user, user_id=user.id)
        self.connections = [
            ConnectionRow(
                c.id,
                c.provider,
                PROVIDER_NAMES.get(c.provider, c.provider),
                c.account_email,
                c.status,
                STATUS_LABELS.get(c.status, c.status),
                date_time_label(c.last_synced_at),
                c.last_error or "",
            )
            for c in rows
        ]
        self.calendars, self.selected = [], []
        for connection in rows:
            for calendar in connections.calendars_of(session=session, connection=connection):
                key = f"{connection.id}|{calendar.provider_calendar_id}"
                note = (
                    "primary, always checked"
                    if calendar.is_primary
                    else (
                        "busy times only"
                        if calendar.access_role == "free_busy"
                        else calendar.access_role
                    )
                )
                self.calendars.append(CalendarRow(key, calendar.name, note, calendar.is_primary))
                if calendar.selected or calendar.is_primary:
                    self.selected.append(key)
        seats = calendar_settings.seats_of_user(session, user.id)
        url_decision = licences.may_change_meetings_url(seats)
        domain_decision = licences.may_use_custom_domain(seats)
        self.may_change_url, self.url_reason = url_decision.allowed, url_decision.reason
        self.may_use_domain, self.domain_reason = domain_decision.allowed, domain_decision.reason
        self.meetings_url = user.meetings_url or ""
        self.url_problems, self.url_suggestions = [], []
        self.link_choices = [Choice(NO_LINK, "No default link")] + [
            Choice(str(link.id), link.name)
            for link in links_of(session=session, user=user)
            if link.owner_id == user.id
        ]
        self.default_link = str(user.default_link_id) if user.default_link_id else NO_LINK
        self.domain_choices = [
            Choice(BUILT_IN if d.id is None else str(d.id), d.host)
            for d in calendar_settings.available_domains(session)
        ]
        self.meeting_domain = str(user.meeting_domain_id) if user.meeting_domain_id else BUILT_IN

    # --- connecting (S1, S6) ---------------------------------------------------------------

    @rx.event
    def open_connect(self, provider: str = "") -> None:
        self.connect_open, self.connecting = True, False
        self.connect_step = "disclose" if provider else "choose"
        self.provider = provider or "google"

    @rx.event
    def close_connect(self) -> None:
        self.connect_open = False

    @rx.event
    def choose_provider(self, value: str) -> None:
        if value in PROVIDER_NAMES:
            self.provider = value

    @rx.event
    def to_disclosure(self) -> None:
        self.connect_step = "disclose"

    @rx.event
    def back_to_choice(self) -> None:
        self.connect_step = "choose"

    @rx.event(background=True)
    async def accept_and_connect(self) -> None:
        async with self:
            if self.connecting:
                return
            user = self._require_actor()
            self.connecting, self.connect_error = True, ""
            provider = self.provider
        try:
            url = await asyncio.to_thread(_begin, user.id, provider)
        except ProviderError:
            async with self:
                self.connecting = False
                self.connect_error = connections.CONNECT_MESSAGES["unavailable"]
            return
        yield rx.redirect(url)

    # --- disconnect ---------------------------------------------------------------------------

    @rx.event
    def ask_disconnect(self, connection_id: int, label: str) -> None:
        self.disconnect_id, self.disconnect_label = connection_id, label

    @rx.event
    def keep_connection(self) -> None:
        self.disconnect_id = 0

    @rx.event
    def disconnect(self) -> list | None:
        user = self._require_actor()
        with session_scope() as session:
            try:
                connections.do_disconnect(
                    session=session, actor=user, connection_id=self.disconnect_id
                )
            except (connections.ConnectionNotFoundError, ForbiddenError):
                self.disconnect_id = 0
                return [rx.toast.error("That calendar is not yours to disconnect.")]
            self._fill(session, user)
        self.disconnect_id = 0
        return [rx.toast.success("Calendar disconnected")]

    # --- editing ------------------------------------------------------------------------------

    def _changed(self) -> list:
        self.dirty = True
        return [rx.call_script("window.onbeforeunload = () => true")]

    @rx.event
    def set_meetings_url(self, value: str) -> list:
        self.meetings_url = value.strip()
        user = self._require_actor()
        with session_scope() as session:
            self.url_problems, self.url_suggestions = (
                calendar_settings.meetings_url_problems(session, user.id, self.meetings_url)
                if self.meetings_url != (user.meetings_url or "")
                else ([], [])
            )
        return self._changed()

    @rx.event
    def use_suggestion(self, value: str) -> list:
        self.meetings_url, self.url_problems, self.url_suggestions = value, [], []
        return self._changed()

    @rx.event
    def set_default_link(self, value: str) -> list:
        self.default_link = value
        return self._changed()

    @rx.event
    def set_meeting_domain(self, value: str) -> list:
        self.meeting_domain = value
        return self._changed()

    @rx.event
    def add_calendar(self, key: str) -> list | None:
        if not key or key in self.selected:
            return None
        self.selected = [*self.selected, key]
        return self._changed()

    @rx.event
    def remove_calendar(self, key: str) -> list | None:
        if any(c.key == key and c.primary for c in self.calendars):
            return None  # the primary calendar always counts
        self.selected = [k for k in self.selected if k != key]
        return self._changed()

    @rx.event
    def discard(self) -> list:
        self.load()
        return [rx.call_script("window.onbeforeunload = null")]

    @rx.event
    def save(self) -> list | None:
        user = self._require_actor()
        self.saving, self.save_problems = True, []
        with session_scope() as session:
            try:
                calendar_settings.do_save_calendar_settings(
                    session=session,
                    actor=user,
                    user_id=user.id,
                    meetings_url=self.meetings_url,
                    default_link_id=None
                    if self.default_link == NO_LINK
                    else int(self.default_link),
                    meeting_domain_id=None
                    if self.meeting_domain == BUILT_IN
                    else int(self.meeting_domain),
                )
                for row in self.connections:
                    chosen = [
                        k.split("|", 1)[1]
                        for k in self.selected
                        if k.split("|", 1)[0] == str(row.id)
                    ]
                    connections.do_select_calendars(
                        session=session, actor=user, connection_id=row.id, calendar_ids=chosen
                    )
            except calendar_settings.InvalidCalendarSettingsError as refused:
                self.saving = False
                self.save_problems = [f"{field}: {message}" for field, message in refused.problems]
                self.url_suggestions = refused.suggestions
                return None
            except (connections.ConnectionNotFoundError, ForbiddenError) as refused:
                self.saving, self.save_problems = False, [str(refused)]
                return None
            self._fill(session, session.get(User, user.id))
        self.saving, self.dirty = False, False
        return [rx.call_script("window.onbeforeunload = null"), rx.toast.success("Settings saved")]


def _begin(user_id: int, provider: str) -> str:
    with session_scope() as session:
        return connections.do_begin_connect(
            session=session, actor=session.get(User, user_id), provider=provider
        )


# --- the page -------------------------------------------------------------------------------------


def _connect_dialog() -> rx.Component:
    S = CalendarSettingsState  # noqa: N806
    choose = rx.vstack(
        rx.dialog.description("Choose your calendar provider."),
        rx.radio_group.root(
            rx.vstack(
                *[
                    rx.el.label(
                        rx.hstack(rx.radio_group.item(value=value), rx.text(label)),
                        style={"cursor": "pointer"},
                    )
                    for value, label in PROVIDER_LABELS.items()
                ],
            ),
            value=S.provider,
            on_change=S.choose_provider,
            aria_label="Calendar provider",
        ),
        rx.hstack(
            rx.button("Cancel", variant="soft", color_scheme="gray", on_click=S.close_connect),
            rx.button("Connect your calendar", on_click=S.to_disclosure),
            justify="end",
            width="100%",
        ),
        spacing="4",
    )
    disclose = rx.vstack(
        rx.dialog.description(DISCLOSURE),
        rx.cond(
            S.sandbox,
            rx.callout(
                "Sandbox mode: the provider's consent page is simulated locally.",
                icon="flask-conical",
            ),
        ),
        rx.hstack(
            rx.button("Back", variant="soft", color_scheme="gray", on_click=S.back_to_choice),
            rx.button(
                rx.cond(
                    S.provider == "google",
                    "Accept and connect to Google",
                    "Accept and connect to Office 365",
                ),
                on_click=S.accept_and_connect,
                loading=S.connecting,
            ),
            justify="end",
            width="100%",
        ),
        spacing="4",
    )
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Connect your calendar"),
            rx.cond(S.connect_step == "choose", choose, disclose),
            max_width="32em",
        ),
        open=S.connect_open,
        on_open_change=lambda _: S.close_connect(),
    )


def _connection(row: ConnectionRow) -> rx.Component:
    S = CalendarSettingsState  # noqa: N806
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.text(rx.text.strong(row.provider_label), " · ", row.email),
                rx.hstack(
                    rx.badge(
                        row.status_label,
                        color_scheme=rx.cond(row.status == "connected", "green", "red"),
                    ),
                    rx.text("Last sync: ", row.last_sync, size="1", color=rx.color("gray", 11)),
                ),
                rx.cond(
                    row.problem != "", rx.text(row.problem, size="1", color=rx.color("red", 11))
                ),
                spacing="1",
            ),
            rx.hstack(
                rx.cond(
                    row.status != "connected",
                    rx.button(
                        "Reconnect",
                        on_click=S.open_connect(row.provider),
                        aria_label="Reconnect " + row.email,
                    ),
                ),
                rx.button(
                    "Disconnect",
                    variant="soft",
                    color_scheme="red",
                    on_click=S.ask_disconnect(row.id, row.email),
                    aria_label="Disconnect " + row.email,
                ),
            ),
            justify="between",
            width="100%",
            align="center",
        ),
        width="100%",
    )


def _calendar_section() -> rx.Component:
    S = CalendarSettingsState  # noqa: N806
    return rx.vstack(
        rx.heading("Calendar", size="5", as_="h2"),
        rx.cond(
            S.connect_error != "",
            rx.callout(S.connect_error, icon="triangle-alert", color_scheme="red", role="alert"),
        ),
        rx.cond(
            S.connections.length() > 0,
            rx.vstack(rx.foreach(S.connections, _connection), width="100%"),
            rx.text(
                "No calendar is connected. Prospects can still request meetings (offline mode)."
            ),
        ),
        rx.button(
            rx.icon("calendar-plus"),
            "Connect your calendar",
            on_click=S.open_connect(""),
            disabled=~rx.State.is_hydrated,
        ),
        width="100%",
        spacing="3",
    )


def _chip(row: CalendarRow) -> rx.Component:
    S = CalendarSettingsState  # noqa: N806
    return rx.cond(
        S.selected.contains(row.key),
        rx.badge(
            row.name,
            rx.text(" (", row.note, ")", size="1"),
            rx.cond(
                row.primary,
                rx.fragment(),
                rx.icon_button(
                    rx.icon("x", size=12),
                    size="1",
                    variant="ghost",
                    on_click=S.remove_calendar(row.key),
                    aria_label="Remove " + row.name,
                ),
            ),
            size="2",
            variant="soft",
        ),
    )


def _selected_calendars() -> rx.Component:
    S = CalendarSettingsState  # noqa: N806
    return rx.vstack(
        rx.el.label("Selected calendars", html_for="add-calendar", style={"font_weight": "600"}),
        rx.text(
            "Busy times on every selected calendar block your booking pages.",
            size="2",
            color=rx.color("gray", 11),
        ),
        rx.flex(
            rx.foreach(S.calendars, _chip),
            wrap="wrap",
            spacing="2",
            role="list",
            aria_label="Chosen calendars",
        ),
        rx.el.select(
            rx.el.option("Add a calendar…", value=""),
            rx.foreach(
                S.calendars,
                lambda c: rx.cond(
                    S.selected.contains(c.key), rx.fragment(), rx.el.option(c.name, value=c.key)
                ),
            ),
            id="add-calendar",
            value="",
            on_change=S.add_calendar,
            disabled=S.calendars.length() == 0,
            style={"padding": "0.4em"},
        ),
        spacing="2",
        width="100%",
    )


def _meetings_url() -> rx.Component:
    S = CalendarSettingsState  # noqa: N806
    return rx.vstack(
        rx.el.label("Meetings URL", html_for="meetings-url", style={"font_weight": "600"}),
        locked(
            rx.input(
                id="meetings-url",
                value=S.meetings_url,
                on_change=S.set_meetings_url.debounce(300),
                disabled=~S.may_change_url,
                aria_describedby="lock-meetings-url",
                width="100%",
            ),
            allowed=S.may_change_url,
            reason=S.url_reason,
            notice_id="lock-meetings-url",
        ),
        rx.text(
            "Links you create from now on use it; existing links keep their URL.",
            size="1",
            color=rx.color("gray", 11),
        ),
        rx.foreach(
            S.url_problems, lambda p: rx.text(p, color=rx.color("red", 11), size="2", role="alert")
        ),
        rx.cond(
            S.url_suggestions.length() > 0,
            rx.hstack(
                rx.text("Free:", size="2"),
                rx.foreach(
                    S.url_suggestions,
                    lambda s: rx.button(
                        s, size="1", variant="outline", on_click=S.use_suggestion(s)
                    ),
                ),
            ),
        ),
        spacing="1",
        width="100%",
    )


def _select(
    label: str,
    field_id: str,
    value: rx.Var,
    choices: rx.Var,
    on_change: rx.EventHandler,
    **props: object,
) -> rx.Component:
    control = rx.el.select(
        rx.foreach(choices, lambda c: rx.el.option(c.label, value=c.value)),
        id=field_id,
        value=value,
        on_change=on_change,
        style={"padding": "0.4em", "min_width": "20em"},
        **props,
    )
    return labelled(label, control, field_id)


def _settings_form() -> rx.Component:
    S = CalendarSettingsState  # noqa: N806
    return rx.vstack(
        rx.heading("Meeting settings", size="5", as_="h2"),
        _meetings_url(),
        _select(
            "Default booking link",
            "default-link",
            S.default_link,
            S.link_choices,
            S.set_default_link,
        ),
        _selected_calendars(),
        locked(
            _select(
                "Meeting domain",
                "meeting-domain",
                S.meeting_domain,
                S.domain_choices,
                S.set_meeting_domain,
                disabled=~S.may_use_domain,
                aria_describedby="lock-meeting-domain",
            ),
            allowed=S.may_use_domain,
            reason=S.domain_reason,
            notice_id="lock-meeting-domain",
        ),
        rx.cond(
            S.save_problems.length() > 0,
            rx.callout(
                rx.vstack(rx.foreach(S.save_problems, rx.text)),
                icon="triangle-alert",
                color_scheme="red",
                role="alert",
            ),
        ),
        rx.hstack(
            rx.button("Save", on_click=S.save, loading=S.saving, disabled=~rx.State.is_hydrated),
            rx.cond(
                S.dirty,
                rx.hstack(
                    rx.text("You have unsaved changes.", role="status"),
                    rx.button("Discard changes", variant="ghost", on_click=S.discard),
                ),
            ),
            align="center",
            spacing="3",
        ),
        spacing="4",
        width="100%",
    )


def _disconnect_dialog() -> rx.Component:
    S = CalendarSettingsState  # noqa: N806
    return confirm_dialog(
        title="Disconnect this calendar?",
        description=S.disconnect_label + " will no longer block your booking pages, "
        "and new bookings will not be added to it.",
        confirm_label="Disconnect calendar",
        open_=S.disconnect_id != 0,
        on_keep=S.keep_connection,
        on_confirm=S.disconnect,
    )


@rx.page(
    route=routes.SETTINGS_CALENDAR,
    title="Calendar settings · Meetings",
    on_load=[AuthState.require_user, CalendarSettingsState.load],
)
def calendar_settings_page() -> rx.Component:
    return host_shell(
        "Calendar",
        settings_tabs(),
        rx.cond(
            CalendarSettingsState.loaded,
            rx.vstack(
                _calendar_section(), rx.separator(), _settings_form(), spacing="5", width="100%"
            ),
            rx.hstack(rx.spinner(), rx.text("Loading your calendar settings…"), role="status"),
        ),
        _connect_dialog(),
        _disconnect_dialog(),
    )
