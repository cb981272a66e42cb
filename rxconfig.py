"""Reflex configuration. Everything else comes from the environment (meetings_ui/config.py)."""

import os

import reflex as rx

from meetings_ui.config import get_settings

config = rx.Config(
    app_name="meetings_ui",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    # Several backend workers share state through Redis when it is configured.
    redis_url=os.environ.get("REDIS_URL") or None,
    # Only the app's own pages may call the backend from a browser (CORS answers; the
    # websocket checks each handshake's Origin against the settings, see meetings_ui.py).
    cors_allowed_origins=list(get_settings().allowed_origins),
    # Development only: the Vite server answers these host names too (custom domains on
    # this machine, MEETINGS_DEV_HOSTS); production serves every host from the backend.
    vite_allowed_hosts=list(get_settings().dev_hosts) or False,
    disable_plugins=[rx.plugins.SitemapPlugin],
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo", radius="medium"))],
)
