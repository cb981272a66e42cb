"""Settings > General > Calendar (/app/settings/calendar): the page of the HubSpot article.

Connect your calendar (S1, S6), the connected account and its health, Meetings URL (S7),
Default booking link (S8), Selected calendars (S9, S10) and Meeting domain (S12, S13).

The page keeps the settings as saved (`_saved`, from one service call) and the form's
values; everything shown is computed from those two.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.connections import (
    DisconnectState,
    disconnect_button,
    disconnect_dialog,
    health,
)
from meetings_ui.components.forms import dialog_actions, labelled
from meetings_ui.components.i18n import t
from meetings_ui.components.labels import (
    PROVIDER_CHOICES,
    PROVIDER_NAMES,
    STATUS_LABELS,
    SYNC_LABELS,
)
from meetings_ui.components.layout import host_shell
from meetings_ui.components.locked import UNKNOWN, locked
from meetings_ui.domain.enums import ConnectionStatus, Provider
from meetings_ui.domain.licences import Decision
from meetings_ui.domain.messages import N_
from meetings_ui.pages.settings import settings_tabs
from meetings_ui.services import calendar_connections as connections
from meetings_ui.services import calendar_settings
from meetings_ui.services.calendar_settings import CalendarSettingsView
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.state.auth import AuthState
from meetings_ui.state.navigation import full_page_load, query_value

DISCLOSURE = N_(
    "To power your meetings, Meetings will read this calendar and the other calendars you "
    "can reach through this account, so that busy times are never offered to prospects and "
    "events can be associated with your contacts. It may also create and modify calendars "
    "and events, for example to add the meetings prospects book with you."
)
NONE = "none"  # the select value of "no default link" and of the built-in domain
CHOOSE, DISCLOSE = "choose", "disclose"  # the steps of the connect dialog
LEAVE_FREELY = rx.call_script("window.onbeforeunload = null")
ASK_BEFORE_LEAVING = rx.call_script("window.onbeforeunload = () => true")


@dataclasses.dataclass(frozen=True)
class ConnectionRow:
    id: int
    provider: str
    provider_label: str
    email: str
    status_label: str
    connected: bool
    last_sync: str
    problem: str
    sync: str


@dataclasses.dataclass(frozen=True)
class CalendarRow:
    key: str
    name: str
    note: str
    primary: bool


@dataclasses.dataclass(frozen=True)
class Option:
    value: str
    label: str


def _key(connection_id: int, calendar_id: str) -> str:
    """One calendar of one connected account, as a select value."""
    return f"{connection_id}|{calendar_id}"


def _saved_selection(saved: CalendarSettingsView) -> list[str]:
    return [_key(c.connection_id, c.calendar_id) for c in saved.calendars if c.selected]


def _option_value(choice_id: int | None) -> str:
    return NONE if choice_id is None else str(choice_id)


def _choice_id(value: str) -> int | None:
    return None if value == NONE else int(value)


class CalendarSettingsState(DisconnectState, AuthState):
    _saved: CalendarSettingsView | None = None
    _selected: list[str] = []  # keys of the calendars chosen in the form

    meetings_url: str = ""
    default_link: str = NONE
    meeting_domain: str = NONE
    url_problems: list[str] = []
    url_suggestions: list[str] = []
    save_problems: list[str] = []
    saving: bool = False
    connect_error: str = ""

    connect_open: bool = False
    connect_step: str = CHOOSE
    provider: str = Provider.GOOGLE.value
    connecting: bool = False

    # --- what the page shows, computed from the saved settings and the form ---------------

    @rx.var
    def loaded(self) -> bool:
        return self._saved is not None

    @rx.var
    def sandbox(self) -> bool:
        """The chosen provider's consent page is the local sandbox's."""
        return self._saved is not None and self.provider in self._saved.sandboxed

    @rx.var
    def provider_options(self) -> list[Option]:
        """Only the providers this server offers (credentials, or the sandbox)."""
        offered = self._saved.providers if self._saved else ()
        return [Option(p.value, self.translate(PROVIDER_CHOICES[p])) for p in offered]

    @rx.var
    def can_connect(self) -> bool:
        return self._saved is not None and len(self._saved.providers) > 0

    @rx.var
    def connections(self) -> list[ConnectionRow]:
        if self._saved is None:
            return []
        return [
            ConnectionRow(
                id=c.id,
                provider=c.provider.value,
                provider_label=self.translate(PROVIDER_NAMES[c.provider]),
                email=c.account_email,
                status_label=self.translate(STATUS_LABELS[c.status]),
                connected=c.status == ConnectionStatus.CONNECTED,
                last_sync=self._moment(c.last_synced_at),
                problem=self.translate(c.problem),
                sync=self.translate(SYNC_LABELS[c.sync_mode]),
            )
            for c in self._saved.connections
        ]

    def _calendar_rows(self) -> list[CalendarRow]:
        if self._saved is None:
            return []
        return [
            CalendarRow(
                key=_key(c.connection_id, c.calendar_id),
                name=c.name,
                note=self.t("primary, always checked")
                if c.is_primary
                else (self.t("busy times only") if c.busy_times_only else c.access_role),
                primary=c.is_primary,
            )
            for c in self._saved.calendars
        ]

    @rx.var
    def chosen_calendars(self) -> list[CalendarRow]:
        return [row for row in self._calendar_rows() if row.key in self._selected]

    @rx.var
    def other_calendars(self) -> list[CalendarRow]:
        return [row for row in self._calendar_rows() if row.key not in self._selected]

    @rx.var
    def has_calendars(self) -> bool:
        return self._saved is not None and len(self._saved.calendars) > 0

    @rx.var
    def link_options(self) -> list[Option]:
        links = self._saved.links if self._saved else ()
        return [Option(NONE, self.t("No default link"))] + [
            Option(_option_value(link.id), link.label) for link in links
        ]

    @rx.var
    def domain_options(self) -> list[Option]:
        domains = self._saved.domains if self._saved else ()
        return [Option(_option_value(d.id), d.label) for d in domains]

    @rx.var
    def url_lock(self) -> Decision:
        return self._said(self._saved.url_lock) if self._saved else UNKNOWN

    @rx.var
    def domain_lock(self) -> Decision:
        return self._said(self._saved.domain_lock) if self._saved else UNKNOWN

    def _said(self, decision: Decision) -> Decision:
        """A licence decision with its reason in the reader's language."""
        return dataclasses.replace(decision, reason=self.translate(decision.reason))

    @rx.var
    def accept_label(self) -> str:
        provider = self.translate(PROVIDER_NAMES[Provider(self.provider)])
        return self.t("Accept and connect to {provider}", provider=provider)

    def _is_dirty(self) -> bool:
        saved = self._saved
        if saved is None:
            return False
        return (
            self.meetings_url != saved.meetings_url
            or self.default_link != _option_value(saved.default_link_id)
            or self.meeting_domain != _option_value(saved.meeting_domain_id)
            or set(self._selected) != set(_saved_selection(saved))
        )

    @rx.var
    def dirty(self) -> bool:
        return self._is_dirty()

    # --- loading ----------------------------------------------------------------------------

    @rx.event
    def load(self) -> None:
        user = self._current_user()
        if user is None:
            return
        code = query_value(self.router, "connect_error")
        self.connect_error = self.translate(connections.CONNECT_MESSAGES.get(code, ""))
        self._present(calendar_settings.calendar_settings_of(actor=user))
        self.connect_open = self.connecting = False
        self.disconnect_id = 0

    def _present(self, saved: CalendarSettingsView) -> None:
        """Show the settings as saved, and reset the form to them."""
        self._saved = saved
        self._selected = _saved_selection(saved)
        self.meetings_url = saved.meetings_url
        self.default_link = _option_value(saved.default_link_id)
        self.meeting_domain = _option_value(saved.meeting_domain_id)
        self.url_problems, self.url_suggestions, self.save_problems = [], [], []

    # --- connecting (S1, S6) ----------------------------------------------------------------

    def _offered(self) -> tuple[Provider, ...]:
        return self._saved.providers if self._saved else ()

    @rx.event
    def open_connect(self, provider: str) -> None:
        """Reconnecting names the account's provider and goes straight to the disclosure;
        connecting starts from the first provider offered."""
        offered = self._offered()
        if not provider and not offered:
            return
        self.connect_open, self.connecting = True, False
        self.connect_step = DISCLOSE if provider else CHOOSE
        self.provider = provider or offered[0].value

    @rx.event
    def close_connect(self) -> None:
        self.connect_open = False

    @rx.event
    def choose_provider(self, value: str) -> None:
        if value in self._offered():
            self.provider = value

    @rx.event
    def to_disclosure(self) -> None:
        self.connect_step = DISCLOSE

    @rx.event
    def back_to_choice(self) -> None:
        self.connect_step = CHOOSE

    @rx.event(background=True)
    async def accept_and_connect(self) -> AsyncIterator[rx.event.EventSpec]:
        """Start the consent flow (the provider may be called): the button spins meanwhile."""
        async with self:
            if self.connecting:
                return
            actor = self._require_actor()
            self.connecting, self.connect_error = True, ""
            provider = Provider(self.provider)
        try:
            url = await asyncio.to_thread(
                connections.do_begin_connect, actor=actor, provider=provider
            )
        except connections.ConnectError as failed:
            async with self:
                self.connecting = self.connect_open = False
                self.connect_error = self.translate(str(failed))
            return
        yield full_page_load(url)  # the provider's consent page, maybe on this host

    def _disconnected(self, connection_id: int) -> str:
        """The account's calendars leave the form too; other unsaved edits stay."""
        saved = self._saved
        if saved is not None:
            self._saved = dataclasses.replace(
                saved,
                connections=tuple(c for c in saved.connections if c.id != connection_id),
                calendars=tuple(c for c in saved.calendars if c.connection_id != connection_id),
            )
        self._selected = [k for k in self._selected if not k.startswith(_key(connection_id, ""))]
        return self.t("Calendar disconnected")

    # --- editing ----------------------------------------------------------------------------

    def _edited(self) -> rx.event.EventSpec:
        """Ask before leaving the page while the form differs from what is saved."""
        return ASK_BEFORE_LEAVING if self._is_dirty() else LEAVE_FREELY

    @rx.event
    def set_meetings_url(self, value: str) -> rx.event.EventSpec:
        self.meetings_url = value.strip()
        check = calendar_settings.check_meetings_url(
            actor=self._require_actor(), candidate=self.meetings_url
        )
        self.url_problems = [self.translate(problem) for problem in check.problems]
        self.url_suggestions = list(check.suggestions)
        return self._edited()

    @rx.event
    def use_suggestion(self, value: str) -> rx.event.EventSpec:
        self.meetings_url, self.url_problems, self.url_suggestions = value, [], []
        return self._edited()

    @rx.event
    def set_default_link(self, value: str) -> rx.event.EventSpec | None:
        if value not in {option.value for option in self.link_options}:
            return None  # not one of the links offered
        self.default_link = value
        return self._edited()

    @rx.event
    def set_meeting_domain(self, value: str) -> rx.event.EventSpec | None:
        if value not in {option.value for option in self.domain_options}:
            return None  # not one of the domains offered
        self.meeting_domain = value
        return self._edited()

    @rx.event
    def add_calendar(self, key: str) -> rx.event.EventSpec | None:
        if key not in {row.key for row in self._calendar_rows()} or key in self._selected:
            return None
        self._selected = [*self._selected, key]
        return self._edited()

    @rx.event
    def remove_calendar(self, key: str) -> rx.event.EventSpec | None:
        if any(row.key == key and row.primary for row in self._calendar_rows()):
            return None  # the primary calendar always counts
        self._selected = [k for k in self._selected if k != key]
        return self._edited()

    @rx.event
    def discard(self) -> rx.event.EventSpec:
        if self._saved is not None:
            self._present(self._saved)
        return LEAVE_FREELY

    def _selection(self) -> dict[int, list[str]]:
        """The chosen calendars of every connected account, as the save takes them."""
        saved = self._saved
        chosen: dict[int, list[str]] = {c.id: [] for c in saved.connections} if saved else {}
        for key in self._selected:
            connection_id, calendar_id = key.split("|", 1)
            chosen.setdefault(int(connection_id), []).append(calendar_id)
        return chosen

    @rx.event(background=True)
    async def save(self) -> AsyncIterator[rx.event.EventSpec]:
        """Save the whole form as one use case: all of it, or nothing and why."""
        async with self:
            if self.saving or self._saved is None:
                return
            actor = self._require_actor()
            self.saving, self.save_problems = True, []
            form = {
                "user_id": actor.id,
                "meetings_url": self.meetings_url,
                "default_link_id": _choice_id(self.default_link),
                "meeting_domain_id": _choice_id(self.meeting_domain),
                "selected_calendars": self._selection(),
            }
        try:
            saved = await asyncio.to_thread(
                calendar_settings.do_save_calendar_settings, actor=actor, **form
            )
        except calendar_settings.InvalidCalendarSettingsError as refused:
            async with self:
                self.saving = False
                self.save_problems = [
                    self.t(
                        "{field}: {problem}",
                        field=self.translate(field),
                        problem=self.translate(message),
                    )
                    for field, message in refused.problems
                ]
                self.url_suggestions = refused.suggestions
            return
        except ForbiddenError as refused:
            async with self:
                self.saving, self.save_problems = False, [self.translate(str(refused))]
            return
        except Exception:
            async with self:
                self.saving = False  # the form stays usable; the error is shown and logged
            raise
        async with self:
            self.saving = False
            self._present(saved)
        yield LEAVE_FREELY
        yield rx.toast.success(self.t("Settings saved"))


