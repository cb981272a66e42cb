"""Abuse of sign-up and password reset: a loop from one address is refused with the page's
error message, and the counters are shared through Redis when it is configured."""

from __future__ import annotations

import os
import time

import pytest
import redis
from limits import parse
from limits.storage import MemoryStorage, RedisStorage
from sqlmodel import Session, select

from meetings_ui.models import OutboxItem, User
from meetings_ui.services import rate_limits, sign_in
from meetings_ui.services.accounts import AccountError
from tests.services.conftest import PASSWORD

# TEST_REDIS_URL picks a database of its own, so parallel runs do not reset each other.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _sign_up(session: Session, n: int, client_ip: str) -> str:
    return sign_in.sign_up(
        session=session,
        email=f"bot{n}@example.com",
        password=PASSWORD,
        display_name=f"Bot {n}",
        client_ip=client_ip,
    )


def test_a_sign_up_loop_from_one_address_is_refused(
    session: Session, admin: User, mail_captured: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rate_limits, "SIGN_UPS_PER_IP", parse("3/hour"))  # fewer slow hashes
    for n in range(3):
        _sign_up(session, n, "203.0.113.7")
    with pytest.raises(AccountError, match="Too many sign-ups from this network"):
        _sign_up(session, 3, "203.0.113.7")
    assert len(session.exec(select(OutboxItem)).all()) == 3
    _sign_up(session, 4, "198.51.100.2")  # somebody else is not affected


def test_a_sign_up_loop_on_one_address_mails_at_most_the_limit(
    session: Session, admin: User, alice: User, mail_captured: None
) -> None:
    """Nobody's inbox is flooded with "someone tried to sign up" notes, known or not."""
    for email in (alice.email, "unknown@example.com"):
        for n in range(rate_limits.SIGN_UPS_PER_EMAIL.amount):
            sign_in.sign_up(
                session=session,
                email=email,
                password=PASSWORD,
                display_name="",
                client_ip=f"203.0.113.{n}",
            )
        with pytest.raises(AccountError, match="Too many sign-ups"):
            sign_in.sign_up(
                session=session,
                email=email,
                password=PASSWORD,
                display_name="",
                client_ip="198.51.100.9",
            )
        sent = session.exec(select(OutboxItem).where(OutboxItem.recipient == email)).all()
        assert len(sent) == rate_limits.SIGN_UPS_PER_EMAIL.amount


def test_a_reset_loop_on_one_address_mails_at_most_the_limit(
    session: Session, alice: User, mail_captured: None
) -> None:
    def reset(email: str, client_ip: str) -> str:
        return sign_in.request_password_reset(session=session, email=email, client_ip=client_ip)

    for n in range(rate_limits.RESETS_PER_EMAIL.amount):
        reset(alice.email, f"203.0.113.{n}")  # from many addresses
    with pytest.raises(AccountError, match="Too many reset requests"):
        reset(alice.email, "203.0.113.99")
    # An unknown address is refused exactly alike: the limit reveals no account.
    for _ in range(rate_limits.RESETS_PER_EMAIL.amount):
        reset("nobody@example.com", "198.51.100.2")
    with pytest.raises(AccountError, match="Too many reset requests"):
        reset("nobody@example.com", "198.51.100.3")
    mailed = session.exec(select(OutboxItem.recipient)).all()
    assert mailed == [alice.email] * rate_limits.RESETS_PER_EMAIL.amount


def test_a_reset_loop_from_one_address_is_refused(
    session: Session, alice: User, mail_captured: None
) -> None:
    for n in range(rate_limits.RESETS_PER_IP.amount):
        sign_in.request_password_reset(
            session=session, email=f"user{n}@example.com", client_ip="203.0.113.7"
        )
    with pytest.raises(AccountError, match="Too many reset requests"):
        sign_in.request_password_reset(session=session, email=alice.email, client_ip="203.0.113.7")
    assert session.exec(select(OutboxItem)).all() == []


def test_counters_live_in_memory_without_redis(env) -> None:
    env(REDIS_URL=None)
    assert isinstance(rate_limits._limiter().storage, MemoryStorage)


def test_in_memory_a_limit_lifts_with_its_window_not_with_the_sweep(env) -> None:
    """The sweep of expired hits runs seldom (rate_limits' docstring): the window alone
    decides, so a refused client is served again as soon as its window has moved on."""
    env(REDIS_URL=None)
    rate_limits.reset()
    per_second = parse("2/second")
    for _ in range(2):
        rate_limits.hit((per_second, "test", "203.0.113.7"))
    with pytest.raises(rate_limits.RateLimitedError):
        rate_limits.hit((per_second, "test", "203.0.113.7"))
    storage = rate_limits._limiter().storage
    assert storage.timer.interval == rate_limits.SWEEP_SECONDS and storage.timer.daemon
    time.sleep(1.05)
    rate_limits.hit((per_second, "test", "203.0.113.7"))  # no RateLimitedError


def test_counters_are_shared_through_redis_when_configured(env) -> None:
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    env(REDIS_URL=REDIS_URL)
    rate_limits.reset()
    assert isinstance(rate_limits._limiter().storage, RedisStorage)
    # Two workers are two limiters on one storage: a second one sees the first's hits.
    rate_limits._storage.cache_clear()
    for n in range(rate_limits.SIGN_UPS_PER_IP.amount):
        rate_limits.sign_up(client_ip="203.0.113.7", email=f"bot{n}@example.com")
    rate_limits._storage.cache_clear()
    with pytest.raises(rate_limits.RateLimitedError) as refused:
        rate_limits.sign_up(client_ip="203.0.113.7", email="another@example.com")
    assert 1 <= refused.value.retry_after <= 3600
    rate_limits.reset()
