"""The documented rule: a local time means the first instant the wall clock shows it or later."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from meetings_ui.domain.time_zones import (
    UnknownTimeZoneError,
    all_day_span,
    canonical_name,
    canonical_zones,
    is_time_zone,
    resolve_local,
    zone,
    zone_label,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone_name", "day", "clock", "expected"),
    [
        # Ordinary times are exact.
        ("Europe/Paris", date(2026, 7, 1), time(9, 0), utc(2026, 7, 1, 7, 0)),
        ("Asia/Kolkata", date(2026, 3, 29), time(2, 30), utc(2026, 3, 28, 21, 0)),
        # Nonexistent (spring forward): the instant of the jump.
        ("Europe/Paris", date(2026, 3, 29), time(2, 30), utc(2026, 3, 29, 1, 0)),
        ("America/New_York", date(2026, 3, 8), time(2, 0), utc(2026, 3, 8, 7, 0)),
        ("America/New_York", date(2026, 3, 8), time(2, 59), utc(2026, 3, 8, 7, 0)),
        ("Australia/Lord_Howe", date(2026, 10, 4), time(2, 15), utc(2026, 10, 3, 15, 30)),
        # Ambiguous (fall back): the first occurrence.
        ("Europe/Paris", date(2026, 10, 25), time(2, 30), utc(2026, 10, 25, 0, 30)),
        ("America/New_York", date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30)),
        ("Australia/Lord_Howe", date(2026, 4, 5), time(1, 45), utc(2026, 4, 4, 14, 45)),
    ],
)
def test_local_times_resolve_by_the_rule(
    zone_name: str, day: date, clock: time, expected: datetime
) -> None:
    assert resolve_local(day, clock, zone(zone_name)) == expected


def test_a_day_of_a_spring_forward_is_23_hours_and_of_a_fall_back_25() -> None:
    paris = zone("Europe/Paris")
    start, end = all_day_span(date(2026, 3, 29), date(2026, 3, 30), paris)
    assert (end - start).total_seconds() == 23 * 3600
    start, end = all_day_span(date(2026, 10, 25), date(2026, 10, 26), paris)
    assert (end - start).total_seconds() == 25 * 3600


def test_a_midnight_that_does_not_exist_starts_the_day_at_the_jump() -> None:
    # Santiago springs forward at midnight: 2026-09-06 00:00 does not exist.
    santiago = zone("America/Santiago")
    start, _ = all_day_span(date(2026, 9, 6), date(2026, 9, 7), santiago)
    assert start == utc(2026, 9, 6, 4, 0)
    assert start.astimezone(santiago).time() == time(1, 0)


@pytest.mark.parametrize(
    "name",
    [
        "",
        "Mars/Olympus",
        "utc ",
        "../etc/passwd",
        None,
        "Europe",
        "localtime",
        "Factory",
        "posixrules",
        "posix/Europe/Paris",
        "right/UTC",
        "x" * 300,
    ],
)
def test_unknown_zones_are_refused(name: str | None) -> None:
    with pytest.raises(UnknownTimeZoneError):
        zone(name)  # type: ignore[arg-type]


# --- the zones people pick from -------------------------------------------------------------


def test_the_picker_lists_canonical_zones_and_utc_only() -> None:
    zones = canonical_zones()
    assert {"Europe/Paris", "America/New_York", "Asia/Kolkata", "Europe/Kyiv", "UTC"} <= set(zones)
    for deprecated in ("Africa/Asmera", "US/Eastern", "Asia/Calcutta", "Europe/Kiev", "GMT"):
        assert deprecated not in zones
    assert not any(z.startswith(("Etc/", "SystemV/", "posix/", "right/")) for z in zones)
    assert len(zones) == len(set(zones)) and all(is_time_zone(z) for z in zones)


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("Europe/Paris", "Europe/Paris"),
        ("Asia/Calcutta", "Asia/Kolkata"),  # what some browsers still report
        ("Europe/Kiev", "Europe/Kyiv"),
        ("US/Eastern", "America/New_York"),
        ("Africa/Asmera", "Africa/Asmara"),  # the zone spelled like it, not another Nairobi
        ("Etc/UTC", "UTC"),
        ("Europe/Oslo", "Europe/Oslo"),  # canonical in zone.tab, though it shares Berlin's rules
        ("Nowhere/Atlantis", None),
        ("", None),
    ],
)
def test_canonical_name(name: str, canonical: str | None) -> None:
    assert canonical_name(name) == canonical


@pytest.mark.parametrize(
    ("name", "at", "label"),
    [
        ("Europe/Paris", utc(2026, 1, 15, 12), "Europe/Paris (UTC+01:00)"),
        ("Europe/Paris", utc(2026, 7, 15, 12), "Europe/Paris (UTC+02:00)"),  # summer time
        ("America/New_York", utc(2026, 1, 15, 12), "America/New_York (UTC-05:00)"),
        ("America/St_Johns", utc(2026, 1, 15, 12), "America/St_Johns (UTC-03:30)"),
        ("Asia/Kathmandu", utc(2026, 1, 15, 12), "Asia/Kathmandu (UTC+05:45)"),
        ("UTC", utc(2026, 1, 15, 12), "UTC (UTC+00:00)"),
    ],
)
def test_zone_labels_carry_the_offset_at_that_instant(name: str, at: datetime, label: str) -> None:
    assert zone_label(name, at) == label
