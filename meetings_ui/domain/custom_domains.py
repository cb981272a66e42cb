"""Custom meeting domains (S12, S13): which names may be connected, the DNS records that
prove one is ours, what a check of those records concludes, and how a domain's status
follows from its checks. Pure Python: the DNS answers come in through a `Lookup`.

The records an admin creates at their DNS host:

- `TXT _meetings-verify.<host>` = `meetings-verify=<token>`: proves the workspace controls
  the name. It sits on a name of its own because the host itself carries a CNAME, and a
  name with a CNAME may have no other record.
- `CNAME <host>` = the app's host, so visitors of the domain reach this app. An apex
  domain (example.com) cannot have a CNAME: A/AAAA records equal to the addresses of the
  app's host are accepted instead.
"""

from __future__ import annotations

import enum
import ipaddress
import secrets
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

import idna

from meetings_ui.domain.enums import DomainStatus
from meetings_ui.domain.messages import Text

VERIFICATION_LABEL = "_meetings-verify"
VERIFICATION_PREFIX = "meetings-verify="
MAX_DOMAINS = 100  # per workspace: each is checked by the background loop
MAX_CNAME_HOPS = 8

# The background loop's schedule (services/domains.py).
CHECK_VERIFIED_EVERY = timedelta(hours=6)
RECHECK_AFTER_FAILURE = timedelta(minutes=30)  # a verified domain whose check just failed
FAILURES_BEFORE_FAILED = 3  # consecutive failed checks that mark a verified domain failed
CHECK_PENDING_EVERY = timedelta(minutes=15)  # found as soon as the records are created
CHECK_FAILED_EVERY = timedelta(hours=1)  # a failed domain that resolves again comes back


class HostNameError(ValueError):
    """The text is not a domain name that can be connected; the message says why."""


class RecordType(enum.StrEnum):
    TXT = "TXT"
    CNAME = "CNAME"
    A = "A"
    AAAA = "AAAA"


@dataclass(frozen=True)
class Records:
    """One DNS answer: whether the name exists at all (not NXDOMAIN), and the values of
    the asked type (TXT strings joined, names without their final dot, lower-case)."""

    exists: bool
    values: tuple[str, ...] = ()


class DnsUnansweredError(Exception):
    """The DNS server gave no usable answer (timeout, SERVFAIL); the message says which."""


Lookup = Callable[[str, RecordType], Records]


@dataclass(frozen=True)
class DnsRecord:
    """A record to create at the domain's DNS host, as DNS hosts' forms ask for it."""

    type: RecordType
    name: str
    value: str


def new_token() -> str:
    return secrets.token_hex(16)


def normalize_host(text: str, *, reserved: Collection[str] = ()) -> str:
    """The domain name as stored and looked up: lower-case ASCII (IDNA), no final dot.
    Refused: a URL (scheme, path, port), an IP address, localhost, a single label, a
    wildcard, and the `reserved` names (the app's own hosts)."""
    name = text.strip()
    if not name:
        raise HostNameError(Text("Enter the domain name, like meet.example.com."))
    if "://" in name or any(c in name for c in "/?#@:") or " " in name:
        raise HostNameError(
            Text("Enter only the domain name, like meet.example.com: no https://, path or port.")
        )
    name = name.rstrip(".")
    if "*" in name:
        raise HostNameError(Text("Wildcard domains cannot be connected: enter one domain name."))
    try:
        ipaddress.ip_address(name)
    except ValueError:
        pass
    else:
        raise HostNameError(Text("Enter a domain name, not an IP address."))
    try:
        host = idna.encode(name, uts46=True).decode("ascii").lower()
    except idna.IDNAError as error:
        raise HostNameError(
            Text("“{name}” is not a valid domain name ({error}).", name=text.strip(), error=error)
        ) from None
    labels = host.split(".")
    if len(labels) < 2 or not all(labels):
        raise HostNameError(Text("Enter a full domain name with a dot, like meet.example.com."))
    if labels[-1] == "localhost" or host == "localhost":
        raise HostNameError(Text("localhost cannot be reached by visitors: enter a public domain."))
    if labels[-1].isdigit():
        raise HostNameError(Text("Enter a domain name, not an IP address."))
    if len(host) > 253:
        raise HostNameError(Text("That domain name is longer than DNS allows (253 characters)."))
    if host in {r.lower().rstrip(".") for r in reserved}:
        raise HostNameError(
            Text("That is this app's own domain, which every link already uses: enter another one.")
        )
    return host


def display_name(host: str) -> str:
    """The name as people write it (Unicode labels), for a stored ASCII host."""
    try:
        return idna.decode(host)
    except idna.IDNAError:
        return host


def verification_name(host: str) -> str:
    return f"{VERIFICATION_LABEL}.{host}"


def records_to_create(host: str, token: str, target: str) -> tuple[DnsRecord, ...]:
    """The TXT record that proves ownership, and the CNAME that brings visitors here."""
    return (
        DnsRecord(RecordType.TXT, verification_name(host), f"{VERIFICATION_PREFIX}{token}"),
        DnsRecord(RecordType.CNAME, host, target),
    )


