"""A real SMTP server for tests (aiosmtpd), counting what it receives; a pytest plugin
(see tests/conftest.py). `smtp` points the app's settings at it."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """An aiosmtpd handler that keeps every message received, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        with self._lock:
            return [str(m["Message-ID"]) for m in self.messages]


class SMTPServer:
    """Listens on one port, which stays the same across stop() and start(): a test can
    take the mail server down and bring it back."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.inbox = Inbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp(
    smtp_server: SMTPServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[], EmailMessage]]:
    """The app sends to the test server; call the result for the one message it received."""
    from meetings_ui.config import get_settings

    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(smtp_server.port))
    monkeypatch.delenv("SMTP_USERNAME", raising=False)
    get_settings.cache_clear()

    def received() -> EmailMessage:
        (message,) = smtp_server.inbox.messages
        return message

    yield received
    get_settings.cache_clear()
