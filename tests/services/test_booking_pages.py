"""The booking pages' use cases on the database, and the pure functions the pages derive
their grid, times and labels with."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import Session, select

from meetings_ui import routes
from meetings_ui.domain.availability import group_by_local_date
from meetings_ui.domain.enums import BookingStatus
from meetings_ui.domain.time_zones import zone
from meetings_ui.models import Booking, MeetingLink, User
from meetings_ui.services import booking_pages, bookings, scheduling
from meetings_ui.services.booking_pages import BookingForm, DayCell, TimeChoice
from meetings_ui.services.links import do_create_link, do_update_link

PARIS = "Europe/Paris"
NOW = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)  # a Tuesday
EVERY_DAY = {d: [["00:00", "00:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


pytestmark = pytest.mark.usefixtures("mail_captured")


@pytest.fixture
def link(session: Session, host: User) -> MeetingLink:
    return do_create_link(
        session=session,
        owner=host,
        name="Intro call",
        slug="intro",
        settings={
            "time_zone": PARIS,
            "weekly": EVERY_DAY,
            "durations": [30, 60],
            "slot_interval": 60,
            "minimum_notice": 0,
            "rolling_days": 120,
            "confirmation_message": "See you soon.",
            "questions": [
                {"id": "company", "label": "Company", "required": True},
                {"id": "topic", "label": "Topic", "kind": "choice", "choices": ["A", "B"]},
            ],
        },
    )


def paris(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), zone(PARIS)).astimezone(UTC)


def form(at: datetime, **changes: object) -> BookingForm:
    fields: dict[str, object] = {
        "start": at.isoformat(),
        "time_zone": "America/New_York",
        "duration": 60,
        "name": "Pat Prospect",
        "email": "pat@example.org",
        "answers": {"company": "Acme"},
    }
    return BookingForm(**(fields | changes))


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def booked(session: Session, link: MeetingLink, start: datetime, email: str) -> Booking:
    return bookings.do_book(
        session=session,
        link=link,
        request=bookings.BookingRequest(
            start=start,
            time_zone="Asia/Tokyo",
            name="Mo",
            email=email,
            answers={"company": "M"},
            duration=60,
        ),
        now=NOW,
    ).booking


# --- opening the page -------------------------------------------------------------------


def test_the_page_opens_on_this_month_in_the_browsers_zone(
    session: Session, link: MeetingLink
) -> None:
    page = booking_pages.open_booking_page(
        session=session, slug="intro", browser_zone="Asia/Tokyo", now=NOW
    )
    assert page is not None
    assert (page.link_name, page.host_name) == ("Intro call", "Hugo Host")
    assert page.durations == (30, 60)
    assert [(q.id, q.kind, q.required, q.choices) for q in page.questions] == [
        ("company", "text", True, ()),
        ("topic", "choice", False, ("A", "B")),
    ]
    assert page.time_zone == "Asia/Tokyo" and not page.rescheduling
    assert page.prefill is None and page.problems == ()
    slots = page.slots
    assert (slots.month, slots.duration, slots.online) == ("2030-01", 30, False)  # offline: S3
    assert slots.starts[0] == NOW  # nothing before now
    assert paris(date(2030, 1, 20), 9) in slots.starts


def test_the_month_is_the_browsers_and_an_unknown_zone_reads_as_utc(
    session: Session, link: MeetingLink
) -> None:
    late = datetime(2030, 1, 31, 20, 0, tzinfo=UTC)  # already February in Tokyo
    tokyo = booking_pages.open_booking_page(
        session=session, slug="intro", browser_zone="Asia/Tokyo", now=late
    )
    unknown = booking_pages.open_booking_page(
        session=session, slug="intro", browser_zone="Mars/Base", now=late
    )
    assert tokyo is not None and tokyo.slots.month == "2030-02"
    assert unknown is not None and (unknown.time_zone, unknown.slots.month) == ("UTC", "2030-01")


def test_the_browsers_deprecated_zone_name_opens_as_its_canonical_zone(
    session: Session, link: MeetingLink
) -> None:
    """Browsers still report some old names (Asia/Calcutta): the picker lists the new ones."""
    page = booking_pages.open_booking_page(
        session=session, slug="intro", browser_zone="Asia/Calcutta", now=NOW
    )
    assert page is not None and page.time_zone == "Asia/Kolkata"


@pytest.mark.parametrize(
    ("settings", "place"),
    [
        ({}, ("", "")),
        ({"location": "Room 4, 1 Main Street"}, ("Room 4, 1 Main Street", "")),
        ({"video": "google_meet"}, ("", "Google Meet")),
        ({"video": "microsoft_teams"}, ("", "Teams")),
        ({"meeting_url": "https://zoom.example/j/1"}, ("", "web")),  # its address comes later
    ],
)
def test_the_page_says_where_people_meet(
    session: Session, host: User, link: MeetingLink, settings: dict, place: tuple[str, str]
) -> None:
    do_update_link(
        session=session,
        actor=host,
        link_id=link.id,
        changes={"settings": {**link.settings.to_json(), **settings}},
    )
    page = booking_pages.open_booking_page(
        session=session, slug="intro", browser_zone="UTC", now=NOW
    )
    assert page is not None and (page.location, page.video) == place


def test_unknown_links_are_none(session: Session, link: MeetingLink) -> None:
    assert booking_pages.open_booking_page(session=session, slug="nope", browser_zone="UTC") is None
    assert (
        booking_pages.month_slots(session=session, slug="nope", month="2030-01", duration=60)
        is None
    )
    assert booking_pages.book(
        session=session, slug="nope", form=form(paris(date(2030, 1, 20), 9)), month="2030-01"
    ).problems == ("This meeting link no longer exists.",)


@pytest.mark.parametrize(
    "time_zone", ["Pacific/Kiritimati", "Asia/Tokyo", PARIS, "America/Los_Angeles", "Etc/GMT+12"]
)
def test_one_read_of_a_month_serves_every_zone(
    session: Session, link: MeetingLink, time_zone: str
) -> None:
    """The grid and times derived in any zone are those read for that zone alone."""
    slots = booking_pages.month_slots(
        session=session, slug="intro", month="2030-02", duration=60, now=NOW
    )
    assert slots is not None
    start, end = scheduling.day_range(date(2030, 2, 1), date(2030, 2, 28), time_zone)
    _, read = scheduling.link_slots(
        session=session, link=link, start=start, end=end, duration=60, now=NOW
    )
    by_day = group_by_local_date(read, zone(time_zone))
    expected = {
        day.isoformat(): [s.start.strftime("%H:%M") for s in day_slots] for day, day_slots in by_day
    }
    cells = booking_pages.month_cells("2030-02", slots.starts, time_zone, "en-GB")
    assert {c.iso for c in cells if c.available} == set(expected)
    for day in ("2030-02-01", "2030-02-28"):
        times = booking_pages.day_times(slots.starts, time_zone, day, "en-GB")
        assert [t.label for t in times] == expected[day]


def test_an_offered_duration_is_kept_and_another_falls_back(
    session: Session, link: MeetingLink
) -> None:
    hour = booking_pages.month_slots(
        session=session, slug="intro", month="2030-02", duration=60, now=NOW
    )
    odd = booking_pages.month_slots(
        session=session, slug="intro", month="2030-02", duration=45, now=NOW
    )
    assert hour is not None and hour.duration == 60
    assert odd is not None and odd.duration == 30


# --- booking ----------------------------------------------------------------------------


def test_answers_typed_on_another_links_page_do_not_block_booking(
    session: Session, link: MeetingLink
) -> None:
    result = booking_pages.book(
        session=session,
        slug="intro",
        form=form(paris(date(2030, 1, 20), 9), answers={"company": "Acme", "budget": "1k"}),
        month="2030-01",
        now=NOW,
    )
    assert result.problems == () and result.confirmation_path
    assert session.exec(select(Booking)).one().answers == {"company": "Acme"}


def test_booking_goes_to_the_confirmation_and_remembers_the_visitor(
    session: Session, link: MeetingLink
) -> None:
    start = paris(date(2030, 1, 20), 9)
    result = booking_pages.book(
        session=session,
        slug="intro",
        form=form(start, answers={"company": "Acme", "topic": "B"}),
        month="2030-01",
        now=NOW,
    )
    assert result.problems == () and not result.taken
    assert result.confirmation_path.startswith(f"{routes.BOOKING_CONFIRMED}?token=")
    details = booking_pages.confirmation(session=session, token=token_of(result.confirmation_path))
    assert details is not None
    assert details.status == BookingStatus.REQUESTED
    assert (details.start, details.end) == (start, start + timedelta(hours=1))
    assert (details.prospect_time_zone, details.host_time_zone) == ("America/New_York", PARIS)
    assert details.message == "See you soon."
    assert token_of(details.cancel_url) and token_of(details.reschedule_url)

    # S14: the same visitor (the token they got) finds the form filled in; a stranger not.
    again = booking_pages.open_booking_page(
        session=session,
        slug="intro",
        browser_zone="UTC",
        visitor_token=result.visitor_token,
        now=NOW,
    )
    assert again is not None and again.prefill == booking_pages.Prefill(
        "Pat Prospect", "pat@example.org", {"company": "Acme", "topic": "B"}
    )
    stranger = booking_pages.open_booking_page(
        session=session, slug="intro", browser_zone="UTC", visitor_token="someone-else", now=NOW
    )
    assert stranger is not None and stranger.prefill is None


def test_a_known_visitor_keeps_their_token(session: Session, link: MeetingLink) -> None:
    result = booking_pages.book(
        session=session,
        slug="intro",
        form=form(paris(date(2030, 1, 20), 9)),
        visitor_token="visitor-token-1",
        month="2030-01",
        now=NOW,
    )
    assert result.visitor_token == "visitor-token-1"


def test_a_time_taken_meanwhile_comes_back_with_fresh_times(
    session: Session, link: MeetingLink
) -> None:
    start = paris(date(2030, 1, 20), 9)
    booked(session, link, start, "early@example.org")
    result = booking_pages.book(
        session=session, slug="intro", form=form(start), month="2030-01", now=NOW
    )
    assert result.taken and result.confirmation_path == ""
    assert result.slots is not None and result.slots.month == "2030-01"
    assert start not in result.slots.starts
    assert start + timedelta(hours=1) in result.slots.starts
    late = select(Booking).where(Booking.prospect_email == "pat@example.org")
    assert session.exec(late).first() is None


@pytest.mark.parametrize(
    "changes",
    [
        {"email": "not-an-email"},
        {"name": " "},
        {"answers": {}},
        {"start": "later"},
        {"start": "2030-01-20T09:00"},
    ],
)
def test_a_form_to_fix_says_why_and_books_nothing(
    session: Session, link: MeetingLink, changes: dict[str, object]
) -> None:
    result = booking_pages.book(
        session=session,
        slug="intro",
        form=form(paris(date(2030, 1, 20), 9), **changes),
        month="2030-01",
        now=NOW,
    )
    assert result.problems and not result.taken and result.confirmation_path == ""
    assert session.exec(select(Booking)).all() == []


# --- rescheduling and cancelling ------------------------------------------------------


def test_rescheduling_opens_in_the_meetings_zone_and_moves_it(
    session: Session, link: MeetingLink
) -> None:
    moving = booked(session, link, paris(date(2030, 1, 20), 9), "mo@example.org")
    token = token_of(bookings.reschedule_url(moving))
    page = booking_pages.open_booking_page(
        session=session, slug="intro", browser_zone=PARIS, reschedule_token=token, now=NOW
    )
    assert page is not None and page.rescheduling and page.problems == ()
    assert page.time_zone == "Asia/Tokyo"  # the meeting's, not the browser's
    assert page.prefill == booking_pages.Prefill("Mo", "mo@example.org", {"company": "M"})

    new_start = paris(date(2030, 1, 22), 14)
    result = booking_pages.book(
        session=session,
        slug="intro",
        form=form(new_start, name="Mo", email="mo@example.org"),
        reschedule_token=token,
        month="2030-01",
        now=NOW,
    )
    details = booking_pages.confirmation(session=session, token=token_of(result.confirmation_path))
    assert details is not None and details.start == new_start
    assert details.prospect_time_zone == "Asia/Tokyo"
    assert session.get(Booking, moving.id).status == BookingStatus.CANCELLED


def test_a_reschedule_link_that_cannot_be_used_says_so(
    session: Session, link: MeetingLink, host: User
) -> None:
    forged = booking_pages.open_booking_page(
        session=session, slug="intro", browser_zone="UTC", reschedule_token="1.forged", now=NOW
    )
    assert forged is not None and not forged.rescheduling
    assert forged.problems == (
        "This link is not valid. Check that you copied all of it from the email.",
    )

    cancelled = booked(session, link, paris(date(2030, 1, 20), 9), "mo@example.org")
    bookings.do_cancel(session=session, booking=cancelled)
    page = booking_pages.open_booking_page(
        session=session,
        slug="intro",
        browser_zone="UTC",
        reschedule_token=token_of(bookings.reschedule_url(cancelled)),
        now=NOW,
    )
    assert page is not None and not page.rescheduling
    assert page.problems == ("This meeting was cancelled; book a new one.",)

    other = do_create_link(session=session, owner=host, name="Other", slug="other")
    elsewhere = booking_pages.open_booking_page(
        session=session,
        slug=other.slug,
        browser_zone="UTC",
        reschedule_token=token_of(bookings.reschedule_url(cancelled)),
        now=NOW,
    )
    assert elsewhere is not None and not elsewhere.rescheduling


def test_the_reschedule_link_follows_the_links_current_slug(
    session: Session, link: MeetingLink, host: User
) -> None:
    booking = booked(session, link, paris(date(2030, 1, 20), 9), "mo@example.org")
    token = token_of(bookings.reschedule_url(booking))
    assert booking_pages.reschedule_path(session=session, token=token) == (
        f"/meetings/intro?reschedule={token}"
    )
    do_update_link(session=session, actor=host, link_id=link.id, changes={"slug": "hello"})
    assert booking_pages.reschedule_path(session=session, token=token) == (
        f"/meetings/hello?reschedule={token}"
    )
    with pytest.raises(booking_pages.LinkRefusedError, match="not valid"):
        booking_pages.reschedule_path(session=session, token="1.forged")


def test_cancel_from_the_emailed_link(session: Session, link: MeetingLink) -> None:
    booking = booked(session, link, paris(date(2030, 1, 20), 9), "mo@example.org")
    token = token_of(bookings.cancel_url(booking))
    shown = booking_pages.cancellation(session=session, token=token)
    assert shown.status == BookingStatus.REQUESTED
    for use_case, wrong in (
        (booking_pages.confirmation, token),  # another purpose
        (booking_pages.cancellation, token[:-2] + "xx"),
        (booking_pages.cancel, "1.forged"),
    ):
        with pytest.raises(booking_pages.LinkRefusedError, match="not valid"):
            use_case(session=session, token=wrong)
    cancelled = booking_pages.cancel(session=session, token=token)
    assert cancelled.status == BookingStatus.CANCELLED
    assert session.get(Booking, booking.id).status == BookingStatus.CANCELLED


def test_cancel_and_reschedule_links_stop_at_the_meetings_start(
    session: Session, link: MeetingLink
) -> None:
    booking = booked(session, link, paris(date(2030, 1, 20), 9), "mo@example.org")
    cancel_token = token_of(bookings.cancel_url(booking))
    reschedule_token = token_of(bookings.reschedule_url(booking))
    booking.start_at = datetime.now(UTC) - timedelta(minutes=1)
    session.add(booking)
    session.commit()
    for use_case, token in (
        (booking_pages.cancellation, cancel_token),
        (booking_pages.cancel, cancel_token),
        (booking_pages.reschedule_path, reschedule_token),
    ):
        with pytest.raises(booking_pages.LinkRefusedError) as refused:
            use_case(session=session, token=token)
        assert refused.value.title == "This meeting has already started"
    assert session.get(Booking, booking.id).status != BookingStatus.CANCELLED


# --- what the pages derive --------------------------------------------------------------


def test_month_cells_pad_to_monday_and_count_the_days_times() -> None:
    starts = [paris(date(2030, 2, 3), 9), paris(date(2030, 2, 3), 10), paris(date(2030, 2, 4), 9)]
    cells = booking_pages.month_cells("2030-02", starts, PARIS, "en-GB")
    assert [c.blank for c in cells[:5]] == [True, True, True, True, False]  # 1 Feb: a Friday
    days = [c for c in cells if not c.blank]
    assert len(days) == 28
    sunday = days[2]
    assert sunday == DayCell(
        key="2030-02-03",
        number="3",
        iso="2030-02-03",
        label="Sunday, 3 February 2030, 2 times available",
        available=True,
    )
    assert days[0].label == "Friday, 1 February 2030, no times available"
    french = booking_pages.month_cells("2030-02", starts, PARIS, "fr-FR")
    assert [c.label for c in french if c.iso in ("2030-02-01", "2030-02-04")] == [
        "vendredi 1 février 2030, aucun horaire disponible",
        "lundi 4 février 2030, 1 horaire disponible",
    ]
    assert not days[0].available
    assert booking_pages.month_cells("", starts, PARIS) == []


def test_a_days_times_are_labelled_in_the_prospects_zone() -> None:
    late = paris(date(2030, 2, 3), 23)  # 22:00 UTC: already 4 February in Tokyo
    assert booking_pages.day_times([late], PARIS, "2030-02-03", "en-GB") == [
        TimeChoice(late.isoformat(), "23:00")
    ]
    assert booking_pages.day_times([late], "Asia/Tokyo", "2030-02-04", "fr-FR") == [
        TimeChoice(late.isoformat(), "07:00")
    ]
    # The visitor's clock: 12 hours in the United States.
    assert booking_pages.day_times([late], PARIS, "2030-02-03", "en-US") == [
        TimeChoice(late.isoformat(), "11:00\u202fPM")
    ]
    assert booking_pages.day_times([late], "Asia/Tokyo", "2030-02-03") == []
    assert booking_pages.day_times([late], PARIS, "") == []


def test_labels_and_month_steps() -> None:
    start = datetime(2030, 2, 3, 22, 0, tzinfo=UTC)
    assert booking_pages.moment_label(start.isoformat(), "Asia/Tokyo", "en-GB") == (
        "Monday, 4 February 2030, 07:00 (Asia/Tokyo)"
    )
    assert booking_pages.moment_label(start.isoformat(), "Asia/Tokyo", "en-US") == (
        "Monday, February 4, 2030, 7:00\u202fAM (Asia/Tokyo)"
    )
    assert booking_pages.moment_label("", "UTC") == ""
    end = start + timedelta(minutes=30)
    assert booking_pages.meeting_label(start, end, PARIS, "fr-FR") == (
        "dimanche 3 février 2030, 23:00 – 23:30 (Europe/Paris)"
    )
    assert booking_pages.meeting_label(None, None, PARIS) == ""
    assert booking_pages.month_label("2030-02", "en-GB") == "February 2030"
    assert booking_pages.month_label("2030-02", "fr-FR") == "février 2030"
    assert booking_pages.weekday_labels("en-GB")[0] == "Mon"
    assert booking_pages.weekday_labels("fr-FR")[6] == "dim."
    assert booking_pages.shift_month("2030-12", 1) == "2031-01"
    assert booking_pages.shift_month("2030-01", -1) == "2029-12"
    assert booking_pages.shift_month("2199-12", 1) == "2199-12"  # the supported dates
    assert booking_pages.shift_month("2000-01", -1) == "2000-01"
    assert booking_pages.shift_month("2030-01", 10**6) == "2199-12"
