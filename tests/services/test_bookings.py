"""Booking on the database: offline and connected modes, no double booking at any
concurrency, idempotency, cancel, reschedule, reminders and returning visitors."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from meetings_ui.config import get_settings
from meetings_ui.crypto import sign
from meetings_ui.domain.enums import BookingStatus
from meetings_ui.domain.time_zones import zone
from meetings_ui.models import Booking, Calendar, Contact, OutboxEmail, User, VisitorProfile
from meetings_ui.providers.registry import connector_for
from meetings_ui.services.bookings import (
    CANCEL,
    RESCHEDULE,
    VIEW,
    BookingNotFoundError,
    BookingRequest,
    InvalidBookingError,
    MeetingStartedError,
    SlotUnavailableError,
    booking_from_token,
    cancel_token,
    do_book,
    do_cancel,
    do_reschedule,
    do_send_due_reminders,
    ics_for,
    remember_visitor,
    reschedule_token,
    visitor_profile,
)
from meetings_ui.services.calendar_connections import do_save_connected_account
from meetings_ui.services.links import do_answer_invitation, do_create_link
from meetings_ui.services.scheduling import link_slots
from tests.sandbox import REDIRECT_URI, Sandbox, consent

PARIS = "Europe/Paris"
WEEKDAYS_9_TO_17 = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def next_weekday(weekday: int) -> date:
    today = datetime.now(UTC).date() + timedelta(days=2)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), zone(PARIS))


@pytest.fixture
def link(session: Session, host: User, mail_captured: None):
    return do_create_link(
        session=session,
        owner=host,
        name="Intro call",
        settings={
            "time_zone": PARIS,
            "weekly": WEEKDAYS_9_TO_17,
            "durations": [30],
            "minimum_notice": 0,
            "buffer_after": 15,
            "questions": [{"id": "company", "label": "Company", "kind": "text", "required": True}],
        },
    )


def request(start: datetime, **changes: object) -> BookingRequest:
    fields = dict(
        start=start,
        time_zone="America/New_York",
        name="Pat Prospect",
        email="pat@example.org",
        answers={"company": "Acme"},
    )
    fields.update(changes)
    return BookingRequest(**fields)


def connect_google(
    session: Session, user: User, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEETINGS_SANDBOX_URL", sandbox.url)
    get_settings.cache_clear()
    connector = connector_for("google")
    start = connector.begin(redirect_uri=REDIRECT_URI, state="s")
    connected = connector.complete(
        flow=start.flow, callback_params=consent(start.url, "demo.google@example.com")
    )
    calendars = connector.open(connected.credentials, lambda _: None).list_calendars()
    do_save_connected_account(
        session=session, user_id=user.id, account=connected, calendars=calendars
    )


def test_offline_mode_stores_a_request_and_tells_both_people(
    session: Session, link, deliver
) -> None:
    day = next_weekday(1)
    outcome = do_book(session=session, link=link, request=request(paris(day, 10)))
    assert deliver().sent == 2
    booking = outcome.booking
    assert outcome.created
    assert booking.status == BookingStatus.REQUESTED
    assert booking.provider_event_id is None and booking.calendar_error is None
    assert booking.start_at == paris(day, 10).astimezone(UTC)
    assert session.exec(select(Contact).where(Contact.email == "pat@example.org")).one()
    mails = session.exec(select(OutboxEmail)).all()
    assert {m.to for m in mails} == {"pat@example.org", "hugo@example.com"}
    prospect = next(m for m in mails if m.to == "pat@example.org")
    assert prospect.subject == "Requested: Intro call with Hugo Host"
    assert "will confirm your request" in prospect.text
    assert "(America/New_York)" in prospect.text and "/meetings/cancel?token=" in prospect.text
    assert prospect.attachments[0]["filename"] == "invite.ics"


def test_connected_mode_writes_to_the_primary_calendar_and_invites(
    session: Session,
    host: User,
    link,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    deliver,
) -> None:
    connect_google(session, host, sandbox, monkeypatch)
    day = next_weekday(3)
    booking = do_book(session=session, link=link, request=request(paris(day, 14))).booking
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.provider_event_id is None  # written by the delivery, not the request
    assert deliver().sent == 3  # the event and two emails
    session.refresh(booking)
    event = sandbox.store.events[booking.provider_event_id]
    assert event.calendar_id == "demo.google@example.com"  # S11: primary only
    assert [a["email"] for a in event.attendees] == ["pat@example.org"]
    assert event.start == booking.start_at


def test_busy_time_on_a_selected_calendar_blocks_booking(
    session: Session, host: User, link, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    connect_google(session, host, sandbox, monkeypatch)
    day = next_weekday(2)
    team = session.exec(select(Calendar).where(Calendar.name == "Team")).one()
    sandbox.control(
        "POST",
        "/events",
        calendar_id=team.provider_calendar_id,
        summary="Offsite",
        start=paris(day, 11).isoformat(),
        end=paris(day, 12).isoformat(),
    )
    start, end = paris(day, 0), paris(day + timedelta(days=1), 0)
    _, slots = link_slots(
        session=session, link=link, start=start, end=end, duration=30, now=datetime.now(UTC)
    )
    assert paris(day, 11).astimezone(UTC) in {s.start for s in slots}  # Team is not selected yet
    team.selected = True
    session.commit()
    _, slots = link_slots(
        session=session, link=link, start=start, end=end, duration=30, now=datetime.now(UTC)
    )
    assert paris(day, 11).astimezone(UTC) not in {s.start for s in slots}
    with pytest.raises(SlotUnavailableError):
        do_book(session=session, link=link, request=request(paris(day, 11)))


def test_busy_time_on_a_secondary_microsoft_calendar_blocks_booking(
    session: Session, host: User, link, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Microsoft mailbox whose sign-in name is not its SMTP address: busy time only on
    its own second calendar is not offered (it used to be read as the default calendar
    of "somebody else", and the time offered)."""
    smtp, upn = "Hugo.Host@Example.com", "hhost@contoso.onmicrosoft.example"
    sandbox.control("POST", "/accounts", provider="microsoft", email=smtp, user_principal_name=upn)
    side = sandbox.control(
        "POST", "/calendars", provider="microsoft", owner_email=smtp, name="Side projects"
    )["id"]
    day = next_weekday(2)
    sandbox.control(
        "POST",
        "/events",
        calendar_id=side,
        summary="Workshop",
        start=paris(day, 11).isoformat(),
        end=paris(day, 12).isoformat(),
    )
    monkeypatch.setenv("MEETINGS_SANDBOX_URL", sandbox.url)
    get_settings.cache_clear()
    connector = connector_for("microsoft")
    start = connector.begin(redirect_uri=REDIRECT_URI, state="s")
    connected = connector.complete(
        flow=start.flow, callback_params=consent(start.url, smtp.lower())
    )
    calendars = connector.open(connected.credentials, lambda _: None).list_calendars()
    do_save_connected_account(
        session=session, user_id=host.id, account=connected, calendars=calendars
    )
    row = session.exec(select(Calendar).where(Calendar.provider_calendar_id == side)).one()
    row.selected = True
    session.commit()
    start, end = paris(day, 0), paris(day + timedelta(days=1), 0)
    _, slots = link_slots(
        session=session, link=link, start=start, end=end, duration=30, now=datetime.now(UTC)
    )
    offered = {s.start for s in slots}
    assert paris(day, 10).astimezone(UTC) in offered
    assert not {paris(day, 11).astimezone(UTC), paris(day, 11, 30).astimezone(UTC)} & offered
    with pytest.raises(SlotUnavailableError):
        do_book(session=session, link=link, request=request(paris(day, 11)))


