"""a domain's brand (accent colour, logo) and its robots setting (S14, S15)

`domain.block_indexing` (existing domains keep being indexable), `domain.accent_color`
(none: the app's colour), and `domain_logo`, one re-encoded image per domain.

Revision ID: 8b2c3d4e5f16
Revises: 8c3d4e5f6a27
Create Date: 2026-11-26 21:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import meetings_ui.models

revision: str = "8b2c3d4e5f16"
down_revision: str | None = "8c3d4e5f6a27"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("domain", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("accent_color", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=True)
        )
        batch_op.add_column(
            sa.Column("block_indexing", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("domain", schema=None) as batch_op:
        batch_op.alter_column("block_indexing", server_default=None)
    op.create_table(
        "domain_logo",
        sa.Column("domain_id", sa.Integer(), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("updated_at", meetings_ui.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["domain_id"], ["domain.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("domain_id"),
    )


def downgrade() -> None:
    op.drop_table("domain_logo")
    with op.batch_alter_table("domain", schema=None) as batch_op:
        batch_op.drop_column("block_indexing")
        batch_op.drop_column("accent_color")
