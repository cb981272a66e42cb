"""The OAuth callback route: only the browser that started a connection may finish it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from meetings_ui.api.app import build_api
from meetings_ui.config import get_settings
from meetings_ui.models import CalendarConnection, User
from meetings_ui.services.calendar_connections import do_begin_connect
from meetings_ui.services.sessions import SESSION_COOKIE, do_issue_login_code, do_redeem_login_code
from tests.sandbox import Sandbox, consent


@pytest.fixture
def wired(app_database: str, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    monkeypatch.setenv("MEETINGS_SANDBOX_URL", sandbox.url)
    get_settings.cache_clear()
    return sandbox


def logged_in_cookie(session: Session, user: User) -> str:
    code = do_issue_login_code(
        session=session, user_id=user.id, next_path="/app/meetings", browser_binding="browser"
    )
    token, _ = do_redeem_login_code(session=session, raw_code=code, browser_binding="browser")
    return token


def start(session: Session, user: User) -> dict[str, str]:
    url = do_begin_connect(session=session, actor=user, provider="google")
    callback = get_settings().backend_url + "/oauth/google/callback"
    assert parse_qs(urlsplit(url).query)["redirect_uri"] == [callback]
    return consent(url, "demo.google@example.com", redirect_uri=callback)


def test_callback_connects_for_the_browser_that_started(wired: Sandbox, session: Session) -> None:
    ana = User(email="ana@example.com", display_name="Ana")
    session.add(ana)
    session.commit()
    answer = start(session, ana)
    client = TestClient(build_api(), follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, logged_in_cookie(session, ana))
    response = client.get("/oauth/google/callback", params=answer)
    assert response.status_code == 303
    assert response.headers["location"].endswith("/app/meetings?connected=google")
    assert session.exec(select(CalendarConnection)).one().account_email == "demo.google@example.com"


def test_callback_without_the_starting_session_is_refused(wired: Sandbox, session: Session) -> None:
    ana = User(email="ana@example.com", display_name="Ana")
    eve = User(email="eve@example.com", display_name="Eve")
    session.add_all([ana, eve])
    session.commit()
    answer = start(session, ana)
    client = TestClient(build_api(), follow_redirects=False)
    assert (
        "connect_error=wrong_user"
        in client.get("/oauth/google/callback", params=answer).headers["location"]
    )
    client.cookies.set(SESSION_COOKIE, logged_in_cookie(session, eve))
    response = client.get("/oauth/google/callback", params=answer)
    assert "connect_error=wrong_user" in response.headers["location"]
    assert session.exec(select(CalendarConnection)).all() == []
    # The one who started can still finish; after that the answer is used up.
    client.cookies.set(SESSION_COOKIE, logged_in_cookie(session, ana))
    assert (
        client.get("/oauth/google/callback", params=answer)
        .headers["location"]
        .endswith("connected=google")
    )
    again = client.get("/oauth/google/callback", params=answer)
    assert "connect_error=expired" in again.headers["location"]
    assert "connect_error=provider" in client.get("/oauth/yahoo/callback").headers["location"]
