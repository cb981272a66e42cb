"""S16 over HTTP: a taken slug, in any spelling and on any domain, is a 409 `slug_taken`
with suggestions, for creating and renaming a link, and when two domains race for it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import httpx
import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from meetings_ui.api.app import build_api
from meetings_ui.models import Domain, MeetingLink, User
from meetings_ui.services import rate_limits
from meetings_ui.services.api_keys import do_create_api_key

BASE = "/api/v1"


@pytest.fixture
def client(app_database: str) -> TestClient:
    return TestClient(build_api())


def host_on(session: Session, name: str, host: str | None) -> dict[str, str]:
    """A host whose links live on `host` (None: the app domain); their API headers."""
    domain = None
    if host is not None:
        domain = Domain(host=host, verified_at=datetime.now(UTC))
        session.add(domain)
        session.commit()
    user = User(
        email=f"{name}@example.com",
        display_name=name.title(),
        meetings_url=name,
        meeting_domain_id=domain.id if domain else None,
    )
    session.add(user)
    session.commit()
    key = do_create_api_key(session=session, actor=user, user_id=user.id)
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def ana(session: Session) -> dict[str, str]:
    return host_on(session, "ana", "book.a.example")


@pytest.fixture
def bob(session: Session) -> dict[str, str]:
    return host_on(session, "bob", "meet.b.example")


def stored_slugs(session: Session) -> list[str]:
    session.expire_all()
    return sorted(session.exec(select(MeetingLink.slug)).all())


def assert_taken(response: httpx.Response, slug: str, suggestions: list[str]) -> None:
    assert response.status_code == 409, response.text
    assert response.json() == {
        "error": "slug_taken",
        "message": f"“{slug}” is already used by another meeting link (on any domain).",
        "problems": [
            {
                "field": "slug",
                "message": f"“{slug}” is already used by another meeting link (on any domain).",
            }
        ],
        "suggestions": suggestions,
    }


@pytest.mark.parametrize("spelling", ["demo", "DEMO", "Demo", "ｄｅｍｏ", "demo\u200b"])
def test_a_slug_taken_on_another_domain_is_a_409_with_suggestions(
    client: TestClient, session: Session, ana: dict, bob: dict, spelling: str
) -> None:
    created = client.post(f"{BASE}/links", headers=ana, json={"name": "Demo", "slug": "Demo"})
    assert created.status_code == 201 and created.json()["slug"] == "demo"
    clash = client.post(f"{BASE}/links", headers=bob, json={"name": "Demo", "slug": spelling})
    assert_taken(clash, "demo", ["demo-2", "demo-3", "demo-4"])

    own = client.post(f"{BASE}/links", headers=bob, json={"name": "Own", "slug": "bob-own"})
    renamed = client.patch(f"{BASE}/links/{own.json()['id']}", headers=bob, json={"slug": spelling})
    assert_taken(renamed, "demo", ["demo-2", "demo-3", "demo-4"])
    assert stored_slugs(session) == ["bob-own", "demo"]

    # The owner may send their own slug in any spelling: nothing changes.
    link_id = created.json()["id"]
    same = client.patch(f"{BASE}/links/{link_id}", headers=ana, json={"slug": spelling})
    assert same.status_code == 200 and same.json()["slug"] == "demo"
    taken_suggestion = client.post(
        f"{BASE}/links", headers=bob, json={"name": "Demo", "slug": "demo-2"}
    )
    assert taken_suggestion.status_code == 201 and taken_suggestion.json()["url"].endswith(
        "/meetings/demo-2"
    )


@pytest.mark.parametrize(
    ("slug", "words", "suggestions"),
    [
        ("Booked", "reserved", ["booked-2", "booked-3", "booked-4"]),
        ("Démo", "lower-case letters a-z", ["demo", "demo-2", "demo-3"]),
        ("my demo", "lower-case letters a-z", ["my-demo", "my-demo-2", "my-demo-3"]),
    ],
)
def test_a_slug_that_is_not_allowed_is_a_422_with_allowed_ones(
    client: TestClient, session: Session, ana: dict, slug: str, words: str, suggestions: list
) -> None:
    refused = client.post(f"{BASE}/links", headers=ana, json={"name": "Demo", "slug": slug})
    assert refused.status_code == 422
    body = refused.json()
    assert body["error"] == "invalid" and body["suggestions"] == suggestions
    assert [p["field"] for p in body["problems"]] == ["slug"]
    assert words in body["problems"][0]["message"]
    assert stored_slugs(session) == []


def test_a_visitor_finds_a_link_whatever_case_the_address_is_typed_in(
    client: TestClient, ana: dict
) -> None:
    client.post(f"{BASE}/links", headers=ana, json={"name": "Demo", "slug": "demo"})
    for address in ("demo", "DEMO", "Demo"):
        assert client.get(f"{BASE}/public/links/{address}").json()["slug"] == "demo"
    # One link, one counter: spelling its address another way buys no more requests.
    rate_limits.slots_query(client_ip="203.0.113.9", slug="DEMO")
    assert rate_limits.SLOTS_PER_LINK.amount > 1
    for n in range(rate_limits.SLOTS_PER_LINK.amount - 1):
        rate_limits.slots_query(client_ip=f"203.0.113.{n % 200}", slug="demo")
    with pytest.raises(rate_limits.RateLimitedError):
        rate_limits.slots_query(client_ip="198.51.100.1", slug="Demo")


def test_two_domains_racing_for_one_slug_get_one_201_and_one_409(
    client: TestClient, session: Session, ana: dict, bob: dict
) -> None:
    cleo = host_on(session, "cleo", None)
    contenders = [(ana, "demo"), (bob, "DEMO"), (cleo, "ｄｅｍｏ")] * 2
    barrier = threading.Barrier(len(contenders))
    answers: list[httpx.Response | None] = [None] * len(contenders)

    def post(index: int) -> None:
        headers, slug = contenders[index]
        barrier.wait()
        answers[index] = client.post(
            f"{BASE}/links", headers=headers, json={"name": "Demo", "slug": slug}
        )

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(contenders))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [409] * (len(contenders) - 1), [a.text for a in answers]
    for answer in answers:
        if answer.status_code == 409:
            assert_taken(answer, "demo", ["demo-2", "demo-3", "demo-4"])
    assert stored_slugs(session) == ["demo"]


def test_the_api_documents_the_409(client: TestClient) -> None:
    paths = client.get(f"{BASE}/openapi.json").json()["paths"]
    assert "409" in paths["/links"]["post"]["responses"]
    assert "409" in paths["/links/{link_id}"]["patch"]["responses"]
