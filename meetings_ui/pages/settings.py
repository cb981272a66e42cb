"""Settings > General, and its Calendar tab (the HubSpot article's page)."""

from __future__ import annotations

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.layout import host_shell, not_built_yet


def _settings_tabs() -> rx.Component:
    return rx.hstack(
        rx.link("General", href=routes.SETTINGS),
        rx.link("Calendar", href=routes.SETTINGS_CALENDAR),
        spacing="4",
        aria_label="Settings sections",
    )


@rx.page(route=routes.SETTINGS, title="Settings · Meetings")
def settings() -> rx.Component:
    return host_shell(
        "Settings",
        _settings_tabs(),
        not_built_yet("Profile settings are not built yet."),
    )


@rx.page(route=routes.SETTINGS_CALENDAR, title="Calendar settings · Meetings")
def calendar_settings() -> rx.Component:
    return host_shell(
        "Calendar",
        _settings_tabs(),
        not_built_yet(
            "Connecting a Google or Office 365 calendar is not built yet. Until it is, "
            "nothing is read from or written to any calendar."
        ),
    )
