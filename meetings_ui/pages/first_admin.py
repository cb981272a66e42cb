"""First run: create the admin of a fresh workspace. Once someone exists, the page is gone."""

from __future__ import annotations

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.forms import auth_card, field, form_error, submit_button
from meetings_ui.db import session_scope
from meetings_ui.pages.login import complete_login_url
from meetings_ui.pages.signup import PASSWORD_HINT
from meetings_ui.services.accounts import AccountError, do_create_first_admin, needs_first_admin
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.services.sessions import do_issue_login_code
from meetings_ui.state.auth import AuthState


class FirstAdminState(AuthState):
    error: str = ""
    busy: bool = False

    @rx.event
    def load(self) -> rx.event.EventSpec | None:
        self.error = ""
        self.busy = False
        with session_scope() as session:
            if not needs_first_admin(session=session):
                return rx.redirect(routes.LOGIN, replace=True)
        return None

    @rx.event
    def create(self, form: dict[str, str]):  # noqa: ANN201  (a generator of events)
        self.busy = True
        self.error = ""
        yield
        try:
            with session_scope() as session:
                user = do_create_first_admin(
                    session=session,
                    email=form.get("email", ""),
                    password=form.get("password", ""),
                    display_name=form.get("name", ""),
                )
                code = do_issue_login_code(
                    session=session, user_id=user.id, next_path=routes.ADMIN_USERS
                )
        except ForbiddenError:
            self.busy = False
            yield rx.redirect(routes.LOGIN, replace=True)
            return
        except AccountError as error:
            self.error = str(error)
            self.busy = False
            return
        yield rx.redirect(complete_login_url(code))


@rx.page(
    route=routes.FIRST_ADMIN,
    title="Create the first admin · Meetings",
    on_load=FirstAdminState.load,
)
def first_admin() -> rx.Component:
    return auth_card(
        "Create the first admin",
        rx.text(
            "Nobody has an account here yet. The first account administers the workspace: "
            "it manages users, licence seats and connected calendars.",
            color=rx.color("gray", 11),
        ),
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
                form_error(FirstAdminState.error),
                submit_button("Create admin account", FirstAdminState.busy),
                spacing="3",
            ),
            on_submit=FirstAdminState.create,
            reset_on_submit=False,
        ),
    )
