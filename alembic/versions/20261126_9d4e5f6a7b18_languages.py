"""a host's language and the language a prospect booked in (M12)

`user.language` (empty: the browser's languages decide; existing users keep that) and
`booking.locale` (the prospect's locale when they booked, for their emails; existing
bookings were made in English).

Revision ID: 9d4e5f6a7b18
Revises: 8b2c3d4e5f16
Create Date: 2026-11-26 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "9d4e5f6a7b18"
down_revision: str | None = "8b2c3d4e5f16"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "language",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=False,
                server_default="",
            )
        )
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "locale",
                sqlmodel.sql.sqltypes.AutoString(length=35),
                nullable=False,
                server_default="en",
            )
        )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.alter_column("language", server_default=None)
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.alter_column("locale", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_column("locale")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("language")
