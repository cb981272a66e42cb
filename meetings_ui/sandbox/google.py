"""The Google half of the sandbox: OAuth 2.0 and the Calendar v3 subset we use, with
Google's JSON shapes and status codes."""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from meetings_ui.config import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from meetings_ui.domain.enums import Provider
from meetings_ui.sandbox.common import (
    RedirectUris,
    client_credentials,
    consent_decision,
    consent_page,
    delete_or_update_event,
    oauth_error,
    parse_instant,
    redeem_authorization_code,
    request_json,
    rfc3339,
)
from meetings_ui.sandbox.notifications import check_address, notify_google
from meetings_ui.sandbox.store import (
    ACCESS_TOKEN_SECONDS,
    GOOGLE_ROLES,
    BoundToken,
    SandboxCalendar,
    SandboxError,
    SandboxEvent,
    SandboxStore,
)

FREEBUSY_MAX_CALENDARS = 50
PAGE_SIZE = 250
WATCH_LIFETIME = timedelta(days=7)  # the longest a channel lives; Google's default is a week


# Google's 403/429 usage-limit errors ("Handle API errors" page of the Calendar API): the
# reason, in the `usageLimits` domain, tells a per-minute rate limit (retry with backoff)
# from a quota that lasts hours or a day (do not retry now).
USAGE_LIMIT_MESSAGES = {
    "rateLimitExceeded": "Rate Limit Exceeded",
    "userRateLimitExceeded": "User Rate Limit Exceeded",
    "quotaExceeded": "Calendar usage limits exceeded.",
    "dailyLimitExceeded": "Daily Limit Exceeded",
}
# events.list refuses these beside a syncToken (its reference, syncToken parameter).
SYNC_FORBIDDEN = (
    "iCalUID",
    "orderBy",
    "privateExtendedProperty",
    "q",
    "sharedExtendedProperty",
    "timeMin",
    "timeMax",
    "updatedMin",
)
_TRANSPORT_PARAMS = {"alt", "prettyPrint", "fields", "key", "quotaUser", "pageToken"}


def google_error(
    status: int, message: str, reason: str = "", domain: str = "global", location: str = ""
) -> JSONResponse:
    reason = reason or {
        400: "badRequest",
        401: "authError",
        403: "forbidden",
        404: "notFound",
        409: "duplicate",
        410: "fullSyncRequired",
        429: "rateLimitExceeded",
    }.get(status, "backendError")
    if status == 410:
        domain = "calendar"
    if reason in USAGE_LIMIT_MESSAGES:
        domain = "usageLimits"
    detail = {"domain": domain, "reason": reason, "message": message}
    if location:
        detail.update(locationType="parameter", location=location)
    body = {"error": {"code": status, "message": message, "errors": [detail]}}
    return JSONResponse(body, status_code=status)


def meet_url() -> str:
    """A join link shaped like Google's (abc-defg-hij), in a domain that resolves nowhere."""
    letters = "".join(secrets.choice(string.ascii_lowercase) for _ in range(10))
    return f"https://meet.sandbox.invalid/{letters[:3]}-{letters[3:7]}-{letters[7:]}"


_AUTH = "https://www.googleapis.com/auth/"
# Which scopes each call accepts, as Calendar v3's discovery document lists them.
_CALENDAR_LIST_SCOPES = {
    "calendar",
    "calendar.calendarlist",
    "calendar.calendarlist.readonly",
    "calendar.readonly",
}
_FREEBUSY_SCOPES = {
    "calendar",
    "calendar.events.freebusy",
    "calendar.freebusy",
    "calendar.readonly",
}
_EVENTS_WRITE_SCOPES = {
    "calendar",
    "calendar.app.created",
    "calendar.events",
    "calendar.events.owned",
}
_EVENTS_READ_SCOPES = _EVENTS_WRITE_SCOPES | {
    "calendar.events.freebusy",
    "calendar.events.owned.readonly",
    "calendar.events.public.readonly",
    "calendar.events.readonly",
    "calendar.readonly",
}


class InsufficientScopeError(Exception):
    """The access token was granted no scope this call accepts (Google answers 403)."""


def insufficient_scope_response() -> JSONResponse:
    """Google's answer to a token without a scope the call accepts."""
    message = "Request had insufficient authentication scopes."
    return JSONResponse(
        {
            "error": {
                "code": 403,
                "message": message,
                "errors": [
                    {
                        "message": "Insufficient Permission",
                        "domain": "global",
                        "reason": "insufficientPermissions",
                    }
                ],
                "status": "PERMISSION_DENIED",
            }
        },
        status_code=403,
    )


