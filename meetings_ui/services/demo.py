"""The demo workspace that the run command seeds, so a first visit has someone to be: an
admin, a host whose calendar (the provider sandbox's Google) is busy this week and next,
and a host with no calendar, whose link takes requests (offline mode)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from meetings_ui.config import SANDBOX_DEMO_GOOGLE_EMAIL, SANDBOX_DEMO_REFRESH_TOKEN, get_settings
from meetings_ui.domain.enums import Provider, Role
from meetings_ui.domain.messages import N_
from meetings_ui.models import CalendarConnection, MeetingLink, Seat, User
from meetings_ui.providers.base import AccessRole, ConnectedAccount, ProviderCalendar
from meetings_ui.providers.google import SCOPES as GOOGLE_SCOPES
from meetings_ui.services import audit
from meetings_ui.services.calendar_connections import do_save_connected_account
from meetings_ui.services.links import do_create_link
from meetings_ui.services.passwords import hash_password
from meetings_ui.services.transactions import use_case


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    display_name: str
    role: Role
    time_zone: str
    seats: tuple[tuple[str, str], ...]
    meetings_url: str
    label: str  # a msgid: who this account is, on the log-in page's demo list
    link: dict | None = None  # the meeting link it gets: name and settings
    calendar: str | None = None  # the sandbox Google account its calendar is connected to


DEMO_ACCOUNTS = (
    DemoAccount(
        email="admin@example.com",
        password="demo-admin-password",  # noqa: S106  (printed to the operator on purpose)
        display_name="Ada Admin",
        role=Role.ADMIN,
        time_zone="Europe/Paris",
        seats=(("sales", "enterprise"), ("marketing", "pro")),
        meetings_url="ada",
        label=N_("Admin"),
    ),
    DemoAccount(
        email="host@example.com",
        password="demo-host-password",  # noqa: S106
        display_name="Hugo Host",
        role=Role.USER,
        time_zone="America/New_York",
        seats=(("sales", "pro"),),
        meetings_url="hugo",
        label=N_("Host, calendar connected"),
        link={
            "name": "Intro call",
            "settings": {
                "durations": [30, 60],
                "questions": [{"id": "company", "label": "Company", "required": True}],
                "confirmation_message": "Looking forward to it!",
            },
        },
        calendar=SANDBOX_DEMO_GOOGLE_EMAIL,
    ),
    DemoAccount(
        email="offline@example.com",
        password="demo-offline-password",  # noqa: S106
        display_name="Olga Offline",
        role=Role.USER,
        time_zone="Europe/London",
        seats=(),
        meetings_url="olga",
        label=N_("Host, no calendar (offline mode)"),
        link={"name": "Quick chat", "settings": {"durations": [15, 30]}},
    ),
)


@dataclass(frozen=True)
class DemoLogin:
    """A demo account as the log-in page lists it."""

    label: str  # a msgid
    email: str
    password: str


def demo_logins() -> tuple[DemoLogin, ...]:
    """Only in demo mode, so that no other workspace ever shows the demo passwords."""
    if not get_settings().demo_mode:
        return ()
    return tuple(
        DemoLogin(label=a.label, email=a.email, password=a.password) for a in DEMO_ACCOUNTS
    )


@use_case
def do_seed_demo_workspace(*, session: Session) -> list[User]:
    """Create what is missing of the demo workspace; leave what exists untouched
    (idempotent)."""
    users = []
    for account in DEMO_ACCOUNTS:
        user = session.exec(select(User).where(User.email == account.email)).first()
        if user is None:
            # A Meetings URL is one user's (S16): in a workspace where someone has it, the
            # demo account goes without (its link's slug then comes from its name).
            url_taken = session.exec(
                select(User.id).where(User.meetings_url == account.meetings_url)
            ).first()
            user = User(
                email=account.email,
                display_name=account.display_name,
                password_hash=hash_password(account.password),
                role=account.role,
                time_zone=account.time_zone,
                meetings_url=None if url_taken else account.meetings_url,
            )
            session.add(user)
            session.flush()
            for hub, tier in account.seats:
                session.add(Seat(user_id=user.id, hub=hub, tier=tier))
            session.commit()
        users.append(user)
        if (
            account.link is not None
            and not session.exec(
                select(MeetingLink.id).where(MeetingLink.owner_id == user.id)
            ).first()
        ):
            do_create_link(session=session, owner=user, **account.link)
        if account.calendar is not None:
            _connect_demo_calendar(session, user, account.calendar)
    return users


def _connect_demo_calendar(session: Session, user: User, email: str) -> None:
    """Connect the sandbox's Google calendar as the connect path stores a consented
    account, once: with the grant the sandbox always seeds for it, since the sandbox does
    not run yet when the workspace is seeded. The app lists the account's calendars and
    reads its busy time through the sandbox from then on. Without the sandbox for Google
    (real credentials, or no sandbox) the host stays offline."""
    if not get_settings().uses_google_sandbox:
        return
    if session.exec(
        select(CalendarConnection.id).where(
            CalendarConnection.user_id == user.id,
            CalendarConnection.provider == Provider.GOOGLE,
            CalendarConnection.account_email == email,
        )
    ).first():
        return
    scope = " ".join(GOOGLE_SCOPES)
    do_save_connected_account(
        session=session,
        user_id=user.id,
        account=ConnectedAccount(
            provider=Provider.GOOGLE,
            email=email,
            # Expired at once: the first call refreshes it with the standing grant.
            credentials={
                "access_token": "",
                "refresh_token": SANDBOX_DEMO_REFRESH_TOKEN,
                "expires_at": 0,
                "scope": scope,
            },
            scopes=GOOGLE_SCOPES,
        ),
        calendars=[
            ProviderCalendar(id=email, name=email, access_role=AccessRole.OWNER, is_primary=True)
        ],
    )
    audit.record(
        session=session,
        actor_id=None,
        action="calendar.connected",
        target=f"{Provider.GOOGLE}:{email}",
    )
