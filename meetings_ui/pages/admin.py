"""Admin console."""

from __future__ import annotations

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.layout import host_shell, not_built_yet


def _admin_tabs() -> rx.Component:
    return rx.hstack(
        rx.link("Overview", href=routes.ADMIN),
        rx.link("Connected calendars", href=routes.ADMIN_CALENDARS),
        spacing="4",
        aria_label="Admin sections",
    )


@rx.page(route=routes.ADMIN, title="Admin · Meetings")
def admin() -> rx.Component:
    return host_shell(
        "Admin",
        _admin_tabs(),
        not_built_yet("Users, licence seats and the audit log are not built yet."),
    )


@rx.page(route=routes.ADMIN_CALENDARS, title="Connected calendars · Meetings")
def admin_calendars() -> rx.Component:
    return host_shell(
        "Connected calendars",
        _admin_tabs(),
        not_built_yet("The overview of every connected calendar and its health is not built yet."),
    )
