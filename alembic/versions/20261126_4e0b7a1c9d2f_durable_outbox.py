"""durable outbox: side effects committed with the change, delivered in the background

Adds the `outbox` table. Rows carried over: every confirmed, not yet ended booking whose
calendar event failed to be written (calendar_error set, no provider_event_id), which the
old background pass retried, becomes a pending calendar write. Mail captured in
`outbox_email` (the local mailbox) stays where it is: it was already delivered there.

Revision ID: 4e0b7a1c9d2f
Revises: 3c0f1a2b4d5e
Create Date: 2026-11-26 17:00:00
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "4e0b7a1c9d2f"
down_revision: str | None = "3c0f1a2b4d5e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    outbox = op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("claim", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["booking_id"], ["booking.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_booking_id", ["booking_id"], unique=False)
        batch_op.create_index(
            "ix_outbox_status_next_attempt", ["status", "next_attempt_at"], unique=False
        )

    now = datetime.now(UTC).replace(tzinfo=None)  # stored as naive UTC, like every instant
    bookings = sa.table(
        "booking",
        sa.column("id", sa.Integer),
        sa.column("status", sa.String),
        sa.column("end_at", sa.DateTime),
        sa.column("provider_event_id", sa.String),
        sa.column("calendar_error", sa.Text),
    )
    failed = op.get_bind().execute(
        sa.select(bookings.c.id, bookings.c.calendar_error).where(
            bookings.c.status == "confirmed",
            bookings.c.provider_event_id.is_(None),
            bookings.c.calendar_error.is_not(None),
            bookings.c.end_at > now,
        )
    )
    rows = [
        {
            "key": uuid.uuid4().hex,
            "kind": "calendar_create",
            "booking_id": booking_id,
            "recipient": "",
            "summary": "Write the meeting to the host's calendar",
            "payload": {},
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "last_error": error,
            "created_at": now,
        }
        for booking_id, error in failed
    ]
    if rows:
        op.bulk_insert(outbox, rows)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_status_next_attempt")
        batch_op.drop_index("ix_outbox_booking_id")
    op.drop_table("outbox")
