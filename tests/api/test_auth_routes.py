"""The cookie routes over real HTTP (Starlette's TestClient) against the test database."""

from __future__ import annotations

from collections.abc import Iterator
from http.cookies import SimpleCookie

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from meetings_ui.api.app import build_api
from meetings_ui.config import get_settings
from meetings_ui.models import AuditEvent, UserSession
from meetings_ui.services.accounts import do_create_user
from meetings_ui.services.guard import OPERATOR
from meetings_ui.services.sessions import (
    LOGIN_BINDING_COOKIE,
    SESSION_COOKIE,
    do_issue_login_code,
    user_for_token,
)

APP_URL = "http://localhost:3000"
BINDING = "the-login-binding-of-this-browser"


@pytest.fixture
def client(app_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """A browser that holds its login binding cookie, as one that opened /login does."""
    monkeypatch.setenv("MEETINGS_APP_URL", APP_URL)
    get_settings.cache_clear()
    with TestClient(build_api(), follow_redirects=False) as client:
        client.cookies.set(LOGIN_BINDING_COOKIE, BINDING)
        yield client


def _code(session: Session, user_id: int, next_path: str = "/app/meetings") -> str:
    """A login code issued to this test's browser (`client`)."""
    return do_issue_login_code(
        session=session, user_id=user_id, next_path=next_path, browser_binding=BINDING
    )


@pytest.fixture
def user_id(session: Session) -> int:
    user = do_create_user(
        session=session, actor=OPERATOR, email="ada@example.com", password="long enough pw"
    )
    return user.id


def _set_cookie(response) -> SimpleCookie:
    jar = SimpleCookie()
    jar.load(response.headers["set-cookie"])
    return jar


def test_a_code_becomes_an_http_only_lax_session_cookie(
    client: TestClient, session: Session, user_id: int
) -> None:
    code = _code(session, user_id, "/app/settings")
    response = client.get("/auth/complete", params={"code": code})
    assert response.status_code == 303
    assert response.headers["location"] == f"{APP_URL}/app/settings"
    header = response.headers["set-cookie"].lower()
    assert "httponly" in header
    assert "samesite=lax" in header
    assert "secure" not in header  # plain http in development
    morsel = _set_cookie(response)[SESSION_COOKIE]
    assert morsel["path"] == "/"
    assert int(morsel["max-age"]) == 14 * 24 * 3600
    assert user_for_token(session=session, raw_token=morsel.value).id == user_id
    assert "user.logged_in" in session.exec(select(AuditEvent.action)).all()


def test_the_cookie_is_secure_when_the_app_is_served_over_https(
    client: TestClient, session: Session, user_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEETINGS_APP_URL", "https://meet.example.org")
    get_settings.cache_clear()
    code = _code(session, user_id)
    response = client.get("/auth/complete", params={"code": code})
    assert response.headers["location"] == "https://meet.example.org/app/meetings"
    assert "; secure" in response.headers["set-cookie"].lower()


def test_a_replayed_code_is_refused(client: TestClient, session: Session, user_id: int) -> None:
    code = _code(session, user_id)
    assert client.get("/auth/complete", params={"code": code}).status_code == 303
    replay = client.get("/auth/complete", params={"code": code})
    assert replay.status_code == 303
    assert replay.headers["location"] == f"{APP_URL}/login?expired=1"
    assert "set-cookie" not in replay.headers
    assert len(session.exec(select(UserSession)).all()) == 1


@pytest.mark.parametrize("code", ["", "forged"])
def test_missing_or_forged_codes_set_no_cookie(client: TestClient, code: str) -> None:
    response = client.get("/auth/complete", params={"code": code})
    assert response.headers["location"] == f"{APP_URL}/login?expired=1"
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize(
    "evil", ["https://evil.example/app", "//evil.example", "/app//evil.example", "/\\evil"]
)
def test_open_redirects_are_refused(
    client: TestClient, session: Session, user_id: int, evil: str
) -> None:
    code = _code(session, user_id, evil)
    # A `next` added to the URL is ignored too: the destination was fixed with the code.
    response = client.get("/auth/complete", params={"code": code, "next": evil})
    assert response.headers["location"] == f"{APP_URL}/app/meetings"


def test_log_out_deletes_the_session_and_clears_the_cookie(
    client: TestClient, session: Session, user_id: int
) -> None:
    code = _code(session, user_id)
    token = _set_cookie(client.get("/auth/complete", params={"code": code}))[SESSION_COOKIE].value
    client.cookies.set(SESSION_COOKIE, token)
    response = client.post("/auth/logout")
    assert response.status_code == 303
    assert response.headers["location"] == f"{APP_URL}/login"
    cleared = _set_cookie(response)[SESSION_COOKIE]
    assert cleared.value == ""
    assert int(cleared["max-age"]) == 0
    assert "httponly" in response.headers["set-cookie"].lower()
    assert user_for_token(session=session, raw_token=token) is None
    assert session.exec(select(UserSession)).all() == []


def test_log_out_is_post_only(client: TestClient) -> None:
    assert client.get("/auth/logout").status_code == 405


def test_a_code_asked_for_in_another_browser_is_refused_and_burned(
    client: TestClient, session: Session, user_id: int
) -> None:
    """Login CSRF: the attacker logs in to their own account in their own browser, keeps
    the login code instead of following the redirect, and sends the victim the link."""
    with TestClient(build_api(), follow_redirects=False) as attacker:
        attacker_binding = _set_cookie(attacker.get("/auth/browser"))[LOGIN_BINDING_COOKIE].value
    code = do_issue_login_code(
        session=session,
        user_id=user_id,
        next_path="/app/meetings",
        browser_binding=attacker_binding,
    )

    victim = client  # a browser with a binding cookie of its own
    response = victim.get("/auth/complete", params={"code": code})
    assert response.status_code == 303
    assert response.headers["location"] == f"{APP_URL}/login?other_browser=1"
    assert "set-cookie" not in response.headers
    assert session.exec(select(UserSession)).all() == []
    assert "user.login_code_refused" in session.exec(select(AuditEvent.action)).all()

    # The code is burned: not even the attacker's browser can use it now.
    with TestClient(build_api(), follow_redirects=False) as attacker:
        attacker.cookies.set(LOGIN_BINDING_COOKIE, attacker_binding)
        replay = attacker.get("/auth/complete", params={"code": code})
    assert replay.headers["location"] == f"{APP_URL}/login?expired=1"
    assert session.exec(select(UserSession)).all() == []


def test_a_browser_without_a_binding_cookie_is_refused(
    client: TestClient, session: Session, user_id: int
) -> None:
    code = _code(session, user_id)
    client.cookies.clear()
    response = client.get("/auth/complete", params={"code": code})
    assert response.headers["location"] == f"{APP_URL}/login?other_browser=1"
    assert "set-cookie" not in response.headers


def test_the_binding_route_sets_an_http_only_lax_cookie_and_goes_back(
    app_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEETINGS_APP_URL", APP_URL)
    get_settings.cache_clear()
    with TestClient(build_api(), follow_redirects=False) as browser:
        response = browser.get("/auth/browser", params={"next": "/login?next=%2Fapp%2Fsettings"})
        assert response.status_code == 303
        assert response.headers["location"] == (
            f"{APP_URL}/login?next=%2Fapp%2Fsettings&cookie_check=1"
        )
        header = response.headers["set-cookie"].lower()
        assert "httponly" in header and "samesite=lax" in header
        morsel = _set_cookie(response)[LOGIN_BINDING_COOKIE]
        assert morsel["path"] == "/" and int(morsel["max-age"]) == 400 * 24 * 3600
        assert len(morsel.value) >= 43  # 256 random bits

        # A browser keeps its binding: other open tabs still hold the one they sent.
        again = browser.get("/auth/browser", params={"next": "/signup"})
        assert again.headers["location"] == f"{APP_URL}/signup?cookie_check=1"
        assert "set-cookie" not in again.headers


@pytest.mark.parametrize("evil", ["https://evil.example/login", "//evil.example", "/app/x"])
def test_the_binding_route_returns_only_to_an_account_page(client: TestClient, evil: str) -> None:
    response = client.get("/auth/browser", params={"next": evil})
    assert response.headers["location"] == f"{APP_URL}/login?cookie_check=1"


def test_the_binding_cookie_is_secure_when_the_app_is_served_over_https(
    app_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEETINGS_APP_URL", "https://meet.example.org")
    get_settings.cache_clear()
    with TestClient(build_api(), follow_redirects=False) as browser:
        response = browser.get("/auth/browser", params={"next": "/login"})
    header = response.headers["set-cookie"].lower()
    assert LOGIN_BINDING_COOKIE in header
    assert "secure" in header and "httponly" in header and "samesite=lax" in header
