"""Office 365: msal (ConfidentialClientApplication, auth code flow with PKCE) for the
identity platform, and Microsoft Graph's REST API for calendars.

Each connection keeps its own msal token cache, serialized and stored encrypted on the
connection row: there is no module-global cache shared between users.

Scopes: User.Read (who connected), Calendars.ReadWrite (own calendars: busy time, the
booking on the primary calendar, incremental sync) and Calendars.Read.Shared (calendars
other people share with the account, S10). msal adds openid, profile, offline_access.

msal only accepts https authorities. In sandbox mode the authority is
https://login.sandbox.invalid/<tenant>, and the requests session given to msal
(`AuthorityRewritingSession`) sends what msal addresses there to the sandbox over plain
HTTP: msal's own code path is unchanged, only the base URL differs.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import msal
import requests

from meetings_ui.config import MICROSOFT_AUTHORITY_HOST
from meetings_ui.domain.enums import Provider, VideoMeeting
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
    NeedsReconnectError,
    NewEvent,
    ProviderCalendar,
    ProviderError,
    ProviderEvent,
    ProviderUnavailableError,
    RevocationUnsupportedError,
    WatchChannel,
)
from meetings_ui.providers.connector import OAuthConnector
from meetings_ui.providers.retry import RetryableError, parse_retry_after

PROVIDER = Provider.MICROSOFT
SCOPES = ("User.Read", "Calendars.ReadWrite", "Calendars.Read.Shared")
SCHEDULES_PER_CALL = 20
SCHEDULE_SPAN = timedelta(days=61)  # getSchedule accepts under 62 days per call
# Graph's freeBusyStatus values (scheduleItem.status, event.showAs): free, tentative, busy,
# oof, workingElsewhere, unknown; getSchedule writes them in any case ("Tentative").
# Only `free` is free time. availabilityView writes workingElsewhere as 0 "for backward
# compatibility" (https://learn.microsoft.com/graph/api/resources/scheduleinformation),
# which does not make the person available; unknown is not known to be free either.
_FREE = "free"
# Error codes by which Graph says a delta token can no longer be used, besides 410 Gone:
# start over with a full sync (https://learn.microsoft.com/graph/delta-query-overview,
# "Synchronization reset"; an expired token answers 400 syncStateNotFound).
_RESYNC_CODES = {"syncstatenotfound", "syncstateinvalid", "resyncrequired"}
_CLIENT_ERRORS = tuple(range(400, 500))
# event.sensitivity (https://learn.microsoft.com/graph/api/resources/event): normal,
# personal, private, confidential. Private and confidential items keep their subject to
# themselves.
_PRIVATE_SENSITIVITY = {"private", "confidential"}


@dataclass(frozen=True)
class MicrosoftEndpoints:
    authority: str
    graph_url: str  # ending in /v1.0
    rewrites: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def production(cls, tenant: str = "common") -> MicrosoftEndpoints:
        return cls(
            f"https://login.microsoftonline.com/{tenant}", "https://graph.microsoft.com/v1.0"
        )

    @classmethod
    def sandbox(cls, sandbox_url: str, tenant: str = "common") -> MicrosoftEndpoints:
        base = sandbox_url.rstrip("/")
        return cls(
            f"{MICROSOFT_AUTHORITY_HOST}/{tenant}",
            f"{base}/graph/v1.0",
            {MICROSOFT_AUTHORITY_HOST: f"{base}/microsoft"},
        )

    def reachable(self, url: str) -> str:
        """The address a browser or HTTP client really uses for `url`."""
        for prefix, target in self.rewrites.items():
            if url.startswith(prefix):
                return target + url[len(prefix) :]
        return url


class AuthorityRewritingSession(requests.Session):
    """Sends what msal addresses to the sandbox's https authority to where it really is."""

    def __init__(self, endpoints: MicrosoftEndpoints) -> None:
        super().__init__()
        self.endpoints = endpoints

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        text = url.decode() if isinstance(url, bytes) else url
        return super().request(method, self.endpoints.reachable(text), *args, **kwargs)


