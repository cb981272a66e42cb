"""Use cases around a connected calendar account: save it after consent, open it with
its decrypted credentials, and make sure a dead grant is seen (needs reconnect), never
silently ignored."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from ipaddress import ip_address
from typing import TypeVar
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlmodel import Session, select

from meetings_ui import routes
from meetings_ui.config import get_settings
from meetings_ui.crypto import UndecryptableError, decrypt_json, encrypt_json
from meetings_ui.domain.enums import ConnectionStatus, Provider, SyncMode
from meetings_ui.domain.messages import N_, Text
from meetings_ui.models import (
    Calendar,
    CalendarChannel,
    CalendarConnection,
    OAuthAttempt,
    User,
    utc_now,
)
from meetings_ui.providers.base import (
    AccessRole,
    BusyEvent,
    CalendarAccount,
    ConnectedAccount,
    ConsentDeniedError,
    FreeBusy,
    MissingScopesError,
    NeedsReconnectError,
    ProviderCalendar,
    ProviderError,
    ProviderUnavailableError,
    RevocationUnsupportedError,
    WatchChannel,
)
from meetings_ui.providers.registry import ProviderNotOfferedError, connector_for, is_sandboxed
from meetings_ui.services import audit
from meetings_ui.services.guard import Actor, require_admin, require_self_or_admin
from meetings_ui.services.tokens import digest, new_token
from meetings_ui.services.transactions import use_case

T = TypeVar("T")
log = logging.getLogger(__name__)


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
        row.owner_email = calendar.owner_email
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


@use_case
def do_check_connection_health(
    *, session: Session, actor: Actor, connection_id: int
) -> ConnectionSummary:
    """Re-check a connection: refresh its token and re-read its calendars (a provider
    call: run it off the event loop). Returns the connection as it is now: a dead grant
    shows as needs reconnect, a provider that is down or throttling as its problem."""
    connection = get_connection(session=session, connection_id=connection_id)
    require_self_or_admin(actor, connection.user_id)

    def check(account: CalendarAccount) -> list[ProviderCalendar]:
        account.refresh_token()
        return account.list_calendars()

    try:
        calendars = call_provider(session=session, connection=connection, action=check)
    except NeedsReconnectError:
        pass  # call_provider has marked the connection
    except ProviderError as error:
        connection.last_error = str(error)
        session.add(connection)
        session.commit()
    else:
        _store_calendars(session, connection, calendars)
        connection.last_synced_at = utc_now()
        session.add(connection)
        session.commit()
    return _summaries(session, [(connection, session.get(User, connection.user_id))])[0]


def selected_calendars(
    *, session: Session, connection: CalendarConnection
) -> list[ProviderCalendar] | None:
    """The calendars whose busy time counts (the primary one always does), as the last
    listing stored them; None when that listing predates storing everything (no owner)."""
    calendars = session.exec(
        select(Calendar).where(
            Calendar.connection_id == connection.id,
            (Calendar.selected) | (Calendar.is_primary),
        )
    ).all()
    if any(c.owner_email is None for c in calendars):
        return None
    return [
        ProviderCalendar(
            id=c.provider_calendar_id,
            name=c.name,
            access_role=AccessRole(c.access_role),
            is_primary=c.is_primary,
            owner_email=c.owner_email or "",
        )
        for c in calendars
    ]


def read_busy_time(
    *, session: Session, connection: CalendarConnection, start: datetime, end: datetime
) -> FreeBusy:
    """Busy time of every selected calendar (the primary one always counts), asked with
    what the last listing stored about them when it stored everything (no list call)."""
    known = selected_calendars(session=session, connection=connection)
    if known is not None:
        return call_provider(
            session=session,
            connection=connection,
            action=lambda account: account.free_busy_of(known, start, end),
        )
    ids = session.exec(
        select(Calendar.provider_calendar_id).where(
            Calendar.connection_id == connection.id,
            (Calendar.selected) | (Calendar.is_primary),
        )
    ).all()
    return call_provider(
        session=session,
        connection=connection,
        action=lambda account: account.free_busy(list(ids), start, end),
    )


def read_busy_events(
    *, session: Session, connection: CalendarConnection, start: datetime, end: datetime
) -> dict[str, list[BusyEvent]]:
    """The events behind the busy time of the selected calendars, with their titles, for
    their own host's eyes ("why isn't this time free?"); {} when the provider cannot say.
    A dead grant still marks the connection (call_provider)."""
    known = selected_calendars(session=session, connection=connection)
    if not known:
        return {}
    try:
        return call_provider(
            session=session,
            connection=connection,
            action=lambda account: account.busy_events(known, start, end),
        )
    except ProviderError:
        return {}


# --- connecting (S1) and the calendar settings (S9, S10) -----------------------------------

ATTEMPT_LIFETIME = timedelta(minutes=10)


class ConnectError(Exception):
    """Why a connection attempt ended without a calendar; `code` goes into the URL."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


