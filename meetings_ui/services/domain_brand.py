"""A custom domain's brand, robots rules and public URLs (S14, S15, M10 item 3).

Custom domains are served by the same server as the app: same scheme and port as
MEETINGS_APP_URL, another host name. Only verified domains serve anything; any other
host name is treated as unknown.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlmodel import Session, select

from meetings_ui import routes
from meetings_ui.config import LOCAL_HOSTS, get_settings
from meetings_ui.domain import brand
from meetings_ui.domain.brand import InvalidBrandError
from meetings_ui.domain.messages import Text
from meetings_ui.domain.text_fields import InvalidTextError, clean_line
from meetings_ui.models import Domain, DomainLogo, MeetingLink, utc_now
from meetings_ui.services import audit
from meetings_ui.services.guard import Actor, require_admin
from meetings_ui.services.transactions import use_case

__all__ = ["InvalidBrandError"]

# The app domain's host pages, kept out of search indexes.
APP_HOST_PATHS = (
    f"{routes.APP_PREFIX}/",
    routes.LOGIN,
    routes.SIGN_UP,
    routes.FIRST_ADMIN,
    routes.FORGOT_PASSWORD,
    routes.RESET_PASSWORD,
    "/auth/",
    routes.API_PREFIX + "/",
)


class DomainNotFoundError(LookupError):
    pass


class LinkMovedError(Exception):
    """A link of a custom domain was opened on the app domain: it lives at `url` now."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


@dataclass(frozen=True)
class BrandView:
    """What a booking page or an email shows of its domain's brand."""

    domain_id: int
    host: str
    name: str
    accent_color: str | None
    logo_url: str | None  # absolute, versioned by digest
    block_indexing: bool


def normalise_host(host: str | None) -> str:
    """The host name of a Host header: lower case, no port, no trailing dot."""
    if not host:
        return ""
    name = urlsplit(f"//{host.strip()}").hostname or ""
    return name.rstrip(".").lower()


def app_host() -> str:
    return normalise_host(urlsplit(get_settings().app_url).netloc)


def host_of_origin(origin: str | None) -> str:
    """The host name of a page origin ("http://brand.test:3000"), as Reflex's router has it."""
    if not origin:
        return ""
    return normalise_host(urlsplit(origin).netloc if "://" in origin else origin)


def is_app_host(host: str) -> bool:
    """The app's own host; on a local app any local alias of it (localhost, 127.0.0.1)."""
    name, own = normalise_host(host), app_host()
    return name == own or (own in LOCAL_HOSTS and name in LOCAL_HOSTS)


def served_domain(session: Session, page_host: str | None) -> Domain | bool | None:
    """What a page's host serves: None the app domain (also when no host is known: a
    caller outside a browser), a verified Domain, or False for a host this app does not
    serve (an unverified or unknown domain)."""
    name = normalise_host(page_host) if page_host else ""
    if not name or is_app_host(name):
        return None
    return verified_domain(session, name) or False


def link_for_host(session: Session, slug: str, page_host: str | None) -> MeetingLink | None:
    """The link a booking page on `page_host` serves: on a verified custom domain only its
    own links, on the app domain only links without a (verified) custom domain; a link of
    a custom domain opened on the app domain raises LinkMovedError with its URL. Any other
    combination is "not found": never somebody else's link."""
    served = served_domain(session, page_host)
    if served is False:
        return None
    link = session.exec(select(MeetingLink).where(MeetingLink.slug == slug)).first()
    if link is None:
        return None
    link_host = domain_host(session, link.domain_id)
    if served is None:
        if link_host is not None:
            raise LinkMovedError(public_link_url(session, slug=link.slug, domain_id=link.domain_id))
        return link
    return link if link_host == served.host else None


