"""Admin > Domains: an admin connects a domain, reads the DNS records to create, verifies
them against the tests' own DNS server, and removes it; a host cannot reach the page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import select

from meetings_ui.config import get_settings
from meetings_ui.db import session_scope
from meetings_ui.models import Domain, MeetingLink, User
from meetings_ui.services import domain_brand
from tests.dns_server import DnsServer
from tests.e2e.helpers import ADMIN, HOST, log_in_as

TARGET = "app.meetings.test"
DOMAIN = "book.acme.test"


@pytest.fixture
def domain_target(app_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The app (in this process) asks custom domains for a CNAME to TARGET."""
    monkeypatch.setenv("MEETINGS_DOMAIN_TARGET", TARGET)
    get_settings.cache_clear()
    yield TARGET
    monkeypatch.delenv("MEETINGS_DOMAIN_TARGET")
    get_settings.cache_clear()


@pytest.fixture
def no_domains(app_url: str) -> None:
    """The browser tests share one workspace: domains an earlier test made go first, so
    this one starts where a new workspace does."""
    with session_scope() as session:
        for row in [
            *session.exec(select(MeetingLink).where(MeetingLink.domain_id.is_not(None))),
            *session.exec(select(User).where(User.meeting_domain_id.is_not(None))),
        ]:
            if isinstance(row, MeetingLink):
                row.domain_id = None
            else:
                row.meeting_domain_id = None
            session.add(row)
        for domain in session.exec(select(Domain)):
            session.delete(domain)
        session.commit()
    domain_brand.forget_cached_hosts()


def test_an_admin_connects_verifies_and_removes_a_domain(
    browser: Browser, app_url: str, domain_target: str, dns_server: DnsServer, no_domains: None
) -> None:
    page = browser.new_page()
    log_in_as(page, app_url, ADMIN)
    page.goto(app_url + "/app/admin")
    page.get_by_role("link", name="Domains", exact=True).click()
    expect(page.get_by_role("heading", name="Domains", level=1)).to_be_visible()
    expect(page.get_by_text("No custom domain yet")).to_be_visible()

    page.get_by_label("Domain name").fill("https://book.acme.test/")  # said while typing
    expect(page.get_by_role("alert")).to_contain_text("no https://, path or port")
    page.get_by_label("Domain name").fill("localhost")
    page.get_by_role("button", name="Add domain").click()
    expect(page.get_by_role("alert")).to_contain_text("full domain name")

    page.get_by_label("Domain name").fill(DOMAIN)
    page.get_by_role("button", name="Add domain").click()
    expect(page.get_by_text(f"{DOMAIN} added")).to_be_visible()
    card = page.get_by_role("region", name=DOMAIN)
    expect(card.get_by_text("Pending", exact=True)).to_be_visible()
    txt_row = card.get_by_role("row").filter(has_text="TXT")
    expect(txt_row).to_contain_text(f"_meetings-verify.{DOMAIN}")
    cname_row = card.get_by_role("row").filter(has_text="CNAME")
    expect(cname_row).to_contain_text(TARGET)
    expect(txt_row.get_by_role("button", name="Copy value of the TXT record")).to_be_visible()
    token_value = txt_row.locator("code").nth(1).inner_text()
    assert token_value.startswith("meetings-verify=")

    # Nothing published yet: it fails, with the reason in words.
    card.get_by_role("button", name=f"Verify {DOMAIN}").click()
    expect(card.get_by_text("Failed", exact=True)).to_be_visible()
    expect(card).to_contain_text("does not exist in DNS (NXDOMAIN)")

    # The admin creates the records at their DNS host; Verify finds them.
    dns_server.add(f"_meetings-verify.{DOMAIN}", "TXT", token_value)
    dns_server.add(DOMAIN, "CNAME", TARGET)
    card.get_by_role("button", name=f"Verify {DOMAIN}").click()
    expect(card.get_by_text("Verified", exact=True)).to_be_visible()
    expect(page.get_by_text(f"{DOMAIN} is verified.")).to_be_visible()
    assert (f"_meetings-verify.{DOMAIN}", "TXT") in dns_server.queries
    expect(card.get_by_role("link", name="Brand and search engines")).to_have_attribute(
        "href", re.compile(r"/app/admin/domains/\d+$")
    )

    card.get_by_role("button", name=f"Remove {DOMAIN}").click()
    dialog = page.get_by_role("alertdialog", name="Remove this domain?")
    expect(dialog).to_contain_text("move to the app domain")
    dialog.get_by_role("button", name="Remove domain").click()
    expect(page.get_by_text(f"{DOMAIN} removed")).to_be_visible()
    expect(page.get_by_text("No custom domain yet")).to_be_visible()
    page.close()


def test_a_host_cannot_reach_the_domain_manager(browser: Browser, app_url: str) -> None:
    page = browser.new_page()
    log_in_as(page, app_url, HOST)
    page.goto(app_url + "/app/admin/domains")
    expect(page.get_by_text("Admins only")).to_be_visible()
    expect(page.get_by_role("button", name="Add domain")).to_have_count(0)
    page.close()
