"""Contacts (S4, S5): each host's own small CRM, and the meetings on each record.

Rights: a host sees and changes their own contacts only. Admins see every host's
contacts (read-only), and may change the few contacts no host owns (carried over from
before contacts were per host). Anyone else gets `ContactNotFoundError`, exactly as for a
contact that does not exist, so ids cannot be probed.

Meetings on a record come from bookings (`record_booking`, called wherever a booking is
made or changes), from calendar sync, or from the record itself (`do_create_meeting`,
S5): with a healthy calendar the event is written to the host's primary calendar by the
outbox and the provider invites the contact; without one the meeting is only logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NoReturn

import sqlalchemy as sa
from sqlmodel import Session, func, or_, select

from meetings_ui.domain import time_zones
from meetings_ui.domain.enums import BookingStatus, MeetingSource, OutboxKind
from meetings_ui.domain.messages import N_, Text
from meetings_ui.domain.text_fields import (
    MAX_NAME_LENGTH,
    InvalidTextError,
    clean_line,
    clean_text,
    normalize_email,
)
from meetings_ui.models import (
    Booking,
    Calendar,
    CalendarConnection,
    Contact,
    ContactMeeting,
    MeetingLink,
    OutboxItem,
    User,
    utc_now,
)
from meetings_ui.providers.base import AccessRole, Attendee, NewEvent, ProviderError
from meetings_ui.services import audit, outbox, scheduling
from meetings_ui.services.calendar_connections import call_provider
from meetings_ui.services.guard import Actor, is_admin
from meetings_ui.services.transactions import use_case

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
MAX_SEARCH_LENGTH = 200
MIN_DURATION, MAX_DURATION = 5, 720
MAX_TITLE_LENGTH = 500
MAX_NOTES_LENGTH = 10_000
NO_CALENDAR = N_(
    "No calendar is connected: this meeting is only logged on the contact record, "
    "and no invitation will be sent."
)
SORTS = ("name", "last_meeting")
UPCOMING, PAST = "upcoming", "past"


class ContactNotFoundError(LookupError):
    """No such contact, or not one the actor may see or change."""


class MeetingNotFoundError(LookupError):
    """No such meeting on this record, or not one the actor may change."""


class InvalidContactError(ValueError):
    """Fields to fix; `existing_id` is the actor's contact that already has the email."""

    def __init__(self, problems: list[tuple[str, str]], existing_id: int | None = None) -> None:
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))
        self.problems = problems
        self.existing_id = existing_id


class ContactCalendarError(Exception):
    """Writing a record's meeting to the host's calendar failed; the outbox retries."""


DUPLICATE = N_("You already have a contact with this email.")


# --- views ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactRow:
    id: int
    name: str
    email: str
    company: str
    phone: str
    owner_email: str
    meetings: int
    last_meeting_at: datetime | None


@dataclass(frozen=True)
class ContactPage:
    rows: list[ContactRow]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class ContactDetails:
    id: int
    owner_id: int | None
    owner_email: str
    email: str
    name: str
    phone: str
    company: str
    notes: str
    created_at: datetime
    updated_at: datetime
    can_change: bool  # the actor may edit, merge, delete and create meetings
    calendar_connected: bool  # S5: a meeting created here goes to the owner's calendar
    calendar_account: str  # the account it goes to, "" without one


@dataclass(frozen=True)
class MeetingRow:
    id: int
    title: str
    description: str
    start_at: datetime
    end_at: datetime
    status: str
    source: str
    booking_id: int | None
    in_calendar: bool  # the event exists on the host's calendar
    calendar_error: str | None


@dataclass(frozen=True)
class MeetingPage:
    rows: list[MeetingRow]
    total: int
    page: int
    page_size: int


@dataclass(frozen=True)
class Answer:
    label: str
    value: str


@dataclass(frozen=True)
class FormSubmission:
    booking_id: int
    link_name: str
    submitted_at: datetime
    meeting_start: datetime
    name: str
    email: str
    answers: list[Answer]


