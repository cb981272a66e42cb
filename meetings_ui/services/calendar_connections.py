"""Use cases around a connected calendar account: save it after consent, open it with
its decrypted credentials, and make sure a dead grant is seen (needs reconnect), never
silently ignored."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

from sqlmodel import Session, select

from meetings_ui.crypto import UndecryptableError, decrypt_json, encrypt_json
from meetings_ui.models import Calendar, CalendarConnection, ConnectionStatus, utc_now
from meetings_ui.providers.base import (
    CalendarAccount,
    ConnectedAccount,
    FreeBusy,
    NeedsReconnectError,
    ProviderCalendar,
)
from meetings_ui.providers.registry import connector_for

T = TypeVar("T")


class ConnectionNotFoundError(LookupError):
    pass


def do_save_connected_account(
    *,
    session: Session,
    user_id: int,
    account: ConnectedAccount,
    calendars: Sequence[ProviderCalendar],
) -> CalendarConnection:
    """Store a freshly consented account. Connecting the same account again updates the
    existing connection (and revives it) instead of adding a duplicate."""
    connection = session.exec(
        select(CalendarConnection).where(
            CalendarConnection.user_id == user_id,
            CalendarConnection.provider == account.provider,
            CalendarConnection.account_email == account.email,
        )
    ).first()
    if connection is None:
        connection = CalendarConnection(
            user_id=user_id, provider=account.provider, account_email=account.email
        )
        session.add(connection)
    connection.encrypted_token = encrypt_json(account.credentials)
    connection.scopes = " ".join(account.scopes)
    connection.status = ConnectionStatus.CONNECTED
    connection.last_error = None
    connection.last_synced_at = utc_now()
    session.flush()
    _store_calendars(session, connection, calendars)
    session.commit()
    return connection


def _store_calendars(
    session: Session, connection: CalendarConnection, calendars: Sequence[ProviderCalendar]
) -> None:
    """Mirror the provider's list (S10: only calendars the account can see); keep the
    user's selection, select the primary calendar (it always counts), drop vanished ones."""
    existing = {
        c.provider_calendar_id: c
        for c in session.exec(select(Calendar).where(Calendar.connection_id == connection.id))
    }
    seen = set()
    for calendar in calendars:
        seen.add(calendar.id)
        row = existing.get(calendar.id)
        if row is None:
            row = Calendar(connection_id=connection.id, provider_calendar_id=calendar.id)
            session.add(row)
        row.name = calendar.name
        row.access_role = calendar.access_role
        row.is_primary = calendar.is_primary
        row.selected = row.selected or calendar.is_primary
    for calendar_id, row in existing.items():
        if calendar_id not in seen:
            session.delete(row)


def get_connection(*, session: Session, connection_id: int) -> CalendarConnection:
    connection = session.get(CalendarConnection, connection_id)
    if connection is None:
        raise ConnectionNotFoundError(f"No calendar connection {connection_id}")
    return connection


def open_account(*, session: Session, connection: CalendarConnection) -> CalendarAccount:
    """The provider account behind a connection; refreshed tokens are re-encrypted and saved."""
    if connection.encrypted_token is None:
        raise NeedsReconnectError(
            "This connection holds no credentials: connect the calendar again"
        )
    try:
        credentials = decrypt_json(connection.encrypted_token)
    except UndecryptableError as error:
        raise NeedsReconnectError(
            "Stored credentials cannot be read with the current secret key: "
            "connect the calendar again"
        ) from error

    def save(new_credentials: dict) -> None:
        connection.encrypted_token = encrypt_json(new_credentials)
        session.add(connection)
        session.commit()

    return connector_for(connection.provider).open(credentials, save)


def call_provider(
    *, session: Session, connection: CalendarConnection, action: Callable[[CalendarAccount], T]
) -> T:
    """Run `action` on the connection's account. A dead grant marks the connection
    "needs reconnect" (shown to the host and to admins) before the error goes on."""
    try:
        result = action(open_account(session=session, connection=connection))
    except NeedsReconnectError as error:
        connection.status = ConnectionStatus.NEEDS_RECONNECT
        connection.last_error = str(error)
        session.add(connection)
        session.commit()
        raise
    if connection.status != ConnectionStatus.CONNECTED or connection.last_error:
        connection.status = ConnectionStatus.CONNECTED
        connection.last_error = None
        session.add(connection)
        session.commit()
    return result


def do_check_connection_health(*, session: Session, connection_id: int) -> CalendarConnection:
    """Re-check a connection: refresh its token and re-read its calendars."""
    connection = get_connection(session=session, connection_id=connection_id)

    def check(account: CalendarAccount) -> list[ProviderCalendar]:
        account.refresh_token()
        return account.list_calendars()

    try:
        calendars = call_provider(session=session, connection=connection, action=check)
    except NeedsReconnectError:
        return connection
    _store_calendars(session, connection, calendars)
    connection.last_synced_at = utc_now()
    session.add(connection)
    session.commit()
    return connection


def read_busy_time(
    *, session: Session, connection: CalendarConnection, start: datetime, end: datetime
) -> FreeBusy:
    """Busy time of every selected calendar (the primary one always counts)."""
    calendars = session.exec(
        select(Calendar).where(
            Calendar.connection_id == connection.id,
            (Calendar.selected) | (Calendar.is_primary),
        )
    ).all()
    ids = [c.provider_calendar_id for c in calendars]
    return call_provider(
        session=session,
        connection=connection,
        action=lambda account: account.free_busy(ids, start, end),
    )
