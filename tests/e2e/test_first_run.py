"""A fresh install: the first visitor creates the admin, then that page is gone.

The harness is shared, so this empties the user table and puts the demo workspace back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from meetings_ui.db import session_scope
from meetings_ui.models import User
from meetings_ui.services.demo import do_seed_demo_workspace
from tests.e2e.helpers import assert_accessible


@pytest.fixture
def fresh_install(app_url: str) -> Iterator[str]:
    with session_scope() as session:
        session.execute(sa.delete(User))
        session.commit()
    try:
        yield app_url
    finally:
        with session_scope() as session:
            session.execute(sa.delete(User))
            session.commit()
            do_seed_demo_workspace(session=session)


def test_the_first_visitor_creates_the_admin_once(page: Page, fresh_install: str) -> None:
    app_url = fresh_install
    page.goto(app_url + "/")
    expect(page.get_by_role("link", name="Open the app")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Open the app").click()
    expect(page.get_by_role("heading", name="Create the first admin")).to_be_visible()
    expect(page.get_by_label("Name")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Name").fill("Olga Owner")
    page.get_by_label("Email").fill("owner@example.com")
    page.get_by_label("Password").fill("owner password 1")
    page.get_by_role("button", name="Create admin account").click()

    expect(page.get_by_role("heading", name="Users and seats", level=1)).to_be_visible()
    expect(page.get_by_role("row", name="owner@example.com")).to_contain_text("Admin")

    # The set-up page is gone: it sends visitors on (to log in, then into the app).
    page.goto(app_url + "/setup")
    expect(page).not_to_have_url(re.compile(r"/setup"))
    expect(page.get_by_role("heading", name="Create the first admin")).to_have_count(0)
