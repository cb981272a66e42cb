"""The contacts API (S4, S5): the caller's own contacts, 404 for everyone else's, 4xx JSON
for bad input, and meetings created from a record."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from meetings_ui.api.app import build_api
from meetings_ui.config import get_settings
from meetings_ui.domain.enums import Role
from meetings_ui.models import Contact, ContactMeeting, User
from meetings_ui.services.api_keys import do_create_api_key

BASE = "/api/v1"


@pytest.fixture
def client(app_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.delenv("SMTP_HOST", raising=False)
    get_settings.cache_clear()
    yield TestClient(build_api())
    get_settings.cache_clear()


def member(session: Session, name: str, role: Role = Role.USER) -> tuple[User, dict[str, str]]:
    user = User(email=f"{name}@example.com", display_name=name.title(), role=role)
    session.add(user)
    session.commit()
    key = do_create_api_key(session=session, actor=user, user_id=user.id)
    return user, {"Authorization": f"Bearer {key}"}


def test_create_list_edit_and_delete_a_contact(client: TestClient, session: Session) -> None:
    _, alice = member(session, "alice")
    created = client.post(
        f"{BASE}/contacts", json={"email": "Ann@Example.org", "name": "Ann"}, headers=alice
    )
    assert created.status_code == 201, created.text
    ann = created.json()
    assert (ann["email"], ann["can_change"], ann["calendar_connected"]) == (
        "ann@example.org",
        True,
        False,
    )
    again = client.post(f"{BASE}/contacts", json={"email": "ANN@example.org"}, headers=alice)
    assert again.status_code == 409
    assert again.json()["error"] == "duplicate" and again.json()["contact_id"] == ann["id"]
    bad = client.post(f"{BASE}/contacts", json={"email": "nope"}, headers=alice)
    assert bad.status_code == 422 and bad.json()["problems"][0]["field"] == "email"

    for number in range(3):
        client.post(f"{BASE}/contacts", json={"email": f"p{number}@example.org"}, headers=alice)
    page = client.get(f"{BASE}/contacts", params={"page_size": 2, "page": 2}, headers=alice)
    assert page.status_code == 200
    assert (page.json()["total"], len(page.json()["contacts"])) == (4, 2)
    found = client.get(f"{BASE}/contacts", params={"search": "ann"}, headers=alice).json()
    assert [c["email"] for c in found["contacts"]] == ["ann@example.org"]
    assert client.get(f"{BASE}/contacts", params={"sort": "age"}, headers=alice).status_code == 400

    changed = client.patch(
        f"{BASE}/contacts/{ann['id']}", json={"company": "Acme", "phone": "+1 555"}, headers=alice
    )
    assert changed.status_code == 200 and changed.json()["company"] == "Acme"
    collision = client.patch(
        f"{BASE}/contacts/{ann['id']}", json={"email": "p0@example.org"}, headers=alice
    )
    assert collision.status_code == 409
    assert (
        client.patch(
            f"{BASE}/contacts/{ann['id']}", json={"owner_id": 9}, headers=alice
        ).status_code
        == 422
    )
    assert client.delete(f"{BASE}/contacts/{ann['id']}", headers=alice).status_code == 204
    assert client.get(f"{BASE}/contacts/{ann['id']}", headers=alice).status_code == 404


def test_another_user_gets_404_for_every_action(client: TestClient, session: Session) -> None:
    alice_user, alice = member(session, "alice")
    _, bob = member(session, "bob")
    _, admin = member(session, "root", Role.ADMIN)
    ann = client.post(f"{BASE}/contacts", json={"email": "ann@example.org"}, headers=alice).json()
    bobs = client.post(f"{BASE}/contacts", json={"email": "b@example.org"}, headers=bob).json()
    url = f"{BASE}/contacts/{ann['id']}"
    start = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    attempts = [
        ("GET", url, None),
        ("PATCH", url, {"name": "Hacked"}),
        ("DELETE", url, None),
        ("POST", f"{url}/merge", {"other_id": bobs["id"]}),
        ("POST", f"{BASE}/contacts/{bobs['id']}/merge", {"other_id": ann["id"]}),
        ("GET", f"{url}/meetings", None),
        ("POST", f"{url}/meetings", {"title": "x", "start": start, "duration": 30}),
    ]
    for method, path, body in attempts:
        response = client.request(method, path, json=body, headers=bob)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["error"] == "not_found"
    # An admin reads it, and changes nothing.
    assert client.get(url, headers=admin).json()["can_change"] is False
    assert client.patch(url, json={"name": "Admin"}, headers=admin).status_code == 404
    assert client.get(f"{BASE}/contacts", headers=admin).json()["total"] == 2
    session.expire_all()
    contact = session.get(Contact, ann["id"])
    assert contact.name == "" and contact.owner_id == alice_user.id
    assert session.exec(select(ContactMeeting)).all() == []


def test_merge_and_meetings_of_a_record(client: TestClient, session: Session) -> None:
    _, alice = member(session, "alice")
    ann = client.post(f"{BASE}/contacts", json={"email": "ann@example.org"}, headers=alice).json()
    twin = client.post(
        f"{BASE}/contacts", json={"email": "ann.w@example.org", "company": "Acme"}, headers=alice
    ).json()
    meetings = f"{BASE}/contacts/{twin['id']}/meetings"
    start = datetime.now(UTC) + timedelta(days=2)
    created = client.post(
        meetings,
        json={"title": "Call", "start": start.isoformat(), "duration": 30},
        headers=alice,
    )
    assert created.status_code == 201, created.text
    assert created.json()["source"] == "contact_record"
    assert created.json()["in_calendar"] is False
    too_long = client.post(
        meetings,
        json={"title": "Call", "start": start.isoformat(), "duration": 721},
        headers=alice,
    )
    assert too_long.status_code == 422
    naive = client.post(
        meetings,
        json={"title": "Call", "start": "2030-01-01T10:00:00", "duration": 30},
        headers=alice,
    )
    assert naive.status_code == 422

    merged = client.post(
        f"{BASE}/contacts/{ann['id']}/merge", json={"other_id": twin["id"]}, headers=alice
    )
    assert merged.status_code == 200 and merged.json()["company"] == "Acme"
    assert client.get(f"{BASE}/contacts/{twin['id']}", headers=alice).status_code == 404
    listed = client.get(f"{BASE}/contacts/{ann['id']}/meetings", headers=alice).json()
    assert [m["title"] for m in listed["meetings"]] == ["Call"]
    past = client.get(
        f"{BASE}/contacts/{ann['id']}/meetings", params={"when": "past"}, headers=alice
    )
    assert past.json()["total"] == 0
    itself = client.post(
        f"{BASE}/contacts/{ann['id']}/merge", json={"other_id": ann["id"]}, headers=alice
    )
    assert itself.status_code == 422

    meeting_id = listed["meetings"][0]["id"]
    moved = client.put(
        f"{BASE}/contacts/{ann['id']}/meetings/{meeting_id}",
        json={"title": "Longer call", "start": start.isoformat(), "duration": 60},
        headers=alice,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["title"] == "Longer call"
    assert moved.json()["end_at"] != listed["meetings"][0]["end_at"]
    cancel = f"{BASE}/contacts/{ann['id']}/meetings/{meeting_id}/cancel"
    assert client.post(cancel, headers=alice).json()["status"] == "cancelled"
    _, bob = member(session, "bob")
    assert client.post(cancel, headers=bob).status_code == 404
    assert (
        client.put(
            f"{BASE}/contacts/{ann['id']}/meetings/{meeting_id}",
            json={"title": "Bob's", "start": start.isoformat(), "duration": 60},
            headers=bob,
        ).status_code
        == 404
    )