def test_the_same_overlapping_or_buffered_slot_cannot_be_booked_twice(
    session: Session, link
) -> None:
    day = next_weekday(1)
    do_book(session=session, link=link, request=request(paris(day, 10)))
    for start in (
        paris(day, 10),
        paris(day, 9, 45),
        paris(day, 10, 30),
    ):  # 10:30 is in the 15-min buffer
        with pytest.raises(SlotUnavailableError):
            do_book(session=session, link=link, request=request(start, email="other@example.org"))
    assert do_book(session=session, link=link, request=request(paris(day, 11))).created


def test_the_same_request_twice_returns_the_same_booking(session: Session, link) -> None:
    day = next_weekday(1)
    first = do_book(
        session=session, link=link, request=request(paris(day, 10), idempotency_key="key-123456")
    )
    again = do_book(
        session=session, link=link, request=request(paris(day, 10), idempotency_key="key-123456")
    )
    assert not again.created and again.booking.id == first.booking.id
    with pytest.raises(InvalidBookingError, match="idempotency_key"):
        do_book(
            session=session,
            link=link,
            request=request(paris(day, 13), idempotency_key="key-123456"),
        )


def test_a_replayed_key_never_returns_another_prospects_booking(session: Session, link) -> None:
    """Attack: replay a prospect's key, link and time under another email to read back
    their name, email and cancel link."""
    day = next_weekday(1)
    do_book(
        session=session, link=link, request=request(paris(day, 10), idempotency_key="key-123456")
    )
    with pytest.raises(InvalidBookingError, match="idempotency_key"):
        do_book(
            session=session,
            link=link,
            request=request(
                paris(day, 10), idempotency_key="key-123456", email="mallory@example.org"
            ),
        )
    # The same prospect, typed in another case, still gets their booking back.
    again = do_book(
        session=session,
        link=link,
        request=request(paris(day, 10), idempotency_key="key-123456", email="Pat@Example.ORG"),
    )
    assert not again.created


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "pat@example"}, "email"),
        ({"email": "pat@example..org"}, "email"),
        ({"email": "pat@example.org\r\nBcc: all@example.org"}, "email"),
        ({"name": "  "}, "name"),
        ({"name": "Eve\rATTENDEE:mailto:eve@example.org"}, "name"),
        ({"name": "Mallory\r\nBEGIN:VEVENT"}, "name"),
        ({"name": "Nul\x00"}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"time_zone": "Mars/Base"}, "timezone"),
        ({"duration": 45}, "duration"),
        ({"answers": {}}, "answers.company"),
        ({"answers": {"company": "A", "extra": "x"}}, "answers.extra"),
    ],
)
def test_bad_input_is_refused_with_the_field_to_fix(
    session: Session, link, changes: dict, field: str
) -> None:
    with pytest.raises(InvalidBookingError) as refused:
        do_book(session=session, link=link, request=request(paris(next_weekday(1), 10), **changes))
    assert field in [f for f, _ in refused.value.problems]
    assert session.exec(select(Booking)).all() == []


