"""S16 in the browser: a URL ending another link has, on another domain, is refused under
the field with free ones to pick; one click fills it in and the link saves."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from meetings_ui.db import session_scope
from meetings_ui.models import Domain, MeetingLink, User
from meetings_ui.services.links import do_create_link
from tests.e2e.helpers import ADMIN, HOST, log_in_as


@pytest.fixture
def admins_link_on_a_custom_domain(app_url: str) -> Iterator[None]:
    """The admin's link "team-demo" on book.slugs.example; the domain goes afterwards (the
    browser tests share one workspace, whose domain lists other tests check)."""
    with session_scope() as session:
        domain = Domain(host="book.slugs.example", verified_at=datetime.now(UTC))
        session.add(domain)
        session.commit()
        admin = session.exec(select(User).where(User.email == ADMIN[0])).one()
        admin.meeting_domain_id = domain.id
        do_create_link(session=session, owner=admin, name="Team demo", slug="team-demo")
        admin.meeting_domain_id = None
        session.add(admin)
        session.commit()
    yield
    with session_scope() as session:
        session.delete(session.get(Domain, domain.id))
        session.commit()


@pytest.mark.usefixtures("admins_link_on_a_custom_domain")
def test_a_taken_url_ending_is_refused_with_free_ones_to_pick(app_url: str, page: Page) -> None:
    log_in_as(page, app_url, HOST)
    page.goto(app_url + "/app/meetings")
    page.get_by_role("button", name="New meeting link").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill("Team demo")

    # Leaving the field checks it: capitals and full-width letters are the same ending.
    url_ending = dialog.get_by_label("URL ending")
    url_ending.fill("ＴＥＡＭ-Demo")
    dialog.get_by_label("Name").click()
    alert = dialog.get_by_role("alert")
    expect(alert).to_contain_text("“team-demo” is already used by another meeting link")
    free = dialog.get_by_role("group", name="Free alternatives")
    expect(free.get_by_role("button")).to_have_text(["team-demo-2", "team-demo-3", "team-demo-4"])

    # Saving anyway is refused the same way, and nothing is created.
    dialog.get_by_role("button", name="Save").click()
    expect(alert).to_contain_text("already used by another meeting link (on any domain)")
    expect(free.get_by_role("button", name="Use team-demo-2")).to_be_visible()

    free.get_by_role("button", name="Use team-demo-3").click()
    expect(url_ending).to_have_value("team-demo-3")
    expect(alert).to_have_count(0)
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Meeting link saved")).to_be_visible()
    expect(page.get_by_role("row", name="Team demo")).to_contain_text("/meetings/team-demo-3")

    # A reserved word and accents are refused too, with the allowed form offered.
    page.get_by_role("button", name="Edit Team demo").click()
    url_ending.fill("Booked")
    dialog.get_by_role("button", name="Save").click()
    expect(alert).to_contain_text("“booked” is reserved")
    url_ending.fill("Équipe")
    dialog.get_by_label("Name").click()
    expect(alert).to_contain_text("lower-case letters a-z")
    free.get_by_role("button", name="Use equipe", exact=True).click()
    expect(url_ending).to_have_value("equipe")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("row", name="Team demo")).to_contain_text("/meetings/equipe")
    with session_scope() as session:
        slugs = session.exec(select(MeetingLink.slug).where(MeetingLink.name == "Team demo"))
        assert sorted(slugs.all()) == ["equipe", "team-demo"]
