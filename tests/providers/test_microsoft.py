"""The real msal and Microsoft Graph REST calls against the sandbox, over real HTTP."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from meetings_ui.domain.enums import VideoMeeting
from meetings_ui.providers.base import (
    AccessRole,
    Attendee,
    ConsentDeniedError,
    NeedsReconnectError,
    NewEvent,
    ProviderError,
    ProviderUnavailableError,
)
from meetings_ui.providers.microsoft import MicrosoftAccount
from tests.sandbox import REDIRECT_URI, Sandbox, consent

EMAIL = "demo.office@example.com"
# A mailbox whose sign-in name (UPN, the id token's preferred_username) is not its SMTP
# address, which Graph writes with capitals.
KIM_SMTP = "Kim.Lee@Example.com"
KIM_UPN = "klee@contoso.onmicrosoft.example"


def connect(sandbox: Sandbox, email: str = EMAIL, saved: list | None = None) -> MicrosoftAccount:
    connector = sandbox.microsoft()
    start = connector.begin(redirect_uri=REDIRECT_URI, state="ms-state")
    connected = connector.complete(flow=start.flow, callback_params=consent(start.url, email))
    assert connected.email == email
    return connector.open(connected.credentials, (saved if saved is not None else []).append)


def two_weeks() -> tuple[datetime, datetime]:
    today = datetime.now(UTC).date()
    monday = datetime.combine(today - timedelta(days=today.weekday()), datetime.min.time(), UTC)
    return monday, monday + timedelta(days=14)


def test_msal_auth_code_flow_with_pkce_through_the_https_authority(sandbox: Sandbox) -> None:
    connector = sandbox.microsoft()
    start = connector.begin(redirect_uri=REDIRECT_URI, state="st")
    query = parse_qs(urlsplit(start.url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert "response_mode" not in query or query["response_mode"] == ["query"]
    assert start.url.startswith(sandbox.url + "/microsoft/common/oauth2/v2.0/authorize")
    assert {"User.Read", "Calendars.ReadWrite", "Calendars.Read.Shared", "offline_access"} <= set(
        query["scope"][0].split()
    )
    connected = connector.complete(flow=start.flow, callback_params=consent(start.url, EMAIL))
    cache = json.loads(connected.credentials["token_cache"])
    assert cache["RefreshToken"] and cache["AccessToken"]


def test_denied_and_mismatched_answers_are_refused(sandbox: Sandbox) -> None:
    connector = sandbox.microsoft()
    start = connector.begin(redirect_uri=REDIRECT_URI, state="st2")
    with pytest.raises(ConsentDeniedError):
        connector.complete(flow=start.flow, callback_params=consent(start.url, EMAIL, "deny"))
    answer = consent(start.url, EMAIL)
    with pytest.raises(ProviderError):
        connector.complete(flow=start.flow, callback_params={**answer, "state": "forged"})


def test_each_connection_has_its_own_token_cache(sandbox: Sandbox) -> None:
    office = connect(sandbox)
    personal = connect(sandbox, "demo.personal@example.com")
    assert office.credentials["token_cache"] != personal.credentials["token_cache"]
    assert {c.name for c in office.list_calendars()} == {"Calendar", "Team Events", "Bo Colleague"}
    assert {c.name for c in personal.list_calendars()} == {"Calendar"}


def test_calendars_with_their_access(sandbox: Sandbox) -> None:
    calendars = {c.name: c for c in connect(sandbox).list_calendars()}
    assert (
        calendars["Calendar"].is_primary and calendars["Calendar"].access_role is AccessRole.OWNER
    )
    assert calendars["Team Events"].access_role is AccessRole.OWNER
    assert calendars["Bo Colleague"].access_role is AccessRole.FREE_BUSY


def test_free_busy_uses_get_schedule_and_calendar_view(sandbox: Sandbox) -> None:
    account = connect(sandbox)
    ids = {c.name: c.id for c in account.list_calendars()}
    start, end = two_weeks()
    result = account.free_busy([*ids.values(), "AAMk-unknown"], start, end)
    assert len(result.busy[ids["Calendar"]]) == 4  # getSchedule, own address
    assert len(result.busy[ids["Bo Colleague"]]) == 2  # getSchedule, owner's address
    assert len(result.busy[ids["Team Events"]]) == 2  # calendarView
    assert result.errors == {"AAMk-unknown": "This account cannot see the calendar"}


def test_personal_accounts_fall_back_to_calendar_view(sandbox: Sandbox) -> None:
    account = connect(sandbox, "demo.personal@example.com")
    primary = account.list_calendars()[0]
    start, end = two_weeks()
    result = account.free_busy([primary.id], start, end)
    assert len(result.busy[primary.id]) == 1
    assert result.errors == {}


def test_get_schedule_is_chunked_by_twenty_and_by_sixty_two_days(sandbox: Sandbox) -> None:
    for index in range(25):
        owner = f"colleague{index}@example.com"
        sandbox.control("POST", "/accounts", provider="microsoft", email=owner)
        sandbox.store.primary_calendar("microsoft", owner).access[EMAIL] = "freeBusyReader"
    account = connect(sandbox)
    ids = [c.id for c in account.list_calendars()]
    start = datetime.now(UTC).replace(microsecond=0)
    result = account.free_busy(ids, start, start + timedelta(days=150))  # 400s if not chunked
    assert result.errors == {}
    assert set(result.busy) == set(ids)


def test_create_event_is_idempotent_by_transaction_id(sandbox: Sandbox) -> None:
    account = connect(sandbox)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    event = NewEvent(
        summary="Demo",
        start=start,
        end=start + timedelta(minutes=45),
        time_zone="America/New_York",
        idempotency_key="booking-7",
        attendees=(Attendee("lee@example.org", "Lee"),),
    )
    first = account.create_event(event)
    assert account.create_event(event).id == first.id
    assert first.attendees == (Attendee("lee@example.org", "Lee"),)
    assert first.start == start
    account.cancel_event(first.id)
    account.cancel_event(first.id)
    assert sandbox.store.events[first.id].status == "cancelled"


def test_delta_sync_and_resync_after_a_stale_token(sandbox: Sandbox) -> None:
    account = connect(sandbox)
    start, end = two_weeks()
    first = account.list_changes(None, start=start, end=end)
    assert len(first.events) == 4
    primary = sandbox.store.primary_calendar("microsoft", EMAIL)
    added = sandbox.control(
        "POST",
        "/events",
        calendar_id=primary.id,
        summary="Coffee with Sam",
        start=(start + timedelta(days=2, hours=8)).isoformat(),
        end=(start + timedelta(days=2, hours=9)).isoformat(),
    )
    changes = account.list_changes(first.sync_token, start=start, end=end)
    assert [e.summary for e in changes.events] == ["Coffee with Sam"]
    sandbox.control("DELETE", f"/events/{added['id']}")
    removed = account.list_changes(changes.sync_token, start=start, end=end)
    assert [(e.id, e.cancelled) for e in removed.events] == [(added["id"], True)]
    sandbox.fault(provider="microsoft", path="*/delta", kind="stale_sync_token")
    resync = account.list_changes(removed.sync_token, start=start, end=end)
    assert resync.full_resync and len(resync.events) == 4


def test_refreshed_tokens_are_saved_in_the_connection_cache(sandbox: Sandbox) -> None:
    saved: list[dict] = []
    account = connect(sandbox, saved=saved)
    before = json.loads(account.credentials["token_cache"])["AccessToken"]
    sandbox.control("POST", "/tokens/expire")
    assert account.list_calendars()  # 401 → msal refresh with the refresh token → retry
    after = json.loads(saved[-1]["token_cache"])["AccessToken"]
    assert [t["secret"] for t in after.values()] != [t["secret"] for t in before.values()]


def test_a_revoked_grant_needs_reconnect(sandbox: Sandbox) -> None:
    account = connect(sandbox)
    sandbox.control("POST", f"/accounts/microsoft/{EMAIL}/revoke")
    with pytest.raises(NeedsReconnectError, match="reconnect"):
        account.list_calendars()


def test_too_many_requests_honours_retry_after(sandbox: Sandbox) -> None:
    account = connect(sandbox)
    sandbox.fault(provider="microsoft", path="*/me/calendars", status=429, retry_after=3)
    assert account.list_calendars()
    assert sandbox.sleeps == [3.0]


def add_event(sandbox: Sandbox, calendar_id: str, start: datetime, **fields: object) -> None:
    sandbox.control(
        "POST",
        "/events",
        calendar_id=calendar_id,
        summary=str(fields.pop("summary", "Busy")),
        start=start.isoformat(),
        end=(start + timedelta(minutes=30)).isoformat(),
        **fields,
    )


def add_colleague(sandbox: Sandbox, email: str) -> str:
    """A colleague's mailbox; returns the id of its default calendar."""
    created = sandbox.control("POST", "/accounts", provider="microsoft", email=email)
    return str(created["primary_calendar_id"])


