"""link hosts in a join table; link settings typed

Moves meeting_link.host_ids (a JSON list, owner first) into link_host rows, keeping
their order, and drops the column. Settings stay JSON in the database; what the settings
model now refuses is mended so that every existing row still loads: control characters
leave question labels, choices and the confirmation message; choices keep 200
characters and the first 50; override dates and a date range outside 2000-01-01 ..
2199-12-31 (never bookable) are dropped.

Revision ID: 5a1c0e7d2b94
Revises: cbdb5cdb8760
Create Date: 2026-11-26 15:00:00
"""

import json
import unicodedata
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "5a1c0e7d2b94"
down_revision: str | None = "cbdb5cdb8760"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_links = sa.table(
    "meeting_link",
    sa.column("id", sa.Integer),
    sa.column("owner_id", sa.Integer),
    sa.column("settings", sa.JSON),
    sa.column("host_ids", sa.JSON),
)
_EARLIEST, _LATEST = "2000-01-01", "2199-12-31"  # ISO dates compare as text
_hosts = sa.table(
    "link_host",
    sa.column("link_id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("position", sa.Integer),
)


def _without_controls(text: Any, keep: str = "") -> Any:
    if not isinstance(text, str):
        return text
    return "".join(c for c in text if c in keep or unicodedata.category(c) not in ("Cc", "Cs"))


def _supported(day: Any) -> bool:
    return isinstance(day, str) and _EARLIEST <= day <= _LATEST


def _clean_settings(settings: Any) -> Any:
    if isinstance(settings, str):
        settings = json.loads(settings)
    if not isinstance(settings, dict):
        return settings
    cleaned = dict(settings)
    if isinstance(cleaned.get("overrides"), dict):
        cleaned["overrides"] = {
            day: windows for day, windows in cleaned["overrides"].items() if _supported(day)
        }
    if cleaned.get("date_range") and not all(map(_supported, cleaned["date_range"])):
        cleaned["date_range"] = None
    if "confirmation_message" in cleaned:
        cleaned["confirmation_message"] = _without_controls(
            str(cleaned["confirmation_message"]).replace("\r\n", "\n"), keep="\n\t"
        )
    cleaned["questions"] = [
        {
            **question,
            "label": _without_controls(question.get("label")),
            "choices": [_without_controls(c)[:200] for c in question.get("choices") or []][:50],
        }
        for question in cleaned.get("questions") or []
        if isinstance(question, dict)
    ]
    return cleaned


def upgrade() -> None:
    connection = op.get_bind()
    users = {row[0] for row in connection.execute(sa.text('SELECT id FROM "user"'))}
    links = connection.execute(
        sa.select(_links.c.id, _links.c.owner_id, _links.c.host_ids, _links.c.settings)
    ).all()
    with op.batch_alter_table("meeting_link", schema=None) as batch_op:
        batch_op.drop_column("host_ids")

    op.create_table(
        "link_host",
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["link_id"], ["meeting_link.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("link_id", "user_id"),
    )
    with op.batch_alter_table("link_host", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_link_host_user_id"), ["user_id"], unique=False)

    for link_id, owner_id, host_ids, settings in links:
        if isinstance(host_ids, str):
            host_ids = json.loads(host_ids)
        ordered = list(dict.fromkeys([owner_id, *(host_ids or [])]))
        connection.execute(
            sa.insert(_hosts),
            [
                {"link_id": link_id, "user_id": user_id, "position": position}
                for position, user_id in enumerate(ordered)
                if user_id in users
            ],
        )
        connection.execute(
            sa.update(_links)
            .where(_links.c.id == link_id)
            .values(settings=_clean_settings(settings))
        )


def downgrade() -> None:
    connection = op.get_bind()
    hosts: dict[int, list[int]] = {}
    for link_id, user_id in connection.execute(
        sa.select(_hosts.c.link_id, _hosts.c.user_id).order_by(
            _hosts.c.link_id, _hosts.c.position
        )
    ):
        hosts.setdefault(link_id, []).append(user_id)
    with op.batch_alter_table("link_host", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_link_host_user_id"))
    op.drop_table("link_host")

    with op.batch_alter_table("meeting_link", schema=None) as batch_op:
        batch_op.add_column(sa.Column("host_ids", sa.JSON(), nullable=True))
    for (link_id,) in connection.execute(sa.select(_links.c.id)).all():
        connection.execute(
            sa.update(_links).where(_links.c.id == link_id).values(host_ids=hosts.get(link_id, []))
        )
    with op.batch_alter_table("meeting_link", schema=None) as batch_op:
        batch_op.alter_column("host_ids", existing_type=sa.JSON(), nullable=False)
