"""The settings model's bounds: every field refuses what it cannot hold, with its name."""

from __future__ import annotations

from typing import Any

import pytest

from meetings_ui import i18n
from meetings_ui.domain.link_settings import InvalidSettingsError, LinkSettings
from meetings_ui.domain.messages import Text


def problems_of(data: Any) -> dict[str, str]:
    with pytest.raises(InvalidSettingsError) as refused:
        LinkSettings.from_json(data)
    return dict(refused.value.problems)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"time_zone": ["x"]}, "time_zone"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"time_zone": " UTC"}, "time_zone"),
        ({"durations": []}, "durations"),
        ({"durations": [4]}, "durations"),
        ({"durations": [1441]}, "durations"),
        ({"durations": [True]}, "durations"),
        ({"durations": ["30"]}, "durations"),
        ({"durations": list(range(5, 60, 5))}, "durations"),
        ({"slot_interval": 4}, "slot_interval"),
        ({"buffer_before": -1}, "buffer_before"),
        ({"buffer_after": 1441}, "buffer_after"),
        ({"minimum_notice": 365 * 24 * 60 + 1}, "minimum_notice"),
        ({"rolling_days": 0}, "rolling_days"),
        ({"rolling_days": 731}, "rolling_days"),
        ({"daily_cap": 101}, "daily_cap"),
        ({"reminders": [4]}, "reminders"),
        ({"reminders": [7 * 24 * 60 + 1]}, "reminders"),
        ({"weekly": {"monday": [["09:00", "17:00"]]}}, "weekly.monday"),
        ({"weekly": {"mon": [["09:00", "24:00"]]}}, "weekly.mon"),
        ({"weekly": {"mon": [["9:00", "17:00"]]}}, "weekly.mon"),
        ({"weekly": {"mon": [["10:00", "10:00"]]}}, "weekly.mon"),
        ({"weekly": {"mon": [["09:00", "10:00"]] * 11}}, "weekly.mon"),
        ({"weekly": []}, "weekly"),
        ({"overrides": {"2026-02-30": []}}, "overrides.2026-02-30"),
        ({"overrides": {"9999-12-31": []}}, "overrides.9999-12-31"),
        ({"date_range": ["2026-02-01", "2026-01-01"]}, "date_range"),
        ({"date_range": ["0001-01-01", "2026-01-01"]}, "date_range"),
        ({"date_range": "2026-01-01"}, "date_range"),
        ({"questions": [{"label": "x"}] * 21}, "questions"),
        ({"questions": [{"label": "A"}, {"label": "a"}]}, "questions"),
        ({"questions": [{"label": ""}]}, "questions[0].label"),
        ({"questions": [{"label": "x" * 201}]}, "questions[0].label"),
        ({"questions": [{"label": "Zoe\rBEGIN:VEVENT"}]}, "questions[0].label"),
        ({"questions": [{"label": "Email"}]}, "questions[0].id"),
        (
            {"questions": [{"label": "Topic", "kind": "choice", "choices": ["a"]}]},
            "questions[0].choices",
        ),
        ({"questions": [{"label": "Topic", "kind": "list"}]}, "questions[0].kind"),
        ({"questions": [{"label": "Topic", "required": "yes"}]}, "questions[0].required"),
        ({"questions": [{"label": "Topic", "colour": "red"}]}, "questions[0].colour"),
        ({"confirmation_message": "x" * 2001}, "confirmation_message"),
        ({"confirmation_message": "see you\x00"}, "confirmation_message"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_each_bound_is_refused_by_field(data: dict[str, Any], field: str) -> None:
    assert field in problems_of(data)


def test_a_questions_own_field_is_named_with_its_own_problem() -> None:
    problems = problems_of({"questions": [{"label": 5}]})
    assert problems["questions[0].label"] == "Input should be a valid string"


def test_non_objects_are_refused() -> None:
    assert problems_of(["x"]) == {"settings": "must be an object"}
    assert problems_of("time_zone") == {"settings": "must be an object"}


@pytest.mark.parametrize(
    "data",
    [
        {"durations": [5, 1440], "slot_interval": 5, "buffer_before": 1440, "reminders": []},
        {"minimum_notice": 0, "rolling_days": None, "daily_cap": 100},
        {"date_range": ["2000-01-01", "2199-12-31"]},
        {"weekly": {"sun": [["00:00", "00:00"]], "sat": [["22:00", "02:00"]]}},
        {"confirmation_message": "Line one\nLine two\twith a tab"},
    ],
)
def test_the_bounds_themselves_are_accepted_and_round_trip(data: dict[str, Any]) -> None:
    settings = LinkSettings.from_json(data)
    assert LinkSettings.from_json(settings.to_json()) == settings


def test_keys_left_out_keep_the_base_values() -> None:
    base = LinkSettings.from_json({"time_zone": "Asia/Tokyo", "durations": [45]})
    changed = LinkSettings.from_json({"buffer_after": 10}, base=base)
    assert (changed.time_zone, changed.durations, changed.buffer_after) == ("Asia/Tokyo", (45,), 10)


def test_the_json_schema_carries_the_bounds() -> None:
    schema = LinkSettings.model_json_schema()
    assert schema["additionalProperties"] is False
    durations = schema["properties"]["durations"]
    assert durations["items"]["minimum"] == 5 and durations["items"]["maximum"] == 1440
    assert durations["maxItems"] == 10 and durations["minItems"] == 1
    assert set(schema["properties"]["weekly"]["propertyNames"]["enum"]) >= {"mon", "sun"}


def test_a_question_id_comes_from_its_label() -> None:
    settings = LinkSettings.from_json({"questions": [{"label": "2nd phone number"}]})
    assert settings.questions[0].id == "q_2nd_phone_number"


# --- where people meet (M9 item 8) -----------------------------------------------------------


def test_settings_stored_before_video_meetings_load_with_none() -> None:
    old = LinkSettings().to_json()
    for key in ("video", "location", "meeting_url"):
        del old[key]
    loaded = LinkSettings.from_json(old)
    assert (loaded.video, loaded.location, loaded.meeting_url) == ("none", "", "")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://files.example.org/room",
        "zoom.us/j/123",
        "https://",
        "https://zoom.us/j/1\n2",
    ],
)
def test_a_meeting_address_must_be_a_web_address(url: str) -> None:
    with pytest.raises(InvalidSettingsError) as refused:
        LinkSettings.from_json({"meeting_url": url})
    assert refused.value.problems[0][0] == "meeting_url"


