"""The REST API over HTTP (Starlette's test client against the real app routes and DB)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from meetings_ui.api import schemas
from meetings_ui.api.app import build_api
from meetings_ui.api.public import slots_json
from meetings_ui.domain.availability import LocalSlot
from meetings_ui.domain.time_zones import zone
from meetings_ui.models import User
from meetings_ui.services.api_keys import do_create_api_key
from meetings_ui.services.api_views import SlotsView
from meetings_ui.services.links import do_create_link

BASE = "/api/v1"


def next_monday() -> date:
    today = datetime.now(UTC).date() + timedelta(days=2)
    return today + timedelta(days=(0 - today.weekday()) % 7)


@pytest.fixture
def client(app_database: str) -> TestClient:
    return TestClient(build_api())


@pytest.fixture
def owner(session: Session) -> User:
    user = User(
        email="olga@example.com",
        display_name="Olga Owner",
        time_zone="Europe/Paris",
        meetings_url="olga",
    )
    session.add(user)
    session.commit()
    return user


@pytest.fixture
def link(session: Session, owner: User):
    return do_create_link(
        session=session,
        owner=owner,
        name="Discovery call",
        settings={
            "time_zone": "Europe/Paris",
            "durations": [30, 60],
            "minimum_notice": 0,
            "weekly": {"mon": [["09:00", "12:00"]]},
            "questions": [
                {
                    "id": "topic",
                    "label": "Topic",
                    "kind": "choice",
                    "choices": ["Sales", "Support"],
                    "required": True,
                }
            ],
        },
    )


def booking_body(start: datetime, /, **changes: object) -> dict:
    body = {
        "start": start.isoformat(),
        "timezone": "America/New_York",
        "name": "Ann",
        "email": "ann@example.org",
        "answers": {"topic": "Sales"},
    }
    body.update(changes)
    return body


def test_link_summary(client: TestClient, link) -> None:
    body = client.get(f"{BASE}/public/links/{link.slug}").json()
    assert body["name"] == "Discovery call"
    assert body["host"] == "Olga Owner"
    assert body["durations"] == [30, 60]
    assert body["mode"] == "offline"  # no calendar connected
    assert [q["id"] for q in body["questions"]] == ["name", "email", "topic"]
    assert client.get(f"{BASE}/public/links/nope-nope").status_code == 404


def test_slots_in_the_prospects_zone(client: TestClient, link) -> None:
    monday = next_monday()
    response = client.get(
        f"{BASE}/public/links/{link.slug}/slots",
        params={
            "start": monday.isoformat(),
            "end": monday.isoformat(),
            "timezone": "America/New_York",
            "duration": 60,
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["timezone"] == "America/New_York"
    starts = [datetime.fromisoformat(s["start"]) for s in body["slots"]]
    assert starts[0] == datetime.combine(monday, time(9), zone("Europe/Paris"))
    assert all(s.utcoffset() in (timedelta(hours=-4), timedelta(hours=-5)) for s in starts)
    assert len(starts) == 3  # 09:00, 10:00, 11:00 Paris


@pytest.mark.parametrize(
    "zone_name",
    ["UTC", "Europe/Paris", "America/St_Johns", "Asia/Kathmandu", "Pacific/Chatham"],
)
def test_the_slots_answer_is_what_the_response_model_writes(zone_name: str) -> None:
    """The handler writes the answer itself (no model per slot): the same bytes as
    schemas.Slots, whatever the zone's offset, a daylight-saving change inside the range
    or a slot off the whole second."""
    tz = zone(zone_name)
    first = datetime(2026, 3, 28, 22, 0, tzinfo=UTC)  # Europe's spring change within
    utc = [first + timedelta(minutes=45 * n) for n in range(200)]
    utc[5] += timedelta(microseconds=250_000)
    slots = [
        LocalSlot(s.astimezone(tz), (s + timedelta(minutes=30)).astimezone(tz), s, s, (1,))
        for s in utc
    ]
    view = SlotsView(timezone=zone_name, duration=30, slots=slots)
    assert slots_json(view) == schemas.Slots.model_validate(view).model_dump_json().encode()


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"start": "2026-01-01", "end": "2026-03-15", "timezone": "UTC"}, "bad_range"),
        ({"start": "2026-02-01", "end": "2026-01-01", "timezone": "UTC"}, "bad_range"),
        ({"start": "yesterday", "end": "2026-01-01", "timezone": "UTC"}, "bad_range"),
        ({"start": "2026-01-01", "end": "2026-01-02", "timezone": "Nowhere/Land"}, "bad_timezone"),
        (
            {"start": "2026-01-01", "end": "2026-01-02", "timezone": "UTC", "duration": 45},
            "bad_duration",
        ),
    ],
)
def test_bad_slot_queries_are_400(client: TestClient, link, params: dict, code: str) -> None:
    response = client.get(f"{BASE}/public/links/{link.slug}/slots", params=params)
    assert response.status_code == 400
    assert response.json()["error"] == code


def test_booking_then_conflict_then_idempotent_replay(client: TestClient, link) -> None:
    start = datetime.combine(next_monday(), time(10), zone("Europe/Paris"))
    url = f"{BASE}/public/links/{link.slug}/bookings"
    created = client.post(url, json=booking_body(start, idempotency_key="abc-12345"))
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "requested"
    assert datetime.fromisoformat(body["start"]) == start
    assert body["cancel_url"].startswith("http") and "token=" in body["reschedule_url"]
    replay = client.post(url, json=booking_body(start, idempotency_key="abc-12345"))
    assert replay.status_code == 200 and replay.json()["id"] == body["id"]
    taken = client.post(url, json=booking_body(start, email="bob@example.org"))
    assert taken.status_code == 409
    assert taken.json()["error"] == "slot_unavailable"
    assert start.isoformat() not in [s["start"] for s in taken.json()["slots"]]
    ics = client.get(body["ics_url"].split(":8000", 1)[1])
    assert ics.status_code == 200 and "BEGIN:VEVENT" in ics.text


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "nope"}, "email"),
        ({"start": "tomorrow"}, "start"),
        ({"start": "2026-06-01T10:00:00"}, "start"),  # no offset
        ({"answers": {"topic": "Gossip"}}, "answers.topic"),
        ({"timezone": "Mars/Base"}, "timezone"),
    ],
)
def test_invalid_bookings_are_422_with_fields(
    client: TestClient, link, changes: dict, field: str
) -> None:
    start = datetime.combine(next_monday(), time(10), zone("Europe/Paris"))
    response = client.post(
        f"{BASE}/public/links/{link.slug}/bookings", json=booking_body(start, **changes)
    )
    assert response.status_code == 422
    assert field in [p["field"] for p in response.json()["problems"]]


def test_non_json_bodies_are_refused(client: TestClient, link) -> None:
    url = f"{BASE}/public/links/{link.slug}/bookings"
    assert client.post(url, content=b"{oops").status_code == 400
    assert client.post(url, json=[1, 2]).status_code == 422


def test_api_key_manages_only_its_owners_links(
    client: TestClient, session: Session, owner: User, link
) -> None:
    other = User(email="eve@example.com", display_name="Eve", time_zone="UTC", meetings_url="eve")
    session.add(other)
    session.commit()
    olga_key = do_create_api_key(session=session, actor=owner, user_id=owner.id)
    eve_key = do_create_api_key(session=session, actor=other, user_id=other.id)
    olga = {"Authorization": f"Bearer {olga_key}"}
    eve = {"Authorization": f"Bearer {eve_key}"}

    assert client.get(f"{BASE}/links").status_code == 401
    assert (
        client.get(f"{BASE}/links", headers={"Authorization": "Bearer mtg_x_y"}).status_code == 401
    )
    assert [item["slug"] for item in client.get(f"{BASE}/links", headers=olga).json()["links"]] == [
        link.slug
    ]
    assert client.get(f"{BASE}/links", headers=eve).json()["links"] == []

    # Eve can neither read, change nor delete Olga's link (IDOR): it does not exist for her.
    assert client.get(f"{BASE}/links/{link.id}", headers=eve).status_code == 404
    assert (
        client.patch(f"{BASE}/links/{link.id}", headers=eve, json={"name": "Mine"}).status_code
        == 404
    )
    assert client.delete(f"{BASE}/links/{link.id}", headers=eve).status_code == 404

    created = client.post(
        f"{BASE}/links", headers=eve, json={"name": "Eve's demo", "settings": {"durations": [15]}}
    )
    assert created.status_code == 201 and created.json()["slug"] == "eve"
    clash = client.post(f"{BASE}/links", headers=eve, json={"name": "Again", "slug": link.slug})
    assert clash.status_code == 409 and clash.json()["error"] == "slug_taken"
    assert clash.json()["suggestions"]
    bad = client.post(
        f"{BASE}/links",
        headers=eve,
        json={"name": "X", "settings": {"durations": [0], "weekly": {"funday": []}}},
    )
    assert bad.status_code == 422
    fields = {p["field"] for p in bad.json()["problems"]}
    assert fields >= {"settings.durations", "settings.weekly.funday"}

    changed = client.patch(
        f"{BASE}/links/{link.id}", headers=olga, json={"name": "Discovery (30 min)"}
    )
    assert changed.status_code == 200 and changed.json()["name"] == "Discovery (30 min)"

    start = datetime.combine(next_monday(), time(9), zone("Europe/Paris"))
    booked = client.post(
        f"{BASE}/public/links/{link.slug}/bookings", json=booking_body(start)
    ).json()
    assert [b["id"] for b in client.get(f"{BASE}/bookings", headers=olga).json()["bookings"]] == [
        booked["id"]
    ]
    assert client.get(f"{BASE}/bookings", headers=eve).json()["bookings"] == []
    assert client.post(f"{BASE}/bookings/{booked['id']}/cancel", headers=eve).status_code == 404
    cancelled = client.post(f"{BASE}/bookings/{booked['id']}/cancel", headers=olga)
    assert cancelled.json()["status"] == "cancelled"
    assert client.delete(f"{BASE}/links/{link.id}", headers=olga).status_code == 204


def test_openapi_describes_the_api(client: TestClient) -> None:
    document = client.get(f"{BASE}/openapi.json").json()
    assert document["openapi"].startswith("3.")
    # Paths are relative to the document's server, the API's prefix.
    assert [server["url"] for server in document["servers"]] == [BASE]
    assert "/public/links/{slug}/slots" in document["paths"]
    assert "409" in document["paths"]["/public/links/{slug}/bookings"]["post"]["responses"]
    assert client.get(f"{BASE}/docs").status_code == 200
    # One error body for every 4xx: FastAPI's own {"detail": ...} is documented nowhere.
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if str(status).startswith("4"):
                    schemas = [c["schema"] for c in response["content"].values()]
                    assert schemas == [{"$ref": "#/components/schemas/ErrorBody"}], (path, method)
