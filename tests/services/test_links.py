"""Link use cases on the database: S7 defaults, S16 uniqueness, owners only (IDOR)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from meetings_ui.domain.enums import Role
from meetings_ui.domain.link_settings import LinkSettings
from meetings_ui.models import Domain, MeetingLink, User
from meetings_ui.services.links import (
    InvalidLinkError,
    LinkNotFoundError,
    do_answer_invitation,
    do_clone_link,
    do_create_link,
    do_delete_link,
    do_save_link,
    do_update_link,
    host_ids_of,
    host_views,
    link_draft,
    link_for,
    link_summaries,
    links_of,
)


def user(
    session: Session, email: str, meetings_url: str | None = None, role: str = Role.USER
) -> User:
    row = User(
        email=email, display_name=email.split("@")[0].title(), meetings_url=meetings_url, role=role
    )
    session.add(row)
    session.commit()
    return row


def test_meetings_url_changes_apply_only_to_links_created_afterwards(session: Session) -> None:
    jane = user(session, "jane@example.com", "jane")
    first = do_create_link(session=session, owner=jane, name="Intro")
    assert first.slug == "jane"
    jane.meetings_url = "jane-doe"
    session.commit()
    second = do_create_link(session=session, owner=jane, name="Demo")
    assert second.slug == "jane-doe"
    session.refresh(first)
    assert first.slug == "jane"  # existing links keep their URL
    assert jane.default_link_id == first.id


def test_a_slug_is_unique_across_every_domain(session: Session) -> None:
    ana = user(session, "ana@example.com", "ana")
    domain = Domain(host="book.example.org")
    session.add(domain)
    session.commit()
    link = do_create_link(session=session, owner=ana, name="Intro", slug="example")
    link.domain_id = domain.id
    session.commit()
    bob = user(session, "bob@example.com", "bob")
    with pytest.raises(InvalidLinkError) as refused:
        do_create_link(session=session, owner=bob, name="Other", slug="example")
    assert refused.value.suggestions == ["example-2", "example-3", "example-4"]
    assert len(session.exec(select(MeetingLink)).all()) == 1


def test_strangers_cannot_touch_a_link_but_admins_can(session: Session) -> None:
    owner = user(session, "owner@example.com", "owner")
    stranger = user(session, "stranger@example.com", "stranger")
    admin = user(session, "root@example.com", "root", Role.ADMIN)
    link = do_create_link(session=session, owner=owner, name="Intro")
    for attempt in (
        lambda: link_for(session=session, actor=stranger, link_id=link.id),
        lambda: do_update_link(
            session=session, actor=stranger, link_id=link.id, changes={"name": "Mine"}
        ),
        lambda: do_clone_link(session=session, actor=stranger, link_id=link.id),
        lambda: do_delete_link(session=session, actor=stranger, link_id=link.id),
    ):
        with pytest.raises(LinkNotFoundError):
            attempt()
    assert session.get(MeetingLink, link.id).name == "Intro"
    do_update_link(
        session=session, actor=admin, link_id=link.id, changes={"name": "Renamed by admin"}
    )
    assert session.get(MeetingLink, link.id).name == "Renamed by admin"


def test_group_and_round_robin_need_real_hosts(session: Session) -> None:
    owner = user(session, "lead@example.com", "lead")
    mate = user(session, "mate@example.com", "mate")
    with pytest.raises(InvalidLinkError, match="at least two hosts"):
        do_create_link(session=session, owner=owner, name="Team", link_type="group")
    with pytest.raises(InvalidLinkError, match="active user"):
        do_create_link(
            session=session, owner=owner, name="Team", link_type="group", host_ids=[9999]
        )
    with pytest.raises(InvalidLinkError, match="only its owner"):
        do_create_link(session=session, owner=owner, name="Solo", host_ids=[mate.id])
    team = do_create_link(
        session=session, owner=owner, name="Team", link_type="round_robin", host_ids=[mate.id]
    )
    assert [h.id for h in host_views(session=session, link=team)] == [owner.id, mate.id]
    assert host_ids_of(session=session, link=team) == [owner.id]  # until mate accepts
    do_answer_invitation(session=session, actor=mate, link_id=team.id, accept=True)
    assert host_ids_of(session=session, link=team) == [owner.id, mate.id]
    copy = do_clone_link(session=session, actor=owner, link_id=team.id)
    copied = session.get(MeetingLink, copy.id)
    assert [h.id for h in host_views(session=session, link=copied)] == [owner.id, mate.id]
    assert host_ids_of(session=session, link=copied) == [owner.id]  # the copy asks again
    assert copy.slug != team.slug and copy.name == "Team (copy)"


def test_links_of_a_host_come_from_the_join_table(session: Session) -> None:
    owner, mate, other = (user(session, f"{n}@example.com") for n in ("own", "mate", "other"))
    team = do_create_link(
        session=session, owner=owner, name="Team", link_type="group", host_ids=[mate.id]
    )
    solo = do_create_link(session=session, owner=other, name="Solo")
    assert links_of(session=session, user=mate) == []  # invited, not yet a host
    do_answer_invitation(session=session, actor=mate, link_id=team.id, accept=True)
    assert [link.id for link in links_of(session=session, user=mate)] == [team.id]
    assert [link.id for link in links_of(session=session, user=owner)] == [team.id]
    assert [link.id for link in links_of(session=session, user=other)] == [solo.id]
    do_update_link(session=session, actor=owner, link_id=team.id, changes={"host_ids": [other.id]})
    assert links_of(session=session, user=mate) == []
    do_answer_invitation(session=session, actor=other, link_id=team.id, accept=True)
    assert {link.id for link in links_of(session=session, user=other)} == {team.id, solo.id}


def test_the_editor_saves_a_link_in_one_call_and_reads_it_back(session: Session) -> None:
    owner, mate = user(session, "own@example.com"), user(session, "mate@example.com")
    saved = do_save_link(
        session=session,
        actor=owner,
        link_id=None,
        name="Team call",
        slug="",
        link_type="round_robin",
        co_host_emails=[" Mate@EXAMPLE.com", ""],
        settings={"durations": [45], "time_zone": "Europe/Paris"},
    )
    draft = link_draft(session=session, actor=owner, link_id=saved.id)
    assert draft.co_host_emails == ("mate@example.com",)
    assert draft.settings.durations == (45,) and draft.link_type == "round_robin"
    assert [s.id for s in link_summaries(session=session, actor=owner)] == [saved.id]
    assert saved.is_default and saved.url.endswith(f"/meetings/{saved.slug}")
    with pytest.raises(InvalidLinkError) as refused:
        do_save_link(
            session=session,
            actor=owner,
            link_id=saved.id,
            name="Team call",
            slug="",
            link_type="round_robin",
            co_host_emails=["nobody@example.com"],
            settings={},
        )
    assert refused.value.problems[0][0] == "hosts"
    with pytest.raises(LinkNotFoundError):
        link_draft(session=session, actor=mate, link_id=saved.id)


def test_the_editor_starts_from_the_hosts_zone_and_saves_its_structure(session: Session) -> None:
    """The availability editor's JSON, as it builds it: a night interval, a date off, a date
    with other hours; overlapping intervals are refused by field, and a link saved before
    that check (with overlaps) still takes other changes."""
    owner = user(session, "night@example.com")
    owner.time_zone = "Asia/Tokyo"
    session.commit()
    draft = link_draft(session=session, actor=owner)
    assert draft.host_zone == "Asia/Tokyo" and draft.settings.time_zone == "Asia/Tokyo"
    settings = {
        "weekly": {"mon": [["09:00", "12:00"], ["14:00", "17:00"]], "fri": [["22:00", "02:00"]]},
        "overrides": {"2030-12-24": [], "2030-12-26": [["10:00", "11:00"]]},
        "minimum_notice": 120,
        "rolling_days": None,
        "daily_cap": None,
    }
    saved = do_save_link(
        session=session,
        actor=owner,
        link_id=None,
        name="Night",
        slug="night-shift",
        link_type="one_on_one",
        co_host_emails=[],
        settings=settings,
    )
    stored = link_draft(session=session, actor=owner, link_id=saved.id)
    assert stored.host_zone == "Asia/Tokyo"
    assert {k: stored.settings.to_json()[k] for k in settings} == settings

    overlapping = {"weekly": {"tue": [["09:00", "12:00"], ["11:00", "13:00"]]}}
    with pytest.raises(InvalidLinkError) as refused:
        do_update_link(
            session=session, actor=owner, link_id=saved.id, changes={"settings": overlapping}
        )
    assert [field for field, _ in refused.value.problems] == ["settings.weekly.tue"]

    link = session.get(MeetingLink, saved.id)  # stored before the check existed
    link.settings = LinkSettings.model_validate({**link.settings.to_json(), **overlapping})
    session.add(link)
    session.commit()
    session.expire_all()
    do_update_link(
        session=session, actor=owner, link_id=saved.id, changes={"settings": {"buffer_after": 5}}
    )
    assert session.get(MeetingLink, saved.id).settings.buffer_after == 5


@pytest.mark.parametrize("name", ["Intro\rcall", "Intro\x00", "x" * 201, "  "])
def test_link_names_refuse_control_characters_and_overlong_text(
    session: Session, name: str
) -> None:
    owner = user(session, "own@example.com")
    with pytest.raises(InvalidLinkError) as refused:
        do_create_link(session=session, owner=owner, name=name)
    assert refused.value.problems[0][0] == "name"
