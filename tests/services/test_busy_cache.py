"""The busy-time cache's own guarantees (services/busy_cache.py), against the provider
sandbox: one read in flight however many requests miss the same range at once, the
error of that read shared too, rows of the old format (ISO strings) still read, each
stored read parsed once per worker, and a row deleted by another worker never answered
from this worker's memory."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from meetings_ui.config import get_settings
from meetings_ui.models import BusyCache, CalendarConnection, User
from meetings_ui.providers.base import BusyInterval, FreeBusy, ProviderError
from meetings_ui.providers.registry import connector_for
from meetings_ui.services import busy_cache
from meetings_ui.services.calendar_connections import do_save_connected_account
from tests.concurrency import until, waiting
from tests.sandbox import REDIRECT_URI, Sandbox, consent

FREE_BUSY = "/google/calendar/v3/freeBusy"
THREADS = 8


@pytest.fixture
def app_sandbox(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    monkeypatch.setenv("MEETINGS_SANDBOX_URL", sandbox.url)
    monkeypatch.setenv("MEETINGS_SECRET_KEY", "test-secret-key-for-the-busy-cache")
    get_settings.cache_clear()
    yield sandbox
    get_settings.cache_clear()


@pytest.fixture
def connection(session: Session, app_sandbox: Sandbox) -> CalendarConnection:
    """The sandbox's demo Google account (events this week and next), connected."""
    user = User(email="host@example.com", display_name="Host")
    session.add(user)
    session.commit()
    connector = connector_for("google")
    start = connector.begin(redirect_uri=REDIRECT_URI, state="state")
    connected = connector.complete(
        flow=start.flow, callback_params=consent(start.url, "demo.google@example.com")
    )
    account = connector.open(connected.credentials, lambda _: None)
    saved = do_save_connected_account(
        session=session, user_id=user.id, account=connected, calendars=account.list_calendars()
    )
    app_sandbox.store.requests.clear()
    return saved


def reads(sandbox: Sandbox) -> int:
    with sandbox.store.lock:
        return sum(1 for _, path in sandbox.store.requests if FREE_BUSY in path)


def two_weeks() -> tuple[datetime, datetime]:
    start = datetime.combine(datetime.now(UTC).date(), datetime.min.time(), UTC)
    return start, start + timedelta(days=14)


def held_until_all_wait(
    monkeypatch: pytest.MonkeyPatch, error: Exception | None = None
) -> list[dict]:
    """Every provider read waits until the other THREADS - 1 requests wait for it (so that
    they all miss together however busy the machine), then reads, or raises `error`. The
    reads' arguments, in the list returned."""
    read, calls = busy_cache.read_busy_time, []

    def held_read(**kwargs: object) -> FreeBusy:
        calls.append(kwargs)
        until(lambda: waiting(busy_cache._reads) == THREADS - 1, "every request waiting")
        if error is not None:
            raise error
        return read(**kwargs)

    monkeypatch.setattr(busy_cache, "read_busy_time", held_read)
    return calls


