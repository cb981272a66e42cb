"""Reflex configuration. Everything else comes from the environment (meetings_ui/config.py)."""

import os

import reflex as rx

config = rx.Config(
    app_name="meetings_ui",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    # Several backend workers share state through Redis when it is configured.
    redis_url=os.environ.get("REDIS_URL") or None,
    disable_plugins=[rx.plugins.SitemapPlugin],
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo", radius="medium"))],
)
