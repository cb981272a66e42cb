"""The public landing page."""

from __future__ import annotations

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.i18n import t
from meetings_ui.state.auth import AuthState


@rx.page(
    route=routes.LANDING,
    title=t("Meetings — scheduling that respects your calendar"),
    on_load=AuthState.require_app_domain,
)
def landing() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.heading("Meetings", size="9", as_="h1"),
            rx.text(
                t(
                    "Booking links that only offer time you really have free: every selected "
                    "calendar is checked, no slot is booked twice, and daylight-saving changes "
                    "never shift a meeting."
                ),
                size="4",
                color=rx.color("gray", 11),
            ),
            rx.link(rx.button(t("Open the app"), size="3"), href=routes.MEETINGS),
            spacing="5",
            max_width="40em",
            padding="2em",
        ),
        min_height="100vh",
    )
