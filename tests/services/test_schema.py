"""The migrations are the schema: they must build exactly what the models describe."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import Session, SQLModel, select

from meetings_ui.models import (
    Booking,
    Calendar,
    CalendarConnection,
    LinkHost,
    MeetingLink,
    User,
)
from tests.conftest import BACKENDS, downgrade, make_empty_database, migrate


def test_migrations_match_the_models(engine: sa.Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_migrations_downgrade_to_nothing_and_back(tmp_path) -> None:
    url, drop = make_empty_database("sqlite", tmp_path)
    migrate(url)
    downgrade(url, "base")
    inspector = sa.inspect(sa.create_engine(url))
    assert set(inspector.get_table_names()) == {"alembic_version"}
    migrate(url)
    assert "booking" in sa.inspect(sa.create_engine(url)).get_table_names()
    drop()


# Settings the hand-written reader accepted before the settings model bounded them.
OLD_BUT_ACCEPTED = json.dumps(
    {
        "overrides": {"1999-12-31": [], "2026-12-24": [], "2300-01-01": []},
        "date_range": ["1990-01-01", "2026-12-31"],
        "questions": [
            {"id": "pick", "label": "Pick", "kind": "choice", "choices": ["x" * 300] * 60}
        ],
    }
)


@pytest.mark.parametrize("backend", BACKENDS)
def test_link_hosts_move_from_json_to_rows_and_back(backend: str, tmp_path) -> None:
    """The join-table migration carries every existing link's hosts over, in order."""
    url, drop = make_empty_database(backend, tmp_path)
    migrate(url, "cbdb5cdb8760")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for user_id in (1, 2, 3):
            connection.execute(
                sa.text(
                    'INSERT INTO "user" (id, email, display_name, role, time_zone, is_active, '
                    "created_at) VALUES (:id, :email, 'U', 'user', 'UTC', true, :now)"
                ),
                {"id": user_id, "email": f"u{user_id}@example.com", "now": datetime.now(UTC)},
            )
        for link_id, owner, hosts, settings in (
            (1, 1, "[1]", '{"durations": [30]}'),
            (2, 2, "[2, 3, 1]", '{"questions": [{"id": "co", "label": "Co\\rmpany"}]}'),
            (3, 3, "[]", OLD_BUT_ACCEPTED),
        ):
            connection.execute(
                sa.text(
                    "INSERT INTO meeting_link (id, owner_id, name, slug, link_type, settings, "
                    "host_ids, created_at) VALUES (:id, :owner, 'L', :slug, 'group', :settings, "
                    ":hosts, :now)"
                ),
                {
                    "id": link_id,
                    "owner": owner,
                    "slug": f"link-{link_id}",
                    "settings": settings,
                    "hosts": hosts,
                    "now": datetime.now(UTC),
                },
            )
        connection.execute(
            sa.text(
                "INSERT INTO booking (id, link_id, host_id, start_at, end_at, status, "
                "prospect_name, prospect_email, prospect_time_zone, answers, sequence, "
                "reminders_sent, created_at) VALUES (1, 2, 2, :now, :now, 'confirmed', 'P', "
                "'p@example.com', 'UTC', '{}', 0, '[]', :now)"
            ),
            {"now": datetime.now(UTC)},
        )
    migrate(url)
    with Session(engine) as session:
        rows = session.exec(select(LinkHost).order_by(LinkHost.link_id, LinkHost.position)).all()
        assert [(r.link_id, r.user_id) for r in rows] == [(1, 1), (2, 2), (2, 3), (2, 1), (3, 3)]
        cleaned = session.get(MeetingLink, 2).settings
        assert cleaned.questions[0].label == "Company"
        mended = session.get(MeetingLink, 3).settings  # loads: what is now refused was mended
        assert list(mended.overrides) == [date(2026, 12, 24)] and mended.date_range is None
        assert len(mended.questions[0].choices) == 50
        assert all(len(c) <= 200 for c in mended.questions[0].choices)
        assert session.get(Booking, 1) is not None  # rebuilding meeting_link kept its bookings
    downgrade(url, "cbdb5cdb8760")
    with engine.connect() as connection:
        hosts = dict(connection.execute(sa.text("SELECT id, host_ids FROM meeting_link")).all())
    assert [json.loads(h) if isinstance(h, str) else h for _, h in sorted(hosts.items())] == [
        [1],
        [2, 3, 1],
        [3],
    ]
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM booking")).scalar() == 1
    engine.dispose()
    drop()


