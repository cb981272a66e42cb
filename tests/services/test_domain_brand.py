"""A custom domain's brand, robots.txt and logos (S14, S15): rules, rights, routes."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image
from sqlmodel import Session
from starlette.testclient import TestClient

from meetings_ui.api.app import build_api
from meetings_ui.domain import brand
from meetings_ui.domain.brand import InvalidBrandError
from meetings_ui.models import Domain, MeetingLink, User
from meetings_ui.services import domain_brand
from meetings_ui.services.guard import ForbiddenError


def png(width: int = 40, height: int = 20, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(out, format=fmt)
    return out.getvalue()


@pytest.fixture
def domain(session: Session) -> Domain:
    row = Domain(host="brand.test", verified_at=datetime.now(UTC), brand_name="Brand Co")
    session.add(row)
    session.commit()
    return row


# --- accent colour ----------------------------------------------------------------------


def test_accent_colour_is_lower_case_hex() -> None:
    assert brand.clean_accent_color(" #1A4D8F ") == "#1a4d8f"
    assert brand.clean_accent_color("") is None


@pytest.mark.parametrize("value", ["red", "#12345", "#1234567", "1a4d8f", "#ggg000", "#1a4d8f;x"])
def test_accent_colour_must_be_rrggbb(value: str) -> None:
    with pytest.raises(InvalidBrandError, match="#rrggbb"):
        brand.clean_accent_color(value)


def test_accent_colour_too_light_for_white_text_is_refused() -> None:
    with pytest.raises(InvalidBrandError, match="hard to read"):
        brand.clean_accent_color("#ffff00")
    assert brand.contrast_with_white("#000000") == pytest.approx(21.0)


# --- logos ------------------------------------------------------------------------------


def test_logo_is_re_encoded_as_png_and_bounded() -> None:
    logo = brand.clean_logo(png(2000, 1000, "JPEG"))
    assert logo.content_type == "image/png"
    assert logo.data.startswith(b"\x89PNG")
    assert (logo.width, logo.height) == (512, 256)


def test_oversized_logo_is_refused() -> None:
    with pytest.raises(InvalidBrandError, match="limit is 512 KB"):
        brand.clean_logo(png() + b"\0" * brand.MAX_LOGO_BYTES)


def test_svg_logo_is_refused() -> None:
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    with pytest.raises(InvalidBrandError, match="SVG"):
        brand.clean_logo(svg)


def test_text_pretending_to_be_an_image_is_refused() -> None:
    with pytest.raises(InvalidBrandError, match="could not be read"):
        brand.clean_logo(b"<html><script>alert(1)</script></html>")


def test_polyglot_loses_its_payload() -> None:
    """A PNG with a script appended decodes, but the stored bytes are drawn afresh."""
    payload = b"<script>alert(document.cookie)</script>"
    logo = brand.clean_logo(png() + payload)
    assert payload not in logo.data


def test_image_bomb_dimensions_are_refused() -> None:
    """A small file claiming 20000x20000 pixels is refused before decoding."""
    bomb = io.BytesIO()
    Image.new("1", (20000, 20000)).save(bomb, format="PNG")
    assert len(bomb.getvalue()) < brand.MAX_LOGO_BYTES
    with pytest.raises(InvalidBrandError, match="pixels"):
        brand.clean_logo(bomb.getvalue())


# --- robots.txt -------------------------------------------------------------------------


def test_robots_text_per_host(app_database: str, session: Session, domain: Domain) -> None:
    app = domain_brand.robots_for_host(host="localhost:3000")
    assert "Disallow: /app/" in app and "Disallow: /login" in app
    assert "Disallow: /meetings" not in app
    custom = domain_brand.robots_for_host(host="Brand.Test:3000")
    assert custom == "User-agent: *\nAllow: /\n"
    domain.block_indexing = True
    session.add(domain)
    session.commit()
    assert "Disallow: /meetings*" in domain_brand.robots_for_host(host="brand.test")
    assert domain_brand.robots_for_host(host="unknown.test") is None


def test_unverified_domain_serves_nothing(app_database: str, session: Session) -> None:
    session.add(Domain(host="pending.test"))
    session.commit()
    assert domain_brand.robots_for_host(host="pending.test") is None
    assert not domain_brand.is_verified_host(host="pending.test")


def test_robots_route(app_database: str, domain: Domain) -> None:
    client = TestClient(build_api())
    response = client.get("/robots.txt", headers={"Host": "brand.test"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "User-agent: *\nAllow: /\n"
    assert client.get("/robots.txt", headers={"Host": "evil.test"}).status_code == 404


# --- public URLs ------------------------------------------------------------------------


def test_link_url_names_its_verified_domain(
    app_database: str, session: Session, domain: Domain
) -> None:
    assert (
        domain_brand.public_link_url(session, slug="demo", domain_id=domain.id)
        == "http://brand.test:3000/meetings/demo"
    )
    assert (
        domain_brand.public_link_url(session, slug="demo", domain_id=None)
        == "http://localhost:3000/meetings/demo"
    )
    domain.verified_at = None
    session.add(domain)
    session.commit()
    assert domain_brand.public_link_url(session, slug="demo", domain_id=domain.id).startswith(
        "http://localhost:3000/"
    )


# --- the admin's settings, and who may change them ---------------------------------------


def test_admin_saves_brand_and_robots(app_database: str, admin: User, domain: Domain) -> None:
    saved = domain_brand.save_domain_settings(
        actor=admin,
        domain_id=domain.id,
        brand_name="  Brand Co  ",
        accent_color="#1A4D8F",
        block_indexing=True,
    )
    assert (saved.brand_name, saved.accent_color, saved.block_indexing) == (
        "Brand Co",
        "#1a4d8f",
        True,
    )
    with pytest.raises(InvalidBrandError):
        domain_brand.save_domain_settings(
            actor=admin,
            domain_id=domain.id,
            brand_name="x",
            accent_color="#fff",
            block_indexing=False,
        )


def test_non_admin_is_refused(app_database: str, alice: User, domain: Domain) -> None:
    with pytest.raises(ForbiddenError):
        domain_brand.domain_settings(actor=alice, domain_id=domain.id)
    with pytest.raises(ForbiddenError):
        domain_brand.save_domain_settings(
            actor=alice,
            domain_id=domain.id,
            brand_name="Mine",
            accent_color="",
            block_indexing=True,
        )
    with pytest.raises(ForbiddenError):
        domain_brand.upload_logo(actor=alice, domain_id=domain.id, upload=png())
    with pytest.raises(ForbiddenError):
        domain_brand.remove_logo(actor=alice, domain_id=domain.id)


def test_logo_upload_is_served_safely(
    app_database: str, session: Session, admin: User, domain: Domain
) -> None:
    saved = domain_brand.upload_logo(actor=admin, domain_id=domain.id, upload=png())
    client = TestClient(build_api())
    response = client.get(saved.logo_path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "immutable" in response.headers["cache-control"]
    view = domain_brand.brand_of(session, domain.id)
    assert view.logo_url == f"http://brand.test:3000{saved.logo_path}"
    stale = saved.logo_path.replace(saved.logo_path.rsplit("/", 1)[1], "0" * 16 + ".png")
    assert client.get(stale).status_code == 404
    removed = domain_brand.remove_logo(actor=admin, domain_id=domain.id)
    assert removed.logo_path is None
    assert client.get(saved.logo_path).status_code == 404


def test_brand_is_none_on_the_app_domain(app_database: str, session: Session, alice: User) -> None:
    link = MeetingLink(owner_id=alice.id, name="Intro", slug="intro")
    session.add(link)
    session.commit()
    assert domain_brand.brand_of(session, link.domain_id) is None
