"""Set a new password from an emailed link (the token stays in the URL, never in a var)."""

from __future__ import annotations

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.forms import auth_card, field, form_error, submit_button
from meetings_ui.db import session_scope
from meetings_ui.pages.signup import PASSWORD_HINT
from meetings_ui.services.accounts import AccountError
from meetings_ui.services.password_reset import do_reset_password, reset_token_is_valid
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
        with session_scope() as session:
            self.link_dead = not reset_token_is_valid(session=session, raw_token=self._token())

    @rx.event
    def save(self, form: dict[str, str]):  # noqa: ANN201  (a generator of events)
        self.busy = True
        self.error = ""
        yield
        try:
            with session_scope() as session:
                do_reset_password(
                    session=session, raw_token=self._token(), new_password=form.get("password", "")
                )
        except AccountError as error:
            self.error = str(error)
            self.busy = False
            return
        self.done = True
        self.busy = False


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
