"""Request coalescing (services/single_flight.py): concurrent callers of one key share one
computation; nothing is kept after it; errors reach every waiter."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from meetings_ui.services.single_flight import SingleFlight
from tests.concurrency import until, waiting


def test_concurrent_callers_of_one_key_share_one_computation() -> None:
    flight: SingleFlight[int] = SingleFlight()
    started, release = threading.Event(), threading.Event()
    calls = []

    def compute() -> int:
        calls.append(1)
        started.set()
        release.wait(10)
        return 42

    with ThreadPoolExecutor(9) as pool:
        leader = pool.submit(flight.run, "month", compute)
        assert started.wait(10)
        followers = [pool.submit(flight.run, "month", compute) for _ in range(7)]
        assert flight.run("other month", lambda: 7) == 7  # another key does not wait
        until(lambda: waiting(flight) == 7, "seven followers waiting")
        release.set()
        assert leader.result(10) == 42
        assert [f.result(10) for f in followers] == [42] * 7
    assert len(calls) == 1


def test_nothing_is_kept_once_the_computation_ends() -> None:
    flight: SingleFlight[int] = SingleFlight()
    values = iter([1, 2])
    assert flight.run("k", lambda: next(values)) == 1
    assert flight.run("k", lambda: next(values)) == 2


def test_an_error_reaches_every_waiter_and_the_next_call_tries_again() -> None:
    flight: SingleFlight[int] = SingleFlight()
    started, release = threading.Event(), threading.Event()

    def failing() -> int:
        started.set()
        release.wait(10)
        raise RuntimeError("calendar unreachable")

    with ThreadPoolExecutor(4) as pool:
        leader = pool.submit(flight.run, "k", failing)
        assert started.wait(10)
        followers = [pool.submit(flight.run, "k", failing) for _ in range(3)]
        until(lambda: waiting(flight) == 3, "three followers waiting")
        release.set()
        for future in [leader, *followers]:
            with pytest.raises(RuntimeError, match="calendar unreachable"):
                future.result(10)
    assert flight.run("k", lambda: 3) == 3
