"""Log-in throttling: counted in the database, per email and per client IP."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from meetings_ui.models import LoginAttempt, User
from meetings_ui.services import accounts
from meetings_ui.services.accounts import LoginRefusedError, do_check_credentials
from meetings_ui.services.login_throttle import MAX_FAILURES_PER_EMAIL, MAX_FAILURES_PER_IP
from meetings_ui.services.passwords import verify_password
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


def _race(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch, guesses: list[tuple[str, str]], ip: str
) -> tuple[int, list[str]]:
    """Send every (email, password) guess at once, each in its own thread and session.

    The password check is made slow (as argon2 is) and counted: it is the guess an
    attacker wants, so the count is what the limit must bound.
    """
    checked = 0
    counter = threading.Lock()

    def slow_verify(password_hash: str, password: str) -> bool:
        nonlocal checked
        with counter:
            checked += 1
        time.sleep(0.05)
        return verify_password(password_hash, password)

    monkeypatch.setattr(accounts, "verify_password", slow_verify)
    barrier = threading.Barrier(len(guesses))
    outcomes: list[str] = []

    def guess(email: str, password: str) -> None:
        with Session(engine, expire_on_commit=False) as own:
            barrier.wait()
            outcomes.append(_try(own, email, password, ip, T0))

    threads = [threading.Thread(target=guess, args=guess_) for guess_ in guesses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return checked, outcomes


def test_parallel_guesses_on_one_account_check_at_most_the_limit(
    engine: sa.Engine, session: Session, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attack: 16 guesses at once used to pass the limit of 5 (counted after argon2)."""
    guesses = [(alice.email, f"guess number {n}") for n in range(16)]
    checked, outcomes = _race(engine, monkeypatch, guesses, "203.0.113.7")
    assert checked == MAX_FAILURES_PER_EMAIL
    assert sum(o.startswith("Wrong") for o in outcomes) == MAX_FAILURES_PER_EMAIL
    assert outcomes.count("Too many attempts, try again in 15 minutes.") == 16 - 5
    # The refused guesses were not recorded: the lock lifts 15 minutes after the first.
    assert len(session.exec(select(LoginAttempt)).all()) == MAX_FAILURES_PER_EMAIL


def test_parallel_guesses_from_one_address_check_at_most_its_limit(
    engine: sa.Engine, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(MAX_FAILURES_PER_IP - 4):
        _try(session, f"earlier{n}@example.com", "x" * 12, "203.0.113.7", T0)
    guesses = [(f"spray{n}@example.com", "x" * 12) for n in range(12)]
    checked, outcomes = _race(engine, monkeypatch, guesses, "203.0.113.7")
    assert checked == 4
    assert sum(o.startswith("Too many") for o in outcomes) == 12 - 4


def test_a_right_password_marks_its_recorded_attempt_a_success(
    session: Session, alice: User
) -> None:
    assert _try(session, alice.email, PASSWORD, "10.0.0.1", T0) == "ok"
    assert [(a.email, a.succeeded) for a in session.exec(select(LoginAttempt)).all()] == [
        (alice.email, True)
    ]
