"""Admin > Failed deliveries: emails and calendar writes the outbox gave up on after its
last attempt, with a Retry for each (once the mail server or the calendar is back)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC

import reflex as rx

from meetings_ui import i18n, routes
from meetings_ui.components.i18n import t
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
                what=self.translate(f.what),
                meeting=f.meeting or "—",
                host=f.host or "—",
                error=self.translate(f.error),
                attempts=str(f.attempts),
                failed_at=self.t(
                    "{moment} UTC",
                    moment=i18n.format_datetime(
                        f.failed_at.replace(tzinfo=f.failed_at.tzinfo or UTC),
                        self.locale,
                        UTC,
                        "medium",
                    ),
                )
                if f.failed_at
                else self.t("never"),
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
            rx.toast.info(self.t("Queued again: it will be delivered in a moment."))
            if queued
            else rx.toast.warning(self.t("This delivery is no longer a failed one."))
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
                t("Retry"),
                size="1",
                variant="soft",
                loading=AdminDeliveriesState.retrying == line.id,
                on_click=AdminDeliveriesState.retry(line.id),
                aria_label=t("Retry: {what}", what=line.what),
            )
        ),
    )


@rx.page(
    route=routes.ADMIN_DELIVERIES,
    title=t("Failed deliveries · Meetings"),
    on_load=[AuthState.require_user, AdminDeliveriesState.load],
)
def admin_deliveries() -> rx.Component:
    return host_shell(
        t("Failed deliveries"),
        admin_tabs(),
        rx.text(
            t(
                "Emails and calendar writes that still failed after their last attempt. "
                "Retry one once the mail server or the calendar works again."
            )
        ),
        loaded_table(
            AdminDeliveriesState.loaded,
            t("Loading failed deliveries…"),
            (
                t("What"),
                t("Meeting"),
                t("Host"),
                t("Error"),
                t("Attempts"),
                t("Failed"),
                t("Actions"),
            ),
            AdminDeliveriesState.lines,
            _line,
            rx.callout(
                t("No failed delivery: every email and calendar write went through."),
                icon="circle-check",
                role="status",
            ),
        ),
        admin_only=True,
    )
