"""The rules of custom domains, without DNS: what a check concludes from the answers, and
how a domain's status follows from its checks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from meetings_ui.domain import custom_domains as rules
from meetings_ui.domain.custom_domains import Change, DomainState, Records, RecordType
from meetings_ui.domain.enums import DomainStatus

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
HOST, TARGET, TOKEN = "meet.acme.test", "app.meetings.test", "t0k3n"


def zone(records: dict[tuple[str, RecordType], tuple[str, ...]]) -> rules.Lookup:
    names = {name for name, _ in records}

    def lookup(name: str, kind: RecordType) -> Records:
        return Records(name in names, records.get((name, kind), ()))

    return lookup


def test_a_cname_chain_that_reaches_the_app_is_accepted() -> None:
    lookup = zone(
        {
            (f"_meetings-verify.{HOST}", RecordType.TXT): ("other", f"meetings-verify={TOKEN}"),
            (HOST, RecordType.CNAME): ("edge.cdn.test",),
            ("edge.cdn.test", RecordType.CNAME): (TARGET,),
        }
    )
    assert rules.check_records(HOST, TOKEN, TARGET, lookup) == []


def test_a_cname_loop_ends_with_a_reason() -> None:
    lookup = zone(
        {
            (f"_meetings-verify.{HOST}", RecordType.TXT): (f"meetings-verify={TOKEN}",),
            (HOST, RecordType.CNAME): ("a.test",),
            ("a.test", RecordType.CNAME): ("b.test",),
            ("b.test", RecordType.CNAME): ("a.test",),
        }
    )
    [problem] = rules.check_records(HOST, TOKEN, TARGET, lookup)
    assert problem == f"The CNAME record of {HOST} points to a.test, not to {TARGET}."


def state(status: DomainStatus, failed_checks: int = 0) -> DomainState:
    return DomainState(
        status, NOW if status == DomainStatus.VERIFIED else None, failed_checks, None, "", NOW
    )


@pytest.mark.parametrize("asked", [True, False])
def test_right_records_verify(asked: bool) -> None:
    after, change = rules.after_check(state(DomainStatus.PENDING), [], now=NOW, asked=asked)
    assert (after.status, after.verified_at, change) == (
        DomainStatus.VERIFIED,
        NOW,
        Change.VERIFIED,
    )
    assert after.next_check_at == NOW + rules.CHECK_VERIFIED_EVERY


def test_a_pending_domain_fails_only_when_an_admin_asks() -> None:
    scheduled, _ = rules.after_check(state(DomainStatus.PENDING), ["x"], now=NOW, asked=False)
    asked, _ = rules.after_check(state(DomainStatus.PENDING), ["x"], now=NOW, asked=True)
    assert (scheduled.status, asked.status) == (DomainStatus.PENDING, DomainStatus.FAILED)
    assert asked.failure_reason == "x"


def test_a_verified_domain_has_a_grace_of_some_failed_checks() -> None:
    current, moment = state(DomainStatus.VERIFIED), NOW
    for _ in range(rules.FAILURES_BEFORE_FAILED - 1):
        current, change = rules.after_check(current, ["gone"], now=moment, asked=True)
        assert (current.status, change) == (DomainStatus.VERIFIED, Change.NONE)
        assert current.failing_since == NOW
        moment += rules.RECHECK_AFTER_FAILURE
    current, change = rules.after_check(current, ["gone"], now=moment, asked=False)
    assert (current.status, current.verified_at, change) == (
        DomainStatus.FAILED,
        None,
        Change.STOPPED_RESOLVING,
    )
    back, change = rules.after_check(current, [], now=moment, asked=False)
    assert (back.status, back.failed_checks, back.failing_since, change) == (
        DomainStatus.VERIFIED,
        0,
        None,
        Change.RESOLVES_AGAIN,
    )
