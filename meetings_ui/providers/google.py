"""Google Calendar: authlib for OAuth 2.0 (authorization code + PKCE S256, offline
access) and google-api-python-client for Calendar v3, with its shipped discovery document.

Scopes — the smallest set that does the job:
- calendar.calendarlist.readonly: list the calendars the account owns or can see (S9, S10);
- calendar.freebusy: read busy times of those calendars, free/busy-only ones included (S2);
- calendar.events.owned: create, change and cancel events on calendars the account owns
  (the booking on the primary calendar, S11) and read them for incremental sync (S4).
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

import httplib2
import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from google.oauth2.credentials import Credentials as GoogleCredentials
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from requests import RequestException

from meetings_ui.domain.enums import Provider, VideoMeeting
from meetings_ui.domain.time_zones import UnknownTimeZoneError, start_of_local_day, zone
from meetings_ui.providers.base import (
    AccessRole,
    Attendee,
    AuthorizationStart,
    BusyEvent,
    BusyInterval,
    ChangeSet,
    ConnectedAccount,
    ConsentDeniedError,
    Credentials,
    CredentialsSaver,
    FreeBusy,
    MissingScopesError,
    NeedsReconnectError,
    NewEvent,
    ProviderCalendar,
    ProviderError,
    ProviderEvent,
    ProviderUnavailableError,
    WatchChannel,
)
from meetings_ui.providers.connector import OAuthConnector
from meetings_ui.providers.retry import RetryableError, parse_retry_after

PROVIDER = Provider.GOOGLE
SCOPES = (
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
    "https://www.googleapis.com/auth/calendar.freebusy",
    "https://www.googleapis.com/auth/calendar.events.owned",
)
FREEBUSY_CHUNK = 50  # calendars per freebusy.query
BOOKING_KEY_PROPERTY = "meetingsBookingKey"
_ROLES = {
    "owner": AccessRole.OWNER,
    "writer": AccessRole.WRITER,
    "reader": AccessRole.READER,
    "freeBusyReader": AccessRole.FREE_BUSY,
}
# Google's "Handle API errors" page (developers.google.com/workspace/calendar/api/guides/errors):
# rateLimitExceeded and userRateLimitExceeded (403 or 429) are per-minute limits, to retry
# with exponential backoff; dailyLimitExceeded (the project's daily quota) and quotaExceeded
# ("Calendar usage limits exceeded", a limit on the user that lasts hours) do not lift in
# minutes, so retrying them only burns more quota: they fail at once, with a long retry_after.
_RATE_LIMIT_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
_QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}
QUOTA_RETRY_AFTER = 3600.0  # seconds: try again in an hour, not in a few seconds
_REFRESH_MARGIN = timedelta(seconds=60)
# Events' visibility (Calendar v3 events resource): "private" lets only attendees see the
# details, "confidential" is private too, kept for compatibility.
_PRIVATE_VISIBILITY = {"private", "confidential"}


@dataclass(frozen=True)
class GoogleEndpoints:
    authorize_url: str
    token_url: str
    revoke_url: str
    api_endpoint: str  # Calendar v3 root, ending in /calendar/v3/

    @classmethod
    def production(cls) -> GoogleEndpoints:
        return cls(
            authorize_url="https://accounts.google.com/o/oauth2/v2/auth",
            token_url="https://oauth2.googleapis.com/token",  # noqa: S106  (a URL)
            revoke_url="https://oauth2.googleapis.com/revoke",
            api_endpoint="https://www.googleapis.com/calendar/v3/",
        )

    @classmethod
    def sandbox(cls, sandbox_url: str) -> GoogleEndpoints:
        base = sandbox_url.rstrip("/") + "/google"
        return cls(
            authorize_url=f"{base}/o/oauth2/auth",
            token_url=f"{base}/token",
            revoke_url=f"{base}/revoke",
            api_endpoint=f"{base}/calendar/v3/",
        )


def event_id_for(idempotency_key: str) -> str:
    """A valid Google event id (base32hex, lower case) derived from our key: inserting
    the same booking twice hits 409 duplicate instead of creating a second event."""
    digest = hashlib.sha256(idempotency_key.encode()).digest()
    return base64.b32hexencode(digest).decode().rstrip("=").lower()


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class GoogleConnector(OAuthConnector[GoogleEndpoints]):
    provider = PROVIDER
    scopes = SCOPES

    def oauth_session(self, redirect_uri: str | None = None) -> OAuth2Session:
        return OAuth2Session(
            self.client_id,
            self.client_secret,
            scope=" ".join(SCOPES),
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_post",  # noqa: S106
        )

    def begin(self, *, redirect_uri: str, state: str) -> AuthorizationStart:
        verifier = generate_token(64)
        url, _ = self.oauth_session(redirect_uri).create_authorization_url(
            self.endpoints.authorize_url,
            state=state,
            code_verifier=verifier,
            access_type="offline",  # a refresh token, so sync goes on without the user
            prompt="consent",
            include_granted_scopes="true",
        )
        return AuthorizationStart(
            url, {"code_verifier": verifier, "redirect_uri": redirect_uri, "state": state}
        )

    def complete(
        self, *, flow: Credentials, callback_params: Mapping[str, str]
    ) -> ConnectedAccount:
        if callback_params.get("error"):
            raise ConsentDeniedError(f"Google consent was not given ({callback_params['error']})")
        if not callback_params.get("code") or callback_params.get("state") != flow["state"]:
            raise ProviderError("The Google sign-in answer does not match this connection attempt")
        session = self.oauth_session(flow["redirect_uri"])
        try:
            token = session.fetch_token(
                self.endpoints.token_url,
                grant_type="authorization_code",
                code=callback_params["code"],
                code_verifier=flow["code_verifier"],
                timeout=self.timeout,
            )
        except OAuthError as error:
            raise ProviderError(f"Google refused the sign-in: {error.error}") from error
        except RequestException as error:
            raise ProviderUnavailableError(f"Google could not be reached: {error}") from error
        if not token.get("refresh_token"):
            raise ProviderError("Google did not grant offline access; please connect again")
        granted = granted_scopes(token)
        credentials = _credentials_from(token, previous=None)
        account = self.open(credentials, lambda _: None)
        primary = next((c for c in account.list_calendars() if c.is_primary), None)
        if primary is None:
            raise ProviderError("This Google account has no primary calendar")
        return ConnectedAccount(PROVIDER, primary.id.lower(), account.credentials, granted)

    def open(
        self, credentials: Credentials, on_credentials_changed: CredentialsSaver
    ) -> GoogleAccount:
        return GoogleAccount(self, dict(credentials), on_credentials_changed)

    def revoke(self, credentials: Credentials) -> None:
        """POST the token to Google's revocation endpoint: revoking the refresh token (or
        an access token) ends the whole grant, and every token of it stops working. One
        attempt: the caller tells the user what to do when it fails."""
        token = credentials.get("refresh_token") or credentials.get("access_token")
        if not token:
            return
        try:
            answer = requests.post(
                self.endpoints.revoke_url, data={"token": token}, timeout=self.timeout
            )
        except RequestException as error:
            raise ProviderUnavailableError(f"Google could not be reached: {error}") from error
        if answer.status_code == 200:
            return
        try:
            reason = str(answer.json().get("error", ""))
        except ValueError:
            reason = ""
        if answer.status_code == 400 and reason == "invalid_token":
            return  # already revoked or expired: the grant is gone
        if answer.status_code == 429 or answer.status_code >= 500:
            raise ProviderUnavailableError(
                f"Google answered {answer.status_code} to the revocation"
            )
        raise ProviderError(f"Google refused the revocation ({reason or answer.status_code})")


def granted_scopes(token: Mapping[str, Any]) -> tuple[str, ...]:
    """The scopes the token response says were granted, when every one we need is there.

    With granular consent the user may untick any permission on Google's consent screen
    and still "Allow"; the token response's `scope` then lists only what was ticked
    (Google's OAuth 2.0 web server guide, "Handle granular permissions"; with
    include_granted_scopes, scopes granted earlier are listed too). A response without
    `scope` granted exactly what was asked (RFC 6749 section 5.1). MissingScopesError
    otherwise, before anything is stored."""
    granted = tuple(str(token.get("scope", "")).split()) or SCOPES
    missing = [scope for scope in SCOPES if scope not in granted]
    if missing:
        raise MissingScopesError(
            "Google did not grant every calendar permission Meetings asked for "
            f"(missing: {', '.join(missing)})",
            missing,
        )
    return granted


def _credentials_from(token: Mapping[str, Any], previous: Credentials | None) -> Credentials:
    expires_in = int(token.get("expires_in") or 3600)
    return {
        "access_token": token["access_token"],
        # Google omits the refresh token on refresh: keep the one we have.
        "refresh_token": token.get("refresh_token") or (previous or {}).get("refresh_token"),
        "expires_at": time.time() + expires_in,
        "scope": token.get("scope") or (previous or {}).get("scope", ""),
    }


class GoogleAccount:
    provider = PROVIDER

    def __init__(
        self, connector: GoogleConnector, credentials: Credentials, saver: CredentialsSaver
    ) -> None:
        self.connector = connector
        self.credentials = credentials
        self._save = saver
        self._service: Any = None
        self._service_token: str | None = None

    # --- tokens ---------------------------------------------------------------------

    def refresh_token(self) -> None:
        refresh = self.credentials.get("refresh_token")
        if not refresh:
            raise NeedsReconnectError("No refresh token is stored: connect the calendar again")

        def attempt() -> Mapping[str, Any]:
            try:
                return self.connector.oauth_session().refresh_token(
                    self.connector.endpoints.token_url,
                    refresh_token=refresh,
                    timeout=self.connector.timeout,
                )
            except OAuthError as error:
                if error.error in ("invalid_grant", "unauthorized_client", "invalid_client"):
                    raise NeedsReconnectError(
                        f"Google no longer accepts this connection ({error.error}): "
                        "reconnect the calendar"
                    ) from error
                raise ProviderError(f"Google token refresh failed: {error.error}") from error
            except RequestException as error:
                raise RetryableError(f"Google token endpoint unreachable: {error}") from error

        token = self.connector.retry.run(attempt)
        self.credentials = _credentials_from(token, previous=self.credentials)
        self._save(dict(self.credentials))

    def _calendar(self) -> Any:
        if time.time() + _REFRESH_MARGIN.total_seconds() >= float(
            self.credentials.get("expires_at") or 0
        ):
            self.refresh_token()
        token = self.credentials["access_token"]
        if self._service is None or self._service_token != token:
            # Refreshing is ours (authlib, saved encrypted): google-auth must not try on a 401.
            http = AuthorizedHttp(
                GoogleCredentials(token=token),
                http=httplib2.Http(timeout=self.connector.timeout),
                refresh_status_codes=(),
            )
            self._service = build(
                "calendar",
                "v3",
                http=http,
                static_discovery=True,
                cache_discovery=False,
                client_options={"api_endpoint": self.connector.endpoints.api_endpoint},
            )
            self._service_token = token
        return self._service

    def _execute(self, make_request: Callable[[Any], Any], *, allow: Sequence[int] = ()) -> Any:
        """Run one API request with retries; a 401 refreshes the token once."""
        refreshed = False

        def attempt() -> Any:
            nonlocal refreshed
            try:
                return make_request(self._calendar()).execute(num_retries=0)
            except HttpError as error:
                status = int(error.resp.status)
                if status in allow:
                    return {"_status": status}
                reason = _reason(error)
                if status == 401 and not refreshed:
                    refreshed = True
                    self.refresh_token()
                    return attempt()
                if status in (403, 429) and reason in _QUOTA_REASONS:
                    raise ProviderUnavailableError(
                        f"Google answered {status} {reason}: {_message(error)}",
                        QUOTA_RETRY_AFTER,
                    ) from error
                if (
                    status == 429
                    or (status == 403 and reason in _RATE_LIMIT_REASONS)
                    or status >= 500
                ):
                    raise RetryableError(
                        f"Google answered {status} {reason}".strip(),
                        parse_retry_after(error.resp.get("retry-after")),
                    ) from error
                raise ProviderError(f"Google answered {status}: {_message(error)}") from error
            except (TimeoutError, httplib2.HttpLib2Error, ConnectionError, OSError) as error:
                raise RetryableError(
                    f"Google did not answer in time ({type(error).__name__})"
                ) from error

        return self.connector.retry.run(attempt)

    # --- calendars and busy time -------------------------------------------------------

    def list_calendars(self) -> list[ProviderCalendar]:
        calendars: list[ProviderCalendar] = []
        page_token = None
        while True:
            page = self._execute(
                lambda api, token=page_token: api.calendarList().list(
                    minAccessRole="freeBusyReader", pageToken=token, showHidden=False
                )
            )
            for item in page.get("items", []):
                role = _ROLES.get(item.get("accessRole", ""))
                if role is None:
                    continue
                calendars.append(
                    ProviderCalendar(
                        id=item["id"],
                        name=item.get("summaryOverride") or item.get("summary") or item["id"],
                        access_role=role,
                        is_primary=bool(item.get("primary")),
                    )
                )
            page_token = page.get("nextPageToken")
            if not page_token:
                return calendars

    def free_busy(self, calendar_ids: Sequence[str], start: datetime, end: datetime) -> FreeBusy:
        busy: dict[str, list[BusyInterval]] = {}
        errors: dict[str, str] = {}
        ids = list(dict.fromkeys(calendar_ids))
        for offset in range(0, len(ids), FREEBUSY_CHUNK):
            chunk = ids[offset : offset + FREEBUSY_CHUNK]
            body = {
                "timeMin": _rfc3339(start),
                "timeMax": _rfc3339(end),
                "items": [{"id": i} for i in chunk],
            }
            try:
                answer = self._execute(lambda api, body=body: api.freebusy().query(body=body))
            except ProviderUnavailableError as error:
                errors.update(dict.fromkeys(chunk, str(error)))
                continue
            for calendar_id in chunk:
                entry = answer.get("calendars", {}).get(calendar_id)
                if entry is None:
                    errors[calendar_id] = "Google returned nothing for this calendar"
                elif entry.get("errors"):
                    errors[calendar_id] = ", ".join(
                        e.get("reason", "error") for e in entry["errors"]
                    )
                else:
                    busy[calendar_id] = [
                        BusyInterval(_instant(b["start"]), _instant(b["end"]))
                        for b in entry.get("busy", [])
                    ]
        return FreeBusy(busy, errors)

    def free_busy_of(
        self, calendars: Sequence[ProviderCalendar], start: datetime, end: datetime
    ) -> FreeBusy:
        """freeBusy.query asks by calendar id alone."""
        return self.free_busy([c.id for c in calendars], start, end)

    def busy_events(
        self, calendars: Sequence[ProviderCalendar], start: datetime, end: datetime
    ) -> dict[str, list[BusyEvent]]:
        """events.list of each calendar the account owns: calendar.events.owned reads
        events on calendars you own only. Cancelled events and those that do not block
        time (transparency "transparent", "Show me as: Available") are left out; a reader
        of a shared calendar gets private events without their details, as Google says of
        the reader role."""
        found: dict[str, list[BusyEvent]] = {}
        for calendar in calendars:
            if calendar.access_role != AccessRole.OWNER:
                continue
            query = {
                "calendarId": calendar.id,
                "timeMin": _rfc3339(start),
                "timeMax": _rfc3339(end),
                "singleEvents": True,
                "maxResults": 250,
            }
            try:
                page = self._execute(lambda api, q=query: api.events().list(**q))
                events: list[BusyEvent] = []
                while True:
                    time_zone = str(page.get("timeZone") or "UTC")
                    events.extend(
                        _busy_event(calendar.id, item, time_zone)
                        for item in page.get("items", [])
                        if _blocks_time(item)
                    )
                    token = page.get("nextPageToken")
                    if not token:
                        break
                    page = self._execute(
                        lambda api, q=query, t=token: api.events().list(**q, pageToken=t)
                    )
            except NeedsReconnectError:
                raise
            except ProviderError:
                continue  # its busy time stays, untitled
            found[calendar.id] = [e for e in events if e.start < e.end]
        return found

    # --- events ------------------------------------------------------------------------

    def create_event(self, event: NewEvent) -> ProviderEvent:
        event_id = event_id_for(event.idempotency_key)
        body = {
            "id": event_id,
            "summary": event.summary,
            "description": event.description,
            "start": {"dateTime": _rfc3339(event.start), "timeZone": event.time_zone},
            "end": {"dateTime": _rfc3339(event.end), "timeZone": event.time_zone},
            "attendees": [{"email": a.email, "displayName": a.name} for a in event.attendees],
            "extendedProperties": {"private": {BOOKING_KEY_PROPERTY: event.idempotency_key}},
        }
        if event.location:
            body["location"] = event.location
        if event.video == VideoMeeting.GOOGLE_MEET:
            # The request id is the event's: a retried insert asks for the same meeting.
            # Google makes it asynchronously: the answer may say "pending" (see get_event).
            body["conferenceData"] = {
                "createRequest": {
                    "requestId": event_id,
                    "conferenceSolutionKey": {"type": "hangoutsMeet"},
                }
            }
        created = self._execute(
            # conferenceDataVersion=1, or Google ignores conferenceData altogether.
            lambda api: api.events().insert(
                calendarId="primary", body=body, sendUpdates="all", conferenceDataVersion=1
            ),
            allow=(409,),
        )
        if created.get("_status") == 409:  # a retry of a create that had succeeded
            created = self._execute(
                lambda api: api.events().get(calendarId="primary", eventId=event_id)
            )
        return _event_from(created)

    def get_event(self, event_id: str) -> ProviderEvent:
        return _event_from(
            self._execute(lambda api: api.events().get(calendarId="primary", eventId=event_id))
        )

    def update_event(
        self,
        event_id: str,
        *,
        start: datetime,
        end: datetime,
        summary: str | None = None,
        description: str | None = None,
    ) -> ProviderEvent:
        body: dict[str, Any] = {
            "start": {"dateTime": _rfc3339(start)},
            "end": {"dateTime": _rfc3339(end)},
        }
        if summary is not None:
            body["summary"] = summary
        if description is not None:
            body["description"] = description
        updated = self._execute(
            lambda api: api.events().patch(
                calendarId="primary", eventId=event_id, body=body, sendUpdates="all"
            )
        )
        return _event_from(updated)

    def cancel_event(self, event_id: str) -> None:
        # 404 / 410: already gone, which is what cancelling wants.
        self._execute(
            lambda api: api.events().delete(
                calendarId="primary", eventId=event_id, sendUpdates="all"
            ),
            allow=(404, 410),
        )

    def list_changes(self, sync_token: str | None, *, start: datetime, end: datetime) -> ChangeSet:
        """Changed events of the primary calendar, as Google's sync guide ("Synchronize
        resources efficiently", developers.google.com/workspace/calendar/api/guides/sync)
        and events.list's reference ask: every page repeats the request that gave its
        pageToken; an incremental call sends the syncToken with the same parameters as the
        full sync (singleEvents and showDeleted included), less those events.list refuses
        beside a syncToken (iCalUID, orderBy, privateExtendedProperty, q,
        sharedExtendedProperty, timeMin, timeMax, updatedMin). A 410 (fullSyncRequired)
        means the token expired: list everything again. All-day events are read in the
        calendar's time zone, which every page names."""
        common: dict[str, Any] = {
            "calendarId": "primary",
            "singleEvents": True,
            "showDeleted": True,
            "maxResults": 250,
        }
        full_resync = False
        query: dict[str, Any] = {}
        first: Mapping[str, Any] = {}
        if sync_token:
            query = {**common, "syncToken": sync_token}
            first = self._execute(lambda api, q=query: api.events().list(**q), allow=(410,))
            if first.get("_status") == 410:  # the token expired: list everything again
                sync_token, full_resync = None, True
        if not sync_token:
            query = {**common, "timeMin": _rfc3339(start), "timeMax": _rfc3339(end)}
            first = self._execute(lambda api, q=query: api.events().list(**q))
        time_zone = str(first.get("timeZone") or "UTC")
        events: list[ProviderEvent] = []
        page = first
        while True:
            events.extend(_event_from(item, time_zone) for item in page.get("items", []))
            next_page = page.get("nextPageToken")
            if not next_page:
                break
            page = self._execute(
                lambda api, q=query, token=next_page: api.events().list(**q, pageToken=token)
            )
        return ChangeSet(events, page.get("nextSyncToken", ""), full_resync)

    # --- push notifications --------------------------------------------------------------

    def watch_events(
        self, calendar_id: str, *, channel_id: str, secret: str, address: str, expires_at: datetime
    ) -> WatchChannel:
        """events.watch: a web_hook channel whose `token` comes back in the
        X-Goog-Channel-Token header of every notification. Google may cut the expiration."""
        body = {
            "id": channel_id,
            "type": "web_hook",
            "address": address,
            "token": secret,
            "expiration": str(int(expires_at.timestamp() * 1000)),
        }
        answer = self._execute(lambda api: api.events().watch(calendarId=calendar_id, body=body))
        expiration = answer.get("expiration")
        return WatchChannel(
            channel_id=str(answer.get("id") or channel_id),
            resource_id=str(answer.get("resourceId", "")),
            expires_at=(
                datetime.fromtimestamp(int(expiration) / 1000, UTC) if expiration else expires_at
            ),
        )

    def renew_watch(self, channel: WatchChannel, expires_at: datetime) -> WatchChannel | None:
        """Google channels cannot be extended."""
        return None

    def stop_watch(self, channel: WatchChannel) -> None:
        """channels.stop; 404: the channel is already gone (expired or stopped)."""
        body = {"id": channel.channel_id, "resourceId": channel.resource_id}
        self._execute(lambda api: api.channels().stop(body=body), allow=(404,))


