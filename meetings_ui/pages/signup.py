"""Sign up as a host (the user role); then straight into the app, logged in."""

from __future__ import annotations

from collections.abc import AsyncIterator

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.forms import (
    auth_card,
    new_account_form,
)
from meetings_ui.pages.login import complete_login_url
from meetings_ui.services import sign_in
from meetings_ui.services.accounts import AccountError, needs_first_admin
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.state.auth import AuthState
from meetings_ui.state.forms import NOT_DONE, FormMixin, new_account_input, submit_in_thread
from meetings_ui.state.login_binding import BrowserCheckMixin
from meetings_ui.state.navigation import full_page_load


class SignUpState(FormMixin, BrowserCheckMixin, AuthState):
    @rx.event
    def load(self) -> rx.event.EventSpec | None:
        self._clear_form()
        if needs_first_admin():
            return rx.redirect(routes.FIRST_ADMIN, replace=True)
        return self._check_browser()

    @rx.event(background=True)
    async def sign_up(self, form: dict[str, str]) -> AsyncIterator[rx.event.EventSpec]:
        """Hashing the password is slow on purpose: it runs in a thread."""
        code = await submit_in_thread(
            self,
            sign_in.sign_up,
            refused=(AccountError, ForbiddenError),
            **new_account_input(form),
            cookie_header=self.router.headers.cookie,
            client_ip=self.router.session.client_ip,
        )
        if code is not NOT_DONE:
            yield full_page_load(complete_login_url(code))


@rx.page(route=routes.SIGN_UP, title="Sign up · Meetings", on_load=SignUpState.load)
def sign_up() -> rx.Component:
    return auth_card(
        "Sign up",
        new_account_form(SignUpState, "Sign up", SignUpState.sign_up),
        rx.text("Already have an account? ", rx.link("Log in", href=routes.LOGIN)),
    )
