"""contacts per host, and the meetings on their records (S4, S5)

Contacts were one workspace-wide list keyed by email. Each host now keeps their own
(`contact.owner_id`, unique with the email, emails lower-cased), and `contact_meeting`
holds the meetings shown on a record: booked on a link, synced from the host's calendar,
or created from the record.

Existing rows carry over: a contact goes to the host of its earliest booking; when
bookings of several hosts share one contact, each other host gets a copy and their
bookings point to it; contacts that differ only by the case of their email are merged
per host. A contact without bookings keeps no owner (admins see it). Every booking that
has a contact gets its meeting row (source "booking_page").

Revision ID: 7d4e5f6a7b82
Revises: 6b2f3d4e5a71
Create Date: 2026-11-26 20:00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

import meetings_ui.models

revision: str = "7d4e5f6a7b82"
down_revision: str | None = "6b2f3d4e5a71"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "crm_sync_all_attendees", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_email")
        batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        for name, length in (("phone", 50), ("company", 200)):
            batch_op.add_column(
                sa.Column(
                    name,
                    sqlmodel.sql.sqltypes.AutoString(length=length),
                    nullable=False,
                    server_default="",
                )
            )
        batch_op.add_column(sa.Column("notes", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("updated_at", meetings_ui.models.UTCDateTime(), nullable=True)
        )
        batch_op.create_foreign_key(
            "fk_contact_owner_id_user", "user", ["owner_id"], ["id"], ondelete="SET NULL"
        )
    _carry_contacts_over()
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.alter_column(
            "updated_at", existing_type=meetings_ui.models.UTCDateTime(), nullable=False
        )
        batch_op.create_index("ix_contact_email", ["email"], unique=False)
        batch_op.create_index("ix_contact_owner_id", ["owner_id"], unique=False)
        batch_op.create_unique_constraint("uq_contact_owner_id_email", ["owner_id", "email"])
    with op.batch_alter_table("contact", schema=None) as batch_op:
        for name in ("phone", "company", "notes"):
            batch_op.alter_column(name, server_default=None)
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.alter_column("crm_sync_all_attendees", server_default=None)

    op.create_table(
        "contact_meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("start_at", meetings_ui.models.UTCDateTime(), nullable=False),
        sa.Column("end_at", meetings_ui.models.UTCDateTime(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("connection_id", sa.Integer(), nullable=True),
        sa.Column(
            "provider_calendar_id", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True
        ),
        sa.Column("provider_event_id", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("calendar_error", sa.Text(), nullable=True),
        sa.Column("created_at", meetings_ui.models.UTCDateTime(), nullable=False),
        sa.Column("updated_at", meetings_ui.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["booking_id"], ["booking.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["connection_id"], ["calendar_connection.id"], ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["host_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contact_id", "booking_id"),
        sa.UniqueConstraint("contact_id", "connection_id", "provider_event_id"),
    )
    with op.batch_alter_table("contact_meeting", schema=None) as batch_op:
        batch_op.create_index("ix_contact_meeting_booking_id", ["booking_id"], unique=False)
        batch_op.create_index("ix_contact_meeting_host_id", ["host_id"], unique=False)
        batch_op.create_index(
            "ix_contact_meeting_contact_start", ["contact_id", "start_at"], unique=False
        )
    _meetings_for_existing_bookings()


def _carry_contacts_over() -> None:
    """Give each contact the host of its earliest booking; copy it for every other host
    whose bookings use it; merge contacts that differ only by the case of their email."""
    connection = op.get_bind()
    now = datetime.now(UTC).replace(tzinfo=None)
    contacts = connection.execute(
        sa.text("SELECT id, email, name, created_at FROM contact ORDER BY id")
    ).all()
    kept: dict[tuple[int | None, str], int] = {}  # (owner, lower-cased email) -> contact id
    for contact_id, email, name, created_at in contacts:
        hosts = [
            row[0]
            for row in connection.execute(
                sa.text(
                    "SELECT host_id FROM booking WHERE contact_id = :id "
                    "GROUP BY host_id ORDER BY MIN(start_at), host_id"
                ),
                {"id": contact_id},
            )
        ]
        key_email = email.strip().lower()
        owners: list[int | None] = hosts or [None]
        for position, owner in enumerate(owners):
            existing = kept.get((owner, key_email))
            if existing is None and position == 0:
                connection.execute(
                    sa.text(
                        "UPDATE contact SET owner_id = :owner, email = :email, "
                        "updated_at = :now WHERE id = :id"
                    ),
                    {"owner": owner, "email": key_email, "now": now, "id": contact_id},
                )
                kept[(owner, key_email)] = contact_id
                continue
            if existing is None:
                existing = connection.execute(
                    sa.text(
                        "INSERT INTO contact (owner_id, email, name, phone, company, notes, "
                        "created_at, updated_at) VALUES (:owner, :email, :name, '', '', '', "
                        ":created, :now) RETURNING id"
                    ),
                    {
                        "owner": owner,
                        "email": key_email,
                        "name": name,
                        "created": created_at,
                        "now": now,
                    },
                ).scalar_one()
                kept[(owner, key_email)] = existing
            if owner is not None:
                connection.execute(
                    sa.text(
                        "UPDATE booking SET contact_id = :new WHERE contact_id = :old "
                        "AND host_id = :owner"
                    ),
                    {"new": existing, "old": contact_id, "owner": owner},
                )
        if kept.get((owners[0], key_email)) != contact_id:
            connection.execute(sa.text("DELETE FROM contact WHERE id = :id"), {"id": contact_id})


def _meetings_for_existing_bookings() -> None:
    connection = op.get_bind()
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = connection.execute(
        sa.text(
            "SELECT booking.id, booking.contact_id, booking.host_id, booking.status, "
            "booking.start_at, booking.end_at, meeting_link.name FROM booking "
            "JOIN meeting_link ON meeting_link.id = booking.link_id "
            "WHERE booking.contact_id IS NOT NULL"
        )
    ).all()
    for booking_id, contact_id, host_id, status, start_at, end_at, link_name in rows:
        connection.execute(
            sa.text(
                "INSERT INTO contact_meeting (contact_id, host_id, source, status, title, "
                "description, start_at, end_at, booking_id, created_at, updated_at) VALUES "
                "(:contact, :host, 'booking_page', :status, :title, '', :start, :end, "
                ":booking, :now, :now)"
            ),
            {
                "contact": contact_id,
                "host": host_id,
                "status": status,
                "title": link_name,
                "start": start_at,
                "end": end_at,
                "booking": booking_id,
                "now": now,
            },
        )


def downgrade() -> None:
    op.drop_table("contact_meeting")
    connection = op.get_bind()
    # Back to one contact per email: keep the oldest, repoint bookings, drop the copies.
    rows = connection.execute(sa.text("SELECT id, email FROM contact ORDER BY id")).all()
    first: dict[str, int] = {}
    for contact_id, email in rows:
        if email in first:
            connection.execute(
                sa.text("UPDATE booking SET contact_id = :keep WHERE contact_id = :id"),
                {"keep": first[email], "id": contact_id},
            )
            connection.execute(sa.text("DELETE FROM contact WHERE id = :id"), {"id": contact_id})
        else:
            first[email] = contact_id
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_constraint("uq_contact_owner_id_email", type_="unique")
        batch_op.drop_index("ix_contact_owner_id")
        batch_op.drop_index("ix_contact_email")
        batch_op.drop_constraint("fk_contact_owner_id_user", type_="foreignkey")
        for name in ("owner_id", "phone", "company", "notes", "updated_at"):
            batch_op.drop_column(name)
        batch_op.create_index("ix_contact_email", ["email"], unique=True)
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("crm_sync_all_attendees")
