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
from meetings_ui.domain.messages import Text
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
        raise ValueError(Text('Each interval needs a start and an end time ("HH:MM").'))
    return time.fromisoformat(value)


def _iso_date(value: object) -> date:
    if not isinstance(value, date):
        if not isinstance(value, str):
            raise ValueError(Text("Choose a date (YYYY-MM-DD)."))
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise ValueError(Text("Choose a date (YYYY-MM-DD).")) from None
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(
            Text(
                "Choose a date between {earliest} and {latest}.",
                earliest=EARLIEST_DATE.isoformat(),
                latest=LATEST_DATE.isoformat(),
            )
        )
    return value


def _time_zone(value: str) -> str:
    if not is_time_zone(value):
        raise ValueError(Text("“{zone}” is not a time zone: choose one from the list.", zone=value))
    return value


def _window(value: tuple[time, time]) -> tuple[time, time]:
    start, end = value
    if start == end and start != time(0):
        raise ValueError(
            Text(
                "An interval cannot start and end at the same time (00:00–00:00 is the whole day)."
            )
        )
    return value


_HTTP_URL = TypeAdapter(HttpUrl)


def _web_address(value: str) -> str:
    """An address people click: http(s) only (never javascript: or data:), kept as typed."""
    if not value:
        return value
    try:
        _HTTP_URL.validate_python(value)
    except ValidationError:
        raise ValueError(Text("Enter a web address starting with https:// or http://.")) from None
    return value