def test_every_calendar_asked_comes_back_busy_or_as_an_error(sandbox: Sandbox) -> None:
    """getSchedule reads a mailbox's default calendar only. A colleague's second shared
    calendar used to be asked through the same address, then dropped: neither busy nor an
    error, so free. Now each readable calendar goes through calendarView (paged), and only
    a free/busy-only share goes to getSchedule."""
    start, end = two_weeks()
    cy_default = add_colleague(sandbox, "cy.colleague@example.com")
    sandbox.store.calendars[cy_default].access[EMAIL] = "freeBusyReader"
    projects = sandbox.control(
        "POST",
        "/calendars",
        provider="microsoft",
        owner_email="cy.colleague@example.com",
        name="Cy Projects",
        shared_with={EMAIL: "reader"},
    )["id"]
    add_event(sandbox, cy_default, start + timedelta(days=1, hours=9))
    for index in range(12):  # more than one page of calendarView
        add_event(sandbox, projects, start + timedelta(days=2, hours=index))
    # Two calendars of one owner shared with free/busy only cannot be told apart.
    dee_default = add_colleague(sandbox, "dee.colleague@example.com")
    sandbox.store.calendars[dee_default].access[EMAIL] = "freeBusyReader"
    dee_other = sandbox.control(
        "POST",
        "/calendars",
        provider="microsoft",
        owner_email="dee.colleague@example.com",
        name="Dee Other",
        shared_with={EMAIL: "freeBusyReader"},
    )["id"]
    account = connect(sandbox)
    ids = [c.id for c in account.list_calendars()]
    assert {cy_default, projects, dee_default, dee_other} <= set(ids)
    result = account.free_busy(ids, start, end)
    assert set(result.busy) | set(result.errors) == set(ids)
    assert not set(result.busy) & set(result.errors)
    assert len(result.busy[projects]) == 12
    assert len(result.busy[cy_default]) == 1
    assert set(result.errors) == {dee_default, dee_other}


