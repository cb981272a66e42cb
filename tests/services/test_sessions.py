"""Login codes and sessions: single use, short-lived, stored only as digests."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from meetings_ui.models import AuditEvent, LoginCode, User, UserSession, utc_now
from meetings_ui.services.sessions import (
    LOGIN_BINDING_COOKIE,
    SESSION_COOKIE,
    WrongBrowserError,
    binding_from_cookie_header,
    do_issue_login_code,
    do_log_out,
    do_redeem_login_code,
    safe_account_page,
    safe_next_path,
    token_from_cookie_header,
    user_for_token,
)
from meetings_ui.services.tokens import digest

BROWSER = "the login binding cookie of the browser that logs in"


def _issue(session: Session, user: User, next_path: str = "/app/meetings") -> str:
    return do_issue_login_code(
        session=session, user_id=user.id, next_path=next_path, browser_binding=BROWSER
    )


def _redeem(session: Session, code: str, **options: str) -> tuple[str, str] | None:
    return do_redeem_login_code(session=session, raw_code=code, browser_binding=BROWSER, **options)


def test_a_code_opens_one_session_once(session: Session, alice: User) -> None:
    code = _issue(session, alice, "/app/settings")
    redeemed = _redeem(session, code, client_ip="127.0.0.1")
    assert redeemed is not None
    token, next_path = redeemed
    assert next_path == "/app/settings"
    assert user_for_token(session=session, raw_token=token).id == alice.id
    assert _redeem(session, code) is None
    assert len(session.exec(select(UserSession)).all()) == 1


def test_only_digests_are_stored(session: Session, alice: User) -> None:
    code = _issue(session, alice)
    token, _ = _redeem(session, code)
    stored_code = session.exec(select(LoginCode)).one()
    stored_session = session.exec(select(UserSession)).one()
    assert stored_code.code_hash == digest(code) != code
    assert stored_code.binding_hash == digest(BROWSER)
    assert stored_session.token_hash == digest(token) != token


def test_a_code_presented_by_another_browser_is_refused_and_burned(
    session: Session, alice: User
) -> None:
    """Login CSRF: a code asked for in one browser (the attacker's, for the attacker's own
    account) must not open a session in another (the victim's)."""
    code = _issue(session, alice)
    with pytest.raises(WrongBrowserError):
        do_redeem_login_code(
            session=session,
            raw_code=code,
            browser_binding="the victim's own binding",
            client_ip="198.51.100.4",
        )
    assert session.exec(select(UserSession)).all() == []
    assert _redeem(session, code) is None  # burned: not even its own browser can use it now
    refused = session.exec(
        select(AuditEvent).where(AuditEvent.action == "user.login_code_refused")
    ).one()
    assert (refused.actor_id, refused.details["ip"]) == (alice.id, "198.51.100.4")


@pytest.mark.parametrize("binding", [None, ""])
def test_a_browser_without_a_binding_cannot_redeem_a_code(
    session: Session, alice: User, binding: str | None
) -> None:
    code = _issue(session, alice)
    with pytest.raises(WrongBrowserError):
        do_redeem_login_code(session=session, raw_code=code, browser_binding=binding)
    assert session.exec(select(UserSession)).all() == []


def test_no_code_is_issued_without_a_browser_to_bind_it_to(session: Session, alice: User) -> None:
    with pytest.raises(ValueError, match="bound to a browser"):
        do_issue_login_code(session=session, user_id=alice.id, next_path="", browser_binding="")
    assert session.exec(select(LoginCode)).all() == []


def test_an_expired_code_is_refused(session: Session, alice: User) -> None:
    code = _issue(session, alice)
    session.execute(sa.update(LoginCode).values(expires_at=utc_now() - timedelta(seconds=1)))
    session.commit()
    assert _redeem(session, code) is None
    assert session.exec(select(UserSession)).all() == []


def test_an_unknown_code_is_refused(session: Session) -> None:
    assert _redeem(session, "made-up") is None


def test_expired_sessions_resolve_to_nobody(session: Session, alice: User) -> None:
    token, _ = _redeem(session, _issue(session, alice))
    session.execute(sa.update(UserSession).values(expires_at=utc_now() - timedelta(seconds=1)))
    session.commit()
    assert user_for_token(session=session, raw_token=token) is None
    assert user_for_token(session=session, raw_token=None) is None
    assert user_for_token(session=session, raw_token="forged") is None


def test_log_out_ends_this_session_only(session: Session, alice: User) -> None:
    tokens = [_redeem(session, _issue(session, alice, ""))[0] for _ in range(2)]
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


def test_the_binding_is_read_from_a_cookie_header() -> None:
    header = f"{SESSION_COOKIE}=abc; {LOGIN_BINDING_COOKIE}=Xy-9_z"
    assert binding_from_cookie_header(header) == "Xy-9_z"
    assert binding_from_cookie_header(f"{SESSION_COOKIE}=abc") is None
    assert binding_from_cookie_header("") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/login", "/login"),
        ("/login?next=%2Fapp%2Fsettings", "/login?next=%2Fapp%2Fsettings"),
        ("/signup", "/signup"),
        ("/setup", "/setup"),
        (None, "/login"),
        ("", "/login"),
        ("/app/meetings", "/login"),
        ("https://evil.example/login", "/login"),
        ("//evil.example/login", "/login"),
        ("/login/../app", "/login"),
        ("/login?next=%0D%0ASet-Cookie:x", "/login?next=%0D%0ASet-Cookie%3Ax"),
    ],
)
def test_the_binding_route_only_returns_to_an_account_page(raw: str | None, expected: str) -> None:
    assert safe_account_page(raw) == expected
