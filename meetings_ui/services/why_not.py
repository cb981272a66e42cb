""" "Why isn't this time free?": a host picks any time on one of their links and reads the
engine's reasons in words (domain/availability.py `explain`), link-wide and host by host.

Who may ask: the link's owner, a co-host who accepted, or an admin; anyone else is told
the link does not exist. What each one sees: their own calendars' event titles (private
events hidden), and of every other host only that they are busy: a co-host's calendars,
titles and meetings are never shown to another host.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from meetings_ui.domain.availability import (
    Busy,
    ExistingBooking,
    HostTime,
    InvalidRulesError,
    Reason,
    explain,
)
from meetings_ui.domain.enums import HostStatus
from meetings_ui.domain.messages import Text
from meetings_ui.domain.time_zones import resolve_local
from meetings_ui.models import LinkHost, MeetingLink, User
from meetings_ui.services import scheduling
from meetings_ui.services.guard import Actor, is_admin
from meetings_ui.services.links import LinkNotFoundError, host_ids_of
from meetings_ui.services.transactions import use_case


class InvalidQuestionError(ValueError):
    """The time or duration asked about cannot be explained (a duration the link does not
    offer); the message is a `Text` to show."""


@dataclass(frozen=True)
class LinkToExplain:
    """What the page needs before asking: the link, its zone and durations, the viewer's zone."""

    id: int
    name: str
    time_zone: str
    durations: tuple[int, ...]
    viewer_time_zone: str


@dataclass(frozen=True)
class HostReasons:
    """One host's reasons; `is_you`: the viewer, whose own calendars are told in full."""

    host_id: int
    name: str
    is_you: bool
    calendar_connected: bool
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class WhyNot:
    start: datetime  # UTC
    duration: int
    time_zone: str  # the link's
    bookable: bool
    link_reasons: tuple[Reason, ...]
    hosts: tuple[HostReasons, ...]


def _viewable(session: Session, actor: Actor, link_id: int) -> MeetingLink:
    """The link, for its owner, a co-host who accepted, or an admin; otherwise not found
    (so ids cannot be probed)."""
    link = session.get(MeetingLink, link_id)
    if link is None:
        raise LinkNotFoundError(f"No meeting link {link_id}")
    if is_admin(actor) or link.owner_id == actor.id:
        return link
    accepted = session.exec(
        select(LinkHost.user_id).where(
            LinkHost.link_id == link.id,
            LinkHost.user_id == actor.id,
            LinkHost.status == HostStatus.ACCEPTED,
        )
    ).first()
    if accepted is None:
        raise LinkNotFoundError(f"No meeting link {link_id}")
    return link


@use_case
def link_to_explain(*, session: Session, actor: Actor, link_id: int) -> LinkToExplain:
    link = _viewable(session, actor, link_id)
    settings = link.settings
    viewer = session.get(User, actor.id) if actor.id is not None else None
    return LinkToExplain(
        link.id,
        link.name,
        settings.time_zone,
        tuple(settings.durations),
        viewer.time_zone if viewer is not None else settings.time_zone,
    )


@use_case
def why_not(
    *,
    session: Session,
    actor: Actor,
    link_id: int,
    start: datetime,
    duration: int,
    now: datetime | None = None,
) -> WhyNot:
    """The reasons a meeting of `duration` minutes at `start` cannot be booked on the link
    (none: prospects can book it). A naive `start` is a wall-clock time in the link's zone
    (a time the clock skips means the moment it jumps to); an aware one is that instant."""
    now = now or datetime.now(UTC)
    link = _viewable(session, actor, link_id)
    settings = link.settings
    if duration not in settings.durations:
        raise InvalidQuestionError(
            Text(
                "This link offers {durations} minute meetings",
                durations=", ".join(map(str, settings.durations)),
            )
        )
    if start.tzinfo is None:
        at = resolve_local(start.date(), start.time(), settings.rules().zone)
    else:
        at = start.astimezone(UTC)
    reach = timedelta(
        minutes=duration + settings.buffer_before + settings.buffer_after, days=1
    )  # a day either side: the daily cap counts the whole local day
    gathered = scheduling.gather(session, link, at - reach, at + reach, titles_for=actor.id)
    host_ids = host_ids_of(session=session, link=link)
    names = _names(session, host_ids)
    hosts = [_as_seen_by(actor, host, names.get(host.host_id, "")) for host in gathered.hosts]
    try:
        explanation = explain(
            settings.rules(),
            hosts,
            at=at,
            duration=duration,
            now=now,
            mode=scheduling.mode_of(link),
        )
    except InvalidRulesError as error:
        raise InvalidQuestionError(str(error)) from error
    per_host = tuple(
        HostReasons(
            host.host_id,
            names.get(host.host_id, ""),
            host.host_id == actor.id,
            scheduling.connection_of(session, host.host_id) is not None,
            tuple(r for r in explanation.reasons if r.host_id == host.host_id),
        )
        for host in hosts
    )
    return WhyNot(
        at,
        duration,
        settings.time_zone,
        explanation.bookable,
        tuple(r for r in explanation.reasons if r.host_id is None),
        per_host,
    )


def _names(session: Session, host_ids: list[int]) -> dict[int, str]:
    if not host_ids:
        return {}
    users = session.exec(select(User).where(User.id.in_(host_ids))).all()
    return {u.id: u.display_name or u.email for u in users}


def _as_seen_by(actor: Actor, host: HostTime, name: str) -> HostTime:
    """The viewer's own busy time as it is; another host's busy time without its calendars,
    titles or meetings: only that they are busy, under their name."""
    if host.host_id == actor.id:
        return host
    return HostTime(
        host.host_id,
        [Busy(b.start, b.end) for b in host.busy],
        [
            ExistingBooking(
                b.start, b.end, "", b.buffer_before, b.buffer_after, b.counts_toward_cap
            )
            for b in host.bookings
        ],
        name=name,
    )
