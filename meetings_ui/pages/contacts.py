"""Contacts: the small CRM that booked meetings land in."""

from __future__ import annotations

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.layout import host_shell, not_built_yet
from meetings_ui.state.auth import AuthState


@rx.page(route=routes.CONTACTS, title="Contacts · Meetings", on_load=AuthState.require_user)
def contacts() -> rx.Component:
    return host_shell(
        "Contacts",
        not_built_yet(
            "Contacts are not built yet: people who book you, and meetings synced from "
            "your calendar, will be listed here."
        ),
    )
