"""Meetings dashboard: the host's booking links."""

from __future__ import annotations

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.layout import host_shell, not_built_yet
from meetings_ui.state.auth import AuthState


@rx.page(route=routes.MEETINGS, title="Meetings · Meetings", on_load=AuthState.require_user)
def meetings() -> rx.Component:
    return host_shell(
        "Meetings",
        not_built_yet(
            "Meeting links are not built yet: creating, editing and sharing booking "
            "links arrives in a coming release."
        ),
    )
