"""The backend's HTTP app as the Reflex app mounts it: the API, and the provider sandbox
when a provider has no real credentials.

This is the composition root: the only production code that may import the sandbox. It
is a module of its own so that tests can build the backend without importing
meetings_ui.py, which creates the Reflex app (and registers every page) on import.
"""

from __future__ import annotations

from fastapi import FastAPI

from meetings_ui import routes
from meetings_ui.api.app import build_api
from meetings_ui.config import get_settings


def build_backend() -> FastAPI:
    """The backend routes, and the provider sandbox when any provider is not configured."""
    backend = build_api()
    if get_settings().uses_sandbox:
        from meetings_ui.sandbox.app import build_sandbox_app

        backend.mount(routes.SANDBOX_PREFIX, build_sandbox_app())
    return backend
