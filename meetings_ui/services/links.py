"""Meeting links: create, edit, clone, delete — no connected calendar needed (S3).

Every function that touches a link takes the acting user and refuses links that are
neither theirs nor visible to an admin: a stranger's link id behaves as if it did not
exist, so ids cannot be probed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from meetings_ui.domain import slugs
from meetings_ui.domain.enums import LinkType
from meetings_ui.domain.link_settings import InvalidSettingsError, LinkSettings
from meetings_ui.models import MeetingLink, User
from meetings_ui.services.guard import Actor, is_admin


class LinkNotFoundError(LookupError):
    pass


class InvalidLinkError(ValueError):
    """Each problem as (field, message); `suggestions` offers free slugs when it was taken."""

    def __init__(self, problems: list[tuple[str, str]], suggestions: Sequence[str] = ()) -> None:
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))
        self.problems = problems
        self.suggestions = list(suggestions)


def settings_of(link: MeetingLink) -> LinkSettings:
    return LinkSettings.from_json(link.settings)


def slug_is_taken(session: Session, slug: str, *, except_link_id: int | None = None) -> bool:
    """S16: one slug names one link on every domain."""
    query = select(MeetingLink.id).where(MeetingLink.slug == slug)
    if except_link_id is not None:
        query = query.where(MeetingLink.id != except_link_id)
    return session.exec(query).first() is not None


def links_of(*, session: Session, user: User) -> list[MeetingLink]:
    """The links a user hosts or owns, newest first."""
    links = session.exec(
        select(MeetingLink).order_by(MeetingLink.created_at.desc(), MeetingLink.id.desc())
    ).all()
    return [link for link in links if link.owner_id == user.id or user.id in link.host_ids]


def link_for(*, session: Session, actor: Actor, link_id: int) -> MeetingLink:
    link = session.get(MeetingLink, link_id)
    if link is None or (link.owner_id != actor.id and not is_admin(actor)):
        raise LinkNotFoundError(f"No meeting link {link_id}")
    return link


def link_by_slug(*, session: Session, slug: str) -> MeetingLink | None:
    return session.exec(select(MeetingLink).where(MeetingLink.slug == slug)).first()


def _check_slug(session: Session, slug: str, except_link_id: int | None) -> None:
    problems = slugs.slug_problems(slug)
    if problems:
        raise InvalidLinkError([("slug", p) for p in problems])
    if slug_is_taken(session, slug, except_link_id=except_link_id):
        raise InvalidLinkError(
            [("slug", f"“{slug}” is already used by another meeting link.")],
            slugs.suggestions(slug, lambda s: slug_is_taken(session, s)),
        )


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InvalidLinkError([("name", "Enter a name for the meeting link.")])
    if len(name.strip()) > 200:
        raise InvalidLinkError([("name", "Use at most 200 characters.")])
    return name.strip()


def _check_hosts(
    session: Session, owner: User, link_type: str, host_ids: Sequence[int] | None
) -> list[int]:
    if link_type not in set(LinkType):
        raise InvalidLinkError([("link_type", "Choose one-on-one, group or round robin.")])
    hosts = list(dict.fromkeys([owner.id, *(host_ids or [])]))
    if any(isinstance(h, bool) or not isinstance(h, int) for h in hosts):
        raise InvalidLinkError([("host_ids", "Hosts are user ids.")])
    if link_type == LinkType.ONE_ON_ONE and len(hosts) != 1:
        raise InvalidLinkError([("host_ids", "A one-on-one link has only its owner as host.")])
    if link_type != LinkType.ONE_ON_ONE and len(hosts) < 2:
        raise InvalidLinkError(
            [("host_ids", "Group and round robin links need at least two hosts.")]
        )
    found = session.exec(select(User.id).where(User.id.in_(hosts), User.is_active)).all()
    if len(found) != len(hosts):
        raise InvalidLinkError(
            [("host_ids", "Every host must be an active user of this workspace.")]
        )
    return hosts


def _check_settings(data: Mapping[str, Any] | None, base: LinkSettings) -> LinkSettings:
    try:
        return LinkSettings.from_json(data, base=base)
    except InvalidSettingsError as error:
        raise InvalidLinkError([(f"settings.{f}", m) for f, m in error.problems]) from error


def do_create_link(
    *,
    session: Session,
    owner: User,
    name: str,
    slug: str | None = None,
    link_type: str = LinkType.ONE_ON_ONE,
    settings: Mapping[str, Any] | None = None,
    host_ids: Sequence[int] | None = None,
) -> MeetingLink:
    """A new link. Without a slug it takes one from the owner's Meetings URL as it is
    now (S7): changing that URL later leaves this link's URL alone."""
    name = _check_name(name)
    if slug is None:
        base = owner.meetings_url or slugs.slug_from_text(owner.display_name) or "meeting"
        slug = slugs.default_link_slug(base, name, lambda s: slug_is_taken(session, s))
    _check_slug(session, slug, None)
    hosts = _check_hosts(session, owner, link_type, host_ids)
    parsed = _check_settings(settings, LinkSettings(time_zone=owner.time_zone or "UTC"))
    link = MeetingLink(
        owner_id=owner.id,
        name=name,
        slug=slug,
        link_type=link_type,
        settings=parsed.to_json(),
        host_ids=hosts,
        domain_id=owner.meeting_domain_id,  # S12: the owner's Meeting domain, as it is now
    )
    session.add(link)
    _commit_unique_slug(session, slug)
    if owner.default_link_id is None:
        owner.default_link_id = link.id
        session.add(owner)
        session.commit()
    return link