# --- the page -------------------------------------------------------------------------------------


def _connect_dialog() -> rx.Component:
    choose = rx.vstack(
        rx.dialog.description(t("Choose your calendar provider.")),
        rx.radio_group.root(
            rx.vstack(
                rx.foreach(
                    CalendarSettingsState.provider_options,
                    lambda option: rx.el.label(
                        rx.hstack(rx.radio_group.item(value=option.value), rx.text(option.label)),
                        style={"cursor": "pointer"},
                    ),
                ),
            ),
            value=CalendarSettingsState.provider,
            on_change=CalendarSettingsState.choose_provider,
            aria_label=t("Calendar provider"),
        ),
        dialog_actions(
            t("Cancel"),
            CalendarSettingsState.close_connect,
            rx.button(t("Connect your calendar"), on_click=CalendarSettingsState.to_disclosure),
        ),
        spacing="4",
    )
    disclose = rx.vstack(
        rx.dialog.description(t(DISCLOSURE)),
        rx.cond(
            CalendarSettingsState.sandbox,
            rx.callout(
                t("Sandbox mode: the provider's consent page is simulated locally."),
                icon="flask-conical",
            ),
        ),
        dialog_actions(
            t("Back"),
            CalendarSettingsState.back_to_choice,
            rx.button(
                CalendarSettingsState.accept_label,
                on_click=CalendarSettingsState.accept_and_connect,
                loading=CalendarSettingsState.connecting,
            ),
        ),
        spacing="4",
    )
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("Connect your calendar")),
            rx.cond(CalendarSettingsState.connect_step == CHOOSE, choose, disclose),
            max_width="32em",
        ),
        open=CalendarSettingsState.connect_open,
        on_open_change=lambda _: CalendarSettingsState.close_connect(),
    )


