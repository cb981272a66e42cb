"""The Reflex app: pages register themselves with @rx.page; backend routes via api_transformer."""

import reflex as rx

from meetings_ui.api.app import build_api
from meetings_ui.pages import admin, contacts, landing, meetings, settings  # noqa: F401  (registers pages)

app = rx.App(api_transformer=build_api())
