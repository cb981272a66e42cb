"""Operator commands: `python -m meetings_ui.cli <command>`.

The operator at the server's shell is trusted like an admin (guard.OPERATOR).
Bad input, or a bad setting (such as demo mode on a public URL, which stops `make run`
at its seed step), prints what to fix on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from meetings_ui import i18n, routes
from meetings_ui.background import DELIVERY_POLL_SECONDS, run_one_pass
from meetings_ui.config import ConfigurationError, get_settings, production_problems
from meetings_ui.domain.enums import Role
from meetings_ui.domain.licences import parse_seat
from meetings_ui.services.accounts import (
    AccountError,
    do_create_user,
    normalise_email,
    user_by_email,
)
from meetings_ui.services.api_keys import do_create_api_key
from meetings_ui.services.delivery import deliver_all
from meetings_ui.services.demo import DEMO_ACCOUNTS, do_seed_demo_workspace
from meetings_ui.services.guard import OPERATOR
from meetings_ui.services.seats import do_assign_seat

BAD_INPUT = 2
# Test hook of `deliver`: once a pass has claimed rows, write their ids to this file and
# stop there, so a test can kill the worker between the claim and the delivery.
PAUSE_AFTER_CLAIM = "MEETINGS_DELIVERY_PAUSE_AFTER_CLAIM"


class CommandError(Exception):
    """Refused input; the message says what to fix."""


def _seed_demo(_args: argparse.Namespace) -> int:
    do_seed_demo_workspace()
    print("Demo workspace ready. Demo accounts:")
    for account in DEMO_ACCOUNTS:
        print(f"  {account.email:<20}  password: {account.password:<22}  {account.label}")
    for account in DEMO_ACCOUNTS:
        if account.link is not None:
            page = get_settings().app_url + routes.booking_page(account.meetings_url)
            print(f"Booking page of {account.display_name}: {page}")
    if get_settings().sandbox:
        print(
            "Calendar providers: the local sandbox for each provider without credentials "
            "(no real Google or Microsoft account is used)."
        )
    return 0


def _check_production(_args: argparse.Namespace) -> int:
    """`make serve` runs this first: it starts nothing until every problem is fixed."""
    problems = production_problems(get_settings())
    if problems:
        raise CommandError(
            "production mode needs these settings (environment or .env):\n  - "
            + "\n  - ".join(problems)
        )
    settings = get_settings()
    print(
        f"Production settings ok: {settings.app_url}, origins {', '.join(settings.allowed_origins)}"
    )
    if settings.sandbox:
        print("Warning: MEETINGS_SANDBOX is on: calendars without credentials use the sandbox.")
    return 0


def _create_user(args: argparse.Namespace) -> int:
    role = Role.ADMIN if args.admin else Role.USER
    user = do_create_user(
        actor=OPERATOR,
        email=args.email,
        password=args.password,
        display_name=args.name or "",
        role=role,
    )
    print(f"Created {user.role} {user.email} (id {user.id}).")
    return 0


def _user_id(email: str) -> int:
    user = user_by_email(email=email)
    if user is None:
        raise CommandError(f"No account with the email {email.strip()!r}.")
    return user.id


def _create_api_key(args: argparse.Namespace) -> int:
    raw_key = do_create_api_key(actor=OPERATOR, user_id=_user_id(args.email))
    print(f"API key for {normalise_email(args.email)} (shown once, store it now):")
    print(raw_key)
    return 0


def _grant_seat(args: argparse.Namespace) -> int:
    try:
        seat = parse_seat(args.seat)
    except ValueError as error:
        raise CommandError(str(error)) from None
    do_assign_seat(actor=OPERATOR, user_id=_user_id(args.email), seat=seat)
    print(f"{normalise_email(args.email)} now holds a {seat.label} seat.")
    return 0


def _deliver(args: argparse.Namespace) -> int:
    """Deliver the outbox (and queue due reminders): once, or until stopped."""
    if args.once:
        report = deliver_all()
        print(f"Delivered {report.sent}, to retry {report.retrying}, failed {report.failed}.")
        return 0
    pause_file = os.environ.get(PAUSE_AFTER_CLAIM)
    after_claim = (lambda items: _pause(pause_file, items)) if pause_file else None
    print("Delivering the outbox; stop with Ctrl-C.", flush=True)
    try:
        while True:
            run_one_pass(lease=timedelta(seconds=args.lease_seconds), after_claim=after_claim)
            time.sleep(args.poll_seconds)
    except KeyboardInterrupt:
        return 0


def _pause(path: str, items: Sequence[Any]) -> None:
    Path(path).write_text(" ".join(str(item.id) for item in items))
    while True:
        time.sleep(60)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m meetings_ui.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("seed-demo", help="create the demo workspace (idempotent)").set_defaults(
        handler=_seed_demo
    )
    commands.add_parser(
        "check-production", help="refuse to serve with development or demo settings"
    ).set_defaults(handler=_check_production)
    create_user = commands.add_parser("create-user", help="create an account")
    create_user.add_argument("--email", required=True)
    create_user.add_argument("--password", required=True)
    create_user.add_argument("--name", help="display name (default: the email's local part)")
    create_user.add_argument("--admin", action="store_true", help="give the admin role")
    create_user.set_defaults(handler=_create_user)
    api_key = commands.add_parser("create-api-key", help="create a REST API key (printed once)")
    api_key.add_argument("--email", required=True)
    api_key.set_defaults(handler=_create_api_key)
    grant = commands.add_parser("grant-seat", help="assign a licence seat, e.g. sales_pro")
    grant.add_argument("--email", required=True)
    grant.add_argument("--seat", required=True, help="hub_tier, e.g. sales_pro or cms_enterprise")
    grant.set_defaults(handler=_grant_seat)
    deliver = commands.add_parser(
        "deliver", help="deliver queued emails and calendar writes (also runs in the web server)"
    )
    deliver.add_argument("--once", action="store_true", help="deliver what is due, then stop")
    deliver.add_argument(
        "--poll-seconds", type=float, default=DELIVERY_POLL_SECONDS, help="wait between passes"
    )
    deliver.add_argument(
        "--lease-seconds",
        type=float,
        default=300,
        help="how long a claim lasts before another worker may take the row again",
    )
    deliver.set_defaults(handler=_deliver)
    commands.add_parser(
        "messages", help="bring the translation catalogues in step with the sources"
    ).set_defaults(handler=_messages)
    return parser


def _messages(_args: argparse.Namespace) -> int:
    for language, untranslated in i18n.update_catalogues().items():
        print(f"{language}: {untranslated} messages to translate")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.handler(args)
    except (CommandError, AccountError, ConfigurationError) as error:
        print(f"error: {error}", file=sys.stderr)
        return BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
