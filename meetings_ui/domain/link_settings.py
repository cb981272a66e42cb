"""A meeting link's settings: what the host shapes, stored as JSON on the link.

`LinkSettings.from_json` is the one gate for settings coming from the UI or the API:
it refuses anything malformed with messages naming the field, so a bad request never
reaches the database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from meetings_ui.domain.availability import InvalidRulesError, LinkRules, TimeWindow
from meetings_ui.domain.time_zones import UnknownTimeZoneError, zone

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
QUESTION_KINDS = ("text", "choice")
MAX_QUESTIONS = 20
MAX_TEXT_ANSWER = 2000
_CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_QUESTION_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")


class InvalidSettingsError(ValueError):
    """Each problem as (field, message)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))
        self.problems = problems


@dataclass(frozen=True)
class Question:
    id: str
    label: str
    kind: str = "text"
    required: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class LinkSettings:
    time_zone: str = "UTC"
    durations: tuple[int, ...] = (30,)
    slot_interval: int | None = None
    weekly: Mapping[int, tuple[TimeWindow, ...]] = field(
        default_factory=lambda: dict.fromkeys(range(5), (TimeWindow(time(9), time(17)),))
    )
    overrides: Mapping[date, tuple[TimeWindow, ...]] = field(default_factory=dict)
    buffer_before: int = 0
    buffer_after: int = 0
    minimum_notice: int = 240
    rolling_days: int | None = 60
    date_range: tuple[date, date] | None = None
    daily_cap: int | None = None
    questions: tuple[Question, ...] = ()
    confirmation_message: str = ""
    reminders: tuple[int, ...] = (1440,)  # minutes before the meeting

    def rules(self) -> LinkRules:
        return LinkRules(
            time_zone=self.time_zone,
            weekly=self.weekly,
            overrides=self.overrides,
            durations=self.durations,
            slot_interval=self.slot_interval,
            buffer_before=self.buffer_before,
            buffer_after=self.buffer_after,
            minimum_notice=self.minimum_notice,
            rolling_days=self.rolling_days,
            date_range=self.date_range,
            daily_cap=self.daily_cap,
        )

    # --- JSON ------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        def windows(items: tuple[TimeWindow, ...]) -> list[list[str]]:
            return [[w.start.strftime("%H:%M"), w.end.strftime("%H:%M")] for w in items]

        return {
            "time_zone": self.time_zone,
            "durations": list(self.durations),
            "slot_interval": self.slot_interval,
            "weekly": {WEEKDAYS[d]: windows(w) for d, w in sorted(self.weekly.items())},
            "overrides": {d.isoformat(): windows(w) for d, w in sorted(self.overrides.items())},
            "buffer_before": self.buffer_before,
            "buffer_after": self.buffer_after,
            "minimum_notice": self.minimum_notice,
            "rolling_days": self.rolling_days,
            "date_range": [d.isoformat() for d in self.date_range] if self.date_range else None,
            "daily_cap": self.daily_cap,
            "questions": [
                {
                    "id": q.id,
                    "label": q.label,
                    "kind": q.kind,
                    "required": q.required,
                    "choices": list(q.choices),
                }
                for q in self.questions
            ],
            "confirmation_message": self.confirmation_message,
            "reminders": list(self.reminders),
        }

    @classmethod
    def from_json(
        cls, data: Mapping[str, Any] | None, *, base: LinkSettings | None = None
    ) -> LinkSettings:
        """Settings from JSON; keys left out keep the value of `base` (or the defaults)."""
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise InvalidSettingsError([("settings", "must be an object")])
        reader = _Reader(data)
        current = base or cls()
        settings = cls(
            time_zone=reader.time_zone("time_zone", current.time_zone),
            durations=reader.minutes_list(
                "durations", current.durations, minimum=5, maximum=24 * 60
            ),
            slot_interval=reader.optional_minutes(
                "slot_interval", current.slot_interval, minimum=5
            ),
            weekly=reader.weekly("weekly", current.weekly),
            overrides=reader.overrides("overrides", current.overrides),
            buffer_before=reader.minutes("buffer_before", current.buffer_before, maximum=24 * 60),
            buffer_after=reader.minutes("buffer_after", current.buffer_after, maximum=24 * 60),
            minimum_notice=reader.minutes(
                "minimum_notice", current.minimum_notice, maximum=365 * 24 * 60
            ),
            rolling_days=reader.optional_minutes(
                "rolling_days", current.rolling_days, minimum=1, maximum=730
            ),
            date_range=reader.date_range("date_range", current.date_range),
            daily_cap=reader.optional_minutes(
                "daily_cap", current.daily_cap, minimum=1, maximum=100
            ),
            questions=reader.questions("questions", current.questions),
            confirmation_message=reader.text(
                "confirmation_message", current.confirmation_message, 2000
            ),
            reminders=reader.minutes_list(
                "reminders", current.reminders, minimum=5, maximum=7 * 24 * 60, empty=True
            ),
        )
        unknown = set(data) - set(cls().to_json())
        reader.problems.extend((key, "is not a setting") for key in sorted(unknown))
        if not reader.problems:
            try:
                settings.rules()
            except InvalidRulesError as error:
                reader.problems.append(("settings", str(error)))
        if reader.problems:
            raise InvalidSettingsError(reader.problems)
        return settings

    # --- booking answers -------------------------------------------------------------

    def answer_problems(self, answers: Mapping[str, Any]) -> list[tuple[str, str]]:
        """What is wrong with a prospect's answers to the link's questions."""
        problems = []
        if not isinstance(answers, Mapping):
            return [("answers", "must be an object")]
        known = {q.id for q in self.questions}
        for key in answers:
            if key not in known:
                problems.append((f"answers.{key}", "is not a question of this link"))
        for question in self.questions:
            value = answers.get(question.id)
            if value is None or (isinstance(value, str) and not value.strip()):
                if question.required:
                    problems.append((f"answers.{question.id}", f"“{question.label}” is required"))
                continue
            if not isinstance(value, str):
                problems.append((f"answers.{question.id}", "must be text"))
            elif question.kind == "choice" and value not in question.choices:
                problems.append(
                    (f"answers.{question.id}", f"choose one of: {', '.join(question.choices)}")
                )
            elif len(value) > MAX_TEXT_ANSWER:
                problems.append(
                    (f"answers.{question.id}", f"use at most {MAX_TEXT_ANSWER} characters")
                )
        return problems


