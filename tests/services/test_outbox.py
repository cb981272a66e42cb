"""The outbox: side effects commit with their change and are delivered exactly once, by
workers that may be killed at any moment, with retries, a visible failure, and calendar
writes the providers recognise when repeated."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from meetings_ui.cli import main
from meetings_ui.config import PROJECT_ROOT, get_settings
from meetings_ui.db import session_scope
from meetings_ui.domain.enums import BookingStatus, OutboxKind, OutboxStatus
from meetings_ui.models import AuditEvent, Booking, MeetingLink, OutboxItem, User, utc_now
from meetings_ui.providers.registry import connector_for
from meetings_ui.services import bookings, delivery, outbox
from meetings_ui.services.booking_pages import open_booking_page
from meetings_ui.services.calendar_connections import do_save_connected_account
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.services.links import do_create_link
from meetings_ui.services.mail import send_email
from tests.conftest import BACKENDS, downgrade, make_empty_database, migrate
from tests.sandbox import REDIRECT_URI, Sandbox, consent
from tests.services.test_bookings import PARIS, WEEKDAYS_9_TO_17, next_weekday, paris, request
from tests.smtp_server import SMTPServer

DEADLINE_SECONDS = 120  # generous: the machine may be busy; the loops end as soon as done


@pytest.fixture
def mail_server(smtp_server: SMTPServer, env) -> SMTPServer:
    """Mail goes over SMTP to the test's own server."""
    env(SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_server.port), SMTP_USERNAME=None)
    return smtp_server


def make_link(
    session: Session, owner: User, name: str = "Intro call", **settings: object
) -> MeetingLink:
    return do_create_link(
        session=session,
        owner=owner,
        name=name,
        settings={
            "time_zone": PARIS,
            "weekly": WEEKDAYS_9_TO_17,
            "durations": [30],
            "minimum_notice": 0,
            "questions": [{"id": "company", "label": "Company", "kind": "text", "required": True}],
            **settings,
        },
    )


@pytest.fixture
def link(session: Session, host: User) -> MeetingLink:
    return make_link(session, host)


def connect(
    session: Session, user: User, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, provider: str
) -> None:
    account = {"google": "demo.google@example.com", "microsoft": "demo.office@example.com"}
    monkeypatch.setenv("MEETINGS_SANDBOX_URL", sandbox.url)
    get_settings.cache_clear()
    connector = connector_for(provider)
    start = connector.begin(redirect_uri=REDIRECT_URI, state="s")
    connected = connector.complete(
        flow=start.flow, callback_params=consent(start.url, account[provider])
    )
    calendars = connector.open(connected.credentials, lambda _: None).list_calendars()
    do_save_connected_account(
        session=session, user_id=user.id, account=connected, calendars=calendars
    )


def later(**delta: float) -> datetime:
    return datetime.now(UTC) + timedelta(**delta)


# --- claims, leases, retries ------------------------------------------------------------


def test_a_claim_is_taken_again_only_once_its_lease_has_run_out(
    session: Session, app_database: str
) -> None:
    send_email(session=session, to="p@example.com", subject="Hi", text="hi")
    session.commit()
    now = utc_now()
    with session_scope() as first:
        (claimed,) = outbox.claim_due(first, now=now)
    with session_scope() as second:
        assert outbox.claim_due(second, now=now + outbox.LEASE - timedelta(seconds=1)) == []
        (again,) = outbox.claim_due(second, now=now + outbox.LEASE + timedelta(seconds=1))
    assert (again.id, again.attempts) == (claimed.id, 2)
    with session_scope() as late:  # the first worker wakes up: the row is not its own now
        assert not outbox.mark_sent(late, claimed)
        assert outbox.mark_sent(late, again)
        late.commit()


def test_workers_claiming_at_once_never_share_a_row(session: Session, app_database: str) -> None:
    for n in range(30):
        send_email(session=session, to=f"p{n}@example.com", subject="Hi", text="hi")
    session.commit()
    taken: list[int] = []
    barrier = threading.Barrier(5)

    def worker() -> None:
        barrier.wait()
        while True:
            with session_scope() as own:
                claimed = outbox.claim_due(own, limit=3)
            if not claimed:
                return
            taken.extend(item.id for item in claimed)

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken) == sorted(session.exec(select(OutboxItem.id)).all())


def test_the_backoff_grows_and_is_capped() -> None:
    waits = [outbox.backoff(n) for n in range(1, outbox.MAX_ATTEMPTS + 1)]
    assert waits[0] == outbox.FIRST_RETRY and waits[1] == 2 * outbox.FIRST_RETRY
    assert waits == sorted(waits) and max(waits) == outbox.LONGEST_WAIT


