"""Contacts per host (S4, S5): paging and search, create, edit, merge, delete, each with a
second user trying it; bookings keep their contact's meeting in step; meetings created
from a record, written to the host's calendar in the sandbox or only logged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from meetings_ui.domain.enums import BookingStatus, MeetingSource, OutboxKind
from meetings_ui.models import (
    AuditEvent,
    Booking,
    CalendarConnection,
    Contact,
    ContactMeeting,
    OutboxItem,
    User,
)
from meetings_ui.services import contacts
from meetings_ui.services.bookings import do_book, do_cancel, do_reschedule
from meetings_ui.services.contacts import (
    NO_CALENDAR,
    ContactNotFoundError,
    InvalidContactError,
    MeetingNotFoundError,
)
from tests.sandbox import Sandbox
from tests.services.test_bookings import (
    connect_google,
    next_weekday,
    paris,
    request,
)


def make(session: Session, owner: User, email: str, **fields: str) -> Contact:
    return contacts.do_create_contact(session=session, actor=owner, email=email, **fields)


def meeting(session: Session, contact: Contact, start: datetime, **fields: object) -> None:
    session.add(
        ContactMeeting(
            contact_id=contact.id,
            host_id=contact.owner_id,
            source=fields.pop("source", MeetingSource.CALENDAR_SYNC),
            title=fields.pop("title", "Sync"),
            start_at=start,
            end_at=start + timedelta(minutes=30),
            **fields,
        )
    )
    session.commit()


# --- list, create, edit ------------------------------------------------------------------------


def test_a_host_lists_their_own_contacts_paged_and_searched(
    session: Session, alice: User, bob: User, admin: User
) -> None:
    for number in range(30):
        make(session, alice, f"person{number:02d}@example.org", name=f"Person {number:02d}")
    make(session, alice, "zed@acme.example", name="Zed", company="ACME Corp")
    make(session, alice, "nameless@example.org")  # sorted by its email
    make(session, bob, "bob.contact@example.org", name="Bob's contact")

    first = contacts.list_contacts(session=session, actor=alice)
    assert (first.total, len(first.rows), first.pages) == (32, 25, 2)
    assert [r.email for r in first.rows[:2]] == ["nameless@example.org", "person00@example.org"]
    second = contacts.list_contacts(session=session, actor=alice, page=2)
    assert [r.name for r in second.rows][-1] == "Zed" and len(second.rows) == 7
    assert all(r.owner_email == "alice@example.com" for r in first.rows + second.rows)

    found = contacts.list_contacts(session=session, actor=alice, search="acme")
    assert [r.email for r in found.rows] == ["zed@acme.example"]  # by company and email
    assert contacts.list_contacts(session=session, actor=alice, search="PERSON 1").total == 10
    assert contacts.list_contacts(session=session, actor=alice, search="%").total == 0
    assert contacts.list_contacts(session=session, actor=bob).total == 1  # never Alice's
    assert contacts.list_contacts(session=session, actor=admin).total == 33  # admins: all


def test_sorting_by_last_meeting_puts_the_latest_first(session: Session, alice: User) -> None:
    old, recent, never = (make(session, alice, f"{n}@example.org", name=n) for n in "abc")
    now = datetime.now(UTC)
    meeting(session, old, now - timedelta(days=30))
    meeting(session, recent, now - timedelta(days=1))
    rows = contacts.list_contacts(session=session, actor=alice, sort="last_meeting").rows
    assert [r.name for r in rows] == ["b", "a", "c"]
    assert rows[0].meetings == 1 and rows[2].last_meeting_at is None
    assert never.id == rows[2].id


def test_create_validates_lower_cases_and_refuses_a_duplicate_with_a_link(
    session: Session, alice: User, bob: User
) -> None:
    contact = make(session, alice, "  Ann.Example@Example.ORG ", name="Ann")
    assert contact.email == "ann.example@example.org" and contact.owner_id == alice.id
    with pytest.raises(InvalidContactError) as duplicate:
        make(session, alice, "ANN.example@example.org")
    assert duplicate.value.existing_id == contact.id
    assert duplicate.value.problems == [("email", "You already have a contact with this email.")]
    assert make(session, bob, "ann.example@example.org").owner_id == bob.id  # per host
    with pytest.raises(InvalidContactError) as bad:
        make(session, alice, "not an address", name="x" * 300)
    assert {field for field, _ in bad.value.problems} == {"email", "name"}


def test_edit_changes_fields_and_refuses_a_colliding_email(
    session: Session, alice: User, bob: User, admin: User
) -> None:
    ann = make(session, alice, "ann@example.org", name="Ann")
    make(session, alice, "other@example.org")
    changed = contacts.do_update_contact(
        session=session,
        actor=alice,
        contact_id=ann.id,
        changes={"name": "Ann Example", "phone": "+33 1 23", "company": "Acme", "notes": "VIP\n"},
    )
    assert (changed.name, changed.phone, changed.company, changed.notes) == (
        "Ann Example",
        "+33 1 23",
        "Acme",
        "VIP",
    )
    with pytest.raises(InvalidContactError) as collision:
        contacts.do_update_contact(
            session=session, actor=alice, contact_id=ann.id, changes={"email": "OTHER@example.org"}
        )
    assert collision.value.existing_id is not None
    for intruder in (bob, admin):  # admins read others' contacts, never change them
        with pytest.raises(ContactNotFoundError):
            contacts.do_update_contact(
                session=session, actor=intruder, contact_id=ann.id, changes={"name": "Hacked"}
            )
    session.refresh(ann)
    assert ann.name == "Ann Example"


def test_a_second_user_can_neither_see_nor_touch_a_contact(
    session: Session, alice: User, bob: User, admin: User
) -> None:
    ann = make(session, alice, "ann@example.org")
    bobs = make(session, bob, "b@example.org")
    start = datetime.now(UTC) + timedelta(days=3)
    attempts = [
        lambda: contacts.get_contact(session=session, actor=bob, contact_id=ann.id),
        lambda: contacts.contact_meetings(session=session, actor=bob, contact_id=ann.id),
        lambda: contacts.form_submissions(session=session, actor=bob, contact_id=ann.id),
        lambda: contacts.do_delete_contact(session=session, actor=bob, contact_id=ann.id),
        lambda: contacts.do_merge_contacts(
            session=session, actor=bob, keep_id=bobs.id, other_id=ann.id
        ),
        lambda: contacts.do_merge_contacts(
            session=session, actor=bob, keep_id=ann.id, other_id=bobs.id
        ),
        lambda: contacts.do_create_meeting(
            session=session, actor=bob, contact_id=ann.id, title="x", start=start, duration=30
        ),
        lambda: contacts.do_delete_contact(session=session, actor=admin, contact_id=ann.id),
        lambda: contacts.get_contact(session=session, actor=bob, contact_id=10**9),
    ]
    for attempt in attempts:
        with pytest.raises(ContactNotFoundError):
            attempt()
    assert session.get(Contact, ann.id) is not None
    assert session.get(Contact, bobs.id) is not None
    assert session.exec(select(ContactMeeting)).all() == []
    seen = contacts.get_contact(session=session, actor=admin, contact_id=ann.id)
    assert seen.owner_email == "alice@example.com" and not seen.can_change


# --- merge and delete -----------------------------------------------------------------------


def test_merge_moves_meetings_and_bookings_fills_blanks_and_is_audited(
    session: Session, host: User, link
) -> None:
    day = next_weekday(2)
    booked = do_book(session=session, link=link, request=request(paris(day, 10))).booking
    kept = session.get(Contact, booked.contact_id)
    other = make(session, host, "pat.work@example.org", company="Acme", notes="Met at a fair")
    later = do_book(
        session=session,
        link=link,
        request=request(paris(day, 14), email="pat.work@example.org", name="Pat"),
    ).booking
    assert later.contact_id == other.id
    meeting(session, other, paris(day, 16), provider_event_id="e1", title="Lunch")

    merged = contacts.do_merge_contacts(
        session=session, actor=host, keep_id=kept.id, other_id=other.id
    )
    assert (merged.name, merged.company, merged.notes) == ("Pat Prospect", "Acme", "Met at a fair")
    assert session.get(Contact, other.id) is None
    session.refresh(later)
    assert later.contact_id == kept.id
    titles = [
        m.title
        for m in contacts.contact_meetings(session=session, actor=host, contact_id=kept.id).rows
    ]
    assert titles == ["Intro call", "Intro call", "Lunch"]
    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "contact.merge")).one()
    assert audit.details["merged_email"] == "pat.work@example.org"


def test_merge_keeps_one_row_for_a_meeting_both_records_hold(session: Session, alice: User) -> None:
    ann, twin = make(session, alice, "ann@example.org"), make(session, alice, "ann2@example.org")
    connection = CalendarConnection(user_id=alice.id, provider="google", account_email="a@x")
    session.add(connection)
    session.commit()
    start = datetime.now(UTC) + timedelta(days=2)
    for contact in (ann, twin):  # one event with both as attendees
        meeting(session, contact, start, connection_id=connection.id, provider_event_id="same")
    contacts.do_merge_contacts(session=session, actor=alice, keep_id=ann.id, other_id=twin.id)
    rows = session.exec(select(ContactMeeting)).all()
    assert [(r.contact_id, r.provider_event_id) for r in rows] == [(ann.id, "same")]


def test_merge_refuses_itself_and_another_hosts_contact(
    session: Session, alice: User, bob: User
) -> None:
    ann = make(session, alice, "ann@example.org")
    with pytest.raises(InvalidContactError):
        contacts.do_merge_contacts(session=session, actor=alice, keep_id=ann.id, other_id=ann.id)
    bobs = make(session, bob, "ann@example.org")
    with pytest.raises(ContactNotFoundError):
        contacts.do_merge_contacts(session=session, actor=alice, keep_id=ann.id, other_id=bobs.id)
    assert session.get(Contact, bobs.id) is not None


def test_delete_removes_the_record_and_keeps_the_bookings(
    session: Session, host: User, link
) -> None:
    booking = do_book(
        session=session, link=link, request=request(paris(next_weekday(1), 10))
    ).booking
    contact_id = booking.contact_id
    contacts.do_delete_contact(session=session, actor=host, contact_id=contact_id)
    assert session.get(Contact, contact_id) is None
    assert session.exec(select(ContactMeeting)).all() == []
    session.refresh(booking)
    assert booking.contact_id is None
    do_cancel(session=session, booking=booking)  # does not bring the contact back
    assert session.exec(select(Contact)).all() == []


# --- bookings on records ----------------------------------------------------------------------


def test_a_booking_creates_the_contact_and_its_meeting_and_refreshes_the_name(
    session: Session, host: User, link
) -> None:
    day = next_weekday(3)
    first = do_book(session=session, link=link, request=request(paris(day, 10))).booking
    contact = session.get(Contact, first.contact_id)
    assert (contact.owner_id, contact.email, contact.name) == (
        host.id,
        "pat@example.org",
        "Pat Prospect",
    )
    row = session.exec(select(ContactMeeting).where(ContactMeeting.booking_id == first.id)).one()
    assert (row.source, row.title, row.status) == ("booking_page", "Intro call", "requested")
    assert (row.start_at, row.end_at) == (first.start_at, first.end_at)
    do_book(
        session=session,
        link=link,
        request=request(paris(day, 14), email="PAT@example.org", name="Patricia P."),
    )
    session.refresh(contact)
    assert contact.name == "Patricia P."
    assert len(session.exec(select(Contact)).all()) == 1

    submissions = contacts.form_submissions(session=session, actor=host, contact_id=contact.id)
    assert submissions.total == 2
    assert [(a.label, a.value) for a in submissions.rows[0].answers] == [("Company", "Acme")]


def test_cancel_and_reschedule_keep_the_meeting_in_step(session: Session, host: User, link) -> None:
    day = next_weekday(2)
    booking = do_book(session=session, link=link, request=request(paris(day, 10))).booking
    moved = do_reschedule(session=session, booking=booking, new_start=paris(day, 15))
    rows = session.exec(
        select(ContactMeeting).where(ContactMeeting.contact_id == moved.contact_id)
    ).all()
    assert [(r.booking_id, r.start_at, r.status) for r in rows] == [
        (moved.id, paris(day, 15).astimezone(UTC), "requested")
    ]
    do_cancel(session=session, booking=moved)
    session.refresh(rows[0])
    assert rows[0].status == BookingStatus.CANCELLED


def test_record_booking_follows_a_confirmed_request(session: Session, host: User, link) -> None:
    """What the host's confirm of a request (another branch) calls after changing it."""
    booking = do_book(
        session=session, link=link, request=request(paris(next_weekday(4), 10))
    ).booking
    booking.status = BookingStatus.CONFIRMED
    contacts.record_booking(session, booking)
    session.commit()
    row = session.exec(select(ContactMeeting).where(ContactMeeting.booking_id == booking.id)).one()
    assert row.status == BookingStatus.CONFIRMED


