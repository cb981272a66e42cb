"""The availability engine: a link's rules and everyone's busy time → bookable slots.

Pure Python. All instants are aware datetimes; the engine never compares a naive time.

How a slot is decided (each rule below is checked by `explain`, so hosts can ask
"why can't they book me at 3 pm?"):

1. **Windows.** Each date's windows come from its override if there is one, else from
   the weekly windows of its weekday. A window belongs to the date it starts on; an
   end at or before the start means the next day (22:00–02:00 crosses midnight;
   00:00–00:00 is the whole day). Local times become instants by the rule of
   `time_zones`. Overlapping or touching windows join into one available span.
2. **Grid.** Slot starts step by the slot interval (in elapsed time) from the start of
   the window they start in, so slots never drift across a daylight-saving change.
   A slot may run on into an adjacent window.
3. **Busy time.** The meeting plus its buffers must not overlap any busy interval of
   any calendar. Existing bookings keep their own buffers too; buffers may share idle
   time with each other, never with a meeting.
4. **Notice and horizon.** A slot starts no earlier than now + minimum notice, on a
   host-local date inside the rolling window (today and the N-1 days after) and the
   fixed date range, when set.
5. **Daily cap.** No slot on a host-local date that already holds `daily_cap` bookings
   that count toward it.
6. **Several hosts.** Collective links need every host free; round robin links need
   one, and each slot lists the hosts that are free for it.
"""

from __future__ import annotations

import bisect
import enum
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import NamedTuple

from meetings_ui.domain.messages import Text
from meetings_ui.domain.time_zones import local_date, resolve_local, start_of_local_day, zone

MAX_DURATION_MINUTES = 24 * 60
_ONE_DAY = timedelta(days=1)


class InvalidRulesError(ValueError):
    """The link's rules or the query cannot describe any availability."""


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A span of wall-clock time; an end at or before the start is on the next day."""

    start: time
    end: time

    def __post_init__(self) -> None:
        for value in (self.start, self.end):
            if value.tzinfo is not None:
                raise InvalidRulesError("Window times are wall-clock times, without a zone")


@dataclass(frozen=True)
class LinkRules:
    """Everything a link says about when it may be booked. Durations are in minutes."""

    time_zone: str
    weekly: Mapping[int, Sequence[TimeWindow]]  # weekday: 0 = Monday
    overrides: Mapping[date, Sequence[TimeWindow]] = field(default_factory=dict)
    durations: tuple[int, ...] = (30,)
    slot_interval: int | None = None  # None: the meeting's duration
    buffer_before: int = 0
    buffer_after: int = 0
    minimum_notice: int = 0
    rolling_days: int | None = 60
    date_range: tuple[date, date] | None = None
    daily_cap: int | None = None

    def __post_init__(self) -> None:
        zone(self.time_zone)  # raises UnknownTimeZoneError, a ValueError
        if any(day not in range(7) for day in self.weekly):
            raise InvalidRulesError("Weekdays run from 0 (Monday) to 6 (Sunday)")
        if not self.durations or any(not 0 < d <= MAX_DURATION_MINUTES for d in self.durations):
            raise InvalidRulesError("Each duration must be between 1 minute and 24 hours")
        if self.slot_interval is not None and not 0 < self.slot_interval <= MAX_DURATION_MINUTES:
            raise InvalidRulesError("The slot interval must be between 1 minute and 24 hours")
        if min(self.buffer_before, self.buffer_after, self.minimum_notice) < 0:
            raise InvalidRulesError("Buffers and minimum notice cannot be negative")
        if self.rolling_days is not None and self.rolling_days < 1:
            raise InvalidRulesError("The rolling window must be at least one day")
        if self.date_range is not None and self.date_range[0] > self.date_range[1]:
            raise InvalidRulesError("The date range ends before it starts")
        if self.daily_cap is not None and self.daily_cap < 1:
            raise InvalidRulesError("The daily cap must be at least one meeting")

    @property
    def zone(self) -> tzinfo:
        return zone(self.time_zone)

    def step_for(self, duration: int) -> timedelta:
        return timedelta(minutes=self.slot_interval or duration)

    def windows_on(self, day: date) -> Sequence[TimeWindow]:
        if day in self.overrides:
            return self.overrides[day]
        return self.weekly.get(day.weekday(), ())


class Busy(NamedTuple):
    """A busy interval from a calendar. `calendar` names it in explanations and `title` is
    the event's, where the reader may see it ("" when unknown or not theirs to see)."""

    start: datetime
    end: datetime
    calendar: str = ""
    title: str = ""


