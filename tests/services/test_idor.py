"""Refusals: a second user (or nobody) tries to touch the first user's data."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from meetings_ui.domain.enums import Role
from meetings_ui.domain.licences import Hub, parse_seat
from meetings_ui.models import ApiKey, AuditEvent, Seat, User
from meetings_ui.services.accounts import (
    do_create_user,
    do_list_accounts,
    do_update_profile,
)
from meetings_ui.services.api_keys import do_create_api_key, do_revoke_api_key
from meetings_ui.services.audit import do_list_audit_events
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.services.seats import do_assign_seat, do_remove_seat, seats_of


def _audit_actions(session: Session) -> list[str]:
    return list(session.exec(select(AuditEvent.action)).all())


def test_a_user_cannot_assign_seats_to_anyone_not_even_themselves(
    session: Session, alice: User, bob: User
) -> None:
    before = _audit_actions(session)
    for target in (alice, bob):
        with pytest.raises(ForbiddenError, match="Admins only"):
            do_assign_seat(
                session=session, actor=bob, user_id=target.id, seat=parse_seat("sales_pro")
            )
    assert session.exec(select(Seat)).all() == []
    assert _audit_actions(session) == before


def test_a_user_cannot_remove_someone_else_s_seat(
    session: Session, admin: User, alice: User, bob: User
) -> None:
    do_assign_seat(session=session, actor=admin, user_id=alice.id, seat=parse_seat("sales_pro"))
    with pytest.raises(ForbiddenError):
        do_remove_seat(session=session, actor=bob, user_id=alice.id, hub=Hub.SALES)
    assert len(session.exec(select(Seat)).all()) == 1


def test_a_user_cannot_read_someone_else_s_seats(session: Session, alice: User, bob: User) -> None:
    with pytest.raises(ForbiddenError):
        seats_of(session=session, actor=bob, user_id=alice.id)


def test_a_user_may_only_change_their_own_profile(
    session: Session, admin: User, alice: User, bob: User
) -> None:
    with pytest.raises(ForbiddenError, match="only change your own"):
        do_update_profile(
            session=session, actor=bob, user_id=alice.id, display_name="Pwned", time_zone="UTC"
        )
    session.expire_all()
    assert session.get(User, alice.id).display_name == "alice"
    # An admin may (support requests).
    do_update_profile(
        session=session, actor=admin, user_id=alice.id, display_name="Alice", time_zone="UTC"
    )


def test_a_user_cannot_make_or_revoke_keys_for_someone_else(
    session: Session, alice: User, bob: User
) -> None:
    with pytest.raises(ForbiddenError):
        do_create_api_key(session=session, actor=bob, user_id=alice.id)
    do_create_api_key(session=session, actor=alice, user_id=alice.id)
    key = session.exec(select(ApiKey)).one()
    with pytest.raises(ForbiddenError):
        do_revoke_api_key(session=session, actor=bob, key_id=key.id)
    session.refresh(key)
    assert key.revoked_at is None


def test_admin_lists_and_user_creation_refuse_non_admins(session: Session, alice: User) -> None:
    with pytest.raises(ForbiddenError):
        do_list_accounts(session=session, actor=alice)
    with pytest.raises(ForbiddenError):
        do_list_audit_events(session=session, actor=alice)
    with pytest.raises(ForbiddenError):
        do_create_user(
            session=session,
            actor=alice,
            email="sneaky@example.com",
            password="long enough password",
            role=Role.ADMIN,
        )


def test_a_deactivated_admin_is_no_longer_an_admin(
    session: Session, admin: User, alice: User
) -> None:
    admin.is_active = False
    session.add(admin)
    session.commit()
    with pytest.raises(ForbiddenError):
        do_assign_seat(session=session, actor=admin, user_id=alice.id, seat=parse_seat("cms_pro"))


@pytest.mark.parametrize("actor", [None])
def test_nobody_is_refused_everything(session: Session, alice: User, actor: None) -> None:
    with pytest.raises(ForbiddenError):
        do_assign_seat(session=session, actor=actor, user_id=alice.id, seat=parse_seat("cms_pro"))
    with pytest.raises(ForbiddenError):
        do_update_profile(
            session=session, actor=actor, user_id=alice.id, display_name="x", time_zone="UTC"
        )
