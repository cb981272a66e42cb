"""The link editor's fields ↔ settings JSON.

The editor holds the settings as structure — each weekday on or off with its intervals,
dates with their own hours, durations picked as chips, numbers with their unit, questions
with their choices — and these functions turn it into the settings JSON that
`LinkSettings.from_json` validates (the one validator), and back. Nothing here judges a
value: a number field's text that is not a whole number is passed on as it is, for
`LinkSettings` to refuse with its message.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from meetings_ui.domain.link_settings import WEEKDAYS

# The interval a day gets when it is switched on, or a date when it gets its own hours.
DEFAULT_INTERVAL = ("09:00", "17:00")
# Durations and reminders offered as chips, in minutes; others are added by hand.
COMMON_DURATIONS = (15, 30, 45, 60, 90)
COMMON_REMINDERS = (15, 60, 1440)
# The units a minute count is shown in, largest first.
UNITS = {"days": 24 * 60, "hours": 60, "minutes": 1}


@dataclasses.dataclass
class DayHours:
    """One weekday: on or off, and its intervals (kept while off, so on brings them back)."""

    day: str
    on: bool
    intervals: list[list[str]]


@dataclasses.dataclass
class DateHours:
    """A date with hours of its own: unavailable all day (`off`) or its intervals."""

    date: str
    off: bool
    intervals: list[list[str]]


def week_from(weekly: Mapping[str, Sequence[Sequence[str]]]) -> list[DayHours]:
    """Settings' `weekly` → one row per weekday, Monday first."""
    rows = []
    for day in WEEKDAYS:
        intervals = [list(w) for w in weekly.get(day, [])]
        rows.append(DayHours(day, bool(intervals), intervals or [list(DEFAULT_INTERVAL)]))
    return rows


def weekly_from(week: Iterable[DayHours]) -> dict[str, list[list[str]]]:
    return {row.day: [list(w) for w in row.intervals] for row in week if row.on}


def dates_from(overrides: Mapping[str, Sequence[Sequence[str]]]) -> list[DateHours]:
    """Settings' `overrides` → one row per date, in date order."""
    return [
        DateHours(day, not windows, [list(w) for w in windows] or [list(DEFAULT_INTERVAL)])
        for day, windows in sorted(overrides.items())
    ]


def overrides_from(dates: Iterable[DateHours]) -> dict[str, list[list[str]]]:
    return {row.date: [] if row.off else [list(w) for w in row.intervals] for row in dates}


def next_free_date(taken: Iterable[str], today: date) -> str:
    """The date a new override starts on: the first after today that has none yet."""
    used = set(taken)
    day = today + timedelta(days=1)
    while day.isoformat() in used:
        day += timedelta(days=1)
    return day.isoformat()


def next_interval(intervals: Sequence[Sequence[str]]) -> list[str]:
    """A new interval for a day: an hour after its last one ends, or the default one."""
    if not intervals:
        return list(DEFAULT_INTERVAL)
    hours, minutes = (int(part) for part in intervals[-1][1].split(":"))
    start = min(hours + 1, 22)
    return [f"{start:02d}:{minutes:02d}", f"{start + 1:02d}:{minutes:02d}"]


def whole_number(text: str) -> int | str | None:
    """A number field's text: empty is None, digits a number; anything else is passed on
    for `LinkSettings` to refuse."""
    text = text.strip()
    if not text:
        return None
    return int(text) if text.isdecimal() and text.isascii() else text


def in_unit(minutes: int) -> tuple[str, str]:
    """A minute count in the largest unit that holds it whole: 2880 → ("2", "days")."""
    for unit, size in UNITS.items():
        if minutes and minutes % size == 0:
            return str(minutes // size), unit
    return str(minutes), "minutes"


def to_minutes(amount: str, unit: str) -> int | str | None:
    number = whole_number(amount)
    return number * UNITS.get(unit, 1) if isinstance(number, int) else number


def toggled(values: Iterable[int], value: int) -> list[int]:
    """A chip clicked: the value removed if it was chosen, else added; sorted."""
    chosen = set(values)
    chosen ^= {value}
    return sorted(chosen)


def chips(common: Iterable[int], chosen: Iterable[int]) -> list[tuple[int, bool]]:
    """The chips to show: the common values and the chosen ones, each with its state."""
    picked = set(chosen)
    return [(value, value in picked) for value in sorted(set(common) | picked)]


@dataclasses.dataclass
class QuestionRow:
    """A booking question as the editor holds it; `id` is kept for the answers already
    given (empty for a new one: `LinkSettings` derives it from the label)."""

    id: str
    label: str
    required: bool
    choice: bool
    choices: list[str]


def questions_from(questions: Iterable[Mapping[str, Any]]) -> list[QuestionRow]:
    return [
        QuestionRow(
            q["id"], q["label"], bool(q.get("required")), q.get("kind") == "choice",
            list(q.get("choices", [])) or ["", ""],
        )
        for q in questions
    ]  # fmt: skip


def questions_json(rows: Iterable[QuestionRow]) -> list[dict[str, Any]]:
    """The rows as settings JSON; a choice question keeps the choices that were filled in."""
    return [
        {
            "id": row.id,
            "label": row.label,
            "kind": "choice" if row.choice else "text",
            "required": row.required,
            "choices": [c for c in row.choices if c.strip()] if row.choice else [],
        }
        for row in rows
    ]