class ExistingBooking(NamedTuple):
    """A meeting already booked with the host, with the buffers of its own link."""

    start: datetime
    end: datetime
    label: str = ""
    buffer_before: int = 0
    buffer_after: int = 0
    counts_toward_cap: bool = True


@dataclass(frozen=True)
class HostTime:
    """One host's busy time: every selected calendar's intervals and their bookings.
    `name` is said in explanations when the busy time carries no calendar (a co-host's,
    whose calendars are not the reader's to see)."""

    host_id: int
    busy: Sequence[Busy] = ()
    bookings: Sequence[ExistingBooking] = ()
    name: str = ""


class Mode(enum.StrEnum):
    COLLECTIVE = "collective"  # every host must be free
    ROUND_ROBIN = "round_robin"  # any host may take it


@dataclass(frozen=True, slots=True)
class LocalSlot:
    """A slot as the prospect sees it: times in their zone, plus the UTC instants."""

    start: datetime
    end: datetime
    start_utc: datetime
    end_utc: datetime
    host_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Slot:
    start: datetime  # UTC
    end: datetime  # UTC
    host_ids: tuple[int, ...]

    def in_zone(self, tz: tzinfo) -> LocalSlot:
        return LocalSlot(
            self.start.astimezone(tz), self.end.astimezone(tz), self.start, self.end, self.host_ids
        )


_Span = tuple[datetime, datetime]
_start_of = operator.attrgetter("start")


def find_slots(
    rules: LinkRules,
    hosts: Sequence[HostTime],
    *,
    duration: int,
    now: datetime,
    start: datetime,
    end: datetime,
    mode: Mode = Mode.COLLECTIVE,
) -> list[Slot]:
    """Every bookable slot whose start lies in [start, end), in time order."""
    _check_query(rules, hosts, duration, now, (start, end))
    length = timedelta(minutes=duration)
    step = rules.step_for(duration)
    tz = rules.zone
    lowest, highest = _start_bounds(rules, tz, now, start, end)
    if lowest >= highest:
        return []
    windows = _windows_between(rules, tz, lowest, highest + length)
    available = _join(windows)
    reach = (lowest - _padding(rules, hosts), highest + length + _padding(rules, hosts))

    starts_by_host = []
    for host in hosts:
        free = _subtract(available, _blocked(rules, host, *reach))
        starts = _aligned_starts(windows, free, length, step, lowest, highest)
        starts_by_host.append(_without_capped_days(rules, tz, host, starts))

    host_ids = [host.host_id for host in hosts]
    if len(hosts) == 1:
        ids = (host_ids[0],)
        return [Slot(s, s + length, ids) for s in starts_by_host[0]]
    free_hosts: dict[datetime, list[int]] = {}
    for host_id, starts in zip(host_ids, starts_by_host, strict=True):
        for s in starts:
            free_hosts.setdefault(s, []).append(host_id)
    needed = len(hosts) if mode is Mode.COLLECTIVE else 1
    return [
        Slot(s, s + length, tuple(ids))
        for s, ids in sorted(free_hosts.items())
        if len(ids) >= needed
    ]


def group_by_local_date(slots: Iterable[Slot], tz: tzinfo) -> list[tuple[date, list[LocalSlot]]]:
    """Slots in the prospect's zone, grouped by their local start date, in order."""
    days: list[tuple[date, list[LocalSlot]]] = []
    for slot in slots:
        local = slot.in_zone(tz)
        day = local.start.date()
        if not days or days[-1][0] != day:
            days.append((day, []))
        days[-1][1].append(local)
    return days


# --- explanations -----------------------------------------------------------------


class ReasonKind(enum.StrEnum):
    OUTSIDE_HOURS = "outside_hours"
    OFF_GRID = "off_grid"
    PAST = "past"
    MINIMUM_NOTICE = "minimum_notice"
    BEYOND_WINDOW = "beyond_window"
    DAILY_CAP = "daily_cap"
    BUSY = "busy"
    BOOKED = "booked"


@dataclass(frozen=True)
class Reason:
    """One rule that keeps a time from being booked; `message` is a `Text` (translatable)."""

    kind: ReasonKind
    message: str
    host_id: int | None = None  # None: the reason holds for the whole link


@dataclass(frozen=True)
class Explanation:
    bookable: bool
    reasons: tuple[Reason, ...]