def test_instants_come_back_as_aware_utc(session: Session) -> None:
    paris_summer = timezone(timedelta(hours=2))
    user = User(email="tz@example.com", display_name="Tz")
    session.add(user)
    session.flush()
    link = MeetingLink(owner_id=user.id, name="Intro", slug="intro")
    session.add(link)
    session.flush()
    start = datetime(2026, 7, 1, 9, 0, tzinfo=paris_summer)
    session.add(
        Booking(
            link_id=link.id,
            host_id=user.id,
            start_at=start,
            end_at=start + timedelta(minutes=30),
            prospect_name="P",
            prospect_email="p@example.com",
        )
    )
    session.commit()
    session.expire_all()
    booking = session.exec(select(Booking)).one()
    assert booking.start_at == datetime(2026, 7, 1, 7, 0, tzinfo=UTC)
    assert booking.start_at.tzinfo is UTC


def test_naive_instants_are_refused(session: Session) -> None:
    user = User(email="naive@example.com", display_name="Naive")
    session.add(user)
    session.flush()
    connection = CalendarConnection(
        user_id=user.id,
        provider="google",
        account_email="a@example.com",
        last_synced_at=datetime(2026, 1, 1, 12, 0),
    )
    session.add(connection)
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        session.flush()


def test_deleting_a_user_deletes_their_connections_and_calendars(session: Session) -> None:
    user = User(email="gone@example.com", display_name="Gone")
    session.add(user)
    session.flush()
    connection = CalendarConnection(
        user_id=user.id, provider="google", account_email="g@example.com"
    )
    session.add(connection)
    session.flush()
    session.add(
        Calendar(
            connection_id=connection.id,
            provider_calendar_id="primary",
            name="Me",
            access_role="owner",
            is_primary=True,
        )
    )
    session.commit()
    session.execute(sa.delete(User).where(User.id == user.id))
    session.commit()
    assert session.exec(select(Calendar)).all() == []
    assert session.exec(select(CalendarConnection)).all() == []


def test_slugs_are_unique_across_the_workspace(session: Session) -> None:
    user = User(email="slug@example.com", display_name="Slug")
    session.add(user)
    session.flush()
    session.add(MeetingLink(owner_id=user.id, name="A", slug="same"))
    session.commit()
    session.add(MeetingLink(owner_id=user.id, name="B", slug="same"))
    with pytest.raises(sa.exc.IntegrityError):
        session.commit()


@pytest.mark.parametrize("backend", BACKENDS)
def test_co_hosts_named_without_consent_become_invited(backend: str, tmp_path) -> None:
    """Owners and an admin's co-hosts stay used; every other co-host must accept first."""
    url, drop = make_empty_database(backend, tmp_path)
    migrate(url, "25ab0e6ef3af")
    engine = sa.create_engine(url)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        for user_id, role, active in (
            (1, "admin", True),
            (2, "user", True),
            (3, "user", True),
            (4, "admin", False),
        ):
            connection.execute(
                sa.text(
                    'INSERT INTO "user" (id, email, display_name, role, time_zone, is_active, '
                    "created_at) VALUES (:id, :email, 'U', :role, 'UTC', :active, :now)"
                ),
                {
                    "id": user_id,
                    "email": f"u{user_id}@example.com",
                    "role": role,
                    "active": active,
                    "now": now,
                },
            )
        links = {10: (1, [1, 2, 3]), 20: (2, [2, 1, 3]), 30: (4, [4, 2])}
        for link_id, (owner, hosts) in links.items():
            connection.execute(
                sa.text(
                    "INSERT INTO meeting_link (id, owner_id, name, slug, link_type, settings, "
                    "created_at) VALUES (:id, :owner, 'L', :slug, 'group', '{}', :now)"
                ),
                {"id": link_id, "owner": owner, "slug": f"link-{link_id}", "now": now},
            )
            for position, user_id in enumerate(hosts):
                connection.execute(
                    sa.text(
                        "INSERT INTO link_host (link_id, user_id, position) "
                        "VALUES (:link, :user, :position)"
                    ),
                    {"link": link_id, "user": user_id, "position": position},
                )
    migrate(url)
    with Session(engine) as session:
        rows = session.exec(select(LinkHost).order_by(LinkHost.link_id, LinkHost.position)).all()
        assert [(r.link_id, r.user_id, r.status) for r in rows] == [
            (10, 1, "accepted"),  # an admin's link: its co-hosts were added by an admin
            (10, 2, "accepted"),
            (10, 3, "accepted"),
            (20, 2, "accepted"),  # the owner
            (20, 1, "invited"),  # an admin named by a user: no longer used
            (20, 3, "invited"),
            (30, 4, "accepted"),
            (30, 2, "invited"),  # the owner is no longer an active admin
        ]
        assert all((r.invited_at is None) == (r.status == "accepted") for r in rows)
    downgrade(url, "25ab0e6ef3af")
    with engine.connect() as connection:
        kept = connection.execute(sa.text("SELECT link_id, user_id FROM link_host")).all()
    assert len(kept) == 8
    engine.dispose()
    drop()


