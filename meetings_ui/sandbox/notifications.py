"""Change notifications from the sandbox: real HTTP POSTs to the webhook a watch channel
(Google) or a subscription (Microsoft Graph) registered, as the providers send them.

Each POST runs on a thread of its own, so a slow or unreachable webhook never holds the
store's lock or the request that changed the event. What was sent, and the webhook's
answer, is kept in `store.notifications` for tests and the control API.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
import threading
import uuid
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from urllib.parse import urlsplit

import requests
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from meetings_ui.domain.enums import Provider
from meetings_ui.sandbox.common import parse_instant, request_json
from meetings_ui.sandbox.store import SandboxError, SandboxStore

TIMEOUT_SECONDS = 10


def check_address(address: str) -> None:
    """Providers only call https webhooks; the sandbox also calls plain http on this
    machine (localhost, loopback), where a test or demo server listens."""
    parts = urlsplit(address)
    if parts.scheme == "https" and parts.hostname:
        return
    host = parts.hostname or ""
    loopback = host == "localhost"
    with contextlib.suppress(ValueError):  # a name, not an address
        loopback = loopback or ip_address(host).is_loopback
    if parts.scheme != "http" or not loopback:
        raise SandboxError(400, f"WebHook callback must be HTTPS: {address}")


def post(
    store: SandboxStore,
    address: str,
    *,
    headers: dict[str, str] | None = None,
    json: dict | None = None,
    record: dict,
) -> None:
    """POST in the background; record the status (0: unreachable) or the error."""

    def send() -> None:
        try:
            answer = requests.post(address, headers=headers, json=json, timeout=TIMEOUT_SECONDS)
            outcome = {"status": answer.status_code}
        except requests.RequestException as error:
            outcome = {"status": 0, "error": type(error).__name__}
        with store.lock:
            store.notifications.append({**record, **outcome, "address": address})

    threading.Thread(target=send, daemon=True, name="sandbox-notify").start()


def notify_google(store: SandboxStore, calendar_id: str, state: str = "exists") -> None:
    """What Google sends on a change: no body, the channel in X-Goog-* headers."""
    now_ms = datetime.now(UTC).timestamp() * 1000
    with store.lock:
        channels = [
            c
            for c in store.watch_channels
            if c.get("calendar_id") == calendar_id
            and not c.get("stopped")
            and int(c["expiration"]) > now_ms
        ]
        for channel in channels:
            channel["messages"] = channel.get("messages", 0) + 1
    for channel in channels:
        headers = {
            "X-Goog-Channel-ID": channel["id"],
            "X-Goog-Channel-Expiration": datetime.fromtimestamp(
                int(channel["expiration"]) / 1000, UTC
            ).strftime("%a, %d %b %Y %H:%M:%S GMT"),
            "X-Goog-Resource-ID": channel["resourceId"],
            "X-Goog-Resource-URI": channel["resourceUri"],
            "X-Goog-Resource-State": state,
            "X-Goog-Message-Number": str(channel["messages"]),
        }
        if channel.get("token"):
            headers["X-Goog-Channel-Token"] = channel["token"]
        post(
            store,
            channel["address"],
            headers=headers,
            record={"provider": "google", "channel_id": channel["id"], "state": state},
        )


def expire_channels(store: SandboxStore) -> None:
    """Every channel and subscription expires now: no more notifications on them."""
    now = datetime.now(UTC)
    with store.lock:
        for channel in store.watch_channels:
            channel["expiration"] = str(int(now.timestamp() * 1000) - 1)
        for subscription in store.subscriptions:
            subscription["expires_at"] = now - timedelta(seconds=1)


# --- Microsoft Graph subscriptions ---------------------------------------------------------

SUBSCRIPTION_MAX = timedelta(minutes=4230)  # Graph's longest for Outlook events (see docs)
VALIDATION_SECONDS = 10
_EVENTS_RESOURCE = re.compile(r"/?me/calendars/([^/]+)/events")


def _graph_instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _live(subscription: dict) -> bool:
    return subscription["expires_at"] > datetime.now(UTC)


def _subscription_json(subscription: dict) -> dict:
    return {
        "id": subscription["id"],
        "resource": subscription["resource"],
        "changeType": subscription["changeType"],
        "notificationUrl": subscription["notificationUrl"],
        "expirationDateTime": _graph_instant(subscription["expires_at"]),
        "clientState": subscription["clientState"] or None,
    }


async def _validated(address: str) -> bool:
    """Graph's handshake: POST `address`?validationToken=..., expect the token back as
    text/plain with 200 within 10 seconds."""
    token = f"Validation: {secrets.token_urlsafe(16)}"
    try:
        answer = await asyncio.to_thread(
            requests.post,
            address,
            params={"validationToken": token},
            headers={"Content-Type": "text/plain"},
            timeout=VALIDATION_SECONDS,
        )
    except requests.RequestException:
        return False
    return (
        answer.status_code == 200
        and answer.headers.get("content-type", "").startswith("text/plain")
        and answer.text == token
    )


def subscription_routes(store: SandboxStore) -> list[Route]:
    """POST /subscriptions (with the validation handshake), PATCH to renew, DELETE."""

    def me(request: Request) -> str:
        return store.account_for_token(
            Provider.MICROSOFT, request.headers.get("authorization")
        ).email

    def owned(request: Request) -> dict:
        email = me(request)
        with store.lock:
            for subscription in store.subscriptions:
                if (
                    subscription["id"] == request.path_params["subscription_id"]
                    and subscription["email"] == email
                    and _live(subscription)
                ):
                    return subscription
        raise SandboxError(404, "The object was not found.")

    def expiry(body: dict) -> datetime:
        try:
            value = parse_instant(str(body.get("expirationDateTime", "")))
        except (ValueError, SandboxError):
            raise SandboxError(400, "expirationDateTime is required") from None
        if value > datetime.now(UTC) + SUBSCRIPTION_MAX:
            raise SandboxError(
                400, "Subscription expiration can only be 4230 minutes in the future."
            )
        if value <= datetime.now(UTC):
            raise SandboxError(400, "Subscription expiration must be in the future.")
        return value

    async def create(request: Request) -> Response:
        email = me(request)
        body = await request_json(request)
        match = _EVENTS_RESOURCE.fullmatch(str(body.get("resource", "")))
        if match is None:
            raise SandboxError(400, "Unsupported resource: me/calendars/{id}/events only")
        calendar = store.calendar(match.group(1))
        if store.role_of(calendar, email) is None:
            raise SandboxError(403, "Access is denied.")
        client_state = str(body.get("clientState") or "")
        if len(client_state) > 128:
            raise SandboxError(400, "clientState is longer than 128 characters")
        address = str(body.get("notificationUrl", ""))
        check_address(address)
        expires_at = expiry(body)
        if not await _validated(address):
            raise SandboxError(
                400,
                "Subscription validation request failed. Notification endpoint must "
                "respond with 200 OK to validation request.",
            )
        subscription = {
            "id": str(uuid.uuid4()),
            "email": email,
            "calendar_id": calendar.id,
            "resource": str(body["resource"]),
            "changeType": str(body.get("changeType", "created,updated,deleted")),
            "notificationUrl": address,
            "clientState": client_state,
            "expires_at": expires_at,
        }
        with store.lock:
            store.subscriptions.append(subscription)
        return JSONResponse(_subscription_json(subscription), status_code=201)

    async def one(request: Request) -> Response:
        subscription = owned(request)
        if request.method == "DELETE":
            with store.lock:
                store.subscriptions.remove(subscription)
            return Response(status_code=204)
        subscription["expires_at"] = expiry(await request_json(request))
        return JSONResponse(_subscription_json(subscription))

    return [
        Route("/subscriptions", create, methods=["POST"]),
        Route("/subscriptions/{subscription_id}", one, methods=["PATCH", "DELETE"]),
    ]


def notify_microsoft(store: SandboxStore, calendar_id: str, change: str = "updated") -> None:
    """What Graph sends on a change: a collection of notifications, each with the
    subscription's clientState."""
    with store.lock:
        subscriptions = [
            s for s in store.subscriptions if s["calendar_id"] == calendar_id and _live(s)
        ]
    for subscription in subscriptions:
        post(
            store,
            subscription["notificationUrl"],
            json={
                "value": [
                    {
                        "subscriptionId": subscription["id"],
                        "subscriptionExpirationDateTime": _graph_instant(
                            subscription["expires_at"]
                        ),
                        "changeType": change,
                        "resource": subscription["resource"],
                        "resourceData": {"@odata.type": "#Microsoft.Graph.Event"},
                        "clientState": subscription["clientState"] or None,
                        "tenantId": "",
                    }
                ]
            },
            record={"provider": "microsoft", "channel_id": subscription["id"], "state": change},
        )
