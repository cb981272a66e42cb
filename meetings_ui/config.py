"""Settings read from the environment (and an optional `.env`), in one place.

Every setting has a safe default so that a fresh clone runs with no set-up: a SQLite file
and a secret key generated once into an ignored file. What is made for trying the app (demo
mode, the provider sandbox) is off unless a setting turns it on. A value that is set but
wrong (a URL that is not one, a port that is not a number, demo mode on a public URL) stops
the app at start-up with the variable's name, instead of failing later somewhere else. An
empty variable counts as unset.
"""

from __future__ import annotations

import functools
import ipaddress
import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from meetings_ui import routes

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR_DEFAULT = PROJECT_ROOT / ".meetings_data"
SECRET_KEY_FILE = PROJECT_ROOT / ".meetings_secret_key"

# The provider sandbox's OAuth client and msal authority. They live here, not in the
# sandbox, so that the connectors configure themselves without importing the sandbox:
# the sandbox imports them from here to check what clients send.
SANDBOX_CLIENT_ID = "sandbox-client"
SANDBOX_CLIENT_SECRET = "sandbox-secret"  # noqa: S105  (a public, documented sandbox value)
# msal accepts only https authorities: in sandbox mode it is given this host, and the
# requests session handed to msal sends it to the sandbox (see providers/microsoft.py).
MICROSOFT_AUTHORITY_HOST = "https://login.sandbox.invalid"
# The demo host's Google account in the sandbox and the standing grant it gave Meetings:
# the demo workspace is seeded before the app (and so the sandbox) runs, and the sandbox
# forgets everything on restart, so the grant is one the sandbox always seeds.
SANDBOX_DEMO_GOOGLE_EMAIL = "host@example.com"
SANDBOX_DEMO_REFRESH_TOKEN = "grt-sandbox-demo-host"  # noqa: S105  (public, like the above)
# Demo mode publishes a known admin password and the outbox: only for an app on this machine.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class ConfigurationError(ValueError):
    """A setting is present but unusable; the message names each variable and why."""


def _base_url(value: str) -> str:
    """An http(s) URL without query or fragment, kept without its trailing slash so that
    paths can be appended to it."""
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        raise ValueError(f"{value!r} has an invalid port") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an http:// or https:// URL (https://meet.example.com)")
    if parts.query or parts.fragment:
        raise ValueError(f"{value!r} must not have a query or a fragment")
    return value.rstrip("/")


BaseUrl = Annotated[str, AfterValidator(_base_url)]


