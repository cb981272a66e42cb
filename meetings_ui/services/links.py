"""Meeting links: create, edit, clone, delete — no connected calendar needed (S3).

Every function that touches a link takes the acting user and refuses links that are
neither theirs nor visible to an admin: a stranger's link id behaves as if it did not
exist, so ids cannot be probed.

Co-hosts consent: naming a user on a group or round robin link invites them (in the
app and by email), and the link uses them — their free time, round robin turns, their
calendar — only once they accept (`host_ids_of`). An admin adds members directly. A
co-host may decline, or leave a link later; the owner may invite someone again after
they declined.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from meetings_ui import routes
from meetings_ui.config import get_settings
from meetings_ui.domain import slugs
from meetings_ui.domain.enums import HostStatus, LinkType
from meetings_ui.domain.link_settings import InvalidSettingsError, LinkSettings
from meetings_ui.domain.messages import Text
from meetings_ui.domain.text_fields import InvalidTextError, clean_line
from meetings_ui.models import LinkHost, MeetingLink, User
from meetings_ui.services import audit, domain_brand, rate_limits
from meetings_ui.services.accounts import normalise_email
from meetings_ui.services.guard import Actor, ForbiddenError, is_admin
from meetings_ui.services.mail import reader_of, send_email
from meetings_ui.services.transactions import use_case


class LinkNotFoundError(LookupError):
    pass


class InvitationNotFoundError(LookupError):
    """No open invitation of this user to this link (answered, withdrawn, or never theirs)."""


class InvalidLinkError(ValueError):
    """Each problem as (field, message); `suggestions` offers free slugs when it was taken."""

    def __init__(self, problems: list[tuple[str, str]], suggestions: Sequence[str] = ()) -> None:
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))
        self.problems = problems
        self.suggestions = list(suggestions)


class SlugTakenError(InvalidLinkError):
    """The slug names another link, on this or any other domain (S16): the API's 409."""


def slug_is_taken(session: Session, slug: str) -> bool:
    """S16: one (canonical) slug names one link on every domain."""
    return session.exec(select(MeetingLink.id).where(MeetingLink.slug == slug)).first() is not None


def links_of(*, session: Session, user: User) -> list[MeetingLink]:
    """The links a user owns or has accepted to host, newest first."""
    hosted = select(LinkHost.link_id).where(
        LinkHost.user_id == user.id, LinkHost.status == HostStatus.ACCEPTED
    )
    return list(
        session.exec(
            select(MeetingLink)
            .where(sa.or_(MeetingLink.owner_id == user.id, MeetingLink.id.in_(hosted)))
            .order_by(MeetingLink.created_at.desc(), MeetingLink.id.desc())
        ).all()
    )


# Statements of every public page view and slots query, built once (M13): SQLAlchemy then
# neither builds them nor computes their cache key again on each request.
_HOST_IDS = (
    select(LinkHost.user_id)
    .where(LinkHost.link_id == sa.bindparam("link_id"), LinkHost.status == HostStatus.ACCEPTED)
    .order_by(LinkHost.position)
)
_LINK_BY_SLUG = select(MeetingLink).where(MeetingLink.slug == sa.bindparam("slug"))


def host_ids_of(*, session: Session, link: MeetingLink) -> list[int]:
    """The hosts the link uses — free time, round robin, calendar writes: the owner first,
    then the co-hosts who accepted. Nobody else, ever."""
    return list(session.exec(_HOST_IDS, params={"link_id": link.id}).all())


@dataclass(frozen=True)
class HostView:
    """A host named on a link, with their answer, for the editor and the API."""

    id: int
    email: str
    name: str
    status: HostStatus


def host_views(*, session: Session, link: MeetingLink) -> list[HostView]:
    """Everyone named on the link, whatever their answer, the owner first."""
    rows = session.exec(
        select(LinkHost, User)
        .join(User, User.id == LinkHost.user_id)
        .where(LinkHost.link_id == link.id)
        .order_by(LinkHost.position)
    ).all()
    return [HostView(u.id, u.email, u.display_name, HostStatus(h.status)) for h, u in rows]


