"""Login codes and sessions: single use, short-lived, stored only as digests."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from meetings_ui.models import LoginCode, User, UserSession, utc_now
from meetings_ui.services.sessions import (
    SESSION_COOKIE,
    do_issue_login_code,
    do_log_out,
    do_redeem_login_code,
    safe_next_path,
    token_from_cookie_header,
    user_for_token,
)
from meetings_ui.services.tokens import digest


def test_a_code_opens_one_session_once(session: Session, alice: User) -> None:
    code = do_issue_login_code(session=session, user_id=alice.id, next_path="/app/settings")
    redeemed = do_redeem_login_code(session=session, raw_code=code, client_ip="127.0.0.1")
    assert redeemed is not None
    token, next_path = redeemed
    assert next_path == "/app/settings"
    assert user_for_token(session=session, raw_token=token).id == alice.id
    assert do_redeem_login_code(session=session, raw_code=code) is None
    assert len(session.exec(select(UserSession)).all()) == 1


def test_only_digests_are_stored(session: Session, alice: User) -> None:
    code = do_issue_login_code(session=session, user_id=alice.id, next_path="/app/meetings")
    token, _ = do_redeem_login_code(session=session, raw_code=code)
    stored_code = session.exec(select(LoginCode)).one()
    stored_session = session.exec(select(UserSession)).one()
    assert stored_code.code_hash == digest(code) != code
    assert stored_session.token_hash == digest(token) != token


def test_an_expired_code_is_refused(session: Session, alice: User) -> None:
    code = do_issue_login_code(session=session, user_id=alice.id, next_path="/app/meetings")
    session.execute(sa.update(LoginCode).values(expires_at=utc_now() - timedelta(seconds=1)))
    session.commit()
    assert do_redeem_login_code(session=session, raw_code=code) is None
    assert session.exec(select(UserSession)).all() == []


def test_an_unknown_code_is_refused(session: Session) -> None:
    assert do_redeem_login_code(session=session, raw_code="made-up") is None


def test_expired_sessions_resolve_to_nobody(session: Session, alice: User) -> None:
    code = do_issue_login_code(session=session, user_id=alice.id, next_path="/app/meetings")
    token, _ = do_redeem_login_code(session=session, raw_code=code)
    session.execute(sa.update(UserSession).values(expires_at=utc_now() - timedelta(seconds=1)))
    session.commit()
    assert user_for_token(session=session, raw_token=token) is None
    assert user_for_token(session=session, raw_token=None) is None
    assert user_for_token(session=session, raw_token="forged") is None


def test_log_out_ends_this_session_only(session: Session, alice: User) -> None:
    tokens = [
        do_redeem_login_code(
            session=session,
            raw_code=do_issue_login_code(session=session, user_id=alice.id, next_path=""),
        )[0]
        for _ in range(2)
    ]
    do_log_out(session=session, raw_token=tokens[0])
    assert user_for_token(session=session, raw_token=tokens[0]) is None
    assert user_for_token(session=session, raw_token=tokens[1]).id == alice.id


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/app/admin/users", "/app/admin/users"),
        ("/app", "/app"),
        ("/app/settings?tab=calendar", "/app/settings?tab=calendar"),
        (None, "/app/meetings"),
        ("", "/app/meetings"),
        ("https://evil.example/app", "/app/meetings"),
        ("//evil.example/app", "/app/meetings"),
        ("/app//evil.example", "/app/meetings"),
        ("/\\evil.example", "/app/meetings"),
        ("/app\\@evil.example", "/app/meetings"),
        ("/application", "/app/meetings"),
        ("/app/../login", "/app/meetings"),
        ("/login", "/app/meetings"),
        ("javascript:alert(1)", "/app/meetings"),
        ("/app/\r\nSet-Cookie: x=1", "/app/meetings"),
        ("app/meetings", "/app/meetings"),
    ],
)
def test_next_is_only_ever_a_path_under_app(raw: str | None, expected: str) -> None:
    assert safe_next_path(raw) == expected


def test_the_token_is_read_from_a_cookie_header() -> None:
    assert token_from_cookie_header(f"a=1; {SESSION_COOKIE}=abc-123_x; b=2") == "abc-123_x"
    assert token_from_cookie_header("a=1") is None
    assert token_from_cookie_header("") is None
