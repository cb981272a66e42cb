"""Sign-up, the first admin, operator-created users, log-in checks and profiles."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from meetings_ui.domain.enums import Role
from meetings_ui.models import AuditEvent, User
from meetings_ui.services import accounts
from meetings_ui.services.accounts import (
    AccountError,
    LoginRefusedError,
    do_check_credentials,
    do_create_first_admin,
    do_create_user,
    do_update_profile,
    needs_first_admin,
    new_account,
)
from meetings_ui.services.guard import OPERATOR, ForbiddenError
from meetings_ui.services.passwords import hash_password
from tests.services.conftest import PASSWORD


def do_sign_up(*, session: Session, email: str, password: str, display_name: str) -> User:
    """A sign-up's form checked, then its account made (as a confirmed link does)."""
    account = new_account(email=email, password=password, display_name=display_name)
    return accounts.do_sign_up(session=session, account=account)


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
        ("pat@example..com", PASSWORD, "is not an email address"),
        ("pat @example.com", PASSWORD, "is not an email address"),
        ("pat@example.com\r\nBcc: x@example.com", PASSWORD, "is not an email address"),
        ("x" * 310 + "@example.com", PASSWORD, "too long"),
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


def test_an_address_is_one_account_whatever_the_case_or_the_domain_spelling(
    session: Session, admin: User
) -> None:
    """Stored and compared lower-cased after email-validator's normalisation (IDNA, NFC)."""
    user = do_sign_up(
        session=session, email="Ada.Lovelace@BÜCHER.de", password=PASSWORD, display_name=""
    )
    assert (user.email, user.display_name) == ("ada.lovelace@bücher.de", "ada.lovelace")
    for typed in ("ADA.LOVELACE@bücher.de", "ada.lovelace@xn--bcher-kva.de"):
        assert (
            do_check_credentials(session=session, email=typed, password=PASSWORD, client_ip="ip")
            == user
        )
    with pytest.raises(AccountError, match="already exists"):
        do_sign_up(
            session=session,
            email="ada.lovelace@xn--bcher-kva.DE",
            password=PASSWORD,
            display_name="",
        )


def test_an_account_stored_before_email_validator_can_still_log_in(session: Session) -> None:
    """A .local address passed the old check; email-validator refuses special-use domains."""
    legacy = User(email="ops@corp.local", display_name="Ops", password_hash=hash_password(PASSWORD))
    session.add(legacy)
    session.commit()
    found = do_check_credentials(
        session=session, email=" Ops@Corp.local ", password=PASSWORD, client_ip="ip"
    )
    assert found.id == legacy.id


@pytest.mark.parametrize(
    "name", ["Eve\rMallory", "Eve\r\nBEGIN:VEVENT", "Eve\nBcc: x@example.com", "Nul\x00", "x" * 201]
)
def test_a_name_with_control_characters_is_refused_everywhere(
    session: Session, admin: User, alice: User, name: str
) -> None:
    attempts = [
        lambda: do_sign_up(
            session=session, email="new@example.com", password=PASSWORD, display_name=name
        ),
        lambda: do_create_user(
            session=session,
            actor=OPERATOR,
            email="new@example.com",
            password=PASSWORD,
            display_name=name,
        ),
        lambda: do_update_profile(
            session=session, actor=alice, user_id=alice.id, display_name=name, time_zone="UTC"
        ),
    ]
    for attempt in attempts:
        with pytest.raises(AccountError) as refused:
            attempt()
        assert refused.value.field == "name"
    session.expire_all()
    assert session.get(User, alice.id).display_name == alice.display_name
    assert session.exec(select(User).where(User.email == "new@example.com")).all() == []


def test_the_first_admin_name_is_checked_too(session: Session) -> None:
    with pytest.raises(AccountError, match="control characters") as refused:
        do_create_first_admin(
            session=session, email="boss@example.com", password=PASSWORD, display_name="B\ross"
        )
    assert refused.value.field == "name"
    assert needs_first_admin(session=session)


def test_names_with_punctuation_and_any_script_are_kept_as_typed(
    session: Session, admin: User
) -> None:
    user = do_sign_up(
        session=session, email="zoe@example.com", password=PASSWORD, display_name=" Zoë: Z; 🎉 "
    )
    assert user.display_name == "Zoë: Z; 🎉"
