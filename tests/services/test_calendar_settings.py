"""The connect flow's one-time state, the calendar settings' rules, and IDOR refusals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import Session, select

from meetings_ui.config import get_settings
from meetings_ui.domain.enums import ConnectionStatus, Provider, Role
from meetings_ui.domain.slugs import slug_from_text
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
    do_begin_connect,
    do_complete_connect,
    do_disconnect,
    do_list_connections,
)
from meetings_ui.services.calendar_settings import (
    CalendarSettingsView,
    InvalidCalendarSettingsError,
    calendar_settings_of,
    check_meetings_url,
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
    name = email.split("@")[0]
    user = User(email=email, display_name=name, meetings_url=slug_from_text(name))
    session.add(user)
    session.commit()
    for hub, tier in seats:
        session.add(Seat(user_id=user.id, hub=hub, tier=tier))
    session.commit()
    return user


def begin(session: Session, user: User) -> tuple[str, str]:
    url = do_begin_connect(session=session, actor=user, provider=Provider.GOOGLE)
    state = parse_qs(urlsplit(url).query)["state"][0]
    return url, state


def test_the_state_is_stored_hashed_and_works_once(session: Session, app_sandbox: Sandbox) -> None:
    ana = make_user(session, "ana@example.com")
    url, state = begin(session, ana)
    attempt = session.exec(select(OAuthAttempt)).one()
    assert attempt.state_digest != state and "code_verifier" not in attempt.encrypted_flow
    params = consent_params(url)
    connection = do_complete_connect(
        session=session, provider=Provider.GOOGLE, params=params, browser_user=ana
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


def test_an_unticked_calendar_permission_connects_nothing_and_says_what_to_tick(
    session: Session, app_sandbox: Sandbox
) -> None:
    """Google's granular consent lets the person untick a permission and still allow: the
    connection then fails with what to tick, and nothing half-working is stored (nor is
    a working connection of the same account changed)."""
    ana = make_user(session, "ana@example.com")
    callback = get_settings().backend_url + "/oauth/google/callback"
    events = "https://www.googleapis.com/auth/calendar.events.owned"
    url, _ = begin(session, ana)
    params = consent(url, "demo.google@example.com", redirect_uri=callback, untick=(events,))
    with pytest.raises(ConnectError) as refused:
        do_complete_connect(session=session, provider="google", params=params, browser_user=ana)
    assert refused.value.code == "missing_permissions"
    assert "needs permission to see and edit your calendars" in str(refused.value)
    assert "tick every calendar box" in str(refused.value)
    assert session.exec(select(CalendarConnection)).all() == []
    assert session.exec(select(Calendar)).all() == []

    url, _ = begin(session, ana)
    connection = do_complete_connect(
        session=session, provider="google", params=consent_params(url), browser_user=ana
    )
    saved = (connection.encrypted_token, connection.scopes)
    assert events in connection.scopes.split()
    url, _ = begin(session, ana)
    params = consent(url, "demo.google@example.com", redirect_uri=callback, untick=(events,))
    with pytest.raises(ConnectError):
        do_complete_connect(session=session, provider="google", params=params, browser_user=ana)
    session.refresh(connection)
    assert (connection.encrypted_token, connection.scopes) == saved


def save(session: Session, actor: User, user: User, **form: object) -> CalendarSettingsView:
    """Save `user`'s calendar settings as `actor`: what `form` leaves out stays as saved."""
    current = {
        "meetings_url": user.meetings_url or "",
        "default_link_id": user.default_link_id,
        "meeting_domain_id": user.meeting_domain_id,
    }
    return do_save_calendar_settings(
        session=session, actor=actor, user_id=user.id, **(current | form)
    )


def connected(session: Session, user: User, app_sandbox: Sandbox) -> CalendarConnection:
    url, _ = begin(session, user)
    return do_complete_connect(
        session=session, provider=Provider.GOOGLE, params=consent_params(url), browser_user=user
    )


def test_only_the_owner_or_an_admin_changes_a_connection(
    session: Session, app_sandbox: Sandbox
) -> None:
    ana = make_user(session, "ana@example.com")
    eve = make_user(session, "eve@example.com")
    connection = connected(session, ana, app_sandbox)
    with pytest.raises(ForbiddenError):
        save(session, eve, ana, selected_calendars={connection.id: []})
    with pytest.raises(InvalidCalendarSettingsError, match="no longer connected"):
        save(session, eve, eve, selected_calendars={connection.id: []})  # not her account
    with pytest.raises(ForbiddenError):
        do_disconnect(session=session, actor=eve, connection_id=connection.id)
    with pytest.raises(InvalidCalendarSettingsError, match="connected accounts"):  # S10
        save(session, ana, ana, selected_calendars={connection.id: ["ana-private@x"]})
    team = session.exec(select(Calendar).where(Calendar.name == "Team")).one()
    view = save(session, ana, ana, selected_calendars={connection.id: [team.provider_calendar_id]})
    assert {c.name for c in view.calendars if c.selected} == {
        "demo.google@example.com",
        "Team",
    }  # primary always counts
    view = save(session, ana, ana, selected_calendars={connection.id: []})
    assert {c.name for c in view.calendars if c.selected} == {"demo.google@example.com"}
    do_disconnect(session=session, actor=ana, connection_id=connection.id)
    assert session.exec(select(Calendar)).all() == []


