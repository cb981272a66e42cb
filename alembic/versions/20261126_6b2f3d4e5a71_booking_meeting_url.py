"""booking meeting url: the video meeting's join link, once the calendar made it

Adds the nullable `booking.meeting_url`. Existing bookings have no video meeting (links
could not ask for one before), so NULL is what they carry over as. Link settings gain
`video`, `location` and `meeting_url` inside their JSON, with defaults: stored settings
load unchanged and need no rewrite.

Revision ID: 6b2f3d4e5a71
Revises: 5a1e2c3d4f60
Create Date: 2026-11-26 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6b2f3d4e5a71"
down_revision: str | None = "5a1e2c3d4f60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.add_column(sa.Column("meeting_url", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_column("meeting_url")
