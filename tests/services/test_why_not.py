""" "Why isn't this time free?" (M12): each reason from a real link, real calendars in the
sandbox and real bookings; private titles and a co-host's calendars stay hidden; only the
link's hosts and admins may ask."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session

from meetings_ui import i18n
from meetings_ui.domain.availability import ReasonKind
from meetings_ui.domain.enums import HostStatus, LinkType, Role
from meetings_ui.models import LinkHost, MeetingLink, User
from meetings_ui.services import why_not as service
from meetings_ui.services.bookings import BookingRequest, do_book
from meetings_ui.services.guard import OPERATOR
from meetings_ui.services.links import LinkNotFoundError, do_create_link
from tests.sandbox import Sandbox
from tests.services.test_co_hosts import connect

PARIS = ZoneInfo("Europe/Paris")
EVERY_DAY_9_TO_17 = {
    d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
}
SETTINGS = {
    "time_zone": "Europe/Paris",
    "weekly": EVERY_DAY_9_TO_17,
    "durations": [30, 60],
    "buffer_before": 15,
    "buffer_after": 15,
    "minimum_notice": 120,
    "rolling_days": 30,
    "daily_cap": 1,
}


@dataclass
class Scene:
    link: MeetingLink
    owner: User
    zoe: User
    day: datetime  # midnight in Paris, ten days ahead
    owner_calendar: str  # the owner's primary calendar's name
    now: datetime


@pytest.fixture
def scene(
    session: Session,
    host: User,
    make_user: Callable[..., User],
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    mail_captured: None,
) -> Scene:
    """Hugo's group link with Zoe (accepted), both calendars connected with a few events;
    a request the day after fills the daily cap."""
    zoe = make_user("zoe@example.com")
    zoe.display_name = "Zoe Cohost"
    session.add(zoe)
    session.commit()
    link = do_create_link(
        session=session,
        owner=host,
        name="Why demo",
        link_type=LinkType.GROUP,
        host_ids=[host.id, zoe.id],
        actor=OPERATOR,
        settings=SETTINGS,
    )
    now = datetime.now(UTC).replace(microsecond=0)
    day = datetime.combine(now.astimezone(PARIS).date() + timedelta(days=10), time(0), PARIS)
    do_book(
        session=session,
        link=link,
        request=BookingRequest(
            start=day + timedelta(days=1, hours=9),
            time_zone="Europe/Paris",
            name="Cap Filler",
            email="cap@example.org",
            answers={},
            duration=30,
        ),
        now=now,
    )
    owner_account = connect(session, host, sandbox, monkeypatch)
    zoe_account = connect(session, zoe, sandbox, monkeypatch)

    def event(account: str, summary: str, hours: float, length: float, **extra: str) -> None:
        start = day + timedelta(hours=hours)
        sandbox.store.add_event(account, summary, start, start + timedelta(hours=length), **extra)

    event(owner_account, "Quarterly review", 10, 1)
    event(owner_account, "Therapy session", 12, 1, visibility="private")
    event(owner_account, "Board dinner", 12.5, 1, visibility="confidential")
    event(owner_account, "Design sync", 14, 0.5)
    event(owner_account, "Focus (shown as free)", 16, 1, show_as="free")
    event(zoe_account, "Zoe's secret interview", 15, 1)
    return Scene(link, host, zoe, day, owner_account, now)


def ask(session: Session, scene: Scene, actor: User, when: datetime, duration: int = 30):
    return service.why_not(
        session=session,
        actor=actor,
        link_id=scene.link.id,
        start=when.replace(tzinfo=None),  # as the page sends it: the link's wall clock
        duration=duration,
        now=scene.now,
    )


def messages(answer: service.WhyNot) -> dict[str, list[str]]:
    """Reasons by group: "link" and each host's name."""
    said = {"link": [str(r.message) for r in answer.link_reasons]}
    for host in answer.hosts:
        said[host.name] = [str(r.message) for r in host.reasons]
    return said


def test_a_free_time_says_so(session: Session, scene: Scene) -> None:
    answer = ask(session, scene, scene.owner, scene.day + timedelta(hours=9))
    assert answer.bookable
    assert messages(answer) == {"link": [], "Hugo Host": [], "Zoe Cohost": []}
    assert answer.time_zone == "Europe/Paris"
    assert answer.start == datetime(*scene.day.timetuple()[:3], 9, tzinfo=PARIS)
    assert [h.is_you for h in answer.hosts] == [True, False]


