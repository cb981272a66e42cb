"""Licence seats (S7, S12): admins assign and remove them; features ask the domain rules."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from meetings_ui.domain import licences
from meetings_ui.domain.messages import Text
from meetings_ui.models import Seat, User
from meetings_ui.services import audit
from meetings_ui.services.accounts import AccountError, AccountSummary, do_list_accounts
from meetings_ui.services.guard import Actor, require_admin, require_self_or_admin
from meetings_ui.services.transactions import use_case


@use_case
def seats_of(*, session: Session, actor: Actor, user_id: int) -> list[licences.Seat]:
    """A user's seats, as the domain rules take them (their own, or any for an admin)."""
    require_self_or_admin(actor, user_id)
    rows = session.exec(select(Seat).where(Seat.user_id == user_id)).all()
    return sorted(s for row in rows if (s := licences.seat_from_row(row.hub, row.tier)))


def _target(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise AccountError(Text("That account no longer exists: reload the page."))
    return user


@use_case
def do_assign_seat(*, session: Session, actor: Actor, user_id: int, seat: licences.Seat) -> None:
    """Give a user this seat; an existing seat in the same hub changes tier (one per hub)."""
    require_admin(actor)
    user = _target(session, user_id)
    row = session.exec(select(Seat).where(Seat.user_id == user_id, Seat.hub == seat.hub)).first()
    previous = row.tier if row else None
    if row is None:
        row = Seat(user_id=user_id, hub=seat.hub, tier=seat.tier)
    else:
        row.tier = seat.tier
    session.add(row)
    try:
        session.commit()
    except sa.exc.IntegrityError:
        session.rollback()
        raise AccountError(
            Text("Someone changed this user's seats at the same time: try again.")
        ) from None
    audit.record(
        session=session,
        actor_id=actor.id,
        action="seat.assigned",
        target=user.email,
        details={"seat": seat.code, "previous_tier": previous},
    )


@use_case
def do_remove_seat(*, session: Session, actor: Actor, user_id: int, hub: licences.Hub) -> None:
    require_admin(actor)
    user = _target(session, user_id)
    row = session.exec(select(Seat).where(Seat.user_id == user_id, Seat.hub == hub)).first()
    if row is None:
        raise AccountError(Text("{email} has no {hub} seat.", email=user.email, hub=hub.label))
    code = f"{row.hub}_{row.tier}"
    session.delete(row)
    session.commit()
    audit.record(
        session=session,
        actor_id=actor.id,
        action="seat.removed",
        target=user.email,
        details={"seat": code},
    )


@dataclass(frozen=True)
class SeatChange:
    """What the admin Users page shows after a change: what happened, and every account."""

    message: str
    accounts: tuple[AccountSummary, ...]


def _seat(code: str) -> licences.Seat:
    try:
        return licences.parse_seat(code)
    except ValueError as error:
        raise AccountError(error.args[0] if error.args else str(error), "seat") from None


@use_case
def assign_seat(*, session: Session, actor: Actor, user_id: int, seat_code: str) -> SeatChange:
    """The admin Users page's Assign: the seat, then the accounts as they now stand."""
    seat = _seat(seat_code)
    do_assign_seat(session=session, actor=actor, user_id=user_id, seat=seat)
    email = _target(session, user_id).email
    return SeatChange(
        message=Text("{email} now holds a {seat} seat.", email=email, seat=seat.label),
        accounts=tuple(do_list_accounts(session=session, actor=actor)),
    )


@use_case
def remove_seat(*, session: Session, actor: Actor, user_id: int, seat_code: str) -> SeatChange:
    """The admin Users page's Remove: the seat's hub is freed, then the accounts."""
    seat = _seat(seat_code)
    do_remove_seat(session=session, actor=actor, user_id=user_id, hub=seat.hub)
    return SeatChange(
        message=Text("{seat} seat removed.", seat=seat.label),
        accounts=tuple(do_list_accounts(session=session, actor=actor)),
    )
