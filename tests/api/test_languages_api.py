"""The API answers in the request's language (Accept-Language): every error `message` and
problem in French or English, the stable `error` code the same in both; a booking made
in French gets the prospect French emails."""

from __future__ import annotations

from datetime import datetime, time

from sqlmodel import Session, select
from starlette.testclient import TestClient

from meetings_ui.domain.time_zones import zone
from meetings_ui.models import Booking, OutboxItem
from tests.api.test_public_api import BASE, booking_body, client, link, next_monday, owner

__all__ = ["client", "link", "owner"]  # the fixtures this module borrows

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}


def _start() -> datetime:
    return datetime.combine(next_monday(), time(10), zone("Europe/Paris"))


def test_not_found_is_said_in_the_readers_language(client: TestClient) -> None:
    url = f"{BASE}/public/links/nobody-here"
    english, french = client.get(url), client.get(url, headers=FRENCH)
    assert english.status_code == french.status_code == 404
    assert english.json() == {"error": "not_found", "message": "No meeting link at this address."}
    assert french.json() == {
        "error": "not_found",
        "message": "Aucun lien de réunion à cette adresse.",
    }
    assert french.headers["Content-Language"] == "fr"
    assert english.headers["Content-Language"] == "en"


def test_invalid_fields_are_said_in_french_with_the_same_codes(client: TestClient, link) -> None:
    url = f"{BASE}/public/links/{link.slug}/bookings"
    body = booking_body(_start(), duration=45)
    english = client.post(url, json=body).json()
    french = client.post(url, json=body, headers=FRENCH).json()
    assert english["error"] == french["error"] == "invalid"
    assert french["message"] == "Certains champs sont à corriger."
    assert [p["field"] for p in french["problems"]] == [p["field"] for p in english["problems"]]
    assert english["problems"] == [
        {"field": "duration", "message": "Choose one of 30, 60 minutes."}
    ]
    assert french["problems"] == [
        {"field": "duration", "message": "Choisissez l'une de ces durées : 30, 60 minutes."}
    ]


def test_a_bad_query_and_a_taken_slot_in_french(client: TestClient, link) -> None:
    slots = client.get(
        f"{BASE}/public/links/{link.slug}/slots",
        params={"start": "2030-01-02", "end": "2030-01-01"},
        headers=FRENCH,
    )
    assert slots.status_code == 400
    assert slots.json()["error"] == "bad_range"
    assert slots.json()["message"] == "La période se termine avant de commencer."

    url = f"{BASE}/public/links/{link.slug}/bookings"
    assert client.post(url, json=booking_body(_start())).status_code == 201
    taken = client.post(url, json=booking_body(_start(), email="bob@example.org"), headers=FRENCH)
    assert taken.status_code == 409
    assert taken.json()["error"] == "slot_unavailable"
    assert taken.json()["message"] == "Ce créneau vient d'être pris — choisissez-en un autre."


def test_a_booking_made_in_french_mails_the_prospect_in_french(
    client: TestClient, link, session: Session
) -> None:
    url = f"{BASE}/public/links/{link.slug}/bookings"
    made = client.post(url, json=booking_body(_start()), headers=FRENCH)
    assert made.status_code == 201
    assert session.get(Booking, made.json()["id"]).locale == "fr-FR"
    subjects = dict(
        session.exec(select(OutboxItem.recipient, OutboxItem.summary)).all()  # type: ignore[arg-type]
    )
    assert subjects["ann@example.org"] == "Demandée : Discovery call avec Olga Owner"
    assert subjects["olga@example.com"] == "New booking: Discovery call"


def test_the_frameworks_own_errors_are_said_in_french_too(client: TestClient) -> None:
    missing = client.get(f"{BASE}/no/such/route", headers=FRENCH)
    assert missing.json() == {"error": "not_found", "message": "Rien à cette adresse."}
    refused = client.delete(f"{BASE}/public/links/nobody-here", headers=FRENCH)
    assert refused.json() == {
        "error": "method_not_allowed",
        "message": "Cette adresse n'accepte pas cette méthode.",
    }
