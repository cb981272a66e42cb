from __future__ import annotations

import pytest

from meetings_ui.crypto import UndecryptableError, decrypt_json, encrypt_json


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