def origin_of(url: str) -> str:
    """The origin a browser sends for pages under `url`: scheme, host and any port."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _origins(value: str) -> str:
    """A comma-separated list of origins (`https://meet.example.com`), kept as the
    browser writes them: no path, no trailing slash, lower case."""
    origins = [item.strip() for item in value.split(",") if item.strip()]
    for origin in origins:
        _base_url(origin)
        if origin_of(origin) != origin.lower():
            raise ValueError(f"{origin!r} is not an origin: only scheme://host[:port], no path")
    return ",".join(origin.lower() for origin in origins)


Origins = Annotated[str, AfterValidator(_origins)]


def _nameservers(value: str) -> str:
    """Comma-separated DNS servers, each an IP address with an optional port:
    `1.1.1.1`, `127.0.0.1:5353`, `[::1]:5353`."""
    for item in (part.strip() for part in value.split(",")):
        if item:
            parse_nameserver(item)
    return value


def parse_nameserver(item: str) -> tuple[str, int]:
    """One DNS server of MEETINGS_DNS_RESOLVER as (address, port); port 53 by default."""
    address, port = item, "53"
    if item.startswith("["):
        address, _, rest = item[1:].partition("]")
        port = rest.removeprefix(":") or "53"
    elif item.count(":") == 1:
        address, port = item.split(":")
    try:
        ipaddress.ip_address(address)
    except ValueError:
        raise ValueError(f"{item!r} is not an IP address with an optional :port") from None
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(f"{item!r} has an invalid port")
    return address, int(port)


Nameservers = Annotated[str, AfterValidator(_nameservers)]


def _local_secret_key() -> str:
    """Return the development key, generating it once so restarts keep tokens readable."""
    if SECRET_KEY_FILE.exists():
        return SECRET_KEY_FILE.read_text().strip()
    key = secrets.token_urlsafe(32)
    SECRET_KEY_FILE.write_text(key + "\n")
    SECRET_KEY_FILE.chmod(0o600)
    return key


def _default_database_url() -> str:
    DATA_DIR_DEFAULT.mkdir(exist_ok=True)
    return f"sqlite:///{DATA_DIR_DEFAULT / 'meetings.db'}"


class Settings(BaseSettings):
    """The app's settings; each field reads the environment variable named by its alias."""

    model_config = SettingsConfigDict(
        env_file=PROJECT_ROOT / ".env",
        env_file_encoding="utf-8",
        extra="ignore",  # .env may hold other tools' variables (TEST_DATABASE_URL, ...)
        frozen=True,
        case_sensitive=True,  # exactly the documented names, as os.environ has them
    )

    database_url: str = Field(
        default_factory=_default_database_url, validation_alias="DATABASE_URL"
    )
    # Connections each worker keeps to PostgreSQL (default: one per request thread,
    # see db.py); lower it when workers x pool would pass the server's max_connections.
    database_pool_size: int | None = Field(None, ge=1, validation_alias="DATABASE_POOL_SIZE")
    redis_url: str = Field("", validation_alias="REDIS_URL")
    secret_key: str = Field(
        default_factory=_local_secret_key, validation_alias="MEETINGS_SECRET_KEY", repr=False
    )
    app_url: BaseUrl = Field("http://localhost:3000", validation_alias="MEETINGS_APP_URL")
    backend_url: BaseUrl = Field("http://localhost:8000", validation_alias="MEETINGS_BACKEND_URL")
    # The origins whose pages may open the websocket and get CORS answers from the
    # backend: by default only the app's own (its pages are served from MEETINGS_APP_URL).
    allowed_origins_setting: Origins = Field(
        default_factory=lambda data: origin_of(data["app_url"]),
        validation_alias="MEETINGS_ALLOWED_ORIGINS",
    )
    # The built-in meeting domain: by default what follows the scheme of the app URL.
    app_domain: str = Field(
        default_factory=lambda data: data["app_url"].split("://", 1)[-1],
        validation_alias="MEETINGS_APP_DOMAIN",
    )
    # The provider sandbox: off unless turned on (the demo and the tests do), and then
    # mounted on the backend; its control API answers only with this bearer token.
    sandbox: bool = Field(False, validation_alias="MEETINGS_SANDBOX")
    sandbox_token: str = Field("", validation_alias="MEETINGS_SANDBOX_TOKEN", repr=False)
    sandbox_url: BaseUrl = Field(
        default_factory=lambda data: f"{data['backend_url']}/_sandbox",
        validation_alias="MEETINGS_SANDBOX_URL",
    )
    google_client_id: str = Field("", validation_alias="GOOGLE_CLIENT_ID")
    google_client_secret: str = Field("", validation_alias="GOOGLE_CLIENT_SECRET", repr=False)
    microsoft_client_id: str = Field("", validation_alias="MICROSOFT_CLIENT_ID")
    microsoft_client_secret: str = Field("", validation_alias="MICROSOFT_CLIENT_SECRET", repr=False)
    microsoft_tenant: str = Field("common", validation_alias="MICROSOFT_TENANT")
    smtp_host: str = Field("", validation_alias="SMTP_HOST")
    smtp_port: int = Field(587, ge=1, le=65535, validation_alias="SMTP_PORT")
    smtp_username: str = Field("", validation_alias="SMTP_USERNAME")
    smtp_password: str = Field("", validation_alias="SMTP_PASSWORD", repr=False)
    smtp_from: str = Field("Meetings <meetings@localhost>", validation_alias="SMTP_FROM")
    demo_mode: bool = Field(False, validation_alias="MEETINGS_DEMO")
    # How many reverse proxies of ours stand in front of the app (client_ip.py): 0 ignores
    # X-Forwarded-For, which any client can write.
    # A challenge on public booking and password-reset requests (services/challenges.py):
    # "none", "proof-of-work", or "package.module:Class" naming a CAPTCHA verifier.
    challenge: str = Field("none", validation_alias="MEETINGS_CHALLENGE")
    # Leading zero bits of sha256(challenge + nonce) a browser must find (2**N hashes).
    pow_difficulty: int = Field(16, ge=1, le=28, validation_alias="MEETINGS_POW_DIFFICULTY")
    trusted_proxy_hops: int = Field(0, ge=0, le=10, validation_alias="MEETINGS_TRUSTED_PROXY_HOPS")
    # Custom domains (services/domains.py): the DNS servers their records are checked
    # with (empty: the system's, from /etc/resolv.conf), how long a check may wait for
    # them, and the host their CNAME must point to (by default the app URL's host).
    dns_resolver: Nameservers = Field("", validation_alias="MEETINGS_DNS_RESOLVER")
    dns_timeout: float = Field(5.0, gt=0, le=60, validation_alias="MEETINGS_DNS_TIMEOUT")
    domain_target_setting: str = Field("", validation_alias="MEETINGS_DOMAIN_TARGET")
    # Development only: host names the development (Vite) server answers besides localhost,
    # comma-separated, to try custom domains on this machine (docs/custom-domains.md).
    dev_hosts_setting: str = Field("", validation_alias="MEETINGS_DEV_HOSTS")

    @field_validator("demo_mode")
    @classmethod
    def _demo_only_on_this_machine(cls, demo_mode: bool, info: ValidationInfo) -> bool:
        """Demo mode shows a known admin password and everyone's mail: refuse it for an app
        that others can reach (an invalid app URL reports its own error)."""
        app_url = info.data.get("app_url")
        if demo_mode and app_url and urlsplit(app_url).hostname not in LOCAL_HOSTS:
            raise ValueError(
                f"MEETINGS_DEMO is only allowed when MEETINGS_APP_URL is on localhost, "
                f"127.0.0.1 or [::1] (it is {app_url}): unset MEETINGS_DEMO"
            )
        return demo_mode

    @model_validator(mode="before")
    @classmethod
    def _blank_means_unset(cls, data: Any) -> Any:
        """Trim every value; an empty one falls back to its default, as `VAR=` in a .env
        or a shell usually means "not set"."""
        if not isinstance(data, dict):
            return data
        trimmed = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
        return {k: v for k, v in trimmed.items() if v != ""}

    @property
    def allowed_origins(self) -> tuple[str, ...]:
        return tuple(self.allowed_origins_setting.split(","))

    def origin_allowed(self, origin: str | None) -> bool:
        """Whether a browser page from `origin` may talk to the backend; a request with
        no Origin header is not from another site's page (curl, a server, a same-origin GET)."""
        return origin is None or origin.lower() in self.allowed_origins

    @property
    def domain_target(self) -> str:
        """The host a custom domain's CNAME points to."""
        return (self.domain_target_setting or urlsplit(self.app_url).hostname or "").lower()

    @property
    def nameservers(self) -> tuple[tuple[str, int], ...]:
        """MEETINGS_DNS_RESOLVER as (address, port) pairs; empty: the system's resolver."""
        items = (part.strip() for part in self.dns_resolver.split(","))
        return tuple(parse_nameserver(item) for item in items if item)

    @property
    def dev_hosts(self) -> tuple[str, ...]:
        return tuple(h.strip().lower() for h in self.dev_hosts_setting.split(",") if h.strip())

    @property
    def has_google_credentials(self) -> bool:
        return bool(self.google_client_id and self.google_client_secret)

    @property
    def has_microsoft_credentials(self) -> bool:
        return bool(self.microsoft_client_id and self.microsoft_client_secret)

    @property
    def uses_google_sandbox(self) -> bool:
        """Google goes to the sandbox only when the sandbox is on and Google has no client."""
        return self.sandbox and not self.has_google_credentials

    @property
    def uses_microsoft_sandbox(self) -> bool:
        return self.sandbox and not self.has_microsoft_credentials

    def oauth_callback_url(self, provider: str) -> str:
        """Where a provider sends the browser back after consent (registered with it)."""
        return f"{self.backend_url}{routes.oauth_callback(provider)}"

    @property
    def captures_mail(self) -> bool:
        """Without SMTP, mail goes to the local outbox instead of the network."""
        return not self.smtp_host