CONNECT_MESSAGES = {
    "denied": N_("You cancelled the connection, so no calendar was connected."),
    "expired": N_("That connection attempt expired or was already used. Please try again."),
    "wrong_user": N_(
        "That connection was started by another account. Log in as yourself and try again."
    ),
    "provider": N_("The calendar provider refused the connection. Please try again."),
    "unavailable": N_("The calendar provider could not be reached. Please try again in a moment."),
    "not_offered": N_("That calendar provider is not available on this server."),
    "missing_permissions": N_(
        "Meetings needs permission to see and edit your calendars, so "
        "no calendar was connected. Connect again and, when Google asks what Meetings may "
        "access, tick every calendar box: the list of your calendars, your availability, and "
        "the events on the calendars you own."
    ),
}


def callback_url(provider: Provider) -> str:
    return get_settings().oauth_callback_url(provider)


@use_case
def do_begin_connect(*, session: Session, actor: User, provider: Provider) -> str:
    """Where to send the user to consent; the attempt is remembered for ten minutes.
    May call the provider (discovery): run it off the event loop. Only a provider this
    server offers (real credentials, or the sandbox turned on) may be started."""
    state = new_token()
    try:
        start = connector_for(provider).begin(redirect_uri=callback_url(provider), state=state)
    except ProviderNotOfferedError as error:
        raise ConnectError("not_offered", CONNECT_MESSAGES["not_offered"]) from error
    except ProviderError as error:
        raise ConnectError("unavailable", CONNECT_MESSAGES["unavailable"]) from error
    session.add(
        OAuthAttempt(
            state_digest=digest(state),
            user_id=actor.id,
            provider=provider,
            encrypted_flow=encrypt_json(start.flow),
        )
    )
    session.commit()
    return start.url


def do_complete_connect(
    *, session: Session, provider: str, params: Mapping[str, str], browser_user: User | None
) -> CalendarConnection:
    """Finish a connection from the provider's answer. The state must be ours, fresh,
    unused, and started by the user whose browser brings it back."""
    attempt = session.exec(
        select(OAuthAttempt).where(OAuthAttempt.state_digest == digest(params.get("state", "")))
    ).first()
    if (
        attempt is None
        or attempt.provider != provider
        or attempt.consumed_at is not None
        or attempt.created_at < utc_now() - ATTEMPT_LIFETIME
    ):
        raise ConnectError("expired", CONNECT_MESSAGES["expired"])
    if browser_user is None or browser_user.id != attempt.user_id:
        raise ConnectError("wrong_user", CONNECT_MESSAGES["wrong_user"])
    attempt.consumed_at = utc_now()  # one use, whatever happens next
    session.add(attempt)
    session.commit()
    try:
        connector = connector_for(provider)
        connected = connector.complete(
            flow=decrypt_json(attempt.encrypted_flow), callback_params=params
        )
        calendars = connector.open(connected.credentials, lambda _: None).list_calendars()
    except ConsentDeniedError as error:
        raise ConnectError("denied", CONNECT_MESSAGES["denied"]) from error
    except MissingScopesError as error:  # a box left unticked: keep nothing half-working
        raise ConnectError(
            "missing_permissions", CONNECT_MESSAGES["missing_permissions"]
        ) from error
    except ProviderUnavailableError as error:
        raise ConnectError("unavailable", CONNECT_MESSAGES["unavailable"]) from error
    except ProviderError as error:
        raise ConnectError("provider", CONNECT_MESSAGES["provider"]) from error
    connection = do_save_connected_account(
        session=session, user_id=browser_user.id, account=connected, calendars=calendars
    )
    # A reconnected account's old channel may have died with its grant: start afresh.
    _close_channels(session, connection)
    open_channel(session=session, connection=connection)
    audit.record(
        session=session,
        actor_id=browser_user.id,
        action="calendar.connected",
        target=f"{provider}:{connected.email}",
    )
    return connection


