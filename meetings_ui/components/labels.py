"""Words the UI shows for stored values, in one place: msgids, said in the reader's
language where they are shown (`self.translate(STATUS_LABELS[status])`, `tr(...)`)."""

from __future__ import annotations

from meetings_ui.domain.enums import ConnectionStatus, Provider, SyncMode
from meetings_ui.domain.messages import N_

# A connected account's provider, as cards and tables name it.
PROVIDER_NAMES = {Provider.GOOGLE: "Google", Provider.MICROSOFT: "Office 365"}
# The choices of "Connect your calendar", as the article names them.
PROVIDER_CHOICES = {Provider.GOOGLE: "Google/Gmail", Provider.MICROSOFT: "Office 365"}
STATUS_LABELS = {
    ConnectionStatus.CONNECTED: N_("Connected"),
    ConnectionStatus.NEEDS_RECONNECT: N_("Needs reconnect"),
    ConnectionStatus.REVOKED: N_("Revoked"),
}

# How a connected calendar's changes reach Meetings (services/calendar_sync.py).
SYNC_LABELS = {
    SyncMode.NOTIFICATIONS: N_("Updates: instant (change notifications)"),
    SyncMode.POLLING: N_("Updates: checked every 5 minutes"),
}