def check_records(host: str, token: str, target: str, lookup: Lookup) -> list[str]:
    """Ask DNS for the domain's records; what is wrong, in words (empty: all is right).
    Raises DnsUnansweredError when the DNS server cannot tell."""
    problems = []
    cnames = lookup(host, RecordType.CNAME)
    if not cnames.exists:
        return [
            Text(
                "The domain {host} does not exist in DNS (NXDOMAIN): check its spelling, "
                "and that it is registered.",
                host=host,
            )
        ]
    problems.extend(_txt_problems(host, token, lookup))
    problems.extend(_routing_problems(host, target, cnames, lookup))
    return problems


def _txt_problems(host: str, token: str, lookup: Lookup) -> list[str]:
    name = verification_name(host)
    expected = f"{VERIFICATION_PREFIX}{token}"
    values = lookup(name, RecordType.TXT).values
    if expected in values:
        return []
    if not values:
        return [Text("No TXT record found at {name}.", name=name)]
    ours = [v for v in values if v.startswith(VERIFICATION_PREFIX)]
    shown = ours[0] if ours else values[0]
    return [
        Text(
            "The TXT record at {name} is “{shown}”, but the token differs: expected “{expected}”.",
            name=name,
            shown=shown,
            expected=expected,
        )
    ]


def _routing_problems(host: str, target: str, cnames: Records, lookup: Lookup) -> list[str]:
    """The host must lead to the app: a CNAME (chain) reaching `target`, or, for an apex
    domain, A/AAAA records that are all addresses of `target`."""
    if cnames.values:
        chain, name = [], cnames.values[0]
        while name != target and name not in chain and len(chain) < MAX_CNAME_HOPS:
            chain.append(name)
            following = lookup(name, RecordType.CNAME).values
            if not following:
                break
            name = following[0]
        if name == target:
            return []
        return [
            Text(
                "The CNAME record of {host} points to {found}, not to {target}.",
                host=host,
                found=cnames.values[0],
                target=target,
            )
        ]
    addresses = _addresses(host, lookup)
    if not addresses:
        return [
            Text(
                "No CNAME record found for {host}: create one pointing to {target}.",
                host=host,
                target=target,
            )
        ]
    expected = _target_addresses(target, lookup)
    if addresses <= expected:
        return []
    return [
        Text(
            "No CNAME record found for {host}, and its addresses ({addresses}) are not those "
            "of {target}: create a CNAME pointing to {target}.",
            host=host,
            addresses=", ".join(sorted(addresses)),
            target=target,
        )
    ]


def _addresses(name: str, lookup: Lookup) -> set[str]:
    return {a for kind in (RecordType.A, RecordType.AAAA) for a in lookup(name, kind).values}


def _target_addresses(target: str, lookup: Lookup) -> set[str]:
    try:
        return {str(ipaddress.ip_address(target))}
    except ValueError:
        return _addresses(target, lookup)


@dataclass(frozen=True)
class DomainState:
    status: DomainStatus
    verified_at: datetime | None
    failed_checks: int
    failing_since: datetime | None
    failure_reason: str
    next_check_at: datetime


class Change(enum.StrEnum):
    """What a check changed that people are told about."""

    NONE = "none"
    VERIFIED = "verified"  # pending or failed (never broken after working) -> verified
    STOPPED_RESOLVING = "stopped_resolving"  # verified -> failed, after its grace
    RESOLVES_AGAIN = "resolves_again"  # failed after working -> verified


def after_check(
    state: DomainState, problems: list[str], *, now: datetime, asked: bool
) -> tuple[DomainState, Change]:
    """A domain's state after a check (`asked`: an admin pressed Verify). Right records
    verify it. Wrong ones fail a pending or failed domain at once when asked for (the
    admin sees why), and otherwise keep it pending; a verified domain keeps working until
    FAILURES_BEFORE_FAILED checks in a row have failed, so one DNS hiccup breaks no link."""
    status = DomainStatus(state.status)
    if not problems:
        change = Change.NONE
        if status != DomainStatus.VERIFIED:
            change = Change.RESOLVES_AGAIN if state.failing_since else Change.VERIFIED
        return DomainState(
            DomainStatus.VERIFIED,
            state.verified_at if status == DomainStatus.VERIFIED else now,
            0,
            None,
            "",
            now + CHECK_VERIFIED_EVERY,
        ), change
    reason = " ".join(problems)
    failed_checks = state.failed_checks + 1
    if status == DomainStatus.VERIFIED:
        if failed_checks < FAILURES_BEFORE_FAILED:
            return DomainState(
                status,
                state.verified_at,
                failed_checks,
                state.failing_since or now,
                reason,
                now + RECHECK_AFTER_FAILURE,
            ), Change.NONE
        return DomainState(
            DomainStatus.FAILED,
            None,
            failed_checks,
            state.failing_since or now,
            reason,
            now + CHECK_FAILED_EVERY,
        ), Change.STOPPED_RESOLVING
    if status == DomainStatus.PENDING and not asked:
        return DomainState(
            status, None, failed_checks, None, reason, now + CHECK_PENDING_EVERY
        ), Change.NONE
    return DomainState(
        DomainStatus.FAILED,
        None,
        failed_checks,
        state.failing_since,
        reason,
        now + CHECK_FAILED_EVERY,
    ), Change.NONE
