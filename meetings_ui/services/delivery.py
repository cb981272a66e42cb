"""Delivering the outbox: claim due rows, perform each in a transaction of its own, record
the outcome. One failing row never stops the others; see services/outbox.py for the rules.

Callers: the background loop beside the web server (meetings_ui/background.py) and the
operator's `python -m meetings_ui.cli deliver`, any number of them at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from meetings_ui.db import session_scope
from meetings_ui.domain.enums import OutboxKind, OutboxStatus
from meetings_ui.domain.messages import N_, Text
from meetings_ui.models import Booking, MeetingLink, OutboxItem, User, utc_now
from meetings_ui.services import audit, bookings, contacts, mail, outbox
from meetings_ui.services.guard import Actor, require_admin
from meetings_ui.services.transactions import use_case

log = logging.getLogger(__name__)

Handler = Callable[[Session, OutboxItem], None]
HANDLERS: dict[str, Handler] = {
    OutboxKind.EMAIL: mail.deliver_email,
    OutboxKind.CALENDAR_CREATE: bookings.deliver_calendar_create,
    OutboxKind.CALENDAR_CANCEL: bookings.deliver_calendar_cancel,
    OutboxKind.VIDEO_LINK: bookings.deliver_video_link,
    OutboxKind.CONTACT_MEETING_CREATE: contacts.deliver_meeting_create,
    OutboxKind.CONTACT_MEETING_UPDATE: contacts.deliver_meeting_update,
    OutboxKind.CONTACT_MEETING_CANCEL: contacts.deliver_meeting_cancel,
}


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def claimed(self) -> int:
        return self.sent + self.retrying + self.failed


def deliver_due(
    *,
    now: datetime | None = None,
    limit: int = outbox.BATCH,
    lease: timedelta = outbox.LEASE,
    after_claim: Callable[[Sequence[OutboxItem]], None] | None = None,
) -> DeliveryReport:
    """One pass: claim up to `limit` due rows and deliver them. `after_claim` runs between
    the claim and the first delivery (the kill test stops the worker there)."""
    with session_scope() as session:
        claimed = outbox.claim_due(session, now=now, limit=limit, lease=lease)
    if claimed and after_claim is not None:
        after_claim(claimed)
    outcomes = [_deliver_one(item) for item in claimed]
    return DeliveryReport(
        sent=outcomes.count(OutboxStatus.SENT),
        retrying=outcomes.count(OutboxStatus.PENDING),
        failed=outcomes.count(OutboxStatus.FAILED),
    )


def deliver_all(
    *,
    now: datetime | None = None,
    lease: timedelta = outbox.LEASE,
    after_claim: Callable[[Sequence[OutboxItem]], None] | None = None,
) -> DeliveryReport:
    """Deliver until nothing is due: for tests and the CLI's `--once`. A row that fails
    is due again only after its backoff, so this ends."""
    total = DeliveryReport()
    while (report := deliver_due(now=now, lease=lease, after_claim=after_claim)).claimed:
        total = DeliveryReport(
            total.sent + report.sent,
            total.retrying + report.retrying,
            total.failed + report.failed,
        )
    return total


def _deliver_one(item: OutboxItem) -> OutboxStatus:
    handler = HANDLERS.get(item.kind)
    with session_scope() as session:
        try:
            if handler is None:
                raise outbox.PermanentDeliveryError(f"Nothing knows how to deliver {item.kind!r}.")
            handler(session, item)
            if outbox.mark_sent(session, item):
                session.commit()
                return OutboxStatus.SENT
            session.rollback()  # the lease ran out and another worker holds the row now
            return OutboxStatus.PENDING
        except outbox.PermanentDeliveryError as error:
            session.rollback()
            return outbox.mark_failed_attempt(session, item, str(error), permanent=True)
        except Exception as error:  # any failure is this row's, never the next one's
            session.rollback()
            if not isinstance(error, outbox.RetryLaterError):
                log.warning("Delivery of outbox row %s failed: %s", item.id, error)
            return outbox.mark_failed_attempt(session, item, _describe(error))


def _describe(error: Exception) -> str:
    return str(error) or type(error).__name__


# --- failed deliveries, for the host and for admins ----------------------------------------


@dataclass(frozen=True)
class FailedDelivery:
    """A side effect the outbox gave up on, in people's words."""

    id: int
    what: str  # a Text, e.g. "Email to pat@example.org: Confirmed: Intro call with Hugo"
    meeting: str  # the link's name and the meeting's start (UTC), or ""
    host: str
    error: str
    attempts: int
    failed_at: datetime | None


