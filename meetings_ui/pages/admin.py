"""Admin console: the overview and the shared tabs of the admin pages."""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.forms import confirm_dialog
from meetings_ui.components.labels import PROVIDER_NAMES, STATUS_LABELS, date_time_label
from meetings_ui.components.layout import host_shell
from meetings_ui.db import session_scope
from meetings_ui.models import User
from meetings_ui.services import calendar_connections as connections
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.state.auth import AuthState


def admin_tabs() -> rx.Component:
    return rx.hstack(
        rx.link("Overview", href=routes.ADMIN),
        rx.link("Users and seats", href=routes.ADMIN_USERS),
        rx.link("Audit log", href=routes.ADMIN_AUDIT),
        rx.link("Connected calendars", href=routes.ADMIN_CALENDARS),
        rx.link("Local outbox", href=routes.DEV_OUTBOX),
        spacing="4",
        aria_label="Admin sections",
    )


@rx.page(route=routes.ADMIN, title="Admin · Meetings", on_load=AuthState.require_user)
def admin() -> rx.Component:
    return host_shell(
        "Admin",
        admin_tabs(),
        rx.text(
            "Manage who has an account, their role and licence seats, and see every change "
            "in the audit log."
        ),
        admin_only=True,
    )


@dataclasses.dataclass
class ConnectionLine:
    id: int
    user: str
    provider: str
    account: str
    status: str
    status_label: str
    last_sync: str
    scopes: str
    calendars: str
    problem: str


class AdminCalendarsState(AuthState):
    rows: list[ConnectionLine] = []
    search: str = ""
    loaded: bool = False
    checking: int = 0
    disconnect_id: int = 0
    disconnect_label: str = ""

    @rx.event
    def load(self) -> None:
        user = self._current_user()
        if user is None:
            return
        try:
            with session_scope() as session:
                found = connections.do_list_connections(
                    session=session, actor=user, search=self.search
                )
        except ForbiddenError:
            self.rows, self.loaded = [], True
            return
        self.rows = [
            ConnectionLine(
                c.id,
                f"{c.user_name} <{c.user_email}>",
                PROVIDER_NAMES.get(c.provider, c.provider),
                c.account_email,
                c.status,
                STATUS_LABELS.get(c.status, c.status),
                date_time_label(c.last_synced_at),
                c.scopes.replace("https://www.googleapis.com/auth/", "") or "—",
                ", ".join(c.selected_calendars) or "—",
                c.last_error,
            )
            for c in found
        ]
        self.loaded = True

    @rx.event
    def set_search(self, value: str) -> None:
        self.search = value
        self.load()

    @rx.event(background=True)
    async def recheck(self, connection_id: int) -> None:
        async with self:
            actor = self._require_actor()
            self.checking = connection_id
        try:
            status = await asyncio.to_thread(_recheck, actor.id, connection_id)
        except (ForbiddenError, connections.ConnectionNotFoundError):
            status = None
        async with self:
            self.checking = 0
            self.load()
        yield rx.toast.info(f"Health re-checked: {STATUS_LABELS.get(status, 'not found')}")

    @rx.event
    def ask_disconnect(self, connection_id: int, label: str) -> None:
        self.disconnect_id, self.disconnect_label = connection_id, label

    @rx.event
    def keep(self) -> None:
        self.disconnect_id = 0

    @rx.event
    def disconnect(self) -> list:
        actor = self._require_actor()
        with session_scope() as session:
            try:
                connections.do_disconnect(
                    session=session, actor=actor, connection_id=self.disconnect_id
                )
            except (ForbiddenError, connections.ConnectionNotFoundError):
                self.disconnect_id = 0
                return [rx.toast.error("That calendar could not be disconnected.")]
        self.disconnect_id = 0
        self.load()
        return [rx.toast.success("Calendar disconnected on the user's behalf")]


def _recheck(actor_id: int, connection_id: int) -> str:
    with session_scope() as session:
        actor = session.get(User, actor_id)
        return connections.do_check_connection_health(
            session=session, actor=actor, connection_id=connection_id
        ).status


def _connection_row(row: ConnectionLine) -> rx.Component:
    S = AdminCalendarsState  # noqa: N806
    return rx.table.row(
        rx.table.row_header_cell(row.user),
        rx.table.cell(row.provider),
        rx.table.cell(row.account),
        rx.table.cell(row.calendars),
        rx.table.cell(
            rx.vstack(
                rx.badge(
                    row.status_label,
                    color_scheme=rx.cond(row.status == "connected", "green", "red"),
                ),
                rx.cond(
                    row.problem != "", rx.text(row.problem, size="1", color=rx.color("red", 11))
                ),
                spacing="1",
            )
        ),
        rx.table.cell(row.last_sync),
        rx.table.cell(rx.text(row.scopes, size="1")),
        rx.table.cell(
            rx.hstack(
                rx.button(
                    "Re-check",
                    size="1",
                    variant="soft",
                    loading=S.checking == row.id,
                    on_click=S.recheck(row.id),
                    aria_label="Re-check " + row.account,
                ),
                rx.button(
                    "Disconnect",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=S.ask_disconnect(row.id, row.account),
                    aria_label="Disconnect " + row.account,
                ),
            )
        ),
    )


@rx.page(
    route=routes.ADMIN_CALENDARS,
    title="Connected calendars · Meetings",
    on_load=[AuthState.require_user, AdminCalendarsState.load],
)
def admin_calendars() -> rx.Component:
    S = AdminCalendarsState  # noqa: N806
    return host_shell(
        "Connected calendars",
        admin_tabs(),
        rx.vstack(
            rx.el.label("Search", html_for="calendar-search", style={"font_weight": "500"}),
            rx.input(
                id="calendar-search",
                value=S.search,
                on_change=S.set_search.debounce(300),
                placeholder="Name or email",
            ),
            spacing="1",
        ),
        rx.cond(
            ~S.loaded,
            rx.hstack(rx.spinner(), rx.text("Loading connected calendars…"), role="status"),
            rx.cond(
                S.rows.length() > 0,
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(h)
                                for h in (
                                    "User",
                                    "Provider",
                                    "Account",
                                    "Selected calendars",
                                    "Health",
                                    "Last sync",
                                    "Scopes",
                                    "Actions",
                                )
                            ]
                        )
                    ),
                    rx.table.body(rx.foreach(S.rows, _connection_row)),
                    width="100%",
                ),
                rx.callout("No connected calendar matches.", icon="calendar-x", role="status"),
            ),
        ),
        confirm_dialog(
            title="Disconnect this calendar?",
            description=S.disconnect_label
            + " will stop blocking the user's booking pages until they connect it again.",
            confirm_label="Disconnect calendar",
            open_=S.disconnect_id != 0,
            on_keep=S.keep,
            on_confirm=S.disconnect,
        ),
        admin_only=True,
    )