def test_a_failing_delivery_is_retried_then_given_up_and_shown(
    session: Session,
    host: User,
    link: MeetingLink,
    make_user,
    admin: User,
    smtp_server: SMTPServer,
    env,
    deliver,
) -> None:
    """SMTP down for good: each attempt waits longer, the last one marks the rows failed;
    the host sees theirs, admins see all and retry one, which then goes."""
    smtp_server.stop()
    env(SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_server.port), SMTP_USERNAME=None)
    booking = bookings.do_book(
        session=session, link=link, request=request(paris(next_weekday(1), 10))
    ).booking
    first = deliver()
    assert (first.sent, first.retrying) == (0, 2)
    assert deliver().claimed == 0  # each waits for its backoff
    last = deliver(now=later(days=2))  # every attempt is due by then
    assert last.failed == 2
    rows = session.exec(select(OutboxItem).where(OutboxItem.booking_id == booking.id)).all()
    assert {(r.status, r.attempts) for r in rows} == {(OutboxStatus.FAILED, outbox.MAX_ATTEMPTS)}
    assert all(r.last_error for r in rows)

    mine = delivery.my_failed_deliveries(actor=host)
    assert sorted(f.what for f in mine) == [
        "Email to hugo@example.com: New booking: Intro call",
        "Email to pat@example.org: Requested: Intro call with Hugo Host",
    ]
    assert all(f.meeting.startswith("Intro call, ") for f in mine)
    stranger = make_user("someone@example.com")
    assert delivery.my_failed_deliveries(actor=stranger) == []
    with pytest.raises(ForbiddenError):
        delivery.failed_deliveries(actor=stranger)
    with pytest.raises(ForbiddenError):
        delivery.do_retry_delivery(actor=stranger, item_id=mine[0].id)
    assert len(delivery.failed_deliveries(actor=admin)) == 2

    smtp_server.start()
    assert delivery.do_retry_delivery(actor=admin, item_id=mine[0].id)
    assert not delivery.do_retry_delivery(actor=admin, item_id=mine[0].id)  # pending now
    assert deliver().sent == 1
    assert len(smtp_server.inbox.messages) == 1
    assert len(delivery.failed_deliveries(actor=admin)) == 1
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "outbox.retry")).one()


def test_one_failing_row_never_blocks_the_others(
    session: Session, mail_server: SMTPServer, deliver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever a handler raises, it is that row's failure; the rows after it go."""
    for n in range(3):
        send_email(session=session, to=f"p{n}@example.com", subject=f"M{n}", text="hi")
    session.commit()
    real = delivery.HANDLERS[OutboxKind.EMAIL]

    def flaky(session: Session, item: OutboxItem) -> None:
        if item.summary == "M0":
            raise RuntimeError("boom")
        real(session, item)

    monkeypatch.setitem(delivery.HANDLERS, OutboxKind.EMAIL, flaky)
    report = deliver()
    assert (report.sent, report.retrying) == (2, 1)
    assert sorted(m["To"] for m in mail_server.inbox.messages) == [
        "p1@example.com",
        "p2@example.com",
    ]


# --- the request path never waits for SMTP ------------------------------------------------


def test_a_booking_made_while_smtp_is_down_is_mailed_when_it_is_back(
    session: Session, link: MeetingLink, smtp_server: SMTPServer, env, deliver
) -> None:
    smtp_server.stop()
    env(SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_server.port), SMTP_USERNAME=None)
    outcome = bookings.do_book(
        session=session, link=link, request=request(paris(next_weekday(1), 10))
    )
    assert outcome.created  # booked, whatever the mail server does
    assert deliver().retrying == 2
    smtp_server.start()
    assert deliver(now=later(minutes=5)).sent == 2
    assert deliver(now=later(days=2)).claimed == 0
    assert sorted(m["To"] for m in smtp_server.inbox.messages) == [
        "hugo@example.com",
        "pat@example.org",
    ]


# --- killing the worker between the commit and the delivery -----------------------------


def _start_worker(database_url: str, smtp_port: int, pause_file: Path | None) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "PYTHONUNBUFFERED": "1",
    }
    environment.pop("SMTP_USERNAME", None)
    environment.pop("MEETINGS_DELIVERY_PAUSE_AFTER_CLAIM", None)
    if pause_file is not None:
        environment["MEETINGS_DELIVERY_PAUSE_AFTER_CLAIM"] = str(pause_file)
    command = [sys.executable, "-m", "meetings_ui.cli", "deliver", "--poll-seconds", "0.2"]
    # A short lease, so the restarted worker may take the killed one's rows soon.
    command += ["--lease-seconds", "3"]
    return subprocess.Popen(command, cwd=PROJECT_ROOT, env=environment, stdout=subprocess.DEVNULL)


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen]]:
    started: list[subprocess.Popen] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def _wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.2)


