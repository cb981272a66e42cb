"""The connect flow's one-time state, the calendar settings' rules, and IDOR refusals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import Session, select

from meetings_ui.config import get_settings
from meetings_ui.models import (
    Calendar,
    CalendarConnection,
    Domain,
    OAuthAttempt,
    Seat,
    User,
    utc_now,
)
from meetings_ui.services.calendar_connections import (
    ConnectError,
    ConnectionNotFoundError,
    do_begin_connect,
    do_complete_connect,
    do_disconnect,
    do_select_calendars,
)
from meetings_ui.services.calendar_settings import (
    InvalidCalendarSettingsError,
    available_domains,
    do_save_calendar_settings,
)
from meetings_ui.services.guard import ForbiddenError
from meetings_ui.services.links import do_create_link
from tests.sandbox import Sandbox, consent


@pytest.fixture
def app_sandbox(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    monkeypatch.setenv("MEETINGS_SANDBOX_URL", sandbox.url)
    get_settings.cache_clear()
    yield sandbox
    get_settings.cache_clear()


def make_user(session: Session, email: str, seats: tuple[tuple[str, str], ...] = ()) -> User:
    user = User(email=email, display_name=email.split("@")[0], meetings_url=email.split("@")[0])
    session.add(user)
    session.commit()
    for hub, tier in seats:
        session.add(Seat(user_id=user.id, hub=hub, tier=tier))
    session.commit()
    return user


def begin(session: Session, user: User) -> tuple[str, str]:
    url = do_begin_connect(session=session, actor=user, provider="google")
    state = parse_qs(urlsplit(url).query)["state"][0]
    return url, state


def test_the_state_is_stored_hashed_and_works_once(session: Session, app_sandbox: Sandbox) -> None:
    ana = make_user(session, "ana@example.com")
    url, state = begin(session, ana)
    attempt = session.exec(select(OAuthAttempt)).one()
    assert attempt.state_digest != state and "code_verifier" not in attempt.encrypted_flow
    params = consent_params(url)
    connection = do_complete_connect(
        session=session, provider="google", params=params, browser_user=ana
    )
    assert connection.account_email == "demo.google@example.com"
    with pytest.raises(ConnectError) as replay:
        do_complete_connect(session=session, provider="google", params=params, browser_user=ana)
    assert replay.value.code == "expired"


def consent_params(url: str) -> dict[str, str]:
    """What our callback receives after the person allows access on the consent page."""
    callback = get_settings().backend_url + "/oauth/google/callback"
    return consent(url, "demo.google@example.com", redirect_uri=callback)


def test_another_browser_cannot_finish_my_connection(
    session: Session, app_sandbox: Sandbox
) -> None:
    ana = make_user(session, "ana@example.com")
    mallory = make_user(session, "mallory@example.com")
    url, _ = begin(session, mallory)
    params = consent_params(url)
    with pytest.raises(ConnectError) as refused:
        do_complete_connect(session=session, provider="google", params=params, browser_user=ana)
    assert refused.value.code == "wrong_user"
    with pytest.raises(ConnectError):
        do_complete_connect(session=session, provider="google", params=params, browser_user=None)
    assert session.exec(select(CalendarConnection)).all() == []


def test_expired_or_foreign_states_are_refused(session: Session, app_sandbox: Sandbox) -> None:
    ana = make_user(session, "ana@example.com")
    url, _ = begin(session, ana)
    attempt = session.exec(select(OAuthAttempt)).one()
    attempt.created_at = utc_now() - timedelta(minutes=11)
    session.commit()
    with pytest.raises(ConnectError, match="expired"):
        do_complete_connect(
            session=session, provider="google", params=consent_params(url), browser_user=ana
        )
    with pytest.raises(ConnectError):
        do_complete_connect(
            session=session,
            provider="google",
            params={"state": "made-up", "code": "x"},
            browser_user=ana,
        )


def test_denied_consent_is_reported(session: Session, app_sandbox: Sandbox) -> None:
    ana = make_user(session, "ana@example.com")
    _, state = begin(session, ana)
    with pytest.raises(ConnectError) as denied:
        do_complete_connect(
            session=session,
            provider="google",
            params={"error": "access_denied", "state": state},
            browser_user=ana,
        )
    assert denied.value.code == "denied"


def test_only_the_owner_or_an_admin_changes_a_connection(
    session: Session, app_sandbox: Sandbox
) -> None:
    ana = make_user(session, "ana@example.com")
    eve = make_user(session, "eve@example.com")
    url, _ = begin(session, ana)
    connection = do_complete_connect(
        session=session, provider="google", params=consent_params(url), browser_user=ana
    )
    with pytest.raises(ForbiddenError):
        do_select_calendars(
            session=session, actor=eve, connection_id=connection.id, calendar_ids=[]
        )
    with pytest.raises(ForbiddenError):
        do_disconnect(session=session, actor=eve, connection_id=connection.id)
    with pytest.raises(ConnectionNotFoundError):  # S10: calendars this account cannot see
        do_select_calendars(
            session=session, actor=ana, connection_id=connection.id, calendar_ids=["ana-private@x"]
        )
    team = session.exec(select(Calendar).where(Calendar.name == "Team")).one()
    rows = do_select_calendars(
        session=session,
        actor=ana,
        connection_id=connection.id,
        calendar_ids=[team.provider_calendar_id],
    )
    assert {r.name for r in rows if r.selected} == {
        "demo.google@example.com",
        "Team",
    }  # primary always counts
    do_disconnect(session=session, actor=ana, connection_id=connection.id)
    assert session.exec(select(Calendar)).all() == []


def test_meetings_url_needs_a_sales_or_service_seat_and_must_be_free(session: Session) -> None:
    seller = make_user(session, "seller@example.com", (("service", "starter"),))
    plain = make_user(session, "plain@example.com")
    with pytest.raises(InvalidCalendarSettingsError, match="needs a Sales Hub"):
        do_save_calendar_settings(
            session=session,
            actor=plain,
            user_id=plain.id,
            meetings_url="new-plain",
            default_link_id=None,
            meeting_domain_id=None,
        )
    with pytest.raises(InvalidCalendarSettingsError) as taken:
        do_save_calendar_settings(
            session=session,
            actor=seller,
            user_id=seller.id,
            meetings_url="plain",
            default_link_id=None,
            meeting_domain_id=None,
        )
    assert taken.value.suggestions[0] == "plain-2"
    with pytest.raises(ForbiddenError):
        do_save_calendar_settings(
            session=session,
            actor=plain,
            user_id=seller.id,
            meetings_url="seller",
            default_link_id=None,
            meeting_domain_id=None,
        )
    saved = do_save_calendar_settings(
        session=session,
        actor=seller,
        user_id=seller.id,
        meetings_url="the-seller",
        default_link_id=None,
        meeting_domain_id=None,
    )
    assert saved.meetings_url == "the-seller"


def test_default_link_must_be_ones_own(session: Session) -> None:
    ana = make_user(session, "ana@example.com")
    bob = make_user(session, "bob@example.com")
    bobs = do_create_link(session=session, owner=bob, name="Bob's")
    with pytest.raises(InvalidCalendarSettingsError, match="your own"):
        do_save_calendar_settings(
            session=session,
            actor=ana,
            user_id=ana.id,
            meetings_url="ana",
            default_link_id=bobs.id,
            meeting_domain_id=None,
        )


def test_meeting_domain_only_verified_and_with_the_right_seat(session: Session) -> None:
    marketer = make_user(session, "mkt@example.com", (("marketing", "starter"),))
    cms_starter = make_user(session, "cms@example.com", (("sales", "pro"),))
    verified = Domain(host="meet.example.org", verified_at=utc_now())
    pending = Domain(host="pending.example.org")
    session.add_all([verified, pending])
    session.commit()
    assert [d.host for d in available_domains(session)] == [
        get_settings().app_domain,
        "meet.example.org",
    ]
    with pytest.raises(InvalidCalendarSettingsError, match="verified"):
        do_save_calendar_settings(
            session=session,
            actor=marketer,
            user_id=marketer.id,
            meetings_url="mkt",
            default_link_id=None,
            meeting_domain_id=pending.id,
        )
    with pytest.raises(InvalidCalendarSettingsError, match="Marketing Hub"):
        do_save_calendar_settings(
            session=session,
            actor=cms_starter,
            user_id=cms_starter.id,
            meetings_url="cms",
            default_link_id=None,
            meeting_domain_id=verified.id,
        )
    saved = do_save_calendar_settings(
        session=session,
        actor=marketer,
        user_id=marketer.id,
        meetings_url="mkt",
        default_link_id=None,
        meeting_domain_id=verified.id,
    )
    assert saved.meeting_domain_id == verified.id
    assert (
        do_create_link(session=session, owner=saved, name="On my domain").domain_id == verified.id
    )


def test_only_admins_list_every_connection(session: Session, app_sandbox: Sandbox) -> None:
    from meetings_ui.models import Role
    from meetings_ui.services.calendar_connections import do_list_connections

    ana = make_user(session, "ana@example.com")
    root = make_user(session, "root@example.com")
    root.role = Role.ADMIN
    session.commit()
    url, _ = begin(session, ana)
    do_complete_connect(
        session=session, provider="google", params=consent_params(url), browser_user=ana
    )
    with pytest.raises(ForbiddenError):
        do_list_connections(session=session, actor=ana)
    [row] = do_list_connections(session=session, actor=root, search="ANA@")
    assert (row.user_email, row.account_email, row.status) == (
        "ana@example.com",
        "demo.google@example.com",
        "connected",
    )
    assert row.selected_calendars == ("demo.google@example.com",)
    assert do_list_connections(session=session, actor=root, search="nobody") == []
