"""The busy-time cache: booking-page views and public slots queries reuse a connection's
last free/busy read for a short while, so a prospect paging through a month (or a script
polling the API) asks each calendar account at most once.

- One free/busy read per connection covers all its selected calendars, over a range
  widened to whole UTC days with a day's margin on either side: changing the duration or
  the time zone on the page stays inside it.
- A read is reused for `FRESH_FOR` at most, and only for the same selected calendars and a
  range it covers. A change notification (or a polled change) for the connection deletes it
  (`invalidate`): the next view reads again, so a new event blocks its slots promptly.
- Bookings never use it: `bookings.do_book` reads live, as before.
- A read with an unreadable calendar is not kept (its time is blocked, and the next view
  tries again).

Storage: the `busy_cache` table, one row per connection. The database is the one store
every worker of every deployment shares (SQLite for one process, PostgreSQL for several),
the row goes with its connection (ON DELETE CASCADE), and notification handling deletes it
in the same transaction that records the sync. A page view costs one primary-key read per
host; no Redis is needed for it.

The row keeps instants as epoch seconds (rows written before M13 hold ISO strings and are
still read). Each worker also keeps the last read it parsed per connection, and uses it
only while the row still names the same read (`read_at`, calendars, range): a hit then
reads the row's few columns, never its busy intervals. Misses arriving together in a worker
share one read (services/single_flight.py): 50 prospects arriving together ask the
calendar account once, not 50 times. Other workers share it through the table.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from meetings_ui.models import BusyCache, Calendar, CalendarConnection, utc_now
from meetings_ui.providers.base import BusyInterval, FreeBusy
from meetings_ui.services.calendar_connections import read_busy_time
from meetings_ui.services.single_flight import SingleFlight

FRESH_FOR = timedelta(seconds=60)
_MARGIN = timedelta(days=1)


@dataclass(frozen=True)
class _Read:
    """One stored read as a worker holds it, parsed: what names it in the row, its busy time."""

    calendar_ids: str
    range_start: datetime
    range_end: datetime
    read_at: datetime
    busy: FreeBusy

    def names(self, row: tuple[str, datetime, datetime, datetime]) -> bool:
        return (self.calendar_ids, self.range_start, self.range_end, self.read_at) == row


_parsed: dict[int, _Read] = {}  # connection id -> its last read this worker parsed
_parsed_lock = threading.Lock()
_PARSED_AT_MOST = 1000  # connections; beyond, the oldest kept is dropped (it is re-read)


# The statements of every hit, built once: SQLAlchemy neither builds them nor computes
# their cache key again on each request.
_SELECTED_IDS = select(Calendar.provider_calendar_id).where(
    Calendar.connection_id == sa.bindparam("connection_id"),
    (Calendar.selected) | (Calendar.is_primary),
)
_HEAD = select(
    BusyCache.calendar_ids, BusyCache.range_start, BusyCache.range_end, BusyCache.read_at
).where(BusyCache.connection_id == sa.bindparam("connection_id"))
_BUSY = select(BusyCache.busy).where(BusyCache.connection_id == sa.bindparam("connection_id"))


def _selected_ids(
    session: Session, connection: CalendarConnection, calendars: Sequence[Calendar] | None = None
) -> str:
    """The selected calendars (the primary one always counts), from `calendars` (all the
    connection's rows, read by the caller) or from the database."""
    if calendars is not None:
        rows = [c.provider_calendar_id for c in calendars if c.selected or c.is_primary]
    else:
        rows = session.exec(_SELECTED_IDS, params={"connection_id": connection.id}).all()
    return "\n".join(sorted(rows))


def _widened(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """Whole UTC days with a day's margin: nearby requests fall inside one read."""
    first = datetime.combine((start - _MARGIN).astimezone(UTC).date(), time(0), UTC)
    last = datetime.combine((end + _MARGIN).astimezone(UTC).date(), time(0), UTC)
    return first, last + timedelta(days=1)


def _within(busy: FreeBusy, start: datetime, end: datetime) -> FreeBusy:
    return FreeBusy(
        {
            calendar_id: [i for i in intervals if i.start < end and start < i.end]
            for calendar_id, intervals in busy.busy.items()
        }
    )


def _seconds(instant: datetime) -> int | float:
    seconds = instant.timestamp()
    return int(seconds) if seconds.is_integer() else seconds


def _instant(value: float | str) -> datetime:
    """Epoch seconds; an ISO string in rows written before M13."""
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return datetime.fromtimestamp(value, UTC)


def _remember(connection_id: int, read: _Read) -> None:
    with _parsed_lock:
        _parsed.pop(connection_id, None)
        if len(_parsed) >= _PARSED_AT_MOST:
            del _parsed[next(iter(_parsed))]
        _parsed[connection_id] = read


def _encoded(busy: FreeBusy) -> dict:
    return {
        calendar_id: [[_seconds(i.start), _seconds(i.end)] for i in intervals]
        for calendar_id, intervals in busy.busy.items()
    }


def _decoded(busy: dict) -> FreeBusy:
    return FreeBusy(
        {
            calendar_id: [BusyInterval(_instant(s), _instant(e)) for s, e in intervals]
            for calendar_id, intervals in busy.items()
        }
    )


def _stored_read(
    session: Session,
    connection_id: int,
    calendar_ids: str,
    start: datetime,
    end: datetime,
    now: datetime,
) -> FreeBusy | None:
    """The stored read when it is fresh, for these calendars and covers the range: parsed
    by this worker before, or loaded and parsed now."""
    head = session.exec(_HEAD, params={"connection_id": connection_id}).first()
    if head is None:
        return None
    ids, range_start, range_end, read_at = head
    if not (
        ids == calendar_ids
        and now - FRESH_FOR < read_at <= now
        and range_start <= start
        and end <= range_end
    ):
        return None
    known = _parsed.get(connection_id)
    if known is None or not known.names(tuple(head)):
        busy = session.exec(_BUSY, params={"connection_id": connection_id}).first()
        if busy is None:  # deleted meanwhile (a change notification)
            return None
        known = _Read(ids, range_start, range_end, read_at, _decoded(busy))
        _remember(connection_id, known)
    return known.busy


def _store(
    session: Session, connection_id: int, calendar_ids: str, result: FreeBusy, read: _Read
) -> None:
    row = session.get(BusyCache, connection_id) or BusyCache(connection_id=connection_id)
    row.calendar_ids = calendar_ids
    row.range_start, row.range_end, row.read_at = read.range_start, read.range_end, read.read_at
    row.busy = _encoded(result)
    session.add(row)
    try:
        session.commit()
    except IntegrityError:  # another worker stored its read meanwhile: as good as ours
        session.rollback()
        return
    _remember(connection_id, read)


def _read_once(
    session: Session,
    connection: CalendarConnection,
    calendar_ids: str,
    start: datetime,
    end: datetime,
    now: datetime,
) -> FreeBusy:
    """One free/busy read of the widened range, kept when every calendar could be read.
    Misses of the same connection, calendars and widened range at the same moment in this
    worker share one read, its error included (single_flight)."""
    range_start, range_end = _widened(start, end)

    def read() -> FreeBusy:
        result = read_busy_time(
            session=session, connection=connection, start=range_start, end=range_end
        )
        if not result.errors:
            _store(
                session,
                connection.id,
                calendar_ids,
                result,
                _Read(calendar_ids, range_start, range_end, now, result),
            )
        return result

    result = _reads.run((connection.id, calendar_ids, range_start, range_end), read)
    return result if result.errors else _within(result, start, end)


_reads: SingleFlight[FreeBusy] = SingleFlight()


def cached_busy_time(
    *,
    session: Session,
    connection: CalendarConnection,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
    calendars: Sequence[Calendar] | None = None,
) -> FreeBusy:
    """Busy time of the connection's selected calendars for a page view: the cached read
    when fresh and wide enough, else one free/busy read (kept for the next views).
    `calendars`: all the connection's rows when the caller has read them already."""
    now = now or utc_now()
    calendar_ids = _selected_ids(session, connection, calendars)
    stored = _stored_read(session, connection.id, calendar_ids, start, end, now)
    if stored is not None:
        return _within(stored, start, end)
    return _read_once(session, connection, calendar_ids, start, end, now)


def invalidate(*, session: Session, connection_id: int) -> None:
    """Forget the connection's cached busy time (its calendar changed); the caller commits."""
    with _parsed_lock:
        _parsed.pop(connection_id, None)
    row = session.get(BusyCache, connection_id)
    if row is not None:
        session.delete(row)