def _named_host_ids(session: Session, link: MeetingLink) -> list[int]:
    return [host.id for host in host_views(session=session, link=link)]


def _set_hosts(
    session: Session,
    actor: Actor,
    link: MeetingLink,
    host_ids: list[int],
    declined: Collection[int] = (),
) -> list[int]:
    """Make `host_ids` the link's hosts, in order. Those already named keep their answer;
    each newcomer is invited, or added directly when an admin acts, except those in
    `declined` (a clone's), who keep that answer. Returns the newly invited or added."""
    rows = {
        row.user_id: row
        for row in session.exec(select(LinkHost).where(LinkHost.link_id == link.id)).all()
    }
    for user_id, row in rows.items():
        if user_id not in host_ids:
            session.delete(row)
    added = []
    for position, user_id in enumerate(host_ids):
        row = rows.get(user_id)
        if row is None:
            row = LinkHost(link_id=link.id, user_id=user_id)
            if user_id == link.owner_id:
                row.status = HostStatus.ACCEPTED
            elif user_id in declined:
                row.status = HostStatus.DECLINED
            else:
                _name(row, actor)
                added.append(user_id)
        row.position = position
        session.add(row)
    return added


def _name(row: LinkHost, actor: Actor) -> None:
    """A co-host named by `actor`: accepted at once when an admin adds them, else invited."""
    row.status = HostStatus.ACCEPTED if is_admin(actor) else HostStatus.INVITED
    row.invited_at, row.answered_at = datetime.now(UTC), None


def _send_invitations(session: Session, link: MeetingLink, user_ids: Sequence[int]) -> None:
    """Email each newly invited co-host; part of the transaction that invites them, which
    a rate limit refuses whole (InvalidLinkError) rather than invite without telling."""
    owner = session.get(User, link.owner_id)
    for user_id in user_ids:
        row = session.get(LinkHost, (link.id, user_id))
        if row is None or row.status != HostStatus.INVITED:
            continue
        try:
            rate_limits.co_host_invitation(inviter_id=owner.id, invitee_id=user_id)
        except rate_limits.RateLimitedError as refused:
            raise InvalidLinkError(
                [
                    (
                        "host_ids",
                        Text(
                            "Too many co-host invitations were sent lately: "
                            "try again in {minutes} minutes.",
                            minutes=refused.minutes,
                        ),
                    )
                ]
            ) from None
        invitee = session.get(User, user_id)
        reader = reader_of(invitee)  # the invitee's language
        send_email(
            session=session,
            to=invitee.email,
            subject=reader.t(
                "{owner} invites you to host “{link}”", owner=owner.display_name, link=link.name
            ),
            text="\n".join(
                [
                    reader.t("Hello {name},", name=invitee.display_name),
                    "",
                    reader.t(
                        "{owner} ({email}) invites you to host the meeting link “{link}”. "
                        "Until you accept, the link does not use your calendar or your free "
                        "time.",
                        owner=owner.display_name,
                        email=owner.email,
                        link=link.name,
                    ),
                    "",
                    reader.t("Accept or decline on your Meetings page:"),
                    f"{get_settings().app_url}{routes.MEETINGS}",
                    "",
                ]
            ),
        )


def _record_new_hosts(
    session: Session, actor: Actor, link: MeetingLink, user_ids: Sequence[int]
) -> None:
    """Audit who was invited or added directly; after the commit that did it."""
    for user_id in user_ids:
        row = session.get(LinkHost, (link.id, user_id))
        if row is None:
            continue
        audit.record(
            session=session,
            actor_id=actor.id,
            action="link.co_host_added"
            if row.status == HostStatus.ACCEPTED
            else "link.co_host_invited",
            target=session.get(User, user_id).email,
            details={"link_id": link.id, "slug": link.slug},
        )


