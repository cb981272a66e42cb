"""Incremental sync of connected calendars: change notifications in, polling where they
cannot come, channels renewed before they expire.

- A notification names a channel and carries its shared secret (Google's channel token,
  Graph's clientState). Unknown channel or wrong secret: refused, logged and audited, and
  nothing is synced. Otherwise the connection's cached busy time is dropped at once (a new
  event blocks its slots on the next page view) and its changes are read with the stored
  sync token (`list_changes`), the next token kept.
- Polling (`poll_due`): connections in polling mode (no public https webhook, or the
  provider refused the channel) are asked for changes every `POLL_EVERY`.
- Renewal (`renew_due`): a channel expiring within `RENEW_BEFORE` is extended (Graph: PATCH
  the subscription) or replaced (Google: a new channel, then channels.stop on the old one).
  A channel that could not be renewed before it expired leaves its connection polled.

The background loop runs `poll_due` and `renew_due` in every worker: each claims its rows
(FOR UPDATE SKIP LOCKED on PostgreSQL, a conditional update on SQLite) and handles each in
a transaction of its own.
"""

from __future__ import annotations

import enum
import hmac
import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from meetings_ui.domain.enums import ConnectionStatus, Provider, SyncMode
from meetings_ui.models import CalendarChannel, CalendarConnection, utc_now
from meetings_ui.providers.base import NeedsReconnectError, ProviderError, WatchChannel
from meetings_ui.services import audit, busy_cache, crm_sync
from meetings_ui.services.calendar_connections import (
    CHANNEL_LIFETIME,
    call_provider,
    close_channel,
    open_channel,
)
from meetings_ui.services.claims import work_due
from meetings_ui.services.tokens import digest
from meetings_ui.services.transactions import use_case

POLL_EVERY = timedelta(minutes=5)
RENEW_BEFORE = timedelta(days=1)
RENEW_LEASE = timedelta(minutes=5)  # a worker's claim on a channel it renews
BATCH = 20
# The window read when no sync token is stored yet (the first sync lists it whole).
SYNC_PAST, SYNC_AHEAD = timedelta(days=1), timedelta(days=180)
log = logging.getLogger(__name__)


class NotificationOutcome(enum.StrEnum):
    SYNCED = "synced"  # a change: cache dropped, changes read
    ACKNOWLEDGED = "acknowledged"  # a channel's first message (Google "sync")
    REFUSED = "refused"  # wrong or missing secret
    UNKNOWN = "unknown"  # no such channel (stopped, or never ours)


def _extend(
    session: Session, connection: CalendarConnection, channel: CalendarChannel, now: datetime
) -> bool:
    """Extend the channel in place where the provider can (Graph's PATCH)."""
    watched = WatchChannel(channel.channel_id, channel.resource_id, channel.expires_at)
    lifetime = CHANNEL_LIFETIME[Provider(connection.provider)]
    try:
        renewed = call_provider(
            session=session,
            connection=connection,
            action=lambda account: account.renew_watch(watched, now + lifetime),
        )
    except ProviderError as error:
        log.warning("Channel %s not extended: %s", channel.id, error)
        return False
    if renewed is None:
        return False
    channel.expires_at, channel.renewing_until = renewed.expires_at, None
    session.add(channel)
    session.commit()
    return True


@use_case
def do_handle_notification(
    *,
    session: Session,
    provider: Provider,
    channel_id: str,
    secret: str,
    state: str = "exists",
    now: datetime | None = None,
) -> NotificationOutcome:
    """One change notification from `provider` for `channel_id`, checked against the
    channel's secret before anything else happens."""
    now = now or utc_now()
    channel = session.exec(
        select(CalendarChannel).where(CalendarChannel.channel_id == channel_id)
    ).first()
    connection = session.get(CalendarConnection, channel.connection_id) if channel else None
    if channel is None or connection is None or connection.provider != provider:
        log.warning("Notification from %s for an unknown channel %r", provider, channel_id[:80])
        return NotificationOutcome.UNKNOWN
    if not secret or not hmac.compare_digest(channel.secret_digest, digest(secret)):
        log.warning("Notification for channel %s with a wrong secret: ignored", channel.id)
        audit.record(
            session=session,
            actor_id=None,
            action="calendar.notification_refused",
            target=f"{provider}:{connection.account_email}",
            details={"channel": channel.id, "secret_given": bool(secret)},
        )
        return NotificationOutcome.REFUSED
    connection.last_notified_at = now
    session.add(connection)
    if state == "sync":
        session.commit()
        return NotificationOutcome.ACKNOWLEDGED
    busy_cache.invalidate(session=session, connection_id=connection.id)
    session.commit()  # the busy time is re-read from here on, whatever the sync does
    sync_changes(session=session, connection=connection, now=now)
    return NotificationOutcome.SYNCED


