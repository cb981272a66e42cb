"""The cookie half of logging in and out: the only code that sets or clears the session cookie.

JavaScript cannot set an HttpOnly cookie, so the Reflex log-in handler hands over
a single-use login code and redirects the browser here. The path to return to was
validated and stored with the code, so nothing in this URL can redirect elsewhere.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse

from meetings_ui import routes
from meetings_ui.config import get_settings
from meetings_ui.db import session_scope
from meetings_ui.services.sessions import (
    SESSION_COOKIE,
    SESSION_LIFETIME,
    do_log_out,
    do_redeem_login_code,
    safe_next_path,
)


def _cookie_flags() -> dict:
    return {
        "httponly": True,
        "samesite": "lax",
        "secure": get_settings().app_url.startswith("https://"),
        "path": "/",
    }


def _frontend(path: str) -> RedirectResponse:
    return RedirectResponse(get_settings().app_url + path, status_code=303)


def _redeem(code: str, client_ip: str) -> tuple[str, str] | None:
    with session_scope() as session:
        return do_redeem_login_code(session=session, raw_code=code, client_ip=client_ip)


async def complete_login(request: Request) -> RedirectResponse:
    code = request.query_params.get("code", "")
    client_ip = request.client.host if request.client else ""
    redeemed = await run_in_threadpool(_redeem, code, client_ip) if code else None
    if redeemed is None:
        return _frontend(f"{routes.LOGIN}?expired=1")
    token, next_path = redeemed
    response = _frontend(safe_next_path(next_path))
    response.set_cookie(
        SESSION_COOKIE, token, max_age=int(SESSION_LIFETIME.total_seconds()), **_cookie_flags()
    )
    return response


def _log_out(token: str | None) -> None:
    with session_scope() as session:
        do_log_out(session=session, raw_token=token)


async def log_out(request: Request) -> RedirectResponse:
    """POST only: a cross-site page cannot log anyone out (SameSite=Lax keeps the cookie)."""
    await run_in_threadpool(_log_out, request.cookies.get(SESSION_COOKIE))
    response = _frontend(routes.LOGIN)
    response.delete_cookie(SESSION_COOKIE, **_cookie_flags())
    return response
