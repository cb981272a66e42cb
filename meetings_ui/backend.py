"""The backend's HTTP app as the Reflex app mounts it: the API, and the provider sandbox
when MEETINGS_SANDBOX turns it on.

This is the composition root: the only production code that may import the sandbox. It
is a module of its own so that tests can build the backend without importing
meetings_ui.py, which creates the Reflex app (and registers every page) on import.
"""

from __future__ import annotations

from fastapi import FastAPI

from meetings_ui import routes
from meetings_ui.api.app import build_api
from meetings_ui.config import get_settings


def registered_callbacks(provider: str) -> set[str]:
    """The app's own OAuth callback, the only redirect the sandbox's consent page allows.
    Read on each request: tests settle the backend URL after the backend is built."""
    return {get_settings().oauth_callback_url(provider)}


def build_backend() -> FastAPI:
    """The backend routes, and the provider sandbox only when the setting turns it on."""
    backend = build_api()
    settings = get_settings()
    if settings.sandbox:
        from meetings_ui.sandbox.app import build_sandbox_app

        backend.mount(
            routes.SANDBOX_PREFIX,
            build_sandbox_app(
                redirect_uris=registered_callbacks, control_token=settings.sandbox_token
            ),
        )
    return backend