def test_a_race_of_many_prospects_for_one_slot_books_it_once(
    engine: sa.Engine, session: Session, link
) -> None:
    day = next_weekday(4)
    contenders = 12
    barrier = threading.Barrier(contenders)
    outcomes: list[str] = []

    def attempt(index: int) -> None:
        with Session(engine, expire_on_commit=False) as own:
            own_link = own.get(type(link), link.id)
            start = paris(day, 10) + timedelta(
                minutes=15 * (index % 3)
            )  # same and overlapping slots
            barrier.wait()
            try:
                do_book(
                    session=own,
                    link=own_link,
                    request=request(start, email=f"p{index}@example.org"),
                )
                outcomes.append("booked")
            except SlotUnavailableError:
                outcomes.append("taken")

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    session.expire_all()
    bookings = session.exec(select(Booking)).all()
    assert outcomes.count("booked") == len(bookings)
    spans = sorted((b.start_at, b.end_at) for b in bookings)
    for (_, end), (next_start, _) in itertools.pairwise(spans):
        assert end + timedelta(minutes=15) <= next_start  # no overlap, buffers kept
    assert 1 <= len(bookings) <= 2 and outcomes.count("taken") == contenders - len(bookings)


def test_a_race_with_one_idempotency_key_creates_one_booking(
    engine: sa.Engine, session: Session, link
) -> None:
    day = next_weekday(4)
    barrier = threading.Barrier(6)
    ids: list[int] = []

    def attempt() -> None:
        with Session(engine, expire_on_commit=False) as own:
            own_link = own.get(type(link), link.id)
            barrier.wait()
            outcome = do_book(
                session=own,
                link=own_link,
                request=request(paris(day, 15), idempotency_key="same-key-42"),
            )
            ids.append(outcome.booking.id)

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ids) == 6 and len(set(ids)) == 1


