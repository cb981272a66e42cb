"""The REST API's request and response bodies, as pydantic models: /api/v1/openapi.json is
generated from them.

Requests are bounded here (types, lengths, the supported dates), so nothing malformed
reaches a service; the services still check what needs the database or the link's
settings. Responses are read by attribute from the services' views.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictInt,
)

from meetings_ui.domain.enums import BookingStatus, HostStatus, LinkType, MeetingSource
from meetings_ui.domain.link_settings import IsoDate, LinkSettings, TimeZoneName
from meetings_ui.domain.time_zones import EARLIEST_DATE, LATEST_DATE

SUPPORTED = f"between {EARLIEST_DATE} and {LATEST_DATE}"  # every date the app schedules
MAX_ROW_ID = 2**31 - 1  # the largest id a database row can have (PostgreSQL's integer)


def _supported_instant(value: datetime) -> datetime:
    if not EARLIEST_DATE <= value.date() <= LATEST_DATE:
        raise ValueError(f"Choose a time {SUPPORTED}.")
    return value


SupportedDate = Annotated[IsoDate, Field(description=f"YYYY-MM-DD, {SUPPORTED}.")]
SupportedInstant = Annotated[
    AwareDatetime,
    AfterValidator(_supported_instant),
    Field(
        description=f"ISO 8601 with its UTC offset, {SUPPORTED}.",
        examples=["2030-01-07T10:00:00+01:00"],
    ),
]
TimeZone = Annotated[
    TimeZoneName,
    Field(max_length=64, description="An IANA time zone.", examples=["Europe/Paris"]),
]


def _an_object(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError("must be an object")
    return value


# Documented as LinkSettings, any subset of it; checked by LinkSettings.from_json, the one
# gate for settings, which names each problem (settings.weekly.mon) and merges the rest.
SettingsChanges = Annotated[
    dict[str, Any], PlainValidator(_an_object, json_schema_input_type=LinkSettings)
]
RowId = Annotated[StrictInt, Field(ge=1, le=MAX_ROW_ID)]
Minutes = Annotated[StrictInt, Field(ge=5, le=24 * 60)]


class _Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- errors ----------------------------------------------------------------------------------


class Problem(_Output):
    field: str = Field(description="The input at fault: `email`, `answers.topic`, `start`…")
    message: str


class Slot(_Output):
    start: datetime
    end: datetime


class ErrorBody(_Output):
    """The body of every 4xx answer."""

    error: str = Field(
        description="A stable code: not_found, unauthorized, invalid, bad_json, bad_range, "
        "bad_timezone, bad_duration, bad_status, slot_unavailable, slug_taken, "
        "method_not_allowed…"
    )
    message: str = Field(description="What went wrong, in words for a person.")
    problems: list[Problem] | None = Field(
        default=None, description="With `invalid`: each field to fix."
    )
    suggestions: list[str] | None = Field(
        default=None,
        description="With `slug_taken` or a slug that is not allowed: free slugs close to it.",
    )
    slots: list[Slot] | None = Field(
        default=None, description="With `slot_unavailable`: the free slots left that day."
    )
    contact_id: int | None = Field(
        default=None, description="With `duplicate`: your contact that has this email."
    )


# --- public ----------------------------------------------------------------------------------


class AskedQuestion(_Output):
    """A question the booking form asks."""

    id: str
    label: str
    kind: Literal["text", "choice"]
    required: bool
    choices: list[str]


class PublicLink(_Output):
    slug: str
    name: str
    host: str = Field(description="The owner's display name.")
    link_type: LinkType
    durations: list[int] = Field(description="The meeting lengths offered, in minutes.")
    questions: list[AskedQuestion] = Field(description="Name and email first, then the link's own.")
    mode: Literal["online", "offline"] = Field(
        description="online: bookings are confirmed; offline: they are requests the host confirms."
    )
    host_time_zone: str


class Slots(_Output):
    timezone: str
    duration: int
    slots: list[Slot] = Field(description="Free slots, in `timezone`.")


class Challenge(_Output):
    """What to solve before a request (docs/api.md: challenges)."""

    kind: str = Field(
        description='"none" (nothing to do), "proof-of-work", or the name of a CAPTCHA.'
    )
    challenge: str = Field(
        "", description="Proof of work: the signed challenge; a CAPTCHA: its site key."
    )
    difficulty: int = Field(
        0, description="Proof of work: the leading zero bits sha256(challenge + nonce) needs."
    )


class BookingRequest(BaseModel):
    """A prospect's booking. Send the same `idempotency_key` again to replay it safely."""

    start: SupportedInstant
    timezone: TimeZone
    name: str = Field(max_length=200, examples=["Ann Example"])
    email: str = Field(max_length=320, examples=["ann@example.org"])
    answers: dict[
        Annotated[str, Field(max_length=40)], Annotated[str, Field(max_length=2000)] | None
    ] = Field(default_factory=dict, max_length=20, description="Question id → answer.")
    duration: Minutes | None = Field(
        default=None, description="Minutes; one of the link's durations (default: its first)."
    )
    idempotency_key: str | None = Field(
        default=None, min_length=8, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$"
    )


