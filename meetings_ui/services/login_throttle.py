"""Log-in throttling, counted in the database so that every backend worker sees it.

An email is locked after 5 failures in 15 minutes (a success resets its count: it
proves the password is known). A client IP is locked after 20 failures in 15
minutes, whatever the emails tried: it stops one machine spraying many accounts,
yet leaves room for an office behind one address. Refused attempts are not
counted, so waiting always lifts the lock.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from meetings_ui.models import LoginAttempt

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_IP = 20
KEEP_ATTEMPTS_FOR = timedelta(days=1)


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


def record_attempt(
    *, session: Session, email: str, client_ip: str, succeeded: bool, now: datetime
) -> None:
    """Store the attempt (committed) and forget attempts too old to matter."""
    session.execute(
        sa.delete(LoginAttempt).where(LoginAttempt.created_at < now - KEEP_ATTEMPTS_FOR)
    )
    session.add(
        LoginAttempt(email=email, client_ip=client_ip[:64], succeeded=succeeded, created_at=now)
    )
    session.commit()
