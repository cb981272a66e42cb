"""Forgot password? Ask for a reset link by email (never says whether the account exists)."""

from __future__ import annotations

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.forms import account_form, auth_card, email_field, inbox_notice
from meetings_ui.components.i18n import t
from meetings_ui.config import get_settings
from meetings_ui.services import challenges, sign_in
from meetings_ui.state.auth import AuthState, visitor_ip
from meetings_ui.state.forms import NOT_DONE, FormMixin, submit_in_thread


class ForgotPasswordState(FormMixin, AuthState):
    sent_to: str = ""
    local_outbox: bool = False
    _email: str = ""  # what was typed, while the browser solves the challenge

    @rx.event
    def load(self) -> None:
        self._clear_form()
        self.sent_to = ""
        self.local_outbox = get_settings().captures_mail

    @rx.event
    def send(self, form: dict[str, str]) -> rx.event.EventSpec | None:
        """Ask the browser to solve the challenge first, when one is configured."""
        if self.busy:
            return None
        self._email = form.get("email", "")
        challenge = challenges.issue(challenges.PASSWORD_RESET)
        if challenge is None:
            return ForgotPasswordState.send_solved("")
        self.busy = True  # the spinner shows while the browser works
        return rx.call_script(
            challenges.browser_script(challenge), callback=ForgotPasswordState.send_solved
        )

    @rx.event(background=True)
    async def send_solved(self, solution: str) -> None:
        """Sending mail can wait on an SMTP server: it runs in a thread."""
        async with self:
            self.busy = False  # submit_in_thread sets it again for the request itself
            email = self._email
        address = await submit_in_thread(
            self,
            sign_in.request_password_reset,
            email=email,
            client_ip=visitor_ip(self.router),
            challenge=str(solution or ""),
            locale=self.locale,
        )
        if address is not NOT_DONE:
            async with self:
                self.sent_to = address


@rx.page(
    route=routes.FORGOT_PASSWORD,
    title=t("Reset your password · Meetings"),
    on_load=[AuthState.require_app_domain, ForgotPasswordState.load],
)
def forgot_password() -> rx.Component:
    return auth_card(
        t("Reset your password"),
        rx.cond(
            ForgotPasswordState.sent_to != "",
            inbox_notice(
                t(
                    "If an account exists for {address}, we have emailed it a link to set a "
                    "new password. The link works once, for one hour.",
                    address=ForgotPasswordState.sent_to,
                ),
                ForgotPasswordState.local_outbox,
            ),
            account_form(
                email_field(),
                error=ForgotPasswordState.error,
                submit=t("Send reset link"),
                busy=ForgotPasswordState.busy,
                on_submit=ForgotPasswordState.send,
            ),
        ),
        rx.link(t("Back to log in"), href=routes.LOGIN),
    )
