"""The bare Reflex app of bench/ws_load.py's baseline (see bare_app/bare_app.py)."""

import reflex as rx

config = rx.Config(
    app_name="bare_app", telemetry_enabled=False, disable_plugins=[rx.plugins.SitemapPlugin]
)