def test_cancel_by_signed_link_and_book_again(session: Session, link) -> None:
    day = next_weekday(1)
    booking = do_book(session=session, link=link, request=request(paris(day, 10))).booking
    token = cancel_token(booking)
    assert booking_from_token(session=session, purpose=CANCEL, token=token).id == booking.id
    with pytest.raises(LookupError):
        booking_from_token(session=session, purpose=CANCEL, token=token[:-2] + "xx")
    with pytest.raises(LookupError):
        booking_from_token(session=session, purpose="reschedule-booking", token=token)
    do_cancel(session=session, booking=booking)
    assert booking.status == BookingStatus.CANCELLED
    assert do_book(session=session, link=link, request=request(paris(day, 10))).created


def test_cancel_and_reschedule_links_stop_working_when_the_meeting_starts(
    session: Session, link
) -> None:
    booking = do_book(
        session=session, link=link, request=request(paris(next_weekday(1), 10))
    ).booking
    just_before = booking.start_at - timedelta(seconds=1)
    for purpose, token in [
        (CANCEL, cancel_token(booking)),
        (RESCHEDULE, reschedule_token(booking)),
    ]:
        found = booking_from_token(session=session, purpose=purpose, token=token, now=just_before)
        assert found.id == booking.id
        for now in (booking.start_at, booking.end_at + timedelta(days=1)):
            with pytest.raises(MeetingStartedError, match="already started"):
                booking_from_token(session=session, purpose=purpose, token=token, now=now)
    view = sign(VIEW, booking.id)
    later = booking.end_at + timedelta(days=30)
    assert booking_from_token(session=session, purpose=VIEW, token=view, now=later) == booking


@pytest.mark.parametrize("kind", ["purpose", "key", "bool", "string", "missing", "forged"])
def test_only_our_own_token_for_this_purpose_opens_a_booking(
    session: Session, link, kind: str
) -> None:
    booking = do_book(
        session=session, link=link, request=request(paris(next_weekday(1), 10))
    ).booking
    token = {
        "purpose": sign(VIEW, booking.id),
        "key": sign(CANCEL, booking.id, secret_key="another workspace's key"),
        # JSON true: Python takes it for 1, the first booking of the SQLite run.
        "bool": sign(CANCEL, True),
        "string": sign(CANCEL, str(booking.id)),
        "missing": sign(CANCEL, booking.id + 1),
        "forged": f"{booking.id}.forged",
    }[kind]
    with pytest.raises(BookingNotFoundError, match="not valid") as refused:
        booking_from_token(session=session, purpose=CANCEL, token=token)
    assert not isinstance(refused.value, MeetingStartedError)


@pytest.mark.parametrize(
    "name",
    [
        "Zoe: Z",
        "Doe; John, Jr.",
        'Ann "the Boss" O\'Neil',
        "Zoë Ångström-Łukasiewicz " * 7,
        "🎉 Party 👩‍👩‍👧‍👦 Planner",
    ],
)
def test_a_hostile_but_valid_name_gives_a_well_formed_invite(
    session: Session, link, name: str
) -> None:
    booking = do_book(
        session=session, link=link, request=request(paris(next_weekday(1), 10), name=name)
    ).booking
    calendar = icalendar.Calendar.from_ical(ics_for(session, booking))
    (event,) = calendar.walk("VEVENT")
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:pat@example.org" and attendee.params["CN"] == name.strip()
    assert event["ORGANIZER"].params["CN"] == "Hugo Host"