_KIND_LABELS = {
    OutboxKind.EMAIL: N_("Email"),
    OutboxKind.CALENDAR_CREATE: N_("Calendar event"),
    OutboxKind.CALENDAR_CANCEL: N_("Calendar cancellation"),
    OutboxKind.VIDEO_LINK: N_("Video link"),
    OutboxKind.CONTACT_MEETING_CREATE: N_("Calendar event"),
    OutboxKind.CONTACT_MEETING_UPDATE: N_("Calendar change"),
    OutboxKind.CONTACT_MEETING_CANCEL: N_("Calendar cancellation"),
}


def _failed(session: Session, *, host_id: int | None) -> list[FailedDelivery]:
    query = (
        select(OutboxItem, Booking, MeetingLink, User)
        .join(Booking, Booking.id == OutboxItem.booking_id, isouter=True)
        .join(MeetingLink, MeetingLink.id == Booking.link_id, isouter=True)
        .join(User, User.id == Booking.host_id, isouter=True)
        .where(OutboxItem.status == OutboxStatus.FAILED)
        .order_by(OutboxItem.finished_at.desc(), OutboxItem.id.desc())
        .limit(200)
    )
    if host_id is not None:
        query = query.where(Booking.host_id == host_id)
    result = []
    for item, booking, link, host in session.exec(query).all():
        kind = Text(_KIND_LABELS.get(item.kind, item.kind))
        what = (
            Text(
                "{kind} to {recipient}: {summary}",
                kind=kind,
                recipient=item.recipient,
                summary=item.summary,
            )
            if item.recipient
            else Text("{kind}: {summary}", kind=kind, summary=item.summary)
        )
        result.append(
            FailedDelivery(
                id=item.id,
                what=what,
                meeting=(
                    f"{link.name}, {booking.start_at:%Y-%m-%d %H:%M} UTC"
                    if booking is not None and link is not None
                    else ""
                ),
                host=host.email if host is not None else "",
                error=item.last_error or "",
                attempts=item.attempts,
                failed_at=item.finished_at,
            )
        )
    return result


@use_case
def failed_deliveries(*, session: Session, actor: Actor) -> list[FailedDelivery]:
    """Every delivery the outbox gave up on, for admins."""
    require_admin(actor)
    return _failed(session, host_id=None)


@use_case
def my_failed_deliveries(*, session: Session, actor: Actor) -> list[FailedDelivery]:
    """The deliveries given up on for the actor's own meetings, for their dashboard."""
    return _failed(session, host_id=actor.id)


@use_case
def do_retry_delivery(*, session: Session, actor: Actor, item_id: int) -> bool:
    """Admins: try a failed delivery again, from a fresh count of attempts. False when the
    row is not (or no longer) a failed one."""
    require_admin(actor)
    item = session.get(OutboxItem, item_id)
    if item is None or item.status != OutboxStatus.FAILED:
        return False
    item.status = OutboxStatus.PENDING
    item.attempts = 0
    item.next_attempt_at = utc_now()
    item.finished_at = None
    session.add(item)
    outbox.mark_queued(session)
    session.commit()
    audit.record(
        session=session,
        actor_id=actor.id,
        action="outbox.retry",
        target=item.recipient or f"booking {item.booking_id}",
        details={"outbox_id": item.id, "kind": item.kind},
    )
    return True
