"""The closed sets of values the app compares against: one enum each, never string literals.

They are StrEnums, so they store and serialise as their plain values (`"group"`), and
they live in the domain so that every layer, pages included, may import them.
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    ADMIN = "admin"
    USER = "user"


class Provider(enum.StrEnum):
    GOOGLE = "google"
    MICROSOFT = "microsoft"


class ConnectionStatus(enum.StrEnum):
    CONNECTED = "connected"
    NEEDS_RECONNECT = "needs_reconnect"
    REVOKED = "revoked"


class SyncMode(enum.StrEnum):
    """How a connected calendar's changes reach us."""

    NOTIFICATIONS = "notifications"  # the provider POSTs to our webhook
    POLLING = "polling"  # the background loop asks for changes


class LinkType(enum.StrEnum):
    ONE_ON_ONE = "one_on_one"
    GROUP = "group"
    ROUND_ROBIN = "round_robin"


class VideoMeeting(enum.StrEnum):
    """A video meeting the host's calendar adds to each booked event."""

    NONE = "none"
    GOOGLE_MEET = "google_meet"
    MICROSOFT_TEAMS = "microsoft_teams"


class BookingStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    REQUESTED = "requested"
    CANCELLED = "cancelled"


class MeetingSource(enum.StrEnum):
    """Where a meeting on a contact's record came from (S4, S5)."""

    BOOKING_PAGE = "booking_page"
    CALENDAR_SYNC = "calendar_sync"
    CONTACT_RECORD = "contact_record"


class HostStatus(enum.StrEnum):
    """A co-host's answer to being named on a link; only accepted hosts are ever used."""

    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class OutboxKind(enum.StrEnum):
    """A side effect the outbox delivers after the change that causes it has committed."""

    EMAIL = "email"
    CALENDAR_CREATE = "calendar_create"  # write a booking's event to the host's calendar
    CALENDAR_CANCEL = "calendar_cancel"  # cancel it there
    VIDEO_LINK = "video_link"  # read a video meeting the provider was still making
    CONTACT_MEETING_CREATE = "contact_meeting_create"  # S5: a record's meeting to the calendar
    CONTACT_MEETING_UPDATE = "contact_meeting_update"  # a change of its title or time
    CONTACT_MEETING_CANCEL = "contact_meeting_cancel"  # and its cancellation there


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its turn, or claimed by a worker (see lease_until)
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt: shown to the host and to admins


class DomainStatus(enum.StrEnum):
    """A custom domain's standing in the domain manager (S12, S13)."""

    PENDING = "pending"  # added; its DNS records have not been found yet
    VERIFIED = "verified"  # its records were found: links may be hosted on it
    FAILED = "failed"  # a check found them missing or wrong (the reason is kept)
