"""Accounts: sign-up, the first admin, operator-created users, log-in checks, profiles.

Emails are checked by email-validator and stored and compared in one form (see
`normalise_email`), so "Ada@Example.com " and "ada@example.com" are one account.
Names are one line of text without control characters (domain.text_fields).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from meetings_ui.domain.enums import Role
from meetings_ui.domain.licences import seat_from_row
from meetings_ui.domain.messages import Text
from meetings_ui.domain.text_fields import (
    MAX_NAME_LENGTH,
    InvalidTextError,
    clean_line,
    normalize_email,
)
from meetings_ui.domain.time_zones import is_time_zone
from meetings_ui.i18n import LANGUAGES
from meetings_ui.models import Seat, User, utc_now
from meetings_ui.services import audit, login_throttle
from meetings_ui.services.guard import Actor, ForbiddenError, require_admin, require_self_or_admin
from meetings_ui.services.passwords import hash_password, verify_password
from meetings_ui.services.transactions import use_case

MIN_PASSWORD_LENGTH = 10
# Hashing is deliberately slow; an unbounded input would make it a denial of service.
MAX_PASSWORD_LENGTH = 256
# Verified against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = hash_password("not-a-real-password")


class AccountError(ValueError):
    """Bad input, with a message that says what to fix. `field` names the form field."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class LoginRefusedError(AccountError):
    pass


def normalise_email(raw: str) -> str:
    """The form under which an address is looked up: `normalize_email`'s. Input
    email-validator refuses is only trimmed and lower-cased, as before it checked: a
    lookup never raises, and an account stored under such an address can still log in."""
    try:
        return normalize_email(raw)
    except InvalidTextError:
        return raw.strip().lower()


def email_problem(email: str) -> str | None:
    """What is wrong with an address someone typed, or None (checked by email-validator)."""
    if not email.strip():
        return Text("Enter your email address.")
    try:
        normalize_email(email)
    except InvalidTextError as error:
        reason = error.__cause__ or error  # email-validator's own words when it refused
        return Text("{email} is not an email address: {reason}", email=repr(email), reason=reason)
    return None


