"""The backend's HTTP routes that are not Reflex pages, mounted with api_transformer."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from meetings_ui import routes
from meetings_ui.api.auth import complete_login, log_out
from meetings_ui.api.oauth import oauth_callback
from meetings_ui.api.public import api_routes
from meetings_ui.config import get_settings
from meetings_ui.db import session_scope
from meetings_ui.services.health import check_health


def _health_report() -> dict[str, str]:
    with session_scope() as session:
        return check_health(session=session)


async def health(_request: Request) -> JSONResponse:
    report = await run_in_threadpool(_health_report)
    return JSONResponse(report, status_code=200 if report["status"] == "ok" else 503)


def build_api() -> Starlette:
    backend_routes: list[Route | Mount] = [
        Route(routes.HEALTH, health, methods=["GET"]),
        Route(routes.AUTH_COMPLETE, complete_login, methods=["GET"]),
        Route(routes.AUTH_LOGOUT, log_out, methods=["POST"]),
        Route(routes.OAUTH_CALLBACK, oauth_callback, methods=["GET"]),
        *api_routes(),
    ]
    if get_settings().uses_sandbox:
        from meetings_ui.sandbox.app import build_sandbox_app

        backend_routes.append(Mount(routes.SANDBOX_PREFIX, app=build_sandbox_app()))
    return Starlette(routes=backend_routes)