@dataclass(frozen=True)
class SubmissionPage:
    rows: list[FormSubmission]
    total: int
    page: int
    page_size: int


# --- rights ---------------------------------------------------------------------------------


def _may_see(actor: Actor, contact: Contact) -> bool:
    return is_admin(actor) or (isinstance(actor, User) and actor.id == contact.owner_id)


def _may_change(actor: Actor, contact: Contact) -> bool:
    if contact.owner_id is None:
        return is_admin(actor)
    return isinstance(actor, User) and actor.is_active and actor.id == contact.owner_id


def _seen(session: Session, actor: Actor, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id) if type(contact_id) is int else None
    if contact is None or not _may_see(actor, contact):
        raise ContactNotFoundError(Text("No such contact."))
    return contact


def _changeable(session: Session, actor: Actor, contact_id: int) -> Contact:
    contact = _seen(session, actor, contact_id)
    if not _may_change(actor, contact):
        raise ContactNotFoundError(Text("No such contact."))
    return contact


def _own_user(actor: Actor) -> User:
    """Creating a contact makes it the actor's own: only a user can own one."""
    if not isinstance(actor, User) or not actor.is_active:
        raise ContactNotFoundError(Text("Only a host can have contacts."))
    return actor


def _page_bounds(page: int, page_size: int) -> tuple[int, int]:
    page_size = min(max(int(page_size), 1), MAX_PAGE_SIZE)
    return max(int(page), 1), page_size


# --- list and record ------------------------------------------------------------------------


def _shown_name() -> Any:
    """What a list shows for a contact, to sort by: its name, or its email without one."""
    return func.lower(func.coalesce(func.nullif(Contact.name, ""), Contact.email))


