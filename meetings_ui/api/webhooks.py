"""Change notifications from Google (watch channels) and Microsoft Graph (subscriptions).
Thin: the secret check and the sync are services/calendar_sync.py's. Plain functions, run
in the thread pool: a notification may read the calendar's changes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query
from fastapi.responses import PlainTextResponse, Response

from meetings_ui import routes
from meetings_ui.api.deps import DatabaseSession
from meetings_ui.api.errors import ApiError
from meetings_ui.domain.enums import Provider
from meetings_ui.services.calendar_sync import NotificationOutcome, do_handle_notification

router = APIRouter(include_in_schema=False)

_STATUS = {
    NotificationOutcome.SYNCED: 200,
    NotificationOutcome.ACKNOWLEDGED: 200,
    NotificationOutcome.REFUSED: 403,
    NotificationOutcome.UNKNOWN: 404,
}


@router.post(routes.webhook(Provider.GOOGLE))
def google_notification(
    session: DatabaseSession,
    channel_id: Annotated[str, Header(alias="X-Goog-Channel-ID")] = "",
    token: Annotated[str, Header(alias="X-Goog-Channel-Token")] = "",
    state: Annotated[str, Header(alias="X-Goog-Resource-State")] = "exists",
) -> Response:
    """Google sends no body: the channel, its token and what happened are headers."""
    outcome = do_handle_notification(
        session=session,
        provider=Provider.GOOGLE,
        channel_id=channel_id,
        secret=token,
        state=state,
    )
    return Response(status_code=_STATUS[outcome])


@router.post(routes.webhook(Provider.MICROSOFT))
def microsoft_notification(
    session: DatabaseSession,
    validation_token: Annotated[str | None, Query(alias="validationToken")] = None,
    body: Annotated[dict[str, Any] | None, Body()] = None,
) -> Response:
    """Graph first validates the URL (echo `validationToken` as text/plain within 10 s),
    then POSTs batches of notifications, each with the subscription's clientState."""
    if validation_token is not None:
        return PlainTextResponse(validation_token, status_code=200)
    items = (body or {}).get("value")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ApiError(400, "invalid_notification", "Expected a change notification collection.")
    outcomes = [
        do_handle_notification(
            session=session,
            provider=Provider.MICROSOFT,
            channel_id=str(item.get("subscriptionId", "")),
            secret=str(item.get("clientState") or ""),
            state=str(item.get("changeType", "updated")),
        )
        for item in items
    ]
    worst = max((_STATUS[o] for o in outcomes), default=202)
    return Response(status_code=202 if worst < 300 else worst)
