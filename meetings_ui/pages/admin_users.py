"""Admin > Users and seats: every account, its role and licence seats; assign and remove."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.layout import host_shell
from meetings_ui.db import session_scope
from meetings_ui.domain.licences import ALL_SEATS, parse_seat
from meetings_ui.pages.admin import admin_tabs
from meetings_ui.services.accounts import AccountError, do_list_accounts
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.services.seats import do_assign_seat, do_remove_seat
from meetings_ui.state.auth import AuthState

SEAT_LABELS = {seat.code: seat.label for seat in ALL_SEATS}


@dataclass
class SeatView:
    code: str
    label: str


@dataclass
class UserRow:
    id: int
    email: str
    name: str
    role: str
    seats: list[SeatView]


class AdminUsersState(AuthState):
    users: list[UserRow] = []

    def _reload(self) -> None:
        actor = self._require_actor()
        with session_scope() as session:
            accounts = do_list_accounts(session=session, actor=actor)
        self.users = [
            UserRow(
                a.id,
                a.email,
                a.display_name,
                a.role,
                [SeatView(code, SEAT_LABELS[code]) for code in a.seats],
            )
            for a in accounts
        ]

    @rx.event
    def load(self) -> None:
        try:
            self._reload()
        except ForbiddenError:
            self.users = []

    @rx.event
    def assign(self, form: dict[str, str]) -> rx.event.EventSpec:
        try:
            actor = self._require_actor()
            user_id = int(form.get("user_id", "0"))
            seat = parse_seat(form.get("seat", ""))
            with session_scope() as session:
                do_assign_seat(session=session, actor=actor, user_id=user_id, seat=seat)
            self._reload()
        except (ForbiddenError, AccountError, ValueError) as error:
            return rx.toast.error(str(error))
        email = next((u.email for u in self.users if u.id == user_id), "the user")
        return rx.toast.success(f"{email} now holds a {seat.label} seat.")

    @rx.event
    def remove(self, user_id: int, code: str) -> rx.event.EventSpec:
        try:
            actor = self._require_actor()
            seat = parse_seat(code)
            with session_scope() as session:
                do_remove_seat(session=session, actor=actor, user_id=user_id, hub=seat.hub)
            self._reload()
        except (ForbiddenError, AccountError, ValueError) as error:
            return rx.toast.error(str(error))
        return rx.toast.success(f"{seat.label} seat removed.")


def _seat(user: UserRow, seat: SeatView) -> rx.Component:
    return rx.badge(
        seat.label,
        rx.icon_button(
            rx.icon("x", size=12),
            size="1",
            variant="ghost",
            aria_label="Remove " + seat.label + " from " + user.email,
            on_click=AdminUsersState.remove(user.id, seat.code),
        ),
        size="2",
        variant="soft",
    )


def _assign_form(user: UserRow) -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.el.input(type="hidden", name="user_id", value=user.id),
            rx.el.select(
                rx.el.option("Choose a seat…", value="", disabled=True),
                *[rx.el.option(seat.label, value=seat.code) for seat in ALL_SEATS],
                name="seat",
                default_value="",
                required=True,
                aria_label="Seat for " + user.email,
                style={"padding": "0.35em", "border_radius": "var(--radius-2)"},
            ),
            rx.button(
                "Assign",
                type="submit",
                size="2",
                disabled=~rx.State.is_hydrated,
                aria_label="Assign seat to " + user.email,
            ),
            spacing="2",
            align="center",
        ),
        on_submit=AdminUsersState.assign,
        reset_on_submit=True,
    )


def _row(user: UserRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(rx.text(user.name, weight="bold"), rx.text(user.email, size="1"), spacing="0")
        ),
        rx.table.cell(
            rx.badge(user.role, color_scheme=rx.cond(user.role == "admin", "purple", "gray"))
        ),
        rx.table.cell(
            rx.cond(
                user.seats.length() > 0,
                rx.flex(
                    rx.foreach(user.seats, lambda seat: _seat(user, seat)), wrap="wrap", gap="2"
                ),
                rx.text("No seat", color=rx.color("gray", 11)),
            )
        ),
        rx.table.cell(_assign_form(user)),
        aria_label=user.email,
    )


@rx.page(
    route=routes.ADMIN_USERS,
    title="Users and seats · Meetings",
    on_load=[AuthState.require_user, AdminUsersState.load],
)
def admin_users() -> rx.Component:
    return host_shell(
        "Users and seats",
        admin_tabs(),
        rx.text(
            "A seat unlocks features: a Sales Hub or Service Hub seat lets its holder change "
            "the Meetings URL; a Marketing Hub or CMS Hub (Pro, Enterprise) seat, a custom "
            "domain. One seat per hub; assigning another tier replaces it."
        ),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("User"),
                    rx.table.column_header_cell("Role"),
                    rx.table.column_header_cell("Seats"),
                    rx.table.column_header_cell("Assign a seat"),
                )
            ),
            rx.table.body(rx.foreach(AdminUsersState.users, _row)),
            width="100%",
        ),
        admin_only=True,
    )