@use_case
def list_contacts(
    *,
    session: Session,
    actor: Actor,
    search: str = "",
    page: int = 1,
    page_size: int = PAGE_SIZE,
    sort: str = "name",
    exclude_id: int | None = None,
) -> ContactPage:
    """One page of the actor's contacts (every host's for admins), searched by name, email
    or company, sorted by name or by the latest meeting (most recent first)."""
    page, page_size = _page_bounds(page, page_size)
    last = (
        select(
            ContactMeeting.contact_id.label("contact_id"),
            func.max(ContactMeeting.start_at).label("last_at"),
            func.count(ContactMeeting.id).label("meetings"),
        )
        .where(ContactMeeting.status != BookingStatus.CANCELLED)
        .group_by(ContactMeeting.contact_id)
        .subquery()
    )
    filters = []
    if not is_admin(actor):
        filters.append(Contact.owner_id == (actor.id if isinstance(actor, User) else -1))
    if exclude_id is not None:
        filters.append(Contact.id != exclude_id)
    words = (search or "").strip()[:MAX_SEARCH_LENGTH].lower()
    if words:
        pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        filters.append(
            or_(
                func.lower(Contact.name).like(pattern, escape="\\"),
                Contact.email.like(pattern, escape="\\"),
                func.lower(Contact.company).like(pattern, escape="\\"),
            )
        )
    total = session.exec(select(func.count(Contact.id)).where(*filters)).one()
    order = (
        [sa.case((last.c.last_at.is_(None), 1), else_=0), last.c.last_at.desc()]
        if sort == "last_meeting"
        else []
    )
    rows = session.exec(
        select(Contact, User.email, last.c.meetings, last.c.last_at)
        .join(last, last.c.contact_id == Contact.id, isouter=True)
        .join(User, User.id == Contact.owner_id, isouter=True)
        .where(*filters)
        .order_by(*order, _shown_name(), Contact.email, Contact.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return ContactPage(
        rows=[
            ContactRow(
                id=contact.id,
                name=contact.name,
                email=contact.email,
                company=contact.company,
                phone=contact.phone,
                owner_email=owner_email or "",
                meetings=meetings or 0,
                last_meeting_at=last_at,
            )
            for contact, owner_email, meetings, last_at in rows
        ],
        total=total,
        page=page,
        page_size=page_size,
    )


def healthy_calendar(
    session: Session, user_id: int | None
) -> tuple[CalendarConnection, Calendar] | None:
    """The connection and writable primary calendar a meeting created from a record goes
    to (the one bookings use), or None: then the meeting is only logged."""
    if user_id is None:
        return None
    connection = scheduling.connection_of(session, user_id)
    if connection is None:
        return None
    primary = session.exec(
        select(Calendar).where(
            Calendar.connection_id == connection.id,
            Calendar.is_primary.is_(True),
            Calendar.access_role.in_([AccessRole.OWNER, AccessRole.WRITER]),
        )
    ).first()
    return None if primary is None else (connection, primary)


@use_case
def get_contact(*, session: Session, actor: Actor, contact_id: int) -> ContactDetails:
    contact = _seen(session, actor, contact_id)
    owner = session.get(User, contact.owner_id) if contact.owner_id is not None else None
    calendar = healthy_calendar(session, contact.owner_id)
    return ContactDetails(
        id=contact.id,
        owner_id=contact.owner_id,
        owner_email=owner.email if owner is not None else "",
        email=contact.email,
        name=contact.name,
        phone=contact.phone,
        company=contact.company,
        notes=contact.notes,
        created_at=contact.created_at,
        updated_at=contact.updated_at,
        can_change=_may_change(actor, contact),
        calendar_connected=calendar is not None,
        calendar_account=calendar[0].account_email if calendar is not None else "",
    )


def meeting_row(meeting: ContactMeeting) -> MeetingRow:
    return MeetingRow(
        id=meeting.id,
        title=meeting.title,
        description=meeting.description,
        start_at=meeting.start_at,
        end_at=meeting.end_at,
        status=meeting.status,
        source=meeting.source,
        booking_id=meeting.booking_id,
        in_calendar=bool(meeting.provider_event_id),
        calendar_error=meeting.calendar_error,
    )


@use_case
def contact_meetings(
    *,
    session: Session,
    actor: Actor,
    contact_id: int,
    when: str = UPCOMING,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    now: datetime | None = None,
) -> MeetingPage:
    """One page of the meetings on a record: upcoming ones soonest first (those not yet
    ended), past ones latest first."""
    contact = _seen(session, actor, contact_id)
    page, page_size = _page_bounds(page, page_size)
    now = now or datetime.now(UTC)
    if when == PAST:
        where, order = ContactMeeting.end_at <= now, ContactMeeting.start_at.desc()
    else:
        where, order = ContactMeeting.end_at > now, ContactMeeting.start_at
    filters = (ContactMeeting.contact_id == contact.id, where)
    total = session.exec(select(func.count(ContactMeeting.id)).where(*filters)).one()
    meetings = session.exec(
        select(ContactMeeting)
        .where(*filters)
        .order_by(order, ContactMeeting.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return MeetingPage([meeting_row(m) for m in meetings], total, page, page_size)


@use_case
def form_submissions(
    *,
    session: Session,
    actor: Actor,
    contact_id: int,
    page: int = 1,
    page_size: int = 10,
) -> SubmissionPage:
    """What the contact typed on booking pages, newest first: the answers of the bookings
    behind the record, with the link's question labels (a question removed since shows
    its id)."""
    contact = _seen(session, actor, contact_id)
    page, page_size = _page_bounds(page, page_size)
    filters = (Booking.contact_id == contact.id,)
    total = session.exec(select(func.count(Booking.id)).where(*filters)).one()
    rows = session.exec(
        select(Booking, MeetingLink)
        .join(MeetingLink, MeetingLink.id == Booking.link_id)
        .where(*filters)
        .order_by(Booking.created_at.desc(), Booking.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    submissions = []
    for booking, link in rows:
        labels = {q.id: q.label for q in link.settings.questions}
        submissions.append(
            FormSubmission(
                booking_id=booking.id,
                link_name=link.name,
                submitted_at=booking.created_at,
                meeting_start=booking.start_at,
                name=booking.prospect_name,
                email=booking.prospect_email,
                answers=[
                    Answer(labels.get(key, key), str(value))
                    for key, value in booking.answers.items()
                ],
            )
        )
    return SubmissionPage(submissions, total, page, page_size)


# --- create, edit, merge, delete ------------------------------------------------------------


def _clean_fields(fields: dict[str, Any]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The known fields cleaned, and the problems of those that cannot be."""
    cleaners = {
        "email": normalize_email,
        "name": lambda v: clean_line(v, max_length=MAX_NAME_LENGTH, required=False),
        "phone": lambda v: clean_line(v, max_length=50, required=False),
        "company": lambda v: clean_line(v, max_length=200, required=False),
        "notes": lambda v: clean_text(v, max_length=MAX_NOTES_LENGTH),
    }
    cleaned, problems = {}, []
    for name, value in fields.items():
        if name not in cleaners:
            problems.append((name, Text("is not a field of a contact")))
            continue
        try:
            cleaned[name] = cleaners[name](value)
        except InvalidTextError as error:
            problems.append((name, error.args[0]))
    return cleaned, problems


def _owned_with_email(session: Session, owner_id: int | None, email: str) -> Contact | None:
    return session.exec(
        select(Contact).where(Contact.owner_id == owner_id, Contact.email == email)
    ).first()


@use_case
def do_create_contact(
    *,
    session: Session,
    actor: Actor,
    email: str,
    name: str = "",
    phone: str = "",
    company: str = "",
    notes: str = "",
) -> Contact:
    owner = _own_user(actor)
    cleaned, problems = _clean_fields(
        {"email": email, "name": name, "phone": phone, "company": company, "notes": notes}
    )
    if problems:
        raise InvalidContactError(problems)
    existing = _owned_with_email(session, owner.id, cleaned["email"])
    if existing is not None:
        raise InvalidContactError([("email", DUPLICATE)], existing_id=existing.id)
    contact = Contact(owner_id=owner.id, **cleaned)
    session.add(contact)
    try:
        session.commit()
    except sa.exc.IntegrityError:  # the same email added a moment ago, by another request
        session.rollback()
        existing = _owned_with_email(session, owner.id, cleaned["email"])
        raise InvalidContactError(
            [("email", DUPLICATE)], existing_id=existing.id if existing else None
        ) from None
    return contact


@use_case
def do_update_contact(
    *, session: Session, actor: Actor, contact_id: int, changes: dict[str, Any]
) -> Contact:
    """Change some of name, email, phone, company and notes; an email another of the
    owner's contacts has is refused (merge them instead)."""
    contact = _changeable(session, actor, contact_id)
    cleaned, problems = _clean_fields(changes)
    if problems:
        raise InvalidContactError(problems)
    if "email" in cleaned and cleaned["email"] != contact.email:
        existing = _owned_with_email(session, contact.owner_id, cleaned["email"])
        if existing is not None:
            raise InvalidContactError([("email", DUPLICATE)], existing_id=existing.id)
    for name, value in cleaned.items():
        setattr(contact, name, value)
    contact.updated_at = utc_now()
    session.add(contact)
    try:
        session.commit()
    except sa.exc.IntegrityError:
        session.rollback()
        raise InvalidContactError([("email", DUPLICATE)]) from None
    return contact


@use_case
def do_merge_contacts(*, session: Session, actor: Actor, keep_id: int, other_id: int) -> Contact:
    """Fold `other` into `keep`: its meetings and bookings move over (a meeting both
    records hold stays once), empty fields are filled from it, notes are joined, and it
    is deleted. Both must be contacts of the same owner that the actor may change."""
    keep = _changeable(session, actor, keep_id)
    other = _changeable(session, actor, other_id)
    if keep.id == other.id:
        raise InvalidContactError([("other_id", Text("Choose another contact to merge with."))])
    if keep.owner_id != other.owner_id:
        raise ContactNotFoundError(Text("No such contact."))
    held = session.exec(select(ContactMeeting).where(ContactMeeting.contact_id == keep.id)).all()
    bookings_held = {m.booking_id for m in held if m.booking_id is not None}
    events_held = {
        (m.connection_id, m.provider_event_id) for m in held if m.provider_event_id is not None
    }
    moved = 0
    for meeting in session.exec(
        select(ContactMeeting).where(ContactMeeting.contact_id == other.id)
    ).all():
        if meeting.booking_id in bookings_held or (
            meeting.provider_event_id is not None
            and (meeting.connection_id, meeting.provider_event_id) in events_held
        ):
            session.delete(meeting)  # the kept record already shows this meeting
            continue
        meeting.contact_id = keep.id
        session.add(meeting)
        moved += 1
    session.execute(
        sa.update(Booking).where(Booking.contact_id == other.id).values(contact_id=keep.id)
    )
    for name in ("name", "phone", "company"):
        if not getattr(keep, name) and getattr(other, name):
            setattr(keep, name, getattr(other, name))
    if other.notes and other.notes not in keep.notes:
        keep.notes = "\n\n".join(n for n in (keep.notes, other.notes) if n)[:MAX_NOTES_LENGTH]
    keep.updated_at = utc_now()
    session.add(keep)
    session.flush()
    other_email = other.email
    session.delete(other)
    session.commit()
    audit.record(
        session=session,
        actor_id=actor.id,
        action="contact.merge",
        target=keep.email,
        details={"kept": keep.id, "merged": other_id, "merged_email": other_email, "moved": moved},
    )
    return keep


@use_case
def do_delete_contact(*, session: Session, actor: Actor, contact_id: int) -> None:
    """Delete a contact and the meetings on its record; its bookings stay, without a
    contact, and calendar events stay on the calendar."""
    contact = _changeable(session, actor, contact_id)
    session.execute(sa.delete(ContactMeeting).where(ContactMeeting.contact_id == contact.id))
    session.execute(
        sa.update(Booking).where(Booking.contact_id == contact.id).values(contact_id=None)
    )
    email = contact.email
    session.delete(contact)
    session.commit()
    audit.record(
        session=session,
        actor_id=actor.id,
        action="contact.delete",
        target=email,
        details={"contact_id": contact_id},
    )


# --- bookings on records ----------------------------------------------------------------------


def contact_for(session: Session, host_id: int, email: str, name: str) -> Contact:
    """The host's contact with this email, created on their first meeting; a name given
    refreshes the stored one (a blank name never blanks it)."""
    email = email.strip().lower()
    contact = _owned_with_email(session, host_id, email)
    if contact is None:
        contact = Contact(owner_id=host_id, email=email, name=name)
        session.add(contact)
        session.flush()
    elif name and contact.name != name:
        contact.name = name
        contact.updated_at = utc_now()
        session.add(contact)
    return contact


def record_booking(session: Session, booking: Booking) -> ContactMeeting | None:
    """Bring the booking's contact and the meeting on its record up to date: call it, in
    the same transaction, wherever a booking is made or its status or time changes. A
    cancelled booking whose contact the host deleted does not bring the contact back."""
    contact = session.get(Contact, booking.contact_id) if booking.contact_id else None
    if contact is None and booking.status == BookingStatus.CANCELLED:
        return None
    if contact is None or contact.owner_id != booking.host_id:
        contact = contact_for(session, booking.host_id, booking.prospect_email, "")
        booking.contact_id = contact.id
        session.add(booking)
    if booking.status != BookingStatus.CANCELLED and booking.prospect_name:
        contact_for(session, booking.host_id, contact.email, booking.prospect_name)
    meeting = session.exec(
        select(ContactMeeting).where(
            ContactMeeting.booking_id == booking.id, ContactMeeting.contact_id == contact.id
        )
    ).first() or ContactMeeting(
        contact_id=contact.id,
        host_id=booking.host_id,
        source=MeetingSource.BOOKING_PAGE,
        booking_id=booking.id,
        start_at=booking.start_at,
        end_at=booking.end_at,
    )
    link = session.get(MeetingLink, booking.link_id)
    meeting.title = link.name if link is not None else meeting.title
    meeting.host_id = booking.host_id
    meeting.start_at, meeting.end_at = booking.start_at, booking.end_at
    meeting.status = booking.status
    meeting.updated_at = utc_now()
    session.add(meeting)
    session.flush()
    return meeting


def record_move(session: Session, old: Booking, new: Booking) -> None:
    """A reschedule made `new` in place of `old`: the record shows the meeting once, at
    its new time, not a cancelled one beside it."""
    session.execute(
        sa.delete(ContactMeeting).where(
            ContactMeeting.booking_id == old.id, ContactMeeting.contact_id == new.contact_id
        )
    )


# --- S5: create a meeting from the record -------------------------------------------------


def local_start(day: str, clock: str, time_zone: str) -> datetime:
    """The instant a date (YYYY-MM-DD) and time (HH:MM) typed in `time_zone` mean."""
    try:
        parsed_day = date.fromisoformat(day.strip())
    except (ValueError, AttributeError):
        raise InvalidContactError([("date", Text("Enter a date as YYYY-MM-DD."))]) from None
    try:
        parsed_time = time.fromisoformat(clock.strip())
    except (ValueError, AttributeError):
        raise InvalidContactError([("time", Text("Enter a time as HH:MM."))]) from None
    return time_zones.resolve_local(parsed_day, parsed_time, time_zones.zone(time_zone))


def _meeting_problems(
    title: object, start: object, duration: object, description: object
) -> tuple[str, str, list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    clean_title = clean_description = ""
    try:
        clean_title = clean_line(title, max_length=MAX_TITLE_LENGTH)
    except InvalidTextError as error:
        problems.append(("title", Text("Enter a title: {problem}", problem=error.args[0])))
    try:
        clean_description = clean_text(description, max_length=MAX_NOTES_LENGTH)
    except InvalidTextError as error:
        problems.append(("description", error.args[0]))
    if not isinstance(start, datetime) or start.utcoffset() is None:
        problems.append(("start", Text("Give the start as a time with its offset.")))
    elif not time_zones.EARLIEST_DATE <= start.date() <= time_zones.LATEST_DATE:
        problems.append(
            (
                "start",
                Text(
                    "Choose a time between {earliest} and {latest}.",
                    earliest=time_zones.EARLIEST_DATE,
                    latest=time_zones.LATEST_DATE,
                ),
            )
        )
    if type(duration) is not int or not MIN_DURATION <= duration <= MAX_DURATION:
        problems.append(
            (
                "duration",
                Text(
                    "Choose a duration of {shortest} to {longest} minutes.",
                    shortest=MIN_DURATION,
                    longest=MAX_DURATION,
                ),
            )
        )
    return clean_title, clean_description, problems


def _refuse_past_invitation(
    problems: list[tuple[str, str]], start: object, *, invites: bool
) -> None:
    if not problems and invites and start <= datetime.now(UTC):
        problems.append(
            ("start", Text("Choose a time in the future: the contact gets an invitation."))
        )


def _created_here(session: Session, contact: Contact, meeting_id: int) -> ContactMeeting:
    meeting = session.get(ContactMeeting, meeting_id) if type(meeting_id) is int else None
    if (
        meeting is None
        or meeting.contact_id != contact.id
        or meeting.source != MeetingSource.CONTACT_RECORD
    ):
        raise MeetingNotFoundError(Text("No such meeting created on this record."))
    return meeting


@use_case
def do_create_meeting(
    *,
    session: Session,
    actor: Actor,
    contact_id: int,
    title: str,
    start: datetime,
    duration: int,
    description: str = "",
) -> ContactMeeting:
    """S5: a meeting with the contact. With the owner's healthy calendar the outbox writes
    the event to their primary calendar, the contact invited by the provider; otherwise
    it is only logged on the record (no invitation is sent)."""
    contact = _changeable(session, actor, contact_id)
    clean_title, clean_description, problems = _meeting_problems(
        title, start, duration, description
    )
    calendar = healthy_calendar(session, contact.owner_id)
    _refuse_past_invitation(problems, start, invites=calendar is not None)
    if problems:
        raise InvalidContactError(problems)
    start = start.astimezone(UTC)
    meeting = ContactMeeting(
        contact_id=contact.id,
        host_id=contact.owner_id,
        source=MeetingSource.CONTACT_RECORD,
        status=BookingStatus.CONFIRMED,
        title=clean_title,
        description=clean_description,
        start_at=start,
        end_at=start + timedelta(minutes=duration),
    )
    if calendar is not None:
        connection, primary = calendar
        meeting.connection_id = connection.id
        meeting.provider_calendar_id = primary.provider_calendar_id
    session.add(meeting)
    session.flush()
    if calendar is not None:
        outbox.enqueue(
            session,
            kind=OutboxKind.CONTACT_MEETING_CREATE,
            payload={"contact_meeting_id": meeting.id},
            recipient=contact.email,
            summary=f"Write “{clean_title}” to the host's calendar",
        )
    session.commit()
    return meeting


@use_case
def do_cancel_meeting(
    *, session: Session, actor: Actor, contact_id: int, meeting_id: int
) -> ContactMeeting:
    """Cancel a meeting created on the record; its calendar event is cancelled by the
    outbox (the provider tells the contact). Booked meetings are cancelled as bookings."""
    contact = _changeable(session, actor, contact_id)
    meeting = _created_here(session, contact, meeting_id)
    if meeting.status == BookingStatus.CANCELLED:
        return meeting
    meeting.status = BookingStatus.CANCELLED
    meeting.updated_at = utc_now()
    session.add(meeting)
    if meeting.connection_id is not None:
        outbox.enqueue(
            session,
            kind=OutboxKind.CONTACT_MEETING_CANCEL,
            payload={"contact_meeting_id": meeting.id},
            recipient=contact.email,
            summary=f"Cancel “{meeting.title}” in the host's calendar",
        )
    session.commit()
    return meeting


@use_case
def do_update_meeting(
    *,
    session: Session,
    actor: Actor,
    contact_id: int,
    meeting_id: int,
    title: str,
    start: datetime,
    duration: int,
    description: str = "",
) -> ContactMeeting:
    """Change a meeting created on the record; its calendar event follows (the provider
    tells the contact). A cancelled meeting stays as it is."""
    contact = _changeable(session, actor, contact_id)
    meeting = _created_here(session, contact, meeting_id)
    clean_title, clean_description, problems = _meeting_problems(
        title, start, duration, description
    )
    if meeting.status == BookingStatus.CANCELLED:
        problems.append(("meeting", Text("This meeting was cancelled; create a new one.")))
    _refuse_past_invitation(problems, start, invites=meeting.connection_id is not None)
    if problems:
        raise InvalidContactError(problems)
    meeting.title, meeting.description = clean_title, clean_description
    meeting.start_at = start.astimezone(UTC)
    meeting.end_at = meeting.start_at + timedelta(minutes=duration)
    meeting.updated_at = utc_now()
    session.add(meeting)
    if meeting.connection_id is not None:
        outbox.enqueue(
            session,
            kind=OutboxKind.CONTACT_MEETING_UPDATE,
            payload={"contact_meeting_id": meeting.id},
            recipient=contact.email,
            summary=f"Change “{clean_title}” in the host's calendar",
        )
    session.commit()
    return meeting


def _meeting_of(session: Session, item: OutboxItem) -> ContactMeeting | None:
    meeting_id = item.payload.get("contact_meeting_id")
    return session.get(ContactMeeting, meeting_id) if type(meeting_id) is int else None


def _calendar_failed(session: Session, meeting: ContactMeeting, reason: str) -> NoReturn:
    """Keep why on the meeting (the record shows it), then fail this attempt."""
    session.rollback()
    meeting = session.get(ContactMeeting, meeting.id)
    meeting.calendar_error = reason
    session.add(meeting)
    session.commit()
    raise ContactCalendarError(reason)


def _connection(session: Session, meeting: ContactMeeting) -> CalendarConnection:
    connection = (
        session.get(CalendarConnection, meeting.connection_id) if meeting.connection_id else None
    )
    if connection is None or connection.user_id != meeting.host_id:
        _calendar_failed(session, meeting, "Your calendar is no longer connected.")
    return connection


def deliver_meeting_create(session: Session, item: OutboxItem) -> None:
    """Outbox delivery (S5): the event goes on the host's primary calendar with the
    contact as attendee; the provider sends the invitation. The idempotency key is the
    meeting's, so a repeated write finds the event it made."""
    meeting = _meeting_of(session, item)
    if meeting is None or meeting.status == BookingStatus.CANCELLED or meeting.provider_event_id:
        return
    connection = _connection(session, meeting)
    contact = session.get(Contact, meeting.contact_id)
    host = session.get(User, meeting.host_id)
    event = NewEvent(
        summary=meeting.title,
        start=meeting.start_at,
        end=meeting.end_at,
        time_zone=host.time_zone or "UTC",
        idempotency_key=(
            f"meetings-contact-meeting-{meeting.id}-{meeting.created_at.timestamp():.6f}"
        ),
        description=meeting.description,
        attendees=(Attendee(contact.email, contact.name),),
    )
    try:
        created = call_provider(
            session=session, connection=connection, action=lambda a: a.create_event(event)
        )
    except ProviderError as error:
        _calendar_failed(session, meeting, str(error))
    meeting.provider_event_id = created.id
    meeting.calendar_error = None
    meeting.updated_at = utc_now()
    session.add(meeting)


def deliver_meeting_update(session: Session, item: OutboxItem) -> None:
    """Outbox delivery: the event takes the meeting's title, time and description as they
    are now (a later change queued behind it writes the same values again: harmless)."""
    meeting = _meeting_of(session, item)
    if meeting is None or meeting.status == BookingStatus.CANCELLED:
        return
    if not meeting.provider_event_id:
        if _create_in_flight(session, meeting.id):
            raise outbox.RetryLaterError("The event is still being written; changing it next.")
        return  # not written yet: the pending write uses the new values
    connection = _connection(session, meeting)
    try:
        call_provider(
            session=session,
            connection=connection,
            action=lambda a: a.update_event(
                meeting.provider_event_id,
                start=meeting.start_at,
                end=meeting.end_at,
                summary=meeting.title,
                description=meeting.description,
            ),
        )
    except ProviderError as error:
        _calendar_failed(session, meeting, f"Changing it in the calendar failed: {error}")
    meeting.calendar_error = None
    session.add(meeting)


def deliver_meeting_cancel(session: Session, item: OutboxItem) -> None:
    """Outbox delivery: cancel the event of a meeting cancelled on the record."""
    meeting = _meeting_of(session, item)
    if meeting is None:
        return
    if not meeting.provider_event_id:
        if _create_in_flight(session, meeting.id):
            raise outbox.RetryLaterError("The event is still being written; cancelling next.")
        return  # never written: the pending write sees the cancellation and skips
    connection = _connection(session, meeting)
    try:
        call_provider(
            session=session,
            connection=connection,
            action=lambda a: a.cancel_event(meeting.provider_event_id),
        )
    except ProviderError as error:
        _calendar_failed(session, meeting, f"Cancelling in the calendar failed: {error}")
    meeting.calendar_error = None
    session.add(meeting)


def _create_in_flight(session: Session, meeting_id: int) -> bool:
    """A create claimed by a worker right now may still make the event: wait for it."""
    claimed = session.exec(
        select(OutboxItem).where(
            OutboxItem.kind == OutboxKind.CONTACT_MEETING_CREATE,
            OutboxItem.claim.is_not(None),
        )
    ).all()
    return any(item.payload.get("contact_meeting_id") == meeting_id for item in claimed)
