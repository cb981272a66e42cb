"""The account pages' check that this browser can be handed a login code.

A login code only works in the browser whose login binding cookie it was issued to
(services/sessions.py). That cookie is HttpOnly, so only the backend can set it
(/auth/browser), and the Reflex handler that issues the code reads it from the
websocket handshake. So before an account page shows its form, a browser without the
cookie makes one trip to the backend and back: a full page load, whose new websocket
carries it.
"""

from __future__ import annotations

from urllib.parse import urlencode

import reflex as rx

from meetings_ui import routes
from meetings_ui.config import get_settings
from meetings_ui.services.sessions import COOKIE_CHECK_PARAM
from meetings_ui.services.sign_in import browser_is_ready
from meetings_ui.state.navigation import full_page_load


def bind_browser_url(back_to: str) -> str:
    """The backend route that sets the cookie and sends the browser back to `back_to`."""
    return f"{get_settings().backend_url}{routes.AUTH_BROWSER}?{urlencode({'next': back_to})}"


class BrowserCheckMixin(rx.State, mixin=True):
    """`browser_ready` shows the form; `cookies_refused` says why it never will."""

    browser_ready: bool = False
    cookies_refused: bool = False

    def _check_browser(self) -> rx.event.EventSpec | None:
        """In the page's on_load: the trip to the backend when this browser needs it."""
        url = self.router.url
        self.browser_ready = browser_is_ready(self.router.headers.cookie)
        self.cookies_refused = not self.browser_ready and bool(
            url.query_parameters.get(COOKIE_CHECK_PARAM)
        )
        if self.browser_ready or self.cookies_refused:
            return None
        return full_page_load(bind_browser_url(url.path + (f"?{url.query}" if url.query else "")))