def _graph_instant(value: Mapping[str, str] | None) -> datetime | None:
    if not value or not value.get("dateTime"):
        return None
    parsed = datetime.fromisoformat(value["dateTime"][:26])  # Graph sends 7 fractional digits
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _graph_time(value: datetime) -> dict[str, str]:
    return {"dateTime": value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}


def _busy(status: object) -> bool:
    return str(status or "").lower() != _FREE


def _json_object(response: requests.Response) -> dict[str, Any] | None:
    """The JSON object a Graph answer carries; {} for an empty body; None when the body is
    something else (an HTML page from a gateway or proxy, a truncated answer)."""
    if not response.content:
        return {}
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _error_field(body: Mapping[str, Any], name: str) -> str:
    """`code` or `message` of a Graph error body, "" when there is none."""
    error = body.get("error")
    return str(error.get(name) or "") if isinstance(error, dict) else ""


def _owner_address(calendar: Mapping[str, Any]) -> str:
    return str((calendar.get("owner") or {}).get("address") or "").lower()


class _AccessDeniedError(ProviderError):
    """calendarView refused a calendar shared with free/busy only."""


class _SyncResetError(ProviderError):
    """Graph no longer accepts the delta token: a full sync is needed."""


class MicrosoftConnector(OAuthConnector[MicrosoftEndpoints]):
    provider = PROVIDER
    scopes = SCOPES

    def application(
        self, cache: msal.SerializableTokenCache | None = None
    ) -> msal.ConfidentialClientApplication:
        http_client = AuthorityRewritingSession(self.endpoints) if self.endpoints.rewrites else None
        try:
            return msal.ConfidentialClientApplication(
                self.client_id,
                client_credential=self.client_secret,
                authority=self.endpoints.authority,
                token_cache=cache,
                http_client=http_client,
                instance_discovery=False,
                timeout=self.timeout,
            )
        except (requests.RequestException, ValueError) as error:
            raise ProviderUnavailableError(
                f"Microsoft sign-in could not be reached: {error}"
            ) from error

    def begin(self, *, redirect_uri: str, state: str) -> AuthorizationStart:
        # The answer comes back as a GET (response_mode=query): our callback checks that
        # the browser's session cookie (SameSite=Lax) belongs to the user who started, and
        # a cross-site form_post would not carry it. The code is single-use and bound to
        # the PKCE verifier, so msal's form_post advice is knowingly declined.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="response_mode='form_post'")
            flow = self.application().initiate_auth_code_flow(
                list(SCOPES), redirect_uri=redirect_uri, state=state, prompt="select_account"
            )
        return AuthorizationStart(self.endpoints.reachable(flow["auth_uri"]), dict(flow))

    def complete(
        self, *, flow: Credentials, callback_params: Mapping[str, str]
    ) -> ConnectedAccount:
        if callback_params.get("error"):
            raise ConsentDeniedError(
                f"Microsoft consent was not given ({callback_params['error']})"
            )
        cache = msal.SerializableTokenCache()
        try:
            result = self.application(cache).acquire_token_by_auth_code_flow(
                dict(flow), dict(callback_params)
            )
        except ValueError as error:  # msal's state / flow mismatch
            raise ProviderError(
                "The Microsoft sign-in answer does not match this connection attempt"
            ) from error
        except requests.RequestException as error:
            raise ProviderUnavailableError(
                f"Microsoft sign-in could not be reached: {error}"
            ) from error
        if "error" in result:
            reason = result.get("error_description") or result["error"]
            raise ProviderError(f"Microsoft refused the sign-in: {reason}")
        email = self._mailbox_address(str(result.get("access_token") or ""))
        granted = tuple(str(result.get("scope", "")).split()) or SCOPES
        return ConnectedAccount(
            PROVIDER, email, {"token_cache": cache.serialize(), "email": email}, granted
        )

    def _mailbox_address(self, access_token: str) -> str:
        """The connected mailbox's primary SMTP address, from GET /me: `mail`, or
        `userPrincipalName` only when `mail` is null
        (https://learn.microsoft.com/graph/api/user-get). Not the id token's
        preferred_username: that is the sign-in name (UPN), which can differ from the address
        calendars and getSchedule know the user by."""

        def attempt() -> dict[str, Any] | None:
            try:
                response = requests.get(
                    self.endpoints.graph_url + "/me",
                    params={"$select": "mail,userPrincipalName"},
                    headers={"Authorization": f"Bearer {access_token}"},
                    timeout=self.timeout,
                )
            except requests.RequestException as error:
                raise RetryableError(
                    f"Microsoft Graph did not answer ({type(error).__name__})"
                ) from error
            if response.status_code == 429 or response.status_code >= 500:
                raise RetryableError(
                    f"Microsoft Graph answered {response.status_code}",
                    parse_retry_after(response.headers.get("Retry-After")),
                )
            if response.status_code != 200:
                raise ProviderError(
                    f"Microsoft Graph did not say who signed in ({response.status_code})"
                )
            return _json_object(response)

        me = self.retry.run(attempt) or {}
        email = str(me.get("mail") or me.get("userPrincipalName") or "").lower()
        if not email:
            raise ProviderError("Microsoft did not say which account was connected")
        return email

    def open(
        self, credentials: Credentials, on_credentials_changed: CredentialsSaver
    ) -> MicrosoftAccount:
        return MicrosoftAccount(self, dict(credentials), on_credentials_changed)

    def revoke(self, credentials: Credentials) -> None:
        """The Microsoft identity platform has no revocation endpoint (no RFC 7009) for a
        user-consented app. What exists is for administrators: deleting the user's
        oauth2PermissionGrant needs DelegatedPermissionGrant.ReadWrite.All, and
        revokeSignInSessions needs an admin-consented permission and would sign the user
        out of every app they use. So the grant stays until the user removes it; the
        caller forgets the tokens and tells them where."""
        raise RevocationUnsupportedError(
            "Microsoft does not let an app give up the access a user granted it"
        )


