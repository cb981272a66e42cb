"""The domain manager (S12, S13): admins connect custom domains, verify their DNS records,
and remove them; the background loop checks them again.

- **Add**: the name is validated (domain/custom_domains.py) and stored pending, with a
  random token the admin publishes as a TXT record, beside a CNAME to the app's host.
- **Verify**: real DNS queries (providers/dns.py, servers from MEETINGS_DNS_RESOLVER).
  The records right: verified, and the Meeting domain dropdown offers it. Wrong: failed,
  with the reason in words. The DNS queries run outside any database transaction.
- **Checks**: the background loop re-checks verified domains every 6 hours, pending ones
  every 15 minutes and failed ones every hour (`check_due`). A verified domain that fails
  3 checks in a row is marked failed, and the hosts with links on it and the admins are
  emailed; one that resolves again is verified again, and they are told.
- **Remove**: its links fall back to the app domain, hosts who chose it as their Meeting
  domain get the app domain back, and the hosts of those links are emailed their new URLs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlmodel import Session, func, select

from meetings_ui import routes
from meetings_ui.config import get_settings
from meetings_ui.domain import custom_domains as rules
from meetings_ui.domain.custom_domains import DnsRecord, DnsUnansweredError, DomainState
from meetings_ui.domain.enums import DomainStatus, HostStatus, Role
from meetings_ui.domain.messages import Text
from meetings_ui.models import Domain, LinkHost, MeetingLink, User, utc_now
from meetings_ui.providers.dns import resolver_lookup
from meetings_ui.services import audit
from meetings_ui.services.claims import work_due
from meetings_ui.services.guard import Actor, require_admin
from meetings_ui.services.links import link_url
from meetings_ui.services.mail import reader_of, send_email
from meetings_ui.services.transactions import use_case

PAGE_SIZE = 20
CHECK_LEASE = timedelta(minutes=5)  # a worker's claim on a domain it checks
BATCH = 20
log = logging.getLogger(__name__)


class InvalidDomainError(ValueError):
    """The domain cannot be added; the message says why, for the form."""


class DomainNotFoundError(LookupError):
    def __init__(self) -> None:
        super().__init__(Text("That domain is no longer connected: reload the page."))


@dataclass(frozen=True)
class DomainView:
    id: int
    host: str  # as stored: lower-case ASCII
    name: str  # as people write it (Unicode labels)
    status: DomainStatus
    failure_reason: str
    failed_checks: int
    records: tuple[DnsRecord, ...]
    links: int  # meeting links hosted on it
    created_at: datetime
    verified_at: datetime | None
    last_checked_at: datetime | None


@dataclass(frozen=True)
class DomainPage:
    domains: tuple[DomainView, ...]
    page: int  # 1-based, within 1..pages
    pages: int
    total: int


@dataclass(frozen=True)
class RemovedDomain:
    host: str
    links_moved: int
    hosts_told: int


def _view(domain: Domain, links: int) -> DomainView:
    return DomainView(
        id=domain.id,
        host=domain.host,
        name=rules.display_name(domain.host),
        status=DomainStatus(domain.status),
        failure_reason=domain.failure_reason,
        failed_checks=domain.failed_checks,
        records=rules.records_to_create(
            domain.host, domain.verification_token, get_settings().domain_target
        ),
        links=links,
        created_at=domain.created_at,
        verified_at=domain.verified_at,
        last_checked_at=domain.last_checked_at,
    )


def _links_on(session: Session, domain_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(MeetingLink).where(MeetingLink.domain_id == domain_id)
    ).one()


def _domain(session: Session, domain_id: int) -> Domain:
    domain = session.get(Domain, domain_id, populate_existing=True)
    if domain is None:
        raise DomainNotFoundError()
    return domain


@use_case
def do_list_domains(*, session: Session, actor: Actor, page: int = 1) -> DomainPage:
    """One page of the workspace's domains, by name."""
    require_admin(actor)
    total = session.exec(select(func.count()).select_from(Domain)).one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    link_counts = (
        select(MeetingLink.domain_id, func.count().label("links"))
        .group_by(MeetingLink.domain_id)
        .subquery()
    )
    rows = session.exec(
        select(Domain, link_counts.c.links)
        .join(link_counts, link_counts.c.domain_id == Domain.id, isouter=True)
        .order_by(Domain.host)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return DomainPage(
        tuple(_view(domain, links or 0) for domain, links in rows), page, pages, total
    )


def _reserved_hosts() -> set[str]:
    """The app's own names: they serve every link already, and cannot be connected."""
    settings = get_settings()
    names = {
        urlsplit(settings.app_url).hostname or "",
        urlsplit(settings.backend_url).hostname or "",
        settings.domain_target,
        settings.app_domain.split(":")[0],
    }
    return {name for name in names if name}


def _addable_name(session: Session, host: str) -> str:
    """The name as it would be stored, or InvalidDomainError saying why it cannot be added."""
    try:
        name = rules.normalize_host(host, reserved=_reserved_hosts())
    except rules.HostNameError as error:
        raise InvalidDomainError(error.args[0]) from None
    if session.exec(select(Domain.id).where(Domain.host == name)).first() is not None:
        raise InvalidDomainError(Text("{domain} is already connected.", domain=name))
    if session.exec(select(func.count()).select_from(Domain)).one() >= rules.MAX_DOMAINS:
        raise InvalidDomainError(
            Text(
                "A workspace can connect up to {limit} domains: remove one first.",
                limit=rules.MAX_DOMAINS,
            )
        )
    return name


@use_case
def check_domain_name(*, session: Session, actor: Actor, host: str) -> str:
    """What is wrong with the name as the admin types it ("" when it can be added)."""
    require_admin(actor)
    try:
        _addable_name(session, host)
    except InvalidDomainError as error:
        return error.args[0]
    return ""


@use_case
def do_add_domain(*, session: Session, actor: Actor, host: str) -> DomainView:
    """Connect a domain: pending until its DNS records are found."""
    require_admin(actor)
    name = _addable_name(session, host)
    domain = Domain(
        host=name,
        status=DomainStatus.PENDING,
        next_check_at=utc_now() + rules.CHECK_PENDING_EVERY,
    )
    session.add(domain)
    try:
        session.commit()
    except sa.exc.IntegrityError:  # added by someone else at the same moment
        session.rollback()
        raise InvalidDomainError(Text("{domain} is already connected.", domain=name)) from None
    audit.record(session=session, actor_id=actor.id, action="domain.add", target=name)
    return _view(domain, 0)


def _lookup() -> rules.Lookup:
    settings = get_settings()
    return resolver_lookup(settings.nameservers, settings.dns_timeout)


def _dns_problems(host: str, token: str) -> list[str]:
    """The records' problems in words; a DNS server that does not answer is one too."""
    try:
        return rules.check_records(host, token, get_settings().domain_target, _lookup())
    except DnsUnansweredError as error:
        return [str(error)]


@use_case
def do_verify_domain(*, session: Session, actor: Actor, domain_id: int) -> DomainView:
    """Check the domain's records now (the admin's Verify). DNS may take seconds: no
    transaction is held while it answers."""
    require_admin(actor)
    domain = _domain(session, domain_id)
    host, token = domain.host, domain.verification_token
    session.rollback()  # the read is over; nothing is locked while DNS answers
    problems = _dns_problems(host, token)
    domain = _domain(session, domain_id)
    if domain.verification_token != token:
        raise DomainNotFoundError()  # removed and added again meanwhile
    previous = domain.status
    _apply_check(session, domain, problems, asked=True)
    audit.record(
        session=session,
        actor_id=actor.id,
        action="domain.verify",
        target=host,
        details={"from": previous, "to": domain.status, "problems": problems},
    )
    return _view(domain, _links_on(session, domain.id))


def _apply_check(session: Session, domain: Domain, problems: list[str], *, asked: bool) -> None:
    """Store the check's outcome, and email whoever a change concerns; commits."""
    now = utc_now()
    state, change = rules.after_check(
        DomainState(
            DomainStatus(domain.status),
            domain.verified_at,
            domain.failed_checks,
            domain.failing_since,
            domain.failure_reason,
            domain.next_check_at or now,
        ),
        problems,
        now=now,
        asked=asked,
    )
    domain.status = state.status
    domain.verified_at = state.verified_at
    domain.failed_checks = state.failed_checks
    domain.failing_since = state.failing_since
    domain.failure_reason = state.failure_reason
    domain.next_check_at = state.next_check_at
    domain.last_checked_at = now
    session.add(domain)
    if change in (rules.Change.STOPPED_RESOLVING, rules.Change.RESOLVES_AGAIN):
        _tell_about_dns(session, domain, change)
    session.commit()


def _link_hosts(session: Session, domain_id: int) -> dict[int, list[MeetingLink]]:
    """The accepted hosts (owners included) of each link on the domain: user id -> links."""
    rows = session.exec(
        select(LinkHost.user_id, MeetingLink)
        .join(MeetingLink, MeetingLink.id == LinkHost.link_id)
        .where(MeetingLink.domain_id == domain_id, LinkHost.status == HostStatus.ACCEPTED)
        .order_by(MeetingLink.name)
    ).all()
    owners = session.exec(select(MeetingLink).where(MeetingLink.domain_id == domain_id)).all()
    hosts: dict[int, list[MeetingLink]] = {}
    for user_id, link in [*rows, *((link.owner_id, link) for link in owners)]:
        links = hosts.setdefault(user_id, [])
        if link not in links:
            links.append(link)
    return hosts


def _active_users(session: Session, user_ids: set[int]) -> list[User]:
    if not user_ids:
        return []
    return list(
        session.exec(
            select(User).where(User.id.in_(sorted(user_ids)), User.is_active).order_by(User.id)
        ).all()
    )


def _tell_about_dns(session: Session, domain: Domain, change: rules.Change) -> None:
    """A verified domain stopped resolving, or resolves again: its hosts and the admins."""
    hosts = _link_hosts(session, domain.id)
    admins = session.exec(select(User.id).where(User.role == Role.ADMIN, User.is_active)).all()
    broken = change == rules.Change.STOPPED_RESOLVING
    admin_page = f"{get_settings().app_url}{routes.ADMIN_DOMAINS}"
    for user in _active_users(session, set(hosts) | set(admins)):
        reader = reader_of(user)  # each in their language, dates in their zone
        links = "".join(f"- {link.name}\n" for link in hosts.get(user.id, []))
        if broken:
            subject = reader.t("The domain {domain} stopped working", domain=domain.host)
            text = (
                reader.t("Hello {name},", name=user.display_name)
                + "\n\n"
                + reader.t(
                    "The DNS records of {domain} have not been found since {when}: {reason}",
                    domain=domain.host,
                    when=reader.moment(domain.failing_since),
                    reason=reader.translate(domain.failure_reason or ""),
                )
                + "\n\n"
                + reader.t(
                    "Visitors may not reach booking pages on it until the records are right "
                    "again. Meanwhile hosts cannot choose it as their Meeting domain."
                )
                + "\n"
            )
        else:
            subject = reader.t("The domain {domain} works again", domain=domain.host)
            text = (
                reader.t("Hello {name},", name=user.display_name)
                + "\n\n"
                + reader.t(
                    "The DNS records of {domain} are found again: its booking pages are reachable.",
                    domain=domain.host,
                )
                + "\n"
            )
        if links:
            text += "\n" + reader.t("Your meeting links on it:") + f"\n{links}"
        if user.id in admins:
            text += "\n" + reader.t("The domain manager: {url}", url=admin_page) + "\n"
        send_email(session=session, to=user.email, subject=subject, text=text)


@use_case
def do_remove_domain(*, session: Session, actor: Actor, domain_id: int) -> RemovedDomain:
    """Disconnect the domain: its links fall back to the app domain, hosts who chose it
    get the app domain back, and the hosts of those links are emailed their new URLs."""
    require_admin(actor)
    domain = _domain(session, domain_id)
    host = domain.host
    hosts = _link_hosts(session, domain.id)
    moved = 0
    for links in hosts.values():
        for link in links:
            if link.domain_id is not None:
                link.domain_id = None
                session.add(link)
                moved += 1
    choosers = session.exec(select(User).where(User.meeting_domain_id == domain.id)).all()
    for user in choosers:
        user.meeting_domain_id = None
        session.add(user)
    session.flush()
    told = _active_users(session, set(hosts) | {user.id for user in choosers})
    for user in told:
        _tell_removed(session, user, host, hosts.get(user.id, []))
    session.delete(domain)
    session.commit()
    audit.record(
        session=session,
        actor_id=actor.id,
        action="domain.remove",
        target=host,
        details={"links_moved": moved, "hosts_told": len(told)},
    )
    return RemovedDomain(host, moved, len(told))


def _tell_removed(session: Session, user: User, host: str, links: list[MeetingLink]) -> None:
    app_domain = get_settings().app_domain
    reader = reader_of(user)
    text = (
        reader.t("Hello {name},", name=user.display_name)
        + "\n\n"
        + reader.t("An admin disconnected the domain {domain} from this workspace.", domain=host)
        + "\n"
    )
    if links:
        moved = "".join(f"- {link.name}: {link_url(session, link)}\n" for link in links)
        text += (
            "\n"
            + reader.t(
                "Your meeting links on it now live on {app_domain}; share these addresses instead:",
                app_domain=app_domain,
            )
            + f"\n{moved}"
        )
    if user.meeting_domain_id is None:
        text += (
            "\n"
            + reader.t("Your new links will be hosted on {app_domain}.", app_domain=app_domain)
            + "\n"
        )
    send_email(
        session=session,
        to=user.email,
        subject=reader.t(
            "Your meeting links moved from {domain} to {app_domain}",
            domain=host,
            app_domain=app_domain,
        ),
        text=text,
    )


def check_due(*, now: datetime | None = None, limit: int = BATCH) -> int:
    """The background loop's checks: every domain whose next check is due, each claimed by
    one worker and checked outside any transaction; how many were checked."""
    now = now or utc_now()
    due = sa.and_(Domain.next_check_at.is_not(None), Domain.next_check_at <= now)
    return work_due(Domain, due, limit, {"next_check_at": now + CHECK_LEASE}, _scheduled_check)


def _scheduled_check(session: Session, domain: Domain) -> None:
    domain_id, host, token = domain.id, domain.host, domain.verification_token
    session.rollback()
    problems = _dns_problems(host, token)
    domain = session.get(Domain, domain_id, populate_existing=True)
    if domain is None or domain.verification_token != token:
        return  # removed meanwhile
    previous = domain.status
    _apply_check(session, domain, problems, asked=False)
    if domain.status != previous:
        audit.record(
            session=session,
            actor_id=None,
            action="domain.check",
            target=host,
            details={"from": previous, "to": domain.status, "problems": problems},
        )
