"""The host's scheduled meetings through the REST API: the paged list, confirm, decline,
cancel and reschedule, with the same rights as the app (another user's id is a 404) and
4xx JSON errors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from meetings_ui.api.app import build_api
from meetings_ui.config import get_settings
from meetings_ui.domain.enums import BookingStatus
from meetings_ui.models import Booking, Calendar, OutboxItem
from meetings_ui.services.bookings import BookingRequest, do_book
from meetings_ui.services.links import do_answer_invitation, do_create_link
from tests.api.test_co_hosts_api import BASE, SETTINGS, member, next_monday
from tests.sandbox import Sandbox
from tests.services.test_bookings import connect_google


@pytest.fixture
def client(app_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.delenv("SMTP_HOST", raising=False)
    get_settings.cache_clear()
    yield TestClient(build_api())
    get_settings.cache_clear()


def requested(session: Session, link, hour: int, email: str) -> Booking:
    start = datetime.combine(next_monday(), time(hour), UTC)
    return do_book(
        session=session,
        link=link,
        request=BookingRequest(
            start=start, time_zone="UTC", name=email.split("@")[0], email=email, answers={}
        ),
    ).booking


def test_the_host_lists_pages_and_answers_requests(client: TestClient, session: Session) -> None:
    olga, auth = member(session, "olga")
    link = do_create_link(session=session, owner=olga, name="Intro", settings=SETTINGS)
    first = requested(session, link, 9, "ann@example.org")
    second = requested(session, link, 10, "ben@example.org")
    third = requested(session, link, 11, "cy@example.org")

    page = client.get(f"{BASE}/meetings", params={"limit": 2}, headers=auth).json()
    assert page["total"] == 3 and page["limit"] == 2 and page["timezone"] == "UTC"
    assert [m["id"] for m in page["meetings"]] == [first.id, second.id]
    assert page["meetings"][0]["status"] == "requested" and page["meetings"][0]["can_change"]
    rest = client.get(f"{BASE}/meetings", params={"limit": 2, "offset": 2}, headers=auth).json()
    assert [m["id"] for m in rest["meetings"]] == [third.id]
    found = client.get(f"{BASE}/meetings", params={"search": "BEN"}, headers=auth).json()
    assert [m["prospect_email"] for m in found["meetings"]] == ["ben@example.org"]

    confirmed = client.post(f"{BASE}/meetings/{first.id}/confirm", json={}, headers=auth)
    assert confirmed.status_code == 200
    assert confirmed.json() == {
        "meeting_id": first.id,
        "calendar_write_queued": False,
        "already": False,
    }
    again = client.post(f"{BASE}/meetings/{first.id}/confirm", headers=auth)  # no body
    assert again.json()["already"]
    declined = client.post(
        f"{BASE}/meetings/{second.id}/decline", json={"message": "Away."}, headers=auth
    )
    assert declined.status_code == 200 and declined.json()["status"] == "cancelled"
    closed = client.post(f"{BASE}/meetings/{second.id}/confirm", json={}, headers=auth)
    assert closed.status_code == 409 and closed.json()["error"] == "request_closed"
    cancelled = client.post(f"{BASE}/meetings/{first.id}/cancel", json={}, headers=auth)
    assert cancelled.json()["status"] == "cancelled"
    new_start = datetime.combine(next_monday(), time(9), UTC)
    moved = client.post(
        f"{BASE}/meetings/{third.id}/reschedule",
        json={"start": new_start.isoformat()},
        headers=auth,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["id"] != third.id and moved.json()["source"] == "Rescheduled"
    assert datetime.fromisoformat(moved.json()["start"]) == new_start

    def listed(which: str) -> list[int]:
        page = client.get(f"{BASE}/meetings", params={"filter": which}, headers=auth).json()
        return [m["id"] for m in page["meetings"]]

    assert listed("requests") == [moved.json()["id"]]  # offline mode: still a request
    assert listed("upcoming") == []  # the confirmed one was cancelled
    assert set(listed("cancelled")) == {first.id, second.id, third.id}


def test_another_user_gets_404_for_every_meeting_action(
    client: TestClient, session: Session
) -> None:
    olga, _ = member(session, "olga")
    _, eve = member(session, "eve")
    link = do_create_link(session=session, owner=olga, name="Intro", settings=SETTINGS)
    booking = requested(session, link, 9, "ann@example.org")
    assert client.get(f"{BASE}/meetings", headers=eve).json()["total"] == 0
    start = datetime.combine(next_monday(), time(10), UTC).isoformat()
    for action, body in (
        ("confirm", {}),
        ("decline", {"message": "no"}),
        ("cancel", {}),
        ("reschedule", {"start": start}),
    ):
        response = client.post(f"{BASE}/meetings/{booking.id}/{action}", json=body, headers=eve)
        assert response.status_code == 404, action
        assert response.json()["error"] == "not_found"
    session.refresh(booking)
    assert booking.status == BookingStatus.REQUESTED
    assert session.exec(select(Booking)).all() == [booking]
    kinds = {i.summary for i in session.exec(select(OutboxItem)).all()}
    assert not any(k.startswith(("Confirmed", "Declined", "Cancelled")) for k in kinds)


def test_bad_input_is_a_4xx_json_error(client: TestClient, session: Session) -> None:
    olga, auth = member(session, "olga")
    link = do_create_link(session=session, owner=olga, name="Intro", settings=SETTINGS)
    booking = requested(session, link, 9, "ann@example.org")
    cases = [
        client.get(f"{BASE}/meetings", params={"filter": "soon"}, headers=auth),
        client.get(f"{BASE}/meetings", params={"limit": 0}, headers=auth),
        client.get(f"{BASE}/meetings", params={"offset": -1}, headers=auth),
        client.post(f"{BASE}/meetings/{booking.id}/decline", json={"message": 5}, headers=auth),
        client.post(
            f"{BASE}/meetings/{booking.id}/decline", json={"message": "a\x00b"}, headers=auth
        ),
        client.post(f"{BASE}/meetings/{booking.id}/reschedule", json={}, headers=auth),
        client.post(
            f"{BASE}/meetings/{booking.id}/reschedule",
            json={"start": (datetime.now(UTC) + timedelta(days=400)).isoformat()},
            headers=auth,
        ),
        client.post(f"{BASE}/meetings/0/confirm", json={}, headers=auth),
        client.post(f"{BASE}/meetings/{booking.id}/confirm", content=b"{", headers=auth),
    ]
    for response in cases:
        assert 400 <= response.status_code < 500, response.text
        assert "error" in response.json() and "message" in response.json()
    only_control = client.get(f"{BASE}/meetings", params={"search": "\x00"}, headers=auth)
    assert only_control.status_code == 200 and only_control.json()["total"] == 1  # no search
    for search in ("a\x00b", "%_\\", "é" * 200):
        found = client.get(f"{BASE}/meetings", params={"search": search}, headers=auth)
        assert found.status_code == 200 and found.json()["total"] == 0, search
    too_long = client.get(f"{BASE}/meetings", params={"search": "x" * 201}, headers=auth)
    assert too_long.status_code == 400
    for response in cases:
        assert "error" in response.json() and "message" in response.json()
    session.refresh(booking)
    assert booking.status == BookingStatus.REQUESTED


def test_a_co_host_who_attends_sees_the_meeting_but_gets_403_changing_it(
    client: TestClient, session: Session
) -> None:
    olga, _ = member(session, "olga")
    ana, ana_auth = member(session, "ana")
    group = do_create_link(
        session=session,
        owner=olga,
        name="Panel",
        link_type="group",
        host_ids=[olga.id, ana.id],
        settings=SETTINGS,
    )
    do_answer_invitation(session=session, actor=ana, link_id=group.id, accept=True)
    booking = requested(session, group, 9, "ann@example.org")
    listed = client.get(f"{BASE}/meetings", headers=ana_auth).json()["meetings"]
    assert [(m["id"], m["can_change"]) for m in listed] == [(booking.id, False)]
    refused = client.post(f"{BASE}/meetings/{booking.id}/decline", headers=ana_auth)
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    session.refresh(booking)
    assert booking.status == BookingStatus.REQUESTED


def test_a_busy_request_is_409_time_busy_until_confirmed_anyway(
    client: TestClient, session: Session, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    olga, auth = member(session, "olga")
    link = do_create_link(session=session, owner=olga, name="Intro", settings=SETTINGS)
    booking = requested(session, link, 11, "ann@example.org")
    connect_google(session, olga, sandbox, monkeypatch)
    primary = session.exec(select(Calendar).where(Calendar.is_primary)).one()
    start = datetime.combine(next_monday(), time(11), UTC)
    sandbox.control(
        "POST",
        "/events",
        calendar_id=primary.provider_calendar_id,
        summary="Dentist",
        start=start.isoformat(),
        end=(start + timedelta(hours=1)).isoformat(),
    )
    busy = client.post(f"{BASE}/meetings/{booking.id}/confirm", headers=auth)
    assert busy.status_code == 409 and busy.json()["error"] == "time_busy"
    assert "busy" in busy.json()["message"]
    anyway = client.post(
        f"{BASE}/meetings/{booking.id}/confirm", json={"anyway": True}, headers=auth
    )
    assert anyway.status_code == 200 and anyway.json()["calendar_write_queued"]