def _connection(row: ConnectionRow) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.text(rx.text.strong(row.provider_label), " · ", row.email),
                health(
                    row.status_label,
                    row.connected,
                    row.problem,
                    rx.text(
                        t("Last sync: {moment}", moment=row.last_sync),
                        size="1",
                        color=rx.color("gray", 11),
                    ),
                    rx.text(row.sync, size="1", color=rx.color("gray", 11)),
                ),
                spacing="1",
            ),
            rx.hstack(
                rx.cond(
                    row.connected,
                    rx.fragment(),
                    rx.button(
                        t("Reconnect"),
                        on_click=CalendarSettingsState.open_connect(row.provider),
                        aria_label=t("Reconnect {account}", account=row.email),
                    ),
                ),
                disconnect_button(CalendarSettingsState, row.id, row.email),
            ),
            justify="between",
            width="100%",
            align="center",
        ),
        width="100%",
    )


def _calendar_section() -> rx.Component:
    return rx.vstack(
        rx.heading(t("Calendar"), size="5", as_="h2"),
        rx.cond(
            CalendarSettingsState.connect_error != "",
            rx.callout(
                CalendarSettingsState.connect_error,
                icon="triangle-alert",
                color_scheme="red",
                role="alert",
            ),
        ),
        rx.cond(
            CalendarSettingsState.connections.length() > 0,
            rx.vstack(rx.foreach(CalendarSettingsState.connections, _connection), width="100%"),
            rx.callout(
                t(
                    "No calendar is connected. Prospects can still request meetings "
                    "(offline mode), but they will not be added to your calendar."
                ),
                icon="calendar-off",
                color_scheme="gray",
                role="status",
            ),
        ),
        rx.cond(
            CalendarSettingsState.can_connect,
            rx.button(
                rx.icon("calendar-plus"),
                t("Connect your calendar"),
                on_click=CalendarSettingsState.open_connect(""),
                disabled=~rx.State.is_hydrated,
            ),
            rx.text(
                t(
                    "No calendar provider is configured on this server: an administrator sets "
                    "GOOGLE_CLIENT_ID or MICROSOFT_CLIENT_ID (and its secret) to offer one."
                )
            ),
        ),
        width="100%",
        spacing="3",
    )