def link_for(*, session: Session, actor: Actor, link_id: int) -> MeetingLink:
    link = session.get(MeetingLink, link_id)
    if link is None or (link.owner_id != actor.id and not is_admin(actor)):
        raise LinkNotFoundError(f"No meeting link {link_id}")
    return link


def link_by_slug(*, session: Session, slug: str) -> MeetingLink | None:
    """The link at /meetings/<slug>, however the visitor typed it ("/meetings/Demo")."""
    wanted = slugs.canonical_slug(slug)
    return session.exec(_LINK_BY_SLUG, params={"slug": wanted}).first()


def _check_slug(session: Session, typed: Any, link: MeetingLink | None) -> str:
    """The canonical form of the slug a host typed for `link` (None: a new one), if it is
    allowed and free (S16). A link keeps the slug it has, even one reserved since."""
    slug = slugs.canonical_slug(typed) if isinstance(typed, str) else ""
    if link is not None and slug == link.slug:
        return slug
    problems = slugs.slug_problems(slug)
    if problems:
        raise InvalidLinkError(
            [("slug", p) for p in problems],
            slugs.suggestions(slug, lambda s: slug_is_taken(session, s)) if slug else (),
        )
    if slug_is_taken(session, slug):
        raise _slug_taken(session, slug)
    return slug


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InvalidLinkError([("name", Text("Enter a name for the meeting link."))])
    try:
        return clean_line(name, max_length=200)
    except InvalidTextError as error:
        raise InvalidLinkError([("name", error.args[0])]) from None


def _check_hosts(
    session: Session, owner: User, link_type: str, host_ids: Sequence[int] | None
) -> list[int]:
    if link_type not in set(LinkType):
        raise InvalidLinkError([("link_type", Text("Choose one-on-one, group or round robin."))])
    hosts = list(dict.fromkeys([owner.id, *(host_ids or [])]))
    if any(isinstance(h, bool) or not isinstance(h, int) for h in hosts):
        raise InvalidLinkError([("host_ids", Text("Hosts are user ids."))])
    if link_type == LinkType.ONE_ON_ONE and len(hosts) != 1:
        raise InvalidLinkError(
            [("host_ids", Text("A one-on-one link has only its owner as host."))]
        )
    if link_type != LinkType.ONE_ON_ONE and len(hosts) < 2:
        raise InvalidLinkError(
            [("host_ids", Text("Group and round robin links need at least two hosts."))]
        )
    found = session.exec(select(User.id).where(User.id.in_(hosts), User.is_active)).all()
    if len(found) != len(hosts):  # the same answer for no such user and an inactive one
        raise InvalidLinkError([("host_ids", ONLY_MEMBERS)])
    return hosts


