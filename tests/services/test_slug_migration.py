"""The migration to canonical slugs (S16) carries existing rows over, on both databases:
every slug and Meetings URL in its canonical form, collisions renamed and audited, and
the database refuses every other spelling afterwards."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tests.conftest import BACKENDS, downgrade, make_empty_database, migrate

BEFORE = "8a1b2c3d4e05"
LINK_SLUGS = {
    1: "sales",  # canonical already: kept
    2: "Demo",  # collides with 4 once folded; the earlier row gets "demo"
    3: "ＴＥＡＭ",  # full-width
    4: "demo",  # canonical already, so it keeps "demo" and 2 becomes "demo-2"
    5: "team\u200b",  # zero-width space: collides with 3
    6: "démo call",  # accent and space: the nearest allowed form
    7: "\u200b",  # nothing visible left
    8: "demo-2",  # canonical already: 2 cannot take it either
}
# Two users with "ana" (a race the app could not stop before the unique index): the first
# keeps it, the second, canonical already, is served before "ANA", which comes last.
MEETINGS_URLS = {1: "ana", 2: "ANA", 3: "ana", 4: None, 5: "Ｂｏｂ"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_existing_slugs_and_meetings_urls_become_canonical(backend: str, tmp_path) -> None:
    url, drop = make_empty_database(backend, tmp_path)
    migrate(url, BEFORE)
    engine = sa.create_engine(url)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        for user_id, meetings_url in MEETINGS_URLS.items():
            connection.execute(
                sa.text(
                    'INSERT INTO "user" (id, email, display_name, role, time_zone, is_active, '
                    "crm_sync_all_attendees, meetings_url, created_at) VALUES (:id, :email, "
                    "'U', 'user', 'UTC', true, false, :url, :now)"
                ),
                {
                    "id": user_id,
                    "email": f"u{user_id}@example.com",
                    "url": meetings_url,
                    "now": now,
                },
            )
        for link_id, slug in LINK_SLUGS.items():
            connection.execute(
                sa.text(
                    "INSERT INTO meeting_link (id, owner_id, name, slug, link_type, settings, "
                    "created_at) VALUES (:id, 1, 'L', :slug, 'one_on_one', '{}', :now)"
                ),
                {"id": link_id, "slug": slug, "now": now},
            )
    migrate(url)
    with engine.connect() as connection:
        slugs = dict(connection.execute(sa.text("SELECT id, slug FROM meeting_link")).all())
        urls = dict(connection.execute(sa.text('SELECT id, meetings_url FROM "user"')).all())
        audited = connection.execute(
            sa.text("SELECT action, target FROM audit_event ORDER BY target")
        ).all()
    assert slugs == {
        1: "sales",
        2: "demo-3",
        3: "team",
        4: "demo",
        5: "team-2",
        6: "demo-call",
        7: "link-7",
        8: "demo-2",
    }
    assert urls == {1: "ana", 2: "ana-3", 3: "ana-2", 4: None, 5: "bob"}
    assert sorted(audited) == sorted(
        [("link.slug_carried_over", s) for s in ("demo-3", "team", "team-2", "demo-call", "link-7")]
        + [("user.meetings_url_carried_over", u) for u in ("ana-2", "ana-3", "bob")]
    )

    # From now on the database itself refuses any other spelling, whichever code writes.
    for statement, values in (
        ("UPDATE meeting_link SET slug = :v WHERE id = 1", {"v": "Sales"}),
        ("UPDATE meeting_link SET slug = :v WHERE id = 1", {"v": "ｓａｌｅｓ"}),
        ("UPDATE meeting_link SET slug = :v WHERE id = 1", {"v": "sales\u200b"}),
        ('UPDATE "user" SET meetings_url = :v WHERE id = 4', {"v": "Ana"}),
        ('UPDATE "user" SET meetings_url = :v WHERE id = 4', {"v": "ana"}),  # one user's
    ):
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
            connection.execute(sa.text(statement), values)

    downgrade(url, BEFORE)
    with engine.begin() as connection:  # the rules are gone, the carried-over values stay
        connection.execute(sa.text("UPDATE \"user\" SET meetings_url = 'ana' WHERE id = 4"))
        assert connection.execute(
            sa.text("SELECT slug FROM meeting_link WHERE id = 2")
        ).scalar() == ("demo-3")
    engine.dispose()
    drop()