def test_each_link_wide_reason(session: Session, scene: Scene) -> None:
    def link_reasons(when: datetime) -> list[tuple[ReasonKind, str]]:
        answer = ask(session, scene, scene.owner, when)
        assert not answer.bookable
        return [(r.kind, str(r.message)) for r in answer.link_reasons]

    day = scene.day
    assert link_reasons(day + timedelta(hours=20)) == [
        (ReasonKind.OUTSIDE_HOURS, "Outside the link's available hours")
    ]
    assert link_reasons(day + timedelta(hours=9, minutes=10)) == [
        (ReasonKind.OFF_GRID, "Off the slot grid: slots start every 30 minutes from 09:00")
    ]
    far = day + timedelta(days=40, hours=10)
    last = (scene.now.astimezone(PARIS) + timedelta(days=29)).date()
    assert link_reasons(far) == [
        (
            ReasonKind.BEYOND_WINDOW,
            f"Beyond the booking window: bookable up to 30 days ahead (until {last.isoformat()})",
        )
    ]
    soon = scene.now.astimezone(PARIS) + timedelta(minutes=30)
    assert (
        ReasonKind.MINIMUM_NOTICE,
        "Too soon: this link needs at least 2 hours notice",
    ) in link_reasons(soon.replace(second=0))
    past = scene.now.astimezone(PARIS) - timedelta(hours=1)
    assert (ReasonKind.PAST, "This time has already passed") in link_reasons(past.replace(second=0))


def test_busy_in_the_hosts_own_calendar_with_the_title(session: Session, scene: Scene) -> None:
    answer = ask(session, scene, scene.owner, scene.day + timedelta(hours=10))
    assert messages(answer)["Hugo Host"] == [
        f"Busy in calendar {scene.owner_calendar}: Quarterly review"
    ]
    assert answer.hosts[0].reasons[0].kind == ReasonKind.BUSY


def test_private_and_confidential_titles_are_hidden(session: Session, scene: Scene) -> None:
    answer = ask(session, scene, scene.owner, scene.day + timedelta(hours=12), duration=60)
    said = messages(answer)["Hugo Host"]
    assert said == [
        f"Busy in calendar {scene.owner_calendar}: Private event",
        f"Busy in calendar {scene.owner_calendar}: Private event",
    ]
    assert i18n.translate(answer.hosts[0].reasons[0].message, "fr") == (
        f"Occupé dans le calendrier {scene.owner_calendar} : Événement privé"
    )


def test_the_buffer_around_a_meeting_names_it(session: Session, scene: Scene) -> None:
    answer = ask(session, scene, scene.owner, scene.day + timedelta(hours=14, minutes=30))
    assert messages(answer)["Hugo Host"] == [
        f"Within the buffer around Design sync (calendar {scene.owner_calendar})"
    ]


def test_an_event_shown_as_free_blocks_nothing(session: Session, scene: Scene) -> None:
    answer = ask(session, scene, scene.owner, scene.day + timedelta(hours=16, minutes=30))
    assert answer.bookable


def test_the_daily_cap_and_the_booking_behind_it(session: Session, scene: Scene) -> None:
    answer = ask(session, scene, scene.owner, scene.day + timedelta(days=1, hours=9, minutes=30))
    said = messages(answer)
    cap_day = (scene.day + timedelta(days=1)).date().isoformat()
    assert said["Hugo Host"] == [
        "Within the buffer around meeting with Cap Filler",
        f"Daily cap reached: 1 of 1 meetings already booked on {cap_day}",
    ]
    # Zoe's side of the same request: neither the prospect's name nor anything of hers.
    assert said["Zoe Cohost"] == [
        "Within the buffer around another meeting",
        f"Daily cap reached: 1 of 1 meetings already booked on {cap_day}",
    ]


def test_a_co_host_is_named_and_their_titles_are_hidden(session: Session, scene: Scene) -> None:
    answer = ask(session, scene, scene.owner, scene.day + timedelta(hours=15))
    assert messages(answer) == {"link": [], "Hugo Host": [], "Zoe Cohost": ["Zoe Cohost is busy"]}
    assert not answer.bookable
    # Zoe asks: her own calendar in full, Hugo's only as busy.
    zoe_view = ask(session, scene, scene.zoe, scene.day + timedelta(hours=10))
    assert messages(zoe_view) == {"link": [], "Hugo Host": ["Hugo Host is busy"], "Zoe Cohost": []}
    own = ask(session, scene, scene.zoe, scene.day + timedelta(hours=15))
    assert messages(own)["Zoe Cohost"] == [
        "Busy in calendar zoe.cal@example.com: Zoe's secret interview"
    ]
    assert [h.is_you for h in own.hosts] == [False, True]