ONLY_MEMBERS = Text("Every host must be an active user of this workspace.")


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
    actor: Actor | None = None,
    declined: Collection[int] = (),
) -> MeetingLink:
    """A new link. Without a slug it takes one from the owner's Meetings URL as it is
    now (S7): changing that URL later leaves this link's URL alone. Co-hosts are invited
    (added directly when `actor`, by default the owner, is an admin); those in `declined`
    are named with that answer and not asked again."""
    actor = owner if actor is None else actor
    name = _check_name(name)
    if slug is None:
        base = owner.meetings_url or slugs.slug_from_text(owner.display_name) or "meeting"
        slug = slugs.default_link_slug(base, name, lambda s: slug_is_taken(session, s))
    slug = _check_slug(session, slug, None)
    hosts = _check_hosts(session, owner, link_type, host_ids)
    if not isinstance(settings, LinkSettings):
        settings = _check_settings(settings, LinkSettings(time_zone=owner.time_zone or "UTC"))
    link = MeetingLink(
        owner_id=owner.id,
        name=name,
        slug=slug,
        link_type=link_type,
        settings=settings,
        # S12: the owner's Meeting domain as it is now; one whose DNS checks fail takes no
        # new links (they start on the app domain).
        domain_id=owner.meeting_domain_id
        if domain_brand.domain_host(session, owner.meeting_domain_id)
        else None,
    )
    session.add(link)
    _write_unique_slug(session, slug, commit=False)  # the hosts' rows need the link's id
    added = _set_hosts(session, actor, link, hosts, declined)
    if owner.default_link_id is None:  # S8: a host's first link is their default one
        owner.default_link_id = link.id
        session.add(owner)
    _write_unique_slug(session, slug, commit=False)
    _send_invitations(session, link, added)
    _write_unique_slug(session, slug)
    _record_new_hosts(session, actor, link, added)
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
    if "slug" in changes:
        link.slug = _check_slug(session, changes["slug"], link)
    added: list[int] = []
    if "link_type" in changes or "host_ids" in changes:
        owner = session.get(User, link.owner_id)
        link_type = changes.get("link_type", link.link_type)
        hosts = changes.get("host_ids", _named_host_ids(session, link))
        added = _set_hosts(session, actor, link, _check_hosts(session, owner, link_type, hosts))
        link.link_type = link_type
    if "settings" in changes:
        link.settings = _check_settings(changes["settings"], link.settings)
    session.add(link)
    _write_unique_slug(session, link.slug, commit=False)  # a raced slug is a clear refusal
    _send_invitations(session, link, added)
    _write_unique_slug(session, link.slug)
    _record_new_hosts(session, actor, link, added)
    return link


@use_case
def do_clone_link(*, session: Session, actor: User, link_id: int) -> LinkSummary:
    original = link_for(session=session, actor=actor, link_id=link_id)
    owner = session.get(User, original.owner_id)
    name = f"{original.name} (copy)"[:200]
    # The copy invites the co-hosts again (they accepted the original only); those who
    # declined stay declined, so cloning is no way around their answer.
    named = host_views(session=session, link=original)
    attempts_left = CLONE_ATTEMPTS
    while True:
        slug = slugs.suggestions(original.slug, lambda s: slug_is_taken(session, s), count=1)[0]
        try:
            copy = do_create_link(
                session=session,
                owner=owner,
                name=name,
                slug=slug,
                link_type=original.link_type,
                settings=original.settings,
                host_ids=[h.id for h in named],
                actor=actor,
                declined=[h.id for h in named if h.status == HostStatus.DECLINED],
            )
            return _summary(session, copy, owner)
        except SlugTakenError:  # another host took that free slug a moment ago
            attempts_left -= 1
            if not attempts_left:
                raise


@use_case
def do_delete_link(*, session: Session, actor: User, link_id: int) -> None:
    link = link_for(session=session, actor=actor, link_id=link_id)
    owner = session.get(User, link.owner_id)
    if owner.default_link_id == link.id:
        owner.default_link_id = None
        session.add(owner)
    session.delete(link)
    session.commit()


# A clone takes the next free slug; another host may take it first, a few times in a row.
CLONE_ATTEMPTS = 3


def _slug_taken(session: Session, slug: str) -> SlugTakenError:
    return SlugTakenError(
        [
            (
                "slug",
                Text(
                    "“{slug}” is already used by another meeting link (on any domain).", slug=slug
                ),
            )
        ],
        slugs.suggestions(slug, lambda s: slug_is_taken(session, s)),
    )


def _write_unique_slug(session: Session, slug: str, *, commit: bool = True) -> None:
    """The database has the last word on S16 when two hosts race for one slug: the
    loser gets the same refusal, with suggestions, as if it had come second."""
    try:
        session.commit() if commit else session.flush()
    except sa.exc.IntegrityError as error:
        session.rollback()
        if not slug_is_taken(session, slug):
            raise  # another constraint: not ours to explain
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
    is_owner: bool  # False: the user co-hosts it, and may leave it
    can_edit: bool  # the owner, or an admin


