"""Random secrets for links and cookies, and the digests under which they are stored.

A random 256-bit token looked up by its SHA-256 is as strong as a signature and
can be revoked: a database leak reveals no usable cookie, code or link.
"""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