def test_the_prospect_email_is_stored_in_its_normal_form(session: Session, link) -> None:
    booking = do_book(
        session=session,
        link=link,
        request=request(paris(next_weekday(1), 10), email=" Pat.Doe@BÜCHER.de "),
    ).booking
    assert booking.prospect_email == "pat.doe@bücher.de"
    again = do_book(
        session=session,
        link=link,
        request=request(paris(next_weekday(1), 13), email="pat.doe@xn--bcher-kva.de"),
    ).booking
    assert again.contact_id == booking.contact_id


def test_reschedule_moves_the_meeting_without_losing_it(session: Session, link) -> None:
    day = next_weekday(1)
    booking = do_book(session=session, link=link, request=request(paris(day, 10))).booking
    moved = do_reschedule(session=session, booking=booking, new_start=paris(day, 15))
    assert moved.start_at == paris(day, 15).astimezone(UTC)
    assert session.get(Booking, booking.id).status == BookingStatus.CANCELLED
    other = do_book(
        session=session, link=link, request=request(paris(day, 11), email="b@example.org")
    ).booking
    with pytest.raises(SlotUnavailableError):
        do_reschedule(session=session, booking=other, new_start=paris(day, 15))
    assert session.get(Booking, other.id).status != BookingStatus.CANCELLED


@pytest.mark.parametrize("same_time", [True, False])
def test_racing_replays_of_one_reschedule_link_make_one_meeting(
    engine: sa.Engine, session: Session, link, same_time: bool, deliver
) -> None:
    """Attack: replay one reschedule link 6 times at once (to one time, or to several)."""
    day = next_weekday(2)
    original = do_book(session=session, link=link, request=request(paris(day, 9))).booking
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def attempt(index: int) -> None:
        with Session(engine, expire_on_commit=False) as own:
            moving = own.get(Booking, original.id)
            new_start = paris(day, 13 if same_time else 12 + index % 4)
            barrier.wait()
            try:
                do_reschedule(session=own, booking=moving, new_start=new_start)
                outcomes.append("moved")
            except (InvalidBookingError, SlotUnavailableError):
                outcomes.append("refused")

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    session.expire_all()
    live = session.exec(select(Booking).where(Booking.status != BookingStatus.CANCELLED)).all()
    assert len(live) == 1 and live[0].id != original.id
    deliver()
    cancellations = [m for m in session.exec(select(OutboxEmail)).all() if "ancel" in m.subject]
    assert len(cancellations) <= 2  # one to the prospect, one to the host, sent once
    assert outcomes.count("moved") >= 1


def test_reminders_are_sent_once_when_due(session: Session, link, deliver) -> None:
    day = next_weekday(1)
    booking = do_book(session=session, link=link, request=request(paris(day, 10))).booking
    booking.status = BookingStatus.CONFIRMED
    session.commit()
    early = booking.start_at - timedelta(days=2)
    assert do_send_due_reminders(session=session, now=early) == 0
    due = booking.start_at - timedelta(hours=23)
    assert do_send_due_reminders(session=session, now=due) == 1
    assert do_send_due_reminders(session=session, now=due + timedelta(minutes=5)) == 0
    deliver()
    reminders = [
        m for m in session.exec(select(OutboxEmail)).all() if m.subject.startswith("Reminder")
    ]
    assert [m.to for m in reminders] == ["pat@example.org"]


def test_returning_visitors_see_only_their_own_answers(session: Session, link) -> None:
    remember_visitor(
        session=session, token="visitor-a-token", request=request(paris(next_weekday(1), 10))
    )
    remember_visitor(
        session=session,
        token="visitor-b-token",
        request=request(paris(next_weekday(1), 10), name="Bea", email="bea@example.org"),
    )
    assert visitor_profile(session=session, token="visitor-a-token").email == "pat@example.org"
    assert visitor_profile(session=session, token="visitor-b-token").name == "Bea"
    assert visitor_profile(session=session, token="someone-else") is None
    assert visitor_profile(session=session, token=None) is None


