"""Log in: check the password here, then hand a login code to the cookie route."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlencode

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.forms import auth_card, browser_account_form, email_field, field
from meetings_ui.components.i18n import t, tr
from meetings_ui.config import get_settings
from meetings_ui.domain.messages import N_
from meetings_ui.services import sign_in
from meetings_ui.services.demo import DemoLogin, demo_logins
from meetings_ui.state.auth import AuthState, visitor_ip
from meetings_ui.state.forms import NOT_DONE, FormMixin, submit_in_thread
from meetings_ui.state.login_binding import BrowserCheckMixin
from meetings_ui.state.navigation import full_page_load

NOTICES = {
    "expired": N_("That log-in took too long or was already used: log in again."),
    "other_browser": N_(
        "That log-in was started in another browser, so it was refused here: "
        "log in on this page to continue."
    ),
}


def complete_login_url(code: str) -> str:
    """The backend route that turns the code into the HttpOnly cookie."""
    return f"{get_settings().backend_url}{routes.AUTH_COMPLETE}?{urlencode({'code': code})}"


class LoginState(FormMixin, BrowserCheckMixin, AuthState):
    notice: str = ""
    # Filled only in demo mode, so no build of the app carries the demo passwords.
    demo_accounts: list[DemoLogin] = []

    @rx.event
    def load(self) -> rx.event.EventSpec | None:
        self._clear_form()
        current = sign_in.visit(self.router.headers.cookie)
        if current.first_run:
            return rx.redirect(routes.FIRST_ADMIN, replace=True)
        if current.viewer is not None:
            return rx.redirect(routes.MEETINGS, replace=True)
        query = self.router.url.query_parameters
        self.notice = next((self.t(text) for key, text in NOTICES.items() if query.get(key)), "")
        self.demo_accounts = list(demo_logins())
        return self._check_browser()

    @rx.event(background=True)
    async def log_in(self, form: dict[str, str]) -> AsyncIterator[rx.event.EventSpec]:
        """Argon2 is slow on purpose: the check runs in a thread, off the event loop."""
        code = await submit_in_thread(
            self,
            sign_in.log_in,
            email=form.get("email", ""),
            password=form.get("password", ""),
            client_ip=visitor_ip(self.router),
            next_path=self.router.url.query_parameters.get("next", ""),
            cookie_header=self.router.headers.cookie,
        )
        if code is not NOT_DONE:
            yield full_page_load(complete_login_url(code))


def _demo_accounts() -> rx.Component:
    return rx.cond(
        LoginState.demo_accounts.length() > 0,
        rx.callout(
            rx.vstack(
                rx.text(t("Demo workspace — log in as:"), weight="bold"),
                rx.foreach(
                    LoginState.demo_accounts,
                    lambda a: rx.text(
                        tr(a.label), ": ", rx.code(a.email), " / ", rx.code(a.password)
                    ),
                ),
                spacing="1",
            ),
            icon="info",
            aria_label=t("Demo accounts"),
        ),
    )


@rx.page(
    route=routes.LOGIN,
    title=t("Log in · Meetings"),
    on_load=[AuthState.require_app_domain, LoginState.load],
)
def login() -> rx.Component:
    return auth_card(
        t("Log in"),
        rx.cond(
            LoginState.notice != "",
            rx.callout(LoginState.notice, icon="clock", role="status"),
        ),
        _demo_accounts(),
        browser_account_form(
            LoginState,
            email_field(),
            field(t("Password"), "password", type_="password", autocomplete="current-password"),
            submit=t("Log in"),
            on_submit=LoginState.log_in,
        ),
        rx.hstack(
            rx.link(t("Forgot password?"), href=routes.FORGOT_PASSWORD),
            rx.spacer(),
            rx.link(t("Sign up"), href=routes.SIGN_UP),
            width="100%",
        ),
    )
