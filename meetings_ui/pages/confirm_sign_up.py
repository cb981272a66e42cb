"""The link a new host is mailed: one click creates the account and logs them in.

A button, not the page load, does it: mail scanners that open links do not sign anyone
up, and the login code goes to the browser that clicks (state/login_binding.py). The
token stays in the URL, never in a var.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.forms import auth_card, browser_account_form
from meetings_ui.components.i18n import t
from meetings_ui.pages.login import complete_login_url
from meetings_ui.services import sign_in
from meetings_ui.services.accounts import AccountError
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.state.auth import AuthState
from meetings_ui.state.forms import NOT_DONE, FormMixin, submit_in_thread
from meetings_ui.state.login_binding import BrowserCheckMixin
from meetings_ui.state.navigation import full_page_load


class ConfirmSignUpState(FormMixin, BrowserCheckMixin, AuthState):
    @rx.event
    def load(self) -> rx.event.EventSpec | None:
        self._clear_form()
        return self._check_browser()

    @rx.event(background=True)
    async def confirm(self, _form: dict[str, str]) -> AsyncIterator[rx.event.EventSpec]:
        code = await submit_in_thread(
            self,
            sign_in.confirm_sign_up,
            refused=(AccountError, ForbiddenError),
            token=self.router.url.query_parameters.get("token", ""),
            cookie_header=self.router.headers.cookie,
        )
        if code is not NOT_DONE:
            yield full_page_load(complete_login_url(code))


@rx.page(
    route=routes.SIGN_UP_CONFIRM,
    title=t("Finish signing up · Meetings"),
    on_load=[AuthState.require_app_domain, ConfirmSignUpState.load],
)
def confirm_sign_up() -> rx.Component:
    return auth_card(
        t("Finish signing up"),
        browser_account_form(
            ConfirmSignUpState,
            rx.text(t("One last step: create your account, and you are logged in.")),
            submit=t("Create my account"),
            on_submit=ConfirmSignUpState.confirm,
        ),
        rx.hstack(
            rx.link(t("Log in"), href=routes.LOGIN),
            rx.spacer(),
            rx.link(t("Sign up again"), href=routes.SIGN_UP),
            width="100%",
        ),
    )
