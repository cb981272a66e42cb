"""Work the background loop does on due rows, in every worker at once: each row is
claimed by one worker (FOR UPDATE SKIP LOCKED on PostgreSQL, a conditional update on
SQLite), then handled in a transaction of its own (calendar sync, domain checks)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from meetings_ui.db import session_scope


def _due_ids(model: Any, due: Any, limit: int) -> list[int]:
    """The rows due now, fixed at the start of a pass: rows a pass creates wait for the next."""
    with session_scope() as session:
        return list(session.exec(select(model.id).where(due).order_by(model.id).limit(limit)))


def _claim(session: Session, model: Any, row_id: int, due: Any, claim: dict[str, Any]) -> Any:
    """Claim one due row for this worker (FOR UPDATE SKIP LOCKED where the database has
    it; the conditional update is the claim on SQLite) and commit the claim; None when
    another worker has it or it is no longer due."""
    locked = session.exec(
        select(model.id).where(model.id == row_id, due).with_for_update(skip_locked=True)
    ).first()
    if locked is None:
        session.rollback()
        return None
    claimed = session.execute(
        sa.update(model)
        .where(model.id == row_id, due)
        .values(**claim)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return session.get(model, row_id, populate_existing=True) if claimed.rowcount else None


def work_due(
    model: Any,
    due: Any,
    limit: int,
    claim: dict[str, Any],
    work: Callable[[Session, Any], object],
) -> int:
    """Claim the due rows one by one, each in its own transaction, and do the work on those
    this worker won; how many it did."""
    done = 0
    for row_id in _due_ids(model, due, limit):
        with session_scope() as session:
            row = _claim(session, model, row_id, due, claim)
            if row is not None:
                work(session, row)
                done += 1
    return done
