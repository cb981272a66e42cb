"""Custom domains in a real browser (M10 items 3, 5, 6): Chromium resolves brand.test and
other.test to this machine (conftest), so the app is reached under those host names.

A link of brand.test is booked there under its brand; another domain's link or an app
domain's link there is "not found"; host pages go to the app domain; the app domain's
URL of a brand.test link redirects there; robots.txt and the noindex tag per domain."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from meetings_ui.config import get_settings
from meetings_ui.db import session_scope
from meetings_ui.domain.enums import DomainStatus
from meetings_ui.models import Domain, MeetingLink, User
from meetings_ui.services import domain_brand
from tests.e2e.conftest import FRAMED_PAGE_TIMEOUT, PartnerSite
from tests.e2e.helpers import ADMIN, HOST, log_in_as
from tests.e2e.test_booking import fill_form, make_link, pick_first_time

DEMO_HOST = "host@example.com"  # a host of the seeded demo workspace


def _domain(host: str, **fields: object) -> int:
    with session_scope() as session:
        row = session.exec(select(Domain).where(Domain.host == host)).first()
        if row is None:
            row = Domain(host=host, status=DomainStatus.VERIFIED, verified_at=datetime.now(UTC))
        for name, value in fields.items():
            setattr(row, name, value)
        session.add(row)
        session.commit()
        domain_brand.forget_cached_hosts()
        return row.id


def _on_domain(slug: str, domain_id: int | None) -> None:
    make_link(DEMO_HOST, slug)
    with session_scope() as session:
        link = session.exec(select(MeetingLink).where(MeetingLink.slug == slug)).one()
        link.domain_id = domain_id
        session.add(link)
        session.commit()


@pytest.fixture(scope="module")
def domains(app_url: str) -> Iterator[dict[str, int]]:
    """Two verified domains with a link each; they go afterwards (the browser tests share
    one workspace, and the domain manager's tests start from none)."""
    brand_id = _domain("brand.test", brand_name="Brand Co", accent_color="#1a4d8f")
    other_id = _domain("other.test", brand_name="Other Inc")
    _on_domain("brand-call", brand_id)
    _on_domain("other-call", other_id)
    _on_domain("app-call", None)
    yield {"brand.test": brand_id, "other.test": other_id}
    with session_scope() as session:
        for link in session.exec(select(MeetingLink).where(MeetingLink.domain_id.is_not(None))):
            link.domain_id = None
            session.add(link)
        for domain in session.exec(select(Domain).where(Domain.id.in_([brand_id, other_id]))):
            session.delete(domain)
        session.commit()
        domain_brand.forget_cached_hosts()


def on(host: str, app_url: str, path: str) -> str:
    """`path` on `host`, same scheme and port as the app."""
    return f"{domain_brand.site_url(host)}{path}" if host else f"{app_url}{path}"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(timezone_id="Europe/Paris")
    yield context.new_page()
    context.close()


def test_booking_on_a_custom_domain_shows_its_brand(
    page: Page, app_url: str, domains: dict[str, int]
) -> None:
    page.goto(on("brand.test", app_url, "/meetings/brand-call"))
    expect(page.get_by_role("heading", name="Call brand-call")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("Brand Co")
    pick_first_time(page)
    fill_form(page)
    page.get_by_role("button", name=re.compile("Confirm booking|Request meeting")).click()
    expect(
        page.get_by_role("heading", name=re.compile("You are booked|Request sent"))
    ).to_be_visible()
    assert urlsplit(page.url).hostname == "brand.test"
    expect(page.get_by_role("banner")).to_contain_text("Brand Co")
    cancel = page.get_by_role("link", name="Cancel")
    assert (cancel.get_attribute("href") or "").startswith(
        on("brand.test", app_url, "/meetings/cancel")
    )

    # M6 pre-fill: the same visitor, back on this domain, finds the form filled in ...
    page.goto(on("brand.test", app_url, "/meetings/brand-call"))
    pick_first_time(page)
    expect(page.get_by_label("Email")).to_have_value("pat@example.org")
    # ... but not on another domain: its cookie stays on brand.test.
    page.goto(on("other.test", app_url, "/meetings/other-call"))
    expect(page.get_by_role("banner")).to_contain_text("Other Inc")
    pick_first_time(page)
    expect(page.get_by_label("Email")).to_have_value("")


def test_a_custom_domains_link_embeds_from_that_domain(
    page: Page, browser: Browser, app_url: str, domains: dict[str, int], partner_site: PartnerSite
) -> None:
    """The embed dialog's snippet loads /embed.js and the page from brand.test; on a partner
    site the framed page shows under its brand and its height messages are heeded (booking
    in a frame: test_embed.py)."""
    log_in_as(page, app_url, HOST)
    page.goto(app_url + "/app/meetings")
    page.get_by_role("button", name="Embed Call brand-call", exact=True).click()
    brand_url = on("brand.test", app_url, "")
    snippet = page.get_by_role("dialog").get_by_role("textbox", name="Script snippet")
    expect(snippet).to_have_value(
        f'<script src="{brand_url}/embed.js" '
        f'data-meetings-link="{brand_url}/meetings/brand-call" async></script>'
    )
    # Pasted in the page's head, as a site builder's "custom code" box may do.
    partner_site.body = (
        f"<!doctype html><html><head><title>Partner</title>{snippet.input_value()}</head>"
        "<body><h1>Partner</h1></body></html>"
    ).encode()
    context = browser.new_context(timezone_id="Europe/Paris")
    try:
        partner = context.new_page()
        partner.goto(f"http://localhost:{partner_site.server_address[1]}/")
        widget = partner.frame_locator("iframe[title='Book a meeting']")
        expect(widget.get_by_text("Call brand-call", exact=True)).to_be_visible(
            timeout=FRAMED_PAGE_TIMEOUT
        )
        expect(widget.get_by_text("Brand Co", exact=True)).to_be_visible()
        # Sized to its content: the height messages from brand.test were heeded.
        expect(partner.locator("iframe[title='Book a meeting']")).not_to_have_attribute(
            "style", re.compile(r"height: 720px")
        )
    finally:
        context.close()


def test_links_of_other_domains_are_not_found(
    page: Page, app_url: str, domains: dict[str, int]
) -> None:
    for slug in ("other-call", "app-call", "no-such-link"):
        page.goto(on("brand.test", app_url, f"/meetings/{slug}"))
        expect(page.get_by_role("heading", name=re.compile("Not found"))).to_be_visible()
        expect(page.get_by_text("Brand Co")).to_have_count(0)


def test_app_domain_url_of_a_custom_domains_link_redirects(
    page: Page, app_url: str, domains: dict[str, int]
) -> None:
    page.goto(f"{app_url}/meetings/brand-call?embed=1")
    expect(page).to_have_url(on("brand.test", app_url, "/meetings/brand-call?embed=1"))
    expect(page.get_by_role("heading", name="Call brand-call")).to_be_visible()


def test_host_pages_are_not_served_on_a_custom_domain(
    page: Page, app_url: str, domains: dict[str, int]
) -> None:
    page.goto(on("brand.test", app_url, "/login"))
    expect(page).to_have_url(f"{app_url}/login")
    page.goto(on("brand.test", app_url, "/app/meetings"))
    expect(page).to_have_url(re.compile(re.escape(app_url) + r"/(login|app/meetings)"))


def test_robots_txt_and_noindex_per_domain(
    page: Page, app_url: str, domains: dict[str, int]
) -> None:
    backend = get_settings().backend_url
    port = urlsplit(app_url).port

    def robots(host: str) -> httpx.Response:
        return httpx.get(f"{backend}/robots.txt", headers={"Host": f"{host}:{port}"}, timeout=30)

    assert "Disallow: /app/" in robots(urlsplit(app_url).hostname).text
    assert robots("brand.test").text == "User-agent: *\nAllow: /\n"
    assert robots("evil.test").status_code == 404

    page.goto(on("brand.test", app_url, "/meetings/brand-call"))
    expect(page.get_by_role("heading", name="Call brand-call")).to_be_visible()
    expect(page.locator('meta[name="robots"]')).to_have_count(0)

    _domain("brand.test", block_indexing=True)
    try:
        assert "Disallow: /meetings*" in robots("brand.test").text
        page.goto(on("brand.test", app_url, "/meetings/brand-call"))
        expect(page.get_by_role("heading", name="Call brand-call")).to_be_visible()
        expect(page.locator('meta[name="robots"][content="noindex"]')).to_have_count(1)
    finally:
        _domain("brand.test", block_indexing=False)


def _png(path: Path, size: tuple[int, int] = (120, 40)) -> Path:
    Image.new("RGB", size, (26, 77, 143)).save(path, format="PNG")
    return path


def test_admin_sets_the_brand_and_robots_of_a_domain(
    page: Page, app_url: str, domains: dict[str, int], tmp_path: Path
) -> None:
    log_in_as(page, app_url, ADMIN)
    page.goto(f"{app_url}/app/admin/domains/{domains['other.test']}")
    expect(page.get_by_role("heading", name="other.test")).to_be_visible()

    page.get_by_label("Accent colour").fill("#ffff00")
    expect(page.get_by_text(re.compile(r"too light"))).to_be_visible()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("hard to read")

    page.get_by_label("Brand name").fill("Other Brand")
    page.get_by_label("Accent colour").fill("#7a1f5c")
    page.get_by_text("Block search engines from indexing meeting links").click()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved the settings of other.test.")).to_be_visible()

    # The development harness compiles its CORS origins before it knows its own port, so
    # the browser's upload request (/_upload) is refused here; the logo goes in through
    # the same use case the page calls (refusals: tests/services/test_domain_brand.py).
    with session_scope() as session:
        admin = session.exec(select(User).where(User.email == ADMIN[0])).one()
        domain_brand.upload_logo(
            session=session,
            actor=admin,
            domain_id=domains["other.test"],
            upload=_png(tmp_path / "logo.png").read_bytes(),
        )
    page.reload()
    expect(page.get_by_role("img", name="Current logo")).to_be_visible()

    # The domain's booking page shows it all, with the robots tag.
    page.goto(on("other.test", app_url, "/meetings/other-call"))
    banner = page.get_by_role("banner")
    expect(banner).to_contain_text("Other Brand")
    expect(banner.get_by_role("img", name="Other Brand logo")).to_be_visible()
    expect(page.locator('meta[name="robots"][content="noindex"]')).to_have_count(1)

    page.goto(f"{app_url}/app/admin/domains/{domains['other.test']}")
    page.get_by_role("button", name="Remove logo").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Remove logo").click()
    expect(page.get_by_text("No logo yet.")).to_be_visible()


def test_a_user_who_is_not_an_admin_cannot_open_a_domains_settings(
    page: Page, app_url: str, domains: dict[str, int]
) -> None:
    log_in_as(page, app_url, HOST)
    page.goto(f"{app_url}/app/admin/domains/{domains['brand.test']}")
    expect(page.get_by_text(re.compile("Admins only"))).to_be_visible()
    expect(page.get_by_label("Brand name")).to_have_count(0)
