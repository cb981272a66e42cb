"""Database tables (plain SQLModel). Schema changes go through alembic migrations.

All instants are stored as UTC and come back as aware UTC datetimes, whatever
the database, so that no code ever compares a naive time with an aware one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from meetings_ui.domain import custom_domains
from meetings_ui.domain.enums import (
    BookingStatus,
    ConnectionStatus,
    DomainStatus,
    HostStatus,
    LinkType,
    OutboxStatus,
    Role,
    SyncMode,
)
from meetings_ui.domain.link_settings import LinkSettings


class UTCDateTime(sa.types.TypeDecorator):
    """Stores aware datetimes as naive UTC; refuses naive ones (they hide time-zone bugs)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class LinkSettingsType(sa.types.TypeDecorator):
    """A link's settings as JSON in the database and as a `LinkSettings` in Python, so
    services always hold the validated, typed object."""

    impl = sa.JSON
    cache_ok = True

    def process_bind_param(self, value: LinkSettings | None, dialect: Any) -> dict | None:
        return None if value is None else value.to_json()

    def process_result_value(self, value: dict | None, dialect: Any) -> LinkSettings | None:
        return None if value is None else LinkSettings.model_validate(value)


def utc_now() -> datetime:
    return datetime.now(UTC)


def _instant(nullable: bool = True, **kwargs: Any) -> Any:
    return Field(sa_column=sa.Column(UTCDateTime(), nullable=nullable, **kwargs))


def _created_at() -> Any:
    return Field(default_factory=utc_now, sa_column=sa.Column(UTCDateTime(), nullable=False))


def _json(default_factory: Any) -> Any:
    return Field(default_factory=default_factory, sa_column=sa.Column(sa.JSON(), nullable=False))


# S16: outside a-z, 0-9 and "-" no text is in the canonical form of domain/slugs.py (it is
# case-folded and NFKC), so a CHECK on these characters makes the database refuse every
# other spelling, whichever code path writes it, and the unique index then holds for all
# spellings. One regular expression per database (SQLite has GLOB, PostgreSQL `~`).
CANONICAL_SLUG_CHECKS = {
    "sqlite": "{column} NOT GLOB '*[^a-z0-9-]*'",
    "postgresql": "{column} !~ '[^a-z0-9-]'",
}


def canonical_slug_checks(table: str, column: str) -> tuple[sa.CheckConstraint, ...]:
    return tuple(
        sa.CheckConstraint(sql.format(column=column), name=f"ck_{table}_{column}_canonical").ddl_if(
            dialect=dialect
        )
        for dialect, sql in CANONICAL_SLUG_CHECKS.items()
    )


class User(SQLModel, table=True):
    __table_args__ = canonical_slug_checks("user", "meetings_url")

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, index=True)
    display_name: str = Field(max_length=200)
    password_hash: str | None = Field(default=None, max_length=255)
    role: str = Field(default=Role.USER, max_length=20)
    time_zone: str = Field(default="UTC", max_length=64)
    # S7: the default path under which this user's new links are created; one user's (S16).
    meetings_url: str | None = Field(default=None, max_length=100, unique=True, index=True)
    default_link_id: int | None = Field(default=None)
    # S4: calendar events with any external attendee create a contact (not only those
    # whose email matches an existing contact).
    crm_sync_all_attendees: bool = Field(default=False)
    # S12, S13: the domain new links are hosted on; None is the built-in app domain.
    meeting_domain_id: int | None = Field(
        default=None, foreign_key="domain.id", ondelete="SET NULL"
    )
    # M12: the language of the host's pages and emails ("en", "fr"); "" follows the browser
    # (emails then go out in English).
    language: str = Field(default="", max_length=16)
    is_active: bool = Field(default=True)
    created_at: datetime = _created_at()


