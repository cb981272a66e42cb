"""Settings > General, and its Calendar tab (the HubSpot article's page)."""

from __future__ import annotations

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.layout import host_shell, not_built_yet
from meetings_ui.components.locked import UNKNOWN, locked
from meetings_ui.domain.licences import Decision
from meetings_ui.services import crm_sync
from meetings_ui.services.calendar_settings import SeatsView, seats_view_of
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.state.auth import AuthState


class SeatsState(AuthState):
    """The current user's seats and what they unlock (S7, S12), as the domain decides."""

    _seats: SeatsView | None = None

    @rx.var
    def seat_labels(self) -> list[str]:
        return list(self._seats.labels) if self._seats else []

    @rx.var
    def url_lock(self) -> Decision:
        return self._seats.url_lock if self._seats else UNKNOWN

    @rx.var
    def domain_lock(self) -> Decision:
        return self._seats.domain_lock if self._seats else UNKNOWN

    @rx.event
    def load(self) -> None:
        try:
            self._seats = seats_view_of(actor=self._require_actor())
        except ForbiddenError:
            self._seats = None


class CrmSyncState(AuthState):
    """The switch that makes every external attendee of the host's events a contact (S4)."""

    add_every_attendee: bool = False

    @rx.event
    def load(self) -> None:
        try:
            self.add_every_attendee = crm_sync.adds_every_attendee(actor=self._require_actor())
        except ForbiddenError:
            self.add_every_attendee = False

    @rx.event
    def set_add_every_attendee(self, enabled: bool) -> rx.event.EventSpec:
        try:
            self.add_every_attendee = crm_sync.do_set_add_every_attendee(
                actor=self._require_actor(), enabled=enabled
            )
        except ForbiddenError as error:
            return rx.toast.error(str(error))
        return rx.toast.success("Settings saved")


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
            lock=SeatsState.url_lock,
            notice_id="lock-meetings-url",
        ),
        locked(
            rx.text("Host meeting links on a custom domain", weight="medium"),
            lock=SeatsState.domain_lock,
            notice_id="lock-custom-domain",
        ),
        spacing="2",
    )


def _crm_sync() -> rx.Component:
    return rx.vstack(
        rx.heading("Contacts from your calendar", size="4", as_="h2"),
        rx.text(
            "Meetings in your connected calendar appear on the records of the contacts "
            "invited to them. Turn this on to also add every other attendee as a new contact."
        ),
        rx.hstack(
            rx.switch(
                id="add-every-attendee",
                checked=CrmSyncState.add_every_attendee,
                on_change=CrmSyncState.set_add_every_attendee,
            ),
            rx.el.label(
                "Add every external attendee of my calendar events as a contact",
                html_for="add-every-attendee",
            ),
            spacing="2",
            align="center",
        ),
        spacing="2",
    )


@rx.page(
    route=routes.SETTINGS,
    title="Settings · Meetings",
    on_load=[AuthState.require_user, SeatsState.load, CrmSyncState.load],
)
def settings() -> rx.Component:
    return host_shell(
        "Settings",
        settings_tabs(),
        _seats(),
        _crm_sync(),
        not_built_yet("Profile settings are not built yet."),
    )
