"""domain verification: the domain manager's status, token and check schedule (S12, S13)

Adds to `domain` its status (pending, verified, failed), the token published as its TXT
record, the last failed check's reason, the count of failed checks in a row, when a
verified domain started failing, and when it was last and is next checked.

Existing rows carry over: a domain with `verified_at` is verified (checked again within
the usual 6 hours); any other is pending with a fresh token, checked within 15 minutes.

Revision ID: 8a1b2c3d4e05
Revises: 7d4e5f6a7b82
Create Date: 2026-11-26 21:00:00
"""

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import sqlmodel
from alembic import op

import meetings_ui.models

revision: str = "8a1b2c3d4e05"
down_revision: str | None = "7d4e5f6a7b82"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("domain", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default="pending",
            )
        )
        batch_op.add_column(
            sa.Column("verification_token", sqlmodel.sql.sqltypes.AutoString(length=64))
        )
        batch_op.add_column(
            sa.Column("failure_reason", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("failed_checks", sa.Integer(), nullable=False, server_default="0")
        )
        for name in ("failing_since", "last_checked_at", "next_check_at"):
            batch_op.add_column(
                sa.Column(name, meetings_ui.models.UTCDateTime(), nullable=True)
            )
    _carry_domains_over()
    with op.batch_alter_table("domain", schema=None) as batch_op:
        batch_op.alter_column(
            "verification_token",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=64),
            nullable=False,
        )
        for name in ("status", "failure_reason", "failed_checks"):
            batch_op.alter_column(name, server_default=None)
        batch_op.create_index("ix_domain_next_check_at", ["next_check_at"], unique=False)


def _carry_domains_over() -> None:
    """Verified rows stay verified; the others wait for their records with a new token."""
    connection = op.get_bind()
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = connection.execute(sa.text("SELECT id, verified_at FROM domain")).all()
    for domain_id, verified_at in rows:
        connection.execute(
            sa.text(
                "UPDATE domain SET status = :status, verification_token = :token, "
                "next_check_at = :next WHERE id = :id"
            ),
            {
                "status": "verified" if verified_at is not None else "pending",
                "token": secrets.token_hex(16),
                "next": now + (timedelta(hours=6) if verified_at else timedelta(minutes=15)),
                "id": domain_id,
            },
        )


def downgrade() -> None:
    with op.batch_alter_table("domain", schema=None) as batch_op:
        batch_op.drop_index("ix_domain_next_check_at")
        for name in (
            "next_check_at",
            "last_checked_at",
            "failing_since",
            "failed_checks",
            "failure_reason",
            "verification_token",
            "status",
        ):
            batch_op.drop_column(name)