class Booking(_Output):
    """A booking as its prospect made it; the URLs are the prospect's own links."""

    id: int
    link_id: int
    status: BookingStatus = Field(
        description="confirmed (online link), requested (offline link) or cancelled."
    )
    start: datetime = Field(description="In the prospect's `timezone`.")
    end: datetime = Field(description="In the prospect's `timezone`.")
    timezone: str = Field(description="The prospect's IANA time zone.")
    name: str = Field(description="The prospect's name.")
    email: str = Field(description="The prospect's email address.")
    answers: dict[str, str] = Field(description="Question id → answer.")
    host_id: int = Field(description="The user who hosts it (round robin: the one chosen).")
    cancel_url: str = Field(description="Cancels the meeting, until it starts.")
    reschedule_url: str = Field(description="Moves the meeting, until it starts.")
    ics_url: str = Field(description="The meeting as an iCalendar file.")
    location: str = Field(default="", description="The link's place, as text.")
    meeting_url: str = Field(
        default="",
        description="Where to join: the Google Meet or Teams link once the host's calendar "
        "made it, or the link's own web address.",
    )
    video_to_come: str = Field(
        default="",
        description='"Google Meet" or "Teams" while the calendar is still making it (the '
        "booking answers first); read the booking again, or wait for the email.",
    )


# --- with an API key -------------------------------------------------------------------------


class LinkChanges(BaseModel):
    """The fields to change; keys left out keep their value."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=200)
    slug: str | None = Field(
        default=None,
        max_length=200,
        description="The URL ending: 3-60 lower-case letters a-z, digits 0-9 and single "
        'hyphens between them. Stored case-folded and NFKC-normalised ("Demo" is "demo"); '
        "unique across every domain: a taken one is a 409 `slug_taken` with `suggestions`.",
    )
    link_type: LinkType | None = None
    settings: SettingsChanges | None = Field(
        default=None,
        description="Settings to change; keys left out keep their value (on a new link, "
        "the defaults, in the owner's time zone).",
    )
    host_ids: list[RowId] | None = Field(
        default=None,
        max_length=50,
        description="User ids; the owner always hosts. Each new co-host is invited and "
        "used only once they accept (an admin's additions are accepted at once); those "
        "already named keep their answer.",
    )


class NewLink(LinkChanges):
    """A new meeting link; without a slug, one is made from the owner's Meetings URL."""

    name: str = Field(max_length=200)
    link_type: LinkType = LinkType.ONE_ON_ONE


class Host(_Output):
    id: int
    email: str
    status: HostStatus = Field(
        description="Only accepted hosts are used: free time, round robin, calendars."
    )


class Link(_Output):
    id: int
    name: str
    slug: str
    url: str = Field(description="The booking page.")
    link_type: LinkType
    host_ids: list[int] = Field(
        description="Everyone named as host, the owner first, whatever their answer."
    )
    hosts: list[Host] = Field(description="The same hosts, with their answers.")
    settings: LinkSettings
    created_at: datetime


class Links(_Output):
    links: list[Link]


class WhyReason(_Output):
    kind: str = Field(
        description="outside_hours, off_grid, past, minimum_notice, beyond_window, daily_cap, "
        "busy or booked."
    )
    message: str = Field(description="The reason in words (English).")


class WhyHost(_Output):
    host_id: int
    name: str
    is_you: bool = Field(description="The caller: only their own event titles are shown.")
    calendar_connected: bool
    reasons: list[WhyReason] = Field(description="Empty: this host is free then.")


