"""Abuse of the public API: slot queries and bookings in a loop get a 429 with Retry-After,
and no answer carries more than api_views.MAX_SLOTS slots."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from limits import parse
from sqlmodel import Session
from starlette.testclient import TestClient

from meetings_ui.api.app import build_api
from meetings_ui.domain.time_zones import zone
from meetings_ui.models import User
from meetings_ui.services import api_views, rate_limits
from meetings_ui.services.links import do_create_link
from tests.api.test_public_api import BASE, booking_body, next_monday


@pytest.fixture
def link(session: Session, owner: User):
    """Mondays 9:00 to 12:00 UTC, half an hour each."""
    settings = {"durations": [30], "minimum_notice": 0, "weekly": {"mon": [["09:00", "12:00"]]}}
    return do_create_link(session=session, owner=owner, name="Call", settings=settings)


def _client(ip: str) -> TestClient:
    return TestClient(build_api(), client=(ip, 50000))


DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _assert_limited(response) -> None:
    assert response.status_code == 429
    assert response.json()["error"] == "rate_limited"
    assert 1 <= int(response.headers["Retry-After"]) <= 3600


def test_a_slots_loop_from_one_address_gets_429(app_database: str, link) -> None:
    attacker, prospect = _client("203.0.113.7"), _client("198.51.100.2")
    url = f"{BASE}/public/links/{link.slug}/slots"
    params = {"start": next_monday().isoformat()}
    for _ in range(rate_limits.SLOTS_PER_IP.amount):
        assert attacker.get(url, params=params).status_code == 200
    refused = attacker.get(url, params=params)
    _assert_limited(refused)
    assert int(refused.headers["Retry-After"]) <= 60
    assert prospect.get(url, params=params).status_code == 200  # others still get answers


def test_many_addresses_on_one_link_get_429(
    app_database: str, link, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rate_limits, "SLOTS_PER_LINK", parse("3/minute"))
    url = f"{BASE}/public/links/{link.slug}/slots"
    params = {"start": next_monday().isoformat()}
    for n in range(3):
        assert _client(f"203.0.113.{n}").get(url, params=params).status_code == 200
    _assert_limited(_client("203.0.113.99").get(url, params=params))


def test_a_booking_loop_from_one_address_gets_429(app_database: str, link) -> None:
    client = _client("203.0.113.7")
    start = datetime.combine(next_monday(), time(9), zone("UTC"))
    body = booking_body(start, answers={}, idempotency_key="replayed-in-a-loop")
    url = f"{BASE}/public/links/{link.slug}/bookings"
    statuses = [
        client.post(url, json=body).status_code for _ in range(rate_limits.BOOKINGS_PER_IP.amount)
    ]
    assert statuses == [201] + [200] * (rate_limits.BOOKINGS_PER_IP.amount - 1)
    _assert_limited(client.post(url, json=body))


@pytest.fixture
def busy_link(session: Session, owner: User):
    """Open around the clock, every five minutes: 287 slots a day."""
    return do_create_link(
        session=session,
        owner=owner,
        name="Every five minutes",
        settings={
            "time_zone": "UTC",
            "durations": [5],
            "slot_interval": 5,
            "minimum_notice": 0,
            "weekly": {day: [["00:00", "23:55"]] for day in DAYS},
        },
    )


def test_a_62_day_query_is_refused_with_a_range_that_fits(app_database: str, busy_link) -> None:
    client = _client("203.0.113.7")
    url = f"{BASE}/public/links/{busy_link.slug}/slots"
    first = next_monday()
    too_long = client.get(
        url, params={"start": first.isoformat(), "end": (first + timedelta(days=61)).isoformat()}
    )
    assert too_long.status_code == 400
    assert too_long.json()["error"] == "bad_range"
    fits_until = re.search(r"to (\S+) fits", too_long.json()["message"]).group(1)
    assert fits_until < (first + timedelta(days=61)).isoformat()
    shorter = client.get(url, params={"start": first.isoformat(), "end": fits_until})
    assert shorter.status_code == 200
    assert 0 < len(shorter.json()["slots"]) <= api_views.MAX_SLOTS


def test_a_rotated_forwarded_for_header_does_not_escape_the_limit(app_database: str, link) -> None:
    """No trusted proxy (the default): X-Forwarded-For is the attacker's own words."""
    attacker = _client("203.0.113.7")
    url = f"{BASE}/public/links/{link.slug}/slots"
    params = {"start": next_monday().isoformat()}
    for n in range(rate_limits.SLOTS_PER_IP.amount):
        spoofed = {"X-Forwarded-For": f"198.51.100.{n}"}
        assert attacker.get(url, params=params, headers=spoofed).status_code == 200
    _assert_limited(attacker.get(url, params=params, headers={"X-Forwarded-For": "192.0.2.1"}))


@pytest.fixture
def one_proxy(app_database: str, monkeypatch: pytest.MonkeyPatch):
    from meetings_ui.config import get_settings

    monkeypatch.setenv("MEETINGS_TRUSTED_PROXY_HOPS", "1")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_behind_one_proxy_each_client_has_its_own_limit(one_proxy, link) -> None:
    proxy = _client("10.0.0.1")  # every request arrives from the proxy
    url = f"{BASE}/public/links/{link.slug}/slots"
    params = {"start": next_monday().isoformat()}
    attacker = {"X-Forwarded-For": "203.0.113.7"}
    for _ in range(rate_limits.SLOTS_PER_IP.amount):
        assert proxy.get(url, params=params, headers=attacker).status_code == 200
    _assert_limited(proxy.get(url, params=params, headers=attacker))
    # The attacker's own left-most entries are not believed either.
    spoofed = {"X-Forwarded-For": "198.51.100.2, 203.0.113.7"}
    _assert_limited(proxy.get(url, params=params, headers=spoofed))
    # Another visitor behind the same proxy still gets answers.
    other = {"X-Forwarded-For": "198.51.100.2"}
    assert proxy.get(url, params=params, headers=other).status_code == 200
