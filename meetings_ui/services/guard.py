"""Who may touch whose data. Every service that reads or changes a user's data calls these.

The actor is the logged-in user, resolved from the session cookie on every event,
or OPERATOR for someone at the server's shell (the CLI), who is trusted like an admin.
"""

from __future__ import annotations

from meetings_ui.domain.enums import Role
from meetings_ui.domain.messages import Text
from meetings_ui.models import User


class ForbiddenError(PermissionError):
    """The actor may not do this. The message is safe to show to them."""


class Operator:
    """The operator at the server's command line (python -m meetings_ui.cli)."""

    id = None

    def __repr__(self) -> str:
        return "OPERATOR"


OPERATOR = Operator()

Actor = User | Operator


def is_admin(actor: Actor | None) -> bool:
    if isinstance(actor, Operator):
        return True
    return actor is not None and actor.is_active and actor.role == Role.ADMIN


def require_admin(actor: Actor | None) -> Actor:
    if not is_admin(actor):
        raise ForbiddenError(Text("Admins only: ask an admin of this workspace to do this."))
    return actor


def require_self_or_admin(actor: Actor | None, user_id: int) -> Actor:
    """The owner of the data, or an admin; anyone else is refused (no IDOR)."""
    if is_admin(actor):
        return actor
    if isinstance(actor, User) and actor.is_active and actor.id == user_id:
        return actor
    raise ForbiddenError(Text("You can only change your own account."))