class WhyNot(_Output):
    start: datetime = Field(description="The moment asked about, in UTC.")
    duration: int
    timezone: str = Field(description="The link's time zone.")
    bookable: bool = Field(description="True: prospects can book this time.")
    link_reasons: list[WhyReason] = Field(description="Reasons that hold for the whole link.")
    hosts: list[WhyHost]


class Invitation(_Output):
    link_id: int
    link_name: str
    link_type: LinkType
    owner_name: str
    owner_email: str
    invited_at: datetime | None


class Invitations(_Output):
    invitations: list[Invitation]


class Bookings(_Output):
    bookings: list[Booking]


# --- contacts (S4, S5) -------------------------------------------------------------------------


class ContactChanges(BaseModel):
    """The fields to change; keys left out keep their value."""

    model_config = ConfigDict(extra="forbid")

    email: str | None = Field(default=None, max_length=320)
    name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=50)
    company: str | None = Field(default=None, max_length=200)
    notes: str | None = Field(default=None, max_length=10_000)


class NewContact(ContactChanges):
    """A new contact of the caller; the email is unique among their contacts."""

    email: str = Field(max_length=320, examples=["ann@example.org"])


class ContactSummary(_Output):
    id: int
    name: str
    email: str
    company: str
    phone: str
    owner_email: str = Field(description="The host whose contact it is.")
    meetings: int = Field(description="Meetings on the record, cancelled ones aside.")
    last_meeting_at: datetime | None


class Contacts(_Output):
    contacts: list[ContactSummary]
    total: int
    page: int
    page_size: int


class Contact(_Output):
    id: int
    owner_email: str
    email: str
    name: str
    phone: str
    company: str
    notes: str
    created_at: datetime
    updated_at: datetime
    can_change: bool = Field(description="You may edit, merge, delete, create meetings.")
    calendar_connected: bool = Field(
        description="A meeting created on the record goes to the owner's calendar and the "
        "contact is invited; otherwise it is only logged."
    )


class Merge(BaseModel):
    model_config = ConfigDict(extra="forbid")

    other_id: RowId = Field(description="The contact folded into this one, then deleted.")


class ContactMeeting(_Output):
    id: int
    title: str
    description: str
    start_at: datetime
    end_at: datetime
    status: BookingStatus
    source: MeetingSource = Field(
        description="booking_page, calendar_sync, or contact_record (created on the record)."
    )
    booking_id: int | None
    in_calendar: bool = Field(description="The event exists on the host's calendar.")
    calendar_error: str | None = Field(
        description="Why the event could not be added to the calendar yet (retried)."
    )


class ContactMeetings(_Output):
    meetings: list[ContactMeeting]
    total: int
    page: int
    page_size: int


class NewContactMeeting(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=500)
    start: SupportedInstant
    duration: StrictInt = Field(ge=5, le=720, description="Minutes.")
    description: str = Field(default="", max_length=10_000)


# --- the host's scheduled meetings -----------------------------------------------------------


class Meeting(_Output):
    """A meeting booked on one of the caller's links, as its host sees it."""

    id: int
    prospect_name: str
    prospect_email: str
    start: datetime = Field(description="In the caller's time zone (`timezone` of the page).")
    end: datetime
    link_id: int
    link_name: str
    status: BookingStatus = Field(
        description="requested (offline mode: confirm or decline it), confirmed or cancelled."
    )
    source: str = Field(description='"Booking page" or "Rescheduled".')
    can_change: bool = Field(
        description="The caller may confirm, decline, cancel or move it (the meeting's host "
        "or its link's owner, before it starts)."
    )
    calendar_error: str | None = Field(
        description="Why the event could not be written to the calendar, until it is."
    )


class Meetings(_Output):
    meetings: list[Meeting] = Field(validation_alias="rows")
    total: int = Field(description="How many meetings match, on every page.")
    offset: int
    limit: int
    timezone: str = Field(validation_alias="time_zone", description="The caller's time zone.")


HostMessage = Annotated[str, Field(max_length=2000, description="Told to the prospect.")]


class Confirm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    anyway: bool = Field(
        default=False,
        description="Confirm even though the time has become busy (otherwise 409 `time_busy`).",
    )


class Confirmed(_Output):
    meeting_id: int
    calendar_write_queued: bool = Field(
        description="A calendar is connected: the event is being written to it. False: "
        "nothing was added to a calendar."
    )
    already: bool = Field(description="It was confirmed before this call.")


class HostNote(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: HostMessage = ""


class Reschedule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: SupportedInstant
