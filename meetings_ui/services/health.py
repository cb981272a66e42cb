"""Health check: is the database reachable and migrated?"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session


def check_health(*, session: Session) -> dict[str, str]:
    """Report each dependency as "ok" or the reason it is not."""
    report = {"status": "ok", "database": "ok"}
    try:
        revision = session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        report["schema_revision"] = revision or "none"
    except sa.exc.SQLAlchemyError as error:
        report["status"] = "error"
        report["database"] = f"unavailable: {type(error).__name__}"
    return report