def test_only_free_time_is_free(sandbox: Sandbox) -> None:
    """Graph's statuses: busy, tentative, oof, workingElsewhere and unknown all block;
    free does not. getSchedule may write them capitalized ("Tentative")."""
    start = two_weeks()[0]
    account = connect(sandbox)
    calendars = {c.name: c.id for c in account.list_calendars()}
    day = start + timedelta(days=5)  # the seeded events are on weekdays
    for calendar_id in (calendars["Calendar"], calendars["Team Events"]):
        for hour, show_as in enumerate(
            ("busy", "tentative", "oof", "workingElsewhere", "unknown", "free")
        ):
            add_event(sandbox, calendar_id, day + timedelta(hours=8 + hour), show_as=show_as)
    result = account.free_busy(list(calendars.values()), day, day + timedelta(days=1))
    for name in ("Calendar", "Team Events"):
        hours = sorted(i.start.hour for i in result.busy[calendars[name]])
        assert hours == [8, 9, 10, 11, 12], name


def test_the_mailbox_address_comes_from_graph_not_the_sign_in_name(sandbox: Sandbox) -> None:
    """preferred_username is the UPN; getSchedule and calendar owners know the SMTP
    address. Taking the UPN for "me" read the account's own secondary calendar as the
    default calendar of someone else (getSchedule by the owner's address)."""
    sandbox.control(
        "POST", "/accounts", provider="microsoft", email=KIM_SMTP, user_principal_name=KIM_UPN
    )
    side = sandbox.control(
        "POST", "/calendars", provider="microsoft", owner_email=KIM_SMTP, name="Side projects"
    )["id"]
    primary = sandbox.store.primary_calendar("microsoft", KIM_SMTP).id
    start, end = two_weeks()
    add_event(sandbox, primary, start + timedelta(days=1, hours=9))
    add_event(sandbox, side, start + timedelta(days=2, hours=14))
    saved: list[dict] = []
    account = connect(sandbox, KIM_SMTP.lower(), saved)
    calendars = {c.id: c for c in account.list_calendars()}
    assert calendars[side].access_role is AccessRole.OWNER
    assert calendars[primary].is_primary and calendars[primary].owner_email == KIM_SMTP.lower()
    # A connection saved with the sign-in name still reads its calendars right.
    stale = sandbox.microsoft().open({**account.credentials, "email": KIM_UPN}, saved.append)
    for reader in (account, stale):
        result = reader.free_busy([primary, side], start, end)
        assert result.errors == {}
        assert [i.start for i in result.busy[side]] == [start + timedelta(days=2, hours=14)]
        assert [i.start for i in result.busy[primary]] == [start + timedelta(days=1, hours=9)]