def at_once(engine: sa.Engine, connection_id: int, start: datetime, end: datetime) -> list:
    """THREADS requests missing the cache together, each in its own session as the API's
    thread pool runs them; each thread's answer, or the exception it raised."""
    barrier = threading.Barrier(THREADS)
    answers: list = [None] * THREADS

    def request(number: int) -> None:
        with Session(engine, expire_on_commit=False) as own:
            connection = own.get(CalendarConnection, connection_id)
            barrier.wait()
            try:
                answers[number] = busy_cache.cached_busy_time(
                    session=own, connection=connection, start=start, end=end
                )
            except Exception as error:  # the test looks at it
                answers[number] = error

    threads = [threading.Thread(target=request, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


def test_requests_missing_together_cause_one_provider_read(
    session: Session,
    engine: sa.Engine,
    connection: CalendarConnection,
    app_sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    held_until_all_wait(monkeypatch)
    start, end = two_weeks()
    answers = at_once(engine, connection.id, start, end)
    assert reads(app_sandbox) == 1
    assert all(isinstance(answer, FreeBusy) for answer in answers)
    assert all(answer == answers[0] for answer in answers)
    assert any(answers[0].busy.values())  # the demo account's events
    # The read was stored: the next request reads nothing either.
    busy_cache.cached_busy_time(session=session, connection=connection, start=start, end=end)
    assert reads(app_sandbox) == 1


def test_the_error_of_the_read_in_flight_is_shared_too(
    engine: sa.Engine,
    connection: CalendarConnection,
    app_sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read = busy_cache.read_busy_time
    calls = held_until_all_wait(monkeypatch, ProviderError("the provider is down"))
    start, end = two_weeks()
    answers = at_once(engine, connection.id, start, end)
    assert len(calls) == 1
    assert all(isinstance(answer, ProviderError) for answer in answers)
    # Nothing was kept: the next request asks the provider again, and succeeds.
    monkeypatch.setattr(busy_cache, "read_busy_time", read)
    with Session(engine) as fresh:
        busy_cache.cached_busy_time(
            session=fresh,
            connection=fresh.get(CalendarConnection, connection.id),
            start=start,
            end=end,
        )
    assert reads(app_sandbox) == 1


def test_a_request_outside_the_range_in_flight_reads_its_own(
    session: Session, connection: CalendarConnection, app_sandbox: Sandbox
) -> None:
    """Another month is another read, even while the first is in flight."""
    start, end = two_weeks()
    later = start + timedelta(days=60)
    ranges = []

    def read_far_meanwhile(**kwargs: object) -> FreeBusy:
        ranges.append((kwargs["start"], kwargs["end"]))
        if len(ranges) == 1:  # the near read is in flight: the far request comes
            with Session(session.get_bind()) as own:
                busy_cache.cached_busy_time(
                    session=own,
                    connection=own.get(CalendarConnection, connection.id),
                    start=later,
                    end=later + timedelta(days=7),
                )
        return read(**kwargs)

    read = busy_cache.read_busy_time
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(busy_cache, "read_busy_time", read_far_meanwhile)
        busy_cache.cached_busy_time(session=session, connection=connection, start=start, end=end)
    assert reads(app_sandbox) == 2
    (near_start, near_end), (far_start, far_end) = ranges
    assert near_start <= start and end <= near_end
    assert near_end <= far_start <= later and later + timedelta(days=7) <= far_end


def test_a_row_of_the_old_format_is_still_read(
    session: Session, connection: CalendarConnection, app_sandbox: Sandbox
) -> None:
    start, end = two_weeks()
    busy = (start + timedelta(hours=9), start + timedelta(hours=10))
    session.add(
        BusyCache(
            connection_id=connection.id,
            calendar_ids=busy_cache._selected_ids(session, connection),
            range_start=start - timedelta(days=1),
            range_end=end + timedelta(days=1),
            busy={"primary": [[busy[0].isoformat(), busy[1].isoformat()]]},
            read_at=datetime.now(UTC),
        )
    )
    session.commit()
    result = busy_cache.cached_busy_time(
        session=session, connection=connection, start=start, end=end
    )
    assert result == FreeBusy({"primary": [BusyInterval(*busy)]})
    assert reads(app_sandbox) == 0


def test_instants_are_stored_as_epoch_seconds(
    session: Session, connection: CalendarConnection
) -> None:
    start, end = two_weeks()
    first = busy_cache.cached_busy_time(
        session=session, connection=connection, start=start, end=end
    )
    session.expire_all()
    row = session.get(BusyCache, connection.id)
    stored = [value for intervals in row.busy.values() for pair in intervals for value in pair]
    assert stored and all(isinstance(value, int | float) for value in stored)
    # What another worker parses from the row is what the read gave.
    assert busy_cache._within(busy_cache._decoded(row.busy), start, end) == first


def test_a_stored_read_is_parsed_once_per_worker(
    session: Session,
    engine: sa.Engine,
    connection: CalendarConnection,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    start, end = two_weeks()
    decoded = []
    decode = busy_cache._decoded
    monkeypatch.setattr(busy_cache, "_decoded", lambda busy: decoded.append(1) or decode(busy))
    first = busy_cache.cached_busy_time(
        session=session, connection=connection, start=start, end=end
    )
    for _ in range(3):  # the worker that read it never parses it
        assert (
            busy_cache.cached_busy_time(
                session=session, connection=connection, start=start, end=end
            )
            == first
        )
    assert decoded == []
    # Another worker stored a newer read: parsed once, then reused.
    with Session(engine) as other:
        row = other.get(BusyCache, connection.id)
        row.read_at = datetime.now(UTC)
        row.busy = {"primary": [[start.timestamp(), (start + timedelta(hours=1)).timestamp()]]}
        other.add(row)
        other.commit()
    for _ in range(3):
        result = busy_cache.cached_busy_time(
            session=session, connection=connection, start=start, end=end
        )
        assert result == FreeBusy({"primary": [BusyInterval(start, start + timedelta(hours=1))]})
    assert decoded == [1]


def test_a_row_deleted_by_another_worker_is_not_answered_from_memory(
    session: Session, engine: sa.Engine, connection: CalendarConnection, app_sandbox: Sandbox
) -> None:
    """A change notification handled by another worker deletes the row: this worker's
    parsed copy must not outlive it."""
    start, end = two_weeks()
    busy_cache.cached_busy_time(session=session, connection=connection, start=start, end=end)
    assert reads(app_sandbox) == 1
    with Session(engine) as other:
        other.delete(other.get(BusyCache, connection.id))
        other.commit()
    busy_cache.cached_busy_time(session=session, connection=connection, start=start, end=end)
    assert reads(app_sandbox) == 2
