"""Forgot password? Ask for a reset link by email (never says whether the account exists)."""

from __future__ import annotations

import asyncio

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.forms import auth_card, field, form_error, submit_button
from meetings_ui.config import get_settings
from meetings_ui.services import sign_in
from meetings_ui.services.accounts import AccountError
from meetings_ui.state.auth import AuthState


class ForgotPasswordState(AuthState):
    error: str = ""
    sent_to: str = ""
    busy: bool = False
    local_outbox: bool = False

    @rx.event
    def load(self) -> None:
        self.error = ""
        self.sent_to = ""
        self.busy = False
        self.local_outbox = get_settings().captures_mail

    @rx.event(background=True)
    async def send(self, form: dict[str, str]) -> None:
        """Sending mail can wait on an SMTP server: it runs in a thread."""
        async with self:
            if self.busy:
                return
            self.busy, self.error = True, ""
        try:
            address = await asyncio.to_thread(
                sign_in.request_password_reset, email=form.get("email", "")
            )
        except AccountError as error:
            async with self:
                self.error, self.busy = str(error), False
            return
        async with self:
            self.sent_to, self.busy = address, False


@rx.page(
    route=routes.FORGOT_PASSWORD,
    title="Reset your password · Meetings",
    on_load=ForgotPasswordState.load,
)
def forgot_password() -> rx.Component:
    return auth_card(
        "Reset your password",
        rx.cond(
            ForgotPasswordState.sent_to != "",
            rx.vstack(
                rx.callout(
                    "If an account exists for "
                    + ForgotPasswordState.sent_to
                    + ", we have emailed it a link to set a new password. The link works "
                    "once, for one hour.",
                    icon="mail-check",
                    role="status",
                ),
                rx.cond(
                    ForgotPasswordState.local_outbox,
                    rx.text(
                        "This server sends no mail (SMTP is not configured): messages wait in ",
                        rx.link("the local outbox", href=routes.DEV_OUTBOX),
                        ".",
                    ),
                ),
            ),
            rx.form(
                rx.vstack(
                    field("Email", "email", type_="email", autocomplete="username"),
                    form_error(ForgotPasswordState.error),
                    submit_button("Send reset link", ForgotPasswordState.busy),
                    spacing="3",
                ),
                on_submit=ForgotPasswordState.send,
                reset_on_submit=False,
            ),
        ),
        rx.link("Back to log in", href=routes.LOGIN),
    )
