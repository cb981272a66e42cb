"""The sandbox's memory: accounts, calendars, events, OAuth grants, sync state and faults.

One lock guards everything, so the sandbox is safe under the threads of a test server.
Nothing here persists: a restart brings back the seeded demo data.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from meetings_ui.config import (
    SANDBOX_CLIENT_ID,
    SANDBOX_DEMO_GOOGLE_EMAIL,
    SANDBOX_DEMO_REFRESH_TOKEN,
)
from meetings_ui.domain.enums import Provider
from meetings_ui.domain.time_zones import all_day_span, is_time_zone, zone

# Access a Google account has to a calendar, by increasing power (Calendar v3 accessRole).
GOOGLE_ROLES = ("freeBusyReader", "reader", "writer", "owner")

ACCESS_TOKEN_SECONDS = 3600


@dataclass
class Account:
    provider: str
    email: str
    display_name: str
    personal: bool = False  # a personal Microsoft account: no getSchedule, no Teams meetings
    address: str = ""  # the primary SMTP address as written (mixed case kept); email is its key
    upn: str | None = None  # Microsoft sign-in name, when it differs from the SMTP address
    aliases: list[str] = field(default_factory=list)  # former addresses, still delivered to

    @property
    def smtp_address(self) -> str:
        return self.address or self.email

    @property
    def sign_in_name(self) -> str:
        return self.upn or self.smtp_address


@dataclass
class SandboxCalendar:
    id: str
    provider: str
    owner_email: str
    name: str
    is_default: bool = False
    # account email -> role: Google roles above; Microsoft uses the same words.
    access: dict[str, str] = field(default_factory=dict)
    # The owner's address as the calendar was shared under: people it is shared with keep
    # seeing it after the owner's primary address changes (Microsoft).
    owner_address: str = ""
    time_zone: str = "UTC"  # IANA name: where an all-day event's midnights are


@dataclass
class SandboxEvent:
    id: str
    calendar_id: str
    summary: str
    start: datetime
    end: datetime
    all_day: bool = False
    status: str = "confirmed"  # or "cancelled"
    show_as: str = "busy"  # Graph showAs: busy, free, tentative, oof, workingElsewhere, unknown
    # Who may see the details: Google's visibility (default, public, private, confidential);
    # Graph calls it sensitivity (normal, personal, private, confidential).
    visibility: str = "default"
    attendees: list[dict] = field(default_factory=list)
    description: str = ""
    private_properties: dict[str, str] = field(default_factory=dict)
    transaction_id: str | None = None
    sequence: int = 0  # the store's change counter when last changed
    location: str = ""
    join_url: str = ""  # the video meeting's (Google Meet or Teams), if one was made
    conference_status: str = ""  # Google: "pending" until read again, then "success"
    # An all-day event is its dates, as Google stores it (end exclusive); start and end
    # are then the calendar's midnights.
    start_date: date | None = None
    end_date: date | None = None


@dataclass(frozen=True)
class BoundToken:
    """A Google page or sync token and the request it was issued for: Google expects the
    same parameters back with it."""

    calendar_id: str
    params: tuple[tuple[str, str], ...]
    position: int  # a page token: the offset of its page; a sync token: the change counter


@dataclass
class Grant:
    """An authorization code waiting to be exchanged."""

    provider: str
    client_id: str
    redirect_uri: str
    account_email: str
    scope: str
    code_challenge: str
    code_challenge_method: str
    nonce: str | None
    expires_at: float


@dataclass
class RefreshGrant:
    provider: str
    client_id: str
    account_email: str
    scope: str
    revoked: bool = False


@dataclass
class Fault:
    """A queued failure: the next `count` matching requests get it."""

    id: int
    provider: str  # google, microsoft or any
    path_pattern: str  # a glob on the whole request path: `*` is any run of characters
    kind: str  # status, slow, invalid_grant, stale_sync_token, html, empty
    status: int = 500
    retry_after: int | None = None
    reason: str | None = None  # Google error reason, e.g. rateLimitExceeded
    delay_seconds: float = 0.0
    count: int = 1


class SandboxError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class SandboxStore:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        # Told the calendar id of every event change (the notifications of watch channels
        # and subscriptions); kept across resets.
        self.listeners: list[Callable[[str], None]] = []
        self.reset()

    def changed(self, calendar_id: str) -> None:
        for listener in self.listeners:
            listener(calendar_id)

    def reset(self) -> None:
        with self.lock:
            self.accounts: dict[tuple[str, str], Account] = {}
            self.calendars: dict[str, SandboxCalendar] = {}
            self.events: dict[str, SandboxEvent] = {}
            self.grants: dict[str, Grant] = {}
            self.refresh_grants: dict[str, RefreshGrant] = {}
            self.access_tokens: dict[
                str, tuple[str, str, float]
            ] = {}  # token -> provider, email, expiry
            self.faults: list[Fault] = []
            self.watch_channels: list[dict] = []
            self.subscriptions: list[dict] = []  # Microsoft Graph change subscriptions
            self.requests: list[tuple[str, str]] = []  # (method, path) of every API request
            self.notifications: list[dict] = []  # what was POSTed to webhooks, and the answer
            self.bound_tokens: dict[str, BoundToken] = {}
            self.token_scopes: dict[str, str] = {}  # access token -> the scopes granted
            self.oldest_valid_sync = 0  # sync tokens below this are stale (410)
            self.meet_pending_reads = 0  # reads of a new Meet still answered "pending"
            # Graph: incremental delta items of updated events carry only their id and
            # subject, as Graph may ("at least the properties that have been updated").
            self.graph_delta_changed_only = False
            self.latency_seconds = 0.0  # added to every provider answer (control: /settings)
            self._sequence = itertools.count(1)
            self._ids = itertools.count(1)
            self.sequence = 0

    # --- ids and change sequence ------------------------------------------------------

    def next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids)}"

    def touch(self) -> int:
        self.sequence = next(self._sequence)
        return self.sequence

    # --- accounts and calendars ------------------------------------------------------------

    def add_account(
        self,
        provider: str,
        email: str,
        display_name: str,
        personal: bool = False,
        upn: str | None = None,
        time_zone: str = "UTC",
    ) -> Account:
        with self.lock:
            address, email = email, email.lower()
            account = Account(provider, email, display_name, personal, address, upn or None)
            self.accounts[(provider, email)] = account
            primary_id = email if provider == Provider.GOOGLE else self.next_id("AAMkCal")
            self.calendars.setdefault(
                primary_id,
                SandboxCalendar(
                    primary_id,
                    provider,
                    email,
                    "Calendar" if provider == Provider.MICROSOFT else email,
                    is_default=True,
                    access={email: "owner"},
                    owner_address=address,
                    time_zone=_checked_zone(time_zone),
                ),
            )
            return account

    def account(self, provider: str, email: str) -> Account:
        try:
            return self.accounts[(provider, email.lower())]
        except KeyError:
            raise SandboxError(404, f"No {provider} account {email}") from None

    def mailbox(self, provider: str, address: str) -> Account | None:
        """The account an address names, by SMTP address, former address or sign-in name,
        in any case."""
        wanted = address.lower()
        for (other, _), account in self.accounts.items():
            names = {account.email, account.smtp_address.lower(), (account.upn or "").lower()}
            if other == provider and wanted in names | {a.lower() for a in account.aliases}:
                return account
        return None

    def change_address(self, provider: str, email: str, address: str) -> Account:
        """The mailbox gets a new primary SMTP address; the old one stays an alias."""
        with self.lock:
            account = self.account(provider, email)
            account.aliases.append(account.smtp_address)
            account.address = address
            return account

    def add_calendar(
        self,
        provider: str,
        owner_email: str,
        name: str,
        shared_with: dict[str, str] | None = None,
        time_zone: str = "UTC",
    ) -> SandboxCalendar:
        with self.lock:
            owner = self.account(provider, owner_email)
            calendar_id = (
                f"{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}-{next(self._ids)}"
                "@group.calendar.sandbox"
                if provider == Provider.GOOGLE
                else self.next_id("AAMkCal")
            )
            access = {owner_email.lower(): "owner"}
            access.update({k.lower(): v for k, v in (shared_with or {}).items()})
            for role in access.values():
                if role not in GOOGLE_ROLES:
                    raise SandboxError(400, f"Unknown access role {role!r}")
            calendar = SandboxCalendar(
                calendar_id,
                provider,
                owner_email.lower(),
                name,
                access=access,
                owner_address=owner.smtp_address,
                time_zone=_checked_zone(time_zone),
            )
            self.calendars[calendar_id] = calendar
            return calendar

    def primary_calendar(self, provider: str, email: str) -> SandboxCalendar:
        for calendar in self.calendars.values():
            if (
                calendar.provider == provider
                and calendar.owner_email == email.lower()
                and calendar.is_default
            ):
                return calendar
        raise SandboxError(404, f"No primary calendar for {email}")

    def calendar(self, calendar_id: str) -> SandboxCalendar:
        try:
            return self.calendars[calendar_id]
        except KeyError:
            raise SandboxError(404, "Not Found") from None

    def role_of(self, calendar: SandboxCalendar, email: str) -> str | None:
        return calendar.access.get(email.lower())

    def visible_calendars(self, provider: str, email: str) -> list[SandboxCalendar]:
        return [
            c
            for c in self.calendars.values()
            if c.provider == provider and self.role_of(c, email) is not None
        ]

    # --- events ----------------------------------------------------------------------------

    def add_event(
        self,
        calendar_id: str,
        summary: str,
        start: datetime,
        end: datetime,
        *,
        all_day: bool = False,
        event_id: str | None = None,
        **extra: object,
    ) -> SandboxEvent:
        with self.lock:
            self.calendar(calendar_id)
            if end <= start:
                raise SandboxError(400, "The event ends before it starts")
            event_id = event_id or self.next_id("evt")
            if event_id in self.events:
                raise SandboxError(409, "The requested identifier already exists.")
            event = SandboxEvent(
                event_id,
                calendar_id,
                summary,
                start.astimezone(UTC),
                end.astimezone(UTC),
                all_day=all_day,
                sequence=self.touch(),
                **extra,  # type: ignore[arg-type]
            )
            self.events[event_id] = event
            self.changed(calendar_id)
            return event

    def add_all_day_event(
        self, calendar_id: str, summary: str, first_day: date, end_day: date, **extra: object
    ) -> SandboxEvent:
        """An all-day event from `first_day` to `end_day` (exclusive), kept as dates; its
        instants are midnight to midnight in the calendar's time zone, as Google counts."""
        with self.lock:
            start, end = all_day_span(
                first_day, end_day, zone(self.calendar(calendar_id).time_zone)
            )
            return self.add_event(
                calendar_id,
                summary,
                start,
                end,
                all_day=True,
                start_date=first_day,
                end_date=end_day,
                **extra,
            )

    def event(self, calendar_id: str, event_id: str) -> SandboxEvent:
        event = self.events.get(event_id)
        if event is None or event.calendar_id != calendar_id:
            raise SandboxError(404, "Not Found")
        return event

    def update_event(
        self,
        event: SandboxEvent,
        *,
        summary: str | None = None,
        description: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        attendees: list[dict] | None = None,
    ) -> None:
        """Apply the given changes; each change moves the event into the next sync."""
        with self.lock:
            if attendees is not None:
                event.attendees = attendees
            if summary is not None:
                event.summary = summary
            if description is not None:
                event.description = description
            if start is not None:
                event.start = start
            if end is not None:
                event.end = end
            event.sequence = self.touch()
            self.changed(event.calendar_id)

    def attendee_entries(self, calendar_id: str, people: list[dict]) -> list[dict]:
        """Attendees ({"email", "name"}) as the calendar's provider writes them: Google's
        {"email", "displayName"}, Graph's {"emailAddress": {"address", "name"}}."""
        if self.calendar(calendar_id).provider == Provider.GOOGLE:
            return [
                {
                    "email": p["email"],
                    "displayName": p.get("name", ""),
                    "responseStatus": "needsAction",
                }
                for p in people
            ]
        return [
            {
                "emailAddress": {"address": p["email"], "name": p.get("name", "")},
                "type": "required",
                "status": {"response": "none"},
            }
            for p in people
        ]

    def cancel_event(self, event: SandboxEvent) -> None:
        with self.lock:
            event.status = "cancelled"
            event.sequence = self.touch()
            self.changed(event.calendar_id)

    def events_between(
        self, calendar_id: str, start: datetime, end: datetime
    ) -> list[SandboxEvent]:
        return sorted(
            (
                e
                for e in self.events.values()
                if e.calendar_id == calendar_id
                and e.status != "cancelled"
                and e.start < end
                and start < e.end
            ),
            key=lambda e: e.start,
        )

    def changes_since(self, calendar_ids: set[str], sequence: int) -> list[SandboxEvent]:
        return sorted(
            (
                e
                for e in self.events.values()
                if e.calendar_id in calendar_ids and e.sequence > sequence
            ),
            key=lambda e: e.sequence,
        )

    def sync_token(self) -> str:
        return f"sync-{self.sequence}"

    def parse_sync_token(self, token: str) -> int:
        match = re.fullmatch(r"sync-(\d+)", token or "")
        if not match or int(match.group(1)) < self.oldest_valid_sync:
            raise SandboxError(410, "Sync token is no longer valid, a full sync is required.")
        return int(match.group(1))

    def bind_token(self, prefix: str, binding: BoundToken) -> str:
        """A new opaque token, remembered with the request it belongs to."""
        with self.lock:
            token = f"{prefix}{secrets.token_urlsafe(12)}"
            self.bound_tokens[token] = binding
            return token

    def invalidate_sync_tokens(self) -> None:
        with self.lock:
            self.oldest_valid_sync = self.sequence + 1

    # --- OAuth ---------------------------------------------------------------------------------

    def issue_code(self, grant: Grant) -> str:
        with self.lock:
            code = secrets.token_urlsafe(24)
            self.grants[code] = grant
            return code

    def redeem_code(
        self, provider: str, code: str, client_id: str, redirect_uri: str, verifier: str
    ) -> Grant:
        with self.lock:
            grant = self.grants.pop(code, None)  # one use only, even when it fails
        if grant is None or grant.provider != provider or grant.expires_at < time.time():
            raise SandboxError(400, "invalid_grant")
        if grant.client_id != client_id or grant.redirect_uri != redirect_uri:
            raise SandboxError(400, "invalid_grant")
        if (
            not verifier
            or pkce_challenge(verifier, grant.code_challenge_method) != grant.code_challenge
        ):
            raise SandboxError(400, "invalid_grant")
        return grant

    def issue_tokens(
        self, provider: str, client_id: str, email: str, scope: str
    ) -> tuple[str, str]:
        with self.lock:
            access = f"{provider[:1]}at-{secrets.token_urlsafe(24)}"
            refresh = f"{provider[:1]}rt-{secrets.token_urlsafe(24)}"
            self.access_tokens[access] = (provider, email, time.time() + ACCESS_TOKEN_SECONDS)
            self.token_scopes[access] = scope
            self.refresh_grants[refresh] = RefreshGrant(provider, client_id, email, scope)
            return access, refresh

    def refresh(
        self, provider: str, refresh_token: str, client_id: str
    ) -> tuple[str, RefreshGrant]:
        with self.lock:
            grant = self.refresh_grants.get(refresh_token)
            if (
                grant is None
                or grant.revoked
                or grant.provider != provider
                or grant.client_id != client_id
            ):
                raise SandboxError(400, "invalid_grant")
            access = f"{provider[:1]}at-{secrets.token_urlsafe(24)}"
            self.access_tokens[access] = (
                provider,
                grant.account_email,
                time.time() + ACCESS_TOKEN_SECONDS,
            )
            self.token_scopes[access] = grant.scope
            return access, grant

    def revoke(self, token: str) -> bool:
        """Revoking either token ends the whole grant, as Google does: the refresh token
        and every access token of the account stop working. False for a token that is
        unknown or already revoked (Google answers 400 invalid_token)."""
        with self.lock:
            if token in self.refresh_grants and not self.refresh_grants[token].revoked:
                grant = self.refresh_grants[token]
                provider, email = grant.provider, grant.account_email
            elif token in self.access_tokens:
                provider, email, _ = self.access_tokens[token]
            else:
                return False
            for grant in self.refresh_grants.values():
                if grant.provider == provider and grant.account_email == email:
                    grant.revoked = True
            for access, (other, owner, _) in list(self.access_tokens.items()):
                if other == provider and owner == email:
                    del self.access_tokens[access]
            return True

    def revoke_account(self, provider: str, email: str) -> None:
        with self.lock:
            for token, grant in self.refresh_grants.items():
                if grant.provider == provider and grant.account_email == email.lower():
                    self.revoke(token)

    def expire_access_tokens(self) -> None:
        with self.lock:
            for token, (provider, email, _) in list(self.access_tokens.items()):
                self.access_tokens[token] = (provider, email, 0.0)

    def account_for_token(self, provider: str, header: str | None) -> Account:
        if not header or not header.startswith("Bearer "):
            raise SandboxError(401, "Request is missing required authentication credential.")
        entry = self.access_tokens.get(header.removeprefix("Bearer ").strip())
        if entry is None or entry[0] != provider or entry[2] < time.time():
            raise SandboxError(401, "Request had invalid authentication credentials.")
        return self.account(provider, entry[1])

    # --- faults ---------------------------------------------------------------------------------

    def queue_fault(self, **fields: object) -> Fault:
        with self.lock:
            fault = Fault(id=next(self._ids), **fields)  # type: ignore[arg-type]
            self.faults.append(fault)
            return fault

    def take_fault(self, provider: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.provider in (provider, "any") and glob_match(fault.path_pattern, path):
                    fault.count -= 1
                    if fault.count <= 0:
                        self.faults.remove(fault)
                    return fault
            return None


def glob_match(pattern: str, path: str) -> bool:
    """Whether `path` matches `pattern` whole, `*` standing for any run of characters (`/`
    included) and every other character for itself. Matched without regular expressions or
    backtracking: the pieces between stars are found left to right, each at its first
    place, which is right for `*`-only globs; time grows with the lengths, never worse."""
    first, *rest = pattern.split("*")
    if not rest:
        return path == pattern
    *middle, last = rest
    if len(path) < len(first) + len(last) or not (path.startswith(first) and path.endswith(last)):
        return False
    position, end = len(first), len(path) - len(last)
    for piece in middle:
        found = path.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def _checked_zone(name: str) -> str:
    if not is_time_zone(name):
        raise SandboxError(400, f"Unknown time zone {name!r}")
    return name


def pkce_challenge(verifier: str, method: str) -> str:
    if method == "plain":
        return verifier
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def seed_demo_data(store: SandboxStore, today: date | None = None) -> None:
    """One Google and one Office 365 account with a few calendars and busy events this
    week and next: owned, shared writable, shared free/busy-only, and one never shared."""
    today = today or datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday())

    def at(day_offset: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(
            monday + timedelta(days=day_offset), datetime.min.time(), UTC
        ) + timedelta(hours=hour, minutes=minute)

    with store.lock:
        google = store.add_account(Provider.GOOGLE, "demo.google@example.com", "Demo Google")
        store.add_account(Provider.GOOGLE, "ana.colleague@example.com", "Ana Colleague")
        primary = store.primary_calendar(Provider.GOOGLE, google.email)
        team = store.add_calendar(
            Provider.GOOGLE, "ana.colleague@example.com", "Team", {google.email: "writer"}
        )
        ana_fb = store.primary_calendar(Provider.GOOGLE, "ana.colleague@example.com")
        ana_fb.access[google.email] = "freeBusyReader"
        # Never shared with the demo account:
        store.add_calendar(Provider.GOOGLE, "ana.colleague@example.com", "Ana private")
        holidays = store.add_calendar(Provider.GOOGLE, google.email, "Holidays")
        for week in (0, 7):
            store.add_event(primary.id, "Weekly planning", at(week, 9), at(week, 10))
            store.add_event(
                primary.id, "Lunch with a client", at(week + 2, 12), at(week + 2, 13, 30)
            )
            store.add_event(team.id, "Team sync", at(week + 1, 14), at(week + 1, 15))
            store.add_event(ana_fb.id, "Ana: workshop", at(week + 3, 9), at(week + 3, 12))
        day_off = monday + timedelta(days=11)
        store.add_all_day_event(holidays.id, "Day off", day_off, day_off + timedelta(days=1))

        office = store.add_account(Provider.MICROSOFT, "demo.office@example.com", "Demo Office")
        store.add_account(Provider.MICROSOFT, "bo.colleague@example.com", "Bo Colleague")
        store.add_account(
            Provider.MICROSOFT, "demo.personal@example.com", "Demo Personal", personal=True
        )
        office_primary = store.primary_calendar(Provider.MICROSOFT, office.email)
        events = store.add_calendar(Provider.MICROSOFT, office.email, "Team Events")
        bo = store.primary_calendar(Provider.MICROSOFT, "bo.colleague@example.com")
        bo.access[office.email] = "freeBusyReader"
        bo.name = "Bo Colleague"
        for week in (0, 7):
            store.add_event(office_primary.id, "Pipeline review", at(week, 10), at(week, 11))
            store.add_event(office_primary.id, "Customer call", at(week + 3, 15), at(week + 3, 16))
            store.add_event(events.id, "Town hall", at(week + 2, 16), at(week + 2, 17))
            store.add_event(bo.id, "Bo: offsite", at(week + 4, 9), at(week + 4, 17))
        personal_primary = store.primary_calendar(Provider.MICROSOFT, "demo.personal@example.com")
        store.add_event(personal_primary.id, "Dentist", at(1, 8), at(1, 9))
        seed_demo_host(store, monday)


# The demo host's week in their own zone (weekday, start hour, hours long, title, private):
# inside the demo link's hours, so its booking page visibly skips them.
DEMO_HOST_ZONE = "America/New_York"
DEMO_HOST_WEEK = (
    (0, 10, 1, "Weekly planning", False),
    (1, 13, 1, "Lunch with a client", False),
    (2, 14, 1.5, "Product demo for Acme", False),
    (3, 11, 1, "Doctor's appointment", True),
    (4, 15, 1, "One-on-one with Ana", False),
)


def seed_demo_host(store: SandboxStore, monday: date) -> None:
    """The demo host's Google account (listed after the other demo accounts, so the consent
    page still offers those first), its busy week, this week and next, and the grant the
    demo workspace's connection holds (config.SANDBOX_DEMO_REFRESH_TOKEN)."""
    with store.lock:
        host = store.add_account(
            Provider.GOOGLE, SANDBOX_DEMO_GOOGLE_EMAIL, "Hugo Host", time_zone=DEMO_HOST_ZONE
        )
        calendar = store.primary_calendar(Provider.GOOGLE, host.email)
        local = zone(DEMO_HOST_ZONE)
        for week in (0, 7):
            for weekday, hour, hours, summary, private in DEMO_HOST_WEEK:
                day = monday + timedelta(days=week + weekday)
                start = datetime.combine(day, datetime.min.time(), local) + timedelta(hours=hour)
                store.add_event(
                    calendar.id,
                    summary,
                    start,
                    start + timedelta(hours=hours),
                    visibility="private" if private else "default",
                )
        store.refresh_grants[SANDBOX_DEMO_REFRESH_TOKEN] = RefreshGrant(
            Provider.GOOGLE,
            SANDBOX_CLIENT_ID,
            host.email,
            "https://www.googleapis.com/auth/calendar",
        )
