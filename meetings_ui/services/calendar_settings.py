"""The host's settings of Settings > General > Calendar: Meetings URL (S7), Default
booking link (S8), Selected calendars (S9, S10) and Meeting domain (S12, S13), with
their licence rules.

The page reads them as one view model and saves them as one use case: one
transaction, all or nothing, so a refused Meetings URL never leaves half a save behind.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from meetings_ui.config import get_settings
from meetings_ui.domain import licences, slugs
from meetings_ui.domain.enums import ConnectionStatus, Provider, SyncMode
from meetings_ui.domain.messages import N_, Text
from meetings_ui.models import Calendar, CalendarConnection, Domain, MeetingLink, User
from meetings_ui.providers import registry
from meetings_ui.providers.base import AccessRole
from meetings_ui.services import audit
from meetings_ui.services.guard import Actor, ForbiddenError, require_self_or_admin
from meetings_ui.services.seats import seats_of
from meetings_ui.services.transactions import use_case

# The fields a refusal names, as the page labels them (msgids: the page translates them).
MEETINGS_URL = N_("Meetings URL")
DEFAULT_LINK = N_("Default booking link")
MEETING_DOMAIN = N_("Meeting domain")
SELECTED_CALENDARS = N_("Selected calendars")


class InvalidCalendarSettingsError(ValueError):
    def __init__(
        self, problems: list[tuple[str, str]], suggestions: list[str] | None = None
    ) -> None:
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))
        self.problems = problems
        self.suggestions = suggestions or []


@dataclass(frozen=True)
class Choice:
    """An option of a select; `id` None is "none" (no default link, the built-in domain)."""

    id: int | None
    label: str


@dataclass(frozen=True)
class ConnectionView:
    id: int
    provider: Provider
    account_email: str
    status: ConnectionStatus
    last_synced_at: datetime | None
    problem: str
    sync_mode: SyncMode = SyncMode.POLLING


@dataclass(frozen=True)
class CalendarView:
    connection_id: int
    calendar_id: str  # the provider's id
    name: str
    access_role: str
    busy_times_only: bool
    is_primary: bool
    selected: bool  # the primary calendar always counts


@dataclass(frozen=True)
class CalendarSettingsView:
    """Everything the calendar settings page shows, as saved."""

    connections: tuple[ConnectionView, ...]
    calendars: tuple[CalendarView, ...]
    meetings_url: str
    url_lock: licences.Decision
    default_link_id: int | None
    links: tuple[Choice, ...]
    meeting_domain_id: int | None
    domains: tuple[Choice, ...]
    domain_lock: licences.Decision
    providers: tuple[Provider, ...]  # the providers this server offers, in display order
    sandboxed: tuple[Provider, ...]  # those whose consent page is the local sandbox's


@dataclass(frozen=True)
class UrlCheck:
    problems: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()


@dataclass(frozen=True)
class SeatsView:
    """A user's seats and what they unlock (S7, S12), as the domain decides."""

    labels: tuple[str, ...]
    url_lock: licences.Decision
    domain_lock: licences.Decision


@use_case
def seats_view_of(*, session: Session, actor: Actor) -> SeatsView:
    seats = seats_of(session=session, actor=actor, user_id=actor.id)
    return SeatsView(
        tuple(seat.label for seat in seats),
        licences.may_change_meetings_url(seats),
        licences.may_use_custom_domain(seats),
    )


@use_case
def calendar_settings_of(*, session: Session, actor: Actor) -> CalendarSettingsView:
    """The actor's own calendar settings page."""
    return _view_of(session, actor, _user(session, actor.id))


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise ForbiddenError(Text("That account no longer exists."))
    return user


