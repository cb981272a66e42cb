"""Settings come from the environment and .env with the README's names and defaults; a
value that is set but wrong stops start-up with the variable's name."""

from __future__ import annotations

from pathlib import Path

import pytest

from meetings_ui import cli
from meetings_ui.config import (
    ConfigurationError,
    Settings,
    get_settings,
    load_settings,
    production_problems,
)

VARIABLES = (
    "DATABASE_URL",
    "DATABASE_POOL_SIZE",
    "MEETINGS_ALLOWED_ORIGINS",
    "REDIS_URL",
    "MEETINGS_SECRET_KEY",
    "MEETINGS_APP_URL",
    "MEETINGS_BACKEND_URL",
    "MEETINGS_APP_DOMAIN",
    "MEETINGS_SANDBOX_URL",
    "MEETINGS_SANDBOX",
    "MEETINGS_SANDBOX_TOKEN",
    "MEETINGS_DEMO",
    "GOOGLE_CLIENT_ID",
    "GOOGLE_CLIENT_SECRET",
    "MICROSOFT_CLIENT_ID",
    "MICROSOFT_CLIENT_SECRET",
    "MICROSOFT_TENANT",
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_USERNAME",
    "SMTP_PASSWORD",
    "SMTP_FROM",
)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No setting in the environment, and no project .env read."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setitem(Settings.model_config, "env_file", None)
    return monkeypatch


