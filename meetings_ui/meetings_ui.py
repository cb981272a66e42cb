"""The Reflex app: pages register themselves with @rx.page; backend routes via
api_transformer (meetings_ui.backend builds them, the provider sandbox included when on)."""

import gc

import reflex as rx

from meetings_ui.backend import build_backend
from meetings_ui.background import background_loop
from meetings_ui.components.embed import frame_script
from meetings_ui.config import get_settings
from meetings_ui.pages import (  # noqa: F401  (importing a page module registers its pages)
    admin,
    admin_audit,
    admin_deliveries,
    admin_domain,
    admin_domains,
    admin_users,
    booking,
    booking_done,
    calendar_settings,
    confirm_sign_up,
    contacts,
    dev_outbox,
    first_admin,
    forgot_password,
    landing,
    link_why,
    login,
    meetings,
    reset_password,
    settings,
    signup,
)
from meetings_ui.pages.booking import ZONE_SCRIPT
from meetings_ui.services import domain_brand
from meetings_ui.state.errors import show_event_error

app = rx.App(
    api_transformer=build_backend(),
    backend_exception_handler=show_event_error,
    # First in every page's head: storage that a cross-site frame refuses gets a stand-in;
    # then the browser's time zone is put where the booking page's first event takes it.
    head_components=[frame_script(), rx.el.script(ZONE_SCRIPT)],
    stylesheets=["/a11y.css"],  # visible focus, underlined links in text, badge contrast
    html_lang="en",  # the source language (axe: a page says its language)
)
app.register_lifespan_task(background_loop)


def settle_garbage_collector() -> None:
    """At each worker's start: what was built to serve (modules, pages, the states'
    classes, about half a million objects) is moved out of the collector's reach, and young
    objects are collected less often. Every tab's state tree is long-lived and cyclic, so
    with the defaults a crowd of prospects set off full collections of the whole heap
    (about 140 ms each with 800 tabs open, the event loop stopped) over and over."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


# Young collections every 50,000 net allocations instead of 700. A full one still comes once
# the heap has grown by a quarter since the last (Python's rule), so memory comes back
# (bench/memory.py: four waves of 500 prospects, the worker stops growing after the third).
GC_THRESHOLDS = (50_000, 20, 10)
app.register_lifespan_task(settle_garbage_collector)


def _origin_allowed(origin: str | None, _environ: object = None) -> bool:
    """Read on each handshake, so the settings in force (not those at import) decide. A
    verified custom domain's booking pages open the websocket from that domain (M10):
    its origin is allowed too (looked up with a short cache). Its pages carry no session
    of the app domain (cookies stay on their host), and host pages are not served there."""
    return get_settings().origin_allowed(origin) or domain_brand.is_custom_domain_origin(origin)


# The websocket carries every event of every page, with the browser's cookies: a page of
# another site must not open it (engine.io refuses a handshake whose Origin this refuses).
app.sio.eio.cors_allowed_origins = _origin_allowed
