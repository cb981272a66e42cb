"""Password reset: a mailed single-use link, one hour, stored hashed."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from meetings_ui.models import OutboxItem, PasswordResetToken, User, UserSession, utc_now
from meetings_ui.services.accounts import AccountError, do_check_credentials
from meetings_ui.services.password_reset import (
    RESET_SUBJECT,
    do_request_password_reset,
    do_reset_password,
    reset_token_is_valid,
)
from meetings_ui.services.sessions import do_issue_login_code, do_redeem_login_code
from meetings_ui.services.tokens import digest
from tests.services.conftest import PASSWORD

NEW_PASSWORD = "a brand new password"


@pytest.fixture(autouse=True)
def _local_outbox(env) -> None:
    env(SMTP_HOST=None, MEETINGS_APP_URL="https://meet.example.org")


def _token_from_outbox(session: Session) -> str:
    """The link in the queued reset email."""
    mail = session.exec(select(OutboxItem)).one()
    assert mail.summary == RESET_SUBJECT
    link = next(word for word in mail.payload["text"].split() if word.startswith("https://"))
    assert link.startswith("https://meet.example.org/reset-password?token=")
    return parse_qs(urlsplit(link).query)["token"][0]


def test_the_mailed_link_sets_a_new_password_once(session: Session, alice: User) -> None:
    do_request_password_reset(session=session, email=" ALICE@example.com ")
    token = _token_from_outbox(session)
    assert session.exec(select(PasswordResetToken)).one().token_hash == digest(token)
    assert reset_token_is_valid(session=session, raw_token=token)

    do_reset_password(session=session, raw_token=token, new_password=NEW_PASSWORD)
    assert do_check_credentials(
        session=session, email=alice.email, password=NEW_PASSWORD, client_ip="ip"
    )
    assert not reset_token_is_valid(session=session, raw_token=token)
    with pytest.raises(AccountError, match="expired or was already used"):
        do_reset_password(session=session, raw_token=token, new_password="another password!")


def test_unknown_emails_get_no_mail_and_no_hint(session: Session, alice: User) -> None:
    do_request_password_reset(session=session, email="nobody@example.com")
    assert session.exec(select(OutboxItem)).all() == []


def test_an_expired_link_is_refused(session: Session, alice: User) -> None:
    do_request_password_reset(session=session, email=alice.email)
    token = _token_from_outbox(session)
    session.execute(
        sa.update(PasswordResetToken).values(expires_at=utc_now() - timedelta(seconds=1))
    )
    session.commit()
    with pytest.raises(AccountError, match="expired"):
        do_reset_password(session=session, raw_token=token, new_password=NEW_PASSWORD)
    assert do_check_credentials(
        session=session, email=alice.email, password=PASSWORD, client_ip="i"
    )


def test_a_too_short_password_keeps_the_link_usable(session: Session, alice: User) -> None:
    do_request_password_reset(session=session, email=alice.email)
    token = _token_from_outbox(session)
    with pytest.raises(AccountError, match="at least 10 characters"):
        do_reset_password(session=session, raw_token=token, new_password="short")
    assert reset_token_is_valid(session=session, raw_token=token)


def test_a_reset_logs_every_device_out(session: Session, alice: User) -> None:
    code = do_issue_login_code(
        session=session, user_id=alice.id, next_path="", browser_binding="alice's browser"
    )
    do_redeem_login_code(session=session, raw_code=code, browser_binding="alice's browser")
    do_request_password_reset(session=session, email=alice.email)
    do_reset_password(
        session=session, raw_token=_token_from_outbox(session), new_password=NEW_PASSWORD
    )
    assert session.exec(select(UserSession)).all() == []


def test_a_forged_token_is_refused(session: Session, alice: User) -> None:
    assert not reset_token_is_valid(session=session, raw_token="forged")
    with pytest.raises(AccountError, match="expired"):
        do_reset_password(session=session, raw_token="forged", new_password=NEW_PASSWORD)


def test_the_address_is_matched_as_at_log_in(session: Session, alice: User) -> None:
    """The lookup uses the stored form (see accounts.normalise_email): any case, IDNA
    domains, and accounts stored before email-validator refused their domain."""
    legacy = User(email="ops@corp.local", display_name="Ops")
    session.add(legacy)
    session.commit()
    for typed in ("ALICE@EXAMPLE.COM", " Ops@Corp.Local", "not an address", ""):
        do_request_password_reset(session=session, email=typed)
    assert sorted(m.recipient for m in session.exec(select(OutboxItem)).all()) == [
        "alice@example.com",
        "ops@corp.local",
    ]
