"""Set a new password from an emailed link (the token stays in the URL, never in a var)."""

from __future__ import annotations

import asyncio

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.forms import auth_card, field, form_error, submit_button
from meetings_ui.pages.signup import PASSWORD_HINT
from meetings_ui.services import sign_in
from meetings_ui.services.accounts import AccountError
from meetings_ui.services.password_reset import reset_token_is_valid
from meetings_ui.state.auth import AuthState

DEAD_LINK = "This reset link has expired or was already used: ask for a new one."


class ResetPasswordState(AuthState):
    error: str = ""
    link_dead: bool = False
    done: bool = False
    busy: bool = False

    def _token(self) -> str:
        return self.router.url.query_parameters.get("token", "")

    @rx.event
    def load(self) -> None:
        self.error = ""
        self.done = False
        self.busy = False
        self.link_dead = not reset_token_is_valid(raw_token=self._token())

    @rx.event(background=True)
    async def save(self, form: dict[str, str]) -> None:
        """Hashing the new password is slow on purpose: it runs in a thread."""
        async with self:
            if self.busy:
                return
            self.busy, self.error = True, ""
            token = self._token()
        try:
            await asyncio.to_thread(
                sign_in.reset_password, raw_token=token, new_password=form.get("password", "")
            )
        except AccountError as error:
            async with self:
                self.error, self.busy = str(error), False
            return
        async with self:
            self.done, self.busy = True, False


@rx.page(
    route=routes.RESET_PASSWORD,
    title="Choose a new password · Meetings",
    on_load=ResetPasswordState.load,
)
def reset_password() -> rx.Component:
    return auth_card(
        "Choose a new password",
        rx.cond(
            ResetPasswordState.done,
            rx.callout(
                rx.text(
                    "Your password is changed, and every device was logged out. ",
                    rx.link("Log in", href=routes.LOGIN),
                    " with the new password.",
                ),
                icon="check",
                color_scheme="green",
                role="status",
            ),
            rx.cond(
                ResetPasswordState.link_dead,
                rx.callout(
                    rx.text(
                        DEAD_LINK, " ", rx.link("Ask for a new link", href=routes.FORGOT_PASSWORD)
                    ),
                    icon="triangle-alert",
                    color_scheme="red",
                    role="alert",
                ),
                rx.form(
                    rx.vstack(
                        field(
                            "New password",
                            "password",
                            type_="password",
                            autocomplete="new-password",
                            hint=PASSWORD_HINT,
                        ),
                        form_error(ResetPasswordState.error),
                        submit_button("Save", ResetPasswordState.busy),
                        spacing="3",
                    ),
                    on_submit=ResetPasswordState.save,
                    reset_on_submit=False,
                ),
            ),
        ),
    )
