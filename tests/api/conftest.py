"""Fixtures shared by the API tests; a module may define its own `owner` instead."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from meetings_ui.models import User


@pytest.fixture
def owner(session: Session) -> User:
    """A host in UTC whose Meetings URL is "olga"."""
    user = User(email="olga@example.com", display_name="Olga", time_zone="UTC", meetings_url="olga")
    session.add(user)
    session.commit()
    return user
