"""GET /api/v1/links/{id}/why: the same reasons as the host's page, as JSON."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from meetings_ui.api.app import build_api
from meetings_ui.config import get_settings
from meetings_ui.domain.enums import Role
from meetings_ui.services.links import do_create_link
from tests.api.test_co_hosts_api import BASE, member

SETTINGS = {
    "time_zone": "Europe/Paris",
    "durations": [30],
    "minimum_notice": 0,
    "weekly": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
}


@pytest.fixture
def client(app_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.delenv("SMTP_HOST", raising=False)
    get_settings.cache_clear()
    yield TestClient(build_api())
    get_settings.cache_clear()


def test_the_reasons_as_json_for_the_owner_and_an_admin_only(
    client: TestClient, session: Session
) -> None:
    owner, owner_key = member(session, "olga")
    _, stranger_key = member(session, "sam")
    _, admin_key = member(session, "ada", Role.ADMIN)
    link = do_create_link(session=session, owner=owner, name="Intro", settings=SETTINGS)
    day = (datetime.now(UTC) + timedelta(days=5)).date()
    url = f"{BASE}/links/{link.id}/why"

    free = client.get(url, params={"start": f"{day}T10:00", "duration": 30}, headers=owner_key)
    assert free.status_code == 200, free.text
    body = free.json()
    assert body["bookable"] is True and body["timezone"] == "Europe/Paris"
    assert body["link_reasons"] == []
    assert [(h["name"], h["is_you"], h["reasons"]) for h in body["hosts"]] == [("Olga", True, [])]
    late = client.get(url, params={"start": f"{day}T20:00", "duration": 30}, headers=admin_key)
    assert late.status_code == 200
    assert late.json()["bookable"] is False
    assert late.json()["link_reasons"] == [
        {"kind": "outside_hours", "message": "Outside the link's available hours"}
    ]
    assert late.json()["hosts"][0]["is_you"] is False

    refused = client.get(
        url, params={"start": f"{day}T10:00", "duration": 30}, headers=stranger_key
    )
    assert refused.status_code == 404
    odd = client.get(url, params={"start": f"{day}T10:00", "duration": 45}, headers=owner_key)
    assert odd.status_code == 422
    assert odd.json()["problems"] == [
        {"field": "duration", "message": "This link offers 30 minute meetings"}
    ]
    ancient = client.get(
        url, params={"start": "1700-01-01T10:00", "duration": 30}, headers=owner_key
    )
    assert ancient.status_code == 422
