"""The host's meeting settings of Settings > General > Calendar: Meetings URL (S7),
Default booking link (S8) and Meeting domain (S12, S13), with their licence rules."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from meetings_ui.config import get_settings
from meetings_ui.domain import licences, slugs
from meetings_ui.models import Domain, MeetingLink, Seat, User
from meetings_ui.services import audit
from meetings_ui.services.guard import Actor, require_self_or_admin


class InvalidCalendarSettingsError(ValueError):
    def __init__(
        self, problems: list[tuple[str, str]], suggestions: list[str] | None = None
    ) -> None:
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))
        self.problems = problems
        self.suggestions = suggestions or []


@dataclass(frozen=True)
class DomainChoice:
    id: int | None  # None: the built-in app domain
    host: str


def seats_of_user(session: Session, user_id: int) -> list[licences.Seat]:
    rows = session.exec(select(Seat).where(Seat.user_id == user_id)).all()
    return [seat for row in rows if (seat := licences.seat_from_row(row.hub, row.tier)) is not None]


def available_domains(session: Session) -> list[DomainChoice]:
    """S13: the built-in domain, then only the workspace's verified domains."""
    verified = session.exec(
        select(Domain).where(Domain.verified_at.is_not(None)).order_by(Domain.host)
    ).all()
    return [DomainChoice(None, get_settings().app_domain)] + [
        DomainChoice(d.id, d.host) for d in verified
    ]


def meetings_url_problems(
    session: Session, user_id: int, candidate: str
) -> tuple[list[str], list[str]]:
    """(problems, suggestions) for a Meetings URL, checked as the host types (S7, S16)."""
    problems = slugs.slug_problems(candidate)
    if problems:
        return problems, []
    if _url_taken(session, user_id, candidate):
        return (
            [f"“{candidate}” is already used by someone else."],
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


def do_save_calendar_settings(
    *,
    session: Session,
    actor: Actor,
    user_id: int,
    meetings_url: str,
    default_link_id: int | None,
    meeting_domain_id: int | None,
) -> User:
    require_self_or_admin(actor, user_id)
    user = session.get(User, user_id)
    seats = seats_of_user(session, user_id)
    problems: list[tuple[str, str]] = []
    suggestions: list[str] = []
    changes: dict[str, object] = {}

    if meetings_url != (user.meetings_url or ""):
        decision = licences.may_change_meetings_url(seats)
        if not decision.allowed:
            problems.append(("Meetings URL", decision.reason))
        else:
            url_problems, suggestions = meetings_url_problems(session, user_id, meetings_url)
            problems.extend(("Meetings URL", p) for p in url_problems)
            changes["meetings_url"] = meetings_url

    if default_link_id != user.default_link_id:
        link = session.get(MeetingLink, default_link_id) if default_link_id is not None else None
        if default_link_id is not None and (link is None or link.owner_id != user_id):
            problems.append(("Default booking link", "Choose one of your own meeting links."))
        else:
            changes["default_link_id"] = default_link_id

    if meeting_domain_id != user.meeting_domain_id:
        choices = {choice.id for choice in available_domains(session)}
        if meeting_domain_id not in choices:
            problems.append(
                ("Meeting domain", "Only connected and verified domains can be chosen.")
            )
        elif meeting_domain_id is not None and not licences.may_use_custom_domain(seats).allowed:
            problems.append(("Meeting domain", licences.may_use_custom_domain(seats).reason))
        else:
            changes["meeting_domain_id"] = meeting_domain_id

    if problems:
        raise InvalidCalendarSettingsError(problems, suggestions)
    for key, value in changes.items():
        setattr(user, key, value)
    session.add(user)
    session.commit()
    if changes:
        audit.record(
            session=session,
            actor_id=actor.id,
            action="settings.calendar",
            target=user.email,
            details={k: v for k, v in changes.items()},
        )
    return user
