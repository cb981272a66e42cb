"""The bare Reflex app of bench/ws_load.py's baseline (see bare_app/bare_app.py); Redis
as the app's rxconfig.py takes it."""

import os

import reflex as rx

config = rx.Config(
    app_name="bare_app",
    telemetry_enabled=False,
    redis_url=os.environ.get("REDIS_URL") or None,
    disable_plugins=[rx.plugins.SitemapPlugin],
)
