"""The host's scheduled meetings: listing (paged, filtered, sorted, in the host's zone),
confirming and declining offline-mode requests, cancelling and rescheduling from the list,
rights (a second user tries every action) and races."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from meetings_ui.domain.enums import BookingStatus, OutboxKind
from meetings_ui.models import Booking, Calendar, OutboxEmail, OutboxItem, User
from meetings_ui.services import host_meetings
from meetings_ui.services.bookings import (
    BookingNotFoundError,
    InvalidBookingError,
    MeetingStartedError,
    RequestClosedError,
    TimeNowBusyError,
    do_book,
)
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.services.host_meetings import MeetingFilter, MeetingSource
from meetings_ui.services.links import do_answer_invitation, do_create_link
from tests.sandbox import Sandbox
from tests.services.test_bookings import (
    WEEKDAYS_9_TO_17,
    connect_google,
    next_weekday,
    paris,
    request,
)


def book(session: Session, link, start: datetime, email: str = "pat@example.org", name="Pat"):
    return do_book(
        session=session, link=link, request=request(start, email=email, name=name)
    ).booking


def mails_to(session: Session, to: str) -> list[OutboxItem]:
    return session.exec(
        select(OutboxItem).where(OutboxItem.kind == OutboxKind.EMAIL, OutboxItem.recipient == to)
    ).all()


def test_requests_come_first_then_upcoming_soonest_then_past_latest(
    session: Session, host: User, link
) -> None:
    day = next_weekday(1)
    later = book(session, link, paris(day + timedelta(days=7), 10), "a@example.org")
    sooner = book(session, link, paris(day, 10), "b@example.org")
    confirmed = book(session, link, paris(day, 9), "c@example.org")
    old = book(session, link, paris(day, 11), "d@example.org")
    older = book(session, link, paris(day, 12), "e@example.org")
    session.execute(sa.update(Booking).where(Booking.id == confirmed.id).values(status="confirmed"))
    # Two meetings in the past: moved there directly (booking refuses past times).
    for booking, days in ((old, 20), (older, 30)):
        session.execute(
            sa.update(Booking)
            .where(Booking.id == booking.id)
            .values(
                start_at=booking.start_at - timedelta(days=days),
                end_at=booking.end_at - timedelta(days=days),
            )
        )
    session.commit()
    page = host_meetings.meetings_of(session=session, actor=host)
    assert [r.id for r in page.rows] == [sooner.id, later.id, confirmed.id, old.id, older.id]
    assert page.total == 5 and page.time_zone == "Europe/Paris"
    first = page.rows[0]
    assert first.start == paris(day, 10) and first.start.tzinfo is not None
    assert str(first.start.tzinfo) == "Europe/Paris"
    assert first.link_name == "Intro call" and first.source == MeetingSource.BOOKING_PAGE
    assert first.status == BookingStatus.REQUESTED and first.can_change
    assert not page.rows[-1].can_change  # over: nothing left to change

    def ids(which: MeetingFilter) -> list[int]:
        return [
            r.id for r in host_meetings.meetings_of(session=session, actor=host, which=which).rows
        ]

    assert ids(MeetingFilter.REQUESTS) == [sooner.id, later.id]
    assert ids(MeetingFilter.UPCOMING) == [confirmed.id]
    assert ids(MeetingFilter.PAST) == [old.id, older.id]
    assert ids(MeetingFilter.CANCELLED) == []


def test_pages_search_and_link_filter_run_on_the_server(session: Session, host: User, link) -> None:
    other = do_create_link(
        session=session,
        owner=host,
        name="Demo",
        settings={"time_zone": "Europe/Paris", "weekly": WEEKDAYS_9_TO_17, "minimum_notice": 0},
    )
    day = next_weekday(2)
    for index in range(25):
        moment = paris(day + timedelta(days=7 * (index // 14)), 9) + timedelta(
            minutes=30 * (index % 14)
        )
        book(session, link, moment, f"p{index}@example.org", name=f"Person {index}")
    do_book(
        session=session,
        link=other,
        request=request(paris(day, 16), email="zed_100%@example.org", name="Zed", answers={}),
    )
    first = host_meetings.meetings_of(session=session, actor=host, limit=20)
    second = host_meetings.meetings_of(session=session, actor=host, offset=20, limit=20)
    assert first.total == second.total == 26
    assert len(first.rows) == 20 and len(second.rows) == 6
    assert not {r.id for r in first.rows} & {r.id for r in second.rows}
    only_other = host_meetings.meetings_of(session=session, actor=host, link_id=other.id)
    assert [r.prospect_name for r in only_other.rows] == ["Zed"]
    found = host_meetings.meetings_of(session=session, actor=host, search="  PERSON 1")
    assert found.total == 11  # Person 1 and Person 10 to 19
    assert host_meetings.meetings_of(session=session, actor=host, search="p7@EXAMPLE").total == 1
    # LIKE's wildcards are searched for as themselves.
    assert [
        r.prospect_name
        for r in host_meetings.meetings_of(session=session, actor=host, search="_100%").rows
    ] == ["Zed"]
    assert host_meetings.meetings_of(session=session, actor=host, search="%").total == 1
    capped = host_meetings.meetings_of(session=session, actor=host, offset=-5, limit=10_000)
    assert capped.offset == 0 and capped.limit == host_meetings.MAX_PAGE_SIZE


def test_a_second_user_sees_none_of_it_and_can_do_nothing(
    session: Session, host: User, link, bob: User
) -> None:
    booking = book(session, link, paris(next_weekday(1), 10))
    assert host_meetings.meetings_of(session=session, actor=bob).total == 0
    actions = [
        lambda: host_meetings.meeting_of(session=session, actor=bob, booking_id=booking.id),
        lambda: host_meetings.do_confirm(session=session, actor=bob, booking_id=booking.id),
        lambda: host_meetings.do_decline(session=session, actor=bob, booking_id=booking.id),
        lambda: host_meetings.do_cancel(session=session, actor=bob, booking_id=booking.id),
        lambda: host_meetings.free_times(
            session=session, actor=bob, booking_id=booking.id, day=next_weekday(2)
        ),
        lambda: host_meetings.do_reschedule(
            session=session,
            actor=bob,
            booking_id=booking.id,
            new_start=paris(next_weekday(2), 10),
        ),
    ]
    for action in actions:
        with pytest.raises(BookingNotFoundError):
            action()
    session.refresh(booking)
    assert booking.status == BookingStatus.REQUESTED
    assert session.exec(select(Booking)).all() == [booking]


def test_an_admin_acts_on_others_meetings_only_through_the_admin_pages(
    session: Session, link, admin: User
) -> None:
    booking = book(session, link, paris(next_weekday(1), 10))
    assert host_meetings.meetings_of(session=session, actor=admin).total == 0
    with pytest.raises(BookingNotFoundError):
        host_meetings.do_confirm(session=session, actor=admin, booking_id=booking.id)


def test_a_group_co_host_sees_the_meeting_but_only_the_owner_changes_it(
    session: Session, host: User, alice: User
) -> None:
    group = do_create_link(
        session=session,
        owner=host,
        name="Team call",
        link_type="group",
        host_ids=[host.id, alice.id],
        settings={"time_zone": "Europe/Paris", "weekly": WEEKDAYS_9_TO_17, "minimum_notice": 0},
    )
    do_answer_invitation(session=session, actor=alice, link_id=group.id, accept=True)
    booking = do_book(
        session=session, link=group, request=request(paris(next_weekday(3), 10), answers={})
    ).booking
    seen = host_meetings.meetings_of(session=session, actor=alice)
    assert [r.id for r in seen.rows] == [booking.id] and not seen.rows[0].can_change
    with pytest.raises(ForbiddenError):
        host_meetings.do_cancel(session=session, actor=alice, booking_id=booking.id)
    host_meetings.do_decline(session=session, actor=host, booking_id=booking.id)
    session.refresh(booking)
    assert booking.status == BookingStatus.CANCELLED


def test_confirming_without_a_calendar_confirms_and_writes_nothing(
    session: Session, host: User, link, deliver
) -> None:
    booking = book(session, link, paris(next_weekday(1), 10))
    deliver()
    to_host = session.exec(select(OutboxEmail).where(OutboxEmail.to == "hugo@example.com")).one()
    assert "Confirm or decline the request under Scheduled meetings" in to_host.text
    assert "/app/meetings" in to_host.text
    done = host_meetings.do_confirm(session=session, actor=host, booking_id=booking.id)
    assert done.booking.status == BookingStatus.CONFIRMED and not done.calendar_write_queued
    assert done.booking.sequence == 1
    kinds = {i.kind for i in session.exec(select(OutboxItem)).all()}
    assert OutboxKind.CALENDAR_CREATE not in kinds
    deliver()
    mail = session.exec(
        select(OutboxEmail).where(
            OutboxEmail.to == "pat@example.org", OutboxEmail.subject.startswith("Confirmed")
        )
    ).one()
    assert mail.subject == "Confirmed: Intro call with Hugo Host"
    assert "Hugo Host confirmed your meeting." in mail.text
    assert mail.attachments[0]["filename"] == "invite.ics"
    again = host_meetings.do_confirm(session=session, actor=host, booking_id=booking.id)
    assert again.already
    assert len([m for m in mails_to(session, "pat@example.org") if "Confirmed" in m.summary]) == 1


def test_confirming_once_a_calendar_is_connected_writes_the_event(
    session: Session,
    host: User,
    link,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    deliver,
) -> None:
    booking = book(session, link, paris(next_weekday(3), 14))
    connect_google(session, host, sandbox, monkeypatch)
    done = host_meetings.do_confirm(session=session, actor=host, booking_id=booking.id)
    assert done.calendar_write_queued
    deliver()
    session.refresh(booking)
    assert booking.provider_event_id in sandbox.store.events


def test_a_request_whose_time_became_busy_needs_confirm_anyway(
    session: Session,
    host: User,
    link,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    deliver,
) -> None:
    day = next_weekday(4)
    booking = book(session, link, paris(day, 11))
    connect_google(session, host, sandbox, monkeypatch)
    primary = session.exec(select(Calendar).where(Calendar.is_primary)).one()
    sandbox.control(
        "POST",
        "/events",
        calendar_id=primary.provider_calendar_id,
        summary="Dentist",
        start=paris(day, 11).isoformat(),
        end=paris(day, 12).isoformat(),
    )
    with pytest.raises(TimeNowBusyError) as busy:
        host_meetings.do_confirm(session=session, actor=host, booking_id=booking.id)
    assert "busy" in str(busy.value)
    session.refresh(booking)
    assert booking.status == BookingStatus.REQUESTED
    done = host_meetings.do_confirm(session=session, actor=host, booking_id=booking.id, anyway=True)
    assert done.booking.status == BookingStatus.CONFIRMED and done.calendar_write_queued


def test_declining_tells_the_prospect_with_the_message(
    session: Session, host: User, link, deliver
) -> None:
    booking = book(session, link, paris(next_weekday(1), 10))
    with pytest.raises(InvalidBookingError):
        host_meetings.do_decline(
            session=session, actor=host, booking_id=booking.id, message="bad\x00message"
        )
    host_meetings.do_decline(
        session=session,
        actor=host,
        booking_id=booking.id,
        message="<b>Sorry</b>, I am away that week.",
    )
    session.refresh(booking)
    assert booking.status == BookingStatus.CANCELLED
    deliver()
    mail = session.exec(select(OutboxEmail).where(OutboxEmail.subject.startswith("Declined"))).one()
    assert mail.to == "pat@example.org" and mail.html is None  # plain text: nothing runs
    assert "<b>Sorry</b>, I am away that week." in mail.text
    assert "Pick another time: " in mail.text and "/meetings/" in mail.text
    # Declining again changes nothing; confirming a declined request is refused.
    host_meetings.do_decline(session=session, actor=host, booking_id=booking.id)
    assert len(mails_to(session, "pat@example.org")) == 2  # the request, the decline
    with pytest.raises(RequestClosedError):
        host_meetings.do_confirm(session=session, actor=host, booking_id=booking.id)


def test_a_confirmed_meeting_cannot_be_declined(session: Session, host: User, link) -> None:
    booking = book(session, link, paris(next_weekday(1), 10))
    host_meetings.do_confirm(session=session, actor=host, booking_id=booking.id)
    with pytest.raises(RequestClosedError):
        host_meetings.do_decline(session=session, actor=host, booking_id=booking.id)


def test_cancelling_from_the_list_tells_both_people(
    session: Session, host: User, link, deliver
) -> None:
    booking = book(session, link, paris(next_weekday(1), 10))
    host_meetings.do_confirm(session=session, actor=host, booking_id=booking.id)
    host_meetings.do_cancel(
        session=session, actor=host, booking_id=booking.id, message="Something came up."
    )
    session.refresh(booking)
    assert booking.status == BookingStatus.CANCELLED
    deliver()
    cancelled = session.exec(
        select(OutboxEmail).where(OutboxEmail.subject == "Cancelled: Intro call")
    ).all()
    assert {m.to for m in cancelled} == {"pat@example.org", "hugo@example.com"}
    assert all("Something came up." in m.text for m in cancelled)
    listed = host_meetings.meetings_of(session=session, actor=host, which=MeetingFilter.CANCELLED)
    assert [r.id for r in listed.rows] == [booking.id] and not listed.rows[0].can_change


def test_a_started_meeting_can_neither_be_confirmed_nor_cancelled(
    session: Session, host: User, link
) -> None:
    booking = book(session, link, paris(next_weekday(1), 10))
    after = booking.start_at + timedelta(minutes=1)
    with pytest.raises(MeetingStartedError):
        host_meetings.do_confirm(session=session, actor=host, booking_id=booking.id, now=after)
    with pytest.raises(MeetingStartedError):
        host_meetings.do_cancel(session=session, actor=host, booking_id=booking.id, now=after)


def test_rescheduling_offers_free_times_and_moves_the_meeting(
    session: Session, host: User, link, deliver
) -> None:
    day = next_weekday(2)
    booking = book(session, link, paris(day, 10))
    book(session, link, paris(day, 14), "other@example.org")
    slots = host_meetings.free_times(session=session, actor=host, booking_id=booking.id, day=day)
    starts = {s.start for s in slots}
    assert paris(day, 10) in starts  # its own time stays free for it
    assert paris(day, 14) not in starts  # somebody else's is not
    assert all(str(s.start.tzinfo) == "Europe/Paris" for s in slots)
    deliver()
    moved = host_meetings.do_reschedule(
        session=session, actor=host, booking_id=booking.id, new_start=paris(day, 15)
    )
    session.refresh(booking)
    assert booking.status == BookingStatus.CANCELLED and booking.sequence == 1
    assert moved.start_at == paris(day, 15).astimezone(UTC)
    row = host_meetings.meetings_of(session=session, actor=host, search="pat@").rows[0]
    assert row.id == moved.id and row.source == MeetingSource.RESCHEDULED
    deliver()
    subjects = {
        m.subject for m in session.exec(select(OutboxEmail)).all() if m.to == "pat@example.org"
    }
    assert "Cancelled: Intro call" in subjects
    assert moved.status == BookingStatus.REQUESTED  # a request moved stays a request
    with pytest.raises(InvalidBookingError):  # the old one is gone
        host_meetings.do_reschedule(
            session=session, actor=host, booking_id=booking.id, new_start=paris(day, 16)
        )


def _race(engine: sa.Engine, attempts: list) -> list[str]:
    barrier = threading.Barrier(len(attempts))
    outcomes: list[str] = []

    def run(attempt) -> None:
        with Session(engine, expire_on_commit=False) as own:
            barrier.wait()
            try:
                outcomes.append(attempt(own))
            except RequestClosedError:
                outcomes.append("closed")

    threads = [threading.Thread(target=run, args=(a,)) for a in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_double_confirm_confirms_once(
    engine: sa.Engine, session: Session, host: User, link
) -> None:
    booking = book(session, link, paris(next_weekday(1), 10))

    def confirm(own: Session) -> str:
        done = host_meetings.do_confirm(session=own, actor=host, booking_id=booking.id)
        return "already" if done.already else "confirmed"

    outcomes = _race(engine, [confirm] * 4)
    assert sorted(outcomes) == ["already"] * 3 + ["confirmed"]
    confirmations = [m for m in mails_to(session, "pat@example.org") if "Confirmed" in m.summary]
    assert len(confirmations) == 1


def test_confirm_racing_decline_one_wins(
    engine: sa.Engine, session: Session, host: User, link
) -> None:
    booking = book(session, link, paris(next_weekday(1), 10))

    def confirm(own: Session) -> str:
        host_meetings.do_confirm(session=own, actor=host, booking_id=booking.id)
        return "confirmed"

    def decline(own: Session) -> str:
        host_meetings.do_decline(session=own, actor=host, booking_id=booking.id)
        return "declined"

    outcomes = _race(engine, [confirm, decline, confirm, decline])
    session.expire_all()
    final = session.get(Booking, booking.id).status
    winner = "confirmed" if final == BookingStatus.CONFIRMED else "declined"
    assert outcomes.count(winner) == 2 and outcomes.count("closed") == 2
    answers = [
        m
        for m in mails_to(session, "pat@example.org")
        if m.summary.startswith(("Confirmed", "Declined"))
    ]
    assert len(answers) == 1


def test_a_confirmed_meeting_the_host_moves_stays_confirmed_offline_too(
    session: Session, host: User, link
) -> None:
    day = next_weekday(2)
    booking = book(session, link, paris(day, 10))
    host_meetings.do_confirm(session=session, actor=host, booking_id=booking.id)
    moved = host_meetings.do_reschedule(
        session=session, actor=host, booking_id=booking.id, new_start=paris(day, 11)
    )
    assert moved.status == BookingStatus.CONFIRMED
    writes = session.exec(
        select(OutboxItem).where(OutboxItem.kind == OutboxKind.CALENDAR_CREATE)
    ).all()
    assert writes == []  # no calendar connected: nothing to write, nothing failing
    subjects = {m.summary for m in mails_to(session, "pat@example.org")}
    assert "Confirmed: Intro call with Hugo Host" in subjects
