"""The API against its own OpenAPI document: schemathesis generates requests from the
document (valid and invalid ones) and checks that no answer is a 5xx and that every
answer is documented (status, content type, body schema).

The app runs in-process (ASGI) on a seeded database: a host with an API key, a link and
one booking of it, whose slug and ids are put into the generated paths so that the
requests reach the handlers instead of stopping at a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import Session

from meetings_ui.api.app import build_api
from meetings_ui.domain.time_zones import zone
from meetings_ui.models import User
from meetings_ui.services import rate_limits
from meetings_ui.services.api_keys import do_create_api_key
from meetings_ui.services.bookings import BookingRequest, do_book
from meetings_ui.services.links import do_create_link

# The document needs no database: load it once, at collection.
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", build_api())

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@dataclass(frozen=True)
class Seeded:
    headers: dict[str, str]
    path: dict[str, object]


@pytest.fixture
def seeded(app_database: str, session: Session) -> Seeded:
    owner = User(
        email="olga@example.com", display_name="Olga", time_zone="Europe/Paris", meetings_url="olga"
    )
    session.add(owner)
    session.commit()
    link = do_create_link(
        session=session,
        owner=owner,
        name="Discovery call",
        settings={
            "time_zone": "Europe/Paris",
            "durations": [30, 60],
            "minimum_notice": 0,
            "questions": [{"id": "topic", "label": "Topic", "kind": "text"}],
        },
    )
    day = datetime.now(UTC).date() + timedelta(days=7)
    monday = day + timedelta(days=-day.weekday())
    booking = do_book(
        session=session,
        link=link,
        request=BookingRequest(
            start=datetime.combine(monday, time(10), zone("Europe/Paris")),
            time_zone="Europe/Paris",
            name="Ann",
            email="ann@example.org",
            answers={},
        ),
    ).booking
    key = do_create_api_key(session=session, actor=owner, user_id=owner.id)
    return Seeded(
        headers={"Authorization": f"Bearer {key}"},
        path={
            "slug": link.slug,
            "link_id": link.id,
            "booking_id": booking.id,
            "meeting_id": booking.id,
        },
    )


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_document(case: schemathesis.Case, seeded: Seeded) -> None:
    rate_limits.reset()  # every generated request reaches its handler, not the 429
    if case.path_parameters:
        case.path_parameters = {
            name: seeded.path.get(name, value) for name, value in case.path_parameters.items()
        }
    case.call_and_validate(headers=seeded.headers, checks=CHECKS)
