"""Connections on the database with the sandbox behind them: encrypted tokens, no
duplicates, refreshed tokens saved, and a dead grant shown as "needs reconnect"."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from meetings_ui.config import get_settings
from meetings_ui.crypto import decrypt_json
from meetings_ui.domain.enums import ConnectionStatus
from meetings_ui.models import AuditEvent, Calendar, CalendarConnection, User
from meetings_ui.providers.base import NeedsReconnectError
from meetings_ui.providers.registry import connector_for
from meetings_ui.services.calendar_connections import (
    do_check_connection_health,
    do_disconnect,
    do_save_connected_account,
    read_busy_time,
)
from meetings_ui.services.guard import OPERATOR
from tests.sandbox import REDIRECT_URI, Sandbox, consent


@pytest.fixture
def app_sandbox(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    monkeypatch.setenv("MEETINGS_SANDBOX_URL", sandbox.url)
    monkeypatch.setenv("MEETINGS_SECRET_KEY", "test-secret-key-for-connections")
    get_settings.cache_clear()
    yield sandbox
    get_settings.cache_clear()


def connect(session: Session, user: User, provider: str, email: str) -> CalendarConnection:
    connector = connector_for(provider)
    start = connector.begin(redirect_uri=REDIRECT_URI, state="state")
    connected = connector.complete(flow=start.flow, callback_params=consent(start.url, email))
    account = connector.open(connected.credentials, lambda _: None)
    return do_save_connected_account(
        session=session, user_id=user.id, account=connected, calendars=account.list_calendars()
    )


@pytest.fixture
def host(session: Session) -> User:
    user = User(email="host@example.com", display_name="Host")
    session.add(user)
    session.commit()
    return user


@pytest.mark.parametrize(
    ("provider", "email"),
    [("google", "demo.google@example.com"), ("microsoft", "demo.office@example.com")],
)
def test_connecting_twice_keeps_one_connection_with_encrypted_tokens(
    session: Session, host: User, app_sandbox: Sandbox, provider: str, email: str
) -> None:
    first = connect(session, host, provider, email)
    second = connect(session, host, provider, email)
    assert first.id == second.id
    assert len(session.exec(select(CalendarConnection)).all()) == 1
    stored = session.get(CalendarConnection, first.id)
    credentials = decrypt_json(stored.encrypted_token)
    secret = credentials.get("refresh_token") or credentials["token_cache"]
    assert secret and secret not in stored.encrypted_token  # never in clear at rest
    calendars = session.exec(select(Calendar).where(Calendar.connection_id == first.id)).all()
    assert len(calendars) == 3 if provider == "microsoft" else 4
    assert [c.selected for c in calendars if c.is_primary] == [True]
    assert not any(c.selected for c in calendars if not c.is_primary)


def test_busy_time_of_selected_calendars_only(
    session: Session, host: User, app_sandbox: Sandbox
) -> None:
    connection = connect(session, host, "google", "demo.google@example.com")
    today = datetime.now(UTC).date()
    monday = datetime.combine(today - timedelta(days=today.weekday()), datetime.min.time(), UTC)
    busy = read_busy_time(
        session=session, connection=connection, start=monday, end=monday + timedelta(days=14)
    )
    assert set(busy.busy) == {"demo.google@example.com"}
    team = session.exec(select(Calendar).where(Calendar.name == "Team")).one()
    team.selected = True
    session.commit()
    busy = read_busy_time(
        session=session, connection=connection, start=monday, end=monday + timedelta(days=14)
    )
    assert set(busy.busy) == {"demo.google@example.com", team.provider_calendar_id}


def test_refreshed_tokens_are_saved_encrypted(
    session: Session, host: User, app_sandbox: Sandbox
) -> None:
    connection = connect(session, host, "google", "demo.google@example.com")
    before = decrypt_json(connection.encrypted_token)["access_token"]
    app_sandbox.control("POST", "/tokens/expire")
    do_check_connection_health(session=session, actor=OPERATOR, connection_id=connection.id)
    session.expire_all()
    after = session.get(CalendarConnection, connection.id)
    assert decrypt_json(after.encrypted_token)["access_token"] != before
    assert after.status == ConnectionStatus.CONNECTED


def test_a_provider_that_is_down_shows_as_the_connections_problem(
    session: Session, host: User, app_sandbox: Sandbox
) -> None:
    connection = connect(session, host, "google", "demo.google@example.com")
    app_sandbox.fault(provider="google", path="*/calendarList", kind="status", status=503, count=10)
    checked = do_check_connection_health(
        session=session, actor=OPERATOR, connection_id=connection.id
    )
    assert checked.status == ConnectionStatus.CONNECTED and checked.last_error


@pytest.mark.parametrize(
    ("provider", "email"),
    [("google", "demo.google@example.com"), ("microsoft", "demo.office@example.com")],
)
def test_a_revoked_grant_marks_the_connection_needs_reconnect(
    session: Session, host: User, app_sandbox: Sandbox, provider: str, email: str
) -> None:
    connection = connect(session, host, provider, email)
    app_sandbox.control("POST", f"/accounts/{provider}/{email}/revoke")
    app_sandbox.control("POST", "/tokens/expire")
    with pytest.raises(NeedsReconnectError):
        read_busy_time(
            session=session,
            connection=connection,
            start=datetime.now(UTC),
            end=datetime.now(UTC) + timedelta(days=1),
        )
    session.expire_all()
    stored = session.get(CalendarConnection, connection.id)
    assert stored.status == ConnectionStatus.NEEDS_RECONNECT
    assert "reconnect" in stored.last_error
    # Re-checking does not hide it either.
    assert (
        do_check_connection_health(
            session=session, actor=OPERATOR, connection_id=connection.id
        ).status
        == ConnectionStatus.NEEDS_RECONNECT
    )
    # Connecting again revives it.
    assert connect(session, host, provider, email).status == ConnectionStatus.CONNECTED


def test_a_token_encrypted_with_another_key_needs_reconnect(
    session: Session, host: User, app_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    connection = connect(session, host, "google", "demo.google@example.com")
    monkeypatch.setenv("MEETINGS_SECRET_KEY", "a-different-key")
    get_settings.cache_clear()
    with pytest.raises(NeedsReconnectError, match="secret key"):
        read_busy_time(
            session=session,
            connection=connection,
            start=datetime.now(UTC),
            end=datetime.now(UTC) + timedelta(days=1),
        )
    assert session.get(CalendarConnection, connection.id).status == ConnectionStatus.NEEDS_RECONNECT


def _old_tokens(connection: CalendarConnection) -> dict:
    return decrypt_json(connection.encrypted_token)


def test_disconnect_revokes_the_google_grant(
    session: Session, host: User, app_sandbox: Sandbox
) -> None:
    """After Disconnect, tokens a thief copied from the database are refused by Google."""
    connection = connect(session, host, "google", "demo.google@example.com")
    stolen = _old_tokens(connection)
    assert do_disconnect(session=session, actor=host, connection_id=connection.id) == ""
    assert session.exec(select(CalendarConnection)).all() == []
    connector = connector_for("google")
    with pytest.raises(NeedsReconnectError):
        connector.open(stolen, lambda _: None).list_calendars()
    with pytest.raises(NeedsReconnectError):
        connector.open(stolen, lambda _: None).refresh_token()
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "calendar.disconnected"))
    assert event.one().details["revoked_at_provider"] is True


def test_a_revocation_that_fails_still_disconnects_and_says_what_to_do(
    session: Session, host: User, app_sandbox: Sandbox
) -> None:
    connection = connect(session, host, "google", "demo.google@example.com")
    app_sandbox.fault(provider="google", path="/google/revoke", kind="status", status=503)
    notice = do_disconnect(session=session, actor=host, connection_id=connection.id)
    assert "could not be told" in notice and "myaccount.google.com/connections" in notice
    assert session.exec(select(CalendarConnection)).all() == []


def test_microsoft_offers_no_revocation_so_the_host_is_told(
    session: Session, host: User, app_sandbox: Sandbox
) -> None:
    connection = connect(session, host, "microsoft", "demo.office@example.com")
    notice = do_disconnect(session=session, actor=host, connection_id=connection.id)
    assert "Microsoft does not let apps give up" in notice and "myapps.microsoft.com" in notice
    assert session.exec(select(CalendarConnection)).all() == []
