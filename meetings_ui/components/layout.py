"""The host shell: navigation on the left, the page on the right."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx
from reflex_components_core.el.elements.base import BaseHTML

from meetings_ui import routes
from meetings_ui.components.i18n import t
from meetings_ui.domain.messages import N_
from meetings_ui.state.auth import AuthState

# Every host's entries; ADMIN_ENTRY only for the workspace's admins (show what one may use).
NAVIGATION = (
    (N_("Meetings"), routes.MEETINGS, "calendar-days"),
    (N_("Contacts"), routes.CONTACTS, "users"),
    (N_("Settings"), routes.SETTINGS, "settings"),
)
ADMIN_ENTRY = (N_("Admin"), routes.ADMIN, "shield")


def logo(size: str = "28px") -> rx.Component:
    """The app's mark (assets/logo.svg); decorative, so the text beside it names it."""
    return rx.image(src="/logo.svg", alt="", width=size, height=size)


def _nav_link(label: str, href: str, icon: str) -> rx.Component:
    is_current = rx.State.router.page.path.startswith(href)
    return rx.link(
        rx.hstack(rx.icon(icon, size=18), rx.text(t(label)), align="center", spacing="2"),
        href=href,
        underline="none",
        padding="0.5em 0.75em",
        border_radius="var(--radius-2)",
        width="100%",
        color=rx.cond(is_current, rx.color("accent", 11), rx.color("gray", 12)),
        background=rx.cond(is_current, rx.color("accent", 3), "transparent"),
        aria_current=rx.cond(is_current, "page", "false"),
    )


class _PostForm(BaseHTML):
    """A plain HTML form that really navigates (Reflex's form always prevents default)."""

    tag = "form"
    action: rx.Var[str]
    method: rx.Var[str]


def _account() -> rx.Component:
    """Who is logged in, and a real form POST to log out (the cookie route clears it)."""
    return rx.vstack(
        rx.separator(),
        rx.text(AuthState.user_name, weight="bold", size="2"),
        rx.text(AuthState.user_email, size="1", color=rx.color("gray", 11)),
        _PostForm.create(
            rx.button(
                rx.icon("log-out", size=16), t("Log out"), type="submit", variant="soft", size="2"
            ),
            action=AuthState.logout_url,
            method="post",
        ),
        spacing="2",
        width="100%",
    )


def _admins_only() -> rx.Component:
    return rx.callout(
        t(
            "Admins only: this page is for the admins of this workspace. Ask one of them if "
            "you need something changed here."
        ),
        icon="shield-alert",
        color_scheme="amber",
        role="alert",
    )


def _words(text: str | rx.Var[str]) -> rx.Var[str]:
    """A plain string looked up in the reader's language; a var (already `t(...)`) as is."""
    return t(text) if isinstance(text, str) else text


def host_shell(
    title: str | rx.Var[str], *children: rx.Component, admin_only: bool = False
) -> rx.Component:
    """A host page; its content appears only once the on_load guard has found the user.
    A plain `title` is looked up in the reader's language (pass `t(...)` to extract it)."""
    heading = _words(title)
    content = (
        rx.cond(AuthState.is_admin, rx.fragment(*children), _admins_only())
        if admin_only
        else rx.fragment(*children)
    )
    return rx.hstack(
        rx.el.nav(
            rx.vstack(
                rx.link(
                    rx.hstack(logo(), rx.text("Meetings", size="5", weight="bold"), align="center"),
                    href=routes.LANDING,
                    aria_label=t("Home"),
                    underline="none",
                    color=rx.color("gray", 12),
                ),
                rx.separator(),
                *[_nav_link(*item) for item in NAVIGATION],
                rx.cond(AuthState.is_admin, _nav_link(*ADMIN_ENTRY)),
                rx.cond(AuthState.logged_in, _account()),
                spacing="2",
                width="100%",
            ),
            aria_label=t("Main"),
            style={"width": "14em", "padding": "1.25em", "min_height": "100vh"},
            background=rx.color("gray", 2),
            border_right=f"1px solid {rx.color('gray', 5)}",
        ),
        rx.el.main(
            rx.vstack(
                rx.heading(heading, size="7", as_="h1"),
                rx.cond(
                    AuthState.logged_in,
                    content,
                    rx.hstack(rx.spinner(), rx.text(t("Checking your session…")), role="status"),
                ),
                spacing="4",
            ),
            style={"flex": "1", "padding": "2em", "max_width": "64em"},
        ),
        align="start",
        spacing="0",
        width="100%",
    )


def not_built_yet(what: str) -> rx.Component:
    """An honest placeholder: the feature is not there yet, and no fake data pretends it is."""
    return rx.callout(
        what,
        icon="construction",
        color_scheme="gray",
        role="status",
    )


def data_table(
    headers: tuple[str | rx.Var[str], ...],
    rows: rx.Var[list],
    render_row: Callable[..., rx.Component],
) -> rx.Component:
    """A full-width table: one header cell per name, one `render_row` per item of `rows`."""
    return rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(_words(h)) for h in headers])),
        rx.table.body(rx.foreach(rows, render_row)),
        width="100%",
        # Long emails and scopes wrap anywhere, so the table fits the page rather than
        # scrolling sideways in a region the keyboard cannot reach.
        style={"overflow_wrap": "anywhere"},
    )


def loaded_table(
    loaded: rx.Var[bool],
    loading: str | rx.Var[str],
    headers: tuple[str | rx.Var[str], ...],
    rows: rx.Var[list],
    render_row: Callable[..., rx.Component],
    empty: rx.Component,
) -> rx.Component:
    """A list page's table: a spinner saying `loading` until the rows are in, then the
    `data_table`, or `empty` where there is no row."""
    return rx.cond(
        ~loaded,
        rx.hstack(rx.spinner(), rx.text(_words(loading)), role="status"),
        rx.cond(rows.length() > 0, data_table(headers, rows, render_row), empty),
    )


def said(error: Exception) -> str:
    """An exception's message as it was raised, for a state's `translate`: a domain `Text`
    keeps its template there, while `str(error)` would flatten it to English."""
    message = error.args[0] if error.args else ""
    return message if isinstance(message, str) else str(error)