def _chip(row: CalendarRow) -> rx.Component:
    return rx.badge(
        row.name,
        rx.text(" (", row.note, ")", size="1"),
        rx.cond(
            row.primary,
            rx.fragment(),
            rx.icon_button(
                rx.icon("x", size=12),
                size="1",
                variant="ghost",
                on_click=CalendarSettingsState.remove_calendar(row.key),
                aria_label=t("Remove {calendar}", calendar=row.name),
            ),
        ),
        size="2",
        variant="soft",
        role="listitem",
    )


def _selected_calendars() -> rx.Component:
    return rx.vstack(
        rx.el.label(t("Selected calendars"), html_for="add-calendar", style={"font_weight": "600"}),
        rx.text(
            t("Busy times on every selected calendar block your booking pages."),
            size="2",
            color=rx.color("gray", 11),
        ),
        rx.flex(
            rx.foreach(CalendarSettingsState.chosen_calendars, _chip),
            wrap="wrap",
            spacing="2",
            role="list",
            aria_label=t("Chosen calendars"),
        ),
        rx.el.select(
            rx.el.option(t("Add a calendar…"), value=""),
            rx.foreach(
                CalendarSettingsState.other_calendars, lambda c: rx.el.option(c.name, value=c.key)
            ),
            id="add-calendar",
            value="",
            on_change=CalendarSettingsState.add_calendar,
            disabled=~CalendarSettingsState.has_calendars,
            style={"padding": "0.4em"},
        ),
        rx.cond(
            ~CalendarSettingsState.has_calendars,
            rx.text(
                t("Connect your calendar first, then choose which of its calendars count."),
                size="1",
                color=rx.color("gray", 11),
            ),
        ),
        spacing="2",
        width="100%",
    )