def _view_of(session: Session, actor: Actor, user: User) -> CalendarSettingsView:
    seats = seats_of(session=session, actor=actor, user_id=user.id)
    connections = session.exec(
        select(CalendarConnection)
        .where(CalendarConnection.user_id == user.id)
        .order_by(CalendarConnection.id)
    ).all()
    calendars = session.exec(
        select(Calendar)
        .join(CalendarConnection, CalendarConnection.id == Calendar.connection_id)
        .where(CalendarConnection.user_id == user.id)
        .order_by(Calendar.connection_id, Calendar.is_primary.desc(), Calendar.name)
    ).all()
    links = session.exec(
        select(MeetingLink.id, MeetingLink.name)
        .where(MeetingLink.owner_id == user.id)
        .order_by(MeetingLink.created_at.desc(), MeetingLink.id.desc())
    ).all()
    offered = registry.offered_providers()
    return CalendarSettingsView(
        connections=tuple(
            ConnectionView(
                c.id,
                Provider(c.provider),
                c.account_email,
                ConnectionStatus(c.status),
                c.last_synced_at,
                c.last_error or "",
                SyncMode(c.sync_mode),
            )
            for c in connections
        ),
        calendars=tuple(
            CalendarView(
                c.connection_id,
                c.provider_calendar_id,
                c.name,
                c.access_role,
                c.access_role == AccessRole.FREE_BUSY,
                c.is_primary,
                c.selected or c.is_primary,
            )
            for c in calendars
        ),
        meetings_url=user.meetings_url or "",
        url_lock=licences.may_change_meetings_url(seats),
        default_link_id=user.default_link_id,
        links=tuple(Choice(link_id, name) for link_id, name in links),
        meeting_domain_id=user.meeting_domain_id,
        domains=tuple(_domains(session)),
        domain_lock=licences.may_use_custom_domain(seats),
        providers=offered,
        sandboxed=tuple(p for p in offered if registry.is_sandboxed(p)),
    )


def _domains(session: Session) -> list[Choice]:
    """S13: the built-in domain, then only the workspace's verified domains."""
    verified = session.exec(
        select(Domain).where(Domain.verified_at.is_not(None)).order_by(Domain.host)
    ).all()
    return [Choice(None, get_settings().app_domain)] + [Choice(d.id, d.host) for d in verified]


@use_case
def check_meetings_url(*, session: Session, actor: Actor, candidate: str) -> UrlCheck:
    """Problems and free suggestions for a Meetings URL, checked as the host types (S7, S16)."""
    if slugs.canonical_slug(candidate) == (_user(session, actor.id).meetings_url or ""):
        return UrlCheck()
    problems, suggestions = _url_problems(session, actor.id, slugs.canonical_slug(candidate))
    return UrlCheck(tuple(problems), tuple(suggestions))


def _url_problems(session: Session, user_id: int, candidate: str) -> tuple[list[str], list[str]]:
    """Problems of a canonical Meetings URL, with free ones close to it."""
    problems = slugs.slug_problems(candidate)
    if problems:
        free = slugs.suggestions(candidate, lambda s: _url_taken(session, user_id, s))
        return problems, free if candidate else []
    if _url_taken(session, user_id, candidate):
        return (
            [Text("“{url}” is already used by someone else.", url=candidate)],
            slugs.suggestions(candidate, lambda s: _url_taken(session, user_id, s)),
        )
    return [], []


def _url_taken(session: Session, user_id: int, candidate: str) -> bool:
    """Another user's Meetings URL, or another user's link slug on any domain (S16)."""
    other_user = session.exec(
        select(User.id).where(User.meetings_url == candidate, User.id != user_id)
    ).first()
    other_link = session.exec(
        select(MeetingLink.id).where(MeetingLink.slug == candidate, MeetingLink.owner_id != user_id)
    ).first()
    return other_user is not None or other_link is not None