class MicrosoftAccount:
    provider = PROVIDER

    def __init__(
        self, connector: MicrosoftConnector, credentials: Credentials, saver: CredentialsSaver
    ) -> None:
        self.connector = connector
        self.credentials = credentials
        self._save = saver
        self._cache = msal.SerializableTokenCache()
        self._cache.deserialize(credentials.get("token_cache") or "{}")
        self._app: msal.ConfidentialClientApplication | None = None
        self._http = requests.Session()
        self._known: Sequence[ProviderCalendar] | None = None  # set by free_busy_of

    # --- tokens -----------------------------------------------------------------------------

    def _access_token(self, force_refresh: bool = False) -> str:
        if self._app is None:
            self._app = self.connector.application(self._cache)
        accounts = self._app.get_accounts()
        if not accounts:
            raise NeedsReconnectError("No Microsoft sign-in is stored: connect the calendar again")

        def attempt() -> Mapping[str, Any]:
            try:
                result = self._app.acquire_token_silent_with_error(
                    list(SCOPES), account=accounts[0], force_refresh=force_refresh
                )
            except requests.RequestException as error:
                raise RetryableError(f"Microsoft sign-in unreachable: {error}") from error
            if result and result.get("error") in ("temporarily_unavailable", "server_error"):
                raise RetryableError(f"Microsoft sign-in answered {result['error']}")
            return result or {}

        result = self.connector.retry.run(attempt)
        if self._cache.has_state_changed:
            self.credentials = {**self.credentials, "token_cache": self._cache.serialize()}
            self._save(dict(self.credentials))
            self._cache.has_state_changed = False
        if "access_token" not in result:
            error = result.get("error", "no token")
            if error in ("invalid_grant", "interaction_required", "no token"):
                raise NeedsReconnectError(
                    f"Microsoft no longer accepts this connection ({error}): reconnect the calendar"
                )
            raise ProviderError(
                f"Microsoft token refresh failed: {result.get('error_description') or error}"
            )
        return str(result["access_token"])

    def refresh_token(self) -> None:
        self._access_token(force_refresh=True)

    def _graph(
        self, method: str, path_or_url: str, *, allow: Sequence[int] = (), **kwargs: Any
    ) -> tuple[int, dict[str, Any]]:
        """One Graph request with retries (429 Retry-After honoured); 401 refreshes once."""
        url = (
            path_or_url
            if path_or_url.startswith("http")
            else self.connector.endpoints.graph_url + path_or_url
        )
        refreshed = False

        def attempt() -> tuple[int, dict[str, Any]]:
            nonlocal refreshed
            headers = {
                "Authorization": f"Bearer {self._access_token(force_refresh=refreshed)}",
                "Prefer": 'outlook.timezone="UTC"',
            }
            try:
                response = self._http.request(
                    method, url, headers=headers, timeout=self.connector.timeout, **kwargs
                )
            except requests.RequestException as error:
                raise RetryableError(
                    f"Microsoft Graph did not answer ({type(error).__name__})"
                ) from error
            if response.status_code == 401 and not refreshed:
                refreshed = True
                return attempt()
            if response.status_code in (429, 503, 504) or response.status_code >= 500:
                raise RetryableError(
                    f"Microsoft Graph answered {response.status_code}",
                    parse_retry_after(response.headers.get("Retry-After")),
                )
            body = _json_object(response)
            if body is None and response.status_code < 400:
                raise ProviderError(
                    f"Microsoft Graph answered {response.status_code} with a body that is not JSON"
                )
            body = body or {}
            if response.status_code >= 400 and response.status_code not in allow:
                message = _error_field(body, "message") or response.reason
                raise ProviderError(f"Microsoft Graph answered {response.status_code}: {message}")
            return response.status_code, body

        return self.connector.retry.run(attempt)

    def _paged(self, path: str, **kwargs: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        _, page = self._graph("GET", path, **kwargs)
        while True:
            items.extend(page.get("value", []))
            next_link = page.get("@odata.nextLink")
            if not next_link:
                return items
            _, page = self._graph("GET", next_link)

    # --- calendars and busy time ---------------------------------------------------------------

    def _my_email(self) -> str:
        return str(self.credentials.get("email", "")).lower()

    def list_calendars(self) -> list[ProviderCalendar]:
        """The account's calendars and those shared with it. Whose a calendar is comes from
        its `owner` (https://learn.microsoft.com/graph/api/resources/calendar: the user for
        calendars they created, the sharer for shared ones), and the account's own address
        from its default calendar's owner: an address saved from an earlier sign-in may be
        the sign-in name rather than the mailbox's SMTP address."""
        items = self._paged("/me/calendars")
        defaults = [_owner_address(item) for item in items if item.get("isDefaultCalendar")]
        me = next(filter(None, defaults), "") or self._my_email()
        calendars = []
        for item in items:
            owner = _owner_address(item)
            mine = owner == me
            if item.get("canEdit"):
                role = AccessRole.OWNER if mine else AccessRole.WRITER
            elif item.get("canViewPrivateItems") or mine:
                role = AccessRole.READER
            else:
                role = AccessRole.FREE_BUSY
            calendars.append(
                ProviderCalendar(
                    id=item["id"],
                    name=item.get("name") or item["id"],
                    access_role=role,
                    is_primary=bool(item.get("isDefaultCalendar")),
                    owner_email=owner or (me if item.get("isDefaultCalendar") else ""),
                )
            )
        return calendars

    def free_busy(self, calendar_ids: Sequence[str], start: datetime, end: datetime) -> FreeBusy:
        """Every calendar asked about comes back busy or as an error, never silently free.

        getSchedule answers for a mailbox's *default* calendar only, one answer per address
        (https://learn.microsoft.com/graph/outlook-get-free-busy-schedule: the items "match
        existing events in Alex' default calendar"). So it reads the account's own default
        calendar (20 addresses per call, under 62 days per call), and a colleague's calendar
        shared with free/busy only, the one calendarView refuses: that share is taken to be
        the owner's default calendar, and two such calendars of one owner cannot be told
        apart, so both are reported unreadable. Every other calendar, the account's own
        secondary ones and shared ones it may read, goes through calendarView
        (https://learn.microsoft.com/graph/api/calendar-list-calendarview), as does the
        default calendar where getSchedule cannot answer (personal accounts)."""
        calendars = self._known or self.list_calendars()
        known = {c.id: c for c in calendars}
        me = next((c.owner_email for c in calendars if c.is_primary), "") or self._my_email()
        busy: dict[str, list[BusyInterval]] = {}
        errors: dict[str, str] = {}
        by_schedule: dict[str, str] = {}
        free_busy_only: dict[str, list[str]] = {}
        for calendar_id in dict.fromkeys(calendar_ids):
            calendar = known.get(calendar_id)
            if calendar is None:
                errors[calendar_id] = "This account cannot see the calendar"
            elif calendar.is_primary:
                by_schedule[me] = calendar_id
            else:
                try:
                    busy[calendar_id] = self._calendar_view_busy(calendar_id, start, end)
                except _AccessDeniedError as error:
                    if calendar.owner_email and calendar.owner_email != me:
                        free_busy_only.setdefault(calendar.owner_email, []).append(calendar_id)
                    else:
                        errors[calendar_id] = str(error)
                except NeedsReconnectError:
                    raise  # the whole account, not this calendar: the host must reconnect
                except ProviderError as error:
                    errors[calendar_id] = str(error)
        for owner, shared in free_busy_only.items():
            if len(shared) == 1:
                by_schedule[owner] = shared[0]
                continue
            for calendar_id in shared:
                errors[calendar_id] = (
                    f"Only free/busy is shared for several calendars of {owner}, and Microsoft "
                    "answers free/busy for the default calendar alone"
                )

        for calendar_id in self._get_schedules(by_schedule, start, end, busy, errors):
            if calendar_id not in known or not known[calendar_id].is_primary:
                errors[calendar_id] = "Only free/busy is shared, and getSchedule is unavailable"
                continue
            try:
                busy[calendar_id] = self._calendar_view_busy(calendar_id, start, end)
            except NeedsReconnectError:
                raise
            except ProviderError as error:
                errors[calendar_id] = str(error)
        for calendar_id in errors:
            busy.pop(calendar_id, None)
        return FreeBusy(busy, errors)

    def free_busy_of(
        self, calendars: Sequence[ProviderCalendar], start: datetime, end: datetime
    ) -> FreeBusy:
        """`free_busy` routed by what the caller stored at the last listing (owner and
        role of each calendar), saving the calendar-list call."""
        self._known = list(calendars)
        try:
            return self.free_busy([c.id for c in calendars], start, end)
        finally:
            self._known = None

    def _get_schedules(
        self,
        by_schedule: Mapping[str, str],
        start: datetime,
        end: datetime,
        busy: dict[str, list[BusyInterval]],
        errors: dict[str, str],
    ) -> list[str]:
        """Fills busy/errors; returns the calendars getSchedule cannot serve (personal
        accounts answer 400). Answers are matched to the addresses asked by scheduleId,
        ignoring case (Graph may echo the address in another case); an address left
        without an answer is an error, never free time."""
        addresses = list(by_schedule)
        fallback: list[str] = []
        for offset in range(0, len(addresses), SCHEDULES_PER_CALL):
            chunk = addresses[offset : offset + SCHEDULES_PER_CALL]
            span_start = start
            while span_start < end:
                span_end = min(end, span_start + SCHEDULE_SPAN)
                body = {
                    "schedules": chunk,
                    "startTime": _graph_time(span_start),
                    "endTime": _graph_time(span_end),
                    "availabilityViewInterval": 15,
                }
                try:
                    status, answer = self._graph(
                        "POST", "/me/calendar/getSchedule", json=body, allow=(400, 403)
                    )
                except NeedsReconnectError:
                    raise
                except ProviderError as error:
                    errors.update({by_schedule[a]: str(error) for a in chunk})
                    break
                if status in (400, 403):  # e.g. personal accounts: read the calendars directly
                    fallback.extend(by_schedule[a] for a in chunk)
                    break
                unanswered = set(chunk)
                for schedule in answer.get("value") or []:
                    address = str(schedule.get("scheduleId", "")).lower()
                    if address not in unanswered:
                        continue
                    unanswered.discard(address)
                    calendar_id = by_schedule[address]
                    if schedule.get("error"):
                        errors[calendar_id] = (schedule["error"] or {}).get(
                            "message", "getSchedule error"
                        )
                        continue
                    busy.setdefault(calendar_id, []).extend(
                        BusyInterval(_graph_instant(item["start"]), _graph_instant(item["end"]))
                        for item in schedule.get("scheduleItems") or []
                        if _busy(item.get("status"))
                    )
                for address in unanswered:
                    errors[by_schedule[address]] = (
                        f"Microsoft Graph's getSchedule gave no answer for {address}"
                    )
                span_start = span_end
        return [c for c in fallback if c not in busy]

    def _calendar_view_busy(
        self, calendar_id: str, start: datetime, end: datetime
    ) -> list[BusyInterval]:
        """Busy time of one calendar from calendarView, every page (@odata.nextLink).
        _AccessDeniedError when the calendar is shared with free/busy only (403)."""
        params = {
            "startDateTime": _graph_time(start)["dateTime"] + "Z",
            "endDateTime": _graph_time(end)["dateTime"] + "Z",
            "$select": "showAs,start,end,isCancelled",
        }
        status, page = self._graph(
            "GET", f"/me/calendars/{calendar_id}/calendarView", params=params, allow=(403,)
        )
        if status == 403:
            raise _AccessDeniedError("Only free/busy is shared for this calendar")
        intervals: list[BusyInterval] = []
        while True:
            intervals.extend(
                BusyInterval(_graph_instant(item["start"]), _graph_instant(item["end"]))
                for item in page.get("value") or []
                if not item.get("isCancelled") and _busy(item.get("showAs"))
            )
            next_link = page.get("@odata.nextLink")
            if not next_link:
                return intervals
            _, page = self._graph("GET", next_link)

    def busy_events(
        self, calendars: Sequence[ProviderCalendar], start: datetime, end: datetime
    ) -> dict[str, list[BusyEvent]]:
        """calendarView of each calendar the account may read (not those shared with
        free/busy only, which Graph refuses with 403): the events shown as anything but
        free, with their sensitivity."""
        params = {
            "startDateTime": _graph_time(start)["dateTime"] + "Z",
            "endDateTime": _graph_time(end)["dateTime"] + "Z",
            "$select": "subject,sensitivity,showAs,start,end,isCancelled",
            "$top": "100",
        }
        found: dict[str, list[BusyEvent]] = {}
        for calendar in calendars:
            if calendar.access_role == AccessRole.FREE_BUSY:
                continue
            try:
                status, page = self._graph(
                    "GET",
                    f"/me/calendars/{calendar.id}/calendarView",
                    params=params,
                    allow=(403, 404),
                )
                if status != 200:
                    continue
                events: list[BusyEvent] = []
                while True:
                    events.extend(
                        BusyEvent(
                            calendar.id,
                            str(item.get("subject") or ""),
                            _graph_instant(item.get("start")),
                            _graph_instant(item.get("end")),
                            private=str(item.get("sensitivity") or "").lower()
                            in _PRIVATE_SENSITIVITY,
                        )
                        for item in page.get("value") or []
                        if not item.get("isCancelled")
                        and _busy(item.get("showAs"))
                        and item.get("start")
                        and item.get("end")
                    )
                    next_link = page.get("@odata.nextLink")
                    if not next_link:
                        break
                    _, page = self._graph("GET", next_link)
            except NeedsReconnectError:
                raise
            except ProviderError:
                continue  # its busy time stays, untitled
            found[calendar.id] = events
        return found

    # --- events ---------------------------------------------------------------------------------

    def create_event(self, event: NewEvent) -> ProviderEvent:
        body = {
            "subject": event.summary,
            "body": {"contentType": "text", "content": event.description},
            "start": _graph_time(event.start),
            "end": _graph_time(event.end),
            "attendees": [
                {"emailAddress": {"address": a.email, "name": a.name}, "type": "required"}
                for a in event.attendees
            ],
            # Graph refuses a second create with the same transactionId: retries are safe.
            "transactionId": event.idempotency_key,
            "allowNewTimeProposals": False,
        }
        if event.location:
            body["location"] = {"displayName": event.location}
        if event.video == VideoMeeting.MICROSOFT_TEAMS:
            # The join link comes back at once in onlineMeeting.joinUrl; an account whose
            # calendar does not allow teamsForBusiness (a personal one) gets no meeting.
            body["isOnlineMeeting"] = True
            body["onlineMeetingProvider"] = "teamsForBusiness"
        _, created = self._graph("POST", "/me/events", json=body)
        return _event_from(created)

    def get_event(self, event_id: str) -> ProviderEvent:
        _, found = self._graph("GET", f"/me/events/{event_id}")
        return _event_from(found)

    def update_event(
        self,
        event_id: str,
        *,
        start: datetime,
        end: datetime,
        summary: str | None = None,
        description: str | None = None,
    ) -> ProviderEvent:
        body: dict[str, Any] = {"start": _graph_time(start), "end": _graph_time(end)}
        if summary is not None:
            body["subject"] = summary
        if description is not None:
            body["body"] = {"contentType": "text", "content": description}
        _, updated = self._graph("PATCH", f"/me/events/{event_id}", json=body)
        return _event_from(updated)

    def cancel_event(self, event_id: str) -> None:
        # Cancelling tells the attendees; 404 means it is already gone.
        self._graph(
            "POST", f"/me/events/{event_id}/cancel", json={"comment": "Cancelled"}, allow=(404,)
        )

    def list_changes(self, sync_token: str | None, *, start: datetime, end: datetime) -> ChangeSet:
        """Changes since `sync_token` (a deltaLink), or a full listing of the window.
        Graph answers an updated event with "at least the properties that have been
        updated" (learn.microsoft.com/graph/delta-query-overview): an item without its
        start is read whole, so attendees and times are never taken as gone.
        A token Graph no longer accepts, by 410 Gone or by a 4xx whose code is
        syncStateNotFound, syncStateInvalid or resyncRequired, on its first page or a later
        one, means starting over: the full listing comes back with `full_resync`."""
        if sync_token:
            try:
                return self._delta(sync_token, {}, full_resync=False)
            except _SyncResetError:
                pass
        params = {
            "startDateTime": _graph_time(start)["dateTime"] + "Z",
            "endDateTime": _graph_time(end)["dateTime"] + "Z",
        }
        try:
            return self._delta("/me/calendarView/delta", params, full_resync=bool(sync_token))
        except _SyncResetError as error:
            raise ProviderError(f"Microsoft Graph refused a fresh delta sync: {error}") from error

    def _delta(self, url: str, params: Mapping[str, str], *, full_resync: bool) -> ChangeSet:
        events: list[ProviderEvent] = []
        while True:
            status, page = self._graph("GET", url, params=dict(params), allow=_CLIENT_ERRORS)
            code = _error_field(page, "code")
            if status == 410 or code.lower() in _RESYNC_CODES:
                raise _SyncResetError(f"the delta token is no longer valid ({code or status})")
            if status >= 400:
                message = _error_field(page, "message") or code or "no reason given"
                raise ProviderError(f"Microsoft Graph answered {status}: {message}")
            for item in page.get("value") or []:
                if "@removed" in item:
                    events.append(
                        ProviderEvent(
                            id=item["id"], summary="", start=None, end=None, cancelled=True
                        )
                    )
                elif "start" not in item:  # only what changed: read the event whole
                    events.append(self.get_event(item["id"]))
                else:
                    events.append(_event_from(item))
            if page.get("@odata.deltaLink"):
                return ChangeSet(events, page["@odata.deltaLink"], full_resync)
            url, params = page.get("@odata.nextLink") or "", {}
            if not url:
                raise ProviderError("Microsoft Graph ended a delta without a deltaLink")

    # --- change notifications -----------------------------------------------------------------

    def watch_events(
        self, calendar_id: str, *, channel_id: str, secret: str, address: str, expires_at: datetime
    ) -> WatchChannel:
        """POST /subscriptions on the calendar's events. Graph first checks `address` (the
        validation handshake), then sends `secret` as clientState in every notification.
        Graph names the subscription: `channel_id` is not used."""
        body = {
            "changeType": "created,updated,deleted",
            "notificationUrl": address,
            "resource": f"me/calendars/{calendar_id}/events",
            "expirationDateTime": _graph_expiry(expires_at),
            "clientState": secret,
        }
        _, created = self._graph("POST", "/subscriptions", json=body)
        return _subscription_from(created, expires_at)

    def renew_watch(self, channel: WatchChannel, expires_at: datetime) -> WatchChannel | None:
        """PATCH the subscription's expirationDateTime."""
        _, renewed = self._graph(
            "PATCH",
            f"/subscriptions/{channel.channel_id}",
            json={"expirationDateTime": _graph_expiry(expires_at)},
        )
        return _subscription_from(renewed, expires_at)

    def stop_watch(self, channel: WatchChannel) -> None:
        """DELETE the subscription; 404: it has expired or was deleted already."""
        self._graph("DELETE", f"/subscriptions/{channel.channel_id}", allow=(404,))


def _graph_expiry(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _subscription_from(item: Mapping[str, Any], asked: datetime) -> WatchChannel:
    expiry = item.get("expirationDateTime")
    return WatchChannel(
        channel_id=str(item["id"]),
        resource_id="",
        expires_at=(
            datetime.fromisoformat(str(expiry).replace("Z", "+00:00")).astimezone(UTC)
            if expiry
            else asked
        ),
    )


def _event_from(item: Mapping[str, Any]) -> ProviderEvent:
    return ProviderEvent(
        id=item["id"],
        summary=item.get("subject", ""),
        start=_graph_instant(item.get("start")),
        end=_graph_instant(item.get("end")),
        cancelled=bool(item.get("isCancelled")),
        attendees=tuple(
            Attendee(
                str((a.get("emailAddress") or {}).get("address", "")),
                str((a.get("emailAddress") or {}).get("name", "")),
            )
            for a in item.get("attendees") or []
            if (a.get("emailAddress") or {}).get("address") and a.get("type") != "resource"
        ),
        organizer=str(
            ((item.get("organizer") or {}).get("emailAddress") or {}).get("address", "")
        ).lower(),
        idempotency_key=item.get("transactionId"),
        web_link=item.get("webLink", ""),
        join_url=str((item.get("onlineMeeting") or {}).get("joinUrl") or ""),
    )
