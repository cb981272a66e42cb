"""Admin console: the overview and the shared tabs of the admin pages."""

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
from meetings_ui.components.i18n import t
from meetings_ui.components.labels import PROVIDER_NAMES, STATUS_LABELS, SYNC_LABELS
from meetings_ui.components.layout import host_shell, loaded_table
from meetings_ui.domain.enums import ConnectionStatus
from meetings_ui.domain.messages import N_
from meetings_ui.services import calendar_connections as connections
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.state.auth import AuthState

ADMIN_SECTIONS = (
    (N_("Overview"), routes.ADMIN),
    (N_("Users and seats"), routes.ADMIN_USERS),
    (N_("Audit log"), routes.ADMIN_AUDIT),
    (N_("Connected calendars"), routes.ADMIN_CALENDARS),
    (N_("Failed deliveries"), routes.ADMIN_DELIVERIES),
    (N_("Domains"), routes.ADMIN_DOMAINS),
    (N_("Local outbox"), routes.DEV_OUTBOX),
)


def admin_tabs() -> rx.Component:
    """The admin pages, shown to admins only (others see the polite refusal alone)."""
    links = [rx.link(t(label), href=route) for label, route in ADMIN_SECTIONS]
    return rx.cond(
        AuthState.is_admin,
        rx.el.nav(rx.hstack(*links, spacing="4", wrap="wrap"), aria_label=t("Admin sections")),
    )


@rx.page(route=routes.ADMIN, title=t("Admin · Meetings"), on_load=AuthState.require_user)
def admin() -> rx.Component:
    return host_shell(
        t("Admin"),
        admin_tabs(),
        rx.text(
            t(
                "Manage who has an account, their role and licence seats, and see every change "
                "in the audit log."
            )
        ),
        admin_only=True,
    )


@dataclasses.dataclass(frozen=True)
class ConnectionLine:
    id: int
    user: str
    provider: str
    account: str
    status_label: str
    connected: bool
    last_sync: str
    scopes: str
    calendars: str
    problem: str
    sync: str


class AdminCalendarsState(DisconnectState, AuthState):
    """Every connected account of the workspace; `rows` is what the table shows of them."""

    _connections: list[connections.ConnectionSummary] = []
    search: str = ""
    loaded: bool = False
    checking: int = 0  # the connection being re-checked

    @rx.var
    def rows(self) -> list[ConnectionLine]:
        return [
            ConnectionLine(
                id=c.id,
                user=f"{c.user_name} <{c.user_email}>",
                provider=self.translate(PROVIDER_NAMES[c.provider]),
                account=c.account_email,
                status_label=self.translate(STATUS_LABELS[c.status]),
                connected=c.status == ConnectionStatus.CONNECTED,
                last_sync=self._moment(c.last_synced_at),
                scopes=c.scopes.replace("https://www.googleapis.com/auth/", "") or "—",
                calendars=", ".join(c.selected_calendars) or "—",
                problem=self.translate(c.last_error),
                sync=self.translate(SYNC_LABELS[c.sync_mode]),
            )
            for c in self._connections
        ]

    @rx.event
    def load(self) -> None:
        shown = self._shown_to_user(
            lambda user: connections.do_list_connections(actor=user, search=self.search), []
        )
        if shown is not None:
            self._connections = shown
            self.loaded = True

    @rx.event
    def set_search(self, value: str) -> None:
        self.search = value
        self.load()

    @rx.event(background=True)
    async def recheck(self, connection_id: int) -> AsyncIterator[rx.event.EventSpec]:
        """Refresh the token and the calendar list at the provider, off the event loop."""
        async with self:
            if self.checking:
                return
            actor = self._require_actor()
            self.checking = connection_id
        try:
            checked = await asyncio.to_thread(
                connections.do_check_connection_health, actor=actor, connection_id=connection_id
            )
        except (ForbiddenError, connections.ConnectionNotFoundError):
            checked = None
        except Exception:
            async with self:
                self.checking = 0  # the button works again; the error is shown and logged
            raise
        async with self:
            self.checking = 0
            self._connections = [
                checked if c.id == connection_id else c
                for c in self._connections
                if checked is not None or c.id != connection_id
            ]
            health = (
                self.translate(STATUS_LABELS[checked.status]) if checked else self.t("not found")
            )
        yield rx.toast.info(self.t("Health re-checked: {health}", health=health))

    def _disconnected(self, connection_id: int) -> str:
        self._connections = [c for c in self._connections if c.id != connection_id]
        return self.t("Calendar disconnected on the user's behalf")


def _connection_row(row: ConnectionLine) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row.user),
        rx.table.cell(row.provider),
        rx.table.cell(row.account),
        rx.table.cell(row.calendars),
        rx.table.cell(health(row.status_label, row.connected, row.problem)),
        rx.table.cell(rx.vstack(rx.text(row.last_sync), rx.text(row.sync, size="1"), spacing="0")),
        rx.table.cell(rx.text(row.scopes, size="1")),
        rx.table.cell(
            rx.hstack(
                rx.button(
                    t("Re-check"),
                    size="1",
                    variant="soft",
                    loading=AdminCalendarsState.checking == row.id,
                    on_click=AdminCalendarsState.recheck(row.id),
                    aria_label=t("Re-check {account}", account=row.account),
                ),
                disconnect_button(AdminCalendarsState, row.id, row.account, size="1"),
            )
        ),
    )


@rx.page(
    route=routes.ADMIN_CALENDARS,
    title=t("Connected calendars · Meetings"),
    on_load=[AuthState.require_user, AdminCalendarsState.load],
)
def admin_calendars() -> rx.Component:
    return host_shell(
        t("Connected calendars"),
        admin_tabs(),
        rx.vstack(
            rx.el.label(t("Search"), html_for="calendar-search", style={"font_weight": "500"}),
            rx.input(
                id="calendar-search",
                value=AdminCalendarsState.search,
                on_change=AdminCalendarsState.set_search.debounce(300),
                placeholder=t("Name or email"),
            ),
            spacing="1",
        ),
        loaded_table(
            AdminCalendarsState.loaded,
            t("Loading connected calendars…"),
            (
                t("User"),
                t("Provider"),
                t("Account"),
                t("Selected calendars"),
                t("Health"),
                t("Last sync"),
                t("Scopes"),
                t("Actions"),
            ),
            AdminCalendarsState.rows,
            _connection_row,
            rx.callout(
                rx.cond(
                    AdminCalendarsState.search != "",
                    t("No connected calendar matches."),
                    t(
                        "No one in this workspace has connected a calendar yet. Hosts connect "
                        "theirs in Settings > Calendar."
                    ),
                ),
                icon="calendar-x",
                role="status",
            ),
        ),
        disconnect_dialog(
            AdminCalendarsState,
            t(
                "{account} will stop blocking the user's booking pages until they connect it "
                "again.",
                account=AdminCalendarsState.disconnect_account,
            ),
        ),
        admin_only=True,
    )
