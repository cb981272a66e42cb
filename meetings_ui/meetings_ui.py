"""The Reflex app: pages register themselves with @rx.page; backend routes via api_transformer.

This is the composition root: the only production module that may import the provider
sandbox, which it serves when a provider has no real credentials.
"""

import reflex as rx
from fastapi import FastAPI

from meetings_ui import routes
from meetings_ui.api.app import build_api
from meetings_ui.background import background_loop
from meetings_ui.config import get_settings
from meetings_ui.pages import (  # noqa: F401  (importing a page module registers its pages)
    admin,
    admin_audit,
    admin_users,
    booking,
    booking_done,
    calendar_settings,
    contacts,
    dev_outbox,
    first_admin,
    forgot_password,
    landing,
    login,
    meetings,
    reset_password,
    settings,
    signup,
)


def build_backend() -> FastAPI:
    """The backend routes, and the provider sandbox when any provider is not configured."""
    backend = build_api()
    if get_settings().uses_sandbox:
        from meetings_ui.sandbox.app import build_sandbox_app

        backend.mount(routes.SANDBOX_PREFIX, build_sandbox_app())
    return backend


app = rx.App(api_transformer=build_backend())
app.register_lifespan_task(background_loop)
