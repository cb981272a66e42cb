"""Seat assignment by admins, and the audit trail it leaves."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from meetings_ui.domain.licences import Hub, may_change_meetings_url, parse_seat
from meetings_ui.models import AuditEvent, Seat, User
from meetings_ui.services import audit
from meetings_ui.services.accounts import AccountError, do_list_accounts
from meetings_ui.services.audit import do_list_audit_events
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.services.seats import (
    assign_seat,
    do_assign_seat,
    do_remove_seat,
    remove_seat,
    seats_of,
)


def test_an_admin_assigns_changes_and_removes_seats(
    session: Session, admin: User, alice: User
) -> None:
    decision = may_change_meetings_url(seats_of(session=session, actor=alice, user_id=alice.id))
    assert not decision.allowed
    do_assign_seat(session=session, actor=admin, user_id=alice.id, seat=parse_seat("sales_starter"))
    do_assign_seat(session=session, actor=admin, user_id=alice.id, seat=parse_seat("sales_pro"))
    do_assign_seat(session=session, actor=admin, user_id=alice.id, seat=parse_seat("cms_pro"))
    assert [s.code for s in seats_of(session=session, actor=alice, user_id=alice.id)] == [
        "cms_pro",
        "sales_pro",
    ]
    decision = may_change_meetings_url(seats_of(session=session, actor=alice, user_id=alice.id))
    assert decision.allowed

    do_remove_seat(session=session, actor=admin, user_id=alice.id, hub=Hub.SALES)
    assert [s.code for s in seats_of(session=session, actor=admin, user_id=alice.id)] == ["cms_pro"]
    with pytest.raises(AccountError, match="has no Sales Hub seat"):
        do_remove_seat(session=session, actor=admin, user_id=alice.id, hub=Hub.SALES)

    listed = {a.email: a.seats for a in do_list_accounts(session=session, actor=admin)}
    assert listed == {"admin@example.com": (), "alice@example.com": ("cms_pro",)}


def test_seat_changes_are_audited_newest_first(session: Session, admin: User, alice: User) -> None:
    do_assign_seat(session=session, actor=admin, user_id=alice.id, seat=parse_seat("service_pro"))
    do_remove_seat(session=session, actor=admin, user_id=alice.id, hub=Hub.SERVICE)
    rows = do_list_audit_events(session=session, actor=admin)
    assert [(r.action, r.actor, r.target) for r in rows[:2]] == [
        ("seat.removed", "admin@example.com", "alice@example.com"),
        ("seat.assigned", "admin@example.com", "alice@example.com"),
    ]
    assert rows[1].details == {"seat": "service_pro", "previous_tier": None}


def test_a_seat_for_a_missing_user_is_refused(session: Session, admin: User) -> None:
    with pytest.raises(AccountError, match="no longer exists"):
        do_assign_seat(session=session, actor=admin, user_id=9999, seat=parse_seat("sales_pro"))
    assert session.exec(select(Seat)).all() == []


def test_other_features_can_record_events(session: Session, alice: User) -> None:
    audit.record(
        session=session,
        actor_id=alice.id,
        action="calendar.connected",
        target="google:alice@gmail.com",
        details={"calendars": 3},
    )
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "calendar.connected")).one()
    assert (event.actor_id, event.details) == (alice.id, {"calendars": 3})


def test_the_users_page_gets_the_change_and_the_accounts_in_one_call(
    session: Session, admin: User, alice: User
) -> None:
    change = assign_seat(session=session, actor=admin, user_id=alice.id, seat_code="cms_pro")
    assert change.message == "alice@example.com now holds a CMS Hub Pro seat."
    assert {a.email: a.seats for a in change.accounts}["alice@example.com"] == ("cms_pro",)

    change = remove_seat(session=session, actor=admin, user_id=alice.id, seat_code="cms_pro")
    assert change.message == "CMS Hub Pro seat removed."
    assert {a.email: a.seats for a in change.accounts}["alice@example.com"] == ()

    with pytest.raises(AccountError, match="Unknown seat 'gold'"):
        assign_seat(session=session, actor=admin, user_id=alice.id, seat_code="gold")
    with pytest.raises(ForbiddenError):
        assign_seat(session=session, actor=alice, user_id=alice.id, seat_code="cms_pro")
    assert session.exec(select(Seat)).all() == []
