"""The API answers for the booking, not for its side effects: booked while the mail server
is down, mailed once it is back; and no cancelling once the meeting has started."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from meetings_ui.api.app import build_api
from meetings_ui.config import get_settings
from meetings_ui.domain.enums import BookingStatus
from meetings_ui.models import Booking, BookingHost, User
from meetings_ui.services.api_keys import do_create_api_key
from meetings_ui.services.links import do_create_link
from tests.smtp_server import SMTPServer

BASE = "/api/v1"


@pytest.fixture
def client(app_database: str) -> TestClient:
    return TestClient(build_api())


@pytest.fixture
def link(session: Session, owner: User):
    return do_create_link(
        session=session,
        owner=owner,
        name="Discovery call",
        settings={"durations": [30], "minimum_notice": 0, "weekly": {"mon": [["09:00", "12:00"]]}},
    )


def test_a_booking_is_201_while_smtp_is_down_and_mailed_when_it_is_back(
    client: TestClient, link, smtp_server: SMTPServer, monkeypatch: pytest.MonkeyPatch, deliver
) -> None:
    smtp_server.stop()
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(smtp_server.port))
    monkeypatch.delenv("SMTP_USERNAME", raising=False)
    get_settings.cache_clear()
    today = datetime.now(UTC).date() + timedelta(days=2)
    monday = today + timedelta(days=(0 - today.weekday()) % 7)
    response = client.post(
        f"{BASE}/public/links/{link.slug}/bookings",
        json={
            "start": datetime.combine(monday, time(9), UTC).isoformat(),
            "timezone": "UTC",
            "name": "Ann",
            "email": "ann@example.org",
            "answers": {},
            "idempotency_key": "ann-monday-nine",
        },
    )
    assert response.status_code == 201, response.text
    assert deliver().retrying == 2  # the mail server is still down
    smtp_server.start()
    assert deliver(now=datetime.now(UTC) + timedelta(minutes=5)).sent == 2
    assert sorted(m["To"] for m in smtp_server.inbox.messages) == [
        "ann@example.org",
        "olga@example.com",
    ]


def test_the_host_cannot_cancel_a_meeting_that_has_started(
    client: TestClient, session: Session, owner: User, link
) -> None:
    now = datetime.now(UTC)
    booking = Booking(
        link_id=link.id,
        host_id=owner.id,
        start_at=now - timedelta(minutes=10),
        end_at=now + timedelta(minutes=20),
        status=BookingStatus.CONFIRMED,
        prospect_name="Ann",
        prospect_email="ann@example.org",
    )
    session.add(booking)
    session.flush()
    session.add(BookingHost(booking_id=booking.id, user_id=owner.id))
    session.commit()
    key = do_create_api_key(session=session, actor=owner, user_id=owner.id)
    response = client.post(
        f"{BASE}/bookings/{booking.id}/cancel", headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 409
    assert response.json()["error"] == "meeting_started"
    assert "already started" in response.json()["message"]
    session.refresh(booking)
    assert booking.status == BookingStatus.CONFIRMED