def _meetings_url() -> rx.Component:
    return rx.vstack(
        rx.el.label(t("Meetings URL"), html_for="meetings-url", style={"font_weight": "600"}),
        locked(
            rx.input(
                id="meetings-url",
                value=CalendarSettingsState.meetings_url,
                on_change=CalendarSettingsState.set_meetings_url.debounce(300),
                disabled=~CalendarSettingsState.url_lock.allowed,
                aria_describedby="lock-meetings-url",
                width="100%",
            ),
            lock=CalendarSettingsState.url_lock,
            notice_id="lock-meetings-url",
        ),
        rx.text(
            t("Links you create from now on use it; existing links keep their URL."),
            size="1",
            color=rx.color("gray", 11),
        ),
        rx.foreach(
            CalendarSettingsState.url_problems,
            lambda p: rx.text(p, color=rx.color("red", 11), size="2", role="alert"),
        ),
        rx.cond(
            CalendarSettingsState.url_suggestions.length() > 0,
            rx.hstack(
                rx.text(t("Free:"), size="2"),
                rx.foreach(
                    CalendarSettingsState.url_suggestions,
                    lambda s: rx.button(
                        s,
                        size="1",
                        variant="outline",
                        on_click=CalendarSettingsState.use_suggestion(s),
                    ),
                ),
            ),
        ),
        spacing="1",
        width="100%",
    )