# --- S5: create meeting -----------------------------------------------------------------------


def test_without_a_calendar_the_meeting_is_only_logged(
    session: Session, alice: User, deliver
) -> None:
    ann = make(session, alice, "ann@example.org")
    details = contacts.get_contact(session=session, actor=alice, contact_id=ann.id)
    assert not details.calendar_connected and "no invitation will be sent" in NO_CALENDAR
    start = datetime.now(UTC) - timedelta(days=1)  # logging a past meeting is fine here
    created = contacts.do_create_meeting(
        session=session, actor=alice, contact_id=ann.id, title="Coffee", start=start, duration=45
    )
    assert created.source == MeetingSource.CONTACT_RECORD and created.connection_id is None
    assert session.exec(select(OutboxItem)).all() == []
    past = contacts.contact_meetings(session=session, actor=alice, contact_id=ann.id, when="past")
    assert [(m.title, m.in_calendar) for m in past.rows] == [("Coffee", False)]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "  "}, "title"),
        ({"duration": 4}, "duration"),
        ({"duration": 721}, "duration"),
        ({"start": datetime(1900, 1, 1, tzinfo=UTC)}, "start"),
        ({"start": datetime(2030, 1, 1)}, "start"),
    ],
)
def test_create_meeting_validates(session: Session, alice: User, fields: dict, field: str) -> None:
    ann = make(session, alice, "ann@example.org")
    values = {"title": "Call", "start": datetime.now(UTC) + timedelta(days=1), "duration": 30}
    with pytest.raises(InvalidContactError) as refused:
        contacts.do_create_meeting(
            session=session, actor=alice, contact_id=ann.id, **(values | fields)
        )
    assert [f for f, _ in refused.value.problems] == [field]


