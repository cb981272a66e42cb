"""The backend's HTTP routes that are not Reflex pages, mounted with api_transformer.

The REST API is a FastAPI sub-application at /api/v1: its own OpenAPI document
(/api/v1/openapi.json, paths relative to the server /api/v1), its docs (/api/v1/docs),
and its own 404 and 405 in the API's error body. Everything else (health, the login
cookie, the OAuth callback, the calendar webhooks) is outside the document.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from meetings_ui import routes
from meetings_ui.api import auth, brand, contacts, errors, manage, oauth, public, webhooks
from meetings_ui.api.deps import DatabaseSession
from meetings_ui.services.health import check_health

API_VERSION = "1"


def build_api_v1() -> FastAPI:
    api = FastAPI(
        title="Meetings API",
        version=API_VERSION,
        description=(
            "Book meetings on public links, and manage your links and bookings with an "
            "API key. Every 4xx answer has the same body: `{error, message}`, plus "
            "`problems` naming each field to fix, `suggestions` or `slots` where they help."
        ),
        servers=[{"url": routes.API_PREFIX}],
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        # Bodies are JSON whatever their Content-Type says, as they always were.
        strict_content_type=False,
    )
    errors.install(api)
    api.include_router(public.router)
    api.include_router(manage.router)
    api.include_router(contacts.router)
    return api


def health(session: DatabaseSession) -> JSONResponse:
    report = check_health(session=session)
    return JSONResponse(report, status_code=200 if report["status"] == "ok" else 503)


def build_api() -> FastAPI:
    backend = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    errors.install(backend)
    backend.add_api_route(routes.HEALTH, health, methods=["GET"], include_in_schema=False)
    backend.include_router(auth.router)
    backend.include_router(brand.router)
    backend.include_router(oauth.router)
    backend.include_router(webhooks.router)
    backend.mount(routes.API_PREFIX, build_api_v1())
    return backend