def test_a_place_and_a_web_address_are_kept_as_typed() -> None:
    settings = LinkSettings.from_json(
        {"location": "  Office, 3 rue X  ", "meeting_url": "https://zoom.us/j/123?pwd=Ab"}
    )
    assert settings.location == "Office, 3 rue X"
    assert settings.meeting_url == "https://zoom.us/j/123?pwd=Ab"


def test_a_place_is_one_clean_line_and_the_video_a_known_service() -> None:
    with pytest.raises(InvalidSettingsError, match="line breaks"):
        LinkSettings.from_json({"location": "Office\nLine two"})
    with pytest.raises(InvalidSettingsError, match="google_meet"):
        LinkSettings.from_json({"video": "zoom"})


def test_a_video_meeting_and_an_own_web_address_exclude_each_other() -> None:
    with pytest.raises(InvalidSettingsError, match="not both"):
        LinkSettings.from_json({"video": "google_meet", "meeting_url": "https://zoom.us/j/1"})
    both = LinkSettings.from_json({"video": "microsoft_teams", "location": "Room 4"})
    assert both.video == "microsoft_teams" and both.location == "Room 4"


# --- a day's intervals (M12: the availability editor) --------------------------------------


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"weekly": {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}}, "weekly.mon"),
        ({"weekly": {"fri": [["09:00", "17:00"], ["10:00", "11:00"]]}}, "weekly.fri"),
        ({"weekly": {"sat": [["22:00", "02:00"], ["23:00", "23:30"]]}}, "weekly.sat"),
        ({"weekly": {"sun": [["00:00", "00:00"], ["08:00", "09:00"]]}}, "weekly.sun"),
        ({"overrides": {"2026-12-24": [["10:00", "12:00"], ["10:00", "11:00"]]}},
         "overrides.2026-12-24"),
    ],
)  # fmt: skip
def test_overlapping_intervals_of_a_day_are_refused_with_both_named(
    data: dict[str, Any], field: str
) -> None:
    message = problems_of(data)[field]
    assert "overlap" in message and message.count("–") == 2


def test_touching_and_night_intervals_are_accepted() -> None:
    settings = LinkSettings.from_json(
        {"weekly": {"mon": [["09:00", "12:00"], ["12:00", "13:00"], ["22:00", "02:00"],
                            ["01:00", "03:00"]]}}
    )  # fmt: skip
    assert len(settings.weekly["mon"]) == 4


def test_stored_overlapping_intervals_still_load_and_other_changes_save() -> None:
    """Settings saved before the check keep working: only what is given is checked."""
    stored = LinkSettings.model_validate(
        {"weekly": {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}}
    )
    changed = LinkSettings.from_json({"buffer_after": 5}, base=stored)
    assert changed.buffer_after == 5 and len(changed.weekly["mon"]) == 2


def test_messages_keep_their_template_for_translation() -> None:
    problems = problems_of({"time_zone": "Mars/Olympus", "durations": []})
    assert all(isinstance(m, Text) for m in problems.values())
    assert i18n.translate(problems["durations"], "fr") != problems["durations"]
