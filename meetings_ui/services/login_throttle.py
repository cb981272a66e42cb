"""Log-in throttling, counted in the database so that every backend worker sees it.

An email is locked after 5 failures in 15 minutes (a success resets its count: it
proves the password is known). A client IP is locked after 20 failures in 15
minutes, whatever the emails tried: it stops one machine spraying many accounts,
yet leaves room for an office behind one address. Refused attempts are not
counted, so waiting always lifts the lock.

Race-free: an attempt is counted and recorded (as a failure) in one short transaction
that holds a lock on its email and its IP, *before* the slow password check, and marked
a success afterwards. So many guesses sent at once still get at most the limit checked.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from meetings_ui.models import LoginAttempt

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_IP = 20
KEEP_ATTEMPTS_FOR = timedelta(days=1)


class LockedOutError(Exception):
    """Too many recent failures: no password may be checked for `minutes` more."""

    def __init__(self, minutes: int) -> None:
        super().__init__(f"locked for {minutes} minutes")
        self.minutes = minutes


def _failures(session: Session, column: sa.ColumnElement, value: str, since: datetime) -> list:
    return list(
        session.exec(
            select(LoginAttempt.created_at)
            .where(
                column == value, LoginAttempt.created_at > since, LoginAttempt.succeeded.is_(False)
            )
            .order_by(LoginAttempt.created_at)
        ).all()
    )


def _lifted_at(failures: list[datetime], limit: int) -> datetime | None:
    """When the count drops below the limit: as the oldest surplus failure ages out."""
    if len(failures) < limit:
        return None
    return failures[len(failures) - limit] + WINDOW


def lockout_minutes(*, session: Session, email: str, client_ip: str, now: datetime) -> int | None:
    """Minutes until another attempt is allowed, or None when it is allowed now."""
    since = now - WINDOW
    last_success = session.exec(
        select(sa.func.max(LoginAttempt.created_at)).where(
            LoginAttempt.email == email, LoginAttempt.succeeded.is_(True)
        )
    ).one()
    email_since = max(since, last_success) if last_success else since
    lifts = [
        _lifted_at(
            _failures(session, LoginAttempt.email, email, email_since), MAX_FAILURES_PER_EMAIL
        ),
        _lifted_at(
            _failures(session, LoginAttempt.client_ip, client_ip, since), MAX_FAILURES_PER_IP
        ),
    ]
    latest = max((lift for lift in lifts if lift is not None), default=None)
    if latest is None or latest <= now:
        return None
    return max(1, math.ceil((latest - now).total_seconds() / 60))


def _lock_key(kind: str, value: str) -> int:
    """A signed 64-bit key for PostgreSQL's advisory locks (a collision only serialises more)."""
    return int.from_bytes(hashlib.sha256(f"{kind}:{value}".encode()).digest()[:8], signed=True)


def _serialise(session: Session, *, email: str, client_ip: str, now: datetime) -> None:
    """Hold, until commit, the locks that make attempts on this email or IP take turns.

    PostgreSQL: a transaction-scoped advisory lock per email and per IP, in one order (no
    deadlock). SQLite: the first write of the transaction takes the database's single write
    lock. Either way, the first statement here writes: old attempts are forgotten.
    """
    if session.get_bind().dialect.name == "postgresql":
        for key in sorted({_lock_key("email", email), _lock_key("ip", client_ip)}):
            session.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))
    session.execute(
        sa.delete(LoginAttempt).where(LoginAttempt.created_at < now - KEEP_ATTEMPTS_FOR)
    )


def start_attempt(*, session: Session, email: str, client_ip: str, now: datetime) -> int:
    """Count, then record this attempt as a failure, under the lock (committed).

    Returns the attempt's id for `mark_succeeded`; raises LockedOutError (nothing
    recorded) when the email or the IP is locked. Call it before checking the password.
    """
    client_ip = client_ip[:64]
    _serialise(session, email=email, client_ip=client_ip, now=now)
    minutes = lockout_minutes(session=session, email=email, client_ip=client_ip, now=now)
    if minutes is not None:
        session.commit()
        raise LockedOutError(minutes)
    attempt = LoginAttempt(email=email, client_ip=client_ip, succeeded=False, created_at=now)
    session.add(attempt)
    session.commit()
    return attempt.id


def mark_succeeded(*, session: Session, attempt_id: int) -> None:
    """The password was right: this attempt resets the email's count (committed)."""
    session.execute(
        sa.update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(succeeded=True)
    )
    session.commit()
