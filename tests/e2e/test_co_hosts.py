"""Co-hosts in a real browser: the owner names a colleague, who sees the invitation,
accepts it, and later leaves the link; the owner sees each answer in the editor."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from meetings_ui.db import session_scope
from meetings_ui.models import LinkHost, MeetingLink, OutboxItem, User
from meetings_ui.services.accounts import do_create_user
from meetings_ui.services.guard import OPERATOR
from tests.e2e.helpers import HOST, log_in_as

BEA = ("bea.colleague@example.com", "bea-colleague-password")


def test_a_colleague_accepts_an_invitation_then_leaves(
    browser: Browser, page: Page, app_url: str
) -> None:
    with session_scope() as session:
        bea = do_create_user(session=session, actor=OPERATOR, email=BEA[0], password=BEA[1])
        bea_id = bea.id
    log_in_as(page, app_url, HOST)
    page.goto(app_url + "/app/meetings")
    page.get_by_role("button", name="New meeting link").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill("Team intro")
    dialog.get_by_label("URL ending").fill("team-intro")
    dialog.get_by_label("Link type").select_option(label="Round robin (any host)")
    dialog.get_by_label("Other hosts").fill(BEA[0])
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Meeting link saved")).to_be_visible()
    page.get_by_role("button", name="Edit Team intro").click()
    co_hosts = page.get_by_role("dialog").get_by_role("group", name="Co-hosts")
    expect(co_hosts).to_contain_text(BEA[0])
    expect(co_hosts).to_contain_text("Waiting for them to accept")
    page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
    with session_scope() as session:
        link = session.exec(select(MeetingLink).where(MeetingLink.slug == "team-intro")).one()
        assert session.get(LinkHost, (link.id, bea_id)).status == "invited"
        assert session.exec(select(OutboxItem).where(OutboxItem.recipient == BEA[0])).first()

    colleague = browser.new_context()
    try:
        bea_page = colleague.new_page()
        log_in_as(bea_page, app_url, BEA)
        bea_page.goto(app_url + "/app/meetings")
        invitations = bea_page.get_by_role("heading", name="Invitations to co-host")
        expect(invitations).to_be_visible()
        expect(bea_page.get_by_text("Hugo Host (host@example.com) invites you")).to_be_visible()
        bea_page.get_by_role("button", name="Accept the invitation to host Team intro").click()
        expect(bea_page.get_by_text("Invitation accepted")).to_be_visible()
        expect(invitations).to_have_count(0)
        row = bea_page.get_by_role("row", name="Team intro")
        expect(row).to_contain_text("Co-host")
        expect(row.get_by_role("button", name="Edit Team intro")).to_have_count(0)

        page.reload()
        page.get_by_role("button", name="Edit Team intro").click()
        co_hosts = page.get_by_role("dialog").get_by_role("group", name="Co-hosts")
        expect(co_hosts).to_contain_text("Accepted")
        page.get_by_role("dialog").get_by_role("button", name="Cancel").click()

        bea_page.get_by_role("button", name="Leave Team intro").click()
        confirm = bea_page.get_by_role("alertdialog")
        expect(confirm).to_contain_text("stops using your calendar")
        confirm.get_by_role("button", name="Leave link").click()
        # The toast comes once the leave is saved (the row also vanishes behind the dialog).
        expect(bea_page.get_by_text("You left the meeting link")).to_be_visible()
        expect(bea_page.get_by_role("row", name="Team intro")).to_have_count(0)
    finally:
        colleague.close()
    with session_scope() as session:
        assert session.get(LinkHost, (link.id, bea_id)) is None
        assert session.exec(select(User).where(User.email == BEA[0])).one().is_active


def test_a_declined_colleague_can_be_invited_again(
    browser: Browser, page: Page, app_url: str
) -> None:
    cy = ("cy.colleague@example.com", "cy-colleague-password")
    with session_scope() as session:
        do_create_user(session=session, actor=OPERATOR, email=cy[0], password=cy[1])
    log_in_as(page, app_url, HOST)
    page.goto(app_url + "/app/meetings")
    page.get_by_role("button", name="New meeting link").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill("Panel")
    dialog.get_by_label("URL ending").fill("panel-talk")
    dialog.get_by_label("Link type").select_option(label="Group (every host)")
    dialog.get_by_label("Other hosts").fill(cy[0])
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Meeting link saved")).to_be_visible()

    colleague = browser.new_context()
    try:
        cy_page = colleague.new_page()
        log_in_as(cy_page, app_url, cy)
        cy_page.goto(app_url + "/app/meetings")
        cy_page.get_by_role("button", name="Decline the invitation to host Panel").click()
        expect(cy_page.get_by_role("heading", name="Invitations to co-host")).to_have_count(0)
        expect(cy_page.get_by_role("row", name="Panel")).to_have_count(0)

        page.get_by_role("button", name="Edit Panel").click()
        co_hosts = page.get_by_role("dialog").get_by_role("group", name="Co-hosts")
        expect(co_hosts).to_contain_text("Declined")
        co_hosts.get_by_role("button", name=f"Invite {cy[0]} again").click()
        expect(co_hosts).to_contain_text("Waiting for them to accept")

        cy_page.reload()
        expect(
            cy_page.get_by_role("button", name="Accept the invitation to host Panel")
        ).to_be_visible()
    finally:
        colleague.close()
