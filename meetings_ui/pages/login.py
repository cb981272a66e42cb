"""Log in: check the password here, then hand a login code to the cookie route."""

from __future__ import annotations

from urllib.parse import urlencode

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.forms import auth_card, field, form_error, submit_button
from meetings_ui.config import get_settings
from meetings_ui.db import session_scope
from meetings_ui.services.accounts import AccountError, do_check_credentials, needs_first_admin
from meetings_ui.services.demo import DEMO_ACCOUNTS
from meetings_ui.services.sessions import do_issue_login_code
from meetings_ui.state.auth import AuthState


def complete_login_url(code: str) -> str:
    """The backend route that turns the code into the HttpOnly cookie."""
    return f"{get_settings().backend_url}{routes.AUTH_COMPLETE}?{urlencode({'code': code})}"


class LoginState(AuthState):
    error: str = ""
    notice: str = ""
    busy: bool = False
    # Filled only in demo mode, so no build of the app carries the demo passwords.
    demo_accounts: list[dict[str, str]] = []

    @rx.event
    def load(self) -> rx.event.EventSpec | None:
        self.error = ""
        self.busy = False
        with session_scope() as session:
            if needs_first_admin(session=session):
                return rx.redirect(routes.FIRST_ADMIN, replace=True)
        if self._current_user() is not None:
            return rx.redirect(routes.MEETINGS, replace=True)
        self.notice = (
            "That log-in took too long or was already used: log in again."
            if self.router.url.query_parameters.get("expired")
            else ""
        )
        self.demo_accounts = (
            [{"role": str(a.role), "email": a.email, "password": a.password} for a in DEMO_ACCOUNTS]
            if get_settings().demo_mode
            else []
        )
        return None

    @rx.event
    def log_in(self, form: dict[str, str]):  # noqa: ANN201  (a generator of events)
        self.busy = True
        self.error = ""
        yield
        try:
            with session_scope() as session:
                user = do_check_credentials(
                    session=session,
                    email=form.get("email", ""),
                    password=form.get("password", ""),
                    client_ip=self.router.session.client_ip,
                )
                code = do_issue_login_code(
                    session=session,
                    user_id=user.id,
                    next_path=self.router.url.query_parameters.get("next", ""),
                )
        except AccountError as error:
            self.error = str(error)
            self.busy = False
            return
        yield rx.redirect(complete_login_url(code))


def _demo_accounts() -> rx.Component:
    return rx.cond(
        LoginState.demo_accounts.length() > 0,
        rx.callout(
            rx.vstack(
                rx.text("Demo workspace — log in as:", weight="bold"),
                rx.foreach(
                    LoginState.demo_accounts,
                    lambda a: rx.text(
                        a["role"], ": ", rx.code(a["email"]), " / ", rx.code(a["password"])
                    ),
                ),
                spacing="1",
            ),
            icon="info",
            aria_label="Demo accounts",
        ),
    )


@rx.page(route=routes.LOGIN, title="Log in · Meetings", on_load=LoginState.load)
def login() -> rx.Component:
    return auth_card(
        "Log in",
        rx.cond(
            LoginState.notice != "",
            rx.callout(LoginState.notice, icon="clock", role="status"),
        ),
        _demo_accounts(),
        rx.form(
            rx.vstack(
                field("Email", "email", type_="email", autocomplete="username"),
                field("Password", "password", type_="password", autocomplete="current-password"),
                form_error(LoginState.error),
                submit_button("Log in", LoginState.busy),
                spacing="3",
            ),
            on_submit=LoginState.log_in,
            reset_on_submit=False,
        ),
        rx.hstack(
            rx.link("Forgot password?", href=routes.FORGOT_PASSWORD),
            rx.spacer(),
            rx.link("Sign up", href=routes.SIGN_UP),
            width="100%",
        ),
    )
