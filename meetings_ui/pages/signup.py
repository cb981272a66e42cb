"""Sign up as a host (the user role); then straight into the app, logged in."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.forms import auth_card, field, form_error, submit_button
from meetings_ui.pages.login import complete_login_url
from meetings_ui.services import sign_in
from meetings_ui.services.accounts import MIN_PASSWORD_LENGTH, AccountError, needs_first_admin
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.state.auth import AuthState

PASSWORD_HINT = f"At least {MIN_PASSWORD_LENGTH} characters."


class SignUpState(AuthState):
    error: str = ""
    busy: bool = False

    @rx.event
    def load(self) -> rx.event.EventSpec | None:
        self.error = ""
        self.busy = False
        if needs_first_admin():
            return rx.redirect(routes.FIRST_ADMIN, replace=True)
        return None

    @rx.event(background=True)
    async def sign_up(self, form: dict[str, str]) -> AsyncIterator[rx.event.EventSpec]:
        """Hashing the password is slow on purpose: it runs in a thread."""
        async with self:
            if self.busy:
                return
            self.busy, self.error = True, ""
        try:
            code = await asyncio.to_thread(
                sign_in.sign_up,
                email=form.get("email", ""),
                password=form.get("password", ""),
                display_name=form.get("name", ""),
            )
        except (AccountError, ForbiddenError) as error:
            async with self:
                self.error, self.busy = str(error), False
            return
        yield rx.redirect(complete_login_url(code))


@rx.page(route=routes.SIGN_UP, title="Sign up · Meetings", on_load=SignUpState.load)
def sign_up() -> rx.Component:
    return auth_card(
        "Sign up",
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
                form_error(SignUpState.error),
                submit_button("Sign up", SignUpState.busy),
                spacing="3",
            ),
            on_submit=SignUpState.sign_up,
            reset_on_submit=False,
        ),
        rx.text("Already have an account? ", rx.link("Log in", href=routes.LOGIN)),
    )
