"""Admin console: the overview and the shared tabs of the admin pages."""

from __future__ import annotations

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.layout import host_shell, not_built_yet
from meetings_ui.state.auth import AuthState


def admin_tabs() -> rx.Component:
    return rx.hstack(
        rx.link("Overview", href=routes.ADMIN),
        rx.link("Users and seats", href=routes.ADMIN_USERS),
        rx.link("Audit log", href=routes.ADMIN_AUDIT),
        rx.link("Connected calendars", href=routes.ADMIN_CALENDARS),
        rx.link("Local outbox", href=routes.DEV_OUTBOX),
        spacing="4",
        aria_label="Admin sections",
    )


@rx.page(route=routes.ADMIN, title="Admin · Meetings", on_load=AuthState.require_user)
def admin() -> rx.Component:
    return host_shell(
        "Admin",
        admin_tabs(),
        rx.text(
            "Manage who has an account, their role and licence seats, and see every change "
            "in the audit log."
        ),
        admin_only=True,
    )


@rx.page(
    route=routes.ADMIN_CALENDARS,
    title="Connected calendars · Meetings",
    on_load=AuthState.require_user,
)
def admin_calendars() -> rx.Component:
    return host_shell(
        "Connected calendars",
        admin_tabs(),
        not_built_yet("The overview of every connected calendar and its health is not built yet."),
        admin_only=True,
    )
