"""The engine against the brute-force oracle, over random rules, busy sets and zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings_ui.domain.availability import (
    Busy,
    ExistingBooking,
    HostTime,
    LinkRules,
    Mode,
    TimeWindow,
    explain,
    find_slots,
)
from tests.domain.oracle import oracle_slots

ZONES = [
    "UTC",
    "Europe/Paris",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "America/Santiago",
]
# Days around the 2026 daylight-saving changes of those zones, and a few ordinary ones.
INTERESTING_DAYS = [
    date(2026, 3, 8),  # New York springs forward
    date(2026, 3, 29),  # Paris springs forward
    date(2026, 4, 5),  # Lord Howe and Santiago fall back
    date(2026, 9, 6),  # Santiago springs forward
    date(2026, 10, 4),  # Lord Howe springs forward (30 minutes)
    date(2026, 10, 25),  # Paris falls back
    date(2026, 11, 1),  # New York falls back
    date(2026, 6, 15),
    date(2026, 12, 31),
]

minutes_of_day = st.integers(min_value=0, max_value=24 * 60 - 1).map(
    lambda m: time(m // 60, m % 60)
)
windows = st.lists(
    st.builds(TimeWindow, minutes_of_day, minutes_of_day).filter(lambda w: w.start != w.end),
    max_size=2,
)


@st.composite
def scenarios(draw: st.DrawFn) -> dict:
    tz_name = draw(st.sampled_from(ZONES))
    first_day = draw(st.sampled_from(INTERESTING_DAYS)) + timedelta(days=draw(st.integers(-1, 0)))
    span_days = draw(st.integers(1, 2))
    range_start = datetime.combine(first_day, time(0), UTC) + timedelta(
        minutes=draw(st.integers(-14 * 60, 14 * 60))
    )
    range_end = range_start + timedelta(days=span_days)
    duration = draw(st.sampled_from([15, 30, 45, 60, 90]))
    weekly = {day: draw(windows) for day in range(7)}
    overrides = {}
    if draw(st.booleans()):
        overrides[first_day + timedelta(days=draw(st.integers(0, span_days)))] = draw(windows)
    date_range = None
    if draw(st.booleans()):
        lo = first_day + timedelta(days=draw(st.integers(-1, 1)))
        date_range = (lo, lo + timedelta(days=draw(st.integers(0, 2))))
    rules = LinkRules(
        time_zone=tz_name,
        weekly=weekly,
        overrides=overrides,
        durations=(duration,),
        slot_interval=draw(st.sampled_from([None, 10, 15, 20, 25, 60])),
        buffer_before=draw(st.sampled_from([0, 5, 15, 30])),
        buffer_after=draw(st.sampled_from([0, 10, 15])),
        minimum_notice=draw(st.sampled_from([0, 30, 240])),
        rolling_days=draw(st.sampled_from([None, 1, 2, 30])),
        date_range=date_range,
        daily_cap=draw(st.sampled_from([None, 1, 2])),
    )

    def instant() -> datetime:
        return range_start + timedelta(
            minutes=draw(st.integers(-12 * 60, (span_days + 1) * 24 * 60))
        )

    hosts = []
    for host_id in range(1, draw(st.integers(1, 3)) + 1):
        busy = []
        for _ in range(draw(st.integers(0, 6))):
            start = instant()
            busy.append(
                Busy(start, start + timedelta(minutes=draw(st.integers(0, 300))), f"cal-{host_id}")
            )
        bookings = []
        for index in range(draw(st.integers(0, 3))):
            start = instant()
            bookings.append(
                ExistingBooking(
                    start,
                    start + timedelta(minutes=draw(st.sampled_from([15, 30, 60]))),
                    f"booking-{index}",
                    buffer_before=draw(st.sampled_from([0, 20])),
                    buffer_after=draw(st.sampled_from([0, 25])),
                    counts_toward_cap=draw(st.booleans()),
                )
            )
        hosts.append(HostTime(host_id, busy, bookings))
    now = range_start + timedelta(minutes=draw(st.integers(-36 * 60, 12 * 60)))
    mode = draw(st.sampled_from(list(Mode)))
    return dict(
        rules=rules,
        hosts=hosts,
        duration=duration,
        now=now,
        start=range_start,
        end=range_end,
        mode=mode,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_engine_agrees_with_the_minute_by_minute_oracle(scenario: dict) -> None:
    expected = oracle_slots(**scenario)
    slots = find_slots(**scenario)
    assert [(s.start, s.host_ids) for s in slots] == expected
    length = timedelta(minutes=scenario["duration"])
    assert all(s.end - s.start == length for s in slots)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.lists(st.integers(0, 2 * 24 * 60 - 1), max_size=25))
def test_explain_agrees_with_find_slots(scenario: dict, probes: list[int]) -> None:
    slots = {s.start for s in find_slots(**scenario)}
    start, end = scenario["start"], scenario["end"]
    instants = sorted(slots) + [start + timedelta(minutes=p) for p in probes]
    kwargs = {k: scenario[k] for k in ("rules", "hosts", "duration", "now", "mode")}
    for at in instants:
        if not start <= at < end:
            continue
        explanation = explain(at=at, **kwargs)
        assert explanation.bookable == (at in slots), (at, explanation)
        if not explanation.bookable:
            assert explanation.reasons
