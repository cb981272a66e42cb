"""S16 on the database: a slug is unique across every domain, in every spelling, at every
door (create, rename, the editor, clone, the Meetings URL), and under concurrent requests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from meetings_ui.domain.slugs import canonical_slug
from meetings_ui.models import Domain, MeetingLink, Seat, User
from meetings_ui.services import links
from meetings_ui.services.calendar_settings import (
    InvalidCalendarSettingsError,
    check_meetings_url,
    do_save_calendar_settings,
)
from meetings_ui.services.links import (
    InvalidLinkError,
    SlugTakenError,
    check_slug,
    do_clone_link,
    do_create_link,
    do_save_link,
    do_update_link,
    link_by_slug,
)


def domain(session: Session, host: str) -> Domain:
    row = Domain(host=host, verified_at=datetime.now(UTC))
    session.add(row)
    session.commit()
    return row


def host_on(session: Session, name: str, on: Domain | None = None) -> User:
    """A host whose new links live on the domain `on` (None: the app's own domain)."""
    row = User(
        email=f"{name}@example.com",
        display_name=name.title(),
        meetings_url=name,
        meeting_domain_id=on.id if on else None,
    )
    session.add(row)
    session.commit()
    return row


@pytest.fixture
def hosts(session: Session) -> tuple[User, User, User]:
    """Ana on book.a.example, Bob on meet.b.example, Cleo on the app domain."""
    a, b = domain(session, "book.a.example"), domain(session, "meet.b.example")
    return host_on(session, "ana", a), host_on(session, "bob", b), host_on(session, "cleo")


def slugs_in_database(session: Session) -> list[str]:
    session.expire_all()
    return sorted(session.exec(select(MeetingLink.slug)).all())


def test_a_slug_is_stored_in_its_canonical_form(session: Session, hosts) -> None:
    ana, _, _ = hosts
    created = do_create_link(session=session, owner=ana, name="Demo", slug=" ＤＥＭＯ\u200b")
    assert created.slug == "demo"
    renamed = do_update_link(
        session=session, actor=ana, link_id=created.id, changes={"slug": "Sales-Call"}
    )
    assert renamed.slug == "sales-call"
    saved = do_save_link(
        session=session,
        actor=ana,
        link_id=None,
        name="Intro",
        slug="INTRO\u00ad",
        link_type="one_on_one",
        co_host_emails=[],
        settings={},
    )
    assert saved.slug == "intro" and saved.url.endswith("/meetings/intro")
    assert slugs_in_database(session) == ["intro", "sales-call"]
    # A visitor who types the address in capitals still finds the link.
    assert link_by_slug(session=session, slug="Sales-CALL").id == created.id


@pytest.mark.parametrize("spelling", ["demo", "DEMO", "Demo", "ｄｅｍｏ", "demo\u200b", " demo "])
def test_a_slug_taken_on_one_domain_is_taken_on_every_other(
    session: Session, hosts, spelling: str
) -> None:
    ana, bob, cleo = hosts
    taken = do_create_link(session=session, owner=ana, name="Demo", slug="demo")
    assert taken.domain_id == ana.meeting_domain_id is not None
    for other in (bob, cleo):  # another custom domain, and the app domain
        with pytest.raises(SlugTakenError) as refused:
            do_create_link(session=session, owner=other, name="Demo", slug=spelling)
        assert refused.value.problems == [
            ("slug", "“demo” is already used by another meeting link (on any domain).")
        ]
        assert refused.value.suggestions == ["demo-2", "demo-3", "demo-4"]
    own = do_create_link(session=session, owner=bob, name="Mine", slug="bob-demo")
    with pytest.raises(SlugTakenError):
        do_update_link(session=session, actor=bob, link_id=own.id, changes={"slug": spelling})
    with pytest.raises(SlugTakenError) as refused:
        do_save_link(
            session=session,
            actor=cleo,
            link_id=None,
            name="Demo",
            slug=spelling,
            link_type="one_on_one",
            co_host_emails=[],
            settings={},
        )
    assert refused.value.suggestions == ["demo-2", "demo-3", "demo-4"]
    assert slugs_in_database(session) == ["bob-demo", "demo"]


def test_suggestions_are_free_on_every_domain(session: Session, hosts) -> None:
    ana, bob, cleo = hosts
    do_create_link(session=session, owner=ana, name="Demo", slug="demo")
    do_create_link(session=session, owner=bob, name="Demo 2", slug="demo-2")
    do_create_link(session=session, owner=cleo, name="Demo 4", slug="demo-4")
    with pytest.raises(SlugTakenError) as refused:
        do_create_link(session=session, owner=cleo, name="Again", slug="Demo")
    assert refused.value.suggestions == ["demo-3", "demo-5", "demo-6"]
    for suggestion in refused.value.suggestions:
        assert do_create_link(session=session, owner=cleo, name="x", slug=suggestion)


@pytest.mark.parametrize(
    ("typed", "problem", "suggestions"),
    [
        ("Booked", "reserved", ["booked-2", "booked-3", "booked-4"]),
        ("reschedule", "reserved", ["reschedule-2", "reschedule-3", "reschedule-4"]),
        ("Démo", "lower-case letters a-z", ["demo", "demo-2", "demo-3"]),
        ("de\u0301mo", "lower-case letters a-z", ["demo", "demo-2", "demo-3"]),
        ("my demo", "lower-case letters a-z", ["my-demo", "my-demo-2", "my-demo-3"]),
        ("\u200b", "Enter a URL ending", []),
    ],
)
def test_slugs_that_are_not_allowed_are_refused_with_allowed_ones(
    session: Session, hosts, typed: str, problem: str, suggestions: list[str]
) -> None:
    ana, _, _ = hosts
    with pytest.raises(InvalidLinkError) as refused:
        do_create_link(session=session, owner=ana, name="Demo", slug=typed)
    assert not isinstance(refused.value, SlugTakenError)
    assert any(problem in message for _, message in refused.value.problems)
    assert refused.value.suggestions == suggestions
    assert slugs_in_database(session) == []


def test_a_link_keeps_a_slug_that_became_reserved_since(session: Session, hosts) -> None:
    ana, _, _ = hosts
    old = MeetingLink(owner_id=ana.id, name="Old", slug="invite")  # made before "invite" was
    session.add(old)
    session.commit()
    for slug in ("invite", "INVITE"):
        kept = do_update_link(
            session=session, actor=ana, link_id=old.id, changes={"name": "Renamed", "slug": slug}
        )
        assert kept.slug == "invite" and kept.name == "Renamed"
    with pytest.raises(InvalidLinkError, match="reserved"):
        do_create_link(session=session, owner=ana, name="New", slug="invite")


def test_the_editor_checks_the_slug_as_save_would(session: Session, hosts) -> None:
    ana, bob, _ = hosts
    mine = do_create_link(session=session, owner=ana, name="Demo", slug="demo")
    assert check_slug(session=session, actor=ana, typed="DEMO", link_id=mine.id).problems == ()
    assert check_slug(session=session, actor=bob, typed="Ｂｏｂ-Call", link_id=None).slug == (
        "bob-call"
    )
    taken = check_slug(session=session, actor=bob, typed="Demo", link_id=None)
    assert taken.problems and taken.suggestions == ("demo-2", "demo-3", "demo-4")
    assert check_slug(session=session, actor=bob, typed="  ", link_id=None).problems == ()
    with pytest.raises(links.LinkNotFoundError):  # another host's link id is not found
        check_slug(session=session, actor=bob, typed="x-y-z", link_id=mine.id)


def test_a_clone_takes_the_next_free_slug_even_when_raced(
    session: Session, hosts, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana, bob, _ = hosts
    original = do_create_link(session=session, owner=ana, name="Demo", slug="demo")
    real_create = links.do_create_link
    raced = []

    def create_after_a_rival(**kwargs):
        if not raced:  # another host takes the free slug between the check and the insert
            raced.append(kwargs["slug"])
            real_create(session=session, owner=bob, name="Rival", slug=kwargs["slug"])
        return real_create(**kwargs)

    monkeypatch.setattr(links, "do_create_link", create_after_a_rival)
    copy = do_clone_link(session=session, actor=ana, link_id=original.id)
    assert raced == ["demo-2"] and copy.slug == "demo-3"
    assert slugs_in_database(session) == ["demo", "demo-2", "demo-3"]


def test_the_database_refusal_becomes_the_same_answer(
    session: Session, hosts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check passed, but another request inserted the slug before this one did: the
    unique index refuses, and the host gets the usual refusal with suggestions."""
    ana, bob, _ = hosts
    do_create_link(session=session, owner=ana, name="Demo", slug="demo")
    # As if a rival committed the slug just after this request's check:
    monkeypatch.setattr(links, "_check_slug", lambda _session, typed, _link: canonical_slug(typed))
    with pytest.raises(SlugTakenError) as refused:
        do_create_link(session=session, owner=bob, name="Demo", slug="DEMO")
    assert refused.value.suggestions == ["demo-2", "demo-3", "demo-4"]
    own = do_create_link(session=session, owner=bob, name="Own", slug="bob-own")
    with pytest.raises(SlugTakenError):
        do_update_link(session=session, actor=bob, link_id=own.id, changes={"slug": "demo"})
    assert slugs_in_database(session) == ["bob-own", "demo"]


def _race(engine: sa.Engine, attempts: list[Callable[[Session], object]]) -> list[object]:
    """Run each attempt in a thread with a session of its own, all released at once;
    each outcome is what it returned or the exception it raised."""
    barrier = threading.Barrier(len(attempts))
    outcomes: list[object] = [None] * len(attempts)

    def run(index: int) -> None:
        with Session(engine, expire_on_commit=False) as own:
            barrier.wait()
            try:
                outcomes[index] = attempts[index](own)
            except Exception as error:  # every outcome is checked by the test
                outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_hosts_on_different_domains_racing_for_one_slug_get_one_link(
    engine: sa.Engine, session: Session, hosts
) -> None:
    spellings = ["demo", "DEMO", "ｄｅｍｏ", "Demo\u200b", "demo", "DEMO"]
    owners = [hosts[i % 3] for i in range(len(spellings))]
    outcomes = _race(
        engine,
        [
            lambda own, o=owner, s=spelling: do_create_link(
                session=own, owner=own.get(User, o.id), name="Demo", slug=s
            )
            for owner, spelling in zip(owners, spellings, strict=True)
        ],
    )
    won = [o for o in outcomes if isinstance(o, MeetingLink)]
    refused = [o for o in outcomes if isinstance(o, SlugTakenError)]
    assert len(won) == 1 and len(refused) == len(spellings) - 1, outcomes
    assert all(r.suggestions == ["demo-2", "demo-3", "demo-4"] for r in refused)
    assert slugs_in_database(session) == ["demo"]


def test_renames_racing_for_one_slug_leave_one_link_with_it(
    engine: sa.Engine, session: Session, hosts
) -> None:
    own_links = [
        do_create_link(session=session, owner=owner, name="Mine", slug=f"{owner.meetings_url}-x")
        for owner in hosts
    ]
    outcomes = _race(
        engine,
        [
            lambda own, link=link, owner=owner: do_update_link(
                session=own,
                actor=own.get(User, owner.id),
                link_id=link.id,
                changes={"slug": "Shared"},
            )
            for link, owner in zip(own_links, hosts, strict=True)
        ],
    )
    assert sum(isinstance(o, MeetingLink) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, SlugTakenError) for o in outcomes) == 2, outcomes
    assert slugs_in_database(session).count("shared") == 1
    assert len(slugs_in_database(session)) == 3  # the losers keep their own slug


def test_the_meetings_url_is_canonical_and_free_of_links_on_every_domain(
    session: Session, hosts
) -> None:
    ana, bob, _ = hosts
    session.add(Seat(user_id=bob.id, hub="sales", tier="pro"))  # may change the Meetings URL
    do_create_link(session=session, owner=ana, name="Team", slug="team")
    saved = do_save_calendar_settings(
        session=session,
        actor=bob,
        user_id=bob.id,
        meetings_url="Bob-Sales\u200b",
        default_link_id=None,
        meeting_domain_id=bob.meeting_domain_id,
    )
    assert saved.meetings_url == "bob-sales"
    check = check_meetings_url(session=session, actor=bob, candidate="ＴＥＡＭ")
    assert check.problems and check.suggestions == ("team-2", "team-3", "team-4")
    assert check_meetings_url(session=session, actor=bob, candidate="BOB-SALES").problems == ()
    with pytest.raises(InvalidCalendarSettingsError) as refused:
        do_save_calendar_settings(
            session=session,
            actor=bob,
            user_id=bob.id,
            meetings_url="Team",
            default_link_id=None,
            meeting_domain_id=bob.meeting_domain_id,
        )
    assert refused.value.suggestions == ["team-2", "team-3", "team-4"]
    with pytest.raises(InvalidCalendarSettingsError, match="reserved"):
        do_save_calendar_settings(
            session=session,
            actor=bob,
            user_id=bob.id,
            meetings_url="Booked",
            default_link_id=None,
            meeting_domain_id=bob.meeting_domain_id,
        )
    session.refresh(bob)
    assert bob.meetings_url == "bob-sales"


@pytest.mark.parametrize("spelling", ["Demo", "ｄｅｍｏ", "demo\u200b", "démo"])
def test_the_database_refuses_a_slug_a_code_path_forgot_to_canonicalise(
    session: Session, hosts, spelling: str
) -> None:
    ana, bob, _ = hosts
    session.add(MeetingLink(owner_id=ana.id, name="Demo", slug="demo"))
    session.commit()
    session.add(MeetingLink(owner_id=bob.id, name="Demo", slug=spelling))
    with pytest.raises(sa.exc.IntegrityError):
        session.commit()
    session.rollback()
    bob.meetings_url = spelling
    session.add(bob)
    with pytest.raises(sa.exc.IntegrityError):
        session.commit()
    session.rollback()
    assert slugs_in_database(session) == ["demo"]


def test_hosts_racing_for_one_meetings_url_get_it_once(
    engine: sa.Engine, session: Session, hosts
) -> None:
    for host in hosts:
        session.add(Seat(user_id=host.id, hub="sales", tier="pro"))
    session.commit()

    def save(host: User, spelling: str) -> Callable[[Session], object]:
        return lambda own: do_save_calendar_settings(
            session=own,
            actor=own.get(User, host.id),
            user_id=host.id,
            meetings_url=spelling,
            default_link_id=None,
            meeting_domain_id=host.meeting_domain_id,
        )

    outcomes = _race(engine, [save(h, s) for h in hosts for s in ("Sales-Team", "SALES-TEAM")])
    refused = [o for o in outcomes if isinstance(o, InvalidCalendarSettingsError)]
    saved = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(saved) + len(refused) == len(outcomes), outcomes
    session.expire_all()
    owners = session.exec(select(User.id).where(User.meetings_url == "sales-team")).all()
    assert len(owners) == 1
    # The winner's two saves both succeed (its own URL); every other host is refused.
    winners = {hosts[i // 2].id for i, o in enumerate(outcomes) if not isinstance(o, Exception)}
    assert winners == set(owners) and len(saved) == 2
    assert len(refused) == 4 and all(r.suggestions[0] == "sales-team-2" for r in refused)
