"""Co-host hijack through the REST API (M8): naming an admin in `host_ids` invites them;
the link uses them only after they accept, and nobody answers for them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from meetings_ui.api.app import build_api
from meetings_ui.config import get_settings
from meetings_ui.domain.enums import Role
from meetings_ui.models import Booking, User
from meetings_ui.services.api_keys import do_create_api_key
from meetings_ui.services.bookings import BookingRequest, do_book
from meetings_ui.services.links import do_create_link

BASE = "/api/v1"
SETTINGS = {
    "time_zone": "UTC",
    "durations": [60],
    "minimum_notice": 0,
    "weekly": {"mon": [["09:00", "12:00"]]},
}


def next_monday() -> date:
    today = datetime.now(UTC).date() + timedelta(days=2)
    return today + timedelta(days=(0 - today.weekday()) % 7)


@pytest.fixture
def client(app_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.delenv("SMTP_HOST", raising=False)  # invitations go to the local outbox
    get_settings.cache_clear()
    yield TestClient(build_api())
    get_settings.cache_clear()


def member(session: Session, name: str, role: Role = Role.USER) -> tuple[User, dict[str, str]]:
    user = User(email=f"{name}@example.com", display_name=name.title(), role=role)
    session.add(user)
    session.commit()
    key = do_create_api_key(session=session, actor=user, user_id=user.id)
    return user, {"Authorization": f"Bearer {key}"}


def slot_starts(client: TestClient, slug: str, day: date) -> list[datetime]:
    response = client.get(
        f"{BASE}/public/links/{slug}/slots",
        params={"start": day.isoformat(), "end": day.isoformat(), "timezone": "UTC"},
    )
    assert response.status_code == 200
    return [datetime.fromisoformat(s["start"]) for s in response.json()["slots"]]


def test_naming_an_admin_in_host_ids_uses_nothing_of_theirs_until_they_accept(
    client: TestClient, session: Session
) -> None:
    attacker, mallory = member(session, "mallory")
    victim, root = member(session, "root", Role.ADMIN)
    _, bob = member(session, "bob")
    monday = next_monday()
    ten = datetime.combine(monday, time(10), UTC)
    # The victim's own meeting at 10:00, booked on their own link.
    own = do_create_link(session=session, owner=victim, name="Root", settings=SETTINGS)
    do_book(
        session=session,
        link=own,
        request=BookingRequest(start=ten, time_zone="UTC", name="P", email="p@x.org", answers={}),
    )

    created = client.post(
        f"{BASE}/links",
        headers=mallory,
        json={
            "name": "Spy",
            "link_type": "round_robin",
            "host_ids": [victim.id],
            "settings": SETTINGS,
        },
    )
    assert created.status_code == 201, created.text
    link = created.json()
    assert link["host_ids"] == [attacker.id, victim.id]
    assert [(h["email"], h["status"]) for h in link["hosts"]] == [
        (attacker.email, "accepted"),
        (victim.email, "invited"),
    ]
    starts = slot_starts(client, link["slug"], monday)
    for hour in (9, 10, 11):
        booked = client.post(
            f"{BASE}/public/links/{link['slug']}/bookings",
            json={
                "start": datetime.combine(monday, time(hour), UTC).isoformat(),
                "timezone": "UTC",
                "name": "Ann",
                "email": f"ann{hour}@example.org",
                "answers": {},
            },
        )
        assert booked.status_code == 201, booked.text
    hosts = session.exec(select(Booking.host_id).where(Booking.link_id == link["id"])).all()
    assert set(hosts) == {attacker.id}  # no round robin turn ever went to the victim
    assert ten in starts

    # Neither the attacker nor a bystander can accept on the victim's behalf.
    for headers in (mallory, bob):
        for answer in ("accept", "decline"):
            forged = client.post(f"{BASE}/invitations/{link['id']}/{answer}", headers=headers)
            assert forged.status_code == 404
            assert forged.json()["error"] == "not_found"
    # Sending the same host_ids again does not accept either.
    again = client.patch(
        f"{BASE}/links/{link['id']}", headers=mallory, json={"host_ids": [victim.id]}
    )
    assert again.json()["hosts"][1]["status"] == "invited"
    listed = client.get(f"{BASE}/links", headers=root).json()["links"]
    assert [item["id"] for item in listed] == [own.id]  # not the victim's link until accepted

    invitations = client.get(f"{BASE}/invitations", headers=root).json()["invitations"]
    assert [(i["link_id"], i["owner_email"]) for i in invitations] == [(link["id"], attacker.email)]
    assert client.post(f"{BASE}/invitations/{link['id']}/accept", headers=root).status_code == 204
    shown = client.get(f"{BASE}/links/{link['id']}", headers=mallory).json()
    assert shown["hosts"][1]["status"] == "accepted"
    assert client.get(f"{BASE}/invitations", headers=root).json()["invitations"] == []
    # Accepted, the victim is a host: free at 9 and 11, busy at 10 like the attacker.
    nine, eleven = (datetime.combine(monday, time(h), UTC) for h in (9, 11))
    assert slot_starts(client, link["slug"], monday) == [nine, eleven]

    # Leaving: the co-host may, the owner may not (they delete the link instead).
    refused = client.post(f"{BASE}/links/{link['id']}/leave", headers=mallory)
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    assert client.post(f"{BASE}/links/{link['id']}/leave", headers=bob).status_code == 404
    assert client.post(f"{BASE}/links/{link['id']}/leave", headers=root).status_code == 204
    assert client.get(f"{BASE}/links/{link['id']}", headers=mallory).json()["host_ids"] == [
        attacker.id
    ]


def test_a_group_link_ignores_an_invited_hosts_bookings(
    client: TestClient, session: Session
) -> None:
    _, mallory = member(session, "mallory")
    victim, root = member(session, "root", Role.ADMIN)
    monday = next_monday()
    ten = datetime.combine(monday, time(10), UTC)
    own = do_create_link(session=session, owner=victim, name="Root", settings=SETTINGS)
    do_book(
        session=session,
        link=own,
        request=BookingRequest(start=ten, time_zone="UTC", name="P", email="p@x.org", answers={}),
    )
    link = client.post(
        f"{BASE}/links",
        headers=mallory,
        json={"name": "Spy", "link_type": "group", "host_ids": [victim.id], "settings": SETTINGS},
    ).json()
    assert ten in slot_starts(client, link["slug"], monday)  # the victim's time is not read
    client.post(f"{BASE}/invitations/{link['id']}/decline", headers=root)
    assert ten in slot_starts(client, link["slug"], monday)
    assert client.get(f"{BASE}/links/{link['id']}", headers=mallory).json()["hosts"][1] == {
        "id": victim.id,
        "email": victim.email,
        "status": "declined",
    }
