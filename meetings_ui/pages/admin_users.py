"""Admin > Users and seats: every account, its role and licence seats; assign and remove."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.forms import confirm_dialog
from meetings_ui.components.i18n import t
from meetings_ui.components.layout import data_table, host_shell
from meetings_ui.domain.enums import Role
from meetings_ui.domain.licences import ALL_SEATS
from meetings_ui.domain.messages import N_
from meetings_ui.pages.admin import admin_tabs
from meetings_ui.services.accounts import AccountError, AccountSummary, do_list_accounts
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.services.seats import SeatChange, assign_seat, remove_seat
from meetings_ui.state.auth import AuthState

SEAT_LABELS = {seat.code: seat.label for seat in ALL_SEATS}
ROLE_LABELS = {Role.ADMIN: N_("Admin"), Role.USER: N_("User")}


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
    role_label: str
    seats: list[SeatView]


class AdminUsersState(AuthState):
    # Backend only: the accounts as the service returned them; `users` is derived.
    _accounts: tuple[AccountSummary, ...] = ()
    # The seat the admin asked to remove (confirmed in a dialog first).
    removing_user: int = 0
    removing_code: str = ""
    removing_label: str = ""

    @rx.var
    def users(self) -> list[UserRow]:
        return [
            UserRow(
                a.id,
                a.email,
                a.display_name,
                str(a.role),
                self.t(ROLE_LABELS.get(a.role, str(a.role))),
                [SeatView(code, SEAT_LABELS[code]) for code in a.seats],
            )
            for a in self._accounts
        ]

    @rx.event
    def load(self) -> None:
        try:
            self._accounts = tuple(do_list_accounts(actor=self._require_actor()))
        except ForbiddenError:
            self._accounts = ()

    def _apply(self, change: SeatChange) -> rx.event.EventSpec:
        self._accounts = change.accounts
        return rx.toast.success(self.translate(change.message))

    @rx.event
    def assign(self, form: dict[str, str]) -> rx.event.EventSpec:
        try:
            change = assign_seat(
                actor=self._require_actor(),
                user_id=int(form.get("user_id", "0")),
                seat_code=form.get("seat", ""),
            )
        except (ForbiddenError, AccountError, ValueError) as error:
            return rx.toast.error(self.translate(error))
        return self._apply(change)

    @rx.event
    def ask_remove(self, user_id: int, code: str, email: str) -> None:
        self.removing_user, self.removing_code = user_id, code
        self.removing_label = self.t(
            "{email} loses their {seat} seat, and the features it unlocks.",
            email=email,
            seat=SEAT_LABELS.get(code, code),
        )

    @rx.event
    def keep_seat(self) -> None:
        self.removing_user = 0

    @rx.event
    def remove(self) -> rx.event.EventSpec | None:
        user_id, code, self.removing_user = self.removing_user, self.removing_code, 0
        if not user_id:
            return None
        try:
            change = remove_seat(actor=self._require_actor(), user_id=user_id, seat_code=code)
        except (ForbiddenError, AccountError) as error:
            return rx.toast.error(self.translate(error))
        return self._apply(change)


def _seat(user: UserRow, seat: SeatView) -> rx.Component:
    return rx.badge(
        seat.label,
        rx.icon_button(
            rx.icon("x", size=12),
            size="1",
            variant="ghost",
            aria_label=t("Remove {seat} from {email}", seat=seat.label, email=user.email),
            on_click=AdminUsersState.ask_remove(user.id, seat.code, user.email),
        ),
        size="2",
        variant="soft",
    )


def _assign_form(user: UserRow) -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.el.input(type="hidden", name="user_id", value=user.id),
            rx.el.select(
                rx.el.option(t("Choose a seat…"), value="", disabled=True),
                *[rx.el.option(seat.label, value=seat.code) for seat in ALL_SEATS],
                name="seat",
                default_value="",
                required=True,
                aria_label=t("Seat for {email}", email=user.email),
                style={"padding": "0.35em", "border_radius": "var(--radius-2)"},
            ),
            rx.button(
                t("Assign"),
                type="submit",
                size="2",
                disabled=~rx.State.is_hydrated,
                aria_label=t("Assign seat to {email}", email=user.email),
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
            rx.badge(
                user.role_label,
                color_scheme=rx.cond(user.role == Role.ADMIN.value, "purple", "gray"),
            )
        ),
        rx.table.cell(
            rx.cond(
                user.seats.length() > 0,
                rx.flex(
                    rx.foreach(user.seats, lambda seat: _seat(user, seat)), wrap="wrap", gap="2"
                ),
                rx.text(t("No seat"), color=rx.color("gray", 11)),
            )
        ),
        rx.table.cell(_assign_form(user)),
        aria_label=user.email,
    )


@rx.page(
    route=routes.ADMIN_USERS,
    title=t("Users and seats · Meetings"),
    on_load=[AuthState.require_user, AdminUsersState.load],
)
def admin_users() -> rx.Component:
    return host_shell(
        t("Users and seats"),
        admin_tabs(),
        rx.text(
            t(
                "A seat unlocks features: a Sales Hub or Service Hub seat lets its holder change "
                "the Meetings URL; a Marketing Hub or CMS Hub (Pro, Enterprise) seat, a custom "
                "domain. One seat per hub; assigning another tier replaces it."
            )
        ),
        data_table(
            (t("User"), t("Role"), t("Seats"), t("Assign a seat")), AdminUsersState.users, _row
        ),
        confirm_dialog(
            title=t("Remove this seat?"),
            description=AdminUsersState.removing_label,
            confirm_label=t("Remove seat"),
            open_=AdminUsersState.removing_user != 0,
            on_keep=AdminUsersState.keep_seat,
            on_confirm=AdminUsersState.remove,
        ),
        admin_only=True,
    )
