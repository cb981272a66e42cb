"""Benchmark of the availability engine: a month of 15-minute slots over 10 calendars.

Prints, all measured in this run on the same data:
  (a) the engine: find_slots + grouping by the prospect's local date;
  (b) sorting the busy intervals by start: the lower bound for any method;
  (c) a naive baseline that checks every candidate slot against every busy interval;
then engine/sort, naive/engine, and engine(2n busy)/engine(n busy).

Run: .venv/bin/python -m bench.availability [--events 20000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import time as clock
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from meetings_ui.domain.availability import (
    Busy,
    HostTime,
    LinkRules,
    TimeWindow,
    find_slots,
    group_by_local_date,
)
from meetings_ui.domain.time_zones import zone

HOST_ZONE = "Europe/Paris"
PROSPECT_ZONE = "America/New_York"
CALENDARS = 10
DAYS = 31
FIRST_DAY = date(2026, 10, 5)  # the month holds Paris's fall-back change (Oct 25)


def link_rules() -> LinkRules:
    return LinkRules(
        time_zone=HOST_ZONE,
        weekly=dict.fromkeys(range(7), (TimeWindow(time(7), time(22)),)),
        durations=(15,),
        slot_interval=15,
        rolling_days=None,
    )


def busy_events(count: int, seed: int = 7) -> list[Busy]:
    """`count` events on 10 calendars, unsorted and overlapping, in office hours
    (08:00-18:00 UTC, weekdays) so that mornings, evenings and weekends stay free."""
    rng = random.Random(seed)
    weekdays = [
        datetime.combine(FIRST_DAY + timedelta(days=d), time(8), UTC)
        for d in range(DAYS)
        if (FIRST_DAY + timedelta(days=d)).weekday() < 5
    ]
    events = []
    for index in range(count):
        start = rng.choice(weekdays) + timedelta(minutes=rng.randrange(10 * 60 - 60))
        length = timedelta(minutes=rng.choice([5, 10, 15, 30, 45, 60]))
        events.append(Busy(start, start + length, f"Calendar {index % CALENDARS}"))
    return events


def engine(rules: LinkRules, busy: list[Busy]) -> int:
    host_zone = zone(HOST_ZONE)
    start = datetime.combine(FIRST_DAY, time(0), host_zone)
    end = datetime.combine(FIRST_DAY + timedelta(days=DAYS), time(0), host_zone)
    slots = find_slots(
        rules, [HostTime(1, busy)], duration=15, now=start - timedelta(days=1), start=start, end=end
    )
    days = group_by_local_date(slots, zone(PROSPECT_ZONE))
    return sum(len(day_slots) for _, day_slots in days)


def sort_lower_bound(busy: list[Busy]) -> int:
    return len(sorted(busy, key=lambda event: event.start))


def naive(busy: list[Busy]) -> int:
    """Every 15-minute candidate of the windows against every busy interval."""
    host_zone = zone(HOST_ZONE)
    step = timedelta(minutes=15)
    free = 0
    for offset in range(DAYS):
        day = FIRST_DAY + timedelta(days=offset)
        candidate = datetime.combine(day, time(7), host_zone).astimezone(UTC)
        closes = datetime.combine(day, time(22), host_zone).astimezone(UTC)
        while candidate + step <= closes:
            slot_end = candidate + step
            if not any(b.start < slot_end and candidate < b.end for b in busy):
                free += 1
            candidate += step
    return free


def best_of(repeat: int, work: Callable[[], int]) -> tuple[float, int]:
    times, result = [], 0
    for _ in range(repeat):
        began = clock.perf_counter()
        result = work()
        times.append(clock.perf_counter() - began)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    rules = link_rules()
    busy = busy_events(args.events)
    doubled = busy_events(2 * args.events)

    engine_time, slots = best_of(args.repeat, lambda: engine(rules, busy))
    sort_time, _ = best_of(args.repeat, lambda: sort_lower_bound(busy))
    doubled_time, _ = best_of(args.repeat, lambda: engine(rules, doubled))
    naive_time, naive_slots = best_of(1, lambda: naive(busy))
    assert naive_slots == slots, (naive_slots, slots)  # same answer, or the figures mean nothing

    print(f"{DAYS} days of 15-minute slots, {CALENDARS} calendars, {args.events} busy events")
    print(f"  free slots found                  {slots:>10}")
    print(f"  (a) engine                        {engine_time * 1000:>10.2f} ms")
    print(f"  (b) sort busy intervals (bound)   {sort_time * 1000:>10.2f} ms")
    print(f"  (c) naive every-slot x every-busy {naive_time * 1000:>10.2f} ms")
    print(f"  engine / sort                     {engine_time / sort_time:>10.2f} x   (target <= 3)")
    print(f"  naive / engine                    {naive_time / engine_time:>10.1f} x")
    print(
        f"  engine with {2 * args.events} events / {args.events}   "
        f"{doubled_time / engine_time:>6.2f} x   (target <= 2.3)"
    )


if __name__ == "__main__":
    main()