def production_problems(settings: Settings) -> list[str]:
    """What stops `make serve`: each missing or unsafe setting, with what to set instead.
    The development defaults (a SQLite file, a generated key, localhost URLs) are refused."""
    given = settings.model_fields_set
    problems = []
    if "database_url" not in given or not settings.database_url.startswith("postgresql"):
        problems.append("DATABASE_URL must name the PostgreSQL database (postgresql://...)")
    if "redis_url" not in given:
        problems.append("REDIS_URL must name the Redis server the workers share (redis://...)")
    if "secret_key" not in given or len(settings.secret_key) < 32:
        problems.append(
            "MEETINGS_SECRET_KEY must be set, at least 32 characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    if "app_url" not in given:
        problems.append("MEETINGS_APP_URL must be the address people open (https://...)")
    elif settings.backend_url != settings.app_url:
        problems.append(
            f"MEETINGS_BACKEND_URL must equal MEETINGS_APP_URL ({settings.app_url}): "
            "in production the pages and the backend share one address"
        )
    if settings.demo_mode:
        problems.append("MEETINGS_DEMO must be unset: demo mode is for trying the app")
    return problems


def load_settings() -> Settings:
    """Read the settings now; a bad value raises `ConfigurationError` naming the variable."""
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
            for problem in error.errors(include_url=False)
            # A derived default (app_domain, sandbox_url) is skipped when what it derives
            # from is wrong: that value's own error says what to fix.
            if problem["type"] != "default_factory_not_called"
        )
        raise ConfigurationError(
            f"Invalid configuration (environment or .env): {problems}"
        ) from None


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings; tests call `get_settings.cache_clear()` after changing env."""
    return load_settings()