def password_problem(password: str, *, email: str = "") -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return Text(
            "Use at least {minimum} characters for your password (this one has {length}).",
            minimum=MIN_PASSWORD_LENGTH,
            length=len(password),
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        return Text(
            "Use at most {maximum} characters for your password.", maximum=MAX_PASSWORD_LENGTH
        )
    if email and password.strip().lower() == email:
        return Text("Don't use your email address as your password.")
    return None


def _display_name(raw: str, email: str) -> str:
    """The name as typed (one line, no control characters), else the email's local part."""
    try:
        name = clean_line(raw, max_length=MAX_NAME_LENGTH, required=False)
    except InvalidTextError as error:
        raise AccountError(Text("Your name: {problem}", problem=error.args[0]), "name") from None
    return name or email.split("@", 1)[0]


@dataclass(frozen=True)
class NewAccount:
    """A checked account form: the address as stored, the name to show, the password hashed."""

    email: str
    display_name: str
    password_hash: str


def new_account(*, email: str, password: str, display_name: str) -> NewAccount:
    """Check a new account's form and hash its password (slow on purpose). Says nothing
    about whether the address already has an account."""
    email = normalise_email(email)
    if problem := email_problem(email):
        raise AccountError(problem, "email")
    if problem := password_problem(password, email=email):
        raise AccountError(problem, "password")
    return NewAccount(
        email=email,
        display_name=_display_name(display_name, email),
        password_hash=hash_password(password),
    )


def _new_user(session: Session, account: NewAccount, *, role: Role) -> User:
    """Add (not commit) a user; every account creation goes through here."""
    if session.exec(select(User.id).where(User.email == account.email)).first() is not None:
        raise AccountError(
            Text("An account with this email already exists: log in, or reset its password."),
            "email",
        )
    user = User(
        email=account.email,
        display_name=account.display_name,
        password_hash=account.password_hash,
        role=role,
    )
    session.add(user)
    return user


def _commit_new_user(session: Session, user: User) -> None:
    try:
        session.commit()
    except sa.exc.IntegrityError:
        session.rollback()
        raise AccountError(
            Text("An account with this email already exists: log in, or reset its password."),
            "email",
        ) from None


@use_case
def needs_first_admin(*, session: Session) -> bool:
    """True on a fresh install: nobody can log in until the first admin exists."""
    return session.exec(select(User.id).limit(1)).first() is None


def _lock_users_table(session: Session) -> None:
    """Serialise first-admin creation on PostgreSQL so two visitors cannot both win."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text('LOCK TABLE "user" IN SHARE ROW EXCLUSIVE MODE'))


def do_create_first_admin(
    *, session: Session, email: str, password: str, display_name: str
) -> User:
    _lock_users_table(session)
    if not needs_first_admin(session=session):
        session.rollback()
        raise ForbiddenError(Text("This workspace already has an admin: log in instead."))
    account = new_account(email=email, password=password, display_name=display_name)
    user = _new_user(session, account, role=Role.ADMIN)
    _commit_new_user(session, user)
    audit.record(
        session=session, actor_id=user.id, action="user.first_admin_created", target=user.email
    )
    return user


def refuse_before_first_admin(session: Session) -> None:
    """Hosts sign up only once the workspace has its admin."""
    if needs_first_admin(session=session):
        raise ForbiddenError(
            Text("This workspace has no admin yet: create the first admin account first.")
        )


def do_sign_up(*, session: Session, account: NewAccount) -> User:
    """A host's account, once they confirmed their address (services/sign_up.py); they get
    the user role and no seats."""
    refuse_before_first_admin(session)
    user = _new_user(session, account, role=Role.USER)
    _commit_new_user(session, user)
    audit.record(session=session, actor_id=user.id, action="user.signed_up", target=user.email)
    return user


@use_case
def do_create_user(
    *,
    session: Session,
    actor: Actor,
    email: str,
    password: str,
    display_name: str = "",
    role: Role = Role.USER,
) -> User:
    """An admin (or the operator's CLI) creates an account for someone else."""
    require_admin(actor)
    account = new_account(email=email, password=password, display_name=display_name)
    user = _new_user(session, account, role=role)
    _commit_new_user(session, user)
    audit.record(
        session=session,
        actor_id=actor.id,
        action="user.created",
        target=user.email,
        details={"role": str(role)},
    )
    return user


@use_case
def user_by_email(*, session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def do_check_credentials(
    *, session: Session, email: str, password: str, client_ip: str, now: datetime | None = None
) -> User:
    """The password check of a log-in, throttled. The session itself is made by sessions.py."""
    now = now or utc_now()
    email = normalise_email(email)
    if not email or not password:
        raise LoginRefusedError(Text("Enter your email and your password."))
    try:
        attempt_id = login_throttle.start_attempt(
            session=session, email=email, client_ip=client_ip, now=now
        )
    except login_throttle.LockedOutError as locked:
        raise LoginRefusedError(
            Text("Too many attempts, try again in 1 minute.")
            if locked.minutes == 1
            else Text("Too many attempts, try again in {minutes} minutes.", minutes=locked.minutes)
        ) from None
    user = user_by_email(session=session, email=email)
    valid = verify_password(
        user.password_hash if user and user.password_hash else _DUMMY_HASH, password
    )
    if not (user and user.password_hash and user.is_active and valid):
        raise LoginRefusedError(
            Text("Wrong email or password. Check both, or reset your password.")
        )
    login_throttle.mark_succeeded(session=session, attempt_id=attempt_id)
    return user


def do_update_profile(
    *, session: Session, actor: Actor, user_id: int, display_name: str, time_zone: str
) -> User:
    """A user changes their own name and time zone; admins may change anyone's."""
    require_self_or_admin(actor, user_id)
    user = session.get(User, user_id)
    if user is None:
        raise AccountError(Text("That account no longer exists."))
    name = display_name.strip()
    if not name:
        raise AccountError(Text("Enter your name."), "name")
    if not is_time_zone(time_zone):
        raise AccountError(
            Text(
                "Unknown time zone {zone}: pick one from the list, e.g. Europe/Paris.",
                zone=repr(time_zone),
            ),
            "time_zone",
        )
    user.display_name = _display_name(name, user.email)
    user.time_zone = time_zone
    session.add(user)
    session.commit()
    audit.record(
        session=session,
        actor_id=actor.id,
        action="user.profile_updated",
        target=user.email,
        details={"display_name": user.display_name, "time_zone": time_zone},
    )
    return user


@dataclass(frozen=True)
class AccountSummary:
    id: int
    email: str
    display_name: str
    role: str
    seats: tuple[str, ...]  # seat codes, e.g. ("sales_pro",)


@use_case
def do_list_accounts(*, session: Session, actor: Actor) -> list[AccountSummary]:
    """Every account with its role and seats, for the admin Users page."""
    require_admin(actor)
    users = session.exec(select(User).order_by(User.email)).all()
    seats: dict[int, list[str]] = {}
    for row in session.exec(select(Seat).order_by(Seat.hub)).all():
        if (seat := seat_from_row(row.hub, row.tier)) is not None:
            seats.setdefault(row.user_id, []).append(seat.code)
    return [
        AccountSummary(u.id, u.email, u.display_name, u.role, tuple(seats.get(u.id, ())))
        for u in users
    ]


@use_case
def do_set_language(*, session: Session, actor: Actor, language: str) -> str:
    """The language of the user's own pages and emails: one we speak, or "" to follow
    their browser (emails in English then)."""
    user = session.get(User, actor.id) if isinstance(actor, User) else None
    if user is None:
        raise ForbiddenError(Text("You can only change your own account."))
    if language not in ("", *LANGUAGES):
        raise AccountError(Text("Choose a language from the list."), "language")
    user.language = language
    session.add(user)
    session.commit()
    audit.record(
        session=session,
        actor_id=user.id,
        action="user.language_set",
        target=user.email,
        details={"language": language},
    )
    return language
