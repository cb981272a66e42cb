"""Meeting links: create, edit, clone, delete — no connected calendar needed (S3).

Every function that touches a link takes the acting user and refuses links that are
neither theirs nor visible to an admin: a stranger's link id behaves as if it did not
exist, so ids cannot be probed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from meetings_ui import routes
from meetings_ui.config import get_settings
from meetings_ui.domain import slugs
from meetings_ui.domain.enums import LinkType
from meetings_ui.domain.link_settings import InvalidSettingsError, LinkSettings
from meetings_ui.domain.text_fields import InvalidTextError, clean_line
from meetings_ui.models import LinkHost, MeetingLink, User
from meetings_ui.services.accounts import normalise_email
from meetings_ui.services.guard import Actor, is_admin
from meetings_ui.services.transactions import use_case


class LinkNotFoundError(LookupError):
    pass


class InvalidLinkError(ValueError):
    """Each problem as (field, message); `suggestions` offers free slugs when it was taken."""

    def __init__(self, problems: list[tuple[str, str]], suggestions: Sequence[str] = ()) -> None:
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))
        self.problems = problems
        self.suggestions = list(suggestions)


def slug_is_taken(session: Session, slug: str, *, except_link_id: int | None = None) -> bool:
    """S16: one slug names one link on every domain."""
    query = select(MeetingLink.id).where(MeetingLink.slug == slug)
    if except_link_id is not None:
        query = query.where(MeetingLink.id != except_link_id)
    return session.exec(query).first() is not None


def links_of(*, session: Session, user: User) -> list[MeetingLink]:
    """The links a user hosts or owns, newest first."""
    hosted = select(LinkHost.link_id).where(LinkHost.user_id == user.id)
    return list(
        session.exec(
            select(MeetingLink)
            .where(sa.or_(MeetingLink.owner_id == user.id, MeetingLink.id.in_(hosted)))
            .order_by(MeetingLink.created_at.desc(), MeetingLink.id.desc())
        ).all()
    )


def host_ids_of(*, session: Session, link: MeetingLink) -> list[int]:
    """The link's hosts, its owner first."""
    return list(
        session.exec(
            select(LinkHost.user_id).where(LinkHost.link_id == link.id).order_by(LinkHost.position)
        ).all()
    )


def _set_hosts(session: Session, link: MeetingLink, host_ids: list[int]) -> None:
    for row in session.exec(select(LinkHost).where(LinkHost.link_id == link.id)).all():
        session.delete(row)
    session.flush()
    for position, user_id in enumerate(host_ids):
        session.add(LinkHost(link_id=link.id, user_id=user_id, position=position))


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
        raise _slug_taken(session, slug)


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InvalidLinkError([("name", "Enter a name for the meeting link.")])
    try:
        return clean_line(name, max_length=200)
    except InvalidTextError as error:
        raise InvalidLinkError([("name", str(error))]) from None


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


def _check_settings(data: object, base: LinkSettings) -> LinkSettings:
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
    settings: Mapping[str, Any] | LinkSettings | None = None,
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
    if not isinstance(settings, LinkSettings):
        settings = _check_settings(settings, LinkSettings(time_zone=owner.time_zone or "UTC"))
    link = MeetingLink(
        owner_id=owner.id,
        name=name,
        slug=slug,
        link_type=link_type,
        settings=settings,
        domain_id=owner.meeting_domain_id,  # S12: the owner's Meeting domain, as it is now
    )
    session.add(link)
    _write_unique_slug(session, slug, commit=False)  # the hosts' rows need the link's id
    _set_hosts(session, link, hosts)
    if owner.default_link_id is None:  # S8: a host's first link is their default one
        owner.default_link_id = link.id
        session.add(owner)
    _write_unique_slug(session, slug)
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
        hosts = changes.get("host_ids", host_ids_of(session=session, link=link))
        _set_hosts(session, link, _check_hosts(session, owner, link_type, hosts))
        link.link_type = link_type
    if "settings" in changes:
        link.settings = _check_settings(changes["settings"], link.settings)
    session.add(link)
    _write_unique_slug(session, link.slug)
    return link


