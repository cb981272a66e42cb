"""iCalendar (RFC 5545) files for bookings: attached to emails and offered for download."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


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


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 §3.1)."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def invite_ics(invite: CalendarInvite, *, now: datetime) -> str:
    method = "CANCEL" if invite.cancelled else "REQUEST"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Meetings//Meetings scheduler//EN",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:{invite.uid}",
        f"DTSTAMP:{_stamp(now)}",
        f"DTSTART:{_stamp(invite.start)}",
        f"DTEND:{_stamp(invite.end)}",
        f"SEQUENCE:{invite.sequence}",
        f"SUMMARY:{_escape(invite.summary)}",
        f"DESCRIPTION:{_escape(invite.description)}",
        f"ORGANIZER;CN={_escape(invite.organizer_name)}:mailto:{invite.organizer_email}",
        f"ATTENDEE;CN={_escape(invite.attendee_name)};ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:{invite.attendee_email}",
        f"STATUS:{'CANCELLED' if invite.cancelled else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
