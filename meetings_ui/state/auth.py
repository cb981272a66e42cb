"""Who is using the app, for every Reflex page: the shared base state and the page guard.

The session token lives only in the HttpOnly cookie. The websocket handshake carries
it (`self.router.headers.cookie`, which Reflex never sends back to the browser),
and the user is resolved from it again on every page load and every guarded event:
nothing the browser holds in a var is trusted to say who it is.
"""

from __future__ import annotations

from urllib.parse import urlencode

import reflex as rx

from meetings_ui import routes
from meetings_ui.config import get_settings
from meetings_ui.db import session_scope
from meetings_ui.models import User
from meetings_ui.services.accounts import needs_first_admin
from meetings_ui.services.guard import ForbiddenError, is_admin
from meetings_ui.services.sessions import token_from_cookie_header, user_for_token

LOGGED_OUT = "You are logged out: log in again to continue."


class AuthState(rx.State):
    """What the pages may show about the current user (no token, no hash, no id)."""

    logged_in: bool = False
    is_admin: bool = False
    user_name: str = ""
    user_email: str = ""
    logout_url: str = ""

    def _current_user(self) -> User | None:
        """The user behind this browser's session cookie, read afresh from the database."""
        token = token_from_cookie_header(self.router.headers.cookie)
        with session_scope() as session:
            return user_for_token(session=session, raw_token=token)

    def _require_actor(self) -> User:
        """For event handlers that touch data: the logged-in user, or ForbiddenError."""
        user = self._current_user()
        if user is None:
            raise ForbiddenError(LOGGED_OUT)
        return user

    def _show(self, user: User | None) -> None:
        self.logged_in = user is not None
        self.is_admin = is_admin(user)
        self.user_name = user.display_name if user else ""
        self.user_email = user.email if user else ""
        self.logout_url = get_settings().backend_url + routes.AUTH_LOGOUT

    def _here(self) -> str:
        url = self.router.url
        return url.path + (f"?{url.query}" if url.query else "")

    @rx.event
    def require_user(self) -> rx.event.EventSpec | None:
        """on_load of every host page: a fresh install goes to set-up, a visitor to log-in."""
        with session_scope() as session:
            first_run = needs_first_admin(session=session)
        if first_run:
            self._show(None)
            return rx.redirect(routes.FIRST_ADMIN, replace=True)
        user = self._current_user()
        self._show(user)
        if user is None:
            return rx.redirect(f"{routes.LOGIN}?{urlencode({'next': self._here()})}", replace=True)
        return None
