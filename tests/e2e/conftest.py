"""Browser tests: the real app (AppHarness) driven by Playwright in Debian's Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from reflex.testing import AppHarness

from meetings_ui.config import PROJECT_ROOT, get_settings
from meetings_ui.db import session_scope
from meetings_ui.services.demo import do_seed_demo_workspace
from tests.conftest import migrate

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = pytest.mark.e2e


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    }


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The whole app, once per test session, on a fresh migrated and seeded SQLite file."""
    database_url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'meetings.db'}"
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = database_url
    get_settings.cache_clear()
    migrate(database_url)
    with session_scope() as session:
        do_seed_demo_workspace(session=session)
    try:
        with AppHarness.create(root=PROJECT_ROOT, app_name="meetings_ui") as harness:
            assert harness.frontend_url is not None
            yield harness.frontend_url.rstrip("/")
    finally:
        if previous is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = previous
        get_settings.cache_clear()
