"""The account pages' use cases: one call per action, plain values back, never a row."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from meetings_ui import routes
from meetings_ui.domain.enums import Role
from meetings_ui.models import LoginAttempt, OutboxItem, User
from meetings_ui.services import sign_in, sign_up
from meetings_ui.services.accounts import AccountError, LoginRefusedError
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.services.password_reset import reset_token_is_valid
from meetings_ui.services.sessions import (
    LOGIN_BINDING_COOKIE,
    SESSION_COOKIE,
    WrongBrowserError,
    do_redeem_login_code,
)
from tests.services.conftest import PASSWORD

BINDING = "this-browser-binding"
# The Cookie header of the websocket handshake of a browser that holds its login binding.
BROWSER = f"theme=dark; {LOGIN_BINDING_COOKIE}={BINDING}"


def _cookie_for(session: Session, code: str) -> tuple[str, str]:
    """Redeem a login code as the cookie route does: the Cookie header, and where it goes."""
    redeemed = do_redeem_login_code(session=session, raw_code=code, browser_binding=BINDING)
    assert redeemed is not None
    token, next_path = redeemed
    return f"theme=dark; {SESSION_COOKIE}={token}", next_path


def test_a_fresh_install_is_a_first_run_for_everyone(session: Session) -> None:
    assert sign_in.visit("", session=session) == sign_in.Visit(first_run=True, viewer=None)


def test_log_in_gives_a_code_whose_cookie_names_the_viewer(session: Session, admin: User) -> None:
    code = sign_in.log_in(
        session=session,
        email="Admin@Example.com ",
        password=PASSWORD,
        client_ip="127.0.0.1",
        next_path="/app/settings",
        cookie_header=BROWSER,
    )
    cookie, next_path = _cookie_for(session, code)
    assert next_path == "/app/settings"
    assert sign_in.visit(cookie, session=session) == sign_in.Visit(
        first_run=False,
        viewer=sign_in.Viewer(name="admin", email="admin@example.com", is_admin=True),
    )
    assert sign_in.actor_for_cookie(cookie, session=session).id == admin.id
    assert sign_in.visit(f"{SESSION_COOKIE}=forged", session=session).viewer is None


def test_a_wrong_password_gives_no_code(session: Session, alice: User) -> None:
    with pytest.raises(LoginRefusedError, match="Wrong email or password"):
        sign_in.log_in(
            session=session,
            email=alice.email,
            password="not the password",
            client_ip="127.0.0.1",
            next_path="",
            cookie_header=BROWSER,
        )


def _sign_up(session: Session, email: str = "nina@example.com", name: str = "Nina") -> str:
    return sign_in.sign_up(
        session=session, email=email, password=PASSWORD, display_name=name, client_ip="10.0.0.1"
    )


def _mailed_link(session: Session, to: str, subject: str) -> str:
    message = session.exec(
        select(OutboxItem).where(OutboxItem.recipient == to, OutboxItem.summary == subject)
    ).one()
    return re.search(r"https?://\S+", message.payload["text"]).group(0)


def _token(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def test_sign_up_mails_a_link_that_leads_into_the_meetings_as_a_plain_user(
    session: Session, admin: User, mail_captured: None
) -> None:
    assert _sign_up(session, email=" Nina@Example.com") == "nina@example.com"
    assert session.exec(select(User.email)).all() == [admin.email]  # nothing until confirmed
    link = _mailed_link(session, "nina@example.com", sign_up.CONFIRM_SUBJECT)
    assert urlsplit(link).path == routes.SIGN_UP_CONFIRM
    code = sign_in.confirm_sign_up(session=session, token=_token(link), cookie_header=BROWSER)
    cookie, next_path = _cookie_for(session, code)
    assert next_path == routes.MEETINGS
    viewer = sign_in.visit(cookie, session=session).viewer
    assert viewer == sign_in.Viewer(name="Nina", email="nina@example.com", is_admin=False)
    # The link made the account; opening it again makes nothing and logs nobody in.
    with pytest.raises(AccountError, match="This account is ready: log in"):
        sign_in.confirm_sign_up(session=session, token=_token(link), cookie_header=BROWSER)
    assert session.exec(select(sa.func.count()).select_from(User)).one() == 2


def test_sign_up_does_not_tell_whether_an_address_has_an_account(
    session: Session, admin: User, alice: User, mail_captured: None
) -> None:
    """The enumeration attack: the answer for a known address is the unknown one's."""
    answers = [_sign_up(session, email=email) for email in ("alice@example.com", "new@example.com")]
    assert answers == ["alice@example.com", "new@example.com"]
    # Alice is told someone tried, with a way back in; her account is untouched.
    reset = _mailed_link(session, "alice@example.com", sign_up.ALREADY_SUBJECT)
    assert urlsplit(reset).path == routes.RESET_PASSWORD
    assert reset_token_is_valid(session=session, raw_token=_token(reset))
    assert session.exec(select(User.display_name).where(User.email == alice.email)).one() == (
        alice.display_name
    )
    assert sign_in.log_in(
        session=session,
        email=alice.email,
        password=PASSWORD,
        client_ip="10.0.0.1",
        next_path="",
        cookie_header=BROWSER,
    )


