"""Waiting on threads without fixed sleeps: a condition polled until it holds."""

from __future__ import annotations

import time
from collections.abc import Callable

from meetings_ui.services.single_flight import SingleFlight


def waiting(flight: SingleFlight) -> int:
    """Threads blocked on the flight's answers in flight (their futures' waiters)."""
    return sum(len(pending._condition._waiters) for pending in flight._in_flight.values())


def until(done: Callable[[], bool], what: str, timeout: float = 60) -> None:
    """Poll `done` until it holds; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.005)