def _sorted_unique(values: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(sorted(set(values)))


def _as_text(cleaner: Any, **limits: Any) -> AfterValidator:
    def check(value: str) -> str:
        try:
            return cleaner(value, **limits)
        except InvalidTextError as error:
            raise ValueError(error.args[0]) from None

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
            raise ValueError(
                Text("Name and email are always asked: give this question another id.")
            )
        return value

    @field_validator("choices")
    @classmethod
    def _choices_fit_the_kind(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        kind = info.data.get("kind")
        if kind == "choice" and len(value) < 2:
            raise ValueError(Text("A choice question needs at least two choices."))
        if kind == "text" and value:
            raise ValueError(Text("Only a choice question has choices."))
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
            raise ValueError(Text("The date range ends before it starts."))
        return value

    @field_validator("questions")
    @classmethod
    def _distinct_ids(cls, value: tuple[Question, ...]) -> tuple[Question, ...]:
        ids = [question.id for question in value]
        if len(ids) != len(set(ids)):
            raise ValueError(Text("Two questions have the same id."))
        return value

    @model_validator(mode="after")
    def _one_video_link(self) -> LinkSettings:
        if self.video != VideoMeeting.NONE and self.meeting_url:
            raise ValueError(
                Text(
                    "Choose a video meeting from your calendar or a web address of your own, "
                    "not both."
                )
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
            raise InvalidSettingsError([("settings", Text("must be an object"))])
        merged = {**(base.to_json() if base else {}), **data}
        try:
            settings = cls.model_validate(merged)
        except ValidationError as error:
            raise InvalidSettingsError(_problems(error)) from None
        # Only what is given: settings stored before this check still load and save.
        days = {
            **({f"weekly.{d}": w for d, w in settings.weekly.items()} if "weekly" in data else {}),
            **(
                {f"overrides.{d.isoformat()}": w for d, w in settings.overrides.items()}
                if "overrides" in data
                else {}
            ),
        }
        problems = [(f, m) for f, w in days.items() if (m := overlap_problem(w))]
        if problems:
            raise InvalidSettingsError(problems)
        return settings

    # --- booking answers -------------------------------------------------------------

    def answer_problems(self, answers: object) -> list[tuple[str, str]]:
        """What is wrong with a prospect's answers to the link's questions."""
        if not isinstance(answers, Mapping):
            return [("answers", Text("must be an object"))]
        known = {q.id for q in self.questions}
        problems = [
            (f"answers.{key}", Text("is not a question of this link"))
            for key in answers
            if key not in known
        ]
        for question in self.questions:
            where = f"answers.{question.id}"
            value = answers.get(question.id)
            if value is None or (isinstance(value, str) and not value.strip()):
                if question.required:
                    problems.append((where, Text("“{label}” is required.", label=question.label)))
                continue
            if not isinstance(value, str):
                problems.append((where, Text("must be text")))
            elif question.kind == "choice" and value not in question.choices:
                problems.append(
                    (where, Text("Choose one of: {choices}.", choices=", ".join(question.choices)))
                )
            else:
                try:
                    clean_text(value, max_length=MAX_TEXT_ANSWER)
                except InvalidTextError as error:
                    problems.append((where, _said(error)))
        return problems


# --- a day's intervals -------------------------------------------------------------------


def _span(window: tuple[time, time]) -> tuple[int, int]:
    """Minutes from the day's midnight; an end at or before the start is on the next day."""
    start, end = (t.hour * 60 + t.minute for t in window)
    return start, end + (MINUTES_PER_DAY if end <= start else 0)


def _clock_range(window: tuple[time, time]) -> str:
    return f"{window[0]:%H:%M}–{window[1]:%H:%M}"


def overlap_problem(windows: tuple[tuple[time, time], ...]) -> Text | None:
    """Two intervals of one day that overlap (touching is fine), said so the host can fix
    it: the engine would join them silently, which hides a typing mistake."""
    latest: tuple[int, tuple[time, time]] | None = None  # the furthest end seen, and whose
    for window in sorted(windows, key=_span):
        start, end = _span(window)
        if latest is not None and start < latest[0]:
            return Text(
                "{first} and {second} overlap: join them into one interval or change one.",
                first=_clock_range(latest[1]),
                second=_clock_range(window),
            )
        if latest is None or end > latest[0]:
            latest = (end, window)
    return None


# --- validation errors → (field, message) ---------------------------------------------------

# What each setting must be, said once, for the errors pydantic raises on types and bounds.
_EXPECTED = {
    "time_zone": Text("Choose a time zone from the list (e.g. Europe/Paris)."),
    "durations": Text("Choose from one to ten durations, each from 5 to 1440 minutes."),
    "slot_interval": Text("Leave it empty or enter whole minutes from 5 to 1440."),
    "weekly": Text(
        "Each weekday ({days}) has a list of intervals [start, end].", days=", ".join(WEEKDAYS)
    ),
    "overrides": Text("Each date (YYYY-MM-DD) has a list of intervals [start, end]."),
    "buffer_before": Text("Enter whole minutes from 0 to 1440."),
    "buffer_after": Text("Enter whole minutes from 0 to 1440."),
    "minimum_notice": Text("Enter a notice from 0 minutes to 365 days."),
    "rolling_days": Text("Leave it empty or enter whole days from 1 to 730."),
    "date_range": Text('Enter ["YYYY-MM-DD", "YYYY-MM-DD"] or nothing.'),
    "daily_cap": Text("Leave it empty or enter a whole number from 1 to 100."),
    "questions": Text("Ask at most {count} questions.", count=MAX_QUESTIONS),
    "confirmation_message": Text("Use at most {max_length} characters.", max_length=2000),
    "reminders": Text("Reminders are whole minutes from 5 to 10080 before the meeting."),
    "video": Text("Choose none, google_meet or microsoft_teams."),
    "location": Text("Write one line of at most {max_length} characters.", max_length=MAX_LOCATION),
    "meeting_url": Text("Enter a web address starting with https:// or http://."),
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
            message = (
                Text("is not a setting")
                if len(item["loc"]) == 1
                else Text("is not a question field")
            )
        elif item["type"] == "value_error":
            message = _said(item["ctx"]["error"])
        elif item["type"] == "string_pattern_mismatch" and field.endswith(".id"):
            message = Text("Use lower-case letters, digits and _, starting with a letter.")
        elif field.startswith("questions[") and "." in field:  # a question's own field
            message = item["msg"]
        else:
            message = _EXPECTED.get(str(item["loc"][0]) if item["loc"] else "", item["msg"])
        if (field, message) not in problems:
            problems.append((field, message))
    return problems


def _said(error: BaseException) -> str:
    """A validator's message as it raised it: a `Text` keeps its template for translation."""
    said = error.args[0] if error.args else ""
    return said if isinstance(said, str) else str(error)
