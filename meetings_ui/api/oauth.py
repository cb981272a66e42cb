"""The OAuth callback: the provider sends the browser back here after consent."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from meetings_ui import routes
from meetings_ui.api.deps import DatabaseSession
from meetings_ui.config import get_settings
from meetings_ui.domain.enums import Provider
from meetings_ui.services.calendar_connections import ConnectError, do_complete_connect
from meetings_ui.services.sessions import token_from_cookie_header, user_for_token

router = APIRouter(include_in_schema=False)


@router.get(routes.OAUTH_CALLBACK)
def oauth_callback(provider: str, request: Request, session: DatabaseSession) -> RedirectResponse:
    """A plain function, run in the thread pool: it talks to the provider."""
    app_url = get_settings().app_url
    if provider not in set(Provider):
        return RedirectResponse(
            f"{app_url}{routes.SETTINGS_CALENDAR}?{urlencode({'connect_error': 'provider'})}", 303
        )
    browser_user = user_for_token(
        session=session, raw_token=token_from_cookie_header(request.headers.get("cookie", ""))
    )
    try:
        do_complete_connect(
            session=session,
            provider=Provider(provider),
            params=dict(request.query_params),
            browser_user=browser_user,
        )
    except ConnectError as error:
        query = urlencode({"connect_error": error.code})
        return RedirectResponse(f"{app_url}{routes.SETTINGS_CALENDAR}?{query}", 303)
    return RedirectResponse(f"{app_url}{routes.MEETINGS}?{urlencode({'connected': provider})}", 303)
