from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from meetings_ui.config import get_settings
from meetings_ui.crypto import decrypt_json
from meetings_ui.domain.enums import ConnectionStatus, Role
from meetings_ui.domain.time_zones import zone
from meetings_ui.models import AuditEvent, Calendar, CalendarConnection, MeetingLink, Seat, User
from meetings_ui.sandbox.store import DEMO_HOST_WEEK, DEMO_HOST_ZONE
from meetings_ui.services import scheduling
from meetings_ui.services.calendar_connections import read_busy_time
from meetings_ui.services.demo import DEMO_ACCOUNTS, demo_logins, do_seed_demo_workspace
from meetings_ui.services.passwords import verify_password
from tests.sandbox import Sandbox
from tests.services.test_calendar_connections import connect


@pytest.fixture
def app_sandbox(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    monkeypatch.setenv("MEETINGS_SANDBOX_URL", sandbox.url)
    monkeypatch.setenv("MEETINGS_SECRET_KEY", "test-secret-key-for-the-demo")
    get_settings.cache_clear()
    yield sandbox
    get_settings.cache_clear()


def user(session: Session, email: str) -> User:
    return session.exec(select(User).where(User.email == email)).one()


def link_of(session: Session, owner: User) -> MeetingLink:
    return session.exec(select(MeetingLink).where(MeetingLink.owner_id == owner.id)).one()


def test_seeding_twice_creates_each_demo_account_once(session: Session) -> None:
    do_seed_demo_workspace(session=session)
    do_seed_demo_workspace(session=session)
    users = session.exec(select(User)).all()
    assert sorted(u.email for u in users) == sorted(a.email for a in DEMO_ACCOUNTS)
    assert len(session.exec(select(Seat)).all()) == sum(len(a.seats) for a in DEMO_ACCOUNTS)
    assert len(session.exec(select(MeetingLink)).all()) == 2  # one per host
    assert len(session.exec(select(CalendarConnection)).all()) == 1
    assert len(session.exec(select(Calendar)).all()) == 1


def test_demo_accounts_log_in_with_their_printed_passwords(session: Session) -> None:
    do_seed_demo_workspace(session=session)
    for account in DEMO_ACCOUNTS:
        found = user(session, account.email)
        assert verify_password(found.password_hash, account.password)
        assert not verify_password(found.password_hash, account.password + "x")
    roles = {u.role for u in session.exec(select(User)).all()}
    assert roles == {Role.ADMIN, Role.USER}


def test_the_log_in_page_lists_every_demo_account_in_demo_mode_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    get_settings.cache_clear()
    assert demo_logins() == ()
    monkeypatch.setenv("MEETINGS_DEMO", "1")
    get_settings.cache_clear()
    try:
        assert [d.email for d in demo_logins()] == [a.email for a in DEMO_ACCOUNTS]
    finally:
        get_settings.cache_clear()


def test_the_demo_seeds_beside_a_user_who_has_its_meetings_url(session: Session) -> None:
    session.add(User(email="hugo@example.org", display_name="Hugo", meetings_url="hugo"))
    session.commit()
    do_seed_demo_workspace(session=session)
    demo_host = user(session, "host@example.com")
    assert demo_host.meetings_url is None
    assert link_of(session, demo_host).slug == "hugo-host"  # from the demo host's name


def test_the_demo_host_is_online_and_the_offline_host_is_not(session: Session) -> None:
    do_seed_demo_workspace(session=session)
    host, offline = user(session, "host@example.com"), user(session, "offline@example.com")
    assert scheduling.is_online(session, link_of(session, host))
    assert not scheduling.is_online(session, link_of(session, offline))
    connection = session.exec(select(CalendarConnection)).one()
    assert (connection.user_id, connection.provider, connection.account_email) == (
        host.id,
        "google",
        "host@example.com",
    )
    assert connection.status == ConnectionStatus.CONNECTED
    assert "refresh_token" in decrypt_json(connection.encrypted_token)
    assert (
        session.exec(select(AuditEvent).where(AuditEvent.action == "calendar.connected"))
        .one()
        .target
        == "google:host@example.com"
    )


def test_a_disconnected_demo_calendar_is_not_connected_twice(session: Session) -> None:
    do_seed_demo_workspace(session=session)
    connection = session.exec(select(CalendarConnection)).one()
    connection.status = ConnectionStatus.NEEDS_RECONNECT
    session.commit()
    do_seed_demo_workspace(session=session)
    assert session.exec(select(CalendarConnection)).one().status == (
        ConnectionStatus.NEEDS_RECONNECT
    )  # what exists is left alone


def test_the_demo_calendar_is_stored_as_connecting_it_would_store_it(
    session: Session, app_sandbox: Sandbox
) -> None:
    do_seed_demo_workspace(session=session)
    other = User(email="someone@example.org", display_name="Someone")
    session.add(other)
    session.commit()
    consented = connect(session, other, "google", "host@example.com")
    rows = {
        c.connection_id: (
            c.provider_calendar_id,
            c.name,
            c.access_role,
            c.is_primary,
            c.owner_email,
        )
        for c in session.exec(select(Calendar))
    }
    seeded = session.exec(
        select(CalendarConnection).where(CalendarConnection.id != consented.id)
    ).one()
    assert rows[seeded.id] == rows[consented.id]
    assert set(seeded.scopes.split()) == set(consented.scopes.split())


def test_the_demo_hosts_calendar_is_busy_this_week_and_next(
    session: Session, app_sandbox: Sandbox
) -> None:
    do_seed_demo_workspace(session=session)
    connection = session.exec(select(CalendarConnection)).one()
    today = datetime.now(UTC).date()
    monday = datetime.combine(today - timedelta(days=today.weekday()), datetime.min.time(), UTC)
    busy = read_busy_time(
        session=session,
        connection=connection,
        start=monday - timedelta(days=1),
        end=monday + timedelta(days=15),
    ).busy["host@example.com"]
    assert len(busy) == 2 * len(DEMO_HOST_WEEK)
    local = zone(DEMO_HOST_ZONE)
    for interval in busy:  # inside the demo link's hours (9 to 17, Monday to Friday)
        start, end = interval.start.astimezone(local), interval.end.astimezone(local)
        assert start.weekday() < 5
        assert start.hour >= 9 and (end.hour, end.minute) <= (17, 0)
    # The grant's refreshed token was saved, so the next read needs no refresh.
    assert decrypt_json(session.get(CalendarConnection, connection.id).encrypted_token)[
        "access_token"
    ]


def test_one_demo_event_is_private(sandbox: Sandbox) -> None:
    events = [e for e in sandbox.store.events.values() if e.calendar_id == "host@example.com"]
    assert [e.summary for e in events if e.visibility == "private"] == ["Doctor's appointment"] * 2