def test_the_page_is_one_view_of_the_saved_settings(session: Session, app_sandbox: Sandbox) -> None:
    ana = make_user(session, "ana@example.com", (("sales", "starter"),))
    connection = connected(session, ana, app_sandbox)
    link = do_create_link(session=session, owner=ana, name="Intro call")
    view = calendar_settings_of(session=session, actor=ana)
    assert view.meetings_url == "ana" and view.url_lock.allowed
    assert not view.domain_lock.allowed
    assert [(c.id, c.provider, c.status) for c in view.connections] == [
        (connection.id, Provider.GOOGLE, ConnectionStatus.CONNECTED)
    ]
    assert view.calendars[0].is_primary and view.calendars[0].selected
    assert [c.name for c in view.calendars if c.busy_times_only] == ["ana.colleague@example.com"]
    assert [(choice.id, choice.label) for choice in view.links] == [(link.id, "Intro call")]
    assert view.providers == (Provider.GOOGLE, Provider.MICROSOFT)  # both, through the sandbox
    assert view.sandboxed == (Provider.GOOGLE, Provider.MICROSOFT)


@pytest.fixture
def sandbox_off(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.delenv("MEETINGS_SANDBOX")
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_without_the_sandbox_only_configured_providers_are_offered(
    session: Session, sandbox_off: pytest.MonkeyPatch
) -> None:
    """The attack: a Google-only deployment offered Office 365 through the sandbox. Now a
    provider without credentials is neither listed nor startable."""
    ana = make_user(session, "ana@example.com")
    view = calendar_settings_of(session=session, actor=ana)
    assert view.providers == () and view.sandboxed == ()
    for provider in Provider:
        with pytest.raises(ConnectError) as refused:
            do_begin_connect(session=session, actor=ana, provider=provider)
        assert refused.value.code == "not_offered"

    sandbox_off.setenv("GOOGLE_CLIENT_ID", "real-client")
    sandbox_off.setenv("GOOGLE_CLIENT_SECRET", "real-secret")
    get_settings.cache_clear()
    view = calendar_settings_of(session=session, actor=ana)
    assert view.providers == (Provider.GOOGLE,) and view.sandboxed == ()
    url = do_begin_connect(session=session, actor=ana, provider=Provider.GOOGLE)
    assert url.startswith("https://accounts.google.com/")  # the real Google, no sandbox
    with pytest.raises(ConnectError) as refused:
        do_begin_connect(session=session, actor=ana, provider=Provider.MICROSOFT)
    assert refused.value.code == "not_offered"
    assert session.exec(select(OAuthAttempt)).one().provider == Provider.GOOGLE


def test_meetings_url_is_checked_as_the_host_types(session: Session) -> None:
    make_user(session, "taken@example.com")
    ana = make_user(session, "ana@example.com", (("sales", "starter"),))
    assert check_meetings_url(session=session, actor=ana, candidate="ana").problems == ()
    assert (
        "lower-case"
        in check_meetings_url(session=session, actor=ana, candidate="Bad URL!").problems[0]
    )
    taken = check_meetings_url(session=session, actor=ana, candidate="taken")
    assert taken.problems == ("“taken” is already used by someone else.",)
    assert taken.suggestions[0] == "taken-2"


def test_a_refused_meetings_url_saves_nothing_else(
    session: Session, app_sandbox: Sandbox, app_database: str
) -> None:
    """One use case, one transaction: the calendar selection, the default link and the
    meeting domain are not saved when the Meetings URL is refused (and the other way)."""
    make_user(session, "taken@example.com")
    ana = make_user(session, "ana@example.com", (("sales", "starter"), ("marketing", "pro")))
    connection = connected(session, ana, app_sandbox)
    link = do_create_link(session=session, owner=ana, name="Intro call")
    domain = Domain(host="meet.example.org", verified_at=utc_now())
    session.add(domain)
    session.commit()
    team = session.exec(select(Calendar).where(Calendar.name == "Team")).one()
    form = {
        "user_id": ana.id,
        "default_link_id": link.id,
        "meeting_domain_id": domain.id,
        "selected_calendars": {connection.id: [team.provider_calendar_id]},
    }
    before = calendar_settings_of(session=session, actor=ana)

    with pytest.raises(InvalidCalendarSettingsError) as refused:
        # No session passed: the use case runs in its own transaction, as for the page.
        do_save_calendar_settings(actor=ana, meetings_url="taken", **form)
    assert [field for field, _ in refused.value.problems] == ["Meetings URL"]
    session.expire_all()
    assert calendar_settings_of(session=session, actor=ana) == before

    with pytest.raises(InvalidCalendarSettingsError) as refused:
        do_save_calendar_settings(
            actor=ana,
            meetings_url="ana-new",
            **(form | {"selected_calendars": {connection.id: ["not-this-account@x"]}}),
        )
    assert [field for field, _ in refused.value.problems] == ["Selected calendars"]
    session.expire_all()
    assert calendar_settings_of(session=session, actor=ana) == before

    saved = do_save_calendar_settings(actor=ana, meetings_url="ana-new", **form)
    session.expire_all()
    assert calendar_settings_of(session=session, actor=ana) == saved
    assert (saved.meetings_url, saved.default_link_id, saved.meeting_domain_id) == (
        "ana-new",
        link.id,
        domain.id,
    )
    assert {c.name for c in saved.calendars if c.selected} == {"demo.google@example.com", "Team"}


def test_meetings_url_needs_a_sales_or_service_seat_and_must_be_free(session: Session) -> None:
    seller = make_user(session, "seller@example.com", (("service", "starter"),))
    plain = make_user(session, "plain@example.com")
    with pytest.raises(InvalidCalendarSettingsError, match="needs a Sales Hub"):
        save(session, plain, plain, meetings_url="new-plain")
    with pytest.raises(InvalidCalendarSettingsError) as taken:
        save(session, seller, seller, meetings_url="plain")
    assert taken.value.suggestions[0] == "plain-2"
    with pytest.raises(ForbiddenError):
        save(session, plain, seller, meetings_url="seller")
    assert save(session, seller, seller, meetings_url="the-seller").meetings_url == "the-seller"


def test_default_link_must_be_ones_own(session: Session) -> None:
    ana = make_user(session, "ana@example.com")
    bob = make_user(session, "bob@example.com")
    bobs = do_create_link(session=session, owner=bob, name="Bob's")
    with pytest.raises(InvalidCalendarSettingsError, match="your own"):
        save(session, ana, ana, default_link_id=bobs.id)


def test_meeting_domain_only_verified_and_with_the_right_seat(session: Session) -> None:
    marketer = make_user(session, "mkt@example.com", (("marketing", "starter"),))
    cms_starter = make_user(session, "cms@example.com", (("sales", "pro"),))
    verified = Domain(host="meet.example.org", verified_at=utc_now())
    pending = Domain(host="pending.example.org")
    session.add_all([verified, pending])
    session.commit()
    assert [d.label for d in calendar_settings_of(session=session, actor=marketer).domains] == [
        get_settings().app_domain,
        "meet.example.org",
    ]
    with pytest.raises(InvalidCalendarSettingsError, match="verified"):
        save(session, marketer, marketer, meeting_domain_id=pending.id)
    with pytest.raises(InvalidCalendarSettingsError, match="Marketing Hub"):
        save(session, cms_starter, cms_starter, meeting_domain_id=verified.id)
    saved = save(session, marketer, marketer, meeting_domain_id=verified.id)
    assert saved.meeting_domain_id == verified.id
    session.expire_all()
    owner = session.get(User, marketer.id)
    assert (
        do_create_link(session=session, owner=owner, name="On my domain").domain_id == verified.id
    )


def test_only_admins_list_every_connection(session: Session, app_sandbox: Sandbox) -> None:
    ana = make_user(session, "ana@example.com")
    bob = make_user(session, "bob_100%@example.com")
    root = make_user(session, "root@example.com")
    root.role = Role.ADMIN
    session.commit()
    connected(session, ana, app_sandbox)
    with pytest.raises(ForbiddenError):
        do_list_connections(session=session, actor=ana)
    [row] = do_list_connections(session=session, actor=root, search="ANA@")
    assert (row.user_email, row.account_email, row.status, row.provider) == (
        "ana@example.com",
        "demo.google@example.com",
        ConnectionStatus.CONNECTED,
        Provider.GOOGLE,
    )
    assert row.selected_calendars == ("demo.google@example.com",)
    assert do_list_connections(session=session, actor=root, search="nobody") == []
    connected(session, bob, app_sandbox)
    # A search for "_" or "%" is literal, not a LIKE wildcard.
    assert [
        r.user_email for r in do_list_connections(session=session, actor=root, search="_1")
    ] == [bob.email]
    assert len(do_list_connections(session=session, actor=root, search="demo.google")) == 2
