"""Which backend worker answered: a header on every response and websocket handshake.

Behind a proxy, with several workers sharing the app's state through Redis, this is how an
operator (and the production test) tells which process served a request or holds a
browser's event websocket. The value is the worker's process id, as the logs show it.
"""

from __future__ import annotations

import os

from starlette.types import ASGIApp, Message, Receive, Scope, Send

WORKER_HEADER = "x-meetings-worker"


class WorkerHeader:
    """Pure ASGI, so that websocket handshakes (Reflex's /_event) get the header too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return

        async def send_with_worker(message: Message) -> None:
            if message["type"] in ("http.response.start", "websocket.accept"):
                header = (WORKER_HEADER.encode(), str(os.getpid()).encode())
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        await self.app(scope, receive, send_with_worker)