@pytest.mark.parametrize("code", ["syncStateNotFound", "syncStateInvalid", "resyncRequired"])
def test_delta_resyncs_when_graph_refuses_the_token_by_error_code(
    sandbox: Sandbox, code: str
) -> None:
    account = connect(sandbox)
    start, end = two_weeks()
    first = account.list_changes(None, start=start, end=end)
    sandbox.fault(provider="microsoft", path="*/delta", status=400, reason=code)
    resync = account.list_changes(first.sync_token, start=start, end=end)
    assert resync.full_resync and len(resync.events) == 4


def test_a_delta_token_graph_never_issued_resyncs(sandbox: Sandbox) -> None:
    account = connect(sandbox)
    start, end = two_weeks()
    first = account.list_changes(None, start=start, end=end)
    forged = first.sync_token.split("deltatoken=")[0] + "deltatoken=garbage"
    resync = account.list_changes(forged, start=start, end=end)
    assert resync.full_resync and len(resync.events) == 4


def test_answers_that_are_not_json_are_provider_errors(sandbox: Sandbox) -> None:
    """A gateway's HTML page or an empty body is never an unhandled error: a 5xx is the
    service unavailable (after retries), anything else a clear ProviderError."""
    account = connect(sandbox)
    start, end = two_weeks()
    sandbox.fault(provider="microsoft", path="*/me/calendars", kind="html", status=502, count=4)
    with pytest.raises(ProviderUnavailableError, match="502"):
        account.list_calendars()
    for kind, status in (("html", 400), ("html", 200), ("empty", 404)):
        sandbox.fault(provider="microsoft", path="*/me/calendars", kind=kind, status=status)
        with pytest.raises(ProviderError, match=str(status)) as raised:
            account.list_calendars()
        assert not isinstance(raised.value, ProviderUnavailableError)
    sandbox.fault(provider="microsoft", path="*/delta", kind="html", status=403)
    with pytest.raises(ProviderError, match="403"):
        account.list_changes(None, start=start, end=end)
    ids = {c.name: c.id for c in account.list_calendars()}
    team = ids["Team Events"]
    sandbox.fault(provider="microsoft", path=f"*/{team}/calendarView", kind="html", status=400)
    result = account.free_busy(list(ids.values()), start, end)
    assert set(result.errors) == {team}
    assert "400" in result.errors[team]


def test_a_get_schedule_answer_for_another_address_is_an_error(sandbox: Sandbox) -> None:
    """A colleague's primary address changed after they shared their calendar: the share
    still names the old address, and getSchedule answers under the new one. That answer
    used to be dropped, the calendar then neither busy nor an error: free."""
    fay = add_colleague(sandbox, "fay.old@example.com")
    sandbox.store.calendars[fay].access[EMAIL] = "freeBusyReader"
    start, end = two_weeks()
    add_event(sandbox, fay, start + timedelta(days=1, hours=9))
    sandbox.control(
        "POST", "/accounts/microsoft/fay.old@example.com/address", address="Fay.New@example.com"
    )
    account = connect(sandbox)
    assert {c.owner_email for c in account.list_calendars() if c.id == fay} == {
        "fay.old@example.com"
    }
    result = account.free_busy([fay], start, end)
    assert fay not in result.busy
    assert "fay.old@example.com" in result.errors[fay]


def _meeting(key: str, **fields: object) -> NewEvent:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=4)
    return NewEvent(
        summary="Video call",
        start=start,
        end=start + timedelta(minutes=30),
        time_zone="UTC",
        idempotency_key=key,
        attendees=(Attendee("prospect@example.org", "Pat"),),
        **fields,  # type: ignore[arg-type]
    )


def test_a_teams_meeting_comes_back_with_its_join_url(sandbox: Sandbox) -> None:
    account = connect(sandbox)
    created = account.create_event(
        _meeting("booking-teams-1", video=VideoMeeting.MICROSOFT_TEAMS, location="Room 4")
    )
    assert created.join_url.startswith("https://teams.microsoft.sandbox.invalid/")
    assert not created.video_pending
    assert account.get_event(created.id).join_url == created.join_url
    assert sandbox.store.events[created.id].location == "Room 4"


def test_a_personal_account_gets_no_teams_meeting(sandbox: Sandbox) -> None:
    account = connect(sandbox, "demo.personal@example.com")
    created = account.create_event(_meeting("booking-teams-2", video=VideoMeeting.MICROSOFT_TEAMS))
    assert created.join_url == "" and not created.video_pending


