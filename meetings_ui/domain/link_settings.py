"""A meeting link's settings: what the host shapes, as one pydantic model.

`LinkSettings` is the single place for the fields, their defaults, bounds and JSON
schema. `LinkSettings.from_json` is the gate for settings coming from the UI or the
API: it refuses anything malformed with messages naming the field, so a bad request
never reaches the database. The database stores the model's JSON (see
`models.LinkSettingsType`), and services receive the typed object.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, time
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    PlainSerializer,
    StrictBool,
    StrictInt,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from meetings_ui.domain.availability import InvalidRulesError, LinkRules, TimeWindow
from meetings_ui.domain.enums import VideoMeeting
from meetings_ui.domain.text_fields import InvalidTextError, clean_line, clean_text
from meetings_ui.domain.time_zones import (
    EARLIEST_DATE,
    LATEST_DATE,
    is_time_zone,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
MAX_QUESTIONS = 20
MAX_TEXT_ANSWER = 2000
MAX_WINDOWS_PER_DAY = 10
MINUTES_PER_DAY = 24 * 60
MAX_LOCATION = 300
MAX_MEETING_URL = 2000
RESERVED_QUESTION_IDS = frozenset({"name", "email"})
_CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_QUESTION_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")


class InvalidSettingsError(ValueError):
    """Each problem as (field, message)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))
        self.problems = problems


# --- field types -------------------------------------------------------------------------


def _clock(value: object) -> time:
    if isinstance(value, time):
        return value
    if not isinstance(value, str) or not _CLOCK.fullmatch(value):
        raise ValueError('each window is ["HH:MM", "HH:MM"]')
    return time.fromisoformat(value)


def _iso_date(value: object) -> date:
    if not isinstance(value, date):
        if not isinstance(value, str):
            raise ValueError("is not a date (YYYY-MM-DD)")
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise ValueError("is not a date (YYYY-MM-DD)") from None
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"must lie between {EARLIEST_DATE} and {LATEST_DATE}")
    return value


def _time_zone(value: str) -> str:
    if not is_time_zone(value):
        raise ValueError(f"{value!r} is not an IANA time zone (e.g. Europe/Paris)")
    return value


def _window(value: tuple[time, time]) -> tuple[time, time]:
    start, end = value
    if start == end and start != time(0):
        raise ValueError("a window cannot start and end at the same time (00:00–00:00 is all day)")
    return value


_HTTP_URL = TypeAdapter(HttpUrl)


def _web_address(value: str) -> str:
    """An address people click: http(s) only (never javascript: or data:), kept as typed."""
    if not value:
        return value
    try:
        _HTTP_URL.validate_python(value)
    except ValidationError:
        raise ValueError("must be a web address starting with https:// or http://") from None
    return value


