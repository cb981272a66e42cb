"""A connected calendar account on screen: its health badge, its Disconnect button and the
one confirmation dialog, shared by the host's calendar settings and the admin console.

A page's state mixes in `DisconnectState` (before `AuthState`) and says, in
`_disconnected`, what changes on screen once the account is gone.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import reflex as rx

from meetings_ui import i18n
from meetings_ui.components.forms import confirm_dialog
from meetings_ui.components.i18n import t
from meetings_ui.domain.messages import N_
from meetings_ui.services import calendar_connections as connections
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.state.auth import AuthState

REFUSED = N_("That calendar could not be disconnected: reload the page and try again.")


class DisconnectState(AuthState, mixin=True):
    """Ask, then disconnect a calendar account in the background (the button shows it)."""

    disconnect_id: int = 0
    disconnect_account: str = ""
    disconnecting: bool = False

    def _disconnected(self, connection_id: int) -> str:
        """Drop the account from the page's data; the success message to show (in the
        reader's language)."""
        raise NotImplementedError

    def _moment(self, value: datetime | None) -> str:
        """A sync's date and time in the reader's locale (UTC, as stored), or "never"."""
        if value is None:
            return self.t("never")
        moment = value.replace(tzinfo=value.tzinfo or UTC)
        return self.t(
            "{moment} UTC", moment=i18n.format_datetime(moment, self.locale, UTC, "medium")
        )

    @rx.event
    def ask_disconnect(self, connection_id: int, account: str) -> None:
        self.disconnect_id, self.disconnect_account = connection_id, account

    @rx.event
    def keep_connection(self) -> None:
        if not self.disconnecting:
            self.disconnect_id = 0

    @rx.event(background=True)
    async def disconnect(self) -> AsyncIterator[rx.event.EventSpec]:
        async with self:
            if self.disconnecting or not self.disconnect_id:
                return
            actor = self._require_actor()
            connection_id, self.disconnecting = self.disconnect_id, True
        notice = ""
        try:
            notice = await asyncio.to_thread(
                connections.do_disconnect, actor=actor, connection_id=connection_id
            )
            refused = False
        except (ForbiddenError, connections.ConnectionNotFoundError):
            refused = True
        except Exception:
            async with self:
                self.disconnecting = False  # the dialog stays usable; the error is shown
            raise
        async with self:
            self.disconnecting, self.disconnect_id = False, 0
            message = self.t(REFUSED) if refused else self._disconnected(connection_id)
            notice = self.translate(notice) if notice else ""
        if refused:
            yield rx.toast.error(message)
        elif notice:  # the provider could not end the grant: the person must, so it stays
            yield rx.toast.warning(
                self.t("{outcome}. {notice}", outcome=message, notice=notice),
                duration=60_000,
                close_button=True,
            )
        else:
            yield rx.toast.success(message)


def disconnect_dialog(state: type[DisconnectState], consequence: rx.Var[str]) -> rx.Component:
    """ "Disconnect this calendar?" for the account `state` asks about; `consequence`
    explains what follows (`t(...)` with the account as `{account}`)."""
    return confirm_dialog(
        title=t("Disconnect this calendar?"),
        description=consequence,
        confirm_label=t("Disconnect calendar"),
        open_=state.disconnect_id != 0,
        on_keep=state.keep_connection,
        on_confirm=state.disconnect,
        busy=state.disconnecting,
    )


def disconnect_button(
    state: type[DisconnectState], connection_id: rx.Var[int], account: rx.Var[str], **props: object
) -> rx.Component:
    return rx.button(
        t("Disconnect"),
        variant="soft",
        color_scheme="red",
        on_click=state.ask_disconnect(connection_id, account),
        aria_label=t("Disconnect {account}", account=account),
        **props,
    )


def health(
    status_label: rx.Var[str],
    connected: rx.Var[bool],
    problem: rx.Var[str],
    *beside: rx.Component,
) -> rx.Component:
    """The account's status, green when connected (`beside` it, say, the last sync), and
    the provider's last error under it."""
    return rx.vstack(
        rx.hstack(
            rx.badge(
                status_label, color_scheme=rx.cond(connected, "green", "red"), high_contrast=True
            ),
            *beside,
        ),
        rx.cond(problem != "", rx.text(problem, size="1", color=rx.color("red", 11))),
        spacing="1",
    )
