"""The cookie half of logging in and out: the only code that sets or clears the session
cookie and the login binding cookie.

JavaScript cannot set an HttpOnly cookie, so the Reflex log-in handler hands over
a single-use login code and redirects the browser here. The path to return to was
validated and stored with the code, so nothing in this URL can redirect elsewhere.
The code only works in the browser that asked for it (sessions.py: login binding).
Handlers are plain functions, so FastAPI runs their database work in its thread pool.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Cookie, Query, Request
from fastapi.responses import RedirectResponse

from meetings_ui import routes
from meetings_ui.api.deps import DatabaseSession, request_ip
from meetings_ui.config import get_settings
from meetings_ui.services.sessions import (
    COOKIE_CHECK_PARAM,
    LOGIN_BINDING_COOKIE,
    LOGIN_BINDING_LIFETIME,
    SESSION_COOKIE,
    SESSION_LIFETIME,
    WrongBrowserError,
    do_log_out,
    do_redeem_login_code,
    new_login_binding,
    safe_account_page,
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


@router.get(routes.AUTH_BROWSER)
def bind_browser(
    back_to: Annotated[str, Query(alias="next")] = routes.LOGIN,
    binding: Annotated[str | None, Cookie(alias=LOGIN_BINDING_COOKIE)] = None,
) -> RedirectResponse:
    """Give this browser its login binding cookie (kept if it has one), then go back to the
    account page it came from, marked as checked (a browser that refuses cookies is then
    told so rather than sent round again). Only the backend sets it: no other site can."""
    page = safe_account_page(back_to)
    separator = "&" if urlsplit(page).query else "?"
    response = _frontend(f"{page}{separator}{COOKIE_CHECK_PARAM}=1")
    if not binding:
        response.set_cookie(
            LOGIN_BINDING_COOKIE,
            new_login_binding(),
            max_age=int(LOGIN_BINDING_LIFETIME.total_seconds()),
            **_cookie_flags(),
        )
    return response


@router.get(routes.AUTH_COMPLETE)
def complete_login(
    request: Request,
    session: DatabaseSession,
    code: str = "",
    binding: Annotated[str | None, Cookie(alias=LOGIN_BINDING_COOKIE)] = None,
) -> RedirectResponse:
    client_ip = request_ip(request)
    try:
        redeemed = (
            do_redeem_login_code(
                session=session, raw_code=code, browser_binding=binding, client_ip=client_ip
            )
            if code
            else None
        )
    except WrongBrowserError:
        return _frontend(f"{routes.LOGIN}?other_browser=1")
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
