"""First run: create the admin of a fresh workspace. Once someone exists, the page is gone."""

from __future__ import annotations

from collections.abc import AsyncIterator

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.forms import (
    auth_card,
    new_account_form,
)
from meetings_ui.components.i18n import t
from meetings_ui.pages.login import complete_login_url
from meetings_ui.services import sign_in
from meetings_ui.services.accounts import needs_first_admin
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.state.auth import AuthState
from meetings_ui.state.forms import NOT_DONE, FormMixin, new_account_input, submit_in_thread
from meetings_ui.state.login_binding import BrowserCheckMixin
from meetings_ui.state.navigation import full_page_load


class FirstAdminState(FormMixin, BrowserCheckMixin, AuthState):
    @rx.event
    def load(self) -> rx.event.EventSpec | None:
        self._clear_form()
        if not needs_first_admin():
            return rx.redirect(routes.LOGIN, replace=True)
        return self._check_browser()

    @rx.event(background=True)
    async def create(self, form: dict[str, str]) -> AsyncIterator[rx.event.EventSpec]:
        """Hashing the password is slow on purpose: it runs in a thread."""
        try:
            code = await submit_in_thread(
                self,
                sign_in.create_first_admin,
                **new_account_input(form),
                cookie_header=self.router.headers.cookie,
            )
        except ForbiddenError:  # somebody was first: this page is gone
            yield rx.redirect(routes.LOGIN, replace=True)
            return
        if code is not NOT_DONE:
            yield full_page_load(complete_login_url(code))


@rx.page(
    route=routes.FIRST_ADMIN,
    title=t("Create the first admin · Meetings"),
    on_load=[AuthState.require_app_domain, FirstAdminState.load],
)
def first_admin() -> rx.Component:
    return auth_card(
        t("Create the first admin"),
        rx.text(
            t(
                "Nobody has an account here yet. The first account administers the workspace: "
                "it manages users, licence seats and connected calendars."
            ),
            color=rx.color("gray", 11),
        ),
        new_account_form(FirstAdminState, t("Create admin account"), FirstAdminState.create),
    )
