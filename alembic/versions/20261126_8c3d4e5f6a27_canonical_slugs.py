"""slugs in one canonical form, enforced by the database (S16)

A link's slug (`meeting_link.slug`) and a host's Meetings URL (`user.meetings_url`) are
stored only in their canonical form (meetings_ui/domain/slugs.py: NFKC case-folded, no
invisible characters), which is always made of a-z, 0-9 and "-". The database now refuses
any other character (a CHECK on each column), so the unique index on slugs holds for every
spelling; a Meetings URL belongs to one user (a unique index, as the app already checked).

Existing rows carry over. Each value is put in its canonical form; characters still
outside a-z, 0-9 and "-" become their nearest ASCII letters or a hyphen ("démo" → "demo"),
and a value left empty becomes "link-<id>" (a link) or no Meetings URL (a user). When
values then collide, a value that was already canonical keeps it (its address does not
change), then the earliest row; each later one gets the first free "-2", "-3"… suffix.
Every change is logged and written to the audit log (`link.slug_carried_over`,
`user.meetings_url_carried_over`) with the old and the new value.

Revision ID: 8c3d4e5f6a27
Revises: 8a1b2c3d4e05
Create Date: 2026-11-26 20:30:00
"""

import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "8c3d4e5f6a27"
down_revision: str | None = "8a1b2c3d4e05"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

# As in meetings_ui.models at this revision.
CHECKS = {
    "sqlite": "{column} NOT GLOB '*[^a-z0-9-]*'",
    "postgresql": "{column} !~ '[^a-z0-9-]'",
}
COLUMNS = (
    ("meeting_link", "slug", 200, "link.slug_carried_over"),
    ("user", "meetings_url", 100, "user.meetings_url_carried_over"),
)


def _canonical(text: str) -> str:
    """domain/slugs.canonical_slug as at this revision, then the nearest allowed form."""
    visible = "".join(c for c in text if unicodedata.category(c) != "Cf")
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", visible).casefold())
    folded = folded.strip()
    if re.fullmatch(r"[a-z0-9-]*", folded):
        return folded
    ascii_text = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def _free(base: str, used: set[str], max_length: int) -> str:
    if base not in used:
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = base[: max_length - len(suffix)].rstrip("-") + suffix
        if candidate not in used:
            return candidate
        number += 1


def _carry_over(
    table_name: str, column: str, max_length: int, action: str, empty: Callable[[int], str | None]
) -> None:
    connection = op.get_bind()
    table = sa.table(table_name, sa.column("id", sa.Integer), sa.column(column, sa.String))
    audit = sa.table(
        "audit_event",
        sa.column("actor_id", sa.Integer),
        sa.column("action", sa.String),
        sa.column("target", sa.String),
        sa.column("details", sa.JSON),
        sa.column("created_at", sa.DateTime),
    )
    rows = connection.execute(
        sa.select(table.c.id, table.c[column])
        .where(table.c[column].is_not(None))
        .order_by(table.c.id)
    ).all()
    wanted = {
        row_id: _canonical(value)[:max_length].rstrip("-") or empty(row_id)
        for row_id, value in rows
    }
    # Values already canonical keep them; the others follow in the order of their rows.
    order = sorted(rows, key=lambda row: (wanted[row[0]] != row[1], row[0]))
    used: set[str] = set()
    now = datetime.now(UTC).replace(tzinfo=None)
    for row_id, old in order:
        new = wanted[row_id] if wanted[row_id] is None else _free(wanted[row_id], used, max_length)
        if new is not None:
            used.add(new)
        if new == old:
            continue
        # No other row keeps `new`: `used` has every value kept or given so far, and the
        # values that stay as they are came first.
        connection.execute(table.update().where(table.c.id == row_id).values({column: new}))
        log.warning("%s %s: %r becomes %r (S16: one canonical form)", table_name, row_id, old, new)
        connection.execute(
            audit.insert().values(
                actor_id=None,
                action=action,
                target=(new or "")[:320],
                details={"id": row_id, "old": old, "new": new},
                created_at=now,
            )
        )


def upgrade() -> None:
    _carry_over(*COLUMNS[0], empty=lambda row_id: f"link-{row_id}")
    _carry_over(*COLUMNS[1], empty=lambda _row_id: None)
    check = CHECKS[op.get_bind().dialect.name]
    with op.batch_alter_table("meeting_link", schema=None) as batch_op:
        batch_op.create_check_constraint(
            "ck_meeting_link_slug_canonical", sa.text(check.format(column="slug"))
        )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.create_index("ix_user_meetings_url", ["meetings_url"], unique=True)
        batch_op.create_check_constraint(
            "ck_user_meetings_url_canonical", sa.text(check.format(column="meetings_url"))
        )


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_constraint("ck_user_meetings_url_canonical", type_="check")
        batch_op.drop_index("ix_user_meetings_url")
    with op.batch_alter_table("meeting_link", schema=None) as batch_op:
        batch_op.drop_constraint("ck_meeting_link_slug_canonical", type_="check")