class Seat(SQLModel, table=True):
    """A licence seat (S7, S12): one tier per hub per user."""

    __table_args__ = (sa.UniqueConstraint("user_id", "hub"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    hub: str = Field(max_length=20)  # sales, service, marketing, cms
    tier: str = Field(max_length=20)  # starter, pro, enterprise
    created_at: datetime = _created_at()


class CalendarConnection(SQLModel, table=True):
    """One connected Google or Office 365 account of a user; tokens are encrypted."""

    __tablename__ = "calendar_connection"
    __table_args__ = (sa.UniqueConstraint("user_id", "provider", "account_email"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    provider: str = Field(max_length=20)  # google, microsoft
    account_email: str = Field(max_length=320)
    status: str = Field(default=ConnectionStatus.CONNECTED, max_length=20)
    encrypted_token: str | None = Field(default=None, sa_type=sa.Text)
    scopes: str = Field(default="", sa_type=sa.Text)
    sync_token: str | None = Field(default=None, sa_type=sa.Text)
    last_synced_at: datetime | None = _instant()
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = _created_at()
    # How changes reach us: "notifications" (a live watch channel or subscription) or
    # "polling" (the background loop asks for changes); see services/calendar_sync.py.
    sync_mode: str = Field(default=SyncMode.POLLING, max_length=20)
    last_notified_at: datetime | None = _instant()
    next_poll_at: datetime | None = _instant()  # polling mode: when to ask for changes next


class Calendar(SQLModel, table=True):
    """A calendar reachable through a connection (S9, S10); `selected` ones block time."""

    __table_args__ = (sa.UniqueConstraint("connection_id", "provider_calendar_id"),)

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="calendar_connection.id", index=True, ondelete="CASCADE")
    provider_calendar_id: str = Field(max_length=500)
    name: str = Field(max_length=500)
    access_role: str = Field(max_length=30)  # owner, writer, reader, freeBusyReader
    is_primary: bool = Field(default=False)
    selected: bool = Field(default=False)
    # Whose calendar it is (Microsoft: getSchedule asks by owner); None until listed again.
    owner_email: str | None = Field(default=None, max_length=320)


class CalendarChannel(SQLModel, table=True):
    """A Google watch channel or a Microsoft Graph subscription on one calendar: the
    provider POSTs to our webhook when its events change. Only the digest of the shared
    secret (Google's channel token, Graph's clientState) is kept."""

    __tablename__ = "calendar_channel"

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="calendar_connection.id", index=True, ondelete="CASCADE")
    provider_calendar_id: str = Field(max_length=500)
    channel_id: str = Field(max_length=200, unique=True, index=True)
    resource_id: str = Field(default="", max_length=500)
    secret_digest: str = Field(max_length=64)
    expires_at: datetime = _instant(nullable=False)
    renewing_until: datetime | None = _instant()  # a worker's claim while it renews
    created_at: datetime = _created_at()


class BusyCache(SQLModel, table=True):
    """The last busy time read for a connection's selected calendars (services/busy_cache.py):
    page views within a short window reuse it; bookings never do."""

    __tablename__ = "busy_cache"

    connection_id: int = Field(
        foreign_key="calendar_connection.id", primary_key=True, ondelete="CASCADE"
    )
    calendar_ids: str = Field(sa_type=sa.Text)  # the selected calendars it was read for
    range_start: datetime = _instant(nullable=False)
    range_end: datetime = _instant(nullable=False)
    busy: dict = _json(dict)  # calendar id -> [[start, end], ...] as ISO instants
    read_at: datetime = _instant(nullable=False)


class Domain(SQLModel, table=True):
    """A meeting domain of the workspace (S12, S13); only verified ones are offered.

    `verified_at` is set exactly while `status` is verified (services/domains.py keeps
    them together); the checks' schedule and outcome are kept beside them."""

    id: int | None = Field(default=None, primary_key=True)
    host: str = Field(max_length=253, unique=True)  # lower-case ASCII (IDNA A-labels)
    verified_at: datetime | None = _instant()
    brand_name: str | None = Field(default=None, max_length=200)
    # S14: the brand's accent colour, "#rrggbb" (domain/brand.py checks it).
    accent_color: str | None = Field(default=None, max_length=7)
    # S15: robots.txt says `Disallow: /meetings*` and booking pages carry noindex.
    block_indexing: bool = Field(default=False)
    created_at: datetime = _created_at()
    status: str = Field(default=DomainStatus.PENDING, max_length=20)
    # Published as the TXT record that proves the workspace controls the domain.
    verification_token: str = Field(default_factory=custom_domains.new_token, max_length=64)
    failure_reason: str = Field(default="", sa_type=sa.Text)  # the last failed check's, in words
    failed_checks: int = Field(default=0)  # consecutive failed checks since the last good one
    failing_since: datetime | None = _instant()  # a verified domain's first failed check
    last_checked_at: datetime | None = _instant()
    next_check_at: datetime | None = _instant(index=True)  # the background loop's schedule


class DomainLogo(SQLModel, table=True):
    """A domain's logo (S14), re-encoded from the upload; in the database so that every
    worker serves the same bytes. The digest names the version browsers cache."""

    __tablename__ = "domain_logo"

    domain_id: int = Field(foreign_key="domain.id", primary_key=True, ondelete="CASCADE")
    content_type: str = Field(max_length=50)
    data: bytes = Field(sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    sha256: str = Field(max_length=64)
    size: int
    width: int
    height: int
    updated_at: datetime = _created_at()


class MeetingLink(SQLModel, table=True):
    """A booking link. The slug is unique across every domain (S16)."""

    __tablename__ = "meeting_link"
    __table_args__ = canonical_slug_checks("meeting_link", "slug")

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    slug: str = Field(max_length=200, unique=True, index=True)
    link_type: str = Field(default=LinkType.ONE_ON_ONE, max_length=20)
    domain_id: int | None = Field(default=None, foreign_key="domain.id", ondelete="SET NULL")
    # The availability rules, questions and messages; shaped by the domain layer.
    settings: LinkSettings = Field(
        default_factory=LinkSettings, sa_column=sa.Column(LinkSettingsType(), nullable=False)
    )
    created_at: datetime = _created_at()


class LinkHost(SQLModel, table=True):
    """Who hosts a link: its owner first, then the co-hosts of a group or round robin link.

    A co-host is only used (free time, round robin, calendar writes) once `status` is
    accepted: naming somebody on a link is an invitation they answer themselves."""

    __tablename__ = "link_host"

    link_id: int = Field(foreign_key="meeting_link.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", primary_key=True, index=True, ondelete="CASCADE")
    position: int = Field(default=0)
    status: str = Field(default=HostStatus.INVITED, max_length=20)
    invited_at: datetime | None = _instant()  # None for the owner, who is never invited
    answered_at: datetime | None = _instant()  # accepted or declined; None when added directly


class Contact(SQLModel, table=True):
    """A CRM contact of one host (S4, S5), matched by email: each host keeps their own
    contacts (admins see everybody's); `owner_id` is None only for contacts that no host
    could be found for when contacts became per host."""

    __table_args__ = (sa.UniqueConstraint("owner_id", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int | None = Field(
        default=None, foreign_key="user.id", index=True, ondelete="SET NULL"
    )
    email: str = Field(max_length=320, index=True)  # stored lower-cased
    name: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=50)
    company: str = Field(default="", max_length=200)
    notes: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = _created_at()
    updated_at: datetime = _created_at()


class ContactMeeting(SQLModel, table=True):
    """A meeting on a contact's record (S4, S5): booked on a link, found in the host's
    calendar by sync, or created from the record. One row per contact and meeting, so an
    event with two contacts as attendees shows on both records."""

    __tablename__ = "contact_meeting"
    __table_args__ = (
        sa.UniqueConstraint("contact_id", "booking_id"),
        sa.UniqueConstraint("contact_id", "connection_id", "provider_event_id"),
        sa.Index("ix_contact_meeting_contact_start", "contact_id", "start_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", ondelete="CASCADE")
    host_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    source: str = Field(max_length=20)  # MeetingSource
    status: str = Field(default=BookingStatus.CONFIRMED, max_length=20)  # confirmed, cancelled
    title: str = Field(default="", max_length=500)
    description: str = Field(default="", sa_type=sa.Text)
    start_at: datetime = _instant(nullable=False)
    end_at: datetime = _instant(nullable=False)
    booking_id: int | None = Field(
        default=None, foreign_key="booking.id", index=True, ondelete="SET NULL"
    )
    # The calendar event behind it, once there is one (sync, or a meeting created from the
    # record and written to the host's calendar).
    connection_id: int | None = Field(
        default=None, foreign_key="calendar_connection.id", ondelete="SET NULL"
    )
    provider_calendar_id: str | None = Field(default=None, max_length=500)
    provider_event_id: str | None = Field(default=None, max_length=500)
    # Why the event could not be written to the host's calendar, until it is.
    calendar_error: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = _created_at()
    updated_at: datetime = _created_at()


class Booking(SQLModel, table=True):
    """A booked or requested meeting on a link."""

    __table_args__ = (sa.Index("ix_booking_host_start", "host_id", "start_at"),)

    id: int | None = Field(default=None, primary_key=True)
    link_id: int = Field(foreign_key="meeting_link.id", index=True, ondelete="CASCADE")
    host_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    contact_id: int | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL")
    start_at: datetime = _instant(nullable=False)
    end_at: datetime = _instant(nullable=False)
    status: str = Field(default=BookingStatus.CONFIRMED, max_length=20)
    prospect_name: str = Field(max_length=200)
    prospect_email: str = Field(max_length=320)
    prospect_time_zone: str = Field(default="UTC", max_length=64)
    answers: dict[str, Any] = _json(dict)
    idempotency_key: str | None = Field(default=None, max_length=200, unique=True)
    provider_event_id: str | None = Field(default=None, max_length=500)
    # Why the event could not be written to the host's calendar, until it is.
    calendar_error: str | None = Field(default=None, sa_type=sa.Text)
    # The video meeting's join link (Google Meet, Teams), known once the event is written.
    meeting_url: str | None = Field(default=None, sa_type=sa.Text)
    sequence: int = Field(default=0)  # bumped on reschedule, for calendar clients
    reminders_sent: list[int] = _json(list)  # minutes-before values already emailed
    # The prospect's locale when they booked ("fr-FR"): their emails' words and dates.
    locale: str = Field(default="en", max_length=35)
    created_at: datetime = _created_at()

    @property
    def minutes(self) -> int:
        """How long the meeting lasts."""
        return int((self.end_at - self.start_at).total_seconds() // 60)


class BookingHost(SQLModel, table=True):
    """Every host a booking occupies (one, or all of a group link's hosts)."""

    __tablename__ = "booking_host"

    booking_id: int = Field(foreign_key="booking.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", primary_key=True, index=True, ondelete="CASCADE")


class VisitorProfile(SQLModel, table=True):
    """What a returning prospect typed last time (S14), keyed by the digest of the random
    token in their own cookie: one visitor never sees another's answers."""

    __tablename__ = "visitor_profile"

    token_digest: str = Field(primary_key=True, max_length=64)
    name: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=320)
    answers: dict[str, Any] = _json(dict)
    updated_at: datetime = _created_at()


class UserSession(SQLModel, table=True):
    """A logged-in browser. Only the SHA-256 of the cookie's token is stored."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True, index=True)
    expires_at: datetime = _instant(nullable=False)
    created_at: datetime = _created_at()


class LoginCode(SQLModel, table=True):
    """A single-use, short-lived code that hands a checked log-in to the cookie route,
    redeemable only by the browser whose login binding cookie has `binding_hash`."""

    __tablename__ = "login_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(max_length=64, unique=True, index=True)
    binding_hash: str = Field(max_length=64)
    next_path: str = Field(max_length=500)
    expires_at: datetime = _instant(nullable=False)
    used_at: datetime | None = _instant()
    created_at: datetime = _created_at()


class LoginAttempt(SQLModel, table=True):
    """One log-in attempt; failures in a window throttle an email and a client IP."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        sa.Index("ix_login_attempt_email_created", "email", "created_at"),
        sa.Index("ix_login_attempt_ip_created", "client_ip", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320)
    client_ip: str = Field(max_length=64)
    succeeded: bool = Field(default=False)
    created_at: datetime = _created_at()


class PasswordResetToken(SQLModel, table=True):
    """A password-reset link's token, stored hashed; single use, short expiry."""

    __tablename__ = "password_reset_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True, index=True)
    expires_at: datetime = _instant(nullable=False)
    used_at: datetime | None = _instant()
    created_at: datetime = _created_at()


class ApiKey(SQLModel, table=True):
    """A REST API key: the prefix finds the row, the hash proves the key."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    prefix: str = Field(max_length=16, unique=True, index=True)
    key_hash: str = Field(max_length=64)
    created_at: datetime = _created_at()
    last_used_at: datetime | None = _instant()
    revoked_at: datetime | None = _instant()


class AuditEvent(SQLModel, table=True):
    """Who did what to whom; written after the change it records has committed."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int | None = Field(
        default=None, foreign_key="user.id", index=True, ondelete="SET NULL"
    )
    action: str = Field(max_length=64, index=True)
    target: str = Field(default="", max_length=320)
    details: dict[str, Any] = _json(dict)
    created_at: datetime = Field(
        default_factory=utc_now, sa_column=sa.Column(UTCDateTime(), nullable=False, index=True)
    )


class OutboxItem(SQLModel, table=True):
    """A side effect (an email, a calendar write) committed in the same transaction as the
    change that causes it, and delivered afterwards by the background worker, with retries.

    A worker claims a row by setting `claim` and `lease_until`; a claim whose lease has run
    out (the worker was killed) is taken again. `key` is stable and unique: the Message-ID
    of an email."""

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_status_next_attempt", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True)
    kind: str = Field(max_length=30)
    booking_id: int | None = Field(
        default=None, foreign_key="booking.id", index=True, ondelete="SET NULL"
    )
    recipient: str = Field(default="", max_length=320)  # who it is for, as people read it
    summary: str = Field(default="", max_length=500)  # the subject, or what the write does
    payload: dict[str, Any] = _json(dict)
    status: str = Field(default=OutboxStatus.PENDING, max_length=20)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(
        default_factory=utc_now, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    lease_until: datetime | None = _instant()
    claim: str | None = Field(default=None, max_length=32)
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = _created_at()
    finished_at: datetime | None = _instant()


class OutboxEmail(SQLModel, table=True):
    """Mail captured locally when no SMTP server is configured (development, demo): what
    delivering an outbox email does in that mode."""

    __tablename__ = "outbox_email"

    id: int | None = Field(default=None, primary_key=True)
    to: str = Field(max_length=320, index=True)
    subject: str = Field(max_length=500)
    text: str = Field(sa_type=sa.Text)
    html: str | None = Field(default=None, sa_type=sa.Text)
    # [{"filename", "content_type", "size"}]: enough to show what would have been attached.
    attachments: list[dict[str, Any]] = _json(list)
    created_at: datetime = _created_at()


class OAuthAttempt(SQLModel, table=True):
    """A calendar connection waiting for the provider's answer: one use, ten minutes.
    The state is stored as a digest; the PKCE flow (verifier and friends) encrypted."""

    __tablename__ = "oauth_attempt"

    id: int | None = Field(default=None, primary_key=True)
    state_digest: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    provider: str = Field(max_length=20)
    encrypted_flow: str = Field(sa_type=sa.Text)
    created_at: datetime = _created_at()
    consumed_at: datetime | None = _instant()
