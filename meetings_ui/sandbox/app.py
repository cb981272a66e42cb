"""The provider sandbox: one ASGI app that speaks the Google and Microsoft HTTP we use.

Mounted at /_sandbox on the backend only when MEETINGS_SANDBOX turns it on (the demo and
the tests), and runnable on its own (`python -m meetings_ui.sandbox --port 8765`). Its
consent page redirects only to the callback URLs registered for its OAuth client.

Paths, under the mount point:

    /google/o/oauth2/auth, /google/token, /google/revoke      Google OAuth 2.0
    /google/calendar/v3/...                                   Calendar v3 subset
                                                              (events/watch, channels/stop)
    /microsoft/{tenant}/v2.0/.well-known/openid-configuration Microsoft identity platform
    /microsoft/{tenant}/oauth2/v2.0/authorize | token
    /graph/v1.0/me/...                                        Microsoft Graph subset
    /graph/v1.0/subscriptions[/{id}]                          change subscriptions

Watched calendars notify their webhooks of every change with real HTTP POSTs
(sandbox/notifications.py), as Google and Graph do.
    /control/...                                              the control API (below)

Control API (JSON in, JSON out; every call needs `Authorization: Bearer <control token>`,
and without a token the control API is not served at all):

    GET    /control/state                          accounts, calendars, event counts, faults
    POST   /control/reset                          back to the seeded demo data
    POST   /control/accounts     {provider, email, display_name, personal?,
                                  user_principal_name?, time_zone?}  (a Microsoft
                                  sign-in name that is not the SMTP address)
    POST   /control/calendars    {provider, owner_email, name, shared_with: {email: role},
                                  time_zone?}
           roles: owner, writer, reader, freeBusyReader; time_zone: IANA, default UTC
    POST   /control/events       {calendar_id, summary, start, end, all_day?, show_as?,
                                  visibility?}
           visibility: default, public, private, confidential (Graph: its sensitivity)
           all_day: start and end are dates (end exclusive), midnights of the calendar's zone
    DELETE /control/events/{id}
    POST   /control/faults       {provider: google|microsoft|any, path: glob, kind, count?,
                                  status?, retry_after?, reason?, delay_seconds?}
           path: the whole request path below the mount point, `*` for any characters
           (`*/events`, `/google/calendar/v3/*`); plain text otherwise, never a regex
           kind: status (answer `status`, with Retry-After when given; on Graph `reason`
           is the error code, e.g. syncStateNotFound), slow (wait delay_seconds then
           answer normally), invalid_grant (the token endpoint refuses the refresh
           token), stale_sync_token (every current sync token becomes 410), html (answer
           `status` with a gateway's HTML page), empty (answer `status` with no body)
    DELETE /control/faults
    PUT    /control/settings     {latency_ms}   every provider answer waits this long (0-10000)
    POST   /control/accounts/{provider}/{email}/revoke   the user revokes our access
    POST   /control/accounts/{provider}/{email}/address  {address}: a new primary SMTP
           address (the old one stays an alias; calendars already shared keep naming it)
    POST   /control/tokens/expire                        every access token expires now
    POST   /control/channels/expire      every watch channel and subscription expires now
    GET    /control/notifications        the change notifications sent, with the answers
    GET    /control/requests             every provider API request received:
           {requests: [[method, path], ...], total}
    DELETE /control/requests             forget them
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route

from meetings_ui.domain.enums import Provider
from meetings_ui.sandbox import google, microsoft, notifications
from meetings_ui.sandbox.common import (
    RedirectUris,
    oauth_error,
    parse_date,
    parse_instant,
    request_json,
)
from meetings_ui.sandbox.store import SandboxError, SandboxStore, seed_demo_data

MAX_FAULT_PATH = 200  # characters of a fault's path glob
FAULT_KINDS = ("status", "slow", "invalid_grant", "stale_sync_token", "html", "empty")
# What a gateway or proxy in front of the service answers: HTML, not the API's JSON.
_GATEWAY_PAGE = "<html><head><title>{status}</title></head><body><h1>{status}</h1></body></html>"
MAX_LATENCY_MS = 10_000
Handler = Callable[[Request], Awaitable[Response]]

_GRAPH_CODES = {
    400: "BadRequest",
    401: "InvalidAuthenticationToken",
    403: "ErrorAccessDenied",
    404: "ErrorItemNotFound",
    409: "ErrorConflict",
    410: "SyncStateNotFound",
    429: "TooManyRequests",
    500: "InternalServerError",
    503: "ServiceNotAvailable",
}


def _relative_path(request: Request) -> str:
    """The path below the sandbox's mount point, wherever it is mounted (noted on the
    scope by the middleware, before routing adds the inner mounts to root_path)."""
    if "sandbox.path" not in request.scope:
        path, root = request.scope["path"], request.scope.get("root_path", "")
        request.scope["sandbox.path"] = (
            path[len(root) :] if root and path.startswith(root) else path
        )
    return request.scope["sandbox.path"]


def _provider_of(path: str) -> str | None:
    if path.startswith("/google"):
        return Provider.GOOGLE
    if path.startswith(("/microsoft", "/graph")):
        return Provider.MICROSOFT
    return None


def _error_response(path: str, status: int, message: str, reason: str = "") -> Response:
    if path.startswith("/graph"):
        code = reason or _GRAPH_CODES.get(status, "UnknownError")
        return microsoft.graph_error(status, code, message)
    if path.startswith("/google/calendar"):
        return google.google_error(status, message, reason)
    return oauth_error("server_error" if status >= 500 else "invalid_request", message, status)


class FaultInjection(BaseHTTPMiddleware):
    """Counts each provider request, waits the configured latency, then answers it with the
    first queued fault that matches it, if any."""

    def __init__(self, app: Starlette, store: SandboxStore) -> None:
        super().__init__(app)
        self.store = store

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        path = _relative_path(request)
        provider = _provider_of(path)
        if provider:
            with self.store.lock:
                self.store.requests.append((request.method, path))
            if self.store.latency_seconds:
                await asyncio.sleep(self.store.latency_seconds)
        fault = self.store.take_fault(provider, path) if provider else None
        if fault is not None:
            if fault.kind == "slow":
                await asyncio.sleep(fault.delay_seconds)
            elif fault.kind == "stale_sync_token":
                self.store.invalidate_sync_tokens()
            elif fault.kind == "html":
                return HTMLResponse(_GATEWAY_PAGE.format(status=fault.status), fault.status)
            elif fault.kind == "empty":
                return Response(status_code=fault.status)
            elif fault.kind == "invalid_grant":
                return JSONResponse(
                    {
                        "error": "invalid_grant",
                        "error_description": "Token has been expired or revoked.",
                    },
                    status_code=400,
                )
            else:
                response = _error_response(
                    path,
                    fault.status,
                    google.USAGE_LIMIT_MESSAGES.get(fault.reason or "")
                    or "Injected fault: " + (fault.reason or str(fault.status)),
                    fault.reason or "",
                )
                if fault.retry_after is not None:
                    response.headers["Retry-After"] = str(fault.retry_after)
                return response
        return await call_next(request)


def _bearer_only(token: str, handler: Handler) -> Handler:
    """The control API changes what every connected account sees: only a caller holding
    the control token may use it (compared in constant time)."""
    expected = f"Bearer {token}".encode()

    async def guarded(request: Request) -> Response:
        given = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            return JSONResponse(
                {
                    "error": "unauthorized",
                    "error_description": "The control token is missing "
                    "or wrong: send Authorization: Bearer <MEETINGS_SANDBOX_TOKEN>.",
                },
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="sandbox-control"'},
            )
        return await handler(request)

    return guarded


def _fault_path(body: dict) -> str:
    path = body.get("path", "*")
    if not isinstance(path, str) or len(path) > MAX_FAULT_PATH:
        raise SandboxError(400, f"path must be a glob of at most {MAX_FAULT_PATH} characters")
    return path


def control_routes(store: SandboxStore, token: str) -> list[Route]:
    async def state(_request: Request) -> Response:
        with store.lock:
            return JSONResponse(
                {
                    "accounts": [
                        {
                            "provider": a.provider,
                            "email": a.email,
                            "display_name": a.display_name,
                            "personal": a.personal,
                            "user_principal_name": a.upn,
                        }
                        for a in store.accounts.values()
                    ],
                    "calendars": [
                        {
                            "id": c.id,
                            "provider": c.provider,
                            "owner_email": c.owner_email,
                            "name": c.name,
                            "primary": c.is_default,
                            "access": c.access,
                        }
                        for c in store.calendars.values()
                    ],
                    "events": sum(1 for e in store.events.values() if e.status != "cancelled"),
                    "faults": len(store.faults),
                }
            )

    async def reset(_request: Request) -> Response:
        store.reset()
        seed_demo_data(store)
        return JSONResponse({"reset": True})

    async def add_account(request: Request) -> Response:
        body = await request_json(request)
        account = store.add_account(
            body.get("provider", ""),
            body.get("email", ""),
            body.get("display_name") or body.get("email", ""),
            bool(body.get("personal")),
            body.get("user_principal_name"),
            time_zone=body.get("time_zone") or "UTC",
        )
        primary = store.primary_calendar(account.provider, account.email)
        return JSONResponse(
            {"email": account.email, "primary_calendar_id": primary.id}, status_code=201
        )

    async def add_calendar(request: Request) -> Response:
        body = await request_json(request)
        calendar = store.add_calendar(
            body.get("provider", ""),
            body.get("owner_email", ""),
            body.get("name", ""),
            body.get("shared_with"),
            time_zone=body.get("time_zone") or "UTC",
        )
        return JSONResponse({"id": calendar.id, "name": calendar.name}, status_code=201)

    async def add_event(request: Request) -> Response:
        body = await request_json(request)
        visibility = str(body.get("visibility") or "default")
        if visibility not in ("default", "public", "private", "confidential", "personal"):
            raise SandboxError(400, f"Unknown visibility {visibility!r}")
        if body.get("all_day"):  # dates (a date-time's date is taken as it is written)
            event = store.add_all_day_event(
                body.get("calendar_id", ""),
                body.get("summary", "Busy"),
                parse_date(str(body.get("start", ""))[:10]),
                parse_date(str(body.get("end", ""))[:10]),
                show_as=body.get("show_as", "busy"),
                visibility=visibility,
            )
        else:
            event = store.add_event(
                body.get("calendar_id", ""),
                body.get("summary", "Busy"),
                parse_instant(body.get("start", "")),
                parse_instant(body.get("end", "")),
                show_as=body.get("show_as", "busy"),
                visibility=visibility,
                attendees=store.attendee_entries(
                    body.get("calendar_id", ""), list(body.get("attendees") or [])
                ),
            )
        return JSONResponse({"id": event.id}, status_code=201)

    async def delete_event(request: Request) -> Response:
        event = store.events.get(request.path_params["event_id"])
        if event is None:
            raise SandboxError(404, "No such event")
        store.cancel_event(event)
        return Response(status_code=204)

    async def faults(request: Request) -> Response:
        if request.method == "DELETE":
            with store.lock:
                store.faults.clear()
            return Response(status_code=204)
        body = await request_json(request)
        kind = body.get("kind", "status")
        if kind not in FAULT_KINDS:
            raise SandboxError(400, f"Unknown fault kind {kind!r}")
        fault = store.queue_fault(
            provider=body.get("provider", "any"),
            path_pattern=_fault_path(body),
            kind=kind,
            status=int(body.get("status", 500)),
            retry_after=body.get("retry_after"),
            reason=body.get("reason"),
            delay_seconds=float(body.get("delay_seconds", 0)),
            count=int(body.get("count", 1)),
        )
        return JSONResponse({"id": fault.id}, status_code=201)

    async def change_address(request: Request) -> Response:
        body = await request_json(request)
        account = store.change_address(
            request.path_params["provider"], request.path_params["email"], body.get("address", "")
        )
        return JSONResponse({"address": account.smtp_address, "aliases": account.aliases})

    async def settings(request: Request) -> Response:
        body = await request_json(request)
        latency = body.get("latency_ms", 0)
        if type(latency) not in (int, float) or not 0 <= latency <= MAX_LATENCY_MS:
            raise SandboxError(400, f"latency_ms must be a number from 0 to {MAX_LATENCY_MS}")
        store.latency_seconds = latency / 1000
        return JSONResponse({"latency_ms": latency})

    async def revoke_account(request: Request) -> Response:
        store.revoke_account(request.path_params["provider"], request.path_params["email"])
        return JSONResponse({"revoked": True})

    async def expire_tokens(_request: Request) -> Response:
        store.expire_access_tokens()
        return JSONResponse({"expired": True})

    async def expire_channels(_request: Request) -> Response:
        notifications.expire_channels(store)
        return JSONResponse({"expired": True})

    async def sent_notifications(_request: Request) -> Response:
        with store.lock:
            return JSONResponse({"notifications": list(store.notifications)})

    async def received_requests(request: Request) -> Response:
        with store.lock:
            if request.method == "DELETE":
                store.requests.clear()
                return Response(status_code=204)
            return JSONResponse(
                {"requests": [list(r) for r in store.requests], "total": len(store.requests)}
            )

    return [
        Route(path, _bearer_only(token, handler), methods=methods)
        for path, handler, methods in (
            ("/state", state, ["GET"]),
            ("/reset", reset, ["POST"]),
            ("/accounts", add_account, ["POST"]),
            ("/calendars", add_calendar, ["POST"]),
            ("/events", add_event, ["POST"]),
            ("/events/{event_id}", delete_event, ["DELETE"]),
            ("/faults", faults, ["POST", "DELETE"]),
            ("/settings", settings, ["PUT"]),
            ("/accounts/{provider}/{email}/revoke", revoke_account, ["POST"]),
            ("/accounts/{provider}/{email}/address", change_address, ["POST"]),
            ("/tokens/expire", expire_tokens, ["POST"]),
            ("/channels/expire", expire_channels, ["POST"]),
            ("/notifications", sent_notifications, ["GET"]),
            ("/requests", received_requests, ["GET", "DELETE"]),
        )
    ]


def build_sandbox_app(
    store: SandboxStore | None = None,
    *,
    redirect_uris: RedirectUris,
    control_token: str = "",
    seed: bool = True,
) -> Starlette:
    """The sandbox. `redirect_uris` are the callbacks registered for its OAuth client; the
    control API is served only with a `control_token` (its bearer token)."""
    store = store or SandboxStore()
    if not store.listeners:  # watched calendars notify their webhooks of every change
        store.listeners.append(lambda calendar_id: notifications.notify_google(store, calendar_id))
        store.listeners.append(
            lambda calendar_id: notifications.notify_microsoft(store, calendar_id)
        )
    if seed:
        seed_demo_data(store, datetime.now(UTC).date())

    async def on_error(request: Request, error: SandboxError) -> Response:
        return _error_response(_relative_path(request), error.status, error.message)

    async def on_scope(_request: Request, _error: Exception) -> Response:
        return google.insufficient_scope_response()

    mounts = [
        Mount("/google", routes=google.routes(store, redirect_uris)),
        Mount("/microsoft", routes=microsoft.identity_routes(store, redirect_uris)),
        Mount(
            "/graph/v1.0",
            routes=microsoft.graph_routes(store) + notifications.subscription_routes(store),
        ),
    ]
    if control_token:
        mounts.append(Mount("/control", routes=control_routes(store, control_token)))
    app = Starlette(
        routes=mounts,
        exception_handlers={SandboxError: on_error, google.InsufficientScopeError: on_scope},
    )
    app.add_middleware(FaultInjection, store=store)
    app.state.store = store
    return app