def test_no_teams_meeting_unless_asked(sandbox: Sandbox) -> None:
    account = connect(sandbox)
    assert account.create_event(_meeting("booking-plain-1")).join_url == ""
    meet = account.create_event(_meeting("booking-meet-1", video=VideoMeeting.GOOGLE_MEET))
    assert meet.join_url == ""


def test_delta_changes_carry_attendees_with_their_names_and_the_organizer(
    sandbox: Sandbox,
) -> None:
    """What the CRM sync needs (S4): attendees[].emailAddress and organizer.emailAddress."""
    account = connect(sandbox)
    start, end = two_weeks()
    first = account.list_changes(None, start=start, end=end)
    sandbox.control(
        "POST",
        "/events",
        calendar_id=sandbox.store.primary_calendar("microsoft", EMAIL).id,
        summary="Demo for Lee",
        start=(start + timedelta(days=2, hours=8)).isoformat(),
        end=(start + timedelta(days=2, hours=9)).isoformat(),
        attendees=[{"email": "Lee@Example.org", "name": "Lee L"}],
    )
    (event,) = account.list_changes(first.sync_token, start=start, end=end).events
    assert event.attendees == (Attendee("Lee@Example.org", "Lee L"),)
    assert event.organizer == EMAIL


def test_a_delta_item_with_only_what_changed_is_read_whole(sandbox: Sandbox) -> None:
    account = connect(sandbox)
    start, end = two_weeks()
    first = account.list_changes(None, start=start, end=end)
    primary = sandbox.store.primary_calendar("microsoft", EMAIL)
    added = sandbox.control(
        "POST",
        "/events",
        calendar_id=primary.id,
        summary="Demo for Lee",
        start=(start + timedelta(days=2, hours=8)).isoformat(),
        end=(start + timedelta(days=2, hours=9)).isoformat(),
        attendees=[{"email": "lee@example.org", "name": "Lee"}],
    )
    sandbox.store.graph_delta_changed_only = True
    (event,) = account.list_changes(first.sync_token, start=start, end=end).events
    assert event.id == added["id"] and event.start == start + timedelta(days=2, hours=8)
    assert event.attendees == (Attendee("lee@example.org", "Lee"),)


def test_busy_events_carry_titles_and_sensitivity(sandbox: Sandbox) -> None:
    """calendarView of every calendar the account may read, with each event's sensitivity;
    a calendar shared with free/busy only is left out (Graph refuses it), as are events
    shown as free and cancelled ones."""
    account = connect(sandbox)
    store = sandbox.store
    primary = store.primary_calendar("microsoft", EMAIL)
    day = two_weeks()[0] + timedelta(days=15)
    hour = timedelta(hours=1)
    store.add_event(primary.id, "Therapy", day + 9 * hour, day + 10 * hour, visibility="private")
    store.add_event(
        primary.id, "Board", day + 10 * hour, day + 11 * hour, visibility="confidential"
    )
    store.add_event(primary.id, "Errand", day + 11 * hour, day + 12 * hour, visibility="personal")
    store.add_event(primary.id, "Gym", day + 12 * hour, day + 13 * hour, show_as="free")
    store.cancel_event(store.add_event(primary.id, "Gone", day + 13 * hour, day + 14 * hour))
    calendars = account.list_calendars()
    found = account.busy_events(calendars, day, day + 24 * hour)
    assert [(e.title, e.private, e.start, e.end) for e in found[primary.id]] == [
        ("Therapy", True, day + 9 * hour, day + 10 * hour),
        ("Board", True, day + 10 * hour, day + 11 * hour),
        ("Errand", False, day + 11 * hour, day + 12 * hour),
    ]
    names = {c.id: c.name for c in calendars}
    assert {names[c] for c in found} == {"Calendar", "Team Events"}  # not Bo's free/busy share


def test_the_sandbox_says_each_events_sensitivity_as_graph_does(sandbox: Sandbox) -> None:
    account = connect(sandbox)
    primary = sandbox.store.primary_calendar("microsoft", EMAIL)
    day = two_weeks()[0] + timedelta(days=15)
    sandbox.store.add_event(primary.id, "Plain", day, day + timedelta(hours=1))
    token = account._access_token()
    answer = requests.get(
        f"{sandbox.url}/graph/v1.0/me/calendars/{primary.id}/calendarView",
        params={
            "startDateTime": day.isoformat(),
            "endDateTime": (day + timedelta(days=1)).isoformat(),
        },
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert [item["sensitivity"] for item in answer.json()["value"]] == ["normal"]