def test_local_start_reads_the_hosts_zone() -> None:
    assert contacts.local_start("2030-01-07", "10:00", "Europe/Paris") == datetime(
        2030, 1, 7, 9, tzinfo=UTC
    )
    with pytest.raises(InvalidContactError):
        contacts.local_start("07/01/2030", "10:00", "UTC")


def test_with_a_calendar_the_event_is_written_once_with_the_contact_invited(
    session: Session,
    host: User,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    deliver,
) -> None:
    connect_google(session, host, sandbox, monkeypatch)
    ann = make(session, host, "ann@example.org", name="Ann")
    assert contacts.get_contact(session=session, actor=host, contact_id=ann.id).calendar_connected
    start = paris(next_weekday(2), 11)
    created = contacts.do_create_meeting(
        session=session,
        actor=host,
        contact_id=ann.id,
        title="Demo",
        start=start,
        duration=60,
        description="Show the product",
    )
    assert created.provider_event_id is None  # written by the delivery, not the request
    item = session.exec(select(OutboxItem)).one()
    assert item.kind == OutboxKind.CONTACT_MEETING_CREATE
    assert deliver().sent == 1
    session.refresh(created)
    event = sandbox.store.events[created.provider_event_id]
    assert event.calendar_id == "demo.google@example.com"
    assert [a["email"] for a in event.attendees] == ["ann@example.org"]
    assert (event.start, event.end) == (start.astimezone(UTC), start + timedelta(hours=1))

    # Delivered again (a crash between writing and recording): still one event.
    count = len(sandbox.store.events)
    created.provider_event_id = None
    session.add(created)
    session.commit()
    contacts.deliver_meeting_create(session, item)
    session.commit()
    session.refresh(created)
    assert len(sandbox.store.events) == count and created.provider_event_id == event.id

    with pytest.raises(InvalidContactError):  # an invitation for the past makes no sense
        contacts.do_create_meeting(
            session=session,
            actor=host,
            contact_id=ann.id,
            title="Late",
            start=datetime.now(UTC) - timedelta(hours=1),
            duration=30,
        )

    contacts.do_cancel_meeting(
        session=session, actor=host, contact_id=ann.id, meeting_id=created.id
    )
    assert deliver().sent == 1
    assert sandbox.store.events[created.provider_event_id].status == "cancelled"