def _accepted_scopes(request: Request) -> set[str]:
    path = request.url.path
    if path.endswith("/calendarList"):
        names = _CALENDAR_LIST_SCOPES
    elif path.endswith("/freeBusy"):
        names = _FREEBUSY_SCOPES
    elif request.method == "GET" or path.endswith("/events/watch"):
        names = _EVENTS_READ_SCOPES
    else:
        names = _EVENTS_WRITE_SCOPES
    return {_AUTH + name for name in names}


def _query(request: Request, *, leave_out: tuple[str, ...] = ()) -> tuple[tuple[str, str], ...]:
    """The request's parameters that choose what is listed (not pageToken, nor the
    transport ones the client library adds), sorted: what a token is bound to."""
    return tuple(
        sorted(
            (key, value)
            for key, value in request.query_params.multi_items()
            if key not in _TRANSPORT_PARAMS and key not in leave_out
        )
    )


def routes(store: SandboxStore, redirect_uris: RedirectUris) -> list[Route]:
    def authorized(request: Request):  # noqa: ANN202
        """The token's account, when the token carries a scope the call accepts."""
        header = request.headers.get("authorization")
        account = store.account_for_token(Provider.GOOGLE, header)
        granted = store.token_scopes.get((header or "").removeprefix("Bearer ").strip())
        if granted is not None and not set(granted.split()) & _accepted_scopes(request):
            raise InsufficientScopeError
        return account

    def role(calendar: SandboxCalendar, email: str) -> str:
        found = store.role_of(calendar, email)
        if found is None:
            raise SandboxError(404, "Not Found")
        return found

    def entry(calendar: SandboxCalendar, email: str) -> dict:
        item = {
            "kind": "calendar#calendarListEntry",
            "id": calendar.id,
            "summary": calendar.name,
            "timeZone": calendar.time_zone,
            "accessRole": store.role_of(calendar, email),
        }
        if calendar.is_default and calendar.owner_email == email:
            item["primary"] = True
        return item

    def listed_json(event: SandboxEvent) -> dict:
        """An event as events.list answers it: a deleted one ("cancelled", listed with
        showDeleted or by incremental sync) is only guaranteed its id, as Google says, so
        the sandbox gives nothing more."""
        if event.status == "cancelled":
            return {"kind": "calendar#event", "id": event.id, "status": "cancelled"}
        return event_json(event)

    def event_json(event: SandboxEvent) -> dict:
        if event.all_day:  # Google keeps an all-day event as its dates
            start = {"date": (event.start_date or event.start.date()).isoformat()}
            end = {"date": (event.end_date or event.end.date()).isoformat()}
        else:
            start = {"dateTime": rfc3339(event.start), "timeZone": "UTC"}
            end = {"dateTime": rfc3339(event.end), "timeZone": "UTC"}
        body = {
            "kind": "calendar#event",
            "id": event.id,
            "status": event.status,
            "htmlLink": f"https://calendar.sandbox.invalid/event?eid={event.id}",
            "summary": event.summary,
            "description": event.description,
            "start": start,
            "end": end,
            "iCalUID": f"{event.id}@sandbox",
            "sequence": 0,
            "updated": rfc3339(datetime.now(UTC)),
            "attendees": event.attendees,
            "organizer": {"email": store.calendar(event.calendar_id).owner_address},
            "transparency": "transparent" if event.show_as == "free" else "opaque",
        }
        if event.visibility != "default":  # Google leaves out the default visibility
            body["visibility"] = event.visibility
        if event.private_properties:
            body["extendedProperties"] = {"private": event.private_properties}
        if event.location:
            body["location"] = event.location
        if event.conference_status:
            body["conferenceData"] = conference_json(event)
        return body

    def conference_json(event: SandboxEvent) -> dict:
        """Google makes a Meet asynchronously: "pending" (no entry points yet), then
        "success" with the join link."""
        data: dict = {
            "createRequest": {
                "requestId": event.id,
                "conferenceSolutionKey": {"type": "hangoutsMeet"},
                "status": {"statusCode": event.conference_status},
            }
        }
        if event.conference_status == "success":
            data["entryPoints"] = [{"entryPointType": "video", "uri": event.join_url}]
            data["conferenceSolution"] = {"key": {"type": "hangoutsMeet"}, "name": "Google Meet"}
            data["conferenceId"] = event.join_url.rsplit("/", 1)[-1]
        return data

    def meet_requested(request: Request, body: dict) -> bool:
        """conferenceData is honoured only with conferenceDataVersion=1 (0, the default,
        ignores it), and only a hangoutsMeet create request makes a meeting."""
        create = (body.get("conferenceData") or {}).get("createRequest") or {}
        return (
            request.query_params.get("conferenceDataVersion") == "1"
            and (create.get("conferenceSolutionKey") or {}).get("type") == "hangoutsMeet"
            and bool(create.get("requestId"))
        )

    def resolve_calendar(calendar_id: str, email: str) -> SandboxCalendar:
        if calendar_id == "primary":
            return store.primary_calendar(Provider.GOOGLE, email)
        return store.calendar(calendar_id)

    async def authorize(request: Request) -> Response:
        if request.method == "POST":
            return await consent_decision(request, store, Provider.GOOGLE, redirect_uris)
        scopes = request.query_params.get("scope", "").split()
        return consent_page(request, store, Provider.GOOGLE, "Google", scopes, redirect_uris)

    async def token(request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        client_id, secret = client_credentials(request, form)
        if client_id != SANDBOX_CLIENT_ID or secret != SANDBOX_CLIENT_SECRET:
            return oauth_error("invalid_client", "The OAuth client was not found.", 401)
        try:
            if form.get("grant_type") == "authorization_code":
                grant, access, refresh = redeem_authorization_code(
                    store, Provider.GOOGLE, form, client_id
                )
                return JSONResponse(
                    {
                        "access_token": access,
                        "expires_in": ACCESS_TOKEN_SECONDS,
                        "refresh_token": refresh,
                        "scope": grant.scope,
                        "token_type": "Bearer",
                    }
                )
            if form.get("grant_type") == "refresh_token":
                access, grant = store.refresh(
                    Provider.GOOGLE, form.get("refresh_token", ""), client_id
                )
                return JSONResponse(
                    {
                        "access_token": access,
                        "expires_in": ACCESS_TOKEN_SECONDS,
                        "scope": grant.scope,
                        "token_type": "Bearer",
                    }
                )
        except SandboxError:
            return oauth_error("invalid_grant", "Token has been expired or revoked.")
        return oauth_error("unsupported_grant_type", "Invalid grant_type")

    async def revoke(request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        token_value = request.query_params.get("token") or form.get("token", "")
        if not store.revoke(token_value):
            return oauth_error("invalid_token", "Token expired or revoked")
        return JSONResponse({})

    def one_page(
        request: Request,
        head: dict,
        items: list,
        *,
        scope: str,
        sync_query: tuple[tuple[str, str], ...],
        default: int = PAGE_SIZE,
        render: Callable[[Any], dict] = lambda item: item,
    ) -> JSONResponse:
        """A page of a list as Google pages them. A page token is bound to the request it
        came with: the next page must repeat every parameter, plus pageToken (400
        otherwise). The last page carries a sync token bound to `sync_query`."""
        query = _query(request)
        offset = 0
        if request.query_params.get("pageToken"):
            bound = store.bound_tokens.get(request.query_params["pageToken"])
            if (
                bound is None
                or bound.calendar_id != scope
                or not request.query_params["pageToken"].startswith("page-")
            ):
                return google_error(
                    400, "Invalid page token value.", "invalid", location="pageToken"
                )
            if bound.params != query:
                return google_error(
                    400,
                    "The page token was issued for other request parameters: repeat the "
                    "request that returned it, adding only pageToken.",
                    "invalid",
                    location="pageToken",
                )
            offset = bound.position
        size = min(int(request.query_params.get("maxResults") or default), PAGE_SIZE)
        page = {**head, "items": [render(item) for item in items[offset : offset + size]]}
        if offset + size < len(items):
            page["nextPageToken"] = store.bind_token(
                "page-", BoundToken(scope, query, offset + size)
            )
        else:
            page["nextSyncToken"] = store.bind_token(
                "sync-", BoundToken(scope, sync_query, store.sequence)
            )
        return JSONResponse(page)

    async def calendar_list(request: Request) -> Response:
        account = authorized(request)
        minimum = request.query_params.get("minAccessRole", "freeBusyReader")
        if minimum not in GOOGLE_ROLES:
            raise SandboxError(400, "Invalid minAccessRole")
        floor = GOOGLE_ROLES.index(minimum)
        items = [
            entry(c, account.email)
            for c in store.visible_calendars(Provider.GOOGLE, account.email)
            if GOOGLE_ROLES.index(store.role_of(c, account.email)) >= floor
        ]
        return one_page(
            request,
            {"kind": "calendar#calendarList", "etag": '"sandbox"'},
            items,
            scope=f"calendarList:{account.email}",
            sync_query=_query(request),
            default=100,
        )

    async def free_busy(request: Request) -> Response:
        account = authorized(request)
        body = await request_json(request)
        items = body.get("items") or []
        if len(items) > FREEBUSY_MAX_CALENDARS:
            raise SandboxError(
                400, f"Too many calendars requested: at most {FREEBUSY_MAX_CALENDARS}"
            )
        start, end = parse_instant(body.get("timeMin", "")), parse_instant(body.get("timeMax", ""))
        if end <= start:
            raise SandboxError(400, "The specified time range is empty.")
        calendars: dict[str, dict] = {}
        for item in items:
            calendar_id = item.get("id", "")
            calendar = store.calendars.get(
                store.primary_calendar(Provider.GOOGLE, account.email).id
                if calendar_id == "primary"
                else calendar_id
            )
            if (
                calendar is None
                or calendar.provider != Provider.GOOGLE
                or store.role_of(calendar, account.email) is None
            ):
                calendars[calendar_id] = {
                    "errors": [{"domain": "global", "reason": "notFound"}],
                    "busy": [],
                }
                continue
            busy = [
                {"start": rfc3339(max(e.start, start)), "end": rfc3339(min(e.end, end))}
                for e in store.events_between(calendar.id, start, end)
                if e.show_as != "free"
            ]
            calendars[calendar_id] = {"busy": busy}
        return JSONResponse(
            {
                "kind": "calendar#freeBusy",
                "timeMin": rfc3339(start),
                "timeMax": rfc3339(end),
                "calendars": calendars,
            }
        )

    async def events(request: Request) -> Response:
        account = authorized(request)
        calendar = resolve_calendar(request.path_params["calendar_id"], account.email)
        access = role(calendar, account.email)
        if request.method == "POST":
            if access not in ("writer", "owner"):
                return google_error(
                    403, "You need to have writer access to this calendar.", "requiredAccessLevel"
                )
            body = await request_json(request)
            start, end = body.get("start") or {}, body.get("end") or {}
            event = store.add_event(
                calendar.id,
                body.get("summary", ""),
                parse_instant(start.get("dateTime", "")),
                parse_instant(end.get("dateTime", "")),
                event_id=body.get("id"),
                description=body.get("description", ""),
                attendees=[
                    {
                        "email": a.get("email", ""),
                        "displayName": a.get("displayName", ""),
                        "responseStatus": "needsAction",
                    }
                    for a in body.get("attendees") or []
                ],
                private_properties=((body.get("extendedProperties") or {}).get("private") or {}),
                location=str(body.get("location") or ""),
                **(
                    {"join_url": meet_url(), "conference_status": "pending"}
                    if meet_requested(request, body)
                    else {}
                ),
            )
            return JSONResponse(event_json(event))
        if access == "freeBusyReader":
            return google_error(403, "Not enough permissions to list events.", "forbidden")
        params = request.query_params
        if params.get("syncToken"):
            refused = _refused_sync(request, calendar.id)
            if refused is not None:
                return refused
            since = store.bound_tokens[params["syncToken"]].position
            chosen = store.changes_since({calendar.id}, since)
            sync_query = _query(request, leave_out=("syncToken",))
        else:
            start = (
                parse_instant(params["timeMin"])
                if params.get("timeMin")
                else datetime.min.replace(tzinfo=UTC)
            )
            end = (
                parse_instant(params["timeMax"])
                if params.get("timeMax")
                else datetime.max.replace(tzinfo=UTC)
            )
            chosen = [
                e
                for e in store.events.values()
                if e.calendar_id == calendar.id
                and e.start < end
                and start < e.end
                and (e.status != "cancelled" or params.get("showDeleted") == "true")
            ]
            chosen.sort(key=lambda e: e.start)
            sync_query = _query(request, leave_out=SYNC_FORBIDDEN)
        return one_page(
            request,
            {"kind": "calendar#events", "summary": calendar.name, "timeZone": calendar.time_zone},
            chosen,
            scope=calendar.id,
            sync_query=sync_query,
            render=listed_json,
        )

    def _refused_sync(request: Request, calendar_id: str) -> JSONResponse | None:
        """Google's rules for an incremental events.list (its reference and the sync guide):
        none of SYNC_FORBIDDEN beside a syncToken, showDeleted never false, and the other
        parameters as in the full sync that issued the token (the sandbox refuses what
        Google calls undefined); an expired token is 410 fullSyncRequired."""
        params = request.query_params
        forbidden = [name for name in SYNC_FORBIDDEN if name in params]
        if forbidden:
            return google_error(
                400,
                f"syncToken cannot be used together with {', '.join(forbidden)}.",
                "invalid",
                location=forbidden[0],
            )
        if params.get("showDeleted") == "false":
            return google_error(
                400,
                "showDeleted cannot be false with a syncToken.",
                "invalid",
                location="showDeleted",
            )
        token = params["syncToken"]
        bound = store.bound_tokens.get(token)
        if bound is None or bound.calendar_id != calendar_id or not token.startswith("sync-"):
            return google_error(400, "Invalid sync token value.", "invalid", location="syncToken")
        if bound.position < store.oldest_valid_sync:
            return google_error(410, "Sync token is no longer valid, a full sync is required.")
        if bound.params != _query(request, leave_out=("syncToken",)):
            return google_error(
                400,
                "The sync token was issued for other request parameters: send the same "
                "parameters as the full sync that returned it.",
                "invalid",
                location="syncToken",
            )
        return None

    async def one_event(request: Request) -> Response:
        account = authorized(request)
        calendar = resolve_calendar(request.path_params["calendar_id"], account.email)
        access = role(calendar, account.email)
        event = store.event(calendar.id, request.path_params["event_id"])
        if request.method == "GET":
            if access == "freeBusyReader":
                return google_error(403, "Not enough permissions.", "forbidden")
            if event.conference_status == "pending":  # made by the time anyone asks again,
                if store.meet_pending_reads > 0:  # unless a test wants Google slower
                    store.meet_pending_reads -= 1
                else:
                    event.conference_status = "success"
            return JSONResponse(event_json(event))
        if access not in ("writer", "owner"):
            return google_error(
                403, "You need to have writer access to this calendar.", "requiredAccessLevel"
            )
        if event.status == "cancelled":
            return google_error(410, "Resource has been deleted", "deleted", "global")
        return await delete_or_update_event(
            request, store, event, event_json, title_key="summary", description_key="description"
        )

    async def watch(request: Request) -> Response:
        account = authorized(request)
        calendar = resolve_calendar(request.path_params["calendar_id"], account.email)
        role(calendar, account.email)
        body = await request_json(request)
        if body.get("type") != "web_hook":
            raise SandboxError(400, "Channel type must be web_hook")
        check_address(str(body.get("address", "")))
        longest = int((datetime.now(UTC) + WATCH_LIFETIME).timestamp() * 1000)
        asked = int(body.get("expiration") or 0)
        expiration = min(asked, longest) if asked else longest
        channel = {
            "kind": "api#channel",
            "id": body.get("id", ""),
            "resourceId": f"resource-{calendar.id}",
            "resourceUri": f"calendars/{calendar.id}/events",
            "expiration": str(expiration),
        }
        store.watch_channels.append(
            {
                **channel,
                "address": body["address"],
                "token": body.get("token", ""),
                "calendar_id": calendar.id,
            }
        )
        notify_google(store, calendar.id, state="sync")  # the first message of a channel
        return JSONResponse(channel)

    async def stop_channel(request: Request) -> Response:
        authorized(request)
        body = await request_json(request)
        with store.lock:
            found = [
                c
                for c in store.watch_channels
                if c["id"] == body.get("id") and c["resourceId"] == body.get("resourceId")
            ]
            for channel in found:
                channel["stopped"] = True
        if not found:
            return google_error(404, "Channel not found for project.", "notFound")
        return Response(status_code=204)

    return [
        Route("/o/oauth2/auth", authorize, methods=["GET", "POST"]),
        Route("/token", token, methods=["POST"]),
        Route("/revoke", revoke, methods=["POST"]),
        Route("/calendar/v3/users/me/calendarList", calendar_list, methods=["GET"]),
        Route("/calendar/v3/freeBusy", free_busy, methods=["POST"]),
        Route("/calendar/v3/calendars/{calendar_id}/events", events, methods=["GET", "POST"]),
        Route("/calendar/v3/calendars/{calendar_id}/events/watch", watch, methods=["POST"]),
        Route("/calendar/v3/channels/stop", stop_channel, methods=["POST"]),
        Route(
            "/calendar/v3/calendars/{calendar_id}/events/{event_id}",
            one_event,
            methods=["GET", "PATCH", "DELETE"],
        ),
    ]
