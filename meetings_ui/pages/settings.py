"""Settings > General, and its Calendar tab (the HubSpot article's page)."""

from __future__ import annotations

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.layout import host_shell, not_built_yet
from meetings_ui.components.locked import locked
from meetings_ui.db import session_scope
from meetings_ui.domain.licences import may_change_meetings_url, may_use_custom_domain
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.services.seats import seats_of
from meetings_ui.state.auth import AuthState


class SeatsState(AuthState):
    """The current user's seats and what they unlock (S7, S12), as the domain decides."""

    seat_labels: list[str] = []
    may_change_url: bool = False
    change_url_reason: str = ""
    may_use_domain: bool = False
    use_domain_reason: str = ""

    @rx.event
    def load(self) -> None:
        try:
            actor = self._require_actor()
            with session_scope() as session:
                seats = seats_of(session=session, actor=actor, user_id=actor.id)
        except ForbiddenError:
            seats = []
        url, domain = may_change_meetings_url(seats), may_use_custom_domain(seats)
        self.seat_labels = [seat.label for seat in seats]
        self.may_change_url, self.change_url_reason = url.allowed, url.reason
        self.may_use_domain, self.use_domain_reason = domain.allowed, domain.reason


def settings_tabs() -> rx.Component:
    return rx.hstack(
        rx.link("General", href=routes.SETTINGS),
        rx.link("Calendar", href=routes.SETTINGS_CALENDAR),
        spacing="4",
        aria_label="Settings sections",
    )


def _seats() -> rx.Component:
    return rx.vstack(
        rx.heading("Your licence seats", size="4", as_="h2"),
        rx.cond(
            SeatsState.seat_labels.length() > 0,
            rx.hstack(rx.foreach(SeatsState.seat_labels, rx.badge), spacing="2"),
            rx.text("You hold no seat. Admins assign seats under Admin > Users and seats."),
        ),
        locked(
            rx.text("Change the Meetings URL", weight="medium"),
            allowed=SeatsState.may_change_url,
            reason=SeatsState.change_url_reason,
            notice_id="lock-meetings-url",
        ),
        locked(
            rx.text("Host meeting links on a custom domain", weight="medium"),
            allowed=SeatsState.may_use_domain,
            reason=SeatsState.use_domain_reason,
            notice_id="lock-custom-domain",
        ),
        spacing="2",
    )


@rx.page(
    route=routes.SETTINGS,
    title="Settings · Meetings",
    on_load=[AuthState.require_user, SeatsState.load],
)
def settings() -> rx.Component:
    return host_shell(
        "Settings",
        settings_tabs(),
        _seats(),
        not_built_yet("Profile settings are not built yet."),
    )
