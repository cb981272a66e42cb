"""Admin > Failed deliveries: emails and calendar writes the outbox gave up on after its
last attempt, with a Retry for each (once the mail server or the calendar is back)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.labels import date_time_label
from meetings_ui.components.layout import host_shell, loaded_table
from meetings_ui.pages.admin import admin_tabs
from meetings_ui.services import delivery
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.state.auth import AuthState


@dataclass
class DeliveryLine:
    id: int
    what: str
    meeting: str
    host: str
    error: str
    attempts: str
    failed_at: str


class AdminDeliveriesState(AuthState):
    # Backend only: what the service returned; `lines` is what the table shows.
    _failed: tuple[delivery.FailedDelivery, ...] = ()
    loaded: bool = False
    retrying: int = 0  # the row being retried

    @rx.var
    def lines(self) -> list[DeliveryLine]:
        return [
            DeliveryLine(
                id=f.id,
                what=f.what,
                meeting=f.meeting or "—",
                host=f.host or "—",
                error=f.error,
                attempts=str(f.attempts),
                failed_at=date_time_label(f.failed_at),
            )
            for f in self._failed
        ]

    @rx.event
    def load(self) -> None:
        shown = self._shown_to_user(lambda user: tuple(delivery.failed_deliveries(actor=user)), ())
        if shown is not None:
            self._failed = shown
            self.loaded = True

    @rx.event(background=True)
    async def retry(self, item_id: int) -> AsyncIterator[rx.event.EventSpec]:
        """Queue it again; the background delivery takes it within seconds."""
        async with self:
            if self.retrying:
                return
            actor = self._require_actor()
            self.retrying = item_id
        try:
            queued = await asyncio.to_thread(
                delivery.do_retry_delivery, actor=actor, item_id=item_id
            )
        except ForbiddenError:
            queued = False
        finally:
            async with self:
                self.retrying = 0
        async with self:
            self._failed = tuple(f for f in self._failed if f.id != item_id)
        yield (
            rx.toast.info("Queued again: it will be delivered in a moment.")
            if queued
            else rx.toast.warning("This delivery is no longer a failed one.")
        )


def _line(line: DeliveryLine) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(line.what),
        rx.table.cell(line.meeting),
        rx.table.cell(line.host),
        rx.table.cell(rx.text(line.error, size="1")),
        rx.table.cell(line.attempts),
        rx.table.cell(line.failed_at, white_space="nowrap"),
        rx.table.cell(
            rx.button(
                "Retry",
                size="1",
                variant="soft",
                loading=AdminDeliveriesState.retrying == line.id,
                on_click=AdminDeliveriesState.retry(line.id),
                aria_label="Retry: " + line.what,
            )
        ),
    )


@rx.page(
    route=routes.ADMIN_DELIVERIES,
    title="Failed deliveries · Meetings",
    on_load=[AuthState.require_user, AdminDeliveriesState.load],
)
def admin_deliveries() -> rx.Component:
    return host_shell(
        "Failed deliveries",
        admin_tabs(),
        rx.text(
            "Emails and calendar writes that still failed after their last attempt. "
            "Retry one once the mail server or the calendar works again."
        ),
        loaded_table(
            AdminDeliveriesState.loaded,
            "Loading failed deliveries…",
            ("What", "Meeting", "Host", "Error", "Attempts", "Failed", "Actions"),
            AdminDeliveriesState.lines,
            _line,
            rx.callout("No failed delivery.", icon="circle-check", role="status"),
        ),
        admin_only=True,
    )
