"""Bad input is a 4xx with a message, never a 500 (each case here was a 500 before M7),
and every error, FastAPI's own included, has the API's one error body."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from meetings_ui.api.app import build_api
from meetings_ui.domain.link_settings import LinkSettings
from meetings_ui.models import User
from meetings_ui.services.api_keys import do_create_api_key
from meetings_ui.services.api_views import InvalidSlotQueryError, open_slots
from meetings_ui.services.bookings import BookingRequest, InvalidBookingError, validate_request
from meetings_ui.services.links import do_create_link

BASE = "/api/v1"


@pytest.fixture
def client(app_database: str) -> TestClient:
    return TestClient(build_api(), raise_server_exceptions=False)


@pytest.fixture
def slug(session: Session, owner: User) -> str:
    return do_create_link(session=session, owner=owner, name="Call").slug


@pytest.fixture
def auth(session: Session, owner: User) -> dict[str, str]:
    key = do_create_api_key(session=session, actor=owner, user_id=owner.id)
    return {"Authorization": f"Bearer {key}"}


def assert_error_body(response, status: int, error: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error
    assert body["message"]
    assert "detail" not in body
    return body


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"start": "9999-12-31"}, "bad_range"),
        ({"start": "0001-01-01", "timezone": "Asia/Tokyo"}, "bad_range"),
        ({"start": "2030-01-01", "end": "9999-12-31"}, "bad_range"),
        ({"start": "2030-01-01", "timezone": "Europe"}, "bad_timezone"),  # a tzdata folder
        ({"start": "2030-01-01", "timezone": "x" * 300}, "bad_timezone"),
        ({"start": "2030-01-01", "duration": "abc"}, "bad_duration"),
        ({"start": "2030-01-01", "duration": "9" * 40}, "bad_duration"),
        ({}, "bad_range"),
    ],
)
def test_slot_queries_out_of_range_are_400(
    client: TestClient, slug: str, params: dict, error: str
) -> None:
    response = client.get(f"{BASE}/public/links/{slug}/slots", params=params)
    assert_error_body(response, 400, error)


def booking(**changes: object) -> dict:
    return {
        "start": "2030-01-07T10:00:00+00:00",
        "timezone": "UTC",
        "name": "Ann",
        "email": "ann@example.org",
        **changes,
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (booking(start="9999-12-31T23:59+00:00"), "start"),
        (booking(start="0001-01-01T00:00+05:00"), "start"),
        (booking(timezone="Europe"), "timezone"),
        (booking(name=["x"]), "name"),
        (booking(name="x" * 100_000), "name"),
        (booking(answers=[1]), "answers"),
        (booking(answers={"topic": 5}), "answers.topic"),
        (booking(duration="30"), "duration"),
        (booking(idempotency_key="key\x00with-nul"), "idempotency_key"),
        ("a string", "body"),
        (42, "body"),
        (None, "body"),
    ],
)
def test_bad_bookings_are_422_naming_the_field(
    client: TestClient, slug: str, body: object, field: str
) -> None:
    response = client.post(f"{BASE}/public/links/{slug}/bookings", json=body)
    problems = assert_error_body(response, 422, "invalid")["problems"]
    assert field in [problem["field"] for problem in problems]


def test_the_booking_service_refuses_unsupported_dates_too() -> None:
    """Callers other than the API (the booking page) get the same 422-style problem."""
    request = BookingRequest(
        start=datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
        time_zone="UTC",
        name="Ann",
        email="ann@example.org",
        answers={},
    )
    with pytest.raises(InvalidBookingError) as refused:
        validate_request(LinkSettings(), request)
    assert [field for field, _ in refused.value.problems] == ["start"]


@pytest.mark.parametrize(
    ("first", "last", "time_zone", "field"),
    [
        (date(9999, 12, 31), None, "UTC", "range"),
        (date(1, 1, 1), None, "Asia/Tokyo", "range"),
        (date(2030, 1, 1), date(2029, 1, 1), "UTC", "range"),
        (date(2030, 1, 1), None, "Europe", "timezone"),
    ],
)
def test_the_slots_service_refuses_what_the_api_would(
    session: Session, slug: str, first: date, last: date | None, time_zone: str, field: str
) -> None:
    with pytest.raises(InvalidSlotQueryError) as refused:
        open_slots(
            session=session,
            slug=slug,
            first_day=first,
            last_day=last,
            time_zone=time_zone,
            duration=None,
        )
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "settings": {"time_zone": ["x"]}}, "settings.time_zone"),
        ({"name": "X", "settings": []}, "settings"),
        ({"name": "X", "slug": 5}, "slug"),
        ({"name": "X", "link_type": "group", "host_ids": [2**70]}, "host_ids.0"),
        ({"name": "X", "host_ids": [True]}, "host_ids.0"),
        ({"name": "X", "colour": "red"}, "colour"),
        ({"name": "X", "settings": {"overrides": {"9999-12-31": []}}}, "settings.overrides"),
    ],
)
def test_bad_links_are_422_naming_the_field(
    client: TestClient, auth: dict[str, str], body: dict, field: str
) -> None:
    response = client.post(f"{BASE}/links", headers=auth, json=body)
    problems = assert_error_body(response, 422, "invalid")["problems"]
    assert any(problem["field"].startswith(field) for problem in problems), problems


def test_ids_that_cannot_exist_are_404(client: TestClient, auth: dict[str, str]) -> None:
    for path in ("links/99999999999999999999", "links/abc", "links/0"):
        assert_error_body(client.get(f"{BASE}/{path}", headers=auth), 404, "not_found")
    response = client.post(f"{BASE}/bookings/99999999999999999999/cancel", headers=auth)
    assert_error_body(response, 404, "not_found")
    assert_error_body(client.get(f"{BASE}/public/links/No%00pe"), 404, "not_found")


def test_a_bad_status_filter_is_400(client: TestClient, auth: dict[str, str]) -> None:
    response = client.get(f"{BASE}/bookings", headers=auth, params={"status": "nope"})
    assert_error_body(response, 400, "bad_status")


def test_fastapis_own_errors_have_the_error_body(client: TestClient, slug: str) -> None:
    assert_error_body(client.get(f"{BASE}/no/such/route"), 404, "not_found")
    refused = client.put(f"{BASE}/public/links/{slug}")
    assert_error_body(refused, 405, "method_not_allowed")
    assert refused.headers["allow"] == "GET"
    unauthorized = client.get(f"{BASE}/links")
    assert_error_body(unauthorized, 401, "unauthorized")
    assert unauthorized.headers["www-authenticate"] == "Bearer"
    not_json = client.post(
        f"{BASE}/public/links/{slug}/bookings",
        content=b"{oops",
        headers={"Content-Type": "application/json"},
    )
    assert_error_body(not_json, 400, "bad_json")