def site_url(host: str | None) -> str:
    """The base URL of pages on `host` (None: the app's): same scheme and port as the app."""
    app_url = get_settings().app_url
    if host is None:
        return app_url
    parts = urlsplit(app_url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


def verified_domain(session: Session, host: str) -> Domain | None:
    name = normalise_host(host)
    if not name:
        return None
    domain = session.exec(select(Domain).where(Domain.host == name)).first()
    return domain if domain is not None and domain.verified_at is not None else None


def domain_host(session: Session, domain_id: int | None) -> str | None:
    """The verified host of a link's domain, or None when it is served on the app domain
    (no domain, or one not verified: its links fall back to the app domain)."""
    if domain_id is None:
        return None
    domain = session.get(Domain, domain_id)
    return domain.host if domain is not None and domain.verified_at is not None else None


def public_link_url(session: Session, *, slug: str, domain_id: int | None) -> str:
    """The one URL a link is shown, copied, embedded and mailed with."""
    return f"{site_url(domain_host(session, domain_id))}{routes.booking_page(slug)}"


def logo_path(domain_id: int, sha256: str) -> str:
    return f"{routes.DOMAIN_LOGO_PREFIX}/{domain_id}/{sha256[:16]}.png"


def brand_of(session: Session, domain_id: int | None) -> BrandView | None:
    """The brand shown for links on this domain; None on the app domain."""
    host = domain_host(session, domain_id)
    if host is None:
        return None
    domain = session.get(Domain, domain_id)
    logo = session.get(DomainLogo, domain_id)
    return BrandView(
        domain_id=domain.id,
        host=host,
        name=domain.brand_name or "",
        accent_color=domain.accent_color,
        logo_url=(
            f"{site_url(host)}{logo_path(domain.id, logo.sha256)}" if logo is not None else None
        ),
        block_indexing=domain.block_indexing,
    )


@use_case
def robots_for_host(*, session: Session, host: str | None) -> str | None:
    """robots.txt for the host a request named; None for a host this app does not serve."""
    name = normalise_host(host)
    if name == app_host() or not name:
        return brand.robots_txt(
            app_domain=True,
            block_indexing=False,
            booking_prefix=routes.BOOKING_PREFIX,
            host_paths=APP_HOST_PATHS,
        )
    domain = verified_domain(session, name)
    if domain is None:
        return None
    return brand.robots_txt(
        app_domain=False,
        block_indexing=domain.block_indexing,
        booking_prefix=routes.BOOKING_PREFIX,
        host_paths=(),
    )


@use_case
def api_serves_link(*, session: Session, slug: str, host: str | None) -> bool:
    """Whether the public API, reached under `host`, answers for this link: through a
    verified custom domain only for that domain's links (never another's "through" it);
    through any other host (the app's backend) for every link, a slug naming one link on
    every domain (S16)."""
    if is_app_host(host or ""):  # the app's own names cannot be custom domains: no query
        return True
    domain = verified_domain(session, host or "")
    if domain is None:
        return True
    link = session.exec(select(MeetingLink).where(MeetingLink.slug == slug)).first()
    return link is not None and domain_host(session, link.domain_id) == domain.host


# Verified hosts change rarely; the websocket handshake and CORS ask on every connection.
_ORIGIN_CACHE_SECONDS = 30.0
_origin_cache: dict[str, tuple[float, bool]] = {}


@use_case
def is_verified_host(*, session: Session, host: str) -> bool:
    """Whether `host` is a verified custom domain, cached for a few seconds per host."""
    name = normalise_host(host)
    now = time.monotonic()
    cached = _origin_cache.get(name)
    if cached is not None and now - cached[0] < _ORIGIN_CACHE_SECONDS:
        return cached[1]
    verified = verified_domain(session, name) is not None
    if len(_origin_cache) > 1000:
        _origin_cache.clear()
    _origin_cache[name] = (now, verified)
    return verified


def is_custom_domain_origin(origin: str | None) -> bool:
    """Whether a browser page from `origin` is a verified custom domain's page, served as
    the app's are (same scheme and port as MEETINGS_APP_URL)."""
    if not origin:
        return False
    host = host_of_origin(origin)
    return bool(host) and origin.lower() == site_url(host).lower() and is_verified_host(host=host)


def forget_cached_hosts() -> None:
    _origin_cache.clear()


@use_case
def logo_bytes(*, session: Session, domain_id: int) -> brand.Logo | None:
    row = session.get(DomainLogo, domain_id)
    if row is None:
        return None
    return brand.Logo(
        data=row.data,
        content_type=row.content_type,
        sha256=row.sha256,
        width=row.width,
        height=row.height,
    )


# --- the admin's settings page ---------------------------------------------------------


@dataclass(frozen=True)
class DomainSettings:
    id: int
    host: str
    verified: bool
    brand_name: str
    accent_color: str
    block_indexing: bool
    logo_path: str | None


def _admin_domain(session: Session, actor: Actor | None, domain_id: int) -> Domain:
    require_admin(actor)
    domain = session.get(Domain, domain_id)
    if domain is None:
        raise DomainNotFoundError(Text("This domain does not exist (any more)."))
    return domain


def _settings(session: Session, domain: Domain) -> DomainSettings:
    logo = session.get(DomainLogo, domain.id)
    return DomainSettings(
        id=domain.id,
        host=domain.host,
        verified=domain.verified_at is not None,
        brand_name=domain.brand_name or "",
        accent_color=domain.accent_color or "",
        block_indexing=domain.block_indexing,
        logo_path=logo_path(domain.id, logo.sha256) if logo is not None else None,
    )


@use_case
def domain_settings(*, session: Session, actor: Actor | None, domain_id: int) -> DomainSettings:
    return _settings(session, _admin_domain(session, actor, domain_id))


@use_case
def save_domain_settings(
    *,
    session: Session,
    actor: Actor | None,
    domain_id: int,
    brand_name: str,
    accent_color: str,
    block_indexing: bool,
) -> DomainSettings:
    """Save the brand's name and colour and the robots setting (admins only)."""
    domain = _admin_domain(session, actor, domain_id)
    try:
        name = clean_line(brand_name, max_length=200, required=False)
    except InvalidTextError as error:
        raise InvalidBrandError(Text("Brand name: {problem}", problem=error.args[0])) from None
    domain.brand_name = name or None
    domain.accent_color = brand.clean_accent_color(accent_color)
    domain.block_indexing = block_indexing
    session.add(domain)
    audit.record(
        session=session,
        actor_id=actor.id,
        action="domain.brand_saved",
        target=domain.host,
        details={"accent_color": domain.accent_color, "block_indexing": block_indexing},
    )
    return _settings(session, domain)


@use_case
def upload_logo(
    *, session: Session, actor: Actor | None, domain_id: int, upload: bytes
) -> DomainSettings:
    """Store the re-encoded logo (domain/brand.py says what is refused)."""
    domain = _admin_domain(session, actor, domain_id)
    logo = brand.clean_logo(upload)
    row = session.get(DomainLogo, domain.id) or DomainLogo(domain_id=domain.id)
    row.content_type = logo.content_type
    row.data = logo.data
    row.sha256 = logo.sha256
    row.size = len(logo.data)
    row.width = logo.width
    row.height = logo.height
    row.updated_at = utc_now()
    session.add(row)
    audit.record(
        session=session, actor_id=actor.id, action="domain.logo_uploaded", target=domain.host
    )
    return _settings(session, domain)


@use_case
def remove_logo(*, session: Session, actor: Actor | None, domain_id: int) -> DomainSettings:
    domain = _admin_domain(session, actor, domain_id)
    row = session.get(DomainLogo, domain.id)
    if row is not None:
        session.delete(row)
    audit.record(
        session=session, actor_id=actor.id, action="domain.logo_removed", target=domain.host
    )
    return _settings(session, domain)
