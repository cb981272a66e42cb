"""Admin > Audit log: who did what to whom, newest first."""

from __future__ import annotations

import json
from dataclasses import dataclass

import reflex as rx

from meetings_ui import routes
from meetings_ui.components.layout import data_table, host_shell
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

    @rx.var
    def events(self) -> list[AuditView]:
        return [
            AuditView(
                when=row.created_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
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
    title="Audit log · Meetings",
    on_load=[AuthState.require_user, AdminAuditState.load],
)
def admin_audit() -> rx.Component:
    return host_shell(
        "Audit log",
        admin_tabs(),
        rx.text("The latest 200 events, newest first."),
        data_table(("When", "Who", "Action", "On", "Details"), AdminAuditState.events, _row),
        admin_only=True,
    )
