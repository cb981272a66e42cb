"""Run the provider sandbox on its own: `python -m meetings_ui.sandbox --port 8765`.

Its consent page redirects only to the app's OAuth callbacks (MEETINGS_BACKEND_URL) and
to each `--redirect-uri`; its control API needs MEETINGS_SANDBOX_TOKEN and is off without.
"""

from __future__ import annotations

import argparse

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount

from meetings_ui import routes
from meetings_ui.config import get_settings
from meetings_ui.sandbox.app import build_sandbox_app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m meetings_ui.sandbox")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--redirect-uri", action="append", default=[], help="another allowed OAuth callback"
    )
    args = parser.parse_args()
    settings = get_settings()

    def redirect_uris(provider: str) -> set[str]:
        return {settings.oauth_callback_url(provider), *args.redirect_uri}

    sandbox = build_sandbox_app(redirect_uris=redirect_uris, control_token=settings.sandbox_token)
    app = Starlette(routes=[Mount(routes.SANDBOX_PREFIX, app=sandbox)])
    print(f"Provider sandbox on http://{args.host}:{args.port}{routes.SANDBOX_PREFIX}")
    if not settings.sandbox_token:
        print("Control API off: set MEETINGS_SANDBOX_TOKEN to use it.")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
