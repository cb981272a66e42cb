"""Sign up as a host (the user role); then straight into the app, logged in."""

from __future__ import annotations

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.forms import auth_card, field, form_error, submit_button
from meetings_ui.db import session_scope
from meetings_ui.pages.login import complete_login_url
from meetings_ui.services.accounts import (
    MIN_PASSWORD_LENGTH,
    AccountError,
    do_sign_up,
    needs_first_admin,
)
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.services.sessions import do_issue_login_code
from meetings_ui.state.auth import AuthState

PASSWORD_HINT = f"At least {MIN_PASSWORD_LENGTH} characters."


class SignUpState(AuthState):
    error: str = ""
    busy: bool = False

    @rx.event
    def load(self) -> rx.event.EventSpec | None:
        self.error = ""
        self.busy = False
        with session_scope() as session:
            if needs_first_admin(session=session):
                return rx.redirect(routes.FIRST_ADMIN, replace=True)
        return None

    @rx.event
    def sign_up(self, form: dict[str, str]):  # noqa: ANN201  (a generator of events)
        self.busy = True
        self.error = ""
        yield
        try:
            with session_scope() as session:
                user = do_sign_up(
                    session=session,
                    email=form.get("email", ""),
                    password=form.get("password", ""),
                    display_name=form.get("name", ""),
                )
                code = do_issue_login_code(
                    session=session, user_id=user.id, next_path=routes.MEETINGS
                )
        except (AccountError, ForbiddenError) as error:
            self.error = str(error)
            self.busy = False
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
