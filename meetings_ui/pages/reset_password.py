"""Set a new password from an emailed link (the token stays in the URL, never in a var)."""

from __future__ import annotations

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.forms import account_form, auth_card, new_password_field
from meetings_ui.components.i18n import t
from meetings_ui.domain.messages import N_
from meetings_ui.services import sign_in
from meetings_ui.services.password_reset import reset_token_is_valid
from meetings_ui.state.auth import AuthState
from meetings_ui.state.forms import NOT_DONE, FormMixin, submit_in_thread

DEAD_LINK = N_("This reset link has expired or was already used: ask for a new one.")


class ResetPasswordState(FormMixin, AuthState):
    link_dead: bool = False
    done: bool = False

    def _token(self) -> str:
        return self.router.url.query_parameters.get("token", "")

    @rx.event
    def load(self) -> None:
        self._clear_form()
        self.done = False
        self.link_dead = not reset_token_is_valid(raw_token=self._token())

    @rx.event(background=True)
    async def save(self, form: dict[str, str]) -> None:
        """Hashing the new password is slow on purpose: it runs in a thread."""
        saved = await submit_in_thread(
            self,
            sign_in.reset_password,
            raw_token=self._token(),
            new_password=form.get("password", ""),
        )
        if saved is not NOT_DONE:
            async with self:
                self.done = True


@rx.page(
    route=routes.RESET_PASSWORD,
    title=t("Choose a new password · Meetings"),
    on_load=[AuthState.require_app_domain, ResetPasswordState.load],
)
def reset_password() -> rx.Component:
    return auth_card(
        t("Choose a new password"),
        rx.cond(
            ResetPasswordState.done,
            rx.callout(
                rx.text(
                    t("Your password is changed, and every device was logged out."),
                    " ",
                    rx.link(
                        t("Log in with the new password"), href=routes.LOGIN, underline="always"
                    ),
                ),
                icon="check",
                color_scheme="green",
                role="status",
            ),
            rx.cond(
                ResetPasswordState.link_dead,
                rx.callout(
                    rx.text(
                        t(DEAD_LINK),
                        " ",
                        rx.link(
                            t("Ask for a new link"), href=routes.FORGOT_PASSWORD, underline="always"
                        ),
                    ),
                    icon="triangle-alert",
                    color_scheme="red",
                    role="alert",
                ),
                account_form(
                    new_password_field(t("New password")),
                    error=ResetPasswordState.error,
                    submit=t("Save"),
                    busy=ResetPasswordState.busy,
                    on_submit=ResetPasswordState.save,
                ),
            ),
        ),
    )
