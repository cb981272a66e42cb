"""The demo workspace that the run command seeds, so a first visit has someone to be."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from meetings_ui.config import get_settings
from meetings_ui.domain.enums import Role
from meetings_ui.models import MeetingLink, Seat, User
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


DEMO_ACCOUNTS = (
    DemoAccount(
        email="admin@example.com",
        password="demo-admin-password",  # noqa: S106  (printed to the operator on purpose)
        display_name="Ada Admin",
        role=Role.ADMIN,
        time_zone="Europe/Paris",
        seats=(("sales", "enterprise"), ("marketing", "pro")),
        meetings_url="ada",
    ),
    DemoAccount(
        email="host@example.com",
        password="demo-host-password",  # noqa: S106
        display_name="Hugo Host",
        role=Role.USER,
        time_zone="America/New_York",
        seats=(("sales", "pro"),),
        meetings_url="hugo",
    ),
)


@dataclass(frozen=True)
class DemoLogin:
    """A demo account as the log-in page lists it."""

    role: str
    email: str
    password: str


def demo_logins() -> tuple[DemoLogin, ...]:
    """Only in demo mode, so that no other workspace ever shows the demo passwords."""
    if not get_settings().demo_mode:
        return ()
    return tuple(
        DemoLogin(role=str(a.role), email=a.email, password=a.password) for a in DEMO_ACCOUNTS
    )


@use_case
def do_seed_demo_workspace(*, session: Session) -> list[User]:
    """Create the demo accounts that are missing; leave existing ones untouched (idempotent)."""
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
        users.append(user)
    session.commit()
    host = users[-1]
    if not session.exec(select(MeetingLink).where(MeetingLink.owner_id == host.id)).first():
        do_create_link(
            session=session,
            owner=host,
            name="Intro call",
            settings={
                "durations": [30, 60],
                "questions": [{"id": "company", "label": "Company", "required": True}],
                "confirmation_message": "Looking forward to it!",
            },
        )
    return users
