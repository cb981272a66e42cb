"""Leaving the single-page app for a backend route or another site.

`rx.redirect` hands a URL on the app's own host to the browser's router, which only knows
the pages: in production, where the pages and the backend share one origin, /auth/complete
or /oauth/... would show the router's 404. A backend route needs a full page load.
"""

from __future__ import annotations

import json

import reflex as rx


def full_page_load(url: str) -> rx.event.EventSpec:
    """Load `url` in this tab as the browser would a typed address (cookies sent and set)."""
    return rx.call_script(f"window.location.assign({json.dumps(url)})")


def page_host(state: rx.State) -> str:
    """The host (and port) the browser shows for the page: the websocket's Origin."""
    return state.router.url.netloc