# Where a person removes an app's access themselves, when the provider could not be told.
REMOVE_ACCESS = {
    Provider.GOOGLE: Text(
        "Remove Meetings from the Google Account's third-party connections "
        "(myaccount.google.com/connections)."
    ),
    Provider.MICROSOFT: Text(
        "Remove Meetings from the Microsoft account's app permissions "
        "(myapps.microsoft.com for a work or school account, "
        "account.live.com/consent/Manage for a personal one)."
    ),
}


def _revoke_grant(connection: CalendarConnection) -> str:
    """Ask the provider to end our grant; "" when it did, else what the person must do
    (the provider is down, offers no revocation, or the tokens cannot be read)."""
    provider = Provider(connection.provider)
    try:
        if connection.encrypted_token is None:
            raise NeedsReconnectError("no credentials are stored")
        connector_for(provider).revoke(decrypt_json(connection.encrypted_token))
    except RevocationUnsupportedError:
        why = Text("Microsoft does not let apps give up the access granted to them")
    except (ProviderError, ProviderNotOfferedError, UndecryptableError):
        why = Text(
            "{provider} could not be told to end Meetings' access",
            provider=provider.value.capitalize(),
        )
    else:
        return ""
    return Text(
        "Meetings no longer uses this calendar, but {why}. {remove}",
        why=why,
        remove=REMOVE_ACCESS[provider],
    )


@use_case
def do_disconnect(*, session: Session, actor: Actor, connection_id: int) -> str:
    """Forget the account: its credentials and calendars go with the connection row.
    The grant is revoked at the provider first; if that fails the account is forgotten
    all the same, and the returned notice says how to remove the access by hand ("" when
    the provider ended it)."""
    connection = get_connection(session=session, connection_id=connection_id)
    require_self_or_admin(actor, connection.user_id)
    target = f"{connection.provider}:{connection.account_email}"
    owner_id = connection.user_id
    _close_channels(session, connection)  # while the grant still works
    notice = _revoke_grant(connection)
    session.delete(connection)
    session.commit()
    audit.record(
        session=session,
        actor_id=actor.id,
        action="calendar.disconnected",
        target=target,
        details={"user_id": owner_id, "revoked_at_provider": not notice},
    )
    return notice


@dataclass(frozen=True)
class ConnectionSummary:
    """One connected account as admins see it: whose, which, how healthy."""

    id: int
    user_name: str
    user_email: str
    provider: Provider
    account_email: str
    status: ConnectionStatus
    last_synced_at: datetime | None
    scopes: str
    selected_calendars: tuple[str, ...]
    last_error: str
    sync_mode: SyncMode = SyncMode.POLLING


@use_case
def do_list_connections(
    *, session: Session, actor: Actor, search: str = ""
) -> list[ConnectionSummary]:
    """Every connected calendar account of the workspace (admins only), newest first;
    `search` matches the user's name or email, or the account's email."""
    require_admin(actor)
    query = (
        select(CalendarConnection, User)
        .join(User, User.id == CalendarConnection.user_id)
        .order_by(CalendarConnection.created_at.desc(), CalendarConnection.id.desc())
    )
    needle = search.strip().lower()
    if needle:
        query = query.where(
            sa.or_(
                *(
                    sa.func.lower(column).contains(needle, autoescape=True)
                    for column in (User.display_name, User.email, CalendarConnection.account_email)
                )
            )
        )
    return _summaries(session, session.exec(query).all())


