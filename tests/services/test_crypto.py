"""OAuth tokens sealed at rest; prospect links signed by itsdangerous."""

from __future__ import annotations

import re

import pytest

from meetings_ui.crypto import UndecryptableError, decrypt_json, encrypt_json, sign, unsign


def test_round_trip_and_no_clear_text() -> None:
    secret = {"refresh_token": "1//very-secret-refresh-token"}
    sealed = encrypt_json(secret, secret_key="key-one")
    assert "very-secret" not in sealed
    assert decrypt_json(sealed, secret_key="key-one") == secret


def test_another_key_or_tampering_fails_loudly() -> None:
    sealed = encrypt_json({"a": 1}, secret_key="key-one")
    with pytest.raises(UndecryptableError):
        decrypt_json(sealed, secret_key="key-two")
    with pytest.raises(UndecryptableError):
        decrypt_json(sealed[:-4] + "AAAA", secret_key="key-one")


def test_a_signed_value_comes_back_only_for_its_purpose_and_key() -> None:
    token = sign("cancel-booking", 12, secret_key="key-one")
    assert re.fullmatch(r"[A-Za-z0-9_.-]+", token)  # goes into a URL as it is
    assert unsign("cancel-booking", token, secret_key="key-one") == 12
    assert unsign("reschedule-booking", token, secret_key="key-one") is None
    assert unsign("cancel-booking", token, secret_key="key-two") is None


TOKEN = sign("cancel-booking", 12, secret_key="key-one")
PAYLOAD, SIGNATURE = TOKEN.split(".")
OTHER_PAYLOAD = sign("cancel-booking", 13, secret_key="key-one").split(".")[0]


@pytest.mark.parametrize(
    "tampered",
    [
        f"{PAYLOAD}.{'B' if SIGNATURE.startswith('A') else 'A'}{SIGNATURE[1:]}",
        f"{OTHER_PAYLOAD}.{SIGNATURE}",
        PAYLOAD,
        "",
        "...",
    ],
    ids=["signature", "payload swapped", "no signature", "empty", "dots"],
)
def test_a_tampered_token_is_refused(tampered: str) -> None:
    assert unsign("cancel-booking", tampered, secret_key="key-one") is None


def test_links_emailed_by_the_previous_release_keep_working() -> None:
    """A cancel link as the hand-written signer made it ("<id>.<HMAC-SHA256>")."""
    key = "an old release's secret key, long and random"
    emailed = "12.y0fkMSwdNRDRk319YqTao6lSiXTBwzw6IuTLrEljgvY"
    assert unsign("cancel-booking", emailed, secret_key=key) == 12
    assert unsign("view-booking", emailed, secret_key=key) is None  # another purpose
    assert unsign("cancel-booking", "13" + emailed[2:], secret_key=key) is None
    assert unsign("cancel-booking", emailed, secret_key="another key entirely") is None
