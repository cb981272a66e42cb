"""A brute-force availability oracle: checks every minute, one rule at a time.

It shares nothing with the engine but the input types: local times are resolved by
scanning the clock minute by minute, and every candidate minute is tested against
every rule directly. Slow and obviously right.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from meetings_ui.domain.availability import HostTime, LinkRules, Mode

MINUTE = timedelta(minutes=1)


def wall(instant: datetime, tz: ZoneInfo) -> datetime:
    return instant.astimezone(tz).replace(tzinfo=None)


def resolve_by_scanning(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """The first instant whose wall-clock reading is the target or later."""
    target = datetime.combine(day, clock)
    instant = target.replace(tzinfo=UTC) - timedelta(hours=15)
    while wall(instant, tz) < target:
        instant += MINUTE
    return instant


def individual_windows(rules: LinkRules, tz: ZoneInfo, first: date, last: date) -> list:
    windows = []
    day = first
    while day <= last:
        chosen = (
            rules.overrides[day] if day in rules.overrides else rules.weekly.get(day.weekday(), ())
        )
        for window in chosen:
            opens = resolve_by_scanning(day, window.start, tz)
            end_day = day if window.end > window.start else day + timedelta(days=1)
            closes = resolve_by_scanning(end_day, window.end, tz)
            if opens < closes:
                windows.append((opens, closes))
        day += timedelta(days=1)
    return windows


def _inside_union(windows: list, start: datetime, end: datetime) -> bool:
    """Every minute of [start, end) lies in some window (all our instants are whole minutes)."""
    minute = start
    while minute < end:
        if not any(o <= minute < c for o, c in windows):
            return False
        minute += MINUTE
    return True


def host_is_free(
    rules: LinkRules, tz: ZoneInfo, host: HostTime, start: datetime, end: datetime
) -> bool:
    before = timedelta(minutes=rules.buffer_before)
    after = timedelta(minutes=rules.buffer_after)
    for busy in host.busy:
        if busy.start < busy.end and busy.start < end + after and start - before < busy.end:
            return False
    for booking in host.bookings:
        # the new meeting must miss the booking's own buffers...
        if booking.start - timedelta(
            minutes=booking.buffer_before
        ) < end and start < booking.end + timedelta(minutes=booking.buffer_after):
            return False
        # ...and the new meeting's buffers must miss the booking itself
        if booking.start < end + after and start - before < booking.end:
            return False
    if rules.daily_cap is not None:
        day = wall(start, tz).date()
        same_day = [
            b for b in host.bookings if b.counts_toward_cap and wall(b.start, tz).date() == day
        ]
        if len(same_day) >= rules.daily_cap:
            return False
    return True


def oracle_slots(
    rules: LinkRules,
    hosts: list[HostTime],
    *,
    duration: int,
    now: datetime,
    start: datetime,
    end: datetime,
    mode: Mode,
) -> list[tuple[datetime, tuple[int, ...]]]:
    tz = ZoneInfo(rules.time_zone)
    length = timedelta(minutes=duration)
    step_minutes = rules.slot_interval or duration
    windows = individual_windows(
        rules,
        tz,
        wall(start, tz).date() - timedelta(days=2),
        wall(end + length, tz).date() + timedelta(days=1),
    )
    today = wall(now, tz).date()
    result = []
    candidate = start.astimezone(UTC)
    while candidate < end:
        slot_end = candidate + length
        day = wall(candidate, tz).date()
        on_grid = any(
            o <= candidate < c and int((candidate - o).total_seconds()) % (step_minutes * 60) == 0
            for o, c in windows
        )
        ok = (
            on_grid
            and _inside_union(windows, candidate, slot_end)
            and candidate >= now + timedelta(minutes=rules.minimum_notice)
            and (
                rules.rolling_days is None or day <= today + timedelta(days=rules.rolling_days - 1)
            )
            and (rules.date_range is None or rules.date_range[0] <= day <= rules.date_range[1])
        )
        if ok:
            free = tuple(
                h.host_id for h in hosts if host_is_free(rules, tz, h, candidate, slot_end)
            )
            if (mode is Mode.COLLECTIVE and len(free) == len(hosts)) or (
                mode is Mode.ROUND_ROBIN and free
            ):
                result.append((candidate, free))
        candidate += MINUTE
    return result
