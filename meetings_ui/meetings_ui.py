"""The Reflex app: pages register themselves with @rx.page; backend routes via api_transformer."""

import reflex as rx

from meetings_ui.api.app import build_api
from meetings_ui.pages import (  # noqa: F401  (importing a page module registers its pages)
    admin,
    booking,
    booking_done,
    contacts,
    landing,
    meetings,
    settings,
)

app = rx.App(api_transformer=build_api())
