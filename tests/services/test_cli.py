"""The operator CLI against the test database: what it prints, what it stores, how it fails."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from meetings_ui.cli import main
from meetings_ui.config import get_settings
from meetings_ui.domain.enums import Role
from meetings_ui.models import Seat, User
from meetings_ui.services.api_keys import authenticate_api_key


def test_create_user_then_key_then_seat(app_database: str, session: Session, capsys) -> None:
    assert (
        main(
            [
                "create-user",
                "--email",
                " Ops@Example.com",
                "--password",
                "long password!",
                "--admin",
            ]
        )
        == 0
    )
    assert "Created admin ops@example.com" in capsys.readouterr().out
    user = session.exec(select(User)).one()
    assert (user.email, user.role) == ("ops@example.com", Role.ADMIN)

    assert main(["create-api-key", "--email", "ops@example.com"]) == 0
    raw_key = capsys.readouterr().out.splitlines()[-1]
    assert authenticate_api_key(session=session, raw_key=raw_key).id == user.id

    assert main(["grant-seat", "--email", "OPS@Example.com", "--seat", "cms_enterprise"]) == 0
    assert "ops@example.com now holds a CMS Hub Enterprise seat" in capsys.readouterr().out
    seat = session.exec(select(Seat)).one()
    assert (seat.hub, seat.tier) == ("cms", "enterprise")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["create-user", "--email", "bad", "--password", "long password!"], "not an email"),
        (
            ["create-user", "--email", "a@example..com", "--password", "long password!"],
            "not an email",
        ),
        (
            [
                *("create-user", "--email", "a@example.com", "--password", "long password!"),
                *("--name", "Ops\r\nBEGIN:VEVENT"),
            ],
            "control characters",
        ),
        (["create-user", "--email", "a@example.com", "--password", "short"], "at least 10"),
        (["create-api-key", "--email", "nobody@example.com"], "No account with the email"),
        (["grant-seat", "--email", "nobody@example.com", "--seat", "sales_pro"], "No account"),
        (
            ["grant-seat", "--email", "a@example.com", "--seat", "cms_starter"],
            "not sold as Starter",
        ),
        (["grant-seat", "--email", "a@example.com", "--seat", "gold"], "Unknown seat"),
    ],
)
def test_bad_input_exits_non_zero_with_what_to_fix(
    app_database: str, session: Session, capsys, argv: list[str], message: str
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert session.exec(select(Seat)).all() == []
    assert session.exec(select(User)).all() == []


def test_a_duplicate_account_is_refused(app_database: str, capsys) -> None:
    argv = ["create-user", "--email", "a@example.com", "--password", "long password!"]
    assert main(argv) == 0
    assert main(argv) == 2
    assert "already exists" in capsys.readouterr().err


def test_missing_arguments_are_usage_errors(app_database: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["create-user", "--email", "a@example.com"])
    assert exit_info.value.code == 2


def test_a_name_is_stored_as_typed_on_one_line(app_database: str, session: Session) -> None:
    argv = ["create-user", "--email", "zoe@example.com", "--password", "long password!"]
    assert main([*argv, "--name", " Zoë: Z; 🎉 "]) == 0
    assert session.exec(select(User)).one().display_name == "Zoë: Z; 🎉"


def test_the_demo_is_refused_on_a_public_url(
    app_database: str, session: Session, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """`make run` on a server with its public URL set: the demo's seed step stops, naming
    both settings, before a known admin password exists."""
    monkeypatch.setenv("MEETINGS_DEMO", "1")
    monkeypatch.setenv("MEETINGS_APP_URL", "https://meet.example.com")
    get_settings.cache_clear()
    assert main(["seed-demo"]) == 2
    error = capsys.readouterr().err
    assert "MEETINGS_DEMO" in error and "MEETINGS_APP_URL" in error
    assert session.exec(select(User)).all() == []
