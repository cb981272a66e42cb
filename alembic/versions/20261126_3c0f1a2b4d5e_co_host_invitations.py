"""co-hosts accept an invitation before a link uses them

link_host gains `status` (invited, accepted, declined), `invited_at` and `answered_at`.
Until now anyone could name any user, an admin included, as co-host of a group or
round robin link and so read their busy time and write to their calendar. Existing rows
are carried over as follows:

- every link's owner is accepted (owners host their own links);
- the co-hosts of links whose owner is an active admin are accepted, as if the admin had
  added them directly (admins may add members of the workspace without asking);
- every other co-host becomes invited (invited_at = the upgrade time): they must accept
  in the app before the link uses them again, so a co-host listed without consent stops
  being used at once. No email is sent for these; the invitation waits on their
  Meetings page.

Downgrading drops the three columns: every remaining row, declined ones included, is a
host again, as before this revision.

Revision ID: 3c0f1a2b4d5e
Revises: 25ab0e6ef3af
Create Date: 2026-11-26 17:00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

from meetings_ui.models import UTCDateTime

revision: str = "3c0f1a2b4d5e"
down_revision: str | None = "25ab0e6ef3af"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_hosts = sa.table(
    "link_host",
    sa.column("link_id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("invited_at", UTCDateTime()),
)
_links = sa.table("meeting_link", sa.column("id", sa.Integer), sa.column("owner_id", sa.Integer))
_users = sa.table(
    "user", sa.column("id", sa.Integer), sa.column("role", sa.String), sa.column("is_active")
)


def upgrade() -> None:
    with op.batch_alter_table("link_host", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default="invited",
            )
        )
        batch_op.add_column(sa.Column("invited_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("answered_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("link_host", schema=None) as batch_op:
        batch_op.alter_column("status", server_default=None)

    connection = op.get_bind()
    owner_row = sa.exists().where(
        _links.c.id == _hosts.c.link_id, _links.c.owner_id == _hosts.c.user_id
    )
    connection.execute(sa.update(_hosts).where(owner_row).values(status="accepted"))
    admin_links = (
        sa.select(_links.c.id)
        .join(_users, _users.c.id == _links.c.owner_id)
        .where(_users.c.role == "admin", _users.c.is_active == sa.true())
    )
    connection.execute(
        sa.update(_hosts)
        .where(_hosts.c.link_id.in_(admin_links.scalar_subquery()))
        .values(status="accepted")
    )
    connection.execute(
        sa.update(_hosts).where(_hosts.c.status == "invited").values(invited_at=datetime.now(UTC))
    )


def downgrade() -> None:
    with op.batch_alter_table("link_host", schema=None) as batch_op:
        batch_op.drop_column("answered_at")
        batch_op.drop_column("invited_at")
        batch_op.drop_column("status")
