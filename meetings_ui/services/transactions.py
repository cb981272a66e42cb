"""How pages, API routes and the CLI enter the services: one transaction per use case.

A use case is a service function with a keyword-only `session`. Decorated with
`@use_case`, a caller that has no session (a page, the CLI) simply leaves it out and
the call runs in a session of its own, committed by the use case and rolled back on
error. Tests, and a use case that composes others inside one transaction, pass their
session explicitly. The API gets its session from `database_session` via FastAPI's
`Depends`. Nothing above the services opens a database session any other way.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TypeVar

from sqlmodel import Session

from meetings_ui.db import session_scope

__all__ = ["Session", "database_session", "use_case"]

P = ParamSpec("P")
R = TypeVar("R")


def use_case(function: Callable[P, R]) -> Callable[..., R]:
    """Run `function` in a transaction of its own unless the caller passes `session=`."""

    @functools.wraps(function)
    def run(*args: Any, session: Session | None = None, **kwargs: Any) -> R:
        if session is not None:
            return function(*args, session=session, **kwargs)
        with session_scope() as own_session:
            return function(*args, session=own_session, **kwargs)

    return run


def database_session() -> Iterator[Session]:
    """FastAPI dependency: one session per request, rolled back if the handler fails."""
    with session_scope() as session:
        yield session