def test_a_worker_killed_after_claiming_loses_nothing_and_sends_nothing_twice(
    session: Session,
    link: MeetingLink,
    database_url: str,
    app_database: str,
    smtp_server: SMTPServer,
    workers: list[subprocess.Popen],
    tmp_path: Path,
) -> None:
    day = next_weekday(2)
    for hour, email in ((10, "ann@example.org"), (11, "bea@example.org")):
        bookings.do_book(session=session, link=link, request=request(paris(day, hour), email=email))
    queued = session.exec(select(OutboxItem)).all()
    assert len(queued) == 4  # two emails per booking, committed with it

    marker = tmp_path / "claimed"
    workers.append(_start_worker(database_url, smtp_server.port, marker))
    _wait_for(marker.exists, "the worker to claim the rows")
    claimed = {int(i) for i in marker.read_text().split()}
    assert claimed == {item.id for item in queued}
    workers[0].send_signal(signal.SIGKILL)  # between the claim and the first delivery
    workers[0].wait(timeout=30)
    assert smtp_server.inbox.messages == []
    session.expire_all()
    assert all(r.status == OutboxStatus.PENDING for r in session.exec(select(OutboxItem)).all())

    workers.append(_start_worker(database_url, smtp_server.port, None))

    def all_sent() -> bool:
        session.expire_all()
        rows = session.exec(select(OutboxItem)).all()
        return all(r.status == OutboxStatus.SENT for r in rows)

    _wait_for(all_sent, "the restarted worker to deliver everything")
    workers[1].send_signal(signal.SIGTERM)
    workers[1].wait(timeout=30)
    assert delivery.deliver_all(now=later(days=2)).claimed == 0
    expected = sorted(
        f"<outbox-{item.key}@localhost>" for item in session.exec(select(OutboxItem)).all()
    )
    assert sorted(smtp_server.inbox.message_ids()) == expected  # each exactly once
    assert {r.attempts for r in session.exec(select(OutboxItem)).all()} == {2}


# --- reminders ----------------------------------------------------------------------------


def test_a_bad_booking_does_not_stop_the_other_hosts_reminders(
    session: Session, host: User, make_user, mail_server: SMTPServer, deliver
) -> None:
    """Rows stored before names were checked: a link name and an address with CR/LF, a
    time zone that no longer exists. Each fails on its own; the good reminder goes."""
    other = make_user("olga@example.com")
    third = make_user("tim@example.com")
    day = next_weekday(3)
    made = {}
    for owner, name in ((host, "Good"), (other, "Crlf"), (third, "Zone")):
        owned = make_link(session, owner, name)
        made[name] = bookings.do_book(
            session=session, link=owned, request=request(paris(day, 10))
        ).booking
    deliver()  # the confirmations
    session.execute(
        sa.update(MeetingLink)
        .where(MeetingLink.name == "Crlf")
        .values(name="Intro\r\nBcc: all@evil.example")
    )
    session.execute(
        sa.update(Booking)
        .where(Booking.id == made["Crlf"].id)
        .values(prospect_email="pat@example.org\r\nBcc: all@evil.example")
    )
    session.execute(
        sa.update(Booking)
        .where(Booking.id == made["Zone"].id)
        .values(prospect_time_zone="Mars/Base")
    )
    session.execute(sa.update(Booking).values(status=BookingStatus.CONFIRMED))
    session.commit()
    smtp_server_before = len(mail_server.inbox.messages)

    due = made["Good"].start_at - timedelta(hours=23)
    assert bookings.do_send_due_reminders(session=session, now=due) == 2  # Good and Crlf
    report = deliver()
    assert (report.sent, report.failed) == (1, 1)
    reminders = mail_server.inbox.messages[smtp_server_before:]
    assert [(m["To"], m["Subject"]) for m in reminders] == [
        ("pat@example.org", "Reminder: Good with Hugo Host")
    ]
    session.expire_all()
    sent = {b.id: b.reminders_sent for b in session.exec(select(Booking)).all()}
    assert sent[made["Good"].id] == [1440] and sent[made["Zone"].id] == []
    failed = session.exec(select(OutboxItem).where(OutboxItem.status == OutboxStatus.FAILED)).one()
    assert failed.booking_id == made["Crlf"].id


