"""The domain manager (S12, S13): adding, verifying against a real DNS server the test
controls, the background checks, removing; admins only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from meetings_ui.domain import custom_domains as rules
from meetings_ui.domain.enums import DomainStatus
from meetings_ui.models import AuditEvent, Domain, MeetingLink, OutboxItem, Seat, User, utc_now
from meetings_ui.services import domains
from meetings_ui.services.calendar_settings import (
    InvalidCalendarSettingsError,
    calendar_settings_of,
    do_save_calendar_settings,
)
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.services.links import do_create_link
from tests.conftest import BACKENDS, downgrade, make_empty_database, migrate
from tests.dns_server import DnsServer

TARGET = "app.meetings.test"
HOST = "meet.acme.test"


@pytest.fixture(autouse=True)
def target(env: Callable[..., None], dns_server: DnsServer, app_database: str) -> None:
    env(MEETINGS_DOMAIN_TARGET=TARGET, MEETINGS_APP_URL="https://app.meetings.test")


def publish(server: DnsServer, domain: Domain | domains.DomainView) -> None:
    """The records the domain manager asks for, as an admin would create them."""
    if isinstance(domain, Domain):
        txt, cname = rules.records_to_create(domain.host, domain.verification_token, TARGET)
    else:
        txt, cname = domain.records
    server.add(txt.name, "TXT", txt.value)
    server.add(cname.name, "CNAME", cname.value)
    server.add(TARGET, "A", "203.0.113.7")


def outbox(session: Session) -> list[tuple[str, str]]:
    session.expire_all()
    rows = session.exec(select(OutboxItem).order_by(OutboxItem.id)).all()
    return [(row.recipient, row.summary) for row in rows]


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", "Enter the domain name"),
        ("https://meet.acme.test", "no https://"),
        ("meet.acme.test/booking", "no https://"),
        ("meet.acme.test:8443", "no https://"),
        ("192.0.2.10", "not an IP address"),
        ("localhost", "full domain name"),
        ("book.localhost", "localhost cannot"),
        ("intranet", "full domain name"),
        ("*.acme.test", "Wildcard"),
        ("meet..acme.test", "not a valid domain name"),
        ("bad_name!.acme.test", "not a valid domain name"),
        ("x" * 64 + ".acme.test", "not a valid domain name"),
        ("APP.meetings.test", "this app's own domain"),
    ],
)
def test_a_domain_name_is_validated(session: Session, admin: User, typed: str, problem: str):
    with pytest.raises(domains.InvalidDomainError, match=problem):
        domains.do_add_domain(session=session, actor=admin, host=typed)
    assert session.exec(select(Domain)).all() == []
    assert problem in domains.check_domain_name(session=session, actor=admin, host=typed)


def test_names_are_stored_lower_case_ascii_once(session: Session, admin: User) -> None:
    added = domains.do_add_domain(session=session, actor=admin, host="  Meet.ACME.test. ")
    assert (added.host, added.status) == (HOST, DomainStatus.PENDING)
    txt, cname = added.records
    assert (txt.type, txt.name, cname.type, cname.name, cname.value) == (
        "TXT",
        f"_meetings-verify.{HOST}",
        "CNAME",
        HOST,
        TARGET,
    )
    assert txt.value.startswith("meetings-verify=") and len(txt.value) > 30
    with pytest.raises(domains.InvalidDomainError, match="already connected"):
        domains.do_add_domain(session=session, actor=admin, host="meet.acme.TEST")
    assert domains.check_domain_name(session=session, actor=admin, host="meet.acme.TEST") == (
        f"{HOST} is already connected."
    )
    assert domains.check_domain_name(session=session, actor=admin, host="new.acme.test") == ""
    unicode = domains.do_add_domain(session=session, actor=admin, host="Bücher.acme.test")
    assert (unicode.host, unicode.name) == ("xn--bcher-kva.acme.test", "bücher.acme.test")
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.action.like("domain.%")))
    assert list(actions) == ["domain.add"] * 2


def test_a_workspace_has_a_limit(
    session: Session, admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rules, "MAX_DOMAINS", 2)
    for name in ("a.acme.test", "b.acme.test"):
        domains.do_add_domain(session=session, actor=admin, host=name)
    with pytest.raises(domains.InvalidDomainError, match="up to 2 domains"):
        domains.do_add_domain(session=session, actor=admin, host="c.acme.test")


def test_only_admins_manage_domains(session: Session, admin: User, alice: User) -> None:
    added = domains.do_add_domain(session=session, actor=admin, host=HOST)
    with pytest.raises(ForbiddenError):
        domains.do_list_domains(session=session, actor=alice)
    with pytest.raises(ForbiddenError):
        domains.check_domain_name(session=session, actor=alice, host="evil.acme.test")
    with pytest.raises(ForbiddenError):
        domains.do_add_domain(session=session, actor=alice, host="evil.acme.test")
    with pytest.raises(ForbiddenError):
        domains.do_verify_domain(session=session, actor=alice, domain_id=added.id)
    with pytest.raises(ForbiddenError):
        domains.do_remove_domain(session=session, actor=alice, domain_id=added.id)
    session.expire_all()
    assert [d.host for d in session.exec(select(Domain))] == [HOST]


def test_verified_with_the_right_records(
    session: Session, admin: User, dns_server: DnsServer
) -> None:
    added = domains.do_add_domain(session=session, actor=admin, host=HOST)
    publish(dns_server, added)
    verified = domains.do_verify_domain(session=session, actor=admin, domain_id=added.id)
    assert (verified.status, verified.failure_reason) == (DomainStatus.VERIFIED, "")
    assert verified.verified_at is not None
    assert (f"_meetings-verify.{HOST}", "TXT") in dns_server.queries  # really asked
    offered = calendar_settings_of(session=session, actor=admin).domains
    assert [d.label for d in offered][1:] == [HOST]


@pytest.mark.parametrize(
    ("records", "reason"),
    [
        (
            {
                ("_meetings-verify." + HOST, "TXT"): ["meetings-verify=not-the-token"],
                (HOST, "CNAME"): [TARGET],
            },
            "the token differs",
        ),
        ({(HOST, "AAAA"): []}, "No TXT record found at _meetings-verify.meet.acme.test."),
        ({(HOST, "AAAA"): []}, f"No CNAME record found for {HOST}: create one pointing to"),
        ({(HOST, "CNAME"): ["elsewhere.example.net"]}, "points to elsewhere.example.net, not"),
        ({(HOST, "A"): ["198.51.100.1"]}, "(198.51.100.1) are not those of app.meetings.test"),
        ({}, "does not exist in DNS (NXDOMAIN)"),
    ],
)
def test_wrong_records_fail_with_the_reason_in_words(
    session: Session, admin: User, dns_server: DnsServer, records: dict, reason: str
) -> None:
    added = domains.do_add_domain(session=session, actor=admin, host=HOST)
    for (name, kind), values in records.items():
        dns_server.records[(name, kind)] = values
    failed = domains.do_verify_domain(session=session, actor=admin, domain_id=added.id)
    assert failed.status == DomainStatus.FAILED
    assert reason in failed.failure_reason
    assert failed.verified_at is None
    assert [d.id for d in calendar_settings_of(session=session, actor=admin).domains] == [None]


def test_an_apex_domain_may_use_the_apps_addresses(
    session: Session, admin: User, dns_server: DnsServer
) -> None:
    added = domains.do_add_domain(session=session, actor=admin, host="acme.test")
    dns_server.add("_meetings-verify.acme.test", "TXT", added.records[0].value)
    dns_server.add("acme.test", "A", "203.0.113.7")
    dns_server.add(TARGET, "A", "203.0.113.7", "203.0.113.8")
    verified = domains.do_verify_domain(session=session, actor=admin, domain_id=added.id)
    assert verified.status == DomainStatus.VERIFIED


def test_a_dns_server_that_does_not_answer_is_a_timeout(
    session: Session, admin: User, dns_server: DnsServer
) -> None:
    added = domains.do_add_domain(session=session, actor=admin, host=HOST)
    publish(dns_server, added)
    dns_server.silent = True
    failed = domains.do_verify_domain(session=session, actor=admin, domain_id=added.id)
    assert failed.status == DomainStatus.FAILED
    assert "The DNS server did not answer in time" in failed.failure_reason
    dns_server.silent = False
    again = domains.do_verify_domain(session=session, actor=admin, domain_id=added.id)
    assert again.status == DomainStatus.VERIFIED


def test_a_failing_dns_server_is_said_so(
    session: Session, admin: User, dns_server: DnsServer
) -> None:
    added = domains.do_add_domain(session=session, actor=admin, host=HOST)
    dns_server.failing = True
    failed = domains.do_verify_domain(session=session, actor=admin, domain_id=added.id)
    assert failed.status == DomainStatus.FAILED
    assert "The DNS servers could not answer for meet.acme.test (SERVFAIL" in failed.failure_reason


def marketer(session: Session, email: str) -> User:
    user = User(email=email, display_name=email.split("@")[0], meetings_url=email.split("@")[0])
    session.add(user)
    session.commit()
    session.add(Seat(user_id=user.id, hub="marketing", tier="starter"))
    session.commit()
    return user


def test_a_domain_that_stops_resolving_is_failed_and_people_are_told(
    session: Session, admin: User, dns_server: DnsServer
) -> None:
    added = domains.do_add_domain(session=session, actor=admin, host=HOST)
    publish(dns_server, added)
    domains.do_verify_domain(session=session, actor=admin, domain_id=added.id)
    ana = marketer(session, "ana@example.com")
    do_save_calendar_settings(
        session=session,
        actor=ana,
        user_id=ana.id,
        meetings_url="ana",
        default_link_id=None,
        meeting_domain_id=added.id,
    )
    link = do_create_link(session=session, owner=session.get(User, ana.id), name="Demo")
    assert link.domain_id == added.id
    start = len(outbox(session))

    dns_server.clear()  # the records are gone
    now = utc_now()
    assert domains.check_due(now=now) == 0  # not due before 6 hours
    moment = now + rules.CHECK_VERIFIED_EVERY
    for check in range(1, rules.FAILURES_BEFORE_FAILED):
        assert domains.check_due(now=moment) == 1
        session.expire_all()
        domain = session.get(Domain, added.id)
        assert (domain.status, domain.failed_checks) == (DomainStatus.VERIFIED, check)
        assert "does not exist" in domain.failure_reason
        moment += rules.RECHECK_AFTER_FAILURE
    assert outbox(session)[start:] == []  # one hiccup tells nobody
    assert domains.check_due(now=moment) == 1
    session.expire_all()
    domain = session.get(Domain, added.id)
    assert (domain.status, domain.verified_at) == (DomainStatus.FAILED, None)
    told = outbox(session)[start:]
    assert sorted(told) == [
        ("admin@example.com", f"The domain {HOST} stopped working"),
        ("ana@example.com", f"The domain {HOST} stopped working"),
    ]
    assert [d.id for d in calendar_settings_of(session=session, actor=ana).domains] == [None]
    meanwhile = do_create_link(session=session, owner=session.get(User, ana.id), name="Later")
    assert meanwhile.domain_id is None  # a failing domain takes no new links
    bob = marketer(session, "bob@example.com")
    with pytest.raises(InvalidCalendarSettingsError, match="verified"):
        do_save_calendar_settings(
            session=session,
            actor=bob,
            user_id=bob.id,
            meetings_url="bob",
            default_link_id=None,
            meeting_domain_id=added.id,
        )

    publish(dns_server, domain)  # fixed: back on the next hourly check
    assert domains.check_due(now=moment + rules.CHECK_FAILED_EVERY) == 1
    session.expire_all()
    assert session.get(Domain, added.id).status == DomainStatus.VERIFIED
    assert ("ana@example.com", f"The domain {HOST} works again") in outbox(session)
    actions = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions.count("domain.check") == 2


def test_a_pending_domain_is_verified_once_its_records_appear(
    session: Session, admin: User, dns_server: DnsServer
) -> None:
    added = domains.do_add_domain(session=session, actor=admin, host=HOST)
    moment = utc_now() + rules.CHECK_PENDING_EVERY
    assert domains.check_due(now=moment) == 1
    session.expire_all()
    domain = session.get(Domain, added.id)
    assert domain.status == DomainStatus.PENDING  # not failed: nobody asked yet
    assert "does not exist" in domain.failure_reason
    publish(dns_server, domain)
    assert domains.check_due(now=moment + rules.CHECK_PENDING_EVERY) == 1
    session.expire_all()
    assert session.get(Domain, added.id).status == DomainStatus.VERIFIED


def test_removing_a_domain_moves_its_links_and_tells_their_hosts(
    session: Session, admin: User, dns_server: DnsServer
) -> None:
    added = domains.do_add_domain(session=session, actor=admin, host=HOST)
    other = domains.do_add_domain(session=session, actor=admin, host="other.acme.test")
    publish(dns_server, added)
    domains.do_verify_domain(session=session, actor=admin, domain_id=added.id)
    ana = marketer(session, "ana@example.com")
    ana.meeting_domain_id = added.id
    session.commit()
    link = do_create_link(session=session, owner=ana, name="Demo")
    kept = MeetingLink(owner_id=admin.id, name="Kept", slug="kept", domain_id=other.id)
    session.add(kept)
    session.commit()
    assert domains.do_list_domains(session=session, actor=admin).domains[0].links == 1
    start = len(outbox(session))

    removed = domains.do_remove_domain(session=session, actor=admin, domain_id=added.id)
    assert (removed.host, removed.links_moved, removed.hosts_told) == (HOST, 1, 1)
    session.expire_all()
    assert session.get(Domain, added.id) is None
    assert session.get(MeetingLink, link.id).domain_id is None
    assert session.get(MeetingLink, kept.id).domain_id == other.id
    assert session.get(User, ana.id).meeting_domain_id is None
    [(to, subject)] = outbox(session)[start:]
    assert (to, subject.startswith(f"Your meeting links moved from {HOST}")) == (
        "ana@example.com",
        True,
    )
    mail = session.exec(select(OutboxItem).order_by(OutboxItem.id.desc())).first()
    assert f"/meetings/{link.slug}" in mail.payload["text"]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "domain.remove")).one()
    assert event.details == {"links_moved": 1, "hosts_told": 1}
    with pytest.raises(domains.DomainNotFoundError):
        domains.do_remove_domain(session=session, actor=admin, domain_id=added.id)


def test_the_list_pages_on_the_server(session: Session, admin: User) -> None:
    for number in range(domains.PAGE_SIZE + 3):
        session.add(Domain(host=f"d{number:02d}.acme.test"))
    session.commit()
    first = domains.do_list_domains(session=session, actor=admin)
    second = domains.do_list_domains(session=session, actor=admin, page=2)
    assert (len(first.domains), first.pages, first.total) == (domains.PAGE_SIZE, 2, 23)
    assert [d.host for d in second.domains] == ["d20.acme.test", "d21.acme.test", "d22.acme.test"]
    assert domains.do_list_domains(session=session, actor=admin, page=9).page == 2


def test_an_inactive_admin_is_refused(session: Session, admin: User) -> None:
    admin.is_active = False
    session.commit()
    with pytest.raises(ForbiddenError):
        domains.do_list_domains(session=session, actor=admin)


@pytest.mark.parametrize("backend", BACKENDS)
def test_existing_domains_carry_over(backend: str, tmp_path) -> None:
    url, drop = make_empty_database(backend, tmp_path)
    migrate(url, "7d4e5f6a7b82")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for host, verified in (("old.acme.test", utc_now()), ("new.acme.test", None)):
            connection.execute(
                sa.text(
                    "INSERT INTO domain (host, verified_at, created_at) "
                    "VALUES (:host, :verified, :now)"
                ),
                {"host": host, "verified": verified, "now": utc_now()},
            )
    migrate(url)
    with Session(engine) as session:
        rows = {d.host: d for d in session.exec(select(Domain))}
        assert rows["old.acme.test"].status == DomainStatus.VERIFIED
        assert rows["new.acme.test"].status == DomainStatus.PENDING
        tokens = {d.verification_token for d in rows.values()}
        assert len(tokens) == 2 and all(len(t) == 32 for t in tokens)
        assert all(d.next_check_at > utc_now() - timedelta(minutes=1) for d in rows.values())
    downgrade(url, "7d4e5f6a7b82")
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM domain")).scalar() == 2
    engine.dispose()
    drop()
