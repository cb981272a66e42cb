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


class LinkType(enum.StrEnum):
    ONE_ON_ONE = "one_on_one"
    GROUP = "group"
    ROUND_ROBIN = "round_robin"


class BookingStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    REQUESTED = "requested"
    CANCELLED = "cancelled"


class HostStatus(enum.StrEnum):
    """A co-host's answer to being named on a link; only accepted hosts are ever used."""

    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"
