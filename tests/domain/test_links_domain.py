"""Slugs (S7, S16), link settings validation, the editor's fields and .ics files."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from meetings_ui.domain import link_form, slugs
from meetings_ui.domain.availability import TimeWindow
from meetings_ui.domain.ics import CalendarInvite, invite_ics
from meetings_ui.domain.link_settings import WEEKDAYS, InvalidSettingsError, LinkSettings


@pytest.mark.parametrize(
    ("slug", "problem"),
    [
        ("ab", "at least 3"),
        ("a" * 61, "at most 60"),
        ("Jane Doe", "lower-case"),
        ("jane--doe", "single hyphens"),
        ("-jane", "single hyphens"),
        ("zoë", "lower-case"),
        ("admin", "reserved"),
        ("meetings", "reserved"),
        ("", "Enter"),
    ],
)
def test_bad_slugs_say_what_to_fix(slug: str, problem: str) -> None:
    assert any(problem in p for p in slugs.slug_problems(slug))


def test_good_slugs_and_text_to_slug() -> None:
    assert slugs.slug_problems("jane-doe-2") == []
    assert slugs.slug_from_text("  Zoë's Démo call! ") == "zoe-s-demo-call"


def test_suggestions_skip_taken_slugs() -> None:
    taken = {"jane", "jane-2", "jane-3"}
    assert slugs.suggestions("jane", taken.__contains__) == ["jane-4", "jane-5", "jane-6"]


def test_default_slug_follows_the_meetings_url_then_the_link_name() -> None:
    taken: set[str] = set()
    assert slugs.default_link_slug("jane", "Intro", taken.__contains__) == "jane"
    taken.add("jane")
    assert slugs.default_link_slug("jane", "Intro call", taken.__contains__) == "jane-intro-call"
    taken.add("jane-intro-call")
    assert slugs.default_link_slug("jane", "Intro call", taken.__contains__) == "jane-intro-call-2"


def test_settings_round_trip_through_json() -> None:
    settings = LinkSettings.from_json(
        {
            "time_zone": "Europe/Paris",
            "durations": [60, 30],
            "weekly": {"mon": [["09:00", "12:00"]], "fri": [["22:00", "02:00"]]},
            "overrides": {"2026-12-24": []},
            "questions": [{"label": "Company", "required": True}],
        }
    )
    assert settings.durations == (30, 60)
    assert settings.rules().weekly[4] == (TimeWindow(time(22), time(2)),)
    assert settings.questions[0].id == "company"
    assert LinkSettings.from_json(settings.to_json()) == settings


def test_every_problem_is_reported_with_its_field() -> None:
    with pytest.raises(InvalidSettingsError) as refused:
        LinkSettings.from_json(
            {
                "time_zone": "Mars/Olympus",
                "durations": [],
                "weekly": {"mon": [["9am", "5pm"]]},
                "buffer_before": -1,
                "questions": [{"label": "Pick", "kind": "choice", "choices": ["only one"]}],
                "colour": "blue",
            }
        )
    fields = {field for field, _ in refused.value.problems}
    assert fields >= {
        "time_zone",
        "durations",
        "weekly.mon",
        "buffer_before",
        "questions[0].choices",
        "colour",
    }


def test_answers_are_checked_against_the_questions() -> None:
    settings = LinkSettings.from_json(
        {
            "questions": [
                {"id": "company", "label": "Company", "required": True},
                {"id": "size", "label": "Size", "kind": "choice", "choices": ["Small", "Large"]},
            ]
        }
    )
    assert settings.answer_problems({"company": "Acme", "size": "Small"}) == []
    problems = dict(settings.answer_problems({"size": "Huge", "other": "x"}))
    assert set(problems) == {"answers.company", "answers.size", "answers.other"}


def test_the_editor_structure_round_trips_the_settings() -> None:
    weekly = {"mon": [["09:00", "12:00"], ["13:00", "17:00"]], "sat": [["22:00", "02:00"]]}
    week = link_form.week_from(weekly)
    assert [row.day for row in week] == list(WEEKDAYS)
    assert week[1] == link_form.DayHours("tue", False, [["09:00", "17:00"]])  # off, ready
    assert link_form.weekly_from(week) == weekly
    week[0].on = False  # switched off: its hours are kept for when it is on again
    assert "mon" not in link_form.weekly_from(week) and week[0].intervals == weekly["mon"]

    overrides = {"2026-12-26": [["10:00", "12:00"]], "2026-12-24": []}
    dates = link_form.dates_from(overrides)
    assert [(d.date, d.off) for d in dates] == [("2026-12-24", True), ("2026-12-26", False)]
    assert link_form.overrides_from(dates) == overrides
    assert link_form.next_free_date(["2026-12-25"], date(2026, 12, 24)) == "2026-12-26"

    questions = [
        {"id": "company", "label": "Company", "kind": "text", "required": True, "choices": []},
        {"id": "size", "label": "Size", "kind": "choice", "required": False, "choices": ["1", "2"]},
    ]
    rows = link_form.questions_from(questions)
    assert rows[0].choices == ["", ""]  # ready for when it becomes a choice question
    assert link_form.questions_json(rows) == questions
    rows.append(link_form.QuestionRow("", "Team size", False, True, ["1-10", " ", "11-50"]))
    settings = LinkSettings.from_json({"questions": link_form.questions_json(rows)})
    assert settings.questions[2].id == "team_size"  # a new question's id from its label
    assert settings.questions[2].choices == ("1-10", "11-50")  # empty choices left out


def test_editor_numbers_keep_their_unit_and_leave_judging_to_the_settings() -> None:
    assert link_form.in_unit(2880) == ("2", "days")
    assert link_form.in_unit(240) == ("4", "hours")
    assert link_form.in_unit(90) == ("90", "minutes")
    assert link_form.in_unit(0) == ("0", "minutes")
    assert link_form.to_minutes("3", "hours") == 180
    assert link_form.whole_number("") is None and link_form.whole_number(" 15 ") == 15
    assert link_form.whole_number("-5") == "-5"  # passed on, for LinkSettings to refuse
    with pytest.raises(InvalidSettingsError) as refused:
        LinkSettings.from_json({"buffer_before": link_form.whole_number("-5")})
    assert dict(refused.value.problems)["buffer_before"] == "Enter whole minutes from 0 to 1440."
    assert link_form.toggled([30, 60], 30) == [60] and link_form.toggled([60], 15) == [15, 60]
    assert link_form.chips((15, 30), [30, 50]) == [(15, False), (30, True), (50, True)]
    assert link_form.next_interval([["09:00", "12:00"]]) == ["13:00", "14:00"]


def test_ics_invite_is_valid_icalendar() -> None:
    invite = CalendarInvite(
        uid="booking-1@meetings",
        start=datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
        end=datetime(2026, 3, 29, 2, 0, tzinfo=UTC),
        summary="Intro; call, with Ana",
        description="Line one\nLine two " + "x" * 100,
        organizer_name="Ana",
        organizer_email="ana@example.com",
        attendee_name="Pat",
        attendee_email="pat@example.org",
    )
    text = invite_ics(invite, now=datetime(2026, 3, 1, tzinfo=UTC))
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "DTSTART:20260329T013000Z" in text and "METHOD:REQUEST" in text
    assert "SUMMARY:Intro\\; call\\, with Ana" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    cancelled = invite_ics(
        CalendarInvite(**{**invite.__dict__, "cancelled": True}), now=datetime.now(UTC)
    )
    assert "METHOD:CANCEL" in cancelled and "STATUS:CANCELLED" in cancelled