@pytest.mark.parametrize("backend", BACKENDS)
def test_contacts_become_per_host_with_their_meetings(backend: str, tmp_path) -> None:
    """A contact shared by two hosts' bookings becomes one contact each; contacts whose
    emails differ only by case merge; every booking keeps a contact and gets its meeting."""
    url, drop = make_empty_database(backend, tmp_path)
    migrate(url, "6b2f3d4e5a71")
    engine = sa.create_engine(url)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        for user_id in (1, 2):
            connection.execute(
                sa.text(
                    'INSERT INTO "user" (id, email, display_name, role, time_zone, is_active, '
                    "created_at) VALUES (:id, :email, 'U', 'user', 'UTC', true, :now)"
                ),
                {"id": user_id, "email": f"u{user_id}@example.com", "now": now},
            )
        connection.execute(
            sa.text(
                "INSERT INTO meeting_link (id, owner_id, name, slug, link_type, settings, "
                "created_at) VALUES (1, 1, 'Intro call', 'intro', 'one_on_one', '{}', :now)"
            ),
            {"now": now},
        )
        ids = [
            connection.execute(
                sa.text(
                    "INSERT INTO contact (email, name, created_at) "
                    "VALUES (:email, 'Ann', :now) RETURNING id"
                ),
                {"email": email, "now": now},
            ).scalar_one()
            for email in ("Ann@Example.com", "ann@example.com", "x@y.z")
        ]
        for booking_id, host, contact, hours in (
            (1, 1, ids[0], 1),
            (2, 2, ids[0], 2),
            (3, 1, ids[1], 3),
        ):
            connection.execute(
                sa.text(
                    "INSERT INTO booking (id, link_id, host_id, contact_id, start_at, end_at, "
                    "status, prospect_name, prospect_email, prospect_time_zone, answers, "
                    "sequence, reminders_sent, created_at) VALUES (:id, 1, :host, :contact, "
                    ":start, :start, 'confirmed', 'Ann', 'ann@example.com', 'UTC', '{}', 0, "
                    "'[]', :now)"
                ),
                {
                    "id": booking_id,
                    "host": host,
                    "contact": contact,
                    "start": now + timedelta(hours=hours),
                    "now": now,
                },
            )
    migrate(url)
    with engine.connect() as connection:
        contacts = connection.execute(
            sa.text("SELECT id, owner_id, email FROM contact ORDER BY id")
        ).all()
        by_owner = {owner: (contact_id, email) for contact_id, owner, email in contacts}
        assert set(by_owner) == {1, 2, None}
        assert by_owner[1][1] == by_owner[2][1] == "ann@example.com"
        assert by_owner[None][1] == "x@y.z"
        bookings = dict(connection.execute(sa.text("SELECT id, contact_id FROM booking")).all())
        assert bookings == {1: by_owner[1][0], 2: by_owner[2][0], 3: by_owner[1][0]}
        meetings = connection.execute(
            sa.text("SELECT booking_id, contact_id, host_id, source, title FROM contact_meeting")
        ).all()
        assert sorted(meetings) == [
            (1, by_owner[1][0], 1, "booking_page", "Intro call"),
            (2, by_owner[2][0], 2, "booking_page", "Intro call"),
            (3, by_owner[1][0], 1, "booking_page", "Intro call"),
        ]
    downgrade(url, "6b2f3d4e5a71")
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM contact")).scalar() == 2
        assert (
            connection.execute(
                sa.text("SELECT count(*) FROM booking WHERE contact_id IS NULL")
            ).scalar()
            == 0
        )
    engine.dispose()
    drop()
