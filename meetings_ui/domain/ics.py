"""iCalendar (RFC 5545) files for bookings: attached to emails and offered for download.

The `icalendar` library writes the file: it escapes text, quotes parameter values (a name
with a colon or a semicolon), encodes quotes and line breaks inside them (RFC 6868) and
folds long lines, so no typed name can break a line or inject a property or a component.
Control characters are also taken out of one-line values here, because rows stored before
names were checked may still hold them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event, vCalAddress

from meetings_ui.domain.text_fields import printable_line

PRODUCT_ID = "-//Meetings//Meetings scheduler//EN"
_LINE_END = re.compile(r"\r\n?")


@dataclass(frozen=True)
class CalendarInvite:
    uid: str
    start: datetime
    end: datetime
    summary: str
    description: str
    organizer_name: str
    organizer_email: str
    attendee_name: str
    attendee_email: str
    sequence: int = 0
    cancelled: bool = False
    location: str = ""  # a place, as text
    url: str = ""  # where to join: a video meeting or the host's own web address
    # The word for joining, in the reader's language (the caller translates it).
    join_label: str = "Join"


def _lines(text: str) -> str:
    """A description keeps its line breaks (any convention) and loses other controls."""
    return "\n".join(printable_line(line) for line in _LINE_END.sub("\n", text).split("\n"))


def _address(email: str, name: str, **params: str | bool) -> vCalAddress:
    """A mailto: address with its CN. icalendar's reader takes a backslash outside quotes
    for an escape (RFC 5545 and 6868 do not), so a name ending in one would swallow the
    next delimiter there: such names are quoted, where the backslash is only a character."""
    address = vCalAddress.new(printable_line(email), cn=printable_line(name), **params)
    quote_also = address.params.quote_also
    address.params.quote_also = {**quote_also, "CN": quote_also.get("CN", "") + "\\"}
    return address


def _add_place(event: Event, invite: CalendarInvite) -> None:
    """Where to meet, for every calendar app (see docs/architecture.md, "Where people
    meet"): LOCATION (RFC 5545 3.8.1.7, text) is what all of them show, so it carries the
    place, or the join address when there is no place; URL (3.8.4.6) and CONFERENCE
    (RFC 7986 5.11, FEATURE=VIDEO) carry the join address for apps that offer a Join
    button. The description's "Join:" line is for the ones that show only text."""
    url = printable_line(invite.url)
    location = printable_line(invite.location) or url
    if location:
        event.add("location", location)
    if url:
        event.add("url", url, parameters={"VALUE": "URI"})
        event.add(
            "conference",
            url,
            parameters={"VALUE": "URI", "FEATURE": "VIDEO", "LABEL": invite.join_label},
        )
        joining = f"{invite.join_label}: {url}"
        event["description"] = f"{event.get('description', '')}\n\n{joining}".lstrip()


def invite_ics(invite: CalendarInvite, *, now: datetime) -> str:
    """A REQUEST (or, once cancelled, a CANCEL) carrying one event for one attendee."""
    event = Event.new(
        uid=invite.uid,
        stamp=now.astimezone(UTC),
        start=invite.start.astimezone(UTC),
        end=invite.end.astimezone(UTC),
        sequence=invite.sequence,
        summary=printable_line(invite.summary),
        description=_lines(invite.description),
        organizer=_address(invite.organizer_email, invite.organizer_name),
        attendees=[
            _address(invite.attendee_email, invite.attendee_name, role="REQ-PARTICIPANT", rsvp=True)
        ],
        status="CANCELLED" if invite.cancelled else "CONFIRMED",
    )
    _add_place(event, invite)
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if invite.cancelled else "REQUEST")
    calendar.add_component(event)
    return calendar.to_ical().decode()
