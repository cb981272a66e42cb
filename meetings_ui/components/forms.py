"""Form pieces with visible labels, so people (and tests) find fields by what they read.

Labels and texts are passed in the reader's words already (`t("Email")`, a var)."""

from __future__ import annotations

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.i18n import t
from meetings_ui.services.accounts import MIN_PASSWORD_LENGTH
from meetings_ui.state.locale import LocaleState

Words = str | rx.Var[str]


def _given(words: Words) -> bool:
    """A var is always given (its words are known in the browser); a string when not empty."""
    return isinstance(words, rx.Var) or bool(words)


def field(
    label: Words,
    name: str,
    *,
    type_: str = "text",
    autocomplete: str = "off",
    hint: Words = "",
    required: bool = True,
) -> rx.Component:
    field_id = f"field-{name}"
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style={"font_weight": "500"}),
        rx.input(
            id=field_id,
            name=name,
            type=type_,
            auto_complete=autocomplete,
            required=required,
            size="3",
            width="100%",
        ),
        *([rx.text(hint, size="1", color=rx.color("gray", 11))] if _given(hint) else []),
        spacing="1",
        width="100%",
    )


def form_error(message: rx.Var[str]) -> rx.Component:
    """An error that says what to fix; screen readers announce it (role=alert)."""
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle-alert", color_scheme="red", role="alert", width="100%"),
    )


def submit_button(label: Words, busy: rx.Var[bool]) -> rx.Component:
    """Shows a spinner and refuses double submits while the server works.

    Disabled until the page is connected: an earlier click would submit the form as a
    plain GET and lose what was typed.
    """
    return rx.button(
        label,
        type="submit",
        loading=busy,
        disabled=~rx.State.is_hydrated,
        size="3",
        width="100%",
    )


def new_password_field(label: Words | None = None) -> rx.Component:
    return field(
        t("Password") if label is None else label,
        "password",
        type_="password",
        autocomplete="new-password",
        hint=t("At least {count} characters.", count=MIN_PASSWORD_LENGTH),
    )


def email_field() -> rx.Component:
    return field(t("Email"), "email", type_="email", autocomplete="username")


def new_account_fields() -> tuple[rx.Component, ...]:
    """Name, email and password of a new account (sign-up, the first admin)."""
    return (
        field(t("Name"), "name", autocomplete="name", required=False),
        email_field(),
        new_password_field(),
    )


def account_form(
    *fields: rx.Component,
    error: rx.Var[str],
    submit: Words,
    busy: rx.Var[bool],
    on_submit: rx.EventHandler,
) -> rx.Component:
    """The form of an account page: its fields, the error to fix, one submit button."""
    return rx.form(
        rx.vstack(*fields, form_error(error), submit_button(submit, busy), spacing="3"),
        on_submit=on_submit,
        reset_on_submit=False,
    )


def once_browser_ready(
    ready: rx.Var[bool], cookies_refused: rx.Var[bool], form: rx.Component
) -> rx.Component:
    """An account page's form, shown once this browser holds its login binding cookie
    (state/login_binding.py), so nothing is typed into a page that is about to reload."""
    return rx.cond(
        ready,
        form,
        rx.cond(
            cookies_refused,
            rx.callout(
                t(
                    "This browser refuses this site's cookies, and logging in needs one: "
                    "allow cookies for this site, then reload the page."
                ),
                icon="triangle-alert",
                color_scheme="red",
                role="alert",
            ),
            rx.center(
                rx.spinner(size="3"),
                rx.text(t("Getting this browser ready…"), size="2"),
                role="status",
                gap="0.5em",
                width="100%",
                padding="2em",
            ),
        ),
    )


def browser_account_form(
    state: type[rx.State], *fields: rx.Component, submit: Words, on_submit: rx.EventHandler
) -> rx.Component:
    """An account page's form wired to `state` (which mixes in FormMixin and
    BrowserCheckMixin), once the browser is ready."""
    return once_browser_ready(
        state.browser_ready,
        state.cookies_refused,
        account_form(
            *fields, error=state.error, submit=submit, busy=state.busy, on_submit=on_submit
        ),
    )


def new_account_form(
    state: type[rx.State], submit: Words, on_submit: rx.EventHandler
) -> rx.Component:
    """Name, email and password of a new account (sign-up, the first admin), once the
    browser is ready."""
    return browser_account_form(state, *new_account_fields(), submit=submit, on_submit=on_submit)


def inbox_notice(message: rx.Var[str], local_outbox: rx.Var[bool]) -> rx.Component:
    """What an account page says once it mailed a link (the same for every address), and
    where the mail waits when this server sends none."""
    return rx.vstack(
        rx.callout(message, icon="mail-check", role="status"),
        rx.cond(
            local_outbox,
            rx.text(
                t("This server sends no mail (SMTP is not configured): messages wait in"),
                " ",
                rx.link(t("the local outbox"), href=routes.DEV_OUTBOX, underline="always"),
                ".",
            ),
        ),
    )


def auth_card(title: Words, *children: rx.Component) -> rx.Component:
    """The centred card of the public account pages (log in, sign up, reset...), marked
    with the language it speaks (screen readers pick their voice by it)."""
    return rx.el.div(
        rx.center(
            rx.card(
                rx.vstack(rx.heading(title, size="7", as_="h1"), *children, spacing="4"),
                size="4",
                width="100%",
                max_width="28em",
            ),
            min_height="100vh",
            padding="1em",
        ),
        lang=LocaleState.language,
    )


def labelled(
    label: Words, control: rx.Component, field_id: str, *, hint: Words = ""
) -> rx.Component:
    """A control under its visible label (tied by `field_id`), with an optional hint."""
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style={"font_weight": "500"}),
        control,
        *([rx.text(hint, size="1", color=rx.color("gray", 11))] if _given(hint) else []),
        spacing="1",
        width="100%",
    )


def dialog_actions(back: Words, on_back: rx.EventHandler, action: rx.Component) -> rx.Component:
    """A dialog's buttons, on the right: the way back (quiet), then the action."""
    return rx.hstack(
        rx.button(back, variant="soft", color_scheme="gray", on_click=on_back),
        action,
        justify="end",
        width="100%",
        padding_top="1em",
    )


def confirm_dialog(
    *,
    title: Words,
    description: Words,
    confirm_label: Words,
    open_: rx.Var[bool],
    on_keep: rx.EventHandler,
    on_confirm: rx.EventHandler,
    busy: rx.Var[bool] | bool = False,
) -> rx.Component:
    """Asks before a destructive action; "Keep it" is the safe default. `busy` shows the
    confirm button loading while the action runs."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description),
            dialog_actions(
                t("Keep it"),
                on_keep,
                rx.button(confirm_label, color_scheme="red", on_click=on_confirm, loading=busy),
            ),
        ),
        open=open_,
    )
