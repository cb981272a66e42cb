"""Password reset by emailed link: single use, valid for one hour, stored hashed.

The request never says whether an account exists (no account enumeration).
Completing a reset logs every device out: whoever knew the old password is shut out.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlmodel import Session, select

from meetings_ui import routes
from meetings_ui.config import get_settings
from meetings_ui.models import PasswordResetToken, User, utc_now
from meetings_ui.services import audit
from meetings_ui.services.accounts import AccountError, password_problem, user_by_email
from meetings_ui.services.mail import send_email
from meetings_ui.services.passwords import hash_password
from meetings_ui.services.sessions import end_all_sessions
from meetings_ui.services.tokens import digest, new_token
from meetings_ui.services.transactions import use_case

RESET_LIFETIME = timedelta(hours=1)
RESET_SUBJECT = "Reset your Meetings password"
_EXPIRED = "This reset link has expired or was already used: ask for a new one."


def reset_link(raw_token: str) -> str:
    return f"{get_settings().app_url}{routes.RESET_PASSWORD}?{urlencode({'token': raw_token})}"


def new_reset_link(*, session: Session, user: User) -> str:
    """A fresh single-use reset link for `user` (stored hashed, valid RESET_LIFETIME)."""
    token = new_token()
    session.add(
        PasswordResetToken(
            user_id=user.id, token_hash=digest(token), expires_at=utc_now() + RESET_LIFETIME
        )
    )
    return reset_link(token)  # the caller commits it with the email that carries it


def mail_reset_link(*, session: Session, user: User, subject: str, why: str, stays: str) -> None:
    """Mail `user` a fresh reset link: `why` leads to the link, `stays` says what is left
    as it is if the request was not theirs. The caller commits the token with the email."""
    link = new_reset_link(session=session, user=user)
    send_email(
        session=session,
        to=user.email,
        subject=subject,
        text=(
            f"Hello {user.display_name},\n\n{why}:\n\n{link}\n\n"
            f"If it was not you, ignore this message: {stays}.\n"
        ),
    )


def do_request_password_reset(*, session: Session, email: str) -> None:
    """Mail a reset link if the account exists; do nothing visible otherwise."""
    user = user_by_email(session=session, email=email)
    if user is None or not user.is_active:
        return
    mail_reset_link(
        session=session,
        user=user,
        subject=RESET_SUBJECT,
        why="Someone asked to reset the password of your Meetings account. To choose a new "
        "password, open this link within the next hour",
        stays="your password stays as it is",
    )
    session.commit()  # the token and its email, together
    audit.record(
        session=session, actor_id=user.id, action="password_reset.requested", target=user.email
    )


@use_case
def reset_token_is_valid(*, session: Session, raw_token: str) -> bool:
    """Lets the reset page say at once that a link is dead, before anyone types a password."""
    row = session.exec(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == digest(raw_token))
    ).first()
    return row is not None and row.used_at is None and row.expires_at > utc_now()


def do_reset_password(*, session: Session, raw_token: str, new_password: str) -> User:
    now = utc_now()
    token_hash = digest(raw_token)
    row = session.exec(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash)
    ).first()
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise AccountError(_EXPIRED)
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise AccountError(_EXPIRED)
    # Checked before the token is spent, so a too-short password leaves the link usable.
    if problem := password_problem(new_password, email=user.email):
        raise AccountError(problem, "password")
    claimed = session.execute(
        sa.update(PasswordResetToken)
        .where(
            PasswordResetToken.token_hash == token_hash,
            PasswordResetToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    if claimed.rowcount != 1:
        session.rollback()
        raise AccountError(_EXPIRED)
    session.execute(
        sa.update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    user.password_hash = hash_password(new_password)
    session.add(user)
    end_all_sessions(session=session, user_id=user.id)
    session.commit()
    audit.record(
        session=session, actor_id=user.id, action="password_reset.completed", target=user.email
    )
    return user