def explain(
    rules: LinkRules,
    hosts: Sequence[HostTime],
    *,
    at: datetime,
    duration: int,
    now: datetime,
    mode: Mode = Mode.COLLECTIVE,
) -> Explanation:
    """Why a meeting of `duration` minutes starting `at` can or cannot be booked."""
    _check_query(rules, hosts, duration, now, (at, at + _ONE_DAY))
    tz = rules.zone
    length = timedelta(minutes=duration)
    step = rules.step_for(duration)
    meeting_end = at + length
    reasons: list[Reason] = []

    windows = _windows_between(rules, tz, at - _ONE_DAY, meeting_end + _ONE_DAY)
    if not _covers(_join(windows), at, meeting_end):
        reasons.append(Reason(ReasonKind.OUTSIDE_HOURS, Text("Outside the link's available hours")))
    else:
        own = [w for w in windows if w[0] <= at < w[1]]
        if not any((at - w_start) % step == timedelta(0) for w_start, _ in own):
            anchor = min((w for w in own), default=(at, at))[0].astimezone(tz)
            reasons.append(
                Reason(
                    ReasonKind.OFF_GRID,
                    Text(
                        "Off the slot grid: slots start every {minutes} minutes from {start}",
                        minutes=int(step.total_seconds() // 60),
                        start=f"{anchor:%H:%M}",
                    ),
                )
            )
    reasons.extend(_horizon_reasons(rules, tz, now, at))
    for host in hosts:
        reasons.extend(_host_reasons(rules, tz, host, at, meeting_end))

    link_wide = [r for r in reasons if r.host_id is None]
    blocked_hosts = {r.host_id for r in reasons if r.host_id is not None}
    free_hosts = len(hosts) - len(blocked_hosts)
    enough = free_hosts == len(hosts) if mode is Mode.COLLECTIVE else free_hosts >= 1
    return Explanation(bookable=not link_wide and enough, reasons=tuple(reasons))


def _horizon_reasons(rules: LinkRules, tz: tzinfo, now: datetime, at: datetime) -> list[Reason]:
    reasons = []
    if at < now:
        reasons.append(Reason(ReasonKind.PAST, Text("This time has already passed")))
    elif at < now + timedelta(minutes=rules.minimum_notice):
        reasons.append(
            Reason(
                ReasonKind.MINIMUM_NOTICE,
                Text(
                    "Too soon: this link needs at least {notice} notice",
                    notice=duration_text(rules.minimum_notice),
                ),
            )
        )
    day = local_date(at, tz)
    if rules.rolling_days is not None:
        last = local_date(now, tz) + timedelta(days=rules.rolling_days - 1)
        if day > last:
            reasons.append(
                Reason(
                    ReasonKind.BEYOND_WINDOW,
                    Text(
                        "Beyond the booking window: bookable up to {days} days ahead "
                        "(until {last})",
                        days=rules.rolling_days,
                        last=last.isoformat(),
                    ),
                )
            )
    if rules.date_range is not None and not rules.date_range[0] <= day <= rules.date_range[1]:
        first, last = rules.date_range
        reasons.append(
            Reason(
                ReasonKind.BEYOND_WINDOW,
                Text(
                    "Outside the bookable dates, {first} to {last}",
                    first=first.isoformat(),
                    last=last.isoformat(),
                ),
            )
        )
    return reasons


def _busy_message(busy: Busy, host: HostTime, inside: bool) -> Text:
    """What a busy interval says: its calendar and title where known; only the host's name
    where the reader may not see their calendars."""
    if busy.calendar and busy.title:
        if inside:
            return Text(
                "Busy in calendar {calendar}: {title}", calendar=busy.calendar, title=busy.title
            )
        return Text(
            "Within the buffer around {title} (calendar {calendar})",
            calendar=busy.calendar,
            title=busy.title,
        )
    if busy.calendar:
        if inside:
            return Text("Busy in calendar {calendar}", calendar=busy.calendar)
        return Text(
            "Within the buffer around busy time in calendar {calendar}", calendar=busy.calendar
        )
    if host.name:
        if inside:
            return Text("{host} is busy", host=host.name)
        return Text("{host} is busy just before or after (within the buffer)", host=host.name)
    if inside:
        return Text("Busy in a calendar")
    return Text("Within the buffer around busy time in a calendar")


def _host_reasons(
    rules: LinkRules, tz: tzinfo, host: HostTime, at: datetime, meeting_end: datetime
) -> list[Reason]:
    reasons = []
    before = timedelta(minutes=rules.buffer_before)
    after = timedelta(minutes=rules.buffer_after)
    for busy in host.busy:
        if busy.start < busy.end and busy.start < meeting_end + after and at - before < busy.end:
            inside = busy.start < meeting_end and at < busy.end
            reasons.append(Reason(ReasonKind.BUSY, _busy_message(busy, host, inside), host.host_id))
    for booking in host.bookings:
        own_before = max(timedelta(minutes=booking.buffer_before), after)
        own_after = max(timedelta(minutes=booking.buffer_after), before)
        if booking.start - own_before < meeting_end and at < booking.end + own_after:
            inside = booking.start < meeting_end and at < booking.end
            name = booking.label or Text("another meeting")
            message = (
                Text("Already booked: {meeting}", meeting=name)
                if inside
                else Text("Within the buffer around {meeting}", meeting=name)
            )
            reasons.append(Reason(ReasonKind.BOOKED, message, host.host_id))
    if rules.daily_cap is not None:
        day = local_date(at, tz)
        count = sum(
            1 for b in host.bookings if b.counts_toward_cap and local_date(b.start, tz) == day
        )
        if count >= rules.daily_cap:
            reasons.append(
                Reason(
                    ReasonKind.DAILY_CAP,
                    Text(
                        "Daily cap reached: {count} of {cap} meetings already booked on {day}",
                        count=count,
                        cap=rules.daily_cap,
                        day=day.isoformat(),
                    ),
                    host.host_id,
                )
            )
    return reasons


# --- the engine's steps ---------------------------------------------------------------


def _check_query(
    rules: LinkRules, hosts: Sequence[HostTime], duration: int, now: datetime, span: _Span
) -> None:
    start, end = span
    if duration not in rules.durations:
        raise InvalidRulesError(f"This link offers {sorted(rules.durations)} minute meetings")
    if not hosts:
        raise InvalidRulesError("A link needs at least one host")
    if any(value.tzinfo is None for value in (now, start, end)):
        raise InvalidRulesError("Query instants must be aware datetimes")
    if end < start:
        raise InvalidRulesError("The range ends before it starts")


def _start_bounds(
    rules: LinkRules, tz: tzinfo, now: datetime, start: datetime, end: datetime
) -> tuple[datetime, datetime]:
    """The instants between which slot starts may lie: the query, notice and horizon."""
    lowest = max(start.astimezone(UTC), now + timedelta(minutes=rules.minimum_notice))
    highest = end.astimezone(UTC)
    if rules.rolling_days is not None:
        last = local_date(now, tz) + timedelta(days=rules.rolling_days - 1)
        highest = min(highest, start_of_local_day(last + _ONE_DAY, tz))
    if rules.date_range is not None:
        first, last = rules.date_range
        lowest = max(lowest, start_of_local_day(first, tz))
        highest = min(highest, start_of_local_day(last + _ONE_DAY, tz))
    return lowest, highest


def _windows_between(
    rules: LinkRules, tz: tzinfo, earliest: datetime, latest: datetime
) -> list[_Span]:
    """Every window that overlaps [earliest, latest), as UTC spans sorted by start."""
    windows = []
    day = local_date(earliest, tz) - _ONE_DAY  # yesterday's window may cross midnight
    last = local_date(latest, tz)
    while day <= last:
        for window in rules.windows_on(day):
            opens = resolve_local(day, window.start, tz)
            closes_on = day if window.end > window.start else day + _ONE_DAY
            closes = resolve_local(closes_on, window.end, tz)
            if opens < closes and opens < latest and closes > earliest:
                windows.append((opens, closes))
        day += _ONE_DAY
    windows.sort()
    return windows


def _join(spans: Iterable[Sequence[datetime]]) -> list[_Span]:
    """Spans sorted by start (pairs, or Busy tuples) → disjoint pairs, joining those
    that overlap or touch; empty and inverted spans are dropped."""
    joined: list[_Span] = []
    for span in spans:
        start, end = span[0], span[1]
        if joined and start <= joined[-1][1]:
            if end > joined[-1][1]:
                joined[-1] = (joined[-1][0], end)
        elif start < end:
            joined.append((start, end))
    return joined


def _covers(spans: Sequence[_Span], start: datetime, end: datetime) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _padding(rules: LinkRules, hosts: Sequence[HostTime]) -> timedelta:
    """How far outside the candidate starts busy time can still matter."""
    widest_booking_buffer = max(
        (max(b.buffer_before, b.buffer_after) for h in hosts for b in h.bookings), default=0
    )
    return timedelta(
        minutes=max(rules.buffer_before, rules.buffer_after, widest_booking_buffer)
    ) + timedelta(minutes=1)


def _blocked(
    rules: LinkRules, host: HostTime, reach_start: datetime, reach_end: datetime
) -> list[_Span]:
    """The host's time where a meeting (not its buffers) may not be: sorted and disjoint.

    The meeting plus buffers [s - before, e + after) must miss each busy [b0, b1), which
    is the same as the meeting [s, e) missing [b0 - after, b1 + before).
    """
    relevant = [b for b in host.busy if b.start < reach_end and b.end > reach_start]
    relevant.sort(key=_start_of)
    joined = _join(relevant)
    before = timedelta(minutes=rules.buffer_before)
    after = timedelta(minutes=rules.buffer_after)
    spans = [(s - after, e + before) for s, e in joined] if before or after else joined
    for booking in host.bookings:
        own_before = max(timedelta(minutes=booking.buffer_before), after)
        own_after = max(timedelta(minutes=booking.buffer_after), before)
        spans.append((booking.start - own_before, booking.end + own_after))
    if host.bookings or before or after:
        spans.sort()  # nearly sorted: Timsort makes this linear
        spans = _join(spans)
    return spans


def _subtract(available: Sequence[_Span], blocked: Sequence[_Span]) -> list[_Span]:
    """Both sorted and disjoint; returns available minus blocked, sorted and disjoint."""
    free: list[_Span] = []
    index, count = 0, len(blocked)
    for start, end in available:
        while index < count and blocked[index][1] <= start:
            index += 1
        cursor = start
        probe = index
        while probe < count and blocked[probe][0] < end:
            block_start, block_end = blocked[probe]
            if block_start > cursor:
                free.append((cursor, block_start))
            if block_end > cursor:
                cursor = block_end
            probe += 1
        if cursor < end:
            free.append((cursor, end))
    return free


def _aligned_starts(
    windows: Sequence[_Span],
    free: Sequence[_Span],
    length: timedelta,
    step: timedelta,
    lowest: datetime,
    highest: datetime,
) -> list[datetime]:
    """Starts on each window's grid, inside [lowest, highest), whose meeting fits in free time."""
    starts: list[datetime] = []
    free_ends = [end for _, end in free]
    overlapping = any(windows[i][1] > windows[i + 1][0] for i in range(len(windows) - 1))
    for window_start, window_end in windows:
        first_possible = max(window_start, lowest)
        last_exclusive = min(window_end, highest)
        index = bisect.bisect_right(free_ends, first_possible)
        while index < len(free) and free[index][0] < last_exclusive:
            free_start, free_end = free[index]
            earliest = max(first_possible, free_start)
            steps = -((window_start - earliest) // step)  # ceiling division
            candidate = window_start + steps * step
            while candidate < last_exclusive and candidate + length <= free_end:
                starts.append(candidate)
                candidate += step
            index += 1
    if overlapping:
        starts = sorted(set(starts))
    return starts


def _without_capped_days(
    rules: LinkRules, tz: tzinfo, host: HostTime, starts: list[datetime]
) -> list[datetime]:
    if rules.daily_cap is None or not host.bookings:
        return starts
    per_day: dict[date, int] = {}
    for booking in host.bookings:
        if booking.counts_toward_cap:
            day = local_date(booking.start, tz)
            per_day[day] = per_day.get(day, 0) + 1
    capped = [
        (start_of_local_day(day, tz), start_of_local_day(day + _ONE_DAY, tz))
        for day, count in per_day.items()
        if count >= rules.daily_cap
    ]
    if not capped:
        return starts
    return [s for s in starts if not any(lo <= s < hi for lo, hi in capped)]


def duration_text(minutes: int) -> Text:
    """ "1 hour", "90 minutes", "2 days": a whole number of the largest unit that fits."""
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return Text("1 day") if days == 1 else Text("{count} days", count=days)
    if minutes % 60 == 0:
        hours = minutes // 60
        return Text("1 hour") if hours == 1 else Text("{count} hours", count=hours)
    return Text("1 minute") if minutes == 1 else Text("{count} minutes", count=minutes)