def test_a_reminder_due_while_smtp_is_down_is_sent_when_it_is_back(
    session: Session, link: MeetingLink, smtp_server: SMTPServer, env, deliver
) -> None:
    """Before the outbox a reminder was marked sent before it was mailed: an outage lost it."""
    booking = bookings.do_book(
        session=session, link=link, request=request(paris(next_weekday(1), 10))
    ).booking
    booking.status = BookingStatus.CONFIRMED
    session.commit()
    smtp_server.stop()
    env(SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_server.port), SMTP_USERNAME=None)
    due = booking.start_at - timedelta(hours=23)
    assert bookings.do_send_due_reminders(session=session, now=due) == 1
    assert deliver().sent == 0
    assert bookings.do_send_due_reminders(session=session, now=due) == 0  # queued once
    smtp_server.start()
    deliver(now=later(minutes=5))
    assert [m["Subject"] for m in smtp_server.inbox.messages].count(
        "Reminder: Intro call with Hugo Host"
    ) == 1


# --- calendar writes ----------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["google", "microsoft"])
def test_a_repeated_calendar_write_makes_one_event(
    session: Session,
    host: User,
    link: MeetingLink,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    mail_captured: None,
    deliver,
    provider: str,
) -> None:
    """A worker that wrote the event and died before recording it: the next attempt
    finds the same event (Google: our event id, 409 duplicate; Graph: transactionId)."""
    connect(session, host, sandbox, monkeypatch, provider)
    booking = bookings.do_book(
        session=session, link=link, request=request(paris(next_weekday(2), 11))
    ).booking
    assert deliver().sent == 3
    session.refresh(booking)
    first_event = booking.provider_event_id
    assert first_event in sandbox.store.events

    booking.provider_event_id = None  # the record of the write was lost
    session.add(booking)
    session.commit()
    item = session.exec(
        select(OutboxItem).where(OutboxItem.kind == OutboxKind.CALENDAR_CREATE)
    ).one()
    bookings.deliver_calendar_create(session, item)
    session.commit()
    assert booking.provider_event_id == first_event
    summaries = [e.summary for e in sandbox.store.events.values()]
    assert summaries.count("Intro call with Pat Prospect") == 1


def test_a_meeting_cancelled_before_its_event_is_written_never_reaches_the_calendar(
    session: Session,
    host: User,
    link: MeetingLink,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    mail_captured: None,
    deliver,
) -> None:
    connect(session, host, sandbox, monkeypatch, "google")
    before = set(sandbox.store.events)
    booking = bookings.do_book(
        session=session, link=link, request=request(paris(next_weekday(2), 11))
    ).booking
    bookings.do_cancel(session=session, booking=booking)
    assert deliver().sent == 6  # the write (nothing to do), its cancel, four emails
    assert set(sandbox.store.events) == before


# --- item 8: moving a meeting, and nothing once it has started ------------------------------


@pytest.mark.parametrize("online", [False, True])
def test_a_meeting_moves_to_a_time_overlapping_its_own(
    session: Session,
    host: User,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    mail_captured: None,
    deliver,
    online: bool,
) -> None:
    """30 minutes at 10:00 move to 10:15: neither the booking (and its buffer) nor, once
    written, its own event on the host's calendar is busy for the move; for anyone else
    it still is."""
    link = make_link(session, host, slot_interval=15, buffer_after=15)
    if online:
        connect(session, host, sandbox, monkeypatch, "google")
    day = next_weekday(2)
    booking = bookings.do_book(session=session, link=link, request=request(paris(day, 10))).booking
    deliver()
    session.refresh(booking)
    assert bool(booking.provider_event_id) == online
    quarter_past = paris(day, 10, 15).astimezone(UTC)
    now = paris(day, 8)
    page = open_booking_page(
        session=session,
        slug=link.slug,
        browser_zone=PARIS,
        reschedule_token=bookings.reschedule_token(booking),
        now=now,
    )
    assert page.rescheduling and quarter_past in page.slots.starts
    stranger = open_booking_page(session=session, slug=link.slug, browser_zone=PARIS, now=now)
    assert quarter_past not in stranger.slots.starts
    with pytest.raises(bookings.SlotUnavailableError):
        bookings.do_book(
            session=session,
            link=link,
            request=request(paris(day, 10, 15), email="other@example.org"),
            now=now,
        )

    moved = bookings.do_reschedule(
        session=session, booking=booking, new_start=paris(day, 10, 15), now=now
    )
    assert moved.start_at == quarter_past
    deliver()
    session.refresh(booking)
    session.refresh(moved)
    assert booking.status == BookingStatus.CANCELLED
    if online:
        assert sandbox.store.events[moved.provider_event_id].start == quarter_past


