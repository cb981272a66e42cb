"""Booking pages served by host (M10 item 3): a custom domain serves only its own links,
the app domain sends a custom domain's link there, anything else is "not found"; the
link's URLs, pages and emails name its domain and brand."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from meetings_ui.api.app import build_api
from meetings_ui.models import Domain, MeetingLink, OutboxItem, User
from meetings_ui.services import booking_pages, bookings, domain_brand, links
from meetings_ui.services.domain_brand import LinkMovedError
from tests.services.test_booking_pages import NOW, form, link, paris, token_of  # noqa: F401

pytestmark = pytest.mark.usefixtures("mail_captured")


@pytest.fixture
def brand_domain(session: Session) -> Domain:
    row = Domain(
        host="brand.test",
        verified_at=datetime.now(UTC),
        brand_name="Brand Co",
        accent_color="#1a4d8f",
    )
    session.add(row)
    session.commit()
    return row


@pytest.fixture
def other_domain(session: Session) -> Domain:
    row = Domain(host="other.test", verified_at=datetime.now(UTC), brand_name="Other")
    session.add(row)
    session.commit()
    return row


@pytest.fixture
def branded_link(session: Session, link: MeetingLink, brand_domain: Domain) -> MeetingLink:  # noqa: F811
    link.domain_id = brand_domain.id
    session.add(link)
    session.commit()
    return link


def open_on(session: Session, host: str | None) -> booking_pages.BookingPage | None:
    return booking_pages.open_booking_page(
        session=session, slug="intro", browser_zone="UTC", page_host=host, now=NOW
    )


def test_custom_domain_serves_its_link_with_its_brand(
    session: Session, branded_link: MeetingLink
) -> None:
    page = open_on(session, "brand.test:3000")
    assert page is not None and page.link_name == "Intro call"
    assert page.brand is not None
    assert (page.brand.name, page.brand.accent_color) == ("Brand Co", "#1a4d8f")


def test_another_domain_never_serves_the_link(
    session: Session, branded_link: MeetingLink, other_domain: Domain
) -> None:
    assert open_on(session, "other.test:3000") is None
    assert (
        booking_pages.month_slots(
            session=session, slug="intro", month="2030-01", duration=30, page_host="other.test"
        )
        is None
    )
    refused = booking_pages.book(
        session=session,
        slug="intro",
        form=form(paris(date(2030, 1, 20), 9)),
        month="2030-01",
        page_host="other.test",
        now=NOW,
    )
    assert refused.problems and not refused.confirmation_path
    assert session.exec(select(bookings.Booking)).first() is None


def test_unknown_or_unverified_hosts_serve_nothing(
    session: Session,
    link: MeetingLink,  # noqa: F811
) -> None:
    session.add(Domain(host="pending.test"))
    session.commit()
    assert open_on(session, "pending.test") is None
    assert open_on(session, "evil.test") is None
    assert open_on(session, "localhost:3000") is not None  # the app domain serves it


def test_app_domain_link_is_not_served_on_a_custom_domain(
    session: Session,
    link: MeetingLink,  # noqa: F811
    brand_domain: Domain,
) -> None:
    assert open_on(session, "brand.test") is None


def test_app_domain_redirects_a_custom_domains_link(
    session: Session, branded_link: MeetingLink
) -> None:
    with pytest.raises(LinkMovedError) as moved:
        open_on(session, "localhost:3000")
    assert moved.value.url == "http://brand.test:3000/meetings/intro"
    assert links.link_url(session, branded_link) == "http://brand.test:3000/meetings/intro"


def test_confirmation_cancel_and_emails_stay_on_the_domain(
    session: Session, branded_link: MeetingLink, other_domain: Domain
) -> None:
    result = booking_pages.book(
        session=session,
        slug="intro",
        form=form(paris(date(2030, 1, 20), 9)),
        month="2030-01",
        page_host="brand.test:3000",
        now=NOW,
    )
    token = token_of(result.confirmation_path)
    details = booking_pages.confirmation(session=session, token=token, page_host="brand.test")
    assert details.brand is not None and details.brand.name == "Brand Co"
    assert details.cancel_url.startswith("http://brand.test:3000/meetings/cancel?token=")
    assert details.reschedule_url.startswith("http://brand.test:3000/meetings/reschedule?")
    with pytest.raises(booking_pages.LinkRefusedError):
        booking_pages.confirmation(session=session, token=token, page_host="other.test")
    with pytest.raises(booking_pages.LinkRefusedError):
        booking_pages.cancel(
            session=session, token=token_of(details.cancel_url), page_host="other.test"
        )
    mails = [
        item.payload
        for item in session.exec(select(OutboxItem)).all()
        if item.payload.get("to") == "pat@example.org"
    ]
    assert mails and mails[0]["subject"].startswith("Brand Co: ")
    assert "— Brand Co · http://brand.test:3000" in mails[0]["text"]
    assert "http://brand.test:3000/meetings/cancel?token=" in mails[0]["text"]


def test_visitor_prefill_works_on_a_custom_domain(
    session: Session, branded_link: MeetingLink
) -> None:
    result = booking_pages.book(
        session=session,
        slug="intro",
        form=form(paris(date(2030, 1, 20), 9)),
        month="2030-01",
        page_host="brand.test",
        now=NOW,
    )
    again = booking_pages.open_booking_page(
        session=session,
        slug="intro",
        browser_zone="UTC",
        visitor_token=result.visitor_token,
        page_host="brand.test",
        now=NOW,
    )
    assert again.prefill is not None and again.prefill.email == "pat@example.org"


def test_custom_domain_origins_may_open_the_websocket(
    app_database: str, session: Session, brand_domain: Domain
) -> None:
    domain_brand.forget_cached_hosts()
    assert domain_brand.is_custom_domain_origin("http://brand.test:3000")
    assert not domain_brand.is_custom_domain_origin("https://brand.test")  # another origin
    assert not domain_brand.is_custom_domain_origin("http://evil.test:3000")
    assert not domain_brand.is_custom_domain_origin(None)


def test_host_pages_user_is_unaffected(session: Session, host: User) -> None:
    """A link without a domain keeps its app-domain URL."""
    made = links.do_create_link(session=session, owner=host, name="Plain", slug="plain")
    assert links.link_url(session, made) == "http://localhost:3000/meetings/plain"


def test_public_api_does_not_serve_a_link_through_another_domain(
    app_database: str, session: Session, branded_link: MeetingLink, other_domain: Domain
) -> None:
    client = TestClient(build_api())
    path = "/api/v1/public/links/intro"
    assert client.get(path, headers={"Host": "other.test"}).status_code == 404
    assert client.get(path, headers={"Host": "brand.test"}).status_code == 200
    assert client.get(path).status_code == 200  # the app's backend answers for every link
    slots = f"{path}/slots?start=2030-01-20"
    assert client.get(slots, headers={"Host": "other.test:3000"}).status_code == 404
    body = {
        "start": "2030-01-20T08:00:00Z",
        "timezone": "UTC",
        "name": "Pat",
        "email": "pat@example.org",
        "answers": {"company": "Acme"},
    }
    booking = client.post(f"{path}/bookings", headers={"Host": "other.test"}, json=body)
    assert booking.status_code == 404
    assert session.exec(select(bookings.Booking)).first() is None
