"""Sign-up, the first admin, operator-created users, log-in checks and profiles."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from meetings_ui.domain.enums import Role
from meetings_ui.models import AuditEvent, User
from meetings_ui.services.accounts import (
    AccountError,
    LoginRefusedError,
    do_check_credentials,
    do_create_first_admin,
    do_sign_up,
    do_update_profile,
    needs_first_admin,
)
from meetings_ui.services.guard import ForbiddenError
from tests.services.conftest import PASSWORD


def test_a_fresh_workspace_needs_its_first_admin_once(session: Session) -> None:
    assert needs_first_admin(session=session)
    with pytest.raises(ForbiddenError, match="create the first admin"):
        do_sign_up(session=session, email="early@example.com", password=PASSWORD, display_name="")
    admin = do_create_first_admin(
        session=session, email=" Boss@Example.COM ", password=PASSWORD, display_name="Boss"
    )
    assert (admin.email, admin.role) == ("boss@example.com", Role.ADMIN)
    assert not needs_first_admin(session=session)
    with pytest.raises(ForbiddenError, match="already has an admin"):
        do_create_first_admin(
            session=session, email="second@example.com", password=PASSWORD, display_name=""
        )
    assert session.exec(select(User)).all() == [admin]


def test_sign_up_normalises_the_email_and_makes_a_plain_user(session: Session, admin: User) -> None:
    user = do_sign_up(
        session=session, email="  Hugo@Example.com", password=PASSWORD, display_name=""
    )
    assert user.email == "hugo@example.com"
    assert user.role == Role.USER
    assert user.display_name == "hugo"
    assert user.password_hash != PASSWORD
    actions = session.exec(select(AuditEvent.action)).all()
    assert "user.signed_up" in actions


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("", PASSWORD, "Enter your email"),
        ("not-an-email", PASSWORD, "is not an email address"),
        ("a@b", PASSWORD, "is not an email address"),
        ("two@@example.com", PASSWORD, "is not an email address"),
        ("ok@example.com", "short", r"at least 10 characters .*this one has 5"),
        ("ok@example.com", "x" * 257, "at most 256"),
        ("ok@example.com", "OK@example.com", "Don't use your email"),
    ],
)
def test_bad_sign_ups_say_what_to_fix_and_store_nothing(
    session: Session, admin: User, email: str, password: str, message: str
) -> None:
    with pytest.raises(AccountError, match=message):
        do_sign_up(session=session, email=email, password=password, display_name="")
    assert [u.email for u in session.exec(select(User)).all()] == ["admin@example.com"]


def test_an_email_has_one_account_whatever_its_case(session: Session, alice: User) -> None:
    with pytest.raises(AccountError, match="already exists") as error:
        do_sign_up(session=session, email="ALICE@example.com", password=PASSWORD, display_name="")
    assert error.value.field == "email"


def test_credentials_are_checked_without_saying_which_one_was_wrong(
    session: Session, alice: User
) -> None:
    assert (
        do_check_credentials(
            session=session, email=" Alice@Example.com", password=PASSWORD, client_ip="1.1.1.1"
        ).id
        == alice.id
    )
    for email, password in [("alice@example.com", "wrong password"), ("nobody@x.io", PASSWORD)]:
        with pytest.raises(LoginRefusedError, match="Wrong email or password"):
            do_check_credentials(session=session, email=email, password=password, client_ip="ip")


def test_a_deactivated_account_cannot_log_in(session: Session, alice: User) -> None:
    alice.is_active = False
    session.add(alice)
    session.commit()
    with pytest.raises(LoginRefusedError):
        do_check_credentials(
            session=session, email=alice.email, password=PASSWORD, client_ip="1.1.1.1"
        )


def test_users_change_their_own_profile(session: Session, alice: User) -> None:
    updated = do_update_profile(
        session=session,
        actor=alice,
        user_id=alice.id,
        display_name=" Alice A. ",
        time_zone="Europe/Paris",
    )
    assert (updated.display_name, updated.time_zone) == ("Alice A.", "Europe/Paris")


@pytest.mark.parametrize(
    ("name", "zone", "message"),
    [("", "UTC", "Enter your name"), ("A", "Mars/Olympus", "Unknown time zone")],
)
def test_bad_profiles_are_refused_and_change_nothing(
    session: Session, alice: User, name: str, zone: str, message: str
) -> None:
    with pytest.raises(AccountError, match=message):
        do_update_profile(
            session=session, actor=alice, user_id=alice.id, display_name=name, time_zone=zone
        )
    session.expire_all()
    assert session.get(User, alice.id).time_zone == "UTC"