def test_defaults_run_a_fresh_clone(clean_env: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith(".meetings_data/meetings.db")
    assert settings.app_url == "http://localhost:3000"
    assert settings.backend_url == "http://localhost:8000"
    assert settings.app_domain == "localhost:3000"
    assert settings.sandbox_url == "http://localhost:8000/_sandbox"
    assert settings.secret_key  # generated once into the ignored key file
    assert settings.microsoft_tenant == "common"
    assert settings.smtp_port == 587
    assert settings.smtp_from == "Meetings <meetings@localhost>"
    assert settings.demo_mode is False
    assert settings.sandbox is False and settings.sandbox_token == ""
    assert not (settings.uses_google_sandbox or settings.uses_microsoft_sandbox)
    assert settings.captures_mail


def test_environment_values_and_what_derives_from_them(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("MEETINGS_APP_URL", " https://meet.example.com/ ")
    clean_env.setenv("MEETINGS_BACKEND_URL", "https://api.example.com")
    clean_env.setenv("MEETINGS_SECRET_KEY", "k" * 40)
    clean_env.setenv("MEETINGS_SANDBOX", "yes")
    clean_env.setenv("SMTP_HOST", "smtp.example.com")
    clean_env.setenv("SMTP_PORT", "2525")
    clean_env.setenv("GOOGLE_CLIENT_ID", "id")
    clean_env.setenv("GOOGLE_CLIENT_SECRET", "secret")
    settings = load_settings()
    assert settings.app_url == "https://meet.example.com"
    assert settings.app_domain == "meet.example.com"
    assert settings.sandbox_url == "https://api.example.com/_sandbox"
    assert settings.secret_key == "k" * 40
    assert settings.sandbox is True
    assert settings.smtp_port == 2525
    assert not settings.captures_mail
    assert not settings.uses_google_sandbox  # real credentials win over the sandbox
    assert settings.uses_microsoft_sandbox  # Microsoft has none: the sandbox stands in
    assert settings.oauth_callback_url("google") == "https://api.example.com/oauth/google/callback"


@pytest.mark.parametrize(
    "app_url", ["http://localhost:3000", "http://127.0.0.1:3000", "http://[::1]:3000"]
)
def test_demo_mode_runs_on_this_machine(clean_env: pytest.MonkeyPatch, app_url: str) -> None:
    clean_env.setenv("MEETINGS_DEMO", "1")
    clean_env.setenv("MEETINGS_APP_URL", app_url)
    assert load_settings().demo_mode is True


@pytest.mark.parametrize(
    "app_url",
    ["https://meet.example.com", "http://10.0.0.5:3000", "http://localhost.example.com:3000"],
)
def test_demo_mode_is_refused_on_a_reachable_url(
    clean_env: pytest.MonkeyPatch, app_url: str
) -> None:
    """The attack: `make run`'s demo mode (a known admin password, a public outbox with
    everyone's password-reset links) on a server others can reach. It no longer starts."""
    clean_env.setenv("MEETINGS_DEMO", "1")
    clean_env.setenv("MEETINGS_APP_URL", app_url)
    with pytest.raises(ConfigurationError) as refused:
        load_settings()
    message = str(refused.value)
    assert message.startswith("Invalid configuration (environment or .env): MEETINGS_DEMO: ")
    assert "MEETINGS_APP_URL" in message and app_url in message


def test_an_empty_variable_counts_as_unset(clean_env: pytest.MonkeyPatch) -> None:
    for name in ("MEETINGS_APP_URL", "SMTP_PORT", "MEETINGS_DEMO", "MICROSOFT_TENANT"):
        clean_env.setenv(name, "  ")
    settings = load_settings()
    assert settings.app_url == "http://localhost:3000"
    assert settings.smtp_port == 587
    assert settings.demo_mode is False
    assert settings.microsoft_tenant == "common"


def test_only_the_documented_names_are_read(clean_env: pytest.MonkeyPatch) -> None:
    """Another tool's SECRET_KEY or APP_URL must not become ours."""
    clean_env.setenv("SECRET_KEY", "someone-elses-key")
    clean_env.setenv("APP_URL", "https://other.example.com")
    clean_env.setenv("meetings_app_url", "https://lower.example.com")
    settings = load_settings()
    assert settings.secret_key != "someone-elses-key"
    assert settings.app_url == "http://localhost:3000"


def test_a_dotenv_file_is_read_and_the_environment_wins(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "MEETINGS_APP_DOMAIN=meet.example.org\nSMTP_HOST=mail.example.org\nOTHER_TOOL=1\n"
    )
    clean_env.setitem(Settings.model_config, "env_file", dotenv)
    clean_env.setenv("SMTP_HOST", "from-the-environment")
    settings = load_settings()
    assert settings.app_domain == "meet.example.org"
    assert settings.smtp_host == "from-the-environment"


def test_secrets_stay_out_of_the_repr(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("MEETINGS_SECRET_KEY", "very-secret-key")
    clean_env.setenv("SMTP_PASSWORD", "very-secret-password")
    clean_env.setenv("MEETINGS_SANDBOX_TOKEN", "very-secret-control-token")
    assert "very-secret" not in repr(load_settings())


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MEETINGS_APP_URL", "meet.example.com"),
        ("MEETINGS_APP_URL", "ftp://meet.example.com"),
        ("MEETINGS_APP_URL", "https://meet.example.com/?next=1"),
        ("MEETINGS_BACKEND_URL", "http://localhost:port"),
        ("MEETINGS_SANDBOX_URL", "/_sandbox"),
        ("SMTP_PORT", "smtp"),
        ("SMTP_PORT", "0"),
        ("SMTP_PORT", "65536"),
        ("MEETINGS_DEMO", "maybe"),
        ("MEETINGS_SANDBOX", "maybe"),
        ("MEETINGS_DNS_RESOLVER", "dns.example.com"),
        ("MEETINGS_DNS_RESOLVER", "127.0.0.1:dns"),
        ("MEETINGS_DNS_RESOLVER", "127.0.0.1:70000"),
        ("MEETINGS_DNS_TIMEOUT", "0"),
    ],
)
def test_a_bad_value_is_refused_by_name(
    clean_env: pytest.MonkeyPatch, name: str, value: str
) -> None:
    clean_env.setenv(name, value)
    with pytest.raises(ConfigurationError) as refused:
        load_settings()
    message = str(refused.value)
    assert message.startswith(f"Invalid configuration (environment or .env): {name}: ")
    assert ";" not in message  # one problem only: derived defaults add no noise


def test_dns_servers_and_the_domain_target(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("MEETINGS_APP_URL", "https://Meet.Example.com")
    settings = load_settings()
    assert (settings.nameservers, settings.domain_target) == ((), "meet.example.com")
    clean_env.setenv("MEETINGS_DNS_RESOLVER", "1.1.1.1, 127.0.0.1:5353,[::1]:5354")
    clean_env.setenv("MEETINGS_DOMAIN_TARGET", "lb.example.net")
    settings = load_settings()
    assert settings.nameservers == (("1.1.1.1", 53), ("127.0.0.1", 5353), ("::1", 5354))
    assert settings.domain_target == "lb.example.net"


def test_only_the_apps_own_origin_is_allowed_by_default(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("MEETINGS_APP_URL", "https://Meet.Example.com/")
    settings = load_settings()
    assert settings.allowed_origins == ("https://meet.example.com",)
    assert settings.origin_allowed("https://meet.example.com")
    assert settings.origin_allowed(None)  # not a page of another site (curl, a server)
    for foreign in ("https://evil.example", "http://meet.example.com", "null", ""):
        assert not settings.origin_allowed(foreign)


def test_more_origins_can_be_allowed_and_must_be_origins(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("MEETINGS_ALLOWED_ORIGINS", "https://meet.example.com, http://localhost:3000")
    assert load_settings().allowed_origins == ("https://meet.example.com", "http://localhost:3000")
    for bad in ("https://meet.example.com/app", "meet.example.com", "*"):
        clean_env.setenv("MEETINGS_ALLOWED_ORIGINS", bad)
        with pytest.raises(ConfigurationError, match="MEETINGS_ALLOWED_ORIGINS"):
            load_settings()


PRODUCTION = {
    "DATABASE_URL": "postgresql://meetings@db/meetings",
    "REDIS_URL": "redis://cache:6379/0",
    "MEETINGS_SECRET_KEY": "s" * 43,
    "MEETINGS_APP_URL": "https://meet.example.com",
    "MEETINGS_BACKEND_URL": "https://meet.example.com",
}


def test_production_accepts_a_complete_configuration(clean_env: pytest.MonkeyPatch) -> None:
    for name, value in PRODUCTION.items():
        clean_env.setenv(name, value)
    assert production_problems(load_settings()) == []


def test_production_refuses_the_development_defaults(clean_env: pytest.MonkeyPatch) -> None:
    """A fresh clone's defaults (SQLite, a generated key, localhost) never serve production."""
    problems = " ".join(production_problems(load_settings()))
    for name in ("DATABASE_URL", "REDIS_URL", "MEETINGS_SECRET_KEY", "MEETINGS_APP_URL"):
        assert name in problems


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("DATABASE_URL", "sqlite:///meetings.db", "DATABASE_URL"),
        ("MEETINGS_SECRET_KEY", "short", "MEETINGS_SECRET_KEY"),
        ("MEETINGS_BACKEND_URL", "https://api.example.com", "MEETINGS_BACKEND_URL"),
    ],
)
def test_production_names_each_unsafe_setting(
    clean_env: pytest.MonkeyPatch, name: str, value: str, named: str
) -> None:
    for variable, good in PRODUCTION.items():
        clean_env.setenv(variable, good)
    clean_env.setenv(name, value)
    problems = production_problems(load_settings())
    assert len(problems) == 1 and problems[0].startswith(named)


def test_make_serve_stops_before_starting_with_demo_settings(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`make serve` runs this check first: demo mode on localhost passes the settings'
    own check, but production refuses it, and nothing is started."""
    for name, value in PRODUCTION.items():
        clean_env.setenv(name, value)
    clean_env.setenv("MEETINGS_APP_URL", "http://localhost:3000")
    clean_env.setenv("MEETINGS_BACKEND_URL", "http://localhost:3000")
    clean_env.setenv("MEETINGS_DEMO", "1")
    get_settings.cache_clear()
    try:
        assert cli.main(["check-production"]) == cli.BAD_INPUT
    finally:
        get_settings.cache_clear()
    assert "MEETINGS_DEMO must be unset" in capsys.readouterr().err
