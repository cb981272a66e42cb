"""Work that runs beside the web server in every backend worker: delivering the outbox
(emails, calendar writes), queueing due reminders, and the calendar sync (renewing watch
channels, polling calendars that get no notifications; services/calendar_sync.py), and checking
custom domains' DNS records (services/domains.py).
Delivery and sync claim their rows (FOR UPDATE SKIP LOCKED on PostgreSQL, a conditional
update with a lease on SQLite), so running them in several workers, and beside
`python -m meetings_ui.cli deliver`, is safe."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from meetings_ui.services import outbox
from meetings_ui.services.bookings import do_send_due_reminders
from meetings_ui.services.calendar_sync import run_sync_pass
from meetings_ui.services.delivery import deliver_all
from meetings_ui.services.domains import check_due

DELIVERY_POLL_SECONDS = 5  # at the latest; a commit that queues something wakes it at once
REMINDER_INTERVAL_SECONDS = 60
log = logging.getLogger(__name__)


def run_one_pass(*, reminders: bool = True, **delivery: Any) -> None:
    """Reminders first (they queue mail), then delivery (`delivery`: options of
    `deliver_all`); each in transactions of its own, so a failing one does not undo or
    stop the other. With the reminders (once a minute), the calendar sync: channels
    renewed before they expire, polled calendars asked for changes; and the custom domains
    due a DNS check."""
    if reminders:
        try:
            do_send_due_reminders()
        except Exception:  # delivery must go on
            log.exception("Queueing reminders failed")
        try:
            run_sync_pass()
        except Exception:  # delivery must go on
            log.exception("Calendar sync failed")
        try:
            check_due()
        except Exception:  # delivery must go on
            log.exception("Checking custom domains failed")
    deliver_all(**delivery)


async def background_loop() -> None:
    reminders_due = 0.0
    while True:
        outbox.queued.clear()
        now = time.monotonic()
        try:
            await asyncio.to_thread(run_one_pass, reminders=now >= reminders_due)
        except Exception:  # a bad pass must not stop the next ones
            log.exception("Background pass failed")
        if now >= reminders_due:
            reminders_due = now + REMINDER_INTERVAL_SECONDS
        await asyncio.to_thread(outbox.queued.wait, DELIVERY_POLL_SECONDS)
