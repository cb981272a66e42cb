"""Co-host hijack (M8): naming somebody on a link invites them; only their own "accept"
lets the link read their free time, hand them round robin bookings or write to their
calendar. Each attack is performed here and must fail."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import Session, select

from meetings_ui.config import get_settings
from meetings_ui.domain.enums import BookingStatus, HostStatus, Provider, Role
from meetings_ui.models import AuditEvent, LinkHost, MeetingLink, OutboxItem, User
from meetings_ui.providers.registry import connector_for
from meetings_ui.services import rate_limits
from meetings_ui.services.bookings import BookingRequest, do_book
from meetings_ui.services.calendar_connections import do_save_connected_account
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.services.links import (
    InvalidLinkError,
    InvitationNotFoundError,
    LinkNotFoundError,
    do_answer_invitation,
    do_clone_link,
    do_create_link,
    do_invite_again,
    do_leave_link,
    do_save_link,
    do_update_link,
    host_ids_of,
    host_views,
    invitations_for,
    link_draft,
    link_summaries,
    links_of,
)
from meetings_ui.services.scheduling import link_slots
from tests.sandbox import REDIRECT_URI, Sandbox, consent

WORKING_HOURS = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
SETTINGS = {"time_zone": "UTC", "weekly": WORKING_HOURS, "durations": [60], "minimum_notice": 0}


def next_tuesday() -> date:
    today = datetime.now(UTC).date() + timedelta(days=2)
    return today + timedelta(days=(1 - today.weekday()) % 7)


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), UTC)


def connect(session: Session, user: User, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> str:
    """Connect a fresh sandbox Google account (named after the user) to `user`."""
    account = f"{user.email.split('@')[0]}.cal@example.com"
    sandbox.store.add_account(Provider.GOOGLE, account, user.display_name)
    monkeypatch.setenv("MEETINGS_SANDBOX_URL", sandbox.url)
    get_settings.cache_clear()
    connector = connector_for("google")
    start = connector.begin(redirect_uri=REDIRECT_URI, state="s")
    connected = connector.complete(flow=start.flow, callback_params=consent(start.url, account))
    calendars = connector.open(connected.credentials, lambda _: None).list_calendars()
    do_save_connected_account(
        session=session, user_id=user.id, account=connected, calendars=calendars
    )
    return account


def busy(sandbox: Sandbox, account: str, start: datetime, end: datetime) -> None:
    primary = sandbox.store.primary_calendar(Provider.GOOGLE, account)
    sandbox.store.add_event(primary.id, "Board meeting", start, end)


def events_in(sandbox: Sandbox, account: str) -> list:
    return [e for e in sandbox.store.events.values() if e.calendar_id == account]


def slot_starts(session: Session, link: MeetingLink, day: date) -> set[datetime]:
    _, slots = link_slots(
        session=session,
        link=link,
        start=at(day, 0),
        end=at(day + timedelta(days=1), 0),
        duration=60,
        now=datetime.now(UTC),
    )
    return {s.start for s in slots}


def book(session: Session, link: MeetingLink, start: datetime, email: str, deliver):
    """Book, then run the outbox so the calendar writes are done as the worker would."""
    request = BookingRequest(
        start=start, time_zone="UTC", name="Pat", email=email, duration=60, answers={}
    )
    booking = do_book(session=session, link=link, request=request).booking
    deliver()
    session.refresh(booking)
    return booking


@pytest.fixture
def victim(make_user: Callable[..., User]) -> User:
    """An admin: the most tempting co-host to name without asking."""
    return make_user("victim@example.com", Role.ADMIN)


@pytest.fixture
def attacker(make_user: Callable[..., User]) -> User:
    return make_user("mallory@example.com")


def test_a_group_link_never_reads_an_invited_hosts_busy_time_nor_invites_them(
    session: Session,
    attacker: User,
    victim: User,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    mail_captured: None,
    deliver,
) -> None:
    connect(session, attacker, sandbox, monkeypatch)
    victim_account = connect(session, victim, sandbox, monkeypatch)
    day = next_tuesday()
    busy(sandbox, victim_account, at(day, 10), at(day, 11))
    link = do_create_link(
        session=session,
        owner=attacker,
        name="Spy",
        link_type="group",
        host_ids=[victim.id],
        settings=SETTINGS,
    )
    assert host_ids_of(session=session, link=link) == [attacker.id]
    assert at(day, 10) in slot_starts(session, link, day)  # the victim's meeting is not seen

    booking = book(session, link, at(day, 10), "pat@example.org", deliver)
    assert booking.status == BookingStatus.CONFIRMED and booking.host_id == attacker.id
    event = sandbox.store.events[booking.provider_event_id]
    assert victim_account not in {a["email"] for a in event.attendees}
    assert victim.email not in {a["email"] for a in event.attendees}
    assert [e.summary for e in events_in(sandbox, victim_account)] == ["Board meeting"]

    do_answer_invitation(session=session, actor=victim, link_id=link.id, accept=True)
    assert at(day, 10) not in slot_starts(session, link, day)  # now it is the victim's choice


def test_a_round_robin_link_never_hands_a_booking_to_an_invited_host(
    session: Session,
    attacker: User,
    victim: User,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    mail_captured: None,
    deliver,
) -> None:
    attacker_account = connect(session, attacker, sandbox, monkeypatch)
    victim_account = connect(session, victim, sandbox, monkeypatch)
    day = next_tuesday()
    busy(sandbox, attacker_account, at(day, 14), at(day, 15))
    link = do_create_link(
        session=session,
        owner=attacker,
        name="Rotation",
        link_type="round_robin",
        host_ids=[victim.id],
        settings=SETTINGS,
    )
    assert at(day, 14) not in slot_starts(session, link, day)  # only the attacker is used
    bookings = [
        book(session, link, at(day, hour), f"p{hour}@example.org", deliver) for hour in (9, 10, 11)
    ]
    assert {b.host_id for b in bookings} == {attacker.id}
    assert events_in(sandbox, victim_account) == []  # the victim's token was never used

    do_answer_invitation(session=session, actor=victim, link_id=link.id, accept=True)
    taken = book(session, link, at(day, 14), "late@example.org", deliver)  # the attacker is busy
    assert taken.host_id == victim.id and taken.status == BookingStatus.CONFIRMED
    assert [e.id for e in events_in(sandbox, victim_account)] == [taken.provider_event_id]


def test_the_invitee_is_told_in_the_app_and_by_email(
    session: Session, attacker: User, victim: User, mail_captured: None
) -> None:
    link = do_create_link(
        session=session, owner=attacker, name="Team", link_type="group", host_ids=[victim.id]
    )
    [mail] = session.exec(select(OutboxItem).where(OutboxItem.recipient == victim.email)).all()
    assert "“Team”" in mail.summary
    assert f"{get_settings().app_url}/app/meetings" in mail.payload["text"]
    [invitation] = invitations_for(session=session, actor=victim)
    assert (invitation.link_id, invitation.link_name) == (link.id, "Team")
    assert invitation.owner_email == attacker.email
    assert links_of(session=session, user=victim) == []  # not in their list until accepted
    assert invitations_for(session=session, actor=attacker) == []
    draft = link_draft(session=session, actor=attacker, link_id=link.id)
    assert [(h.email, h.status) for h in draft.co_hosts] == [(victim.email, HostStatus.INVITED)]
    events = session.exec(select(AuditEvent).where(AuditEvent.action.like("link.%"))).all()
    assert [(e.action, e.target) for e in events] == [("link.co_host_invited", victim.email)]


def test_nobody_answers_or_leaves_for_someone_else(
    session: Session,
    attacker: User,
    victim: User,
    make_user: Callable[..., User],
    mail_captured: None,
) -> None:
    bystander = make_user("bob@example.com")
    link = do_create_link(
        session=session, owner=attacker, name="Team", link_type="group", host_ids=[victim.id]
    )
    other = do_create_link(
        session=session, owner=bystander, name="Other", link_type="group", host_ids=[attacker.id]
    )
    for actor, link_id in (
        (attacker, link.id),  # the owner accepts on the victim's behalf
        (bystander, link.id),  # a stranger tries the victim's invitation
        (victim, other.id),  # nobody invited the victim to this one
        (victim, 10**6),
    ):
        for accept in (True, False):
            with pytest.raises(InvitationNotFoundError):
                do_answer_invitation(session=session, actor=actor, link_id=link_id, accept=accept)
    assert host_ids_of(session=session, link=link) == [attacker.id]
    with pytest.raises(LinkNotFoundError):  # invited is not accepted: nothing to leave
        do_leave_link(session=session, actor=victim, link_id=link.id)
    with pytest.raises(ForbiddenError):
        do_leave_link(session=session, actor=attacker, link_id=link.id)
    with pytest.raises(LinkNotFoundError):  # only the owner or an admin asks again
        do_invite_again(session=session, actor=bystander, link_id=link.id, user_id=victim.id)
    with pytest.raises(InvalidLinkError):  # an open invitation is not asked again
        do_invite_again(session=session, actor=attacker, link_id=link.id, user_id=victim.id)
    assert (
        len(session.exec(select(OutboxItem).where(OutboxItem.recipient == victim.email)).all()) == 1
    )


def test_decline_is_kept_until_the_owner_asks_again(
    session: Session, attacker: User, victim: User, mail_captured: None
) -> None:
    link = do_create_link(
        session=session, owner=attacker, name="Team", link_type="group", host_ids=[victim.id]
    )
    do_answer_invitation(session=session, actor=victim, link_id=link.id, accept=False)
    assert invitations_for(session=session, actor=victim) == []
    assert [h.status for h in host_views(session=session, link=link)] == ["accepted", "declined"]
    # Saving the link again, or cloning it, does not ask again behind the victim's back.
    do_save_link(
        session=session,
        actor=attacker,
        link_id=link.id,
        name="Team again",
        slug="",
        link_type="group",
        co_host_emails=[victim.email],
        settings={},
    )
    copy = do_clone_link(session=session, actor=attacker, link_id=link.id)
    copied = session.get(MeetingLink, copy.id)
    assert host_views(session=session, link=copied)[1].status == HostStatus.DECLINED
    assert host_ids_of(session=session, link=link) == [attacker.id]
    mails = session.exec(select(OutboxItem).where(OutboxItem.recipient == victim.email)).all()
    assert len(mails) == 1

    asked = do_invite_again(session=session, actor=attacker, link_id=link.id, user_id=victim.id)
    assert asked.status == HostStatus.INVITED
    assert (
        len(session.exec(select(OutboxItem).where(OutboxItem.recipient == victim.email)).all()) == 2
    )
    do_answer_invitation(session=session, actor=victim, link_id=link.id, accept=True)
    assert host_ids_of(session=session, link=link) == [attacker.id, victim.id]


def test_an_accepted_co_host_sees_the_link_and_may_leave_it(
    session: Session, alice: User, bob: User, mail_captured: None
) -> None:
    link = do_create_link(
        session=session, owner=alice, name="Team", link_type="round_robin", host_ids=[bob.id]
    )
    do_answer_invitation(session=session, actor=bob, link_id=link.id, accept=True)
    [row] = link_summaries(session=session, actor=bob)
    assert row.id == link.id and not row.is_owner and not row.can_edit
    assert link_summaries(session=session, actor=alice)[0].is_owner
    with pytest.raises(InvitationNotFoundError):  # answered once
        do_answer_invitation(session=session, actor=bob, link_id=link.id, accept=False)

    do_leave_link(session=session, actor=bob, link_id=link.id)
    assert links_of(session=session, user=bob) == []
    assert host_ids_of(session=session, link=link) == [alice.id]
    assert session.get(LinkHost, (link.id, bob.id)) is None
    with pytest.raises(LinkNotFoundError):
        do_leave_link(session=session, actor=bob, link_id=link.id)
    # Named again afterwards, bob is invited again, not silently back.
    do_update_link(session=session, actor=alice, link_id=link.id, changes={"host_ids": [bob.id]})
    assert host_ids_of(session=session, link=link) == [alice.id]
    actions = session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert "link.invitation_accepted" in actions and "link.co_host_left" in actions


def test_an_admin_adds_members_directly_and_it_is_audited(
    session: Session, admin: User, alice: User, bob: User, mail_captured: None
) -> None:
    link = do_create_link(
        session=session, owner=admin, name="Support", link_type="group", host_ids=[alice.id]
    )
    assert host_ids_of(session=session, link=link) == [admin.id, alice.id]
    assert invitations_for(session=session, actor=alice) == []
    assert session.exec(select(OutboxItem).where(OutboxItem.recipient == alice.email)).all() == []
    # An admin editing somebody's link adds directly too; the names kept keep their answer.
    team = do_create_link(
        session=session, owner=alice, name="Team", link_type="group", host_ids=[bob.id]
    )
    do_update_link(
        session=session, actor=admin, link_id=team.id, changes={"host_ids": [bob.id, admin.id]}
    )
    assert [(h.id, h.status) for h in host_views(session=session, link=team)] == [
        (alice.id, HostStatus.ACCEPTED),
        (bob.id, HostStatus.INVITED),
        (admin.id, HostStatus.ACCEPTED),
    ]
    audited = session.exec(
        select(AuditEvent.actor_id, AuditEvent.action, AuditEvent.target).where(
            AuditEvent.action.like("link.%")
        )
    ).all()
    assert set(audited) == {
        (admin.id, "link.co_host_added", alice.email),
        (alice.id, "link.co_host_invited", bob.email),
        (admin.id, "link.co_host_added", admin.email),
    }
    # Someone who said no is asked again, even by an admin, never overruled.
    do_answer_invitation(session=session, actor=bob, link_id=team.id, accept=False)
    asked = do_invite_again(session=session, actor=admin, link_id=team.id, user_id=bob.id)
    assert asked.status == HostStatus.INVITED
    assert bob.id not in host_ids_of(session=session, link=team)


def test_unknown_and_inactive_people_get_the_same_answer(
    session: Session, alice: User, bob: User, mail_captured: None
) -> None:
    bob.is_active = False
    session.commit()
    answers = []
    for email in ("nobody@example.com", bob.email):
        with pytest.raises(InvalidLinkError) as refused:
            do_save_link(
                session=session,
                actor=alice,
                link_id=None,
                name="Team",
                slug="",
                link_type="group",
                co_host_emails=[email],
                settings={},
            )
        answers.append(refused.value.problems[0][1].replace(email, "…"))
    assert answers[0] == answers[1]
    assert session.exec(select(OutboxItem)).all() == []


def test_naming_a_colleague_on_link_after_link_does_not_flood_their_inbox(
    session: Session, attacker: User, victim: User, mail_captured: None
) -> None:
    """Each invitation is an email the attacker makes the app send: past the per-invitee
    limit the link is refused whole, so nobody is named without being told."""
    allowed = rate_limits.INVITATIONS_PER_INVITEE.amount
    for n in range(allowed):
        do_create_link(
            session=session,
            owner=attacker,
            name=f"Spam {n}",
            link_type="group",
            host_ids=[victim.id],
        )
    with pytest.raises(InvalidLinkError, match="Too many co-host invitations"):
        do_create_link(
            session=session,
            owner=attacker,
            name="One more",
            link_type="group",
            host_ids=[victim.id],
        )
    session.rollback()
    mails = session.exec(select(OutboxItem).where(OutboxItem.recipient == victim.email)).all()
    assert len(mails) == allowed
    named = session.exec(select(LinkHost).where(LinkHost.user_id == victim.id)).all()
    assert len(named) == allowed  # the refused link named nobody
    assert session.exec(select(MeetingLink).where(MeetingLink.name == "One more")).all() == []
