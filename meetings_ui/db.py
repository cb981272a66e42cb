"""The database engine and sessions. Services receive a session; they own the transaction."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from meetings_ui.config import get_settings


def _enable_sqlite_integrity(dbapi_connection: Any, _record: Any) -> None:
    """SQLite ignores foreign keys and fails fast on locks unless told otherwise."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


# A worker runs database work on FastAPI's thread pool (anyio: 40 threads) and on
# asyncio's default executor (Reflex background events, the background loop). Beyond
# SQLAlchemy's default pool of 5, every extra concurrent request opened and closed a
# connection of its own ("overflow"), which made PostgreSQL slower than SQLite under
# load (bench/pool.py). The pool keeps up to this many connections once they were needed.
REQUEST_THREADS = 40
DEFAULT_POOL_SIZE = REQUEST_THREADS + min(32, (os.cpu_count() or 1) + 4)
# Threads beyond those (rare) still get a connection rather than waiting.
POOL_OVERFLOW = 10


@functools.cache
def engine_for(url: str, pool_size: int = DEFAULT_POOL_SIZE) -> sa.Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False})
        sa.event.listen(engine, "connect", _enable_sqlite_integrity)
    else:
        # No ping before each checkout (a round trip per request): a connection the server
        # dropped fails one statement, and SQLAlchemy then discards the whole pool.
        engine = sa.create_engine(url, pool_size=pool_size, max_overflow=POOL_OVERFLOW)
    # Production workers are forked from a process that may have connected already: a
    # child must not share its parent's sockets, so it forgets them (leaving them open
    # for the parent), as SQLAlchemy's guide to multiprocessing advises.
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    return engine


def get_engine() -> sa.Engine:
    settings = get_settings()
    return engine_for(settings.database_url, settings.database_pool_size or DEFAULT_POOL_SIZE)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session for one unit of work: committed by the caller, rolled back on error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
