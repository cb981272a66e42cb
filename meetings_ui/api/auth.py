"""The cookie half of logging in and out: the only code that sets or clears the session cookie.

JavaScript cannot set an HttpOnly cookie, so the Reflex log-in handler hands over
a single-use login code and redirects the browser here. The path to return to was
validated and stored with the code, so nothing in this URL can redirect elsewhere.
Handlers are plain functions, so FastAPI runs their database work in its thread pool.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Request
from fastapi.responses import RedirectResponse

from meetings_ui import routes
from meetings_ui.api.deps import DatabaseSession
from meetings_ui.config import get_settings
from meetings_ui.services.sessions import (
    SESSION_COOKIE,
    SESSION_LIFETIME,
    do_log_out,
    do_redeem_login_code,
    safe_next_path,
)

router = APIRouter(include_in_schema=False)


def _cookie_flags() -> dict[str, Any]:
    return {
        "httponly": True,
        "samesite": "lax",
        "secure": get_settings().app_url.startswith("https://"),
        "path": "/",
    }


def _frontend(path: str) -> RedirectResponse:
    return RedirectResponse(get_settings().app_url + path, status_code=303)


@router.get(routes.AUTH_COMPLETE)
def complete_login(request: Request, session: DatabaseSession, code: str = "") -> RedirectResponse:
    client_ip = request.client.host if request.client else ""
    redeemed = (
        do_redeem_login_code(session=session, raw_code=code, client_ip=client_ip) if code else None
    )
    if redeemed is None:
        return _frontend(f"{routes.LOGIN}?expired=1")
    token, next_path = redeemed
    response = _frontend(safe_next_path(next_path))
    response.set_cookie(
        SESSION_COOKIE, token, max_age=int(SESSION_LIFETIME.total_seconds()), **_cookie_flags()
    )
    return response


@router.post(routes.AUTH_LOGOUT)
def log_out(
    session: DatabaseSession,
    token: Annotated[str | None, Cookie(alias=SESSION_COOKIE)] = None,
) -> RedirectResponse:
    """POST only: a cross-site page cannot log anyone out (SameSite=Lax keeps the cookie)."""
    do_log_out(session=session, raw_token=token)
    response = _frontend(routes.LOGIN)
    response.delete_cookie(SESSION_COOKIE, **_cookie_flags())
    return response
