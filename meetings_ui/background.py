"""Work that runs beside the web server in every backend worker: reminder emails and
calendar writes that failed. Each pass claims its rows (FOR UPDATE SKIP LOCKED on
PostgreSQL), so running it in several workers is safe."""

from __future__ import annotations

import asyncio
import logging

from meetings_ui.services.bookings import do_retry_calendar_writes, do_send_due_reminders

PASS_INTERVAL_SECONDS = 60
log = logging.getLogger(__name__)


def run_one_pass() -> None:
    """Two use cases, each in its own transaction: a failing one does not undo the other."""
    do_send_due_reminders()
    do_retry_calendar_writes()


async def background_loop() -> None:
    while True:
        try:
            await asyncio.to_thread(run_one_pass)
        except Exception:  # a bad pass must not stop the next ones
            log.exception("Background pass failed")
        await asyncio.sleep(PASS_INTERVAL_SECONDS)
