"""The Microsoft half of the sandbox: the identity platform (OpenID discovery, authorize,
token) as msal speaks it, and the Microsoft Graph calendar subset we use."""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from meetings_ui.config import (
    MICROSOFT_AUTHORITY_HOST,
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
)
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
)
from meetings_ui.sandbox.store import (
    ACCESS_TOKEN_SECONDS,
    Account,
    SandboxCalendar,
    SandboxError,
    SandboxEvent,
    SandboxStore,
)

SANDBOX_TENANT_ID = "00000000-0000-0000-0000-0000000000aa"
GET_SCHEDULE_MAX_SCHEDULES = 20
GET_SCHEDULE_MAX_DAYS = 62
CALENDAR_VIEW_PAGE = 10  # Graph's default page size for calendarView
CALENDAR_VIEW_MAX_PAGE = 1000


SYNC_TOKEN = re.compile(r"sync-\d+")
# The store keeps Google's visibility words; Graph's event.sensitivity says the same.
GRAPH_SENSITIVITY = {"private": "private", "confidential": "confidential", "personal": "personal"}


def graph_error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _graph_time(value: datetime) -> dict:
    return {"dateTime": value.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}


def identity_routes(store: SandboxStore, redirect_uris: RedirectUris) -> list[Route]:
    def user_id(email: str) -> str:
        return "uid-" + base64.b32encode(email.encode()).decode().rstrip("=").lower()[:20]

    async def discovery(request: Request) -> Response:
        tenant = request.path_params["tenant"]
        base = MICROSOFT_AUTHORITY_HOST
        prefix = f"{base}/{tenant}"
        return JSONResponse(
            {
                "issuer": f"{base}/{SANDBOX_TENANT_ID}/v2.0",
                "authorization_endpoint": f"{prefix}/oauth2/v2.0/authorize",
                "token_endpoint": f"{prefix}/oauth2/v2.0/token",
                "device_authorization_endpoint": f"{prefix}/oauth2/v2.0/devicecode",
                "end_session_endpoint": f"{prefix}/oauth2/v2.0/logout",
                "jwks_uri": f"{prefix}/discovery/v2.0/keys",
                "response_types_supported": ["code"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "client_secret_basic",
                ],
                "code_challenge_methods_supported": ["S256"],
                "tenant_region_scope": "NA",
            }
        )

    async def authorize(request: Request) -> Response:
        if request.method == "POST":
            return await consent_decision(request, store, Provider.MICROSOFT, redirect_uris)
        scopes = request.query_params.get("scope", "").split()
        return consent_page(request, store, Provider.MICROSOFT, "Microsoft", scopes, redirect_uris)

    def token_response(
        email: str, scope: str, access: str, refresh: str, nonce: str | None
    ) -> JSONResponse:
        account = store.account(Provider.MICROSOFT, email)
        now = int(time.time())
        oid = user_id(email)
        tenant = "9188040d-6c67-4c5b-b112-36a304b66dad" if account.personal else SANDBOX_TENANT_ID
        claims = {
            "iss": f"{MICROSOFT_AUTHORITY_HOST}/{tenant}/v2.0",
            "sub": oid,
            "aud": SANDBOX_CLIENT_ID,
            "exp": now + ACCESS_TOKEN_SECONDS,
            "iat": now,
            "nbf": now,
            "oid": oid,
            "tid": tenant,
            # The sign-in name (UPN), which need not be the mailbox's SMTP address.
            "preferred_username": account.sign_in_name,
            "name": account.display_name,
            "ver": "2.0",
        }
        if nonce:
            claims["nonce"] = nonce
        id_token = f"{_b64({'typ': 'JWT', 'alg': 'none'})}.{_b64(claims)}."
        return JSONResponse(
            {
                "token_type": "Bearer",
                "scope": scope,
                "expires_in": ACCESS_TOKEN_SECONDS,
                "ext_expires_in": ACCESS_TOKEN_SECONDS,
                "access_token": access,
                "refresh_token": refresh,
                "id_token": id_token,
                "client_info": _b64({"uid": oid, "utid": tenant}),
            }
        )

    async def token(request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        client_id, secret = client_credentials(request, form)
        if client_id != SANDBOX_CLIENT_ID or secret != SANDBOX_CLIENT_SECRET:
            return oauth_error(
                "invalid_client", "AADSTS7000215: Invalid client secret provided.", 401
            )
        try:
            if form.get("grant_type") == "authorization_code":
                grant, access, refresh = redeem_authorization_code(
                    store, Provider.MICROSOFT, form, client_id
                )
                return token_response(
                    grant.account_email, grant.scope, access, refresh, grant.nonce
                )
            if form.get("grant_type") == "refresh_token":
                refresh = form.get("refresh_token", "")
                access, grant = store.refresh(Provider.MICROSOFT, refresh, client_id)
                return token_response(grant.account_email, grant.scope, access, refresh, None)
        except SandboxError:
            return JSONResponse(
                {
                    "error": "invalid_grant",
                    "error_description": "AADSTS70008: The refresh token has expired "
                    "or is invalid due to sign-in frequency checks or revocation.",
                    "error_codes": [70008],
                },
                status_code=400,
            )
        return oauth_error("unsupported_grant_type", "AADSTS70003: unsupported grant_type")

    return [
        Route("/{tenant}/v2.0/.well-known/openid-configuration", discovery, methods=["GET"]),
        Route("/{tenant}/oauth2/v2.0/authorize", authorize, methods=["GET", "POST"]),
        Route("/{tenant}/oauth2/v2.0/token", token, methods=["POST"]),
    ]


def graph_routes(store: SandboxStore) -> list[Route]:
    def me(request: Request):  # noqa: ANN202
        return store.account_for_token(Provider.MICROSOFT, request.headers.get("authorization"))

    def calendar_json(calendar: SandboxCalendar, email: str) -> dict:
        role = store.role_of(calendar, email)
        owner = store.account(Provider.MICROSOFT, calendar.owner_email)
        return {
            "id": calendar.id,
            "name": calendar.name,
            "color": "auto",
            "isDefaultCalendar": calendar.is_default and calendar.owner_email == email,
            "canEdit": role in ("owner", "writer"),
            "canShare": role == "owner",
            "canViewPrivateItems": role == "owner",
            "isRemovable": not calendar.is_default,
            # Shared calendars name their owner by the address they were shared under.
            "owner": {
                "name": owner.display_name,
                "address": owner.smtp_address
                if calendar.owner_email == email
                else calendar.owner_address or owner.smtp_address,
            },
            # Work and school accounts may add Teams meetings; personal ones may not.
            "allowedOnlineMeetingProviders": teams_providers(owner),
            "defaultOnlineMeetingProvider": teams_providers(owner)[0],
        }

    def teams_providers(account: Account) -> list[str]:
        return ["skypeForConsumer"] if account.personal else ["teamsForBusiness"]

    def event_json(event: SandboxEvent) -> dict:
        return {
            "id": event.id,
            "subject": event.summary,
            "bodyPreview": event.description[:255],
            "start": _graph_time(event.start),
            "end": _graph_time(event.end),
            "isAllDay": event.all_day,
            "isCancelled": event.status == "cancelled",
            "showAs": event.show_as,
            "sensitivity": GRAPH_SENSITIVITY.get(event.visibility, "normal"),
            "transactionId": event.transaction_id,
            "attendees": event.attendees,
            "organizer": {
                "emailAddress": {"address": store.calendar(event.calendar_id).owner_address}
            },
            "webLink": f"https://outlook.sandbox.invalid/calendar/item/{event.id}",
            "location": {"displayName": event.location},
            "isOnlineMeeting": bool(event.join_url),
            "onlineMeetingProvider": "teamsForBusiness" if event.join_url else "unknown",
            "onlineMeeting": {"joinUrl": event.join_url} if event.join_url else None,
        }

    def readable(calendar_id: str, email: str) -> SandboxCalendar:
        calendar = store.calendar(calendar_id)
        role = store.role_of(calendar, email)
        if role is None:
            raise SandboxError(404, "The specified object was not found in the store.")
        if role == "freeBusyReader":
            raise SandboxError(403, "Access is denied. Check credentials and try again.")
        return calendar

    def window(request: Request) -> tuple[datetime, datetime]:
        try:
            start = parse_instant(request.query_params["startDateTime"])
            end = parse_instant(request.query_params["endDateTime"])
        except KeyError:
            raise SandboxError(
                400,
                "This request requires a time window specified by the query "
                "string parameters StartDateTime and EndDateTime.",
            ) from None
        return start, end

    async def get_me(request: Request) -> Response:
        account = me(request)
        return JSONResponse(
            {
                "id": account.email,
                "displayName": account.display_name,
                "mail": account.smtp_address,
                "userPrincipalName": account.sign_in_name,
            }
        )

    async def calendars(request: Request) -> Response:
        account = me(request)
        return JSONResponse(
            {
                "value": [
                    calendar_json(c, account.email)
                    for c in store.visible_calendars(Provider.MICROSOFT, account.email)
                ]
            }
        )

    async def get_schedule(request: Request) -> Response:
        account = me(request)
        if account.personal:
            return graph_error(
                400,
                "ErrorInvalidUser",
                "getSchedule is not supported for personal Microsoft accounts.",
            )
        body = await request_json(request)
        schedules = body.get("schedules") or []
        if len(schedules) > GET_SCHEDULE_MAX_SCHEDULES:
            return graph_error(
                400,
                "ErrorInvalidRequest",
                f"At most {GET_SCHEDULE_MAX_SCHEDULES} schedules per request.",
            )
        start = parse_instant((body.get("startTime") or {}).get("dateTime", ""))
        end = parse_instant((body.get("endTime") or {}).get("dateTime", ""))
        if end <= start or end - start >= timedelta(days=GET_SCHEDULE_MAX_DAYS):
            return graph_error(
                400,
                "ErrorInvalidTimeInterval",
                f"The time range must be under {GET_SCHEDULE_MAX_DAYS} days.",
            )
        value = []
        for address in schedules:
            # As Graph: the mailbox's default calendar only, whatever other calendars it
            # has, and the answer names it by its SMTP address, in the case the mailbox
            # writes it, not necessarily as asked.
            mailbox = store.mailbox(Provider.MICROSOFT, str(address))
            calendar = (
                store.primary_calendar(Provider.MICROSOFT, mailbox.email) if mailbox else None
            )
            if calendar is None or store.role_of(calendar, account.email) is None:
                value.append(
                    {
                        "scheduleId": address,
                        "error": {
                            "message": "The user or resource could not be found.",
                            "responseCode": "ErrorMailboxNotFound",
                        },
                    }
                )
                continue
            # Every item, free ones too, its status written as Graph's own example writes
            # it ("Tentative", "Busy"): readers must compare without case.
            items = [
                {
                    "status": e.show_as[:1].upper() + e.show_as[1:],
                    "start": _graph_time(e.start),
                    "end": _graph_time(e.end),
                }
                for e in store.events_between(calendar.id, start, end)
            ]
            value.append(
                {
                    "scheduleId": mailbox.smtp_address,
                    "availabilityView": "",
                    "scheduleItems": items,
                }
            )
        return JSONResponse({"value": value})

    async def calendar_view(request: Request) -> Response:
        account = me(request)
        calendar = readable(request.path_params["calendar_id"], account.email)
        start, end = window(request)
        events = store.events_between(calendar.id, start, end)
        # Paged as Graph pages it: 10 events unless $top says otherwise, the rest behind
        # @odata.nextLink ($skip).
        try:
            top = int(request.query_params.get("$top", CALENDAR_VIEW_PAGE))
            skip = max(int(request.query_params.get("$skip", 0)), 0)
        except ValueError:
            raise SandboxError(400, "$top and $skip must be integers") from None
        top = min(max(top, 1), CALENDAR_VIEW_MAX_PAGE)
        page: dict = {"value": [event_json(e) for e in events[skip : skip + top]]}
        if skip + top < len(events):
            params = {k: v for k, v in request.query_params.items() if k != "$skip"}
            page["@odata.nextLink"] = (
                f"{str(request.url).split('?')[0]}?{urlencode({**params, '$skip': skip + top})}"
            )
        return JSONResponse(page)

    async def delta(request: Request) -> Response:
        account = me(request)
        primary = store.primary_calendar(Provider.MICROSOFT, account.email)
        token = request.query_params.get("$deltatoken")
        if token is not None and not SYNC_TOKEN.fullmatch(token):
            # A token Graph never issued: 400 syncStateInvalid. One it issued but no longer
            # keeps: 410 Gone, code SyncStateNotFound (store.parse_sync_token).
            return graph_error(400, "syncStateInvalid", "The delta token is not valid.")
        if token:
            since = store.parse_sync_token(token)
            changed = store.changes_since({primary.id}, since)
            start, end = (
                parse_instant(request.query_params.get("startDateTime", "1970-01-01T00:00:00Z")),
                None,
            )
        else:
            start, end = window(request)
            changed = store.events_between(primary.id, start, end)
            since = 0
        value = [
            {"id": e.id, "@removed": {"reason": "deleted"}}
            if e.status == "cancelled"
            else {"id": e.id, "subject": e.summary}
            if token and store.graph_delta_changed_only
            else event_json(e)
            for e in changed
        ]
        base = str(request.url).split("?")[0]
        params = {"$deltatoken": store.sync_token()}
        if end is not None:
            params.update(
                startDateTime=request.query_params["startDateTime"],
                endDateTime=request.query_params["endDateTime"],
            )
        return JSONResponse({"value": value, "@odata.deltaLink": f"{base}?{urlencode(params)}"})

    async def create_event(request: Request) -> Response:
        account = me(request)
        body = await request_json(request)
        primary = store.primary_calendar(Provider.MICROSOFT, account.email)
        transaction = body.get("transactionId")
        if transaction:
            for existing in store.events.values():
                if existing.calendar_id == primary.id and existing.transaction_id == transaction:
                    return JSONResponse(event_json(existing), status_code=201)
        # Graph makes the Teams meeting at once, only where the calendar allows it; elsewhere
        # the event is created without one (isOnlineMeeting false), as Outlook.com does.
        teams = (
            body.get("isOnlineMeeting") is True
            and body.get("onlineMeetingProvider") == "teamsForBusiness"
            and "teamsForBusiness" in teams_providers(account)
        )
        event = store.add_event(
            primary.id,
            body.get("subject", ""),
            parse_instant((body.get("start") or {}).get("dateTime", "")),
            parse_instant((body.get("end") or {}).get("dateTime", "")),
            description=(body.get("body") or {}).get("content", ""),
            transaction_id=transaction,
            location=str((body.get("location") or {}).get("displayName") or ""),
            join_url=(
                f"https://teams.microsoft.sandbox.invalid/l/meetup-join/{uuid.uuid4().hex}"
                if teams
                else ""
            ),
            attendees=[
                {
                    "emailAddress": a.get("emailAddress", {}),
                    "type": a.get("type", "required"),
                    "status": {"response": "none"},
                }
                for a in body.get("attendees") or []
            ],
        )
        return JSONResponse(event_json(event), status_code=201)

    async def one_event(request: Request) -> Response:
        account = me(request)
        event = store.events.get(request.path_params["event_id"])
        if event is None or store.role_of(store.calendar(event.calendar_id), account.email) not in (
            "owner",
            "writer",
        ):
            raise SandboxError(404, "The specified object was not found in the store.")
        if event.status == "cancelled":
            raise SandboxError(404, "The specified object was not found in the store.")
        if request.method == "GET":
            return JSONResponse(event_json(event))
        return await delete_or_update_event(request, store, event, event_json, title_key="subject")

    async def cancel(request: Request) -> Response:
        account = me(request)
        event = store.events.get(request.path_params["event_id"])
        if (
            event is None
            or event.status == "cancelled"
            or store.role_of(store.calendar(event.calendar_id), account.email) != "owner"
        ):
            raise SandboxError(404, "The specified object was not found in the store.")
        store.cancel_event(event)
        return Response(status_code=202)

    return [
        Route("/me", get_me, methods=["GET"]),
        Route("/me/calendars", calendars, methods=["GET"]),
        Route("/me/calendar/getSchedule", get_schedule, methods=["POST"]),
        Route("/me/calendars/{calendar_id}/calendarView", calendar_view, methods=["GET"]),
        Route("/me/calendarView/delta", delta, methods=["GET"]),
        Route("/me/events", create_event, methods=["POST"]),
        Route("/me/events/{event_id}", one_event, methods=["GET", "PATCH", "DELETE"]),
        Route("/me/events/{event_id}/cancel", cancel, methods=["POST"]),
    ]
