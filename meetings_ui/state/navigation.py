"""Where the page is, and leaving the single-page app for a backend route or another site.

`rx.redirect` hands a URL on the app's own host to the browser's router, which only knows
the pages: in production, where the pages and the backend share one origin, /auth/complete
or /oauth/... would show the router's 404. A backend route needs a full page load.
"""

from __future__ import annotations

import json

import reflex as rx
from reflex.istate.data import RouterData


def full_page_load(url: str) -> rx.event.EventSpec:
    """Load `url` in this tab as the browser would a typed address (cookies sent and set)."""
    return rx.call_script(f"window.location.assign({json.dumps(url)})")


def query_value(router: RouterData, name: str) -> str:
    """A query parameter of the page's address ("" when absent). Route arguments such as
    [slug] are the root state's vars (`self.slug`); RouterData.page is deprecated, and its
    warning inspects the call stack on every use. These helpers take `self.router`, read
    once: in a background event each read of it builds a proxy."""
    return str(router.url.query_parameters.get(name, ""))


def page_host(router: RouterData) -> str:
    """The host (and port) the browser shows for the page: the websocket's Origin."""
    return router.url.netloc
