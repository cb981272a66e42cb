"""login codes bound to the browser that asked for them

A login code now stores the digest of its browser's login binding cookie. Codes live
60 seconds and are single use, so the ones outstanding at upgrade time are dropped
rather than given a binding no browser has.

Revision ID: 25ab0e6ef3af
Revises: 5a1c0e7d2b94
Create Date: 2026-11-26 16:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "25ab0e6ef3af"
down_revision: str | None = "5a1c0e7d2b94"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(sa.text("DELETE FROM login_code"))
    with op.batch_alter_table("login_code", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "binding_hash",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="",
            )
        )
    with op.batch_alter_table("login_code", schema=None) as batch_op:
        batch_op.alter_column("binding_hash", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("login_code", schema=None) as batch_op:
        batch_op.drop_column("binding_hash")
