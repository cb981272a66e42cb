"""Encryption at rest for OAuth tokens (Fernet: AES-128-CBC + HMAC-SHA256), and signed
tokens for links sent to prospects (cancel, reschedule).

The Fernet key is derived from MEETINGS_SECRET_KEY with HKDF, so operators can use any
long random string. A token encrypted under another key fails loudly, never silently.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from meetings_ui.config import get_settings


class UndecryptableError(Exception):
    """The stored secret was encrypted with another key, or was tampered with."""


@functools.lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"meetings", info=b"oauth-token-encryption"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt_json(value: dict[str, Any], *, secret_key: str | None = None) -> str:
    key = secret_key or get_settings().secret_key
    return _fernet(key).encrypt(json.dumps(value).encode()).decode("ascii")


def decrypt_json(token: str, *, secret_key: str | None = None) -> dict[str, Any]:
    key = secret_key or get_settings().secret_key
    try:
        return json.loads(_fernet(key).decrypt(token.encode("ascii")))
    except (InvalidToken, ValueError) as error:
        raise UndecryptableError("Stored credentials cannot be decrypted with this key") from error


def _signing_key(secret_key: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"meetings", info=b"link-signing"
    ).derive(secret_key.encode())


def sign(purpose: str, value: str, *, secret_key: str | None = None) -> str:
    """An unguessable token binding `value` to `purpose` (e.g. cancelling booking 12)."""
    key = _signing_key(secret_key or get_settings().secret_key)
    mac = hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).digest()
    return f"{value}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def unsign(purpose: str, token: str, *, secret_key: str | None = None) -> str | None:
    """The value signed in `token` for `purpose`, or None if it was not signed by us."""
    value, _, _ = (token or "").rpartition(".")
    if not value:
        return None
    expected = sign(purpose, value, secret_key=secret_key)
    return value if hmac.compare_digest(expected, token) else None
