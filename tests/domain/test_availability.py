"""Explicit cases of the availability engine: DST in both directions, midnight, the date
line, buffers, notice, horizon, caps, several hosts and explanations."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from meetings_ui.domain.availability import (
    Busy,
    ExistingBooking,
    HostTime,
    InvalidRulesError,
    LinkRules,
    Mode,
    ReasonKind,
    TimeWindow,
    explain,
    find_slots,
    group_by_local_date,
)
from meetings_ui.domain.messages import Text
from meetings_ui.domain.time_zones import UnknownTimeZoneError, zone

EVERY_DAY = range(7)
NINE_TO_FIVE = (TimeWindow(time(9), time(17)),)
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(zone_name: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone(zone_name))


def rules(zone_name: str = "UTC", windows: tuple = NINE_TO_FIVE, **overrides: object) -> LinkRules:
    settings = {"rolling_days": None, "durations": (30,)}
    settings.update(overrides)
    return LinkRules(time_zone=zone_name, weekly=dict.fromkeys(EVERY_DAY, windows), **settings)


def slots_on(
    link: LinkRules,
    day: date,
    hosts: list[HostTime] | None = None,
    *,
    duration: int = 30,
    now: datetime = LONG_AGO,
    mode: Mode = Mode.COLLECTIVE,
):
    tz = zone(link.time_zone)
    start = datetime.combine(day, time(0), tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tz)
    return find_slots(
        link,
        hosts or [HostTime(1)],
        duration=duration,
        now=now,
        start=start,
        end=end,
        mode=mode,
    )


def local_starts(slots, zone_name: str) -> list[str]:
    return [s.start.astimezone(zone(zone_name)).strftime("%H:%M") for s in slots]


# --- daylight-saving changes -------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone_name", "day"),
    [
        ("Europe/Paris", date(2026, 3, 29)),  # spring forward
        ("Europe/Paris", date(2026, 10, 25)),  # fall back
        ("America/New_York", date(2026, 3, 8)),
        ("America/New_York", date(2026, 11, 1)),
        ("Australia/Lord_Howe", date(2026, 10, 4)),  # forward by 30 minutes
        ("Australia/Lord_Howe", date(2026, 4, 5)),  # back by 30 minutes
    ],
)
def test_working_hours_keep_their_wall_clock_times_on_a_dst_change(
    zone_name: str, day: date
) -> None:
    link = rules(zone_name, slot_interval=60, durations=(60,))
    slots = slots_on(link, day, duration=60)
    assert local_starts(slots, zone_name) == [f"{h:02d}:00" for h in range(9, 17)]
    assert all(s.end - s.start == timedelta(hours=60 / 60) for s in slots)


def test_spring_forward_window_in_the_gap_starts_at_the_jump() -> None:
    # New York 2026-03-08: 02:00-03:00 does not exist.
    link = rules("America/New_York", windows=(TimeWindow(time(1, 0), time(4, 0)),))
    slots = slots_on(link, date(2026, 3, 8))
    # 01:00..03:59 local is two real hours; slots step in real time, never through the gap.
    assert local_starts(slots, "America/New_York") == ["01:00", "01:30", "03:00", "03:30"]
    assert slots[1].end == slots[2].start  # 01:30 EST + 30 min is 03:00 EDT


def test_window_starting_inside_the_gap_begins_at_the_jump() -> None:
    link = rules("Europe/Paris", windows=(TimeWindow(time(2, 30), time(4, 0)),))
    slots = slots_on(link, date(2026, 3, 29))
    assert local_starts(slots, "Europe/Paris") == ["03:00", "03:30"]


def test_window_entirely_inside_the_gap_offers_nothing() -> None:
    link = rules("America/New_York", windows=(TimeWindow(time(2, 0), time(2, 45)),))
    assert slots_on(link, date(2026, 3, 8)) == []


def test_fall_back_hour_is_offered_twice_in_real_time() -> None:
    # New York 2026-11-01: 01:00-02:00 happens twice; a 00:00-03:00 window is 4 real hours.
    link = rules("America/New_York", windows=(TimeWindow(time(0), time(3)),), durations=(60,))
    slots = slots_on(link, date(2026, 11, 1), duration=60)
    assert local_starts(slots, "America/New_York") == ["00:00", "01:00", "01:00", "02:00"]
    assert [s.start.astimezone(zone("America/New_York")).utcoffset() for s in slots[1:3]] == [
        timedelta(hours=-4),
        timedelta(hours=-5),
    ]


def test_window_ending_at_an_ambiguous_time_ends_at_its_first_occurrence() -> None:
    link = rules("Europe/Paris", windows=(TimeWindow(time(1, 0), time(2, 30)),))
    slots = slots_on(link, date(2026, 10, 25))
    assert local_starts(slots, "Europe/Paris") == ["01:00", "01:30", "02:00"]
    assert slots[-1].end == utc(2026, 10, 25, 0, 30)  # 02:30 CEST, the first occurrence


def test_lord_howe_half_hour_shift() -> None:
    link = rules("Australia/Lord_Howe", windows=(TimeWindow(time(1, 0), time(3, 0)),))
    # Forward 02:00 -> 02:30: 1.5 real hours.
    forward = slots_on(link, date(2026, 10, 4))
    assert local_starts(forward, "Australia/Lord_Howe") == ["01:00", "01:30", "02:30"]
    # Back 02:00 -> 01:30: 2.5 real hours, 01:30 shows twice.
    back = slots_on(link, date(2026, 4, 5))
    assert local_starts(back, "Australia/Lord_Howe") == [
        "01:00",
        "01:30",
        "01:30",
        "02:00",
        "02:30",
    ]


def test_a_zone_without_dst_is_steady_all_year() -> None:
    link = rules("Asia/Kolkata")
    for day in (date(2026, 1, 15), date(2026, 3, 29), date(2026, 10, 25)):
        slots = slots_on(link, day)
        assert len(slots) == 16
        assert slots[0].start == datetime.combine(day, time(3, 30), UTC)


def test_meetings_spanning_the_change_last_their_real_duration() -> None:
    link = rules(
        "Europe/Paris", windows=(TimeWindow(time(0), time(6)),), durations=(120,), slot_interval=60
    )
    slots = slots_on(link, date(2026, 10, 25), duration=120)
    assert all(s.end - s.start == timedelta(hours=2) for s in slots)
    # 7 real hours in the window: starts at each real hour that leaves 2 hours.
    assert len(slots) == 6


# --- midnight and the date line ---


def test_window_crossing_midnight_belongs_to_the_day_it_starts() -> None:
    link = LinkRules(
        time_zone="Europe/Paris",
        weekly={4: (TimeWindow(time(22), time(2)),)},  # Friday night
        rolling_days=None,
        durations=(60,),
    )
    start = local("Europe/Paris", 2026, 6, 5)  # a Friday
    slots = find_slots(
        link,
        [HostTime(1)],
        duration=60,
        now=utc(2000, 1, 1),
        start=start,
        end=start + timedelta(days=3),
    )
    assert [s.start.astimezone(zone("Europe/Paris")).strftime("%a %H:%M") for s in slots] == [
        "Fri 22:00",
        "Fri 23:00",
        "Sat 00:00",
        "Sat 01:00",
    ]


def test_a_meeting_may_run_from_one_window_into_the_next() -> None:
    link = rules(
        windows=(TimeWindow(time(22), time(0)), TimeWindow(time(0), time(1))), durations=(90,)
    )
    slots = slots_on(link, date(2026, 6, 5), duration=90)
    assert [s.start.strftime("%H:%M") for s in slots] == ["22:00", "23:30"]


def test_whole_day_window() -> None:
    link = rules(windows=(TimeWindow(time(0), time(0)),), durations=(60,))
    assert len(slots_on(link, date(2026, 6, 5), duration=60)) == 24


def test_host_and_prospect_on_opposite_sides_of_the_date_line() -> None:
    # Host in Kiritimati (UTC+14) works Monday 09:00-12:00; the prospect in Pago Pago
    # (UTC-11) sees the same instants on Sunday, 25 hours "earlier" by the calendar.
    link = LinkRules(
        time_zone="Pacific/Kiritimati",
        weekly={0: (TimeWindow(time(9), time(12)),)},
        rolling_days=None,
        durations=(60,),
    )
    monday = local("Pacific/Kiritimati", 2026, 6, 8)
    slots = find_slots(
        link,
        [HostTime(1)],
        duration=60,
        now=utc(2000, 1, 1),
        start=monday,
        end=monday + timedelta(days=1),
    )
    days = group_by_local_date(slots, zone("Pacific/Pago_Pago"))
    assert [day for day, _ in days] == [date(2026, 6, 7)]  # Sunday for the prospect
    assert [s.start.strftime("%a %H:%M %z") for s in days[0][1]] == [
        "Sun 08:00 -1100",
        "Sun 09:00 -1100",
        "Sun 10:00 -1100",
    ]
    assert days[0][1][0].start_utc == utc(2026, 6, 7, 19, 0)


def test_grouping_follows_the_prospects_dates_not_the_hosts() -> None:
    link = rules("Asia/Tokyo", windows=(TimeWindow(time(7), time(10)),), durations=(60,))
    slots = slots_on(link, date(2026, 6, 8), duration=60)
    days = group_by_local_date(slots, zone("America/Los_Angeles"))
    assert [(day, len(items)) for day, items in days] == [(date(2026, 6, 7), 3)]


# --- busy time, buffers, bookings ---


def test_busy_time_from_every_calendar_is_respected_unsorted_and_overlapping() -> None:
    busy = [
        Busy(utc(2026, 6, 8, 13, 0), utc(2026, 6, 8, 14, 0), "Team"),
        Busy(utc(2026, 6, 8, 9, 10), utc(2026, 6, 8, 9, 20), "Personal"),
        Busy(utc(2026, 6, 8, 13, 30), utc(2026, 6, 8, 15, 0), "Personal"),
        Busy(utc(2026, 6, 8, 16, 0), utc(2026, 6, 8, 16, 0), "Empty"),  # zero length: nothing
    ]
    slots = slots_on(rules(), date(2026, 6, 8), [HostTime(1, busy)])
    assert [s.start.strftime("%H:%M") for s in slots] == [
        "09:30", "10:00", "10:30", "11:00", "11:30", "12:00", "12:30",
        "15:00", "15:30", "16:00", "16:30",
    ]  # fmt: skip


def test_all_day_and_multi_day_busy_events_block_whole_days() -> None:
    busy = [Busy(utc(2026, 6, 7, 22, 0), utc(2026, 6, 10, 0, 0), "Holiday")]
    host = [HostTime(1, busy)]
    assert slots_on(rules(), date(2026, 6, 8), host) == []
    assert slots_on(rules(), date(2026, 6, 9), host) == []
    assert len(slots_on(rules(), date(2026, 6, 10), host)) == 16


def test_buffers_keep_busy_time_away_from_the_meeting() -> None:
    busy = [Busy(utc(2026, 6, 8, 12, 0), utc(2026, 6, 8, 13, 0), "Lunch")]
    link = rules(buffer_before=15, buffer_after=30)
    starts = [
        s.start.strftime("%H:%M") for s in slots_on(link, date(2026, 6, 8), [HostTime(1, busy)])
    ]
    assert "11:00" in starts and "11:30" not in starts  # 11:30-12:00 + 30 min after
    assert "13:00" not in starts and "13:30" in starts  # 13:00 needs 15 min before


def test_existing_bookings_keep_their_own_buffers() -> None:
    booking = ExistingBooking(
        utc(2026, 6, 8, 10, 0), utc(2026, 6, 8, 10, 30), "Demo", buffer_after=45
    )
    starts = [
        s.start.strftime("%H:%M")
        for s in slots_on(rules(), date(2026, 6, 8), [HostTime(1, bookings=[booking])])
    ]
    assert "09:30" in starts and "10:00" not in starts
    assert "11:00" not in starts and "11:30" in starts  # 10:30 + 45 min


def test_buffers_may_share_idle_time_but_never_a_meeting() -> None:
    booking = ExistingBooking(
        utc(2026, 6, 8, 10, 0), utc(2026, 6, 8, 10, 30), "Demo", buffer_after=15
    )
    link = rules(buffer_before=15)
    starts = [
        s.start.strftime("%H:%M")
        for s in slots_on(link, date(2026, 6, 8), [HostTime(1, bookings=[booking])], duration=30)
    ]
    # the gap must be max(15, 15) = 15 minutes, not 30: 10:45 would be on the 30-minute grid
    link15 = rules(buffer_before=15, slot_interval=15)
    starts15 = [
        s.start.strftime("%H:%M")
        for s in slots_on(link15, date(2026, 6, 8), [HostTime(1, bookings=[booking])])
    ]
    assert "10:45" in starts15 and "10:30" not in starts15
    assert "11:00" in starts


# --- notice, horizon, caps ---


def test_minimum_notice_and_the_past() -> None:
    now = utc(2026, 6, 8, 10, 10)
    slots = slots_on(rules(minimum_notice=120), date(2026, 6, 8), now=now)
    assert slots[0].start == utc(2026, 6, 8, 12, 30)


def test_rolling_window_counts_today_as_the_first_day() -> None:
    link = rules("Europe/Paris", rolling_days=2)
    now = local("Europe/Paris", 2026, 6, 8, 8, 0)
    assert slots_on(link, date(2026, 6, 9), now=now)
    assert slots_on(link, date(2026, 6, 10), now=now) == []


def test_fixed_date_range() -> None:
    link = rules(date_range=(date(2026, 6, 9), date(2026, 6, 10)))
    assert slots_on(link, date(2026, 6, 8)) == []
    assert slots_on(link, date(2026, 6, 10))
    assert slots_on(link, date(2026, 6, 11)) == []


def test_date_overrides_replace_or_remove_a_day() -> None:
    link = LinkRules(
        time_zone="UTC",
        weekly=dict.fromkeys(EVERY_DAY, NINE_TO_FIVE),
        overrides={date(2026, 6, 8): (), date(2026, 6, 9): (TimeWindow(time(18), time(19)),)},
        rolling_days=None,
    )
    assert slots_on(link, date(2026, 6, 8)) == []
    assert [s.start.strftime("%H:%M") for s in slots_on(link, date(2026, 6, 9))] == [
        "18:00",
        "18:30",
    ]


def test_daily_cap_counts_bookings_on_the_hosts_local_day() -> None:
    link = rules("America/New_York", daily_cap=2)
    # 2026-06-09 01:00 UTC is still June 8th in New York.
    bookings = [
        ExistingBooking(utc(2026, 6, 8, 14, 0), utc(2026, 6, 8, 14, 30), "A"),
        ExistingBooking(utc(2026, 6, 9, 1, 0), utc(2026, 6, 9, 1, 30), "B"),
        ExistingBooking(
            utc(2026, 6, 9, 14, 0), utc(2026, 6, 9, 14, 30), "C", counts_toward_cap=False
        ),
    ]
    host = [HostTime(1, bookings=bookings)]
    assert slots_on(link, date(2026, 6, 8), host) == []
    assert slots_on(link, date(2026, 6, 9), host)


# --- several hosts ---


def two_hosts() -> list[HostTime]:
    return [
        HostTime(1, [Busy(utc(2026, 6, 8, 9, 0), utc(2026, 6, 8, 12, 0), "A")]),
        HostTime(2, [Busy(utc(2026, 6, 8, 11, 0), utc(2026, 6, 8, 15, 0), "B")]),
    ]


def test_collective_needs_every_host_free() -> None:
    slots = slots_on(rules(), date(2026, 6, 8), two_hosts(), mode=Mode.COLLECTIVE)
    assert [s.start.strftime("%H:%M") for s in slots] == ["15:00", "15:30", "16:00", "16:30"]
    assert all(s.host_ids == (1, 2) for s in slots)


def test_round_robin_needs_one_host_and_says_which() -> None:
    slots = slots_on(rules(), date(2026, 6, 8), two_hosts(), mode=Mode.ROUND_ROBIN)
    by_start = {s.start.strftime("%H:%M"): s.host_ids for s in slots}
    assert by_start["09:00"] == (2,)
    assert "11:30" not in by_start
    assert by_start["12:00"] == (1,)
    assert by_start["16:00"] == (1, 2)


# --- explanations ---


def test_explain_says_why_three_pm_is_not_bookable() -> None:
    link = rules(buffer_before=15, buffer_after=15, daily_cap=3)
    host = HostTime(
        7,
        busy=[Busy(utc(2026, 6, 8, 15, 0), utc(2026, 6, 8, 15, 45), "Team offsite")],
        bookings=[
            ExistingBooking(utc(2026, 6, 8, 14, 0), utc(2026, 6, 8, 14, 30), "Call with Ana")
        ],
    )
    now = utc(2026, 6, 8, 8)
    three_pm = explain(link, [host], at=utc(2026, 6, 8, 15), duration=30, now=now)
    assert not three_pm.bookable
    assert [r.message for r in three_pm.reasons] == ["Busy in calendar Team offsite"]
    assert three_pm.reasons[0].host_id == 7
    two_thirty = explain(link, [host], at=utc(2026, 6, 8, 14, 30), duration=30, now=now)
    assert [r.kind for r in two_thirty.reasons] == [ReasonKind.BUSY, ReasonKind.BOOKED]
    assert two_thirty.reasons[0].message == (
        "Within the buffer around busy time in calendar Team offsite"
    )
    assert two_thirty.reasons[1].message == "Within the buffer around Call with Ana"
    assert explain(link, [host], at=utc(2026, 6, 8, 16), duration=30, now=now).bookable


@pytest.mark.parametrize(
    ("at", "kind", "message"),
    [
        (utc(2026, 6, 8, 18), ReasonKind.OUTSIDE_HOURS, "Outside the link's available hours"),
        (utc(2026, 6, 8, 16, 45), ReasonKind.OUTSIDE_HOURS, "Outside the link's available hours"),
        (
            utc(2026, 6, 8, 10, 10),
            ReasonKind.OFF_GRID,
            "Off the slot grid: slots start every 30 minutes from 09:00",
        ),
        (utc(2026, 6, 8, 9), ReasonKind.PAST, "This time has already passed"),
        (
            utc(2026, 6, 8, 13),
            ReasonKind.MINIMUM_NOTICE,
            "Too soon: this link needs at least 4 hours notice",
        ),
        (
            utc(2026, 6, 20, 10),
            ReasonKind.BEYOND_WINDOW,
            "Beyond the booking window: bookable up to 7 days ahead (until 2026-06-14)",
        ),
    ],
)
def test_explain_each_link_rule(at: datetime, kind: ReasonKind, message: str) -> None:
    link = rules(minimum_notice=240, rolling_days=7)
    explanation = explain(link, [HostTime(1)], at=at, duration=30, now=utc(2026, 6, 8, 10))
    assert not explanation.bookable
    assert (explanation.reasons[0].kind, explanation.reasons[0].message) == (kind, message)


def test_explain_daily_cap() -> None:
    link = rules(daily_cap=1)
    host = HostTime(1, bookings=[ExistingBooking(utc(2026, 6, 8, 9), utc(2026, 6, 8, 9, 30), "A")])
    explanation = explain(link, [host], at=utc(2026, 6, 8, 15), duration=30, now=utc(2026, 6, 1))
    assert [r.message for r in explanation.reasons] == [
        "Daily cap reached: 1 of 1 meetings already booked on 2026-06-08"
    ]


def test_explain_round_robin_is_bookable_while_one_host_is_free() -> None:
    explanation = explain(
        rules(),
        two_hosts(),
        at=utc(2026, 6, 8, 9),
        duration=30,
        now=utc(2026, 6, 1),
        mode=Mode.ROUND_ROBIN,
    )
    assert explanation.bookable
    assert [r.host_id for r in explanation.reasons] == [1]


# --- validation ---


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"durations": ()}, "duration"),
        ({"durations": (0,)}, "duration"),
        ({"slot_interval": 0}, "interval"),
        ({"buffer_before": -5}, "negative"),
        ({"rolling_days": 0}, "rolling"),
        ({"date_range": (date(2026, 2, 1), date(2026, 1, 1))}, "date range"),
        ({"daily_cap": 0}, "cap"),
        ({"weekly": {7: NINE_TO_FIVE}}, "Weekdays"),
    ],
)
def test_impossible_rules_are_refused_with_a_reason(changes: dict, message: str) -> None:
    settings = {"time_zone": "UTC", "weekly": {}} | changes
    with pytest.raises(InvalidRulesError, match=message):
        LinkRules(**settings)


def test_unknown_zone_is_refused() -> None:
    with pytest.raises(UnknownTimeZoneError):
        rules("Europe/Atlantis")


def test_queries_must_use_an_offered_duration_and_aware_instants() -> None:
    with pytest.raises(InvalidRulesError, match="30"):
        slots_on(rules(), date(2026, 6, 8), duration=45)
    with pytest.raises(InvalidRulesError, match="aware"):
        find_slots(
            rules(),
            [HostTime(1)],
            duration=30,
            now=datetime(2026, 6, 8),
            start=utc(2026, 6, 8),
            end=utc(2026, 6, 9),
        )


# --- explanations for "why isn't this time free?" (M12) ---


def test_a_busy_reason_names_the_calendar_and_the_events_title() -> None:
    host = HostTime(
        7,
        busy=[
            Busy(utc(2026, 6, 8, 10), utc(2026, 6, 8, 11), "Work", "Quarterly review"),
            Busy(utc(2026, 6, 8, 11), utc(2026, 6, 8, 11, 30), "Work", Text("Private event")),
            Busy(utc(2026, 6, 8, 12), utc(2026, 6, 8, 12, 30), "Work"),
            Busy(utc(2026, 6, 8, 13), utc(2026, 6, 8, 13, 30)),
        ],
    )
    link = rules(buffer_after=15)

    def said(hour: int, minute: int = 0) -> list[str]:
        at = utc(2026, 6, 8, hour, minute)
        return [r.message for r in explain(link, [host], at=at, duration=30, now=LONG_AGO).reasons]

    assert said(10) == ["Busy in calendar Work: Quarterly review"]
    assert said(11) == ["Busy in calendar Work: Private event"]
    assert said(10, 30) == [
        "Busy in calendar Work: Quarterly review",
        "Within the buffer around Private event (calendar Work)",
    ]
    assert said(11, 30) == ["Within the buffer around busy time in calendar Work"]
    assert said(13) == ["Busy in a calendar"]
    assert said(12, 30) == ["Within the buffer around busy time in a calendar"]
    message = explain(link, [host], at=utc(2026, 6, 8, 11), duration=30, now=LONG_AGO)
    reason = message.reasons[0].message
    assert isinstance(reason, Text) and reason.template == "Busy in calendar {calendar}: {title}"
    assert reason.params["title"].template == "Private event"  # translated as a whole


def test_another_hosts_busy_time_says_only_their_name() -> None:
    zoe = HostTime(2, busy=[Busy(utc(2026, 6, 8, 10), utc(2026, 6, 8, 11))], name="Zoe")
    link = rules(buffer_before=30)
    inside = explain(link, [HostTime(1), zoe], at=utc(2026, 6, 8, 10), duration=30, now=LONG_AGO)
    assert [(r.host_id, r.message) for r in inside.reasons] == [(2, "Zoe is busy")]
    assert not inside.bookable
    near = explain(link, [HostTime(1), zoe], at=utc(2026, 6, 8, 11), duration=30, now=LONG_AGO)
    assert [r.message for r in near.reasons] == [
        "Zoe is busy just before or after (within the buffer)"
    ]


def test_a_meeting_is_named_already_booked_or_within_its_buffer() -> None:
    host = HostTime(
        1,
        bookings=[
            ExistingBooking(utc(2026, 6, 8, 10), utc(2026, 6, 8, 10, 30), "Call with Ana", 0, 30),
            ExistingBooking(utc(2026, 6, 8, 14), utc(2026, 6, 8, 14, 30)),
        ],
    )

    def said(hour: int, minute: int = 0) -> list[str]:
        at = utc(2026, 6, 8, hour, minute)
        return [
            r.message for r in explain(rules(), [host], at=at, duration=30, now=LONG_AGO).reasons
        ]

    assert said(10) == ["Already booked: Call with Ana"]
    assert said(10, 30) == ["Within the buffer around Call with Ana"]  # its own 30 minutes after
    assert said(14) == ["Already booked: another meeting"]


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (1, "1 minute"),
        (45, "45 minutes"),
        (60, "1 hour"),
        (180, "3 hours"),
        (1440, "1 day"),
        (2880, "2 days"),
    ],
)
def test_notice_is_said_in_the_largest_whole_unit(minutes: int, text: str) -> None:
    link = rules(minimum_notice=minutes)
    now = utc(2026, 6, 8, 9)
    explanation = explain(link, [HostTime(1)], at=now + timedelta(seconds=1), duration=30, now=now)
    assert explanation.reasons[-1].message == f"Too soon: this link needs at least {text} notice"


def test_dates_outside_the_fixed_range_are_said_with_the_range() -> None:
    link = rules(date_range=(date(2026, 7, 1), date(2026, 7, 31)))
    explanation = explain(link, [HostTime(1)], at=utc(2026, 6, 8, 10), duration=30, now=LONG_AGO)
    assert [r.message for r in explanation.reasons] == [
        "Outside the bookable dates, 2026-07-01 to 2026-07-31"
    ]


def test_explanations_across_the_spring_daylight_saving_change() -> None:
    """Paris, Sunday 29 March 2026: clocks jump from 02:00 to 03:00. Hours 01:00-05:00 (local)
    are three hours long that night; the grid runs in elapsed time from 01:00 (00:00 UTC)."""
    link = rules("Europe/Paris", (TimeWindow(time(1), time(5)),), daily_cap=1)
    at_three = datetime(2026, 3, 29, 3, 0, tzinfo=zone("Europe/Paris"))  # 01:00 UTC
    assert at_three.astimezone(UTC) == utc(2026, 3, 29, 1)
    assert explain(link, [HostTime(1)], at=at_three, duration=30, now=LONG_AGO).bookable
    four_thirty = utc(2026, 3, 29, 2, 30)  # 04:30 local, the last half-hour
    assert explain(link, [HostTime(1)], at=four_thirty, duration=30, now=LONG_AGO).bookable
    five = utc(2026, 3, 29, 3)  # 05:00 local: the window has closed
    assert [
        r.kind for r in explain(link, [HostTime(1)], at=five, duration=30, now=LONG_AGO).reasons
    ] == [ReasonKind.OUTSIDE_HOURS]
    # A meeting at 00:30 local (23:30 UTC the day before) counts toward 29 March's cap.
    booked = HostTime(1, bookings=[ExistingBooking(utc(2026, 3, 28, 23, 30), utc(2026, 3, 29, 0))])
    capped = explain(link, [booked], at=at_three, duration=30, now=LONG_AGO)
    assert [r.message for r in capped.reasons] == [
        "Daily cap reached: 1 of 1 meetings already booked on 2026-03-29"
    ]
