"""Log-in throttling: counted in the database, per email and per client IP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from meetings_ui.models import User
from meetings_ui.services.accounts import LoginRefusedError, do_check_credentials
from tests.services.conftest import PASSWORD

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _try(session: Session, email: str, password: str, ip: str, at: datetime) -> str:
    try:
        do_check_credentials(session=session, email=email, password=password, client_ip=ip, now=at)
    except LoginRefusedError as refused:
        return str(refused)
    return "ok"


def test_five_failures_lock_the_email_for_fifteen_minutes(session: Session, alice: User) -> None:
    for minute in range(5):
        message = _try(
            session, alice.email, "bad password", "10.0.0.1", T0 + timedelta(minutes=minute)
        )
        assert message.startswith("Wrong email or password")
    # Even the right password is refused while locked, from any address.
    assert _try(session, alice.email, PASSWORD, "10.0.0.2", T0 + timedelta(minutes=5)) == (
        "Too many attempts, try again in 10 minutes."
    )
    assert _try(
        session, alice.email, PASSWORD, "10.0.0.2", T0 + timedelta(minutes=14, seconds=30)
    ) == ("Too many attempts, try again in 1 minute.")
    # The oldest failure ages out at minute 15: one more try is allowed.
    assert (
        _try(session, alice.email, PASSWORD, "10.0.0.2", T0 + timedelta(minutes=15, seconds=1))
        == "ok"
    )


def test_a_success_resets_the_email_count(session: Session, alice: User) -> None:
    for minute in range(4):
        _try(session, alice.email, "bad password", "10.0.0.1", T0 + timedelta(minutes=minute))
    assert _try(session, alice.email, PASSWORD, "10.0.0.1", T0 + timedelta(minutes=4)) == "ok"
    for minute in range(5, 9):
        message = _try(
            session, alice.email, "bad password", "10.0.0.1", T0 + timedelta(minutes=minute)
        )
        assert message.startswith("Wrong")


def test_other_accounts_are_not_locked_by_someone_else_s_failures(
    session: Session, alice: User, bob: User
) -> None:
    for minute in range(6):
        _try(session, alice.email, "bad password", "10.0.0.1", T0 + timedelta(minutes=minute))
    assert _try(session, bob.email, PASSWORD, "10.0.0.9", T0 + timedelta(minutes=6)) == "ok"


def test_one_address_spraying_many_emails_is_locked(session: Session, bob: User) -> None:
    at = T0
    for n in range(20):
        at = T0 + timedelta(seconds=10 * n)
        assert _try(session, f"guess{n}@example.com", "x" * 12, "203.0.113.7", at).startswith(
            "Wrong"
        )
    message = _try(session, bob.email, PASSWORD, "203.0.113.7", at + timedelta(seconds=10))
    # The first failure (at T0) ages out at T0 + 15 min, 11 min 40 s from now.
    assert message == "Too many attempts, try again in 12 minutes."
    # Bob from his own address is not affected.
    assert _try(session, bob.email, PASSWORD, "198.51.100.1", at + timedelta(seconds=10)) == "ok"


@pytest.mark.parametrize("email", ["", "   "])
def test_empty_input_is_not_counted(session: Session, email: str) -> None:
    for _ in range(10):
        assert _try(session, email, "", "10.0.0.1", T0) == "Enter your email and your password."
