"""Operator commands: `python -m meetings_ui.cli <command>`."""

from __future__ import annotations

import argparse
import sys

from meetings_ui.config import get_settings
from meetings_ui.db import session_scope
from meetings_ui.services.demo import DEMO_ACCOUNTS, do_seed_demo_workspace


def _seed_demo(_args: argparse.Namespace) -> int:
    with session_scope() as session:
        do_seed_demo_workspace(session=session)
    print("Demo workspace ready. Demo accounts:")
    for account in DEMO_ACCOUNTS:
        print(f"  {account.role:<5}  {account.email}  password: {account.password}")
    if get_settings().uses_sandbox:
        print(
            "Calendar providers: the local sandbox (no real Google or Microsoft account is used)."
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m meetings_ui.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("seed-demo", help="create the demo workspace (idempotent)").set_defaults(
        handler=_seed_demo
    )
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
