"""The Reflex app: pages register themselves with @rx.page; backend routes via
api_transformer (meetings_ui.backend builds them, the provider sandbox included when on)."""

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
from meetings_ui.services import domain_brand
from meetings_ui.state.errors import show_event_error

app = rx.App(
    api_transformer=build_backend(),
    backend_exception_handler=show_event_error,
    # First in every page's head: storage that a cross-site frame refuses gets a stand-in.
    head_components=[frame_script()],
    stylesheets=["/a11y.css"],  # visible focus, underlined links in text, badge contrast
    html_lang="en",  # the source language (axe: a page says its language)
)
app.register_lifespan_task(background_loop)


def _origin_allowed(origin: str | None, _environ: object = None) -> bool:
    """Read on each handshake, so the settings in force (not those at import) decide. A
    verified custom domain's booking pages open the websocket from that domain (M10):
    its origin is allowed too (looked up with a short cache). Its pages carry no session
    of the app domain (cookies stay on their host), and host pages are not served there."""
    return get_settings().origin_allowed(origin) or domain_brand.is_custom_domain_origin(origin)


# The websocket carries every event of every page, with the browser's cookies: a page of
# another site must not open it (engine.io refuses a handshake whose Origin this refuses).
app.sio.eio.cors_allowed_origins = _origin_allowed
