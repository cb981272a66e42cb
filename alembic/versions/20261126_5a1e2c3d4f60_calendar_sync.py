"""calendar sync: watch channels and subscriptions, sync mode, the busy-time cache

Adds `calendar_channel` (Google watch channels, Microsoft Graph subscriptions), `busy_cache`
(the last busy time read per connection) and, on `calendar_connection`, `sync_mode` and
`last_notified_at`; on `calendar`, `owner_email` (None until the calendars are listed again). Existing connections are carried over in polling mode: the background
loop polls them for changes until they are connected again (which opens a channel).

Revision ID: 5a1e2c3d4f60
Revises: 4e0b7a1c9d2f
Create Date: 2026-11-26 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "5a1e2c3d4f60"
down_revision: str | None = "4e0b7a1c9d2f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("calendar_connection", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "sync_mode",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default="polling",
            )
        )
        batch_op.add_column(sa.Column("last_notified_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("next_poll_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("calendar_connection", schema=None) as batch_op:
        batch_op.alter_column("sync_mode", server_default=None)

    with op.batch_alter_table("calendar", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("owner_email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True)
        )

    op.create_table(
        "calendar_channel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column(
            "provider_calendar_id", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False
        ),
        sa.Column("channel_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("resource_id", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("secret_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("renewing_until", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"], ["calendar_connection.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("calendar_channel", schema=None) as batch_op:
        batch_op.create_index(
            "ix_calendar_channel_connection_id", ["connection_id"], unique=False
        )
        batch_op.create_index("ix_calendar_channel_channel_id", ["channel_id"], unique=True)

    op.create_table(
        "busy_cache",
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("calendar_ids", sa.Text(), nullable=False),
        sa.Column("range_start", sa.DateTime(), nullable=False),
        sa.Column("range_end", sa.DateTime(), nullable=False),
        sa.Column("busy", sa.JSON(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"], ["calendar_connection.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("connection_id"),
    )


def downgrade() -> None:
    op.drop_table("busy_cache")
    with op.batch_alter_table("calendar_channel", schema=None) as batch_op:
        batch_op.drop_index("ix_calendar_channel_channel_id")
        batch_op.drop_index("ix_calendar_channel_connection_id")
    op.drop_table("calendar_channel")
    with op.batch_alter_table("calendar", schema=None) as batch_op:
        batch_op.drop_column("owner_email")
    with op.batch_alter_table("calendar_connection", schema=None) as batch_op:
        batch_op.drop_column("next_poll_at")
        batch_op.drop_column("last_notified_at")
        batch_op.drop_column("sync_mode")
