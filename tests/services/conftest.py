"""Helpers for the service tests: users made through the real account services."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlmodel import Session

from meetings_ui.config import get_settings
from meetings_ui.domain.enums import Role
from meetings_ui.models import MeetingLink, User
from meetings_ui.services.accounts import do_create_user
from meetings_ui.services.guard import OPERATOR
from meetings_ui.services.links import do_create_link
from tests.services.test_bookings import WEEKDAYS_9_TO_17

PASSWORD = "correct horse battery"


@pytest.fixture
def make_user(session: Session) -> Callable[..., User]:
    def make(email: str, role: Role = Role.USER, password: str = PASSWORD) -> User:
        return do_create_user(
            session=session, actor=OPERATOR, email=email, password=password, role=role
        )

    return make


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user("admin@example.com", Role.ADMIN)


@pytest.fixture
def alice(make_user: Callable[..., User]) -> User:
    return make_user("alice@example.com")


@pytest.fixture
def bob(make_user: Callable[..., User]) -> User:
    return make_user("bob@example.com")


@pytest.fixture
def mail_captured(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Mail goes to the local outbox, whatever the machine's environment says."""
    monkeypatch.delenv("SMTP_HOST", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def host(session: Session) -> User:
    """A host in Paris whose Meetings URL is "hugo", made as a row (no password)."""
    user = User(
        email="hugo@example.com",
        display_name="Hugo Host",
        time_zone="Europe/Paris",
        meetings_url="hugo",
    )
    session.add(user)
    session.commit()
    return user


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Set environment variables for the app's settings, restored after the test."""

    def set_env(**values: str | None) -> None:
        for name, value in values.items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    yield set_env
    get_settings.cache_clear()


@pytest.fixture
def link(session: Session, host: User, mail_captured: None) -> MeetingLink:
    """An "Intro call" of the host, weekdays 9 to 17 in Paris, asking for the company
    (modules that need another shape define their own)."""
    return do_create_link(
        session=session,
        owner=host,
        name="Intro call",
        settings={
            "time_zone": "Europe/Paris",
            "weekly": WEEKDAYS_9_TO_17,
            "durations": [30],
            "minimum_notice": 0,
            "questions": [{"id": "company", "label": "Company", "kind": "text", "required": True}],
        },
    )
