"""Shared fixtures: a migrated database per backend (SQLite always, PostgreSQL when
TEST_DATABASE_URL is set), and a session that starts each test on empty tables."""

from __future__ import annotations

import argparse
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.config import Config
from sqlmodel import Session, SQLModel

from alembic import command
from meetings_ui import models  # noqa: F401  (tables on the metadata)
from meetings_ui.config import PROJECT_ROOT
from meetings_ui.db import engine_for

# The provider sandbox on a real port (`sandbox` fixture); the plugin also turns the app's
# sandbox setting on for every test (MEETINGS_SANDBOX, MEETINGS_SANDBOX_TOKEN). A real
# SMTP server (`smtp_server`, `smtp` fixtures). A real DNS server (`dns_server` fixture).
pytest_plugins = ["tests.sandbox", "tests.smtp_server", "tests.dns_server"]

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def migrate(url: str, revision: str = "head") -> None:
    """Apply the project's alembic migrations, exactly as the run command does."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.cmd_opts = argparse.Namespace(x=[f"url={url}"])
    config.attributes["configure_logger"] = False
    command.upgrade(config, revision)


def downgrade(url: str, revision: str) -> None:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.cmd_opts = argparse.Namespace(x=[f"url={url}"])
    config.attributes["configure_logger"] = False
    command.downgrade(config, revision)


def _postgres_url(database: str) -> str:
    """TEST_DATABASE_URL with another database name, on the psycopg 3 driver."""
    url = sa.make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql+psycopg")
    return url.set(database=database).render_as_string(hide_password=False)


def make_empty_database(backend: str, directory: Path) -> tuple[str, callable]:
    """Create a fresh, empty database; return its URL and a function that drops it."""
    if backend == "sqlite":
        return f"sqlite:///{directory / f'{uuid.uuid4().hex}.db'}", lambda: None
    name = f"meetings_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(_postgres_url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        engine_for(_postgres_url(name)).dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return _postgres_url(name), drop


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    url, drop = make_empty_database(request.param, tmp_path_factory.mktemp("db"))
    migrate(url)
    yield url
    drop()


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    engine = engine_for(database_url)
    yield engine
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def session(engine: sa.Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def app_database(
    database_url: str, engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """Point the app's own settings (and so its routes) at the test database."""
    from meetings_ui.config import get_settings

    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


@pytest.fixture
def deliver(app_database: str) -> Callable[..., Any]:
    """Deliver the outbox on the test database now, as the background worker does:
    call it after the change whose emails or calendar writes a test looks at."""
    from meetings_ui.services.delivery import deliver_all

    return deliver_all


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> None:
    """Each test starts with no request counted (tests make many from one address)."""
    from meetings_ui.services import rate_limits

    rate_limits.reset()