def do_update_link(
    *, session: Session, actor: User, link_id: int, changes: Mapping[str, Any]
) -> MeetingLink:
    link = link_for(session=session, actor=actor, link_id=link_id)
    unknown = set(changes) - {"name", "slug", "link_type", "settings", "host_ids"}
    if unknown:
        raise InvalidLinkError([(key, "cannot be changed") for key in sorted(unknown)])
    if "name" in changes:
        link.name = _check_name(changes["name"])
    if "slug" in changes and changes["slug"] != link.slug:
        _check_slug(session, changes["slug"], link.id)
        link.slug = changes["slug"]
    if "link_type" in changes or "host_ids" in changes:
        owner = session.get(User, link.owner_id)
        link_type = changes.get("link_type", link.link_type)
        link.host_ids = _check_hosts(
            session, owner, link_type, changes.get("host_ids", link.host_ids)
        )
        link.link_type = link_type
    if "settings" in changes:
        link.settings = _check_settings(changes["settings"], settings_of(link)).to_json()
    session.add(link)
    _commit_unique_slug(session, link.slug)
    return link


def do_clone_link(*, session: Session, actor: User, link_id: int) -> MeetingLink:
    original = link_for(session=session, actor=actor, link_id=link_id)
    owner = session.get(User, original.owner_id)
    name = f"{original.name} (copy)"[:200]
    slug = slugs.suggestions(original.slug, lambda s: slug_is_taken(session, s), count=1)[0]
    return do_create_link(
        session=session,
        owner=owner,
        name=name,
        slug=slug,
        link_type=original.link_type,
        settings=original.settings,
        host_ids=original.host_ids,
    )


def do_delete_link(*, session: Session, actor: User, link_id: int) -> None:
    link = link_for(session=session, actor=actor, link_id=link_id)
    owner = session.get(User, link.owner_id)
    if owner.default_link_id == link.id:
        owner.default_link_id = None
        session.add(owner)
    session.delete(link)
    session.commit()


def _commit_unique_slug(session: Session, slug: str) -> None:
    """The database has the last word on S16 when two hosts race for one slug."""
    try:
        session.commit()
    except sa.exc.IntegrityError as error:
        session.rollback()
        raise InvalidLinkError(
            [("slug", f"“{slug}” is already used by another meeting link.")],
            slugs.suggestions(slug, lambda s: slug_is_taken(session, s)),
        ) from error