def _sorted_unique(values: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(sorted(set(values)))


def _as_text(cleaner: Any, **limits: Any) -> AfterValidator:
    def check(value: str) -> str:
        try:
            return cleaner(value, **limits)
        except InvalidTextError as error:
            raise ValueError(str(error)) from None

    return AfterValidator(check)


Clock = Annotated[
    time,
    BeforeValidator(_clock),
    PlainSerializer(lambda value: value.strftime("%H:%M"), return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$"}),
]
IsoDate = Annotated[
    date,
    BeforeValidator(_iso_date),
    PlainSerializer(lambda value: value.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date"}),
]
Window = Annotated[tuple[Clock, Clock], AfterValidator(_window)]
DayWindows = Annotated[tuple[Window, ...], Field(max_length=MAX_WINDOWS_PER_DAY)]
TimeZoneName = Annotated[str, AfterValidator(_time_zone)]


def _minutes(low: int, high: int) -> Any:
    return Annotated[StrictInt, Field(ge=low, le=high)]


def _minute_list(low: int, high: int, *, min_length: int) -> Any:
    return Annotated[
        tuple[_minutes(low, high), ...],
        Field(min_length=min_length, max_length=10),
        AfterValidator(_sorted_unique),
    ]


class Question(BaseModel):
    """A booking question beyond name and email; `id` is derived from the label if absent."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, Field(pattern=_QUESTION_ID.pattern, max_length=40)]
    label: Annotated[str, _as_text(clean_line, max_length=200)]
    kind: Literal["text", "choice"] = "text"
    required: StrictBool = False
    choices: tuple[Annotated[str, _as_text(clean_line, max_length=200)], ...] = Field(
        default=(), max_length=50
    )

    @model_validator(mode="before")
    @classmethod
    def _derive_id(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and not data.get("id") and isinstance(data.get("label"), str):
            derived = re.sub(r"[^a-z0-9]+", "_", data["label"].lower()).strip("_")
            if derived and not derived[0].isalpha():
                derived = f"q_{derived}"
            return {**data, "id": derived[:40]}
        return data

    @field_validator("id")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value in RESERVED_QUESTION_IDS:
            raise ValueError("name and email are always asked: give this question another id")
        return value

    @field_validator("choices")
    @classmethod
    def _choices_fit_the_kind(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        kind = info.data.get("kind")
        if kind == "choice" and len(value) < 2:
            raise ValueError("a choice question needs at least two choices")
        if kind == "text" and value:
            raise ValueError("only a choice question has choices")
        return value


class LinkSettings(BaseModel):
    """Availability rules, questions and messages of one meeting link (all minutes)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    time_zone: TimeZoneName = "UTC"
    durations: _minute_list(5, MINUTES_PER_DAY, min_length=1) = (30,)
    slot_interval: _minutes(5, MINUTES_PER_DAY) | None = None
    weekly: dict[Weekday, DayWindows] = Field(
        default_factory=lambda: {day: ((time(9), time(17)),) for day in WEEKDAYS[:5]}
    )
    # A date's own windows replace its weekday's; an empty list is a day off.
    overrides: Annotated[dict[IsoDate, DayWindows], Field(max_length=366)] = Field(
        default_factory=dict
    )
    buffer_before: _minutes(0, MINUTES_PER_DAY) = 0
    buffer_after: _minutes(0, MINUTES_PER_DAY) = 0
    minimum_notice: _minutes(0, 365 * MINUTES_PER_DAY) = 240
    rolling_days: _minutes(1, 730) | None = 60
    date_range: tuple[IsoDate, IsoDate] | None = None
    daily_cap: _minutes(1, 100) | None = None
    questions: Annotated[tuple[Question, ...], Field(max_length=MAX_QUESTIONS)] = ()
    confirmation_message: Annotated[str, _as_text(clean_text, max_length=2000)] = ""
    reminders: _minute_list(5, 7 * MINUTES_PER_DAY, min_length=0) = (1440,)  # before the start
    # Where people meet. `video`: the host's calendar adds a Google Meet or a Teams meeting
    # to each booked event (its join link known once the event is written). Otherwise a
    # fixed place (shown as text, never as a link) and/or a web address of the host's own
    # (a Zoom room), for every link, connected or offline.
    video: VideoMeeting = VideoMeeting.NONE
    location: Annotated[str, _as_text(clean_line, max_length=MAX_LOCATION, required=False)] = ""
    meeting_url: Annotated[
        str,
        _as_text(clean_line, max_length=MAX_MEETING_URL, required=False),
        AfterValidator(_web_address),
    ] = ""

    @field_validator("date_range")
    @classmethod
    def _range_in_order(cls, value: tuple[date, date] | None) -> tuple[date, date] | None:
        if value is not None and value[1] < value[0]:
            raise ValueError("ends before it starts")
        return value

    @field_validator("questions")
    @classmethod
    def _distinct_ids(cls, value: tuple[Question, ...]) -> tuple[Question, ...]:
        ids = [question.id for question in value]
        if len(ids) != len(set(ids)):
            raise ValueError("two questions have the same id")
        return value

    @model_validator(mode="after")
    def _one_video_link(self) -> LinkSettings:
        if self.video != VideoMeeting.NONE and self.meeting_url:
            raise ValueError(
                "choose a video meeting from your calendar or a web address of your own, not both"
            )
        return self

    @model_validator(mode="after")
    def _rules_hold(self) -> LinkSettings:
        try:
            self.rules()
        except InvalidRulesError as error:
            raise ValueError(str(error)) from None
        return self

    def rules(self) -> LinkRules:
        def windows(items: tuple[tuple[time, time], ...]) -> tuple[TimeWindow, ...]:
            return tuple(TimeWindow(start, end) for start, end in items)

        return LinkRules(
            time_zone=self.time_zone,
            weekly={WEEKDAYS.index(day): windows(w) for day, w in self.weekly.items() if w},
            overrides={day: windows(w) for day, w in self.overrides.items()},
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
        """The settings as stored and as the API shows them (days in week order)."""
        data = self.model_dump(mode="json")
        data["weekly"] = {day: data["weekly"][day] for day in WEEKDAYS if day in data["weekly"]}
        data["overrides"] = dict(sorted(data["overrides"].items()))
        return data

    @classmethod
    def from_json(cls, data: object, *, base: LinkSettings | None = None) -> LinkSettings:
        """Settings from JSON; keys left out keep the value of `base` (or the defaults)."""
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise InvalidSettingsError([("settings", "must be an object")])
        merged = {**(base.to_json() if base else {}), **data}
        try:
            return cls.model_validate(merged)
        except ValidationError as error:
            raise InvalidSettingsError(_problems(error)) from None

    # --- booking answers -------------------------------------------------------------

    def answer_problems(self, answers: object) -> list[tuple[str, str]]:
        """What is wrong with a prospect's answers to the link's questions."""
        if not isinstance(answers, Mapping):
            return [("answers", "must be an object")]
        known = {q.id for q in self.questions}
        problems = [
            (f"answers.{key}", "is not a question of this link")
            for key in answers
            if key not in known
        ]
        for question in self.questions:
            where = f"answers.{question.id}"
            value = answers.get(question.id)
            if value is None or (isinstance(value, str) and not value.strip()):
                if question.required:
                    problems.append((where, f"“{question.label}” is required"))
                continue
            if not isinstance(value, str):
                problems.append((where, "must be text"))
            elif question.kind == "choice" and value not in question.choices:
                problems.append((where, f"choose one of: {', '.join(question.choices)}"))
            else:
                try:
                    clean_text(value, max_length=MAX_TEXT_ANSWER)
                except InvalidTextError as error:
                    problems.append((where, str(error)))
        return problems


# --- validation errors → (field, message) ---------------------------------------------------

# What each setting must be, said once, for the errors pydantic raises on types and bounds.
_EXPECTED = {
    "time_zone": "must be an IANA time zone name (e.g. Europe/Paris)",
    "durations": "must list whole numbers of minutes from 5 to 1440",
    "slot_interval": "must be empty or a whole number of minutes from 5 to 1440",
    "weekly": f"must map days ({', '.join(WEEKDAYS)}) to lists of [start, end] times",
    "overrides": "must map dates (YYYY-MM-DD) to lists of [start, end] times",
    "buffer_before": "must be a whole number of minutes from 0 to 1440",
    "buffer_after": "must be a whole number of minutes from 0 to 1440",
    "minimum_notice": "must be a whole number of minutes from 0 to 525600",
    "rolling_days": "must be empty or a whole number of days from 1 to 730",
    "date_range": 'must be ["YYYY-MM-DD", "YYYY-MM-DD"] or empty',
    "daily_cap": "must be empty or a whole number from 1 to 100",
    "questions": f"must be a list of at most {MAX_QUESTIONS} questions",
    "confirmation_message": "must be text of at most 2000 characters",
    "reminders": "must list whole numbers of minutes from 5 to 10080",
    "video": "must be none, google_meet or microsoft_teams",
    "location": f"must be one line of text of at most {MAX_LOCATION} characters",
    "meeting_url": "must be a web address starting with https:// or http://",
}


def _field(loc: tuple[int | str, ...]) -> str:
    """'weekly.mon', 'questions[0].label', 'durations': precise enough to find the input."""
    if not loc:
        return "settings"
    head, rest = str(loc[0]), loc[1:]
    if head in ("weekly", "overrides") and rest:
        return f"{head}.{rest[0]}"
    if head == "questions" and rest and isinstance(rest[0], int):
        tail = f".{rest[1]}" if len(rest) > 1 and isinstance(rest[1], str) else ""
        return f"questions[{rest[0]}]{tail}"
    return head


def _problems(error: ValidationError) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for item in error.errors():
        field = _field(item["loc"])
        if item["type"] == "extra_forbidden":
            message = "is not a setting" if len(item["loc"]) == 1 else "is not a question field"
        elif item["type"] == "value_error":
            message = str(item["ctx"]["error"])
        elif item["type"] == "string_pattern_mismatch" and field.endswith(".id"):
            message = "use lower-case letters, digits and _, starting with a letter"
        elif field.startswith("questions[") and "." in field:  # a question's own field
            message = item["msg"]
        else:
            message = _EXPECTED.get(str(item["loc"][0]) if item["loc"] else "", item["msg"])
        if (field, message) not in problems:
            problems.append((field, message))
    return problems