@use_case
def do_clone_link(*, session: Session, actor: User, link_id: int) -> LinkSummary:
    original = link_for(session=session, actor=actor, link_id=link_id)
    owner = session.get(User, original.owner_id)
    name = f"{original.name} (copy)"[:200]
    slug = slugs.suggestions(original.slug, lambda s: slug_is_taken(session, s), count=1)[0]
    copy = do_create_link(
        session=session,
        owner=owner,
        name=name,
        slug=slug,
        link_type=original.link_type,
        settings=original.settings,
        host_ids=host_ids_of(session=session, link=original),
    )
    return _summary(copy, owner)


@use_case
def do_delete_link(*, session: Session, actor: User, link_id: int) -> None:
    link = link_for(session=session, actor=actor, link_id=link_id)
    owner = session.get(User, link.owner_id)
    if owner.default_link_id == link.id:
        owner.default_link_id = None
        session.add(owner)
    session.delete(link)
    session.commit()


def _slug_taken(session: Session, slug: str) -> InvalidLinkError:
    return InvalidLinkError(
        [("slug", f"“{slug}” is already used by another meeting link.")],
        slugs.suggestions(slug, lambda s: slug_is_taken(session, s)),
    )


def _write_unique_slug(session: Session, slug: str, *, commit: bool = True) -> None:
    """The database has the last word on S16 when two hosts race for one slug."""
    try:
        session.commit() if commit else session.flush()
    except sa.exc.IntegrityError as error:
        session.rollback()
        raise _slug_taken(session, slug) from error


# --- the meetings dashboard: view models and one use case per action ------------------------


@dataclass(frozen=True)
class LinkSummary:
    """A row of the host's list of links."""

    id: int
    name: str
    slug: str
    url: str
    link_type: LinkType
    durations: tuple[int, ...]
    is_default: bool


@dataclass(frozen=True)
class LinkDraft:
    """What the link editor starts from: a link's fields, or the defaults of a new one."""

    name: str
    slug: str
    link_type: LinkType
    co_host_emails: tuple[str, ...]
    settings: LinkSettings


def link_url(link: MeetingLink) -> str:
    return f"{get_settings().app_url}{routes.booking_page(link.slug)}"


def _summary(link: MeetingLink, owner: User) -> LinkSummary:
    return LinkSummary(
        id=link.id,
        name=link.name,
        slug=link.slug,
        url=link_url(link),
        link_type=LinkType(link.link_type),
        durations=link.settings.durations,
        is_default=owner.default_link_id == link.id,
    )


@use_case
def link_summaries(*, session: Session, actor: User) -> list[LinkSummary]:
    """The actor's links, newest first, as the dashboard lists them."""
    me = session.get(User, actor.id)
    return [_summary(link, me) for link in links_of(session=session, user=me)]


@use_case
def link_draft(*, session: Session, actor: User, link_id: int | None = None) -> LinkDraft:
    """The editor's starting point; a stranger's link id is not found (no IDOR)."""
    me = session.get(User, actor.id)
    if link_id is None:
        return LinkDraft("", "", LinkType.ONE_ON_ONE, (), LinkSettings(time_zone=me.time_zone))
    link = link_for(session=session, actor=me, link_id=link_id)
    co_hosts = [h for h in host_ids_of(session=session, link=link) if h != link.owner_id]
    emails = session.exec(select(User.email).where(User.id.in_(co_hosts))).all()
    return LinkDraft(link.name, link.slug, LinkType(link.link_type), tuple(emails), link.settings)


@use_case
def do_save_link(
    *,
    session: Session,
    actor: User,
    link_id: int | None,
    name: str,
    slug: str,
    link_type: str,
    co_host_emails: Sequence[str],
    settings: Mapping[str, Any],
) -> LinkSummary:
    """The editor's Save: create (no id) or update one link, co-hosts named by email."""
    me = session.get(User, actor.id)
    emails = list(dict.fromkeys(normalise_email(e) for e in co_host_emails if e.strip()))
    found = dict(session.exec(select(User.email, User.id).where(User.email.in_(emails))).all())
    missing = [e for e in emails if e not in found]
    if missing:
        raise InvalidLinkError([("hosts", f"no user with the email {', '.join(missing)}")])
    fields: dict[str, Any] = {
        "name": name,
        "link_type": link_type,
        "settings": settings,
        "host_ids": [found[e] for e in emails],
    }
    slug = slug.strip()
    if link_id is None:
        link = do_create_link(session=session, owner=me, slug=slug or None, **fields)
    else:
        link = do_update_link(
            session=session,
            actor=me,
            link_id=link_id,
            changes=fields | ({"slug": slug} if slug else {}),
        )
    return _summary(link, session.get(User, link.owner_id))