def test_no_cancel_or_move_once_the_meeting_has_started(
    session: Session, link: MeetingLink
) -> None:
    day = next_weekday(2)
    booking = bookings.do_book(session=session, link=link, request=request(paris(day, 10))).booking
    started = paris(day, 10)
    with pytest.raises(bookings.MeetingStartedError, match="already started"):
        bookings.do_cancel(session=session, booking=booking, now=started)
    with pytest.raises(bookings.MeetingStartedError, match="already started"):
        bookings.do_reschedule(
            session=session,
            booking=booking,
            new_start=paris(day + timedelta(days=1), 10),
            now=started,
        )
    session.refresh(booking)
    assert booking.status == BookingStatus.REQUESTED
    assert session.exec(select(Booking)).all() == [booking]


# --- the migration -------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_migration_queues_the_calendar_writes_that_had_failed(backend: str, tmp_path) -> None:
    """Bookings the old background pass would have retried become pending calendar writes;
    the ones written, ended, cancelled or fine are left alone."""
    url, drop = make_empty_database(backend, tmp_path)
    migrate(url, "3c0f1a2b4d5e")
    engine = sa.create_engine(url)
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                'INSERT INTO "user" (id, email, display_name, role, time_zone, is_active, '
                "created_at) VALUES (1, 'h@example.com', 'H', 'user', 'UTC', true, :now)"
            ),
            {"now": now},
        )
        connection.execute(
            sa.text(
                "INSERT INTO meeting_link (id, owner_id, name, slug, link_type, settings, "
                "created_at) VALUES (1, 1, 'L', 'l', 'one_on_one', '{}', :now)"
            ),
            {"now": now},
        )
        for booking_id, status, event, error, ends in (
            (1, "confirmed", None, "provider down", timedelta(days=1)),  # retried
            (2, "confirmed", "evt-1", None, timedelta(days=1)),
            (3, "confirmed", None, "provider down", -timedelta(days=1)),  # over
            (4, "cancelled", None, "provider down", timedelta(days=1)),
            (5, "requested", None, None, timedelta(days=1)),
        ):
            connection.execute(
                sa.text(
                    "INSERT INTO booking (id, link_id, host_id, start_at, end_at, status, "
                    "prospect_name, prospect_email, prospect_time_zone, answers, sequence, "
                    "reminders_sent, provider_event_id, calendar_error, created_at) VALUES "
                    "(:id, 1, 1, :end, :end, :status, 'P', 'p@example.com', 'UTC', '{}', 0, "
                    "'[]', :event, :error, :now)"
                ),
                {
                    "id": booking_id,
                    "end": now + ends,
                    "status": status,
                    "event": event,
                    "error": error,
                    "now": now,
                },
            )
    migrate(url)
    with Session(engine) as check:
        (row,) = check.exec(select(OutboxItem)).all()
        assert (row.booking_id, row.kind, row.status) == (
            1,
            OutboxKind.CALENDAR_CREATE,
            OutboxStatus.PENDING,
        )
        assert row.last_error == "provider down"
    downgrade(url, "3c0f1a2b4d5e")
    assert "outbox" not in sa.inspect(engine).get_table_names()
    engine.dispose()
    drop()


# --- waking the delivery, the operator's command ---------------------------------------------


def test_a_commit_that_queued_something_wakes_the_delivery_loop(session: Session) -> None:
    """The loop beside the web server waits on this event: a new booking's emails go at once,
    not at the next poll. A rolled-back change wakes nobody."""
    outbox.queued.clear()
    send_email(session=session, to="p@example.com", subject="Hi", text="hi")
    session.rollback()
    session.commit()
    assert not outbox.queued.is_set()
    send_email(session=session, to="p@example.com", subject="Hi", text="hi")
    assert not outbox.queued.is_set()
    session.commit()
    assert outbox.queued.is_set()


def test_the_deliver_command_delivers_what_is_due_once(
    session: Session, app_database: str, mail_server: SMTPServer, capsys
) -> None:
    send_email(session=session, to="p@example.com", subject="Hi", text="hi")
    session.commit()
    assert main(["deliver", "--once"]) == 0
    assert "Delivered 1, to retry 0, failed 0." in capsys.readouterr().out
    assert main(["deliver", "--once"]) == 0
    assert len(mail_server.inbox.messages) == 1
