"""The busy-time cache: booking-page views reuse a connection's last free/busy read for a
short while, so a prospect paging through a month asks each calendar account at most once.

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
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from meetings_ui.models import BusyCache, Calendar, CalendarConnection, utc_now
from meetings_ui.providers.base import BusyInterval, FreeBusy
from meetings_ui.services.calendar_connections import read_busy_time

FRESH_FOR = timedelta(seconds=60)
_MARGIN = timedelta(days=1)


def _selected_ids(session: Session, connection: CalendarConnection) -> str:
    rows = session.exec(
        select(Calendar.provider_calendar_id).where(
            Calendar.connection_id == connection.id,
            (Calendar.selected) | (Calendar.is_primary),
        )
    ).all()
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


def cached_busy_time(
    *,
    session: Session,
    connection: CalendarConnection,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
) -> FreeBusy:
    """Busy time of the connection's selected calendars for a page view: the cached read
    when fresh and wide enough, else one free/busy read (kept for the next views)."""
    now = now or utc_now()
    calendar_ids = _selected_ids(session, connection)
    row = session.get(BusyCache, connection.id)
    if (
        row is not None
        and row.calendar_ids == calendar_ids
        and row.read_at > now - FRESH_FOR
        and row.read_at <= now
        and row.range_start <= start
        and end <= row.range_end
    ):
        return _within(
            FreeBusy(
                {
                    calendar_id: [
                        BusyInterval(datetime.fromisoformat(s), datetime.fromisoformat(e))
                        for s, e in intervals
                    ]
                    for calendar_id, intervals in row.busy.items()
                }
            ),
            start,
            end,
        )
    range_start, range_end = _widened(start, end)
    result = read_busy_time(
        session=session, connection=connection, start=range_start, end=range_end
    )
    if not result.errors:
        row = row or BusyCache(connection_id=connection.id)
        row.calendar_ids = calendar_ids
        row.range_start, row.range_end, row.read_at = range_start, range_end, now
        row.busy = {
            calendar_id: [[i.start.isoformat(), i.end.isoformat()] for i in intervals]
            for calendar_id, intervals in result.busy.items()
        }
        session.add(row)
        try:
            session.commit()
        except IntegrityError:  # another worker stored its read meanwhile: as good as ours
            session.rollback()
    return _within(result, start, end) if not result.errors else result


def invalidate(*, session: Session, connection_id: int) -> None:
    """Forget the connection's cached busy time (its calendar changed); the caller commits."""
    row = session.get(BusyCache, connection_id)
    if row is not None:
        session.delete(row)