@use_case
def do_save_calendar_settings(
    *,
    session: Session,
    actor: Actor,
    user_id: int,
    meetings_url: str,
    default_link_id: int | None,
    meeting_domain_id: int | None,
    selected_calendars: Mapping[int, Collection[str]] | None = None,
) -> CalendarSettingsView:
    """Save the whole form in one transaction: every part is checked first, and if any
    is refused nothing changes. `selected_calendars` maps each of the user's connections
    to the provider ids of its chosen calendars (S9); connections left out keep theirs."""
    require_self_or_admin(actor, user_id)
    user = _user(session, user_id)
    seats = seats_of(session=session, actor=actor, user_id=user_id)
    problems: list[tuple[str, str]] = []
    suggestions: list[str] = []
    changes: dict[str, object] = {}

    meetings_url = slugs.canonical_slug(meetings_url)  # S16: stored as links' slugs are
    if meetings_url != (user.meetings_url or ""):
        decision = licences.may_change_meetings_url(seats)
        if not decision.allowed:
            problems.append((MEETINGS_URL, decision.reason))
        else:
            url_problems, suggestions = _url_problems(session, user_id, meetings_url)
            problems.extend((MEETINGS_URL, p) for p in url_problems)
            changes["meetings_url"] = meetings_url

    if default_link_id != user.default_link_id:
        link = session.get(MeetingLink, default_link_id) if default_link_id is not None else None
        if default_link_id is not None and (link is None or link.owner_id != user_id):
            problems.append((DEFAULT_LINK, Text("Choose one of your own meeting links.")))
        else:
            changes["default_link_id"] = default_link_id

    if meeting_domain_id != user.meeting_domain_id:
        domain_lock = licences.may_use_custom_domain(seats)
        if meeting_domain_id not in {choice.id for choice in _domains(session)}:
            problems.append(
                (MEETING_DOMAIN, Text("Only connected and verified domains can be chosen."))
            )
        elif meeting_domain_id is not None and not domain_lock.allowed:
            problems.append((MEETING_DOMAIN, domain_lock.reason))
        else:
            changes["meeting_domain_id"] = meeting_domain_id

    flips, selection_problems = _selection_flips(session, user_id, selected_calendars or {})
    problems.extend((SELECTED_CALENDARS, p) for p in selection_problems)

    if problems:
        raise InvalidCalendarSettingsError(problems, suggestions)
    for key, value in changes.items():
        setattr(user, key, value)
    session.add(user)
    for calendar in flips:
        calendar.selected = not calendar.selected
        session.add(calendar)
    _commit_unique_url(session, user_id, changes.get("meetings_url"))
    if changes or flips:
        audit.record(
            session=session,
            actor_id=actor.id,
            action="settings.calendar",
            target=user.email,
            details=changes | _selection_details(flips),
        )
    return _view_of(session, actor, user)


def _commit_unique_url(session: Session, user_id: int, meetings_url: object) -> None:
    """The database has the last word when two hosts race for one Meetings URL (S16): the
    loser gets the same refusal, with suggestions, as if it had come second."""
    try:
        session.commit()
    except sa.exc.IntegrityError:
        session.rollback()
        if not isinstance(meetings_url, str) or not _url_taken(session, user_id, meetings_url):
            raise  # another constraint: not ours to explain
        problems, suggestions = _url_problems(session, user_id, meetings_url)
        raise InvalidCalendarSettingsError(
            [(MEETINGS_URL, p) for p in problems], suggestions
        ) from None


def _selection_details(flips: list[Calendar]) -> dict[str, list[str]]:
    """Which calendars a save turned on and off, for the audit log."""
    turned = {"calendars_on": [], "calendars_off": []}
    for calendar in flips:
        turned["calendars_on" if calendar.selected else "calendars_off"].append(calendar.name)
    return {key: sorted(names) for key, names in turned.items() if names}


def _selection_flips(
    session: Session, user_id: int, selection: Mapping[int, Collection[str]]
) -> tuple[list[Calendar], list[str]]:
    """The calendars whose `selected` flag the selection changes, or why it is refused:
    only calendars the user's own connected accounts can see (S10); the primary calendar
    always counts."""
    if not selection:
        return [], []
    connections = session.exec(
        select(CalendarConnection.id).where(
            CalendarConnection.id.in_(list(selection)), CalendarConnection.user_id == user_id
        )
    ).all()
    if set(connections) != set(selection):
        return [], [Text("That calendar account is no longer connected: reload the page.")]
    calendars = session.exec(
        select(Calendar).where(Calendar.connection_id.in_(list(selection)))
    ).all()
    known = {(c.connection_id, c.provider_calendar_id) for c in calendars}
    chosen = {(cid, calendar) for cid, ids in selection.items() for calendar in ids}
    if chosen - known:
        return [], [Text("Only calendars of your connected accounts can be selected.")]

    def wanted(calendar: Calendar) -> bool:
        key = (calendar.connection_id, calendar.provider_calendar_id)
        return calendar.is_primary or key in chosen

    return [calendar for calendar in calendars if calendar.selected != wanted(calendar)], []