def _summaries(
    session: Session, rows: Sequence[tuple[CalendarConnection, User]]
) -> list[ConnectionSummary]:
    """Summaries of these connections, with their selected calendars read in one query."""
    selected: dict[int, list[str]] = {connection.id: [] for connection, _ in rows}
    calendars = session.exec(
        select(Calendar)
        .where(
            Calendar.connection_id.in_(list(selected)),
            (Calendar.selected) | (Calendar.is_primary),
        )
        .order_by(Calendar.is_primary.desc(), Calendar.name)
    )
    for calendar in calendars:
        selected[calendar.connection_id].append(calendar.name)
    return [
        ConnectionSummary(
            id=connection.id,
            user_name=user.display_name,
            user_email=user.email,
            provider=Provider(connection.provider),
            account_email=connection.account_email,
            status=ConnectionStatus(connection.status),
            last_synced_at=connection.last_synced_at,
            scopes=connection.scopes,
            selected_calendars=tuple(selected[connection.id]),
            last_error=connection.last_error or "",
            sync_mode=SyncMode(connection.sync_mode),
        )
        for connection, user in rows
    ]


# --- change notifications: watch channels (Google), subscriptions (Microsoft) -------------

# How long a channel is asked to live; the provider may cut it (Google: about a week).
CHANNEL_LIFETIME = {
    Provider.GOOGLE: timedelta(days=7),
    Provider.MICROSOFT: timedelta(minutes=4200),  # Graph's limit for events: 4230 minutes
}


def webhook_address(provider: Provider) -> str | None:
    """Where the provider should POST change notifications, or None when it cannot reach
    the app (the backend is not on public https): then the calendar is polled. The
    sandbox lives beside the app and reaches it on any address."""
    settings = get_settings()
    address = f"{settings.backend_url}{routes.webhook(provider)}"
    if is_sandboxed(provider, settings) or _is_public_https(settings.backend_url):
        return address
    return None


def _is_public_https(url: str) -> bool:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme != "https" or not host or host == "localhost" or host.endswith(".local"):
        return False
    try:
        return ip_address(host).is_global
    except ValueError:  # a name
        return True


def open_channel(
    *, session: Session, connection: CalendarConnection, now: datetime | None = None
) -> CalendarChannel | None:
    """Watch the connection's primary calendar (Google events.watch, Graph POST
    /subscriptions) and note the mode. When notifications cannot reach the app, or the
    provider refuses, the calendar is polled instead; the connection works either way."""
    now = now or utc_now()
    provider = Provider(connection.provider)
    address = webhook_address(provider)
    primary = session.exec(
        select(Calendar).where(Calendar.connection_id == connection.id, Calendar.is_primary)
    ).first()
    channel = None
    if address is not None and primary is not None:
        secret = new_token()
        try:
            watched = call_provider(
                session=session,
                connection=connection,
                action=lambda account: account.watch_events(
                    primary.provider_calendar_id,
                    channel_id=new_token(),
                    secret=secret,
                    address=address,
                    expires_at=now + CHANNEL_LIFETIME[provider],
                ),
            )
        except ProviderError as error:
            log.warning("No change notifications for connection %s: %s", connection.id, error)
        else:
            channel = CalendarChannel(
                connection_id=connection.id,
                provider_calendar_id=primary.provider_calendar_id,
                channel_id=watched.channel_id,
                resource_id=watched.resource_id,
                secret_digest=digest(secret),
                expires_at=watched.expires_at,
            )
            session.add(channel)
    connection.sync_mode = SyncMode.NOTIFICATIONS if channel else SyncMode.POLLING
    session.add(connection)
    session.commit()
    return channel


def close_channel(*, session: Session, channel: CalendarChannel) -> None:
    """Stop a channel at the provider (best effort: it expires anyway) and forget it."""
    connection = session.get(CalendarConnection, channel.connection_id)
    watched = WatchChannel(channel.channel_id, channel.resource_id, channel.expires_at)
    try:
        call_provider(
            session=session,
            connection=connection,
            action=lambda account: account.stop_watch(watched),
        )
    except ProviderError as error:
        log.warning("Channel %s not stopped at the provider: %s", channel.channel_id, error)
    session.delete(channel)
    session.commit()


def _close_channels(session: Session, connection: CalendarConnection) -> None:
    for channel in session.exec(
        select(CalendarChannel).where(CalendarChannel.connection_id == connection.id)
    ).all():
        close_channel(session=session, channel=channel)
