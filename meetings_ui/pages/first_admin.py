"""First run: create the admin of a fresh workspace. Once someone exists, the page is gone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.forms import auth_card, field, form_error, submit_button
from meetings_ui.pages.login import complete_login_url
from meetings_ui.pages.signup import PASSWORD_HINT
from meetings_ui.services import sign_in
from meetings_ui.services.accounts import AccountError, needs_first_admin
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.state.auth import AuthState


class FirstAdminState(AuthState):
    error: str = ""
    busy: bool = False

    @rx.event
    def load(self) -> rx.event.EventSpec | None:
        self.error = ""
        self.busy = False
        if not needs_first_admin():
            return rx.redirect(routes.LOGIN, replace=True)
        return None

    @rx.event(background=True)
    async def create(self, form: dict[str, str]) -> AsyncIterator[rx.event.EventSpec]:
        """Hashing the password is slow on purpose: it runs in a thread."""
        async with self:
            if self.busy:
                return
            self.busy, self.error = True, ""
        try:
            code = await asyncio.to_thread(
                sign_in.create_first_admin,
                email=form.get("email", ""),
                password=form.get("password", ""),
                display_name=form.get("name", ""),
            )
        except ForbiddenError:
            async with self:
                self.busy = False
            yield rx.redirect(routes.LOGIN, replace=True)
            return
        except AccountError as error:
            async with self:
                self.error, self.busy = str(error), False
            return
        yield rx.redirect(complete_login_url(code))


@rx.page(
    route=routes.FIRST_ADMIN,
    title="Create the first admin · Meetings",
    on_load=FirstAdminState.load,
)
def first_admin() -> rx.Component:
    return auth_card(
        "Create the first admin",
        rx.text(
            "Nobody has an account here yet. The first account administers the workspace: "
            "it manages users, licence seats and connected calendars.",
            color=rx.color("gray", 11),
        ),
        rx.form(
            rx.vstack(
                field("Name", "name", autocomplete="name", required=False),
                field("Email", "email", type_="email", autocomplete="username"),
                field(
                    "Password",
                    "password",
                    type_="password",
                    autocomplete="new-password",
                    hint=PASSWORD_HINT,
                ),
                form_error(FirstAdminState.error),
                submit_button("Create admin account", FirstAdminState.busy),
                spacing="3",
            ),
            on_submit=FirstAdminState.create,
            reset_on_submit=False,
        ),
    )
