"""One interface for every calendar provider, and the errors they may raise.

Services talk to a `CalendarConnector` to connect an account (OAuth), then to the
`CalendarAccount` it opens. Adapters refresh their own tokens and hand the new
credentials to a callback, which saves them encrypted on the connection row.

Errors are never silent and never "free": a calendar whose busy time cannot be read
comes back in `FreeBusy.errors`, and the caller must treat its time as unavailable.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from meetings_ui.domain.enums import Provider, VideoMeeting

Credentials = dict[str, Any]
CredentialsSaver = Callable[[Credentials], None]


class AccessRole(enum.StrEnum):
    """What the connected account may do with a calendar (S10)."""

    OWNER = "owner"
    WRITER = "writer"
    READER = "reader"
    FREE_BUSY = "free_busy"  # may see busy times only


@dataclass(frozen=True)
class ProviderCalendar:
    id: str
    name: str
    access_role: AccessRole
    is_primary: bool = False
    owner_email: str = ""

    @property
    def can_write(self) -> bool:
        return self.access_role in (AccessRole.OWNER, AccessRole.WRITER)


@dataclass(frozen=True)
class BusyInterval:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class FreeBusy:
    """Busy intervals per calendar id, and the calendars that could not be read."""

    busy: Mapping[str, Sequence[BusyInterval]]
    errors: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BusyEvent:
    """An event that blocks time, as a host's own "why isn't this time free?" shows it.
    `private`: the provider marks it private or confidential, so its title is not shown."""

    calendar_id: str
    title: str
    start: datetime
    end: datetime
    private: bool = False


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str = ""


@dataclass(frozen=True)
class NewEvent:
    """An event for the account's primary calendar (S11). `idempotency_key` makes a
    retried create return the same event instead of a second one."""

    summary: str
    start: datetime
    end: datetime
    time_zone: str
    idempotency_key: str
    description: str = ""
    attendees: tuple[Attendee, ...] = ()
    location: str = ""  # a place or a web address, shown as the event's location
    # Ask the provider for a video meeting: each adapter honours its own service
    # (Google Meet, Microsoft Teams) and ignores the other's.
    video: VideoMeeting = VideoMeeting.NONE


@dataclass(frozen=True)
class ProviderEvent:
    id: str
    summary: str
    start: datetime | None
    end: datetime | None
    cancelled: bool = False  # cancelled, or deleted (incremental sync reports both so)
    attendees: tuple[Attendee, ...] = ()
    organizer: str = ""  # the organizer's email, lower-cased
    idempotency_key: str | None = None
    web_link: str = ""
    join_url: str = ""  # the video meeting's join link, once the provider made it
    # The provider is still making the video meeting (Google answers "pending" at first):
    # read the event again later for its join link.
    video_pending: bool = False


@dataclass(frozen=True)
class ChangeSet:
    """Events changed since the last sync, and the token for the next one.
    `full_resync` says the old token had expired and this is a fresh full listing."""

    events: Sequence[ProviderEvent]
    sync_token: str
    full_resync: bool = False


@dataclass(frozen=True)
class WatchChannel:
    """A Google watch channel or a Graph subscription: the provider POSTs to our webhook
    when the calendar's events change, until `expires_at`."""

    channel_id: str  # ours for Google; the subscription id Graph gives for Microsoft
    resource_id: str  # Google's resourceId (channels.stop needs it); "" for Graph
    expires_at: datetime


@dataclass(frozen=True)
class AuthorizationStart:
    """Where to send the user, and what to keep server-side until they come back."""

    url: str
    flow: Credentials  # PKCE verifier and friends: store encrypted, never in the browser


@dataclass(frozen=True)
class ConnectedAccount:
    provider: Provider
    email: str
    credentials: Credentials
    scopes: tuple[str, ...]


class ProviderError(Exception):
    """The provider refused or failed, and retrying now will not help."""


class ConsentDeniedError(ProviderError):
    """The user cancelled or denied the provider's consent screen."""


class MissingScopesError(ProviderError):
    """The user consented but left out permissions Meetings needs (granular consent lets
    them untick a box): `missing` names them, and no connection should be kept."""

    def __init__(self, message: str, missing: Sequence[str]) -> None:
        super().__init__(message)
        self.missing = tuple(missing)


class NeedsReconnectError(ProviderError):
    """The grant is gone (revoked, expired: invalid_grant): only the user can fix it."""


class ProviderUnavailableError(ProviderError):
    """Still failing after retries: rate limited, 5xx or timeouts."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RevocationUnsupportedError(ProviderError):
    """The provider offers an app no way to give up a user's grant: only the user can."""


class CalendarAccount(Protocol):
    provider: Provider

    def list_calendars(self) -> list[ProviderCalendar]: ...

    def free_busy(
        self, calendar_ids: Sequence[str], start: datetime, end: datetime
    ) -> FreeBusy: ...

    def free_busy_of(
        self, calendars: Sequence[ProviderCalendar], start: datetime, end: datetime
    ) -> FreeBusy:
        """`free_busy` for calendars known from the last listing: no calendar-list call."""
        ...

    def busy_events(
        self, calendars: Sequence[ProviderCalendar], start: datetime, end: datetime
    ) -> dict[str, list[BusyEvent]]:
        """The events that block time between `start` and `end`, by calendar id, for the
        calendars whose events the account may read; the others are left out (their busy
        time stays untitled)."""
        ...

    def create_event(self, event: NewEvent) -> ProviderEvent: ...

    def get_event(self, event_id: str) -> ProviderEvent: ...

    def update_event(
        self,
        event_id: str,
        *,
        start: datetime,
        end: datetime,
        summary: str | None = None,
        description: str | None = None,
    ) -> ProviderEvent: ...

    def cancel_event(self, event_id: str) -> None: ...

    def list_changes(
        self, sync_token: str | None, *, start: datetime, end: datetime
    ) -> ChangeSet: ...

    def refresh_token(self) -> None: ...

    def watch_events(
        self, calendar_id: str, *, channel_id: str, secret: str, address: str, expires_at: datetime
    ) -> WatchChannel:
        """Ask the provider to POST to `address` when the calendar's events change, with
        `secret` in every notification; it may shorten `expires_at`."""
        ...

    def renew_watch(self, channel: WatchChannel, expires_at: datetime) -> WatchChannel | None:
        """Extend a channel in place (Graph: PATCH the subscription); None where the
        provider cannot (Google: open a new channel, then stop the old one)."""
        ...

    def stop_watch(self, channel: WatchChannel) -> None:
        """End a channel or subscription; one already gone is fine."""
        ...


class CalendarConnector(Protocol):
    provider: Provider
    scopes: tuple[str, ...]

    def begin(self, *, redirect_uri: str, state: str) -> AuthorizationStart: ...

    def complete(
        self, *, flow: Credentials, callback_params: Mapping[str, str]
    ) -> ConnectedAccount: ...

    def open(
        self, credentials: Credentials, on_credentials_changed: CredentialsSaver
    ) -> CalendarAccount: ...

    def revoke(self, credentials: Credentials) -> None:
        """End the grant at the provider, so the stored tokens stop working anywhere.
        ProviderError (RevocationUnsupportedError, ProviderUnavailableError) when not done."""
        ...