def _select(
    label: rx.Var[str],
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
    return rx.vstack(
        rx.heading(t("Meeting settings"), size="5", as_="h2"),
        _meetings_url(),
        _select(
            t("Default booking link"),
            "default-link",
            CalendarSettingsState.default_link,
            CalendarSettingsState.link_options,
            CalendarSettingsState.set_default_link,
        ),
        _selected_calendars(),
        locked(
            _select(
                t("Meeting domain"),
                "meeting-domain",
                CalendarSettingsState.meeting_domain,
                CalendarSettingsState.domain_options,
                CalendarSettingsState.set_meeting_domain,
                disabled=~CalendarSettingsState.domain_lock.allowed,
                aria_describedby="lock-meeting-domain",
            ),
            lock=CalendarSettingsState.domain_lock,
            notice_id="lock-meeting-domain",
        ),
        rx.cond(
            CalendarSettingsState.save_problems.length() > 0,
            rx.callout(
                rx.vstack(rx.foreach(CalendarSettingsState.save_problems, rx.text)),
                icon="triangle-alert",
                color_scheme="red",
                role="alert",
            ),
        ),
        rx.hstack(
            rx.button(
                t("Save"),
                on_click=CalendarSettingsState.save,
                loading=CalendarSettingsState.saving,
                disabled=~rx.State.is_hydrated,
            ),
            rx.cond(
                CalendarSettingsState.dirty,
                rx.hstack(
                    rx.text(t("You have unsaved changes."), role="status"),
                    rx.button(
                        t("Discard changes"),
                        variant="ghost",
                        on_click=CalendarSettingsState.discard,
                    ),
                ),
            ),
            align="center",
            spacing="3",
        ),
        spacing="4",
        width="100%",
    )


@rx.page(
    route=routes.SETTINGS_CALENDAR,
    title=t("Calendar settings · Meetings"),
    on_load=[AuthState.require_user, CalendarSettingsState.load],
)
def calendar_settings_page() -> rx.Component:
    return host_shell(
        t("Calendar"),
        settings_tabs(),
        rx.cond(
            CalendarSettingsState.loaded,
            rx.vstack(
                _calendar_section(), rx.separator(), _settings_form(), spacing="5", width="100%"
            ),
            rx.hstack(rx.spinner(), rx.text(t("Loading your calendar settings…")), role="status"),
        ),
        _connect_dialog(),
        disconnect_dialog(
            CalendarSettingsState,
            t(
                "{account} will no longer block your booking pages, and new bookings will "
                "not be added to it.",
                account=CalendarSettingsState.disconnect_account,
            ),
        ),
    )
