"""Run the provider sandbox on its own: `python -m meetings_ui.sandbox --port 8765`."""

from __future__ import annotations

import argparse

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount

from meetings_ui.sandbox.app import build_sandbox_app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m meetings_ui.sandbox")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    app = Starlette(routes=[Mount("/_sandbox", app=build_sandbox_app())])
    print(f"Provider sandbox on http://{args.host}:{args.port}/_sandbox")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
