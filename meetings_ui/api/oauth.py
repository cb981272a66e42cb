"""The OAuth callback: the provider sends the browser back here after consent."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse

from meetings_ui import routes
from meetings_ui.config import get_settings
from meetings_ui.db import session_scope
from meetings_ui.providers.registry import PROVIDERS
from meetings_ui.services.calendar_connections import ConnectError, do_complete_connect
from meetings_ui.services.sessions import token_from_cookie_header, user_for_token


def oauth_callback(request: Request) -> RedirectResponse:
    """Runs in the thread pool (a plain function): it talks to the provider."""
    app_url = get_settings().app_url
    provider = request.path_params["provider"]
    if provider not in PROVIDERS:
        return RedirectResponse(
            f"{app_url}{routes.SETTINGS_CALENDAR}?{urlencode({'connect_error': 'provider'})}", 303
        )
    with session_scope() as session:
        browser_user = user_for_token(
            session=session, raw_token=token_from_cookie_header(request.headers.get("cookie", ""))
        )
        try:
            do_complete_connect(
                session=session,
                provider=provider,
                params=dict(request.query_params),
                browser_user=browser_user,
            )
        except ConnectError as error:
            query = urlencode({"connect_error": error.code})
            return RedirectResponse(f"{app_url}{routes.SETTINGS_CALENDAR}?{query}", 303)
    return RedirectResponse(f"{app_url}{routes.MEETINGS}?{urlencode({'connected': provider})}", 303)
