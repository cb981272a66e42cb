"""Rate limits on what anyone may call without an account (slots, bookings, sign-up and
password-reset requests), and on the one mail a user can make the app send to another
(co-host invitations).

One moving-window limiter (the `limits` library) counts hits per client IP and, where a
second key applies, per link or per address. Its counters live in Redis when `REDIS_URL` is
set, so every backend worker shares them, and in this process's memory otherwise. A refused
hit is not counted, so waiting always lifts the limit; `RateLimitedError` says how long.

In memory, expired hits are swept every `SWEEP_SECONDS` rather than limits' 10 ms after
every hit: its sweep walks every key seen in the last minute (each client address of the
slots API is one), so under load it ran back to back on another thread, about 24 ms of
CPU per 12,000 keys, holding the interpreter's lock (M13, bench/slots_cpu.py). The sweep
only frees memory: a hit is judged by the entries in its own window, whatever the sweep.

The limits are generous for a person and tight for a script. Per link they are wider than
per IP, so one client cannot lock a link for everyone else, yet a crowd of addresses
cannot hammer one link's calendar without end.
"""

from __future__ import annotations

import functools
import math
import threading
import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from meetings_ui.config import get_settings
from meetings_ui.domain.slugs import canonical_slug

# Slot queries: a booking page asks once per week shown; a script asks in a loop.
SLOTS_PER_IP = parse("60/minute")
SLOTS_PER_LINK = parse("600/minute")
# Booking requests (the public API): a person books a few times, never dozens an hour.
BOOKINGS_PER_IP = parse("10/hour")
BOOKINGS_PER_LINK = parse("60/hour")
# Sign-up attempts (valid or not) from one IP, and per address so that nobody's inbox is
# flooded with confirmation links or "someone tried to sign up" notes.
SIGN_UPS_PER_IP = parse("10/hour")
SIGN_UPS_PER_EMAIL = parse("3/hour")
# Password-reset requests: per IP, and per address so that nobody's inbox is flooded.
RESETS_PER_IP = parse("10/hour")
RESETS_PER_EMAIL = parse("3/hour")
# Co-host invitations: each is an email to a colleague, so one user cannot flood another
# (or the whole workspace) by naming them on link after link.
INVITATIONS_PER_INVITER = parse("30/hour")
INVITATIONS_PER_INVITEE = parse("5/hour")


class RateLimitedError(Exception):
    """Too many requests: the next one is allowed in `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many requests; retry after {retry_after} s")
        self.retry_after = retry_after

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))


SWEEP_SECONDS = 5.0


class _MemoryStorage(MemoryStorage):
    """limits' in-memory storage, its sweep of expired hits every SWEEP_SECONDS (see the
    module's docstring) on a daemon thread."""

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802  (limits' private name)
        if not self.timer.is_alive():
            self.timer = threading.Timer(SWEEP_SECONDS, self._MemoryStorage__expire_events)
            self.timer.daemon = True
            self.timer.start()


@functools.cache
def _storage(redis_url: str) -> Storage:
    return storage_from_string(redis_url) if redis_url else _MemoryStorage()


def _limiter() -> MovingWindowRateLimiter:
    """The limiter on the configured storage (one per storage URL, kept for the process)."""
    return MovingWindowRateLimiter(_storage(get_settings().redis_url))


def reset() -> None:
    """Forget every counter (tests; an admin clearing a false alarm)."""
    _limiter().storage.reset()


def first_use(key: str, seconds: int) -> bool:
    """True the first time `key` is seen within `seconds` (one-time tokens: a solved
    challenge), on the limiter's storage, so every worker sees every use."""
    return _limiter().storage.incr(f"once/{key}", seconds) == 1


def hit(*limits: tuple[RateLimitItem, str, str]) -> None:
    """Count one request against each (limit, scope, key), in order; raise
    RateLimitedError at the first limit already reached (that one is not counted)."""
    limiter = _limiter()
    for item, scope, key in limits:
        if not limiter.hit(item, scope, key):
            reset_at = limiter.get_window_stats(item, scope, key).reset_time
            raise RateLimitedError(max(1, math.ceil(reset_at - time.time())))


def slots_query(*, client_ip: str, slug: str) -> None:
    """One link's counter however its address is spelled ("/meetings/DEMO" is "demo")."""
    link = canonical_slug(slug)
    hit((SLOTS_PER_IP, "slots-ip", client_ip), (SLOTS_PER_LINK, "slots-link", link))


def booking_request(*, client_ip: str, slug: str) -> None:
    link = canonical_slug(slug)
    hit((BOOKINGS_PER_IP, "bookings-ip", client_ip), (BOOKINGS_PER_LINK, "bookings-link", link))


def sign_up(*, client_ip: str, email: str) -> None:
    hit((SIGN_UPS_PER_IP, "sign-up-ip", client_ip), (SIGN_UPS_PER_EMAIL, "sign-up-email", email))


def password_reset(*, client_ip: str, email: str) -> None:
    hit((RESETS_PER_IP, "reset-ip", client_ip), (RESETS_PER_EMAIL, "reset-email", email))


def co_host_invitation(*, inviter_id: int, invitee_id: int) -> None:
    hit(
        (INVITATIONS_PER_INVITER, "invitations-from", str(inviter_id)),
        (INVITATIONS_PER_INVITEE, "invitations-to", str(invitee_id)),
    )
