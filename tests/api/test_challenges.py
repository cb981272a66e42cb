"""The booking API with a proof-of-work challenge turned on: without a solution, with a
wrong or replayed one it answers 400 challenge_failed and books nothing."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from meetings_ui.api.app import build_api
from meetings_ui.domain.time_zones import zone
from meetings_ui.models import Booking
from meetings_ui.services.challenges import Challenge
from tests.api.test_public_api import BASE, booking_body, link, next_monday  # noqa: F401
from tests.services.test_challenges import BITS, solve, wrong

HEADER = "X-Meetings-Challenge"


@pytest.fixture
def client(app_database: str) -> TestClient:
    return TestClient(build_api())


@pytest.fixture
def proof_of_work(app_database: str, monkeypatch: pytest.MonkeyPatch):
    from meetings_ui.config import get_settings

    monkeypatch.setenv("MEETINGS_CHALLENGE", "proof-of-work")
    monkeypatch.setenv("MEETINGS_POW_DIFFICULTY", str(BITS))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _challenge(client: TestClient, action: str = "booking") -> Challenge:
    answer = client.get(f"{BASE}/public/challenges/{action}")
    assert answer.status_code == 200
    return Challenge(**answer.json())


def _body(key: str) -> dict:
    start = datetime.combine(next_monday(), time(9), zone("Europe/Paris"))
    return booking_body(start, idempotency_key=key)


def test_without_a_challenge_configured_nothing_is_asked(client: TestClient, link) -> None:  # noqa: F811
    assert _challenge(client).kind == "none"
    url = f"{BASE}/public/links/{link.slug}/bookings"
    assert client.post(url, json=_body("plain-booking")).status_code == 201


def test_a_booking_needs_a_fresh_solution(
    client: TestClient,
    link,  # noqa: F811
    proof_of_work: None,
    session: Session,
) -> None:
    url = f"{BASE}/public/links/{link.slug}/bookings"
    issued = _challenge(client)
    assert issued.kind == "proof-of-work" and issued.difficulty == BITS
    for headers in ({}, {HEADER: wrong(issued)}, {HEADER: "nonsense"}):
        refused = client.post(url, json=_body("needs-work-1"), headers=headers)
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"] == "challenge_failed"
    assert session.exec(select(Booking)).all() == []
    # A reset challenge does not pay for a booking.
    other = solve(_challenge(client, "password-reset"))
    assert client.post(url, json=_body("needs-work-1"), headers={HEADER: other}).status_code == 400

    solution = solve(issued)
    assert (
        client.post(url, json=_body("needs-work-1"), headers={HEADER: solution}).status_code == 201
    )
    replayed = client.post(url, json=_body("replayed-1"), headers={HEADER: solution})
    assert replayed.status_code == 400 and "already used" in replayed.json()["message"]
    assert len(session.exec(select(Booking)).all()) == 1


def test_unknown_actions_are_refused(client: TestClient) -> None:
    assert client.get(f"{BASE}/public/challenges/launch-missiles").status_code == 404
