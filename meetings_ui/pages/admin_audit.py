"""Admin > Audit log: who did what to whom, newest first."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC

import reflex as rx

from meetings_ui import i18n, routes
from meetings_ui.components.i18n import t
from meetings_ui.components.layout import host_shell, loaded_table
from meetings_ui.pages.admin import admin_tabs
from meetings_ui.services.audit import AuditRow, do_list_audit_events
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.state.auth import AuthState


@dataclass
class AuditView:
    when: str
    actor: str
    action: str
    target: str
    details: str


class AdminAuditState(AuthState):
    # Backend only: the events as the service returned them; `events` is derived.
    _rows: tuple[AuditRow, ...] = ()
    loaded: bool = False

    @rx.var
    def events(self) -> list[AuditView]:
        return [
            AuditView(
                when=self.t(
                    "{moment} UTC",
                    moment=i18n.format_datetime(
                        row.created_at.replace(tzinfo=row.created_at.tzinfo or UTC),
                        self.locale,
                        UTC,
                        "medium",
                    ),
                ),
                actor=row.actor,
                action=row.action,
                target=row.target,
                details=json.dumps(row.details, sort_keys=True) if row.details else "",
            )
            for row in self._rows
        ]

    @rx.event
    def load(self) -> None:
        try:
            self._rows = tuple(do_list_audit_events(actor=self._require_actor()))
        except ForbiddenError:
            self._rows = ()
        self.loaded = True


def _row(event: AuditView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(event.when, white_space="nowrap"),
        rx.table.cell(event.actor),
        rx.table.cell(rx.code(event.action)),
        rx.table.cell(event.target),
        rx.table.cell(rx.text(event.details, size="1")),
    )


@rx.page(
    route=routes.ADMIN_AUDIT,
    title=t("Audit log · Meetings"),
    on_load=[AuthState.require_user, AdminAuditState.load],
)
def admin_audit() -> rx.Component:
    return host_shell(
        t("Audit log"),
        admin_tabs(),
        rx.text(t("The latest 200 events, newest first.")),
        loaded_table(
            AdminAuditState.loaded,
            t("Loading the audit log…"),
            (t("When"), t("Who"), t("Action"), t("On"), t("Details")),
            AdminAuditState.events,
            _row,
            rx.callout(
                t("Nothing has happened yet: every change an admin or a host makes shows here."),
                icon="scroll-text",
                role="status",
            ),
        ),
        admin_only=True,
    )
