"""Browser sessions and the login-code hand-off to the cookie route.

Reflex pages cannot set an HttpOnly cookie (JavaScript never may), so a log-in runs
in two steps: the Reflex event handler checks the password and issues a login code
(single use, 60 s); the browser is redirected to the backend route /auth/complete,
which redeems the code for a session and sets the cookie. Only digests are stored.

A code is bound to the browser that asked for it (no login CSRF: a code an attacker
got for their own account must not log a victim's browser into it). Every browser
that logs in first gets a random, HttpOnly "login binding" cookie from the backend
(/auth/browser, visited before the account pages show their form); the Reflex
handler reads it from the websocket handshake and stores its digest with the code,
and /auth/complete refuses, and burns, a code that arrives with another binding.
"""

from __future__ import annotations

import hmac
from datetime import timedelta
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qsl, urlencode, urlsplit

import sqlalchemy as sa
from sqlmodel import Session, select

from meetings_ui import routes
from meetings_ui.models import LoginCode, User, UserSession, utc_now
from meetings_ui.services import audit
from meetings_ui.services.tokens import digest, new_token

SESSION_COOKIE = "meetings_session"
SESSION_LIFETIME = timedelta(days=14)
LOGIN_CODE_LIFETIME = timedelta(seconds=60)
LOGIN_BINDING_COOKIE = "meetings_login_binding"
LOGIN_BINDING_LIFETIME = timedelta(days=400)  # the longest a browser keeps a cookie
# The pages that issue login codes, so the only ones /auth/browser sends a browser back to,
# with this query parameter added.
ACCOUNT_PAGES = (routes.LOGIN, routes.SIGN_UP, routes.SIGN_UP_CONFIRM, routes.FIRST_ADMIN)
COOKIE_CHECK_PARAM = "cookie_check"


class WrongBrowserError(Exception):
    """A login code was presented by a browser other than the one that asked for it."""


def safe_next_path(raw: str | None) -> str:
    """Where to go after logging in: only a relative path under /app (no open redirect)."""
    if not raw or len(raw) > 500:
        return routes.MEETINGS
    parts = urlsplit(raw)
    path = parts.path
    if (
        parts.scheme
        or parts.netloc
        or not raw.startswith(routes.APP_PREFIX)
        or not (path == routes.APP_PREFIX or path.startswith(routes.APP_PREFIX + "/"))
        or "//" in raw
        or "\\" in raw
        or ".." in path
        or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in raw)
    ):
        return routes.MEETINGS
    return raw


def safe_account_page(raw: str | None) -> str:
    """Where /auth/browser sends a browser back: an account page and its query, else /login."""
    if not raw or len(raw) > 4000:  # a sign-up confirmation link carries its form
        return routes.LOGIN
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or parts.path not in ACCOUNT_PAGES:
        return routes.LOGIN
    query = urlencode(parse_qsl(parts.query, keep_blank_values=True))
    return parts.path + (f"?{query}" if query else "")


def new_login_binding() -> str:
    """The random value of a browser's login binding cookie."""
    return new_token()


def do_issue_login_code(
    *, session: Session, user_id: int, next_path: str, browser_binding: str
) -> str:
    """Call only after the credentials were checked; returns the raw code (shown once).

    `browser_binding` is the login binding cookie of the browser that asked: only that
    browser can redeem the code.
    """
    if not browser_binding:
        raise ValueError("A login code must be bound to a browser.")
    code = new_token()
    session.add(
        LoginCode(
            user_id=user_id,
            code_hash=digest(code),
            binding_hash=digest(browser_binding),
            next_path=safe_next_path(next_path),
            expires_at=utc_now() + LOGIN_CODE_LIFETIME,
        )
    )
    session.commit()
    return code


def do_redeem_login_code(
    *, session: Session, raw_code: str, browser_binding: str | None, client_ip: str = ""
) -> tuple[str, str] | None:
    """Consume the code (once, even under concurrency) and open a session.

    Returns the raw session token (for the cookie, never stored) and the path to go to;
    None for an unknown, used or expired code. Raises WrongBrowserError, the code burned,
    when `browser_binding` (the presenting browser's cookie) is not the one it was issued to.
    """
    now = utc_now()
    code_hash = digest(raw_code)
    claimed = session.execute(
        sa.update(LoginCode)
        .where(
            LoginCode.code_hash == code_hash,
            LoginCode.used_at.is_(None),
            LoginCode.expires_at > now,
        )
        .values(used_at=now)
    )
    if claimed.rowcount != 1:
        session.rollback()
        return None
    code = session.exec(select(LoginCode).where(LoginCode.code_hash == code_hash)).one()
    user = session.get(User, code.user_id)
    if not browser_binding or not hmac.compare_digest(code.binding_hash, digest(browser_binding)):
        session.commit()
        if user is not None:
            audit.record(
                session=session,
                actor_id=user.id,
                action="user.login_code_refused",
                target=user.email,
                details={"ip": client_ip, "reason": "presented by another browser"},
            )
        raise WrongBrowserError("This login code was asked for in another browser.")
    if user is None or not user.is_active:
        session.commit()
        return None
    token = new_token()
    session.execute(
        sa.delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at <= now)
    )
    session.execute(sa.delete(LoginCode).where(LoginCode.expires_at <= now))
    session.add(
        UserSession(user_id=user.id, token_hash=digest(token), expires_at=now + SESSION_LIFETIME)
    )
    session.commit()
    audit.record(
        session=session,
        actor_id=user.id,
        action="user.logged_in",
        target=user.email,
        details={"ip": client_ip},
    )
    return token, code.next_path


def _cookie_value(cookie_header: str, name: str) -> str | None:
    if not cookie_header:
        return None
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except CookieError:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel and morsel.value else None


def token_from_cookie_header(cookie_header: str) -> str | None:
    """The session token from a raw Cookie header (the websocket handshake's, in Reflex)."""
    return _cookie_value(cookie_header, SESSION_COOKIE)


def binding_from_cookie_header(cookie_header: str) -> str | None:
    """The browser's login binding from a raw Cookie header, or None if it has none yet."""
    return _cookie_value(cookie_header, LOGIN_BINDING_COOKIE)


def user_for_token(*, session: Session, raw_token: str | None) -> User | None:
    """The active user of a live session, or None."""
    if not raw_token:
        return None
    row = session.exec(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token_hash == digest(raw_token), UserSession.expires_at > utc_now())
    ).first()
    return row if row is not None and row.is_active else None


def do_log_out(*, session: Session, raw_token: str | None) -> None:
    """End this browser's session (other devices stay logged in)."""
    user = user_for_token(session=session, raw_token=raw_token)
    if raw_token:
        session.execute(sa.delete(UserSession).where(UserSession.token_hash == digest(raw_token)))
    session.commit()
    if user is not None:
        audit.record(session=session, actor_id=user.id, action="user.logged_out", target=user.email)


def end_all_sessions(*, session: Session, user_id: int) -> None:
    """Forget every session of a user (not committed: part of the caller's change)."""
    session.execute(sa.delete(UserSession).where(UserSession.user_id == user_id))
