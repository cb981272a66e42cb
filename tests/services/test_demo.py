from __future__ import annotations

from sqlmodel import Session, select

from meetings_ui.domain.enums import Role
from meetings_ui.models import MeetingLink, Seat, User
from meetings_ui.services.demo import DEMO_ACCOUNTS, do_seed_demo_workspace
from meetings_ui.services.passwords import verify_password


def test_seeding_twice_creates_each_demo_account_once(session: Session) -> None:
    do_seed_demo_workspace(session=session)
    do_seed_demo_workspace(session=session)
    users = session.exec(select(User)).all()
    assert sorted(u.email for u in users) == sorted(a.email for a in DEMO_ACCOUNTS)
    assert len(session.exec(select(Seat)).all()) == sum(len(a.seats) for a in DEMO_ACCOUNTS)


def test_demo_accounts_log_in_with_their_printed_passwords(session: Session) -> None:
    do_seed_demo_workspace(session=session)
    for account in DEMO_ACCOUNTS:
        user = session.exec(select(User).where(User.email == account.email)).one()
        assert verify_password(user.password_hash, account.password)
        assert not verify_password(user.password_hash, account.password + "x")
    roles = {u.role for u in session.exec(select(User)).all()}
    assert roles == {Role.ADMIN, Role.USER}


def test_the_demo_seeds_beside_a_user_who_has_its_meetings_url(session: Session) -> None:
    session.add(User(email="hugo@example.org", display_name="Hugo", meetings_url="hugo"))
    session.commit()
    do_seed_demo_workspace(session=session)
    demo_host = session.exec(select(User).where(User.email == "host@example.com")).one()
    assert demo_host.meetings_url is None
    link = session.exec(select(MeetingLink).where(MeetingLink.owner_id == demo_host.id)).one()
    assert link.slug == "hugo-host"  # from the demo host's name