def test_a_failed_calendar_write_shows_on_the_record_then_is_retried(
    session: Session,
    host: User,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    deliver,
) -> None:
    connect_google(session, host, sandbox, monkeypatch)
    ann = make(session, host, "ann@example.org")
    sandbox.fault(provider="google", path="*/events", status=500, count=20)
    created = contacts.do_create_meeting(
        session=session,
        actor=host,
        contact_id=ann.id,
        title="Demo",
        start=paris(next_weekday(2), 11),
        duration=30,
    )
    assert deliver().retrying == 1
    session.expire_all()  # the delivery wrote through its own session
    row = contacts.contact_meetings(session=session, actor=host, contact_id=ann.id).rows[0]
    assert row.calendar_error and not row.in_calendar
    sandbox.control("DELETE", "/faults")
    assert deliver(now=datetime.now(UTC) + timedelta(minutes=1)).sent == 1
    session.refresh(created)
    assert created.provider_event_id in sandbox.store.events and created.calendar_error is None


def test_only_meetings_created_on_the_record_can_be_cancelled_there(
    session: Session, host: User, bob: User, link
) -> None:
    booking = do_book(
        session=session, link=link, request=request(paris(next_weekday(1), 10))
    ).booking
    booked = session.exec(select(ContactMeeting)).one()
    with pytest.raises(MeetingNotFoundError):
        contacts.do_cancel_meeting(
            session=session, actor=host, contact_id=booking.contact_id, meeting_id=booked.id
        )
    logged = contacts.do_create_meeting(
        session=session,
        actor=host,
        contact_id=booking.contact_id,
        title="Call",
        start=datetime.now(UTC) + timedelta(days=1),
        duration=30,
    )
    with pytest.raises(ContactNotFoundError):
        contacts.do_cancel_meeting(
            session=session, actor=bob, contact_id=booking.contact_id, meeting_id=logged.id
        )
    cancelled = contacts.do_cancel_meeting(
        session=session, actor=host, contact_id=booking.contact_id, meeting_id=logged.id
    )
    assert cancelled.status == BookingStatus.CANCELLED
    assert session.get(Booking, booking.id).status != BookingStatus.CANCELLED


