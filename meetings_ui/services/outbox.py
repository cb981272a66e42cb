"""The outbox: side effects (emails, calendar writes) stored in the same transaction as the
change that causes them, and delivered afterwards, outside any request.

A booking and its emails commit together or not at all; nothing waits for SMTP or a
calendar provider while somebody waits for an answer. Delivery (`services/delivery.py`)
claims due rows, performs them and records the outcome:

- **Claim**: due rows are picked with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL,
  then taken by one conditional `UPDATE` (still pending, lease free) that sets a random
  `claim`, a lease (`LEASE`) and counts the attempt. SQLite has one writer at a time, so
  the conditional update alone is the claim there. A worker killed while holding a claim
  loses it when the lease runs out, and another worker takes the row again.
- **Retry**: a failed attempt waits `backoff(attempts)` (exponential, capped) before the
  next one; after `MAX_ATTEMPTS` the row is marked failed, shown to the host and to admins,
  who may retry it.
- **Once**: a row is marked sent only by the worker whose claim it still holds. Every
  email carries a Message-ID made from the row's key, and every calendar write an
  idempotency key the provider honours, so a delivery repeated after a crash between
  sending and recording is recognised as the same message or event.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from meetings_ui.domain.enums import OutboxKind, OutboxStatus
from meetings_ui.models import OutboxItem, utc_now

MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(seconds=30)  # then doubled after each failed attempt ...
LONGEST_WAIT = timedelta(hours=2)  # ... up to this: about 9 hours from first to last try
LEASE = timedelta(minutes=5)  # longer than any one delivery (SMTP and providers time out)
BATCH = 20

# Set when a transaction that queued something commits, so that a delivery loop in this
# process wakes at once instead of at its next poll.
queued = threading.Event()


class RetryLaterError(Exception):
    """A delivery that cannot be done yet (and is not broken): try again after the backoff."""


class PermanentDeliveryError(Exception):
    """A delivery that can never succeed as it stands (a malformed address): no retry."""


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 30 s, 1 min, 2 min, … 2 h."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def enqueue(
    session: Session,
    *,
    kind: OutboxKind,
    payload: Mapping[str, Any] | None = None,
    booking_id: int | None = None,
    recipient: str = "",
    summary: str = "",
) -> OutboxItem:
    """Add a side effect to the caller's transaction: it is delivered once that commits,
    and never if it rolls back."""
    item = OutboxItem(
        key=secrets.token_hex(16),
        kind=kind,
        payload=dict(payload or {}),
        booking_id=booking_id,
        recipient=recipient[:320],
        summary=summary[:500],
    )
    session.add(item)
    mark_queued(session)
    return item


def mark_queued(session: Session) -> None:
    """Wake this process's delivery loop when the session's transaction commits."""
    session.info["outbox_queued"] = True


@sa.event.listens_for(Session, "after_commit")
def _wake_delivery(session: Session) -> None:
    if session.info.pop("outbox_queued", False):
        queued.set()


@sa.event.listens_for(Session, "after_rollback")
def _forget_queued(session: Session) -> None:
    session.info.pop("outbox_queued", None)


def _claimable(now: datetime) -> Any:
    return sa.and_(
        OutboxItem.status == OutboxStatus.PENDING,
        OutboxItem.next_attempt_at <= now,
        sa.or_(OutboxItem.lease_until.is_(None), OutboxItem.lease_until <= now),
    )


def claim_due(
    session: Session, *, now: datetime | None = None, limit: int = BATCH, lease: timedelta = LEASE
) -> list[OutboxItem]:
    """Claim up to `limit` due rows for this worker and commit the claim."""
    now = now or utc_now()
    due = (
        select(OutboxItem.id)
        .where(_claimable(now))
        .order_by(OutboxItem.next_attempt_at, OutboxItem.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claim = secrets.token_hex(16)
    # One statement, so SQLite takes its write lock at once (a read first, then a write,
    # could fail on a busy database instead of waiting).
    session.execute(
        sa.update(OutboxItem)
        .where(OutboxItem.id.in_(due), _claimable(now))
        .values(claim=claim, lease_until=now + lease, attempts=OutboxItem.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return list(
        session.exec(
            select(OutboxItem).where(OutboxItem.claim == claim).order_by(OutboxItem.id)
        ).all()
    )


def _still_ours(item: OutboxItem) -> Any:
    return sa.and_(OutboxItem.id == item.id, OutboxItem.claim == item.claim)


def mark_sent(session: Session, item: OutboxItem) -> bool:
    """Record the delivery in the caller's transaction; False if the claim was lost (the
    lease ran out and another worker took the row): the caller must then roll back."""
    return bool(
        session.execute(
            sa.update(OutboxItem)
            .where(_still_ours(item))
            .values(
                status=OutboxStatus.SENT,
                finished_at=utc_now(),
                lease_until=None,
                claim=None,
                last_error=None,
            )
        ).rowcount
    )


def mark_failed_attempt(
    session: Session, item: OutboxItem, error: str, *, permanent: bool = False
) -> OutboxStatus:
    """Schedule the next attempt, or give up after the last one; commits."""
    now = utc_now()
    gives_up = permanent or item.attempts >= MAX_ATTEMPTS
    status = OutboxStatus.FAILED if gives_up else OutboxStatus.PENDING
    session.execute(
        sa.update(OutboxItem)
        .where(_still_ours(item))
        .values(
            status=status,
            next_attempt_at=now + backoff(item.attempts),
            finished_at=now if gives_up else None,
            lease_until=None,
            claim=None,
            last_error=error[:2000],
        )
    )
    session.commit()
    return status