def test_a_forged_or_expired_confirmation_link_makes_no_account(
    session: Session, admin: User, mail_captured: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sign_up(session)
    token = _token(_mailed_link(session, "nina@example.com", sign_up.CONFIRM_SUBJECT))
    for forged in ("", "nonsense", token[:-4] + "AAAA"):
        with pytest.raises(AccountError, match="expired or is not valid"):
            sign_in.confirm_sign_up(session=session, token=forged, cookie_header=BROWSER)
    monkeypatch.setattr(sign_up, "CONFIRMATION_LIFETIME", timedelta(seconds=-1))
    with pytest.raises(AccountError, match="expired or is not valid"):
        sign_in.confirm_sign_up(session=session, token=token, cookie_header=BROWSER)
    assert session.exec(select(User.email)).all() == [admin.email]


def test_the_first_admin_is_made_once_and_sent_to_the_users(session: Session) -> None:
    code = sign_in.create_first_admin(
        session=session,
        email="olga@example.com",
        password=PASSWORD,
        display_name="Olga",
        cookie_header=BROWSER,
    )
    assert _cookie_for(session, code)[1] == routes.ADMIN_USERS
    assert session.exec(select(User.role)).all() == [Role.ADMIN]
    with pytest.raises(ForbiddenError):
        sign_in.create_first_admin(
            session=session,
            email="eve@example.com",
            password=PASSWORD,
            display_name="",
            cookie_header=BROWSER,
        )


def test_a_browser_without_its_binding_cookie_gets_no_code_and_changes_nothing(
    session: Session, alice: User
) -> None:
    no_binding = f"{SESSION_COOKIE}=whatever"
    assert not sign_in.browser_is_ready(no_binding)
    assert sign_in.browser_is_ready(BROWSER)
    with pytest.raises(AccountError, match="allow cookies for this site"):
        sign_in.log_in(
            session=session,
            email=alice.email,
            password=PASSWORD,
            client_ip="10.0.0.1",
            next_path="",
            cookie_header=no_binding,
        )
    with pytest.raises(AccountError, match="allow cookies for this site"):
        sign_in.confirm_sign_up(session=session, token="any", cookie_header=no_binding)
    assert session.exec(select(LoginAttempt)).all() == []
    assert session.exec(select(User.email)).all() == [alice.email]


def test_a_code_from_one_browser_does_not_log_in_another(session: Session, alice: User) -> None:
    code = sign_in.log_in(
        session=session,
        email=alice.email,
        password=PASSWORD,
        client_ip="10.0.0.1",
        next_path="",
        cookie_header=BROWSER,
    )
    with pytest.raises(WrongBrowserError):
        do_redeem_login_code(session=session, raw_code=code, browser_binding="another browser")


def test_a_reset_request_checks_the_address_and_mails_known_ones(
    session: Session, alice: User, env
) -> None:
    env(SMTP_HOST=None)
    with pytest.raises(AccountError, match="valid email address"):
        sign_in.request_password_reset(
            session=session, email="alice at example", client_ip="10.0.0.1"
        )
    assert sign_in.request_password_reset(
        session=session, email="nobody@example.com", client_ip="10.0.0.1"
    ) == ("nobody@example.com")
    assert session.exec(select(OutboxItem)).all() == []
    assert sign_in.request_password_reset(
        session=session, email=" alice@example.com", client_ip="10.0.0.1"
    ) == ("alice@example.com")
    assert [m.recipient for m in session.exec(select(OutboxItem)).all()] == ["alice@example.com"]


def test_pages_call_without_a_session(app_database: str, session: Session, alice: User) -> None:
    """What a page does: no session passed, the use case opens and commits its own."""
    code = sign_in.log_in(
        email=alice.email,
        password=PASSWORD,
        client_ip="10.0.0.1",
        next_path="",
        cookie_header=BROWSER,
    )
    cookie, _ = _cookie_for(session, code)
    assert sign_in.visit(cookie).viewer.email == alice.email
