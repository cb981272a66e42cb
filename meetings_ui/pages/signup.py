"""Sign up as a host (the user role): the page then says "check your inbox", whether the
address had an account or not (services/sign_up.py); the mailed link finishes it."""

from __future__ import annotations

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.forms import (
    auth_card,
    inbox_notice,
    new_account_form,
)
from meetings_ui.components.i18n import t
from meetings_ui.config import get_settings
from meetings_ui.services import sign_in
from meetings_ui.services.accounts import AccountError, needs_first_admin
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.state.auth import AuthState, visitor_ip
from meetings_ui.state.forms import NOT_DONE, FormMixin, new_account_input, submit_in_thread
from meetings_ui.state.login_binding import BrowserCheckMixin


class SignUpState(FormMixin, BrowserCheckMixin, AuthState):
    sent_to: str = ""
    local_outbox: bool = False

    @rx.event
    def load(self) -> rx.event.EventSpec | None:
        self._clear_form()
        self.sent_to = ""
        self.local_outbox = get_settings().captures_mail
        if needs_first_admin():
            return rx.redirect(routes.FIRST_ADMIN, replace=True)
        return self._check_browser()

    @rx.event(background=True)
    async def sign_up(self, form: dict[str, str]) -> None:
        """Hashing the password and sending mail are slow: they run in a thread."""
        address = await submit_in_thread(
            self,
            sign_in.sign_up,
            refused=(AccountError, ForbiddenError),
            **new_account_input(form),
            client_ip=visitor_ip(self.router),
            locale=self.locale,
        )
        if address is not NOT_DONE:
            async with self:
                self.sent_to = address


@rx.page(
    route=routes.SIGN_UP,
    title=t("Sign up · Meetings"),
    on_load=[AuthState.require_app_domain, SignUpState.load],
)
def sign_up() -> rx.Component:
    return auth_card(
        t("Sign up"),
        rx.cond(
            SignUpState.sent_to != "",
            inbox_notice(
                t(
                    "We have emailed {address} a link to finish signing up: open it within "
                    "24 hours. Nothing arrived? Check the spam folder, or the address you typed.",
                    address=SignUpState.sent_to,
                ),
                SignUpState.local_outbox,
            ),
            new_account_form(SignUpState, t("Sign up"), SignUpState.sign_up),
        ),
        rx.text(
            t("Already have an account?"),
            " ",
            rx.link(t("Log in"), href=routes.LOGIN, underline="always"),
        ),
    )
