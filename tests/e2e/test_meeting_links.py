"""The meetings dashboard in a real browser: create, edit, clone, embed and delete links
with no calendar connected (S3), and bad input answered with what to fix."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlmodel import select

from meetings_ui.db import session_scope
from meetings_ui.models import MeetingLink, User
from tests.e2e.helpers import HOST, log_in_as


def open_editor(page: Page) -> None:
    page.get_by_role("button", name="New meeting link").click()
    expect(page.get_by_role("dialog")).to_be_visible()


def test_host_creates_edits_clones_embeds_and_deletes_links(app_url: str, page: Page) -> None:
    with session_scope() as session:
        host = session.exec(select(User).where(User.email == HOST[0])).one()
        host.meetings_url = "hugo-host"
        session.add(host)
        session.commit()
    log_in_as(page, app_url, HOST)
    page.goto(app_url + "/app/meetings")

    open_editor(page)
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill("Product demo")
    durations = dialog.get_by_role("group", name="Durations")
    durations.get_by_role("button", name="45 min", exact=True).click()
    expect(durations.get_by_role("button", name="45 min", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    dialog.get_by_label("Monday, interval 1: to").fill("12:00")
    dialog.get_by_role("button", name="Add an interval to Monday").click()
    dialog.get_by_label("Monday, interval 2: from").fill("14:00")
    dialog.get_by_label("Monday, interval 2: to").fill("17:00")
    # Questions: a required one, and one answered from a list of choices.
    dialog.get_by_role("button", name="Add a question").click()
    dialog.get_by_role("textbox", name="Question 1", exact=True).fill("Email")
    first = dialog.get_by_role("group", name="Question 1", exact=True)
    expect(first.get_by_role("alert")).to_contain_text("Name and email are always asked")
    dialog.get_by_role("textbox", name="Question 1", exact=True).fill("Company")
    expect(first.get_by_role("alert")).to_have_count(0)
    dialog.get_by_role("checkbox", name="Question 1 is required").click()
    dialog.get_by_role("button", name="Add a question").click()
    dialog.get_by_role("textbox", name="Question 2", exact=True).fill("Team size")
    dialog.get_by_label("Answer to question 2").select_option("choice")
    dialog.get_by_label("Question 2, choice 1").fill("1-10")
    second = dialog.get_by_role("group", name="Question 2", exact=True)
    expect(second.get_by_role("alert")).to_contain_text("at least two choices")
    dialog.get_by_label("Question 2, choice 2").fill("11-50")
    dialog.get_by_role("button", name="Add a choice to question 2").click()
    dialog.get_by_label("Question 2, choice 3").fill("50+")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Meeting link saved")).to_be_visible()
    row = page.get_by_role("row", name="Product demo")
    expect(row).to_contain_text("/meetings/hugo-host")
    expect(row).to_contain_text("30 min / 45 min")
    expect(row.get_by_role("link", name="Why isn't this time free?")).to_have_attribute(
        "href", re.compile(r"/app/links/\d+/why$")
    )

    with session_scope() as session:
        link = session.exec(select(MeetingLink).where(MeetingLink.name == "Product demo")).one()
        assert link.slug == "hugo-host"  # S7: from the Meetings URL
        stored = link.settings.to_json()
        assert stored["weekly"]["mon"] == [["09:00", "12:00"], ["14:00", "17:00"]]
        assert [(q.id, q.kind, q.required) for q in link.settings.questions] == [
            ("company", "text", True),
            ("team_size", "choice", False),
        ]
        assert link.settings.questions[1].choices == ("1-10", "11-50", "50+")

    # Bad input: the editor says what to fix, next to the field, and nothing is saved.
    page.get_by_role("button", name="Edit Product demo").click()
    durations.get_by_role("button", name="30 min", exact=True).click()
    durations.get_by_role("button", name="45 min", exact=True).click()
    expect(
        dialog.get_by_role("alert").filter(has_text="Choose from one to ten durations")
    ).to_be_visible()
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_role("alert").filter(has_text="see the messages above")).to_be_visible()
    durations.get_by_role("button", name="30 min", exact=True).click()
    dialog.get_by_label("URL ending").fill("Bad Slug!")
    dialog.get_by_role("button", name="Save").click()
    # The URL ending's own message, under the field.
    expect(dialog.get_by_role("alert").filter(has_text="lower-case letters")).to_be_visible()
    dialog.get_by_label("URL ending").fill("hugo-demo")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("row", name="Product demo")).to_contain_text("/meetings/hugo-demo")

    page.get_by_role("button", name="Clone Product demo").click()
    expect(page.get_by_role("row", name="Product demo (copy)")).to_be_visible()

    page.get_by_role("button", name="Embed Product demo", exact=True).click()
    expect(page.get_by_label("Embed code")).to_have_value(
        f'<iframe src="{app_url}/meetings/hugo-demo?embed=1" title="Book a meeting" loading="lazy" '
        'style="width:100%;min-height:720px;border:0"></iframe>'
    )
    page.get_by_role("button", name="Done").click()

    page.get_by_role("button", name="Delete Product demo (copy)").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("“Product demo (copy)” stops working for everyone")
    confirm.get_by_role("button", name="Delete link").click()
    expect(page.get_by_text("Meeting link deleted")).to_be_visible()
    expect(page.get_by_role("row", name="Product demo (copy)")).to_have_count(0)
    expect(page.get_by_role("row", name="Product demo")).to_be_visible()

    # The embedded page is the booking page without the chrome.
    page.goto(f"{app_url}/meetings/hugo-demo?embed=1")
    expect(page.get_by_role("heading", name="Product demo")).to_be_visible()