@dataclass(frozen=True)
class SlugCheck:
    """A URL ending as the editor checks it: its canonical form, what is wrong with it,
    and free ones close to it."""

    slug: str
    problems: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()


@use_case
def check_slug(*, session: Session, actor: User, typed: str, link_id: int | None) -> SlugCheck:
    """The editor's check as the host leaves the URL field, with the rules Save applies;
    an empty field is fine (the slug then comes from the Meetings URL)."""
    link = link_for(session=session, actor=actor, link_id=link_id) if link_id else None
    if not typed.strip():
        return SlugCheck("")
    try:
        return SlugCheck(_check_slug(session, typed, link))
    except InvalidLinkError as refused:
        return SlugCheck(
            slugs.canonical_slug(typed),
            tuple(message for _, message in refused.problems),
            tuple(refused.suggestions),
        )


@dataclass(frozen=True)
class LinkDraft:
    """What the link editor starts from: a link's fields, or the defaults of a new one."""

    name: str
    slug: str
    link_type: LinkType
    co_host_emails: tuple[str, ...]
    settings: LinkSettings
    co_hosts: tuple[HostView, ...] = ()  # with their answers, for the editor to show
    host_zone: str = "UTC"  # the editing user's own time zone, offered first


def link_url(session: Session, link: MeetingLink) -> str:
    """The URL the link is shown, copied, embedded and mailed with: on its custom domain."""
    return domain_brand.public_link_url(session, slug=link.slug, domain_id=link.domain_id)


def _summary(session: Session, link: MeetingLink, viewer: User) -> LinkSummary:
    return LinkSummary(
        id=link.id,
        name=link.name,
        slug=link.slug,
        url=link_url(session, link),
        link_type=LinkType(link.link_type),
        durations=link.settings.durations,
        is_default=viewer.default_link_id == link.id,
        is_owner=viewer.id == link.owner_id,
        can_edit=viewer.id == link.owner_id or is_admin(viewer),
    )


@use_case
def link_summaries(*, session: Session, actor: User) -> list[LinkSummary]:
    """The actor's links, newest first, as the dashboard lists them."""
    me = session.get(User, actor.id)
    return [_summary(session, link, me) for link in links_of(session=session, user=me)]


@use_case
def link_draft(*, session: Session, actor: User, link_id: int | None = None) -> LinkDraft:
    """The editor's starting point; a stranger's link id is not found (no IDOR)."""
    me = session.get(User, actor.id)
    if link_id is None:
        return LinkDraft(
            "", "", LinkType.ONE_ON_ONE, (), LinkSettings(time_zone=me.time_zone), (), me.time_zone
        )
    link = link_for(session=session, actor=me, link_id=link_id)
    co_hosts = tuple(h for h in host_views(session=session, link=link) if h.id != link.owner_id)
    return LinkDraft(
        link.name,
        link.slug,
        LinkType(link.link_type),
        tuple(h.email for h in co_hosts),
        link.settings,
        co_hosts,
        me.time_zone,
    )


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
    """The editor's Save: create (no id) or update one link, co-hosts named by email.
    An unknown email and an inactive user's get the same answer (no account probing)."""
    me = session.get(User, actor.id)
    emails = list(dict.fromkeys(normalise_email(e) for e in co_host_emails if e.strip()))
    found = dict(
        session.exec(
            select(User.email, User.id).where(User.email.in_(emails), User.is_active)
        ).all()
    )
    missing = [e for e in emails if e not in found]
    if missing:
        raise InvalidLinkError(
            [
                (
                    "hosts",
                    Text(
                        "{emails}: only active members of this workspace can host.",
                        emails=", ".join(missing),
                    ),
                )
            ]
        )
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
    return _summary(session, link, me)


# --- co-host invitations: only the invitee answers, only an accepted co-host leaves -------


