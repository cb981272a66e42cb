"""Who is using the app, for every Reflex page: the shared base state and the page guard.

The session token lives only in the HttpOnly cookie. The websocket handshake carries
it (`self.router.headers.cookie`, which Reflex never sends back to the browser),
and the user is resolved from it again on every page load and every guarded event:
nothing the browser holds in a var is trusted to say who it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlencode

import reflex as rx
from reflex.istate.data import RouterData

from meetings_ui import routes
from meetings_ui.client_ip import client_ip
from meetings_ui.config import get_settings
from meetings_ui.domain.messages import Text
from meetings_ui.services import domain_brand
from meetings_ui.services.guard import Actor, ForbiddenError
from meetings_ui.services.sign_in import Viewer, actor_for_cookie, visit
from meetings_ui.state.locale import LocaleState
from meetings_ui.state.navigation import full_page_load, page_host

LOGGED_OUT = Text("You are logged out: log in again to continue.")


def visitor_ip(router: RouterData) -> str:
    """The address of the browser behind an event (client_ip.py: trusted proxy hops only).
    Reflex's own trusted_proxy_hops stays 0, so its client_ip is the connection's peer."""
    return client_ip(
        router.session.client_ip, router.headers.raw_headers.get("x-forwarded-for", "")
    )


_T = TypeVar("_T")


class AuthState(LocaleState):
    """What the pages may show about the current user (no token, no hash, no id)."""

    # Backend only: set by the on_load guard; the vars below are derived from it.
    _viewer: Viewer | None = None

    @rx.var
    def logged_in(self) -> bool:
        return self._viewer is not None

    @rx.var
    def is_admin(self) -> bool:
        return self._viewer is not None and self._viewer.is_admin

    @rx.var
    def user_name(self) -> str:
        return self._viewer.name if self._viewer else ""

    @rx.var
    def user_email(self) -> str:
        return self._viewer.email if self._viewer else ""

    @rx.var
    def logout_url(self) -> str:
        return get_settings().backend_url + routes.AUTH_LOGOUT

    def _current_user(self) -> Actor | None:
        """The user behind this browser's session cookie, read afresh from the database."""
        return actor_for_cookie(self.router.headers.cookie)

    def _require_actor(self) -> Actor:
        """For event handlers that touch data: the logged-in user, or ForbiddenError."""
        actor = self._current_user()
        if actor is None:
            raise ForbiddenError(LOGGED_OUT)
        return actor

    def _shown_to_user(self, fetch: Callable[[Actor], _T], refused: _T) -> _T | None:
        """What `fetch` gives the logged-in user, `refused` where they may not see it;
        None when logged out (the page is on its way to the login)."""
        user = self._current_user()
        if user is None:
            return None
        try:
            return fetch(user)
        except ForbiddenError:
            return refused

    def _here(self) -> str:
        url = self.router.url
        return url.path + (f"?{url.query}" if url.query else "")

    def _on_custom_domain(self) -> rx.event.EventSpec | None:
        """Host pages are served only on the app domain (M10): on a verified custom domain
        the browser goes to the same page there, so no session ever lives on a domain
        whose pages are meant for prospects."""
        if not domain_brand.is_verified_host(host=page_host(self.router)):
            return None
        return full_page_load(f"{get_settings().app_url}{self._here()}")

    @rx.event
    def require_app_domain(self) -> rx.event.EventSpec | None:
        """on_load of the public host pages (log-in, sign-up, set-up, password reset)."""
        return self._on_custom_domain()

    @rx.event
    def require_user(self) -> rx.event.EventSpec | None:
        """on_load of every host page: a fresh install goes to set-up, a visitor to log-in."""
        moved = self._on_custom_domain()
        if moved is not None:
            return moved
        current = visit(self.router.headers.cookie)
        self._viewer = current.viewer
        # Every host page follows the host's language setting ("" is the browser's).
        self.chosen_locale = current.viewer.language if current.viewer else ""
        if current.first_run:
            return rx.redirect(routes.FIRST_ADMIN, replace=True)
        if current.viewer is None:
            return rx.redirect(f"{routes.LOGIN}?{urlencode({'next': self._here()})}", replace=True)
        return None
