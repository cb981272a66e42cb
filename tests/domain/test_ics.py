"""The .ics files stay well formed whatever people type into their names.

Every file is parsed back with icalendar: one event, one attendee, the names as typed
(control characters aside), and lines folded as RFC 5545 asks.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar

from meetings_ui.domain.ics import CalendarInvite, invite_ics

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)

HOSTILE_NAMES = {
    "colon": ("Zoe: Z", "Zoe: Z"),
    "semicolon and comma": ("Doe; John, Jr.", "Doe; John, Jr."),
    "parameter syntax": ('x";ROLE=CHAIR;CN="y', 'x";ROLE=CHAIR;CN="y'),
    "quotes": ('Ann "the Boss" O\'Neil', 'Ann "the Boss" O\'Neil'),
    "caret and backslash": ("a^n\\n b", "a^n\\n b"),
    "trailing backslash": ("Eve\\", "Eve\\"),
    "lone CR": ("Eve\rATTENDEE:mailto:eve@evil.example", "Eve ATTENDEE:mailto:eve@evil.example"),
    "CRLF and a component": (
        "Mallory\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil",
        "Mallory END:VEVENT BEGIN:VEVENT UID:evil",
    ),
    "lone LF": ("Bob\nSTATUS:CANCELLED", "Bob STATUS:CANCELLED"),
    "NUL and DEL": ("Nul\x00l\x7fa", "Nul l a"),
    "very long unicode": (
        "Zoë Ångström-Łukasiewicz " * 12,
        ("Zoë Ångström-Łukasiewicz " * 12).strip(),
    ),
    "emoji": ("🎉 Party 👩‍👩‍👧‍👦 Planner 🇫🇷", "🎉 Party 👩‍👩‍👧‍👦 Planner 🇫🇷"),
}


def invite(name: str, *, cancelled: bool = False, summary: str = "Intro call") -> CalendarInvite:
    return CalendarInvite(
        uid="booking-7@meetings",
        start=datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
        end=datetime(2026, 3, 29, 2, 0, tzinfo=UTC),
        summary=summary,
        description=f"Booked by {name} <pat@example.org> through Meetings.\nCompany: Acme",
        organizer_name="Hugo: Host",
        organizer_email="hugo@example.com",
        attendee_name=name,
        attendee_email="pat@example.org",
        sequence=2,
        cancelled=cancelled,
    )


def assert_well_folded(text: str) -> None:
    assert text.endswith("\r\n")
    physical = text.split("\r\n")[:-1]
    assert all(len(line.encode()) <= 75 for line in physical)
    assert "\r" not in "".join(physical) and "\n" not in "".join(physical)


def parsed_event(text: str):
    calendar = Calendar.from_ical(text)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


@pytest.mark.parametrize(("typed", "expected"), HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_hostile_names_stay_inside_their_parameter(typed: str, expected: str) -> None:
    text = invite_ics(invite(typed, summary=f"Intro call with {typed}"), now=NOW)
    assert_well_folded(text)
    calendar, event = parsed_event(text)
    attendees = event.get("ATTENDEE")
    assert not isinstance(attendees, list)  # exactly one ATTENDEE property
    assert str(attendees) == "mailto:pat@example.org"
    assert attendees.params["CN"] == expected
    assert attendees.params["ROLE"] == "REQ-PARTICIPANT"
    assert str(event["SUMMARY"]) == f"Intro call with {expected}"
    assert str(event["ORGANIZER"]) == "mailto:hugo@example.com"
    assert event["ORGANIZER"].params["CN"] == "Hugo: Host"
    assert str(event["STATUS"]) == "CONFIRMED" and str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == "booking-7@meetings" and event["SEQUENCE"] == 2


def test_an_invite_carries_what_calendars_need() -> None:
    text = invite_ics(invite("Pat"), now=NOW)
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    calendar, event = parsed_event(text)
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["CALSCALE"]) == "GREGORIAN"
    assert event.start == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert event.end == datetime(2026, 3, 29, 2, 0, tzinfo=UTC)
    assert event.DTSTAMP == NOW
    assert "DTSTART:20260329T013000Z" in text
    assert str(event["DESCRIPTION"]) == (
        "Booked by Pat <pat@example.org> through Meetings.\nCompany: Acme"
    )
    assert event["ATTENDEE"].params["RSVP"] == "TRUE"


def test_a_cancelled_booking_sends_a_cancel() -> None:
    calendar, event = parsed_event(invite_ics(invite("Pat", cancelled=True), now=NOW))
    assert str(calendar["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"


def test_line_breaks_in_the_description_are_kept_whatever_their_convention() -> None:
    written = invite_ics(
        CalendarInvite(**{**invite("Pat").__dict__, "description": "one\r\ntwo\rthree\nfour\x00"}),
        now=NOW,
    )
    _, event = parsed_event(written)
    assert str(event["DESCRIPTION"]) == "one\ntwo\nthree\nfour"


def test_an_organizer_name_ending_in_a_backslash_keeps_the_address_whole() -> None:
    hostile = CalendarInvite(**{**invite("Pat").__dict__, "organizer_name": "Hugo\\"})
    _, event = parsed_event(invite_ics(hostile, now=NOW))
    assert str(event["ORGANIZER"]) == "mailto:hugo@example.com"
    assert event["ORGANIZER"].params["CN"] == "Hugo\\"


@given(st.text(max_size=300))
def test_any_name_gives_one_event_with_one_attendee(name: str) -> None:
    text = invite_ics(invite(name, summary=name), now=NOW)
    assert_well_folded(text)
    _, event = parsed_event(text)
    attendee = event["ATTENDEE"]
    assert not isinstance(attendee, list) and str(attendee) == "mailto:pat@example.org"
    assert (attendee.params["ROLE"], attendee.params["RSVP"]) == ("REQ-PARTICIPANT", "TRUE")
    expected = re.sub(r"[\x00-\x1f\x7f-\x9f]+", " ", name).strip()
    assert str(event["SUMMARY"]) == expected
    # icalendar's reader unescapes \; \, \: and \\ even inside a quoted parameter value
    # (RFC 5545 and 6868 have no backslash escapes there): only then may a CN differ.
    if not re.search(r"\\[\\;,:]", expected):
        assert attendee.params["CN"] == expected


def test_a_place_is_the_location_and_a_join_link_also_url_and_conference() -> None:
    join = "https://meet.google.com/abc-defg-hij"
    text = invite_ics(
        dataclasses.replace(invite("Pat"), location="Office, 3 rue X; floor 2", url=join), now=NOW
    )
    assert_well_folded(text)
    _, event = parsed_event(text)
    assert str(event["location"]) == "Office, 3 rue X; floor 2"
    assert str(event["url"]) == join
    assert str(event["conference"]) == join
    assert event["conference"].params["FEATURE"] == "VIDEO"
    assert str(event["description"]).endswith(f"\n\nJoin: {join}")


def test_a_join_link_alone_is_also_the_location_and_nothing_means_no_location() -> None:
    join = "https://teams.microsoft.com/l/meetup-join/x"
    _, event = parsed_event(invite_ics(dataclasses.replace(invite("Pat"), url=join), now=NOW))
    assert str(event["location"]) == join
    _, plain = parsed_event(invite_ics(invite("Pat"), now=NOW))
    assert "location" not in plain and "url" not in plain and "conference" not in plain


def test_a_place_cannot_inject_a_property() -> None:
    hostile = dataclasses.replace(invite("Pat"), location="Office\r\nURL:https://evil.example")
    _, event = parsed_event(invite_ics(hostile, now=NOW))
    assert "url" not in event