def test_an_admin_may_ask_and_sees_no_titles(
    session: Session, scene: Scene, make_user: Callable[..., User]
) -> None:
    admin = make_user("boss@example.com", Role.ADMIN)
    answer = ask(session, scene, admin, scene.day + timedelta(hours=10))
    assert messages(answer)["Hugo Host"] == ["Hugo Host is busy"]
    assert not any(h.is_you for h in answer.hosts)


def test_another_host_and_an_invited_co_host_are_told_it_does_not_exist(
    session: Session, scene: Scene, make_user: Callable[..., User]
) -> None:
    stranger = make_user("stranger@example.com")
    with pytest.raises(LinkNotFoundError):
        ask(session, scene, stranger, scene.day + timedelta(hours=10))
    with pytest.raises(LinkNotFoundError):
        service.link_to_explain(session=session, actor=stranger, link_id=scene.link.id)
    invited = make_user("invited@example.com")
    session.add(
        LinkHost(link_id=scene.link.id, user_id=invited.id, status=HostStatus.INVITED, position=5)
    )
    session.commit()
    with pytest.raises(LinkNotFoundError):
        ask(session, scene, invited, scene.day + timedelta(hours=10))
    with pytest.raises(LinkNotFoundError):
        service.link_to_explain(session=session, actor=scene.owner, link_id=10_000)


def test_what_the_page_starts_from_and_a_duration_the_link_does_not_offer(
    session: Session, scene: Scene
) -> None:
    start = service.link_to_explain(session=session, actor=scene.zoe, link_id=scene.link.id)
    assert (start.name, start.time_zone, start.durations) == ("Why demo", "Europe/Paris", (30, 60))
    assert start.viewer_time_zone == scene.zoe.time_zone
    with pytest.raises(service.InvalidQuestionError) as refused:
        ask(session, scene, scene.owner, scene.day + timedelta(hours=9), duration=45)
    assert i18n.translate(refused.value.args[0], "fr") == (
        "Ce lien propose des réunions de 30, 60 minutes"
    )


def test_a_host_without_a_calendar_is_said_so(
    session: Session, host: User, mail_captured: None
) -> None:
    link = do_create_link(session=session, owner=host, name="Offline", settings=SETTINGS)
    day = datetime.combine(datetime.now(PARIS).date() + timedelta(days=3), time(11))
    answer = service.why_not(session=session, actor=host, link_id=link.id, start=day, duration=30)
    assert answer.bookable
    assert [(h.name, h.calendar_connected) for h in answer.hosts] == [("Hugo Host", False)]


def test_a_time_the_clock_skips_is_the_moment_it_jumps_to(
    session: Session, host: User, mail_captured: None
) -> None:
    """30 March 2031, Paris: 02:30 does not exist; asking about it means 03:00 (01:00 UTC)."""
    link = do_create_link(
        session=session,
        owner=host,
        name="Night",
        settings={**SETTINGS, "weekly": {"sun": [["00:00", "00:00"]]}, "rolling_days": None},
    )
    answer = service.why_not(
        session=session,
        actor=host,
        link_id=link.id,
        start=datetime(2031, 3, 30, 2, 30),
        duration=30,
        now=datetime(2031, 3, 1, tzinfo=UTC),
    )
    assert answer.start == datetime(2031, 3, 30, 1, 0, tzinfo=UTC)
    assert answer.bookable


def test_busy_time_the_events_do_not_fully_explain_stays_busy() -> None:
    """Free/busy and the event listing are two reads: where no event covers part of an
    interval, the interval stays too, untitled (when unsure, busy)."""
    from meetings_ui.providers.base import BusyEvent, BusyInterval
    from meetings_ui.services.scheduling import _titled

    ten = datetime(2030, 1, 7, 10, tzinfo=UTC)
    hour = timedelta(hours=1)
    interval = BusyInterval(ten, ten + 2 * hour)
    covering = [
        BusyEvent("c", "Planning", ten, ten + hour),
        BusyEvent("c", "Lunch", ten + hour, ten + 2 * hour, private=True),
    ]
    told = _titled([interval], covering, "Work")
    assert [(b.start, b.end, b.title) for b in told] == [
        (ten, ten + hour, "Planning"),
        (ten + hour, ten + 2 * hour, "Private event"),
    ]
    partly = _titled([interval], covering[:1], "Work")
    assert [(b.start, b.end, b.title) for b in partly] == [
        (ten, ten + 2 * hour, ""),
        (ten, ten + hour, "Planning"),
    ]