@dataclass(frozen=True)
class Invitation:
    """An open invitation to host someone's link, as the invitee sees it."""

    link_id: int
    link_name: str
    link_type: LinkType
    owner_name: str
    owner_email: str
    invited_at: datetime | None


@use_case
def invitations_for(*, session: Session, actor: Actor) -> list[Invitation]:
    """The actor's own open invitations, newest first."""
    if not isinstance(actor, User):
        return []
    rows = session.exec(
        select(MeetingLink, User, LinkHost.invited_at)
        .join(LinkHost, LinkHost.link_id == MeetingLink.id)
        .join(User, User.id == MeetingLink.owner_id)
        .where(LinkHost.user_id == actor.id, LinkHost.status == HostStatus.INVITED)
        .order_by(LinkHost.invited_at.desc(), MeetingLink.id.desc())
    ).all()
    return [
        Invitation(
            link.id, link.name, LinkType(link.link_type), owner.display_name, owner.email, at
        )
        for link, owner, at in rows
    ]


def _own_row(session: Session, actor: Actor, link_id: int) -> LinkHost | None:
    """The actor's own host row: the key is their id, so nobody answers for someone else."""
    if not isinstance(actor, User) or isinstance(link_id, bool) or not isinstance(link_id, int):
        return None
    return session.get(LinkHost, (link_id, actor.id))


@use_case
def do_answer_invitation(*, session: Session, actor: Actor, link_id: int, accept: bool) -> None:
    """Accept (the link starts using the actor) or decline an open invitation."""
    row = _own_row(session, actor, link_id)
    if row is None or row.status != HostStatus.INVITED:
        raise InvitationNotFoundError(Text("This invitation is no longer open."))
    row.status = HostStatus.ACCEPTED if accept else HostStatus.DECLINED
    row.answered_at = datetime.now(UTC)
    session.add(row)
    session.commit()
    audit.record(
        session=session,
        actor_id=actor.id,
        action="link.invitation_accepted" if accept else "link.invitation_declined",
        target=actor.email,
        details={"link_id": link_id},
    )


@use_case
def do_leave_link(*, session: Session, actor: Actor, link_id: int) -> None:
    """An accepted co-host stops hosting a link; its owner deletes it instead."""
    row = _own_row(session, actor, link_id)
    link = session.get(MeetingLink, link_id) if row is not None else None
    if link is None or row.status != HostStatus.ACCEPTED:
        raise LinkNotFoundError(f"No meeting link {link_id}")
    if link.owner_id == actor.id:
        raise ForbiddenError(Text("You own this meeting link: delete it instead of leaving it."))
    session.delete(row)
    session.commit()
    audit.record(
        session=session,
        actor_id=actor.id,
        action="link.co_host_left",
        target=actor.email,
        details={"link_id": link_id},
    )


@use_case
def do_invite_again(*, session: Session, actor: Actor, link_id: int, user_id: int) -> HostView:
    """The owner (or an admin) asks a co-host who declined once more. Always an invitation,
    even from an admin: a "no" is answered by asking, never overruled."""
    link = link_for(session=session, actor=actor, link_id=link_id)
    row = session.get(LinkHost, (link.id, user_id)) if isinstance(user_id, int) else None
    invitee = session.get(User, user_id) if row is not None else None
    if row is None or row.status != HostStatus.DECLINED:
        raise InvalidLinkError(
            [("hosts", Text("Only a co-host who declined can be invited again."))]
        )
    if not invitee.is_active:
        raise InvalidLinkError([("hosts", ONLY_MEMBERS)])
    row.status, row.invited_at, row.answered_at = HostStatus.INVITED, datetime.now(UTC), None
    session.add(row)
    session.flush()
    _send_invitations(session, link, [user_id])
    session.commit()
    _record_new_hosts(session, actor, link, [user_id])
    return HostView(invitee.id, invitee.email, invitee.display_name, HostStatus(row.status))
