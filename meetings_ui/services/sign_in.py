"""The way in, one use case per action of the account pages.

Each use case runs in one transaction and hands back plain values (a login code, a
view), never a database row. The ones that hash or verify a password, or send mail,
are slow on purpose: pages call them in a thread, never on the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass

from meetings_ui import routes
from meetings_ui.domain.messages import N_, Text
from meetings_ui.domain.text_fields import InvalidTextError, normalize_email
from meetings_ui.models import User
from meetings_ui.services import challenges, rate_limits
from meetings_ui.services.accounts import (
    AccountError,
    do_check_credentials,
    do_create_first_admin,
    needs_first_admin,
    normalise_email,
)
from meetings_ui.services.guard import Actor, is_admin
from meetings_ui.services.password_reset import do_request_password_reset, do_reset_password
from meetings_ui.services.sessions import (
    binding_from_cookie_header,
    do_issue_login_code,
    token_from_cookie_header,
    user_for_token,
)
from meetings_ui.services.sign_up import do_confirm_sign_up, do_request_sign_up
from meetings_ui.services.transactions import Session, use_case


@dataclass(frozen=True)
class Viewer:
    """What a page may show about the person using it (no id, no token, no hash)."""

    name: str
    email: str
    is_admin: bool
    language: str = ""  # their pages' language; "" follows the browser


@dataclass(frozen=True)
class Visit:
    """What a page needs before it shows anything: set-up first, then who is here."""

    first_run: bool
    viewer: Viewer | None


def viewer_of(actor: Actor | None) -> Viewer | None:
    if not isinstance(actor, User):
        return None
    return Viewer(
        name=actor.display_name,
        email=actor.email,
        is_admin=is_admin(actor),
        language=actor.language,
    )


@use_case
def actor_for_cookie(cookie_header: str, *, session: Session) -> Actor | None:
    """The active user behind a browser's session cookie (the raw Cookie header), or None."""
    return user_for_token(session=session, raw_token=token_from_cookie_header(cookie_header))


@use_case
def visit(cookie_header: str, *, session: Session) -> Visit:
    """A fresh install has nobody to log in as; otherwise, who the cookie belongs to."""
    if needs_first_admin(session=session):
        return Visit(first_run=True, viewer=None)
    return Visit(
        first_run=False, viewer=viewer_of(actor_for_cookie(cookie_header, session=session))
    )


def browser_is_ready(cookie_header: str) -> bool:
    """Whether this browser has its login binding cookie, so it may be handed a login code."""
    return binding_from_cookie_header(cookie_header) is not None


def _binding(cookie_header: str) -> str:
    """The asking browser's login binding, or an AccountError before any work is done."""
    binding = binding_from_cookie_header(cookie_header)
    if binding is None:
        raise AccountError(
            Text(
                "This browser did not keep the log-in cookie: allow cookies for this site, "
                "then reload the page."
            )
        )
    return binding


def _too_many(message: str, refused: rate_limits.RateLimitedError) -> AccountError:
    """A rate limit's refusal in the words of the page's error message (`message` has
    a `{minutes}` placeholder)."""
    return AccountError(Text(message, minutes=refused.minutes))


@use_case
def log_in(
    *,
    session: Session,
    email: str,
    password: str,
    client_ip: str,
    next_path: str,
    cookie_header: str,
) -> str:
    """Check the password (throttled) and return the login code for the cookie route,
    bound to the browser whose Cookie header this is."""
    binding = _binding(cookie_header)
    user = do_check_credentials(
        session=session, email=email, password=password, client_ip=client_ip
    )
    return do_issue_login_code(
        session=session, user_id=user.id, next_path=next_path, browser_binding=binding
    )


@use_case
def sign_up(
    *,
    session: Session,
    email: str,
    password: str,
    display_name: str,
    client_ip: str,
    locale: str = "en",
) -> str:
    """Mail the address a confirmation link (or, if it has an account, a note to its
    owner); returns the address the page confirms, the same either way (sign_up.py).

    Attempts are rate-limited per client IP and per address, known or not. The mail is
    written in the browser's `locale`."""
    try:
        rate_limits.sign_up(client_ip=client_ip, email=normalise_email(email))
    except rate_limits.RateLimitedError as refused:
        raise _too_many(
            N_("Too many sign-ups from this network: try again in {minutes} minutes."), refused
        ) from None
    return do_request_sign_up(
        session=session,
        email=email,
        password=password,
        display_name=display_name,
        locale=locale,
    )


@use_case
def confirm_sign_up(*, session: Session, token: str, cookie_header: str) -> str:
    """Create the account of a confirmation link, and the login code (bound to this
    browser) into the app."""
    binding = _binding(cookie_header)
    user = do_confirm_sign_up(session=session, token=token)
    return do_issue_login_code(
        session=session, user_id=user.id, next_path=routes.MEETINGS, browser_binding=binding
    )


@use_case
def create_first_admin(
    *, session: Session, email: str, password: str, display_name: str, cookie_header: str
) -> str:
    """The admin of a fresh workspace, and the login code (bound to this browser) to the
    users page."""
    binding = _binding(cookie_header)
    user = do_create_first_admin(
        session=session, email=email, password=password, display_name=display_name
    )
    return do_issue_login_code(
        session=session, user_id=user.id, next_path=routes.ADMIN_USERS, browser_binding=binding
    )


@use_case
def request_password_reset(
    *,
    session: Session,
    email: str,
    client_ip: str,
    challenge: str | None = None,
    locale: str = "en",
) -> str:
    """Mail a reset link if the account exists; returns the address the page confirms.

    A malformed address is an AccountError; an unknown one looks exactly like a known one,
    rate limits included (per client IP and per address, known or not). When a challenge
    is configured (challenges.py), `challenge` must answer it.
    """
    try:
        address = normalize_email(email)
    except InvalidTextError as error:
        raise AccountError(error.args[0], "email") from None
    # The challenge first: requests that did not solve it use up nobody's quota.
    try:
        challenges.verify(challenges.PASSWORD_RESET, challenge, client_ip)
    except challenges.ChallengeFailedError as failed:
        raise AccountError(failed.args[0]) from None
    try:
        rate_limits.password_reset(client_ip=client_ip, email=address)
    except rate_limits.RateLimitedError as refused:
        raise _too_many(
            N_("Too many reset requests from this network: try again in {minutes} minutes."),
            refused,
        ) from None
    do_request_password_reset(session=session, email=address, locale=locale)
    return address


@use_case
def reset_password(*, session: Session, raw_token: str, new_password: str) -> None:
    """Set the new password from an emailed link; every device is logged out."""
    do_reset_password(session=session, raw_token=raw_token, new_password=new_password)