def _event_from(item: Mapping[str, Any], calendar_time_zone: str = "UTC") -> ProviderEvent:
    """An event as we use it. An all-day event (`date`, no `dateTime`) lasts from midnight
    to midnight in the event's time zone if it names one, else the calendar's: a day off in
    Auckland starts 11 or 13 hours before midnight UTC (events.list answers the calendar's
    `timeZone` beside its items)."""

    def when(value: Mapping[str, str] | None) -> datetime | None:
        if not value:
            return None
        if "dateTime" in value:
            return _instant(value["dateTime"])
        if "date" not in value:
            return None
        return start_of_local_day(
            date.fromisoformat(value["date"]),
            _zone_or_utc(value.get("timeZone") or calendar_time_zone),
        )

    private = (item.get("extendedProperties") or {}).get("private") or {}
    conference = item.get("conferenceData") or {}
    status = ((conference.get("createRequest") or {}).get("status") or {}).get("statusCode")
    video = [
        entry.get("uri", "")
        for entry in conference.get("entryPoints") or []
        if entry.get("entryPointType") == "video"
    ]
    return ProviderEvent(
        id=item["id"],
        summary=item.get("summary", ""),
        start=when(item.get("start")),
        end=when(item.get("end")),
        cancelled=item.get("status") == "cancelled",
        attendees=tuple(
            Attendee(str(a.get("email", "")), str(a.get("displayName", "")))
            for a in item.get("attendees") or []
            if a.get("email") and not a.get("resource")
        ),
        organizer=str((item.get("organizer") or {}).get("email", "")).lower(),
        idempotency_key=private.get(BOOKING_KEY_PROPERTY),
        web_link=item.get("htmlLink", ""),
        join_url=video[0] if video else item.get("hangoutLink", ""),
        video_pending=status == "pending" and not video,
    )


def _blocks_time(item: Mapping[str, Any]) -> bool:
    return item.get("status") != "cancelled" and item.get("transparency") != "transparent"


def _busy_event(calendar_id: str, item: Mapping[str, Any], time_zone: str) -> BusyEvent:
    event = _event_from(item, time_zone)
    return BusyEvent(
        calendar_id,
        event.summary,
        event.start or datetime.max.replace(tzinfo=UTC),
        event.end or datetime.min.replace(tzinfo=UTC),
        private=item.get("visibility") in _PRIVATE_VISIBILITY,
    )


def _zone_or_utc(name: str) -> tzinfo:
    try:
        return zone(name)
    except UnknownTimeZoneError:
        return UTC


def _error_body(error: HttpError) -> Mapping[str, Any]:
    try:
        return json.loads(error.content.decode() or "{}").get("error", {})
    except (ValueError, AttributeError):
        return {}


def _reason(error: HttpError) -> str:
    details = _error_body(error).get("errors") or [{}]
    return str(details[0].get("reason", ""))


def _message(error: HttpError) -> str:
    return str(_error_body(error).get("message") or error.reason or "")