def test_a_visitor_profile_keeps_only_what_a_booking_would_accept(session: Session) -> None:
    day = next_weekday(1)
    for name, email in [("Eve\rX", "eve@example.org"), ("Eve", "eve@example")]:
        remember_visitor(
            session=session,
            token="visitor-e",
            request=request(paris(day, 10), name=name, email=email),
        )
    assert session.exec(select(VisitorProfile)).all() == []
    remember_visitor(
        session=session, token="visitor-e", request=request(paris(day, 10), email="Eve@Example.org")
    )
    assert visitor_profile(session=session, token="visitor-e").email == "eve@example.org"


def test_a_failed_calendar_write_is_recorded_then_retried(
    session: Session,
    host: User,
    link,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    deliver,
) -> None:
    connect_google(session, host, sandbox, monkeypatch)
    sandbox.fault(provider="google", path="*/events", status=500, count=20)
    booking = do_book(
        session=session, link=link, request=request(paris(next_weekday(2), 9))
    ).booking
    assert booking.status == BookingStatus.CONFIRMED
    report = deliver()
    assert (report.sent, report.retrying) == (2, 1)  # the emails go; the event waits
    session.refresh(booking)
    assert booking.provider_event_id is None and "gave up" in booking.calendar_error
    sandbox.control("DELETE", "/faults")
    assert deliver().claimed == 0  # not before its backoff
    assert deliver(now=datetime.now(UTC) + timedelta(minutes=1)).sent == 1
    session.refresh(booking)
    assert booking.provider_event_id in sandbox.store.events and booking.calendar_error is None
    assert deliver(now=datetime.now(UTC) + timedelta(days=1)).claimed == 0


def test_round_robin_rotates_fairly_and_group_needs_everyone(
    session: Session, host: User, mail_captured: None
) -> None:
    mate = User(
        email="mia@example.com", display_name="Mia Mate", time_zone=PARIS, meetings_url="mia"
    )
    session.add(mate)
    session.commit()
    common = {
        "time_zone": PARIS,
        "weekly": WEEKDAYS_9_TO_17,
        "durations": [30],
        "minimum_notice": 0,
    }
    rotation = do_create_link(
        session=session,
        owner=host,
        name="Sales",
        slug="sales-rr",
        link_type="round_robin",
        host_ids=[mate.id],
        settings=common,
    )
    do_answer_invitation(session=session, actor=mate, link_id=rotation.id, accept=True)
    day = next_weekday(1)
    first = do_book(
        session=session, link=rotation, request=request(paris(day, 9), answers={})
    ).booking
    second = do_book(
        session=session,
        link=rotation,
        request=request(paris(day, 11), answers={}, email="b@example.org"),
    ).booking
    assert {first.host_id, second.host_id} == {host.id, mate.id}  # fewest bookings first
    # The same time again: the other host is still free, so it is offered and booked.
    third = do_book(
        session=session,
        link=rotation,
        request=request(paris(day, 9), answers={}, email="c@example.org"),
    ).booking
    assert third.host_id != first.host_id

    team = do_create_link(
        session=session,
        owner=host,
        name="Panel",
        slug="panel-group",
        link_type="group",
        host_ids=[mate.id],
        settings=common,
    )
    do_answer_invitation(session=session, actor=mate, link_id=team.id, accept=True)
    # 09:00 is now taken for both hosts (one each): a group meeting needs everyone free.
    with pytest.raises(SlotUnavailableError):
        do_book(
            session=session,
            link=team,
            request=request(paris(day, 9), answers={}, email="d@example.org"),
        )
    panel = do_book(
        session=session,
        link=team,
        request=request(paris(day, 14), answers={}, email="d@example.org"),
    ).booking
    with pytest.raises(SlotUnavailableError):  # the panel occupies both hosts
        do_book(
            session=session,
            link=rotation,
            request=request(paris(day, 14), answers={}, email="e@example.org"),
        )
    assert panel.host_id == host.id
