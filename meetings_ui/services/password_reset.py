"""Password reset by emailed link: single use, valid for one hour, stored hashed.

The request never says whether an account exists (no account enumeration).
Completing a reset logs every device out: whoever knew the old password is shut out.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlmodel import Session, select

from meetings_ui import i18n, routes
from meetings_ui.config import get_settings
from meetings_ui.domain.messages import N_, Text
from meetings_ui.models import PasswordResetToken, User, utc_now
from meetings_ui.services import audit
from meetings_ui.services.accounts import AccountError, password_problem, user_by_email
from meetings_ui.services.mail import reader_of, send_email
from meetings_ui.services.passwords import hash_password
from meetings_ui.services.sessions import end_all_sessions
from meetings_ui.services.tokens import digest, new_token
from meetings_ui.services.transactions import use_case

RESET_LIFETIME = timedelta(hours=1)
RESET_SUBJECT = N_("Reset your Meetings password")
_EXPIRED = Text("This reset link has expired or was already used: ask for a new one.")


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


def mail_reset_link(
    *, session: Session, user: User, reader: i18n.Reader, subject: str, why: str, stays: str
) -> None:
    """Mail `user` a fresh reset link, in `reader`'s words: `why` leads to the link,
    `stays` says what is left as it is if the request was not theirs. The caller commits
    the token with the email."""
    link = new_reset_link(session=session, user=user)
    send_email(
        session=session,
        to=user.email,
        subject=subject,
        text="\n".join(
            [reader.t("Hello {name},", name=user.display_name), "", why, "", link, "", stays, ""]
        ),
    )


def do_request_password_reset(*, session: Session, email: str, locale: str = "en") -> None:
    """Mail a reset link if the account exists; do nothing visible otherwise. The mail is in
    the user's language when they chose one, else in the asking browser's (`locale`)."""
    user = user_by_email(session=session, email=email)
    if user is None or not user.is_active:
        return
    reader = reader_of(user, locale)
    mail_reset_link(
        session=session,
        user=user,
        reader=reader,
        subject=reader.t(RESET_SUBJECT),
        why=reader.t(
            "Someone asked to reset the password of your Meetings account. To choose a new "
            "password, open this link within the next hour:"
        ),
        stays=reader.t("If it was not you, ignore this message: your password stays as it is."),
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
