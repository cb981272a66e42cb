"""The audit log: who did what to whom, written after the change itself has committed.

Call `record` after your own commit, so a rolled-back change is never logged as done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from meetings_ui.models import AuditEvent, User
from meetings_ui.services.guard import Actor, require_admin
from meetings_ui.services.transactions import use_case


def record(
    *,
    session: Session,
    actor_id: int | None,
    action: str,
    target: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event and commit it. actor_id None means the operator's CLI or the system."""
    event = AuditEvent(actor_id=actor_id, action=action, target=target, details=details or {})
    session.add(event)
    session.commit()
    return event


@dataclass(frozen=True)
class AuditRow:
    id: int
    created_at: datetime
    actor: str
    action: str
    target: str
    details: dict[str, Any]


@use_case
def do_list_audit_events(*, session: Session, actor: Actor, limit: int = 200) -> list[AuditRow]:
    """Newest first, for admins only."""
    require_admin(actor)
    rows = session.exec(
        select(AuditEvent, User.email)
        .join(User, User.id == AuditEvent.actor_id, isouter=True)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    ).all()
    return [
        AuditRow(
            id=event.id,
            created_at=event.created_at,
            actor=email or "operator / system",
            action=event.action,
            target=event.target,
            details=event.details,
        )
        for event, email in rows
    ]