def sync_changes(
    *, session: Session, connection: CalendarConnection, now: datetime | None = None
) -> bool:
    """Read the changes since the stored sync token and keep the next token; any change
    drops the cached busy time. False when the provider could not answer (the error is
    shown on the connection; a dead grant marks it needs reconnect)."""
    now = now or utc_now()
    token = connection.sync_token
    try:
        changes = call_provider(
            session=session,
            connection=connection,
            action=lambda account: account.list_changes(
                token, start=now - SYNC_PAST, end=now + SYNC_AHEAD
            ),
        )
    except NeedsReconnectError:
        return False
    except ProviderError as error:
        connection.last_error = f"Sync failed: {error}"
        session.add(connection)
        session.commit()
        return False
    if changes.events or changes.full_resync:
        busy_cache.invalidate(session=session, connection_id=connection.id)
    # The meetings on contact records commit with the token: a crash replays both.
    cancelled = crm_sync.apply_changes(
        session=session,
        connection=connection,
        changes=changes,
        full_listing=not token or changes.full_resync,
        window=(now - SYNC_PAST, now + SYNC_AHEAD),
        now=now,
    )
    connection.sync_token = changes.sync_token or None
    connection.last_synced_at = now
    session.add(connection)
    session.commit()
    for booking in cancelled:
        audit.record(
            session=session,
            actor_id=booking.host_id,
            action="booking.cancelled_in_calendar",
            target=booking.prospect_email,
            details={"booking_id": booking.booking_id, "connection_id": connection.id},
        )
    return True


# --- the background loop's work -------------------------------------------------------------


def poll_due(*, now: datetime | None = None, limit: int = BATCH) -> int:
    """Sync the polled connections that are due; how many were synced."""
    now = now or utc_now()
    due = sa.and_(
        CalendarConnection.status == ConnectionStatus.CONNECTED,
        CalendarConnection.sync_mode == SyncMode.POLLING,
        sa.or_(CalendarConnection.next_poll_at.is_(None), CalendarConnection.next_poll_at <= now),
    )
    return work_due(
        CalendarConnection,
        due,
        limit,
        {"next_poll_at": now + POLL_EVERY},
        lambda session, connection: sync_changes(session=session, connection=connection, now=now),
    )


def renew_due(*, now: datetime | None = None, limit: int = BATCH) -> int:
    """Extend or replace the channels expiring within RENEW_BEFORE; how many were handled."""
    now = now or utc_now()
    due = sa.and_(
        CalendarChannel.expires_at <= now + RENEW_BEFORE,
        sa.or_(CalendarChannel.renewing_until.is_(None), CalendarChannel.renewing_until <= now),
    )
    return work_due(
        CalendarChannel,
        due,
        limit,
        {"renewing_until": now + RENEW_LEASE},
        lambda session, channel: _renew(session, channel, now),
    )


def _renew(session: Session, old: CalendarChannel, now: datetime) -> None:
    connection = session.get(CalendarConnection, old.connection_id)
    if connection.status != ConnectionStatus.CONNECTED:
        return  # its lease lapses; tried again once the calendar is reconnected
    if _extend(session, connection, old, now):
        return
    fresh = open_channel(session=session, connection=connection, now=now)
    if fresh is not None:
        close_channel(session=session, channel=old)
        return
    if old.expires_at <= now:  # not renewed in time: it is dead, the calendar is polled
        session.delete(old)
        session.commit()
    else:  # keep notifications while the old channel lives; try again after the lease
        connection.sync_mode = SyncMode.NOTIFICATIONS
        session.add(connection)
        session.commit()


def run_sync_pass(*, now: datetime | None = None) -> None:
    """The background loop's sync work: renewals first, so a channel that cannot be
    renewed in time hands its calendar to polling in the same pass."""
    renew_due(now=now)
    poll_due(now=now)