def test_editing_a_created_meeting_moves_its_event(
    session: Session,
    host: User,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    deliver,
    bob: User,
) -> None:
    connect_google(session, host, sandbox, monkeypatch)
    ann = make(session, host, "ann@example.org")
    created = contacts.do_create_meeting(
        session=session,
        actor=host,
        contact_id=ann.id,
        title="Demo",
        start=paris(next_weekday(2), 11),
        duration=30,
    )
    deliver()
    session.refresh(created)
    later = paris(next_weekday(3), 15)
    changes = {"title": "Demo, part 2", "start": later, "duration": 90, "description": "Bring X"}
    with pytest.raises(ContactNotFoundError):
        contacts.do_update_meeting(
            session=session, actor=bob, contact_id=ann.id, meeting_id=created.id, **changes
        )
    contacts.do_update_meeting(
        session=session, actor=host, contact_id=ann.id, meeting_id=created.id, **changes
    )
    assert deliver().sent == 1
    event = sandbox.store.events[created.provider_event_id]
    assert (event.summary, event.description) == ("Demo, part 2", "Bring X")
    assert (event.start, event.end) == (later.astimezone(UTC), later + timedelta(minutes=90))
    assert len([e for e in sandbox.store.events.values() if e.summary.startswith("Demo")]) == 1
