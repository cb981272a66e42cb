"""Request coalescing: while one thread computes a value, others asking for the same key
wait for that answer instead of computing it again.

A crowd opening one booking page at the same moment (a link in a newsletter, a webinar's
last slide) would otherwise read the same calendars, bookings and slots once per prospect.
Nothing is kept once the computation ends, so no answer is older than the moment a
request arrived, and an error reaches every waiter (each may try again). Process-local:
each backend worker coalesces its own requests.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Generic, TypeVar

T = TypeVar("T")


class SingleFlight(Generic[T]):
    """`run(key, compute)`: compute's result, computed once for all concurrent callers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._in_flight: dict[Hashable, Future[T]] = {}

    def run(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            pending = self._in_flight.get(key)
            if pending is None:
                pending = self._in_flight[key] = Future()
                leader = True
            else:
                leader = False
        if not leader:
            return pending.result()
        try:
            value = compute()
        except BaseException as error:
            pending.set_exception(error)
            raise
        else:
            pending.set_result(value)
            return value
        finally:
            with self._lock:
                del self._in_flight[key]
