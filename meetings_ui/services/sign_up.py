"""Sign-up by confirmed address, without telling anyone which addresses have accounts.

Whatever address is typed, the page answers the same: "check your inbox". A new address
is mailed a confirmation link; an address that already has an account is mailed a note
that someone tried to sign up with it, with a password-reset link. So nobody learns from
the answer whether an account exists, and nobody gets an account for an inbox they
cannot read.

The confirmation link carries the checked form (address, name, password hash) encrypted
with the secret key (crypto.py, Fernet) and expires after CONFIRMATION_LIFETIME: nothing
is stored until the link is opened, and opening it twice finds the account made.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from sqlmodel import Session

from meetings_ui import i18n, routes
from meetings_ui.config import get_settings
from meetings_ui.crypto import UndecryptableError, decrypt_json, encrypt_json
from meetings_ui.domain.messages import N_, Text
from meetings_ui.models import User
from meetings_ui.services import audit
from meetings_ui.services.accounts import (
    AccountError,
    NewAccount,
    do_sign_up,
    new_account,
    refuse_before_first_admin,
    user_by_email,
)
from meetings_ui.services.mail import reader_of, send_email
from meetings_ui.services.password_reset import mail_reset_link

CONFIRMATION_LIFETIME = timedelta(hours=24)
CONFIRM_SUBJECT = N_("Confirm your Meetings account")
ALREADY_SUBJECT = N_("Someone tried to sign up with your address")
_PURPOSE = "sign-up"
_EXPIRED = Text("This confirmation link has expired or is not valid: sign up again.")


def confirmation_link(token: str) -> str:
    return f"{get_settings().app_url}{routes.SIGN_UP_CONFIRM}?{urlencode({'token': token})}"


def do_request_sign_up(
    *, session: Session, email: str, password: str, display_name: str, locale: str = "en"
) -> str:
    """Check the form, then mail the address (a confirmation link, or a note to its owner);
    return the address the page confirms, the same whether it had an account or not.
    `locale`: the browser's, for the words of the mail."""
    refuse_before_first_admin(session)
    account = new_account(email=email, password=password, display_name=display_name)
    existing = user_by_email(session=session, email=account.email)
    if existing is None:
        _mail_confirmation(session, account, i18n.Reader(locale))
    elif existing.is_active:
        _mail_owner(session, existing, locale)
    session.commit()  # send_email only queues: the message goes out once this commits
    return account.email


def _mail_confirmation(session: Session, account: NewAccount, reader: i18n.Reader) -> None:
    token = encrypt_json(
        {
            "purpose": _PURPOSE,
            "email": account.email,
            "name": account.display_name,
            "hash": account.password_hash,
        }
    )
    link = confirmation_link(token)
    hours = int(CONFIRMATION_LIFETIME.total_seconds() // 3600)
    send_email(
        session=session,
        to=account.email,
        subject=reader.t(CONFIRM_SUBJECT),
        text="\n".join(
            [
                reader.t("Hello {name},", name=account.display_name),
                "",
                reader.t_plural(
                    "To finish creating your Meetings account, open this link within {count} hour:",
                    "To finish creating your Meetings account, open this link within "
                    "{count} hours:",
                    hours,
                ),
                "",
                link,
                "",
                reader.t("If you did not sign up, ignore this message: no account is made."),
                "",
            ]
        ),
    )


def _mail_owner(session: Session, user: User, locale: str) -> None:
    """The owner reads in their own language when they chose one, else the asker's."""
    reader = reader_of(user, locale)
    mail_reset_link(
        session=session,
        user=user,
        reader=reader,
        subject=reader.t(ALREADY_SUBJECT),
        why=reader.t(
            "Someone tried to sign up for Meetings with this address, which already has an "
            "account. If it was you, log in instead; if you forgot your password, choose a "
            "new one with this link within the next hour:"
        ),
        stays=reader.t("If it was not you, ignore this message: your account stays as it is."),
    )
    audit.record(
        session=session, actor_id=user.id, action="user.sign_up_repeated", target=user.email
    )


def do_confirm_sign_up(*, session: Session, token: str) -> User:
    """Create the account a confirmation link describes (AccountError when the link is
    expired, forged, or was already used)."""
    try:
        form = decrypt_json(token, max_age=int(CONFIRMATION_LIFETIME.total_seconds()))
    except UndecryptableError:
        raise AccountError(_EXPIRED) from None
    if not isinstance(form, dict) or form.get("purpose") != _PURPOSE:
        raise AccountError(_EXPIRED)
    account = NewAccount(
        email=str(form.get("email", "")),
        display_name=str(form.get("name", "")),
        password_hash=str(form.get("hash", "")),
    )
    if not (account.email and account.password_hash):
        raise AccountError(_EXPIRED)
    if user_by_email(session=session, email=account.email) is not None:
        raise AccountError(Text("This account is ready: log in."))
    return do_sign_up(session=session, account=account)
