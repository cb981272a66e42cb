"""Settings > General, and its Calendar tab (the HubSpot article's page)."""

from __future__ import annotations

from dataclasses import replace

import reflex as rx

from meetings_ui import i18n, routes
from meetings_ui.components.i18n import t
from meetings_ui.components.layout import host_shell, not_built_yet
from meetings_ui.components.locked import UNKNOWN, locked
from meetings_ui.domain.licences import Decision
from meetings_ui.services import accounts, crm_sync
from meetings_ui.services.calendar_settings import SeatsView, seats_view_of
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.state.auth import AuthState

# The language choice's value that follows the browser (a radio value cannot be empty).
BROWSER_DEFAULT = "browser"


class SeatsState(AuthState):
    """The current user's seats and what they unlock (S7, S12), as the domain decides."""

    _seats: SeatsView | None = None

    @rx.var
    def seat_labels(self) -> list[str]:
        return list(self._seats.labels) if self._seats else []

    @rx.var
    def url_lock(self) -> Decision:
        return self._said(self._seats.url_lock) if self._seats else UNKNOWN

    @rx.var
    def domain_lock(self) -> Decision:
        return self._said(self._seats.domain_lock) if self._seats else UNKNOWN

    def _said(self, decision: Decision) -> Decision:
        """The decision's words in the reader's language."""
        return replace(decision, reason=self.translate(decision.reason))

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
            return rx.toast.error(self.translate(error))
        return rx.toast.success(self.t("Settings saved"))


class LanguageState(AuthState):
    """The language of the host's pages and emails (M12): a language, or the browser's."""

    choice: str = BROWSER_DEFAULT

    @rx.event
    def load(self) -> None:
        self.choice = self.chosen_locale or BROWSER_DEFAULT

    @rx.event
    def choose(self, choice: str) -> rx.event.EventSpec:
        language = "" if choice == BROWSER_DEFAULT else choice
        try:
            accounts.do_set_language(actor=self._require_actor(), language=language)
        except (ForbiddenError, accounts.AccountError) as error:
            return rx.toast.error(self.translate(error))
        self.choice = choice
        self.chosen_locale = language  # every page follows at once, this one first
        return rx.toast.success(self.t("Language saved"))


def settings_tabs() -> rx.Component:
    return rx.hstack(
        rx.link(t("General"), href=routes.SETTINGS),
        rx.link(t("Calendar"), href=routes.SETTINGS_CALENDAR),
        spacing="4",
        aria_label=t("Settings sections"),
    )


def _language_option(value: str, label: rx.Var[str] | str, lang: str = "") -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.radio_group.item(value=value, id=f"language-{value}"),
            rx.text(label, lang=lang or None),
            align="center",
            spacing="2",
        ),
        style={"cursor": "pointer"},
    )


def _language() -> rx.Component:
    return rx.vstack(
        rx.heading(t("Language"), size="4", as_="h2", id="language-heading"),
        rx.text(
            t(
                "The language of your pages and of the emails Meetings sends you. With the "
                "browser default, your pages follow your browser and emails are in English."
            )
        ),
        rx.radio_group.root(
            rx.vstack(
                _language_option(BROWSER_DEFAULT, t("Browser default")),
                *[_language_option(code, name, lang=code) for code, name in i18n.LANGUAGES.items()],
                spacing="2",
            ),
            value=LanguageState.choice,
            on_change=LanguageState.choose,
            aria_labelledby="language-heading",
        ),
        spacing="2",
    )


def _seats() -> rx.Component:
    return rx.vstack(
        rx.heading(t("Your licence seats"), size="4", as_="h2"),
        rx.cond(
            SeatsState.seat_labels.length() > 0,
            rx.hstack(rx.foreach(SeatsState.seat_labels, rx.badge), spacing="2"),
            rx.text(t("You hold no seat. Admins assign seats under Admin > Users and seats.")),
        ),
        locked(
            rx.text(t("Change the Meetings URL"), weight="medium"),
            lock=SeatsState.url_lock,
            notice_id="lock-meetings-url",
        ),
        locked(
            rx.text(t("Host meeting links on a custom domain"), weight="medium"),
            lock=SeatsState.domain_lock,
            notice_id="lock-custom-domain",
        ),
        spacing="2",
    )


def _crm_sync() -> rx.Component:
    return rx.vstack(
        rx.heading(t("Contacts from your calendar"), size="4", as_="h2"),
        rx.text(
            t(
                "Meetings in your connected calendar appear on the records of the contacts "
                "invited to them. Turn this on to also add every other attendee as a new "
                "contact."
            )
        ),
        rx.hstack(
            rx.switch(
                id="add-every-attendee",
                checked=CrmSyncState.add_every_attendee,
                on_change=CrmSyncState.set_add_every_attendee,
            ),
            rx.el.label(
                t("Add every external attendee of my calendar events as a contact"),
                html_for="add-every-attendee",
            ),
            spacing="2",
            align="center",
        ),
        spacing="2",
    )


@rx.page(
    route=routes.SETTINGS,
    title=t("Settings · Meetings"),
    on_load=[AuthState.require_user, LanguageState.load, SeatsState.load, CrmSyncState.load],
)
def settings() -> rx.Component:
    return host_shell(
        t("Settings"),
        settings_tabs(),
        _language(),
        _seats(),
        _crm_sync(),
        not_built_yet(t("Profile settings are not built yet.")),
    )
