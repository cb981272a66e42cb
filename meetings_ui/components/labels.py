"""Words the UI shows for stored values, in one place."""

from __future__ import annotations

from meetings_ui.domain.enums import ConnectionStatus

PROVIDER_NAMES = {"google": "Google", "microsoft": "Office 365"}
STATUS_LABELS = {
    ConnectionStatus.CONNECTED: "Connected",
    ConnectionStatus.NEEDS_RECONNECT: "Needs reconnect",
    ConnectionStatus.REVOKED: "Revoked",
}


def date_time_label(value: object) -> str:
    return value.strftime("%d %b %Y %H:%M UTC") if value else "never"  # type: ignore[attr-defined]