class _Reader:
    """Reads one field at a time, collecting every problem instead of stopping at the first."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.problems: list[tuple[str, str]] = []

    def _get(self, key: str, default: Any) -> tuple[bool, Any]:
        return (key in self.data, self.data.get(key, default))

    def fail(self, key: str, message: str, default: Any) -> Any:
        self.problems.append((key, message))
        return default

    def time_zone(self, key: str, default: str) -> str:
        present, value = self._get(key, default)
        if not present:
            return default
        try:
            zone(value)
        except UnknownTimeZoneError:
            return self.fail(
                key, f"{value!r} is not an IANA time zone (e.g. Europe/Paris)", default
            )
        return value

    def minutes(self, key: str, default: int, maximum: int) -> int:
        present, value = self._get(key, default)
        if not present:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
            return self.fail(key, f"must be a whole number of minutes from 0 to {maximum}", default)
        return value

    def optional_minutes(
        self, key: str, default: int | None, minimum: int, maximum: int = 24 * 60
    ) -> int | None:
        present, value = self._get(key, default)
        if not present or value is None:
            return value if present else default
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            return self.fail(
                key, f"must be empty or a whole number from {minimum} to {maximum}", default
            )
        return value

    def minutes_list(
        self, key: str, default: tuple[int, ...], minimum: int, maximum: int, empty: bool = False
    ) -> tuple[int, ...]:
        present, value = self._get(key, default)
        if not present:
            return default
        if (
            not isinstance(value, list)
            or (not value and not empty)
            or len(value) > 10
            or any(
                isinstance(v, bool) or not isinstance(v, int) or not minimum <= v <= maximum
                for v in value
            )
        ):
            return self.fail(
                key, f"must list whole numbers of minutes from {minimum} to {maximum}", default
            )
        return tuple(sorted(set(value)))

    def _windows(self, key: str, value: Any) -> tuple[TimeWindow, ...] | None:
        if not isinstance(value, list) or len(value) > 10:
            self.problems.append((key, "must be a list of [start, end] times"))
            return None
        windows = []
        for item in value:
            if (
                not isinstance(item, list | tuple)
                or len(item) != 2
                or not all(isinstance(v, str) and _CLOCK.fullmatch(v) for v in item)
            ):
                self.problems.append((key, 'each window is ["HH:MM", "HH:MM"]'))
                return None
            start, end = (time.fromisoformat(v) for v in item)
            if start == end and start != time(0):
                self.problems.append((key, "a window cannot start and end at the same time"))
                return None
            windows.append(TimeWindow(start, end))
        return tuple(windows)

    def weekly(
        self, key: str, default: Mapping[int, tuple[TimeWindow, ...]]
    ) -> Mapping[int, tuple[TimeWindow, ...]]:
        present, value = self._get(key, default)
        if not present:
            return default
        if not isinstance(value, Mapping) or any(day not in WEEKDAYS for day in value):
            return self.fail(key, f"must map days ({', '.join(WEEKDAYS)}) to windows", default)
        weekly = {}
        for day, windows in value.items():
            parsed = self._windows(f"{key}.{day}", windows)
            if parsed:
                weekly[WEEKDAYS.index(day)] = parsed
        return weekly

    def overrides(
        self, key: str, default: Mapping[date, tuple[TimeWindow, ...]]
    ) -> Mapping[date, tuple[TimeWindow, ...]]:
        present, value = self._get(key, default)
        if not present:
            return default
        if not isinstance(value, Mapping) or len(value) > 366:
            return self.fail(key, "must map dates (YYYY-MM-DD) to windows", default)
        overrides = {}
        for day, windows in value.items():
            try:
                parsed_day = date.fromisoformat(day)
            except (TypeError, ValueError):
                self.problems.append((f"{key}.{day}", "is not a date (YYYY-MM-DD)"))
                continue
            parsed = self._windows(f"{key}.{day}", windows)
            if parsed is not None:
                overrides[parsed_day] = parsed  # an empty list is a day off
        return overrides

    def date_range(self, key: str, default: tuple[date, date] | None) -> tuple[date, date] | None:
        present, value = self._get(key, default)
        if not present or value is None:
            return value if present else default
        try:
            first, last = (date.fromisoformat(v) for v in value)
        except (TypeError, ValueError):
            return self.fail(key, 'must be ["YYYY-MM-DD", "YYYY-MM-DD"] or empty', default)
        if last < first:
            return self.fail(key, "ends before it starts", default)
        return first, last

    def text(self, key: str, default: str, maximum: int) -> str:
        present, value = self._get(key, default)
        if not present:
            return default
        if not isinstance(value, str) or len(value) > maximum:
            return self.fail(key, f"must be text of at most {maximum} characters", default)
        return value.strip()

    def questions(self, key: str, default: tuple[Question, ...]) -> tuple[Question, ...]:
        present, value = self._get(key, default)
        if not present:
            return default
        if not isinstance(value, list) or len(value) > MAX_QUESTIONS:
            return self.fail(key, f"must be a list of at most {MAX_QUESTIONS} questions", default)
        questions: list[Question] = []
        for index, item in enumerate(value):
            where = f"{key}[{index}]"
            if not isinstance(item, Mapping):
                self.problems.append((where, "must be an object"))
                continue
            label = item.get("label")
            question_id = item.get("id") or re.sub(
                r"[^a-z0-9]+", "_", str(label or "").lower()
            ).strip("_")
            kind = item.get("kind", "text")
            choices = item.get("choices") or []
            if not isinstance(label, str) or not label.strip() or len(label) > 200:
                self.problems.append((f"{where}.label", "enter the question, up to 200 characters"))
                continue
            if (
                not isinstance(question_id, str)
                or not _QUESTION_ID.fullmatch(question_id)
                or question_id
                in (
                    "name",
                    "email",
                )
            ):
                self.problems.append(
                    (f"{where}.id", "use lower-case letters, digits and _ (not name or email)")
                )
                continue
            if kind not in QUESTION_KINDS:
                self.problems.append((f"{where}.kind", "must be text or choice"))
                continue
            if kind == "choice" and (
                not isinstance(choices, list)
                or len(choices) < 2
                or not all(isinstance(c, str) and c.strip() for c in choices)
            ):
                self.problems.append(
                    (f"{where}.choices", "a choice question needs at least two choices")
                )
                continue
            if any(q.id == question_id for q in questions):
                self.problems.append((f"{where}.id", f"{question_id!r} is used twice"))
                continue
            questions.append(
                Question(
                    question_id,
                    label.strip(),
                    kind,
                    bool(item.get("required")),
                    tuple(c.strip() for c in choices) if kind == "choice" else (),
                )
            )
        return tuple(questions)
