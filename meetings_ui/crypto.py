"""Encryption at rest for OAuth tokens (Fernet: AES-128-CBC + HMAC-SHA256), and signed
tokens for links sent to prospects (cancel, reschedule, view), made by itsdangerous.

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
from itsdangerous import BadData, URLSafeSerializer

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


def decrypt_json(
    token: str, *, secret_key: str | None = None, max_age: int | None = None
) -> dict[str, Any]:
    """The value `encrypt_json` made; with `max_age` (seconds) an older token is refused."""
    key = secret_key or get_settings().secret_key
    try:
        return json.loads(_fernet(key).decrypt(token.encode("ascii"), ttl=max_age))
    except (InvalidToken, ValueError) as error:
        raise UndecryptableError("Stored credentials cannot be decrypted with this key") from error


def _serializer(purpose: str, secret_key: str | None) -> URLSafeSerializer:
    """One salt per purpose, so a token made for one action is refused for another."""
    return URLSafeSerializer(
        secret_key or get_settings().secret_key,
        salt=purpose,
        signer_kwargs={"digest_method": hashlib.sha256},
    )


def sign(purpose: str, value: Any, *, secret_key: str | None = None) -> str:
    """A URL-safe token carrying `value` (any JSON value) for `purpose`, e.g. cancelling
    booking 12. Readable by anyone, forgeable by nobody without the secret key."""
    return _serializer(purpose, secret_key).dumps(value)


def unsign(purpose: str, token: str, *, secret_key: str | None = None) -> Any | None:
    """The value signed in `token` for `purpose`, or None if we did not sign it for that."""
    key = secret_key or get_settings().secret_key
    number, _, mac = (token or "").partition(".")
    if number.isdecimal() and mac:
        return _legacy_unsign(purpose, number, mac, key)
    try:
        return _serializer(purpose, key).loads(token or "")
    except BadData:
        return None


def _legacy_unsign(purpose: str, number: str, mac: str, secret_key: str) -> int | None:
    """The id in a link emailed before tokens were made by itsdangerous ("<id>.<HMAC>"):
    those links keep working. New tokens never start with a bare number (their payload is
    base64), so the two formats cannot be confused."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"meetings", info=b"link-signing").derive(
        secret_key.encode()
    )
    digest = hmac.new(key, f"{purpose}:{number}".encode(), hashlib.sha256).digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return int(number) if hmac.compare_digest(expected, mac) else None
