"""Settings read from the environment (and an optional `.env`), in one place.

Every setting has a safe default so that a fresh clone runs with no set-up:
a SQLite file, the provider sandbox, and a secret key generated once into an
ignored file.
"""

from __future__ import annotations

import functools
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR_DEFAULT = PROJECT_ROOT / ".meetings_data"
SECRET_KEY_FILE = PROJECT_ROOT / ".meetings_secret_key"


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _text(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def _local_secret_key() -> str:
    """Return the development key, generating it once so restarts keep tokens readable."""
    if SECRET_KEY_FILE.exists():
        return SECRET_KEY_FILE.read_text().strip()
    key = secrets.token_urlsafe(32)
    SECRET_KEY_FILE.write_text(key + "\n")
    SECRET_KEY_FILE.chmod(0o600)
    return key


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str
    secret_key: str
    app_url: str
    backend_url: str
    app_domain: str
    sandbox_url: str
    google_client_id: str
    google_client_secret: str
    microsoft_client_id: str
    microsoft_client_secret: str
    microsoft_tenant: str
    smtp_host: str
    smtp_port: int
    smtp_username: str
    smtp_password: str
    smtp_from: str
    demo_mode: bool

    @property
    def uses_google_sandbox(self) -> bool:
        return not (self.google_client_id and self.google_client_secret)

    @property
    def uses_microsoft_sandbox(self) -> bool:
        return not (self.microsoft_client_id and self.microsoft_client_secret)

    @property
    def uses_sandbox(self) -> bool:
        """True when any provider is served by the local sandbox (the UI says so)."""
        return self.uses_google_sandbox or self.uses_microsoft_sandbox

    @property
    def captures_mail(self) -> bool:
        """Without SMTP, mail goes to the local outbox instead of the network."""
        return not self.smtp_host


def load_settings() -> Settings:
    load_dotenv(PROJECT_ROOT / ".env", override=False)
    DATA_DIR_DEFAULT.mkdir(exist_ok=True)
    app_url = _text("MEETINGS_APP_URL", "http://localhost:3000").rstrip("/")
    backend_url = _text("MEETINGS_BACKEND_URL", "http://localhost:8000").rstrip("/")
    return Settings(
        database_url=_text("DATABASE_URL", f"sqlite:///{DATA_DIR_DEFAULT / 'meetings.db'}"),
        redis_url=_text("REDIS_URL"),
        secret_key=_text("MEETINGS_SECRET_KEY") or _local_secret_key(),
        app_url=app_url,
        backend_url=backend_url,
        app_domain=_text("MEETINGS_APP_DOMAIN", app_url.split("://", 1)[-1]),
        # Where the provider sandbox answers (mounted on the backend by default).
        sandbox_url=_text("MEETINGS_SANDBOX_URL", f"{backend_url}/_sandbox").rstrip("/"),
        google_client_id=_text("GOOGLE_CLIENT_ID"),
        google_client_secret=_text("GOOGLE_CLIENT_SECRET"),
        microsoft_client_id=_text("MICROSOFT_CLIENT_ID"),
        microsoft_client_secret=_text("MICROSOFT_CLIENT_SECRET"),
        microsoft_tenant=_text("MICROSOFT_TENANT", "common"),
        smtp_host=_text("SMTP_HOST"),
        smtp_port=int(_text("SMTP_PORT", "587")),
        smtp_username=_text("SMTP_USERNAME"),
        smtp_password=_text("SMTP_PASSWORD"),
        smtp_from=_text("SMTP_FROM", "Meetings <meetings@localhost>"),
        demo_mode=_flag("MEETINGS_DEMO", False),
    )


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings; tests call `get_settings.cache_clear()` after changing env."""
    return load_settings()
