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

from meetings_ui.domain.enums import Provider

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


@dataclass(frozen=True)
class ProviderEvent:
    id: str
    summary: str
    start: datetime | None
    end: datetime | None
    cancelled: bool = False
    attendees: tuple[str, ...] = ()
    idempotency_key: str | None = None
    web_link: str = ""


@dataclass(frozen=True)
class ChangeSet:
    """Events changed since the last sync, and the token for the next one.
    `full_resync` says the old token had expired and this is a fresh full listing."""

    events: Sequence[ProviderEvent]
    sync_token: str
    full_resync: bool = False


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

    def create_event(self, event: NewEvent) -> ProviderEvent: ...

    def update_event(
        self, event_id: str, *, start: datetime, end: datetime, summary: str | None = None
    ) -> ProviderEvent: ...

    def cancel_event(self, event_id: str) -> None: ...

    def list_changes(
        self, sync_token: str | None, *, start: datetime, end: datetime
    ) -> ChangeSet: ...

    def refresh_token(self) -> None: ...


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
