"""The real authlib and google-api-python-client against the sandbox, over real HTTP."""

from __future__ import annotations

import secrets
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
from meetings_ui.providers.google import GoogleAccount
from tests.sandbox import CONTROL_TOKEN, REDIRECT_URI, Sandbox, consent

EMAIL = "demo.google@example.com"


def connect(sandbox: Sandbox, saved: list | None = None, timeout: float = 10.0) -> GoogleAccount:
    connector = sandbox.google(timeout=timeout)
    state = secrets.token_urlsafe(16)
    start = connector.begin(redirect_uri=REDIRECT_URI, state=state)
    connected = connector.complete(flow=start.flow, callback_params=consent(start.url, EMAIL))
    assert connected.email == EMAIL
    return connector.open(connected.credentials, (saved if saved is not None else []).append)


def this_week() -> tuple[datetime, datetime]:
    today = datetime.now(UTC).date()
    monday = datetime.combine(today - timedelta(days=today.weekday()), datetime.min.time(), UTC)
    return monday, monday + timedelta(days=14)


def test_authorization_uses_pkce_offline_access_and_the_smallest_scopes(sandbox: Sandbox) -> None:
    start = sandbox.google().begin(redirect_uri=REDIRECT_URI, state="abc")
    query = parse_qs(urlsplit(start.url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["access_type"] == ["offline"]
    assert query["redirect_uri"] == [REDIRECT_URI]
    assert query["state"] == ["abc"]
    assert "code_verifier" in start.flow and start.flow["code_verifier"] not in start.url
    assert set(query["scope"][0].split()) == {
        "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
        "https://www.googleapis.com/auth/calendar.freebusy",
        "https://www.googleapis.com/auth/calendar.events.owned",
    }


def test_connecting_yields_the_account_and_a_refresh_token(sandbox: Sandbox) -> None:
    connector = sandbox.google()
    start = connector.begin(redirect_uri=REDIRECT_URI, state="s1")
    connected = connector.complete(flow=start.flow, callback_params=consent(start.url, EMAIL))
    assert connected.provider == "google"
    assert connected.email == EMAIL
    assert connected.credentials["refresh_token"]
    assert connected.credentials["access_token"]


def test_denied_consent_wrong_state_and_replayed_codes_are_refused(sandbox: Sandbox) -> None:
    connector = sandbox.google()
    start = connector.begin(redirect_uri=REDIRECT_URI, state="s2")
    with pytest.raises(ConsentDeniedError):
        connector.complete(flow=start.flow, callback_params=consent(start.url, EMAIL, "deny"))

    answer = consent(start.url, EMAIL)
    with pytest.raises(ProviderError, match="does not match"):
        connector.complete(flow=start.flow, callback_params={**answer, "state": "forged"})
    connector.complete(flow=start.flow, callback_params=answer)
    with pytest.raises(ProviderError, match="refused"):  # the code works once only
        connector.complete(flow=start.flow, callback_params=answer)

    other = connector.begin(redirect_uri=REDIRECT_URI, state="s3")
    stolen = consent(other.url, EMAIL)
    with pytest.raises(ProviderError):  # a code needs the verifier of its own flow
        connector.complete(
            flow={**other.flow, "code_verifier": start.flow["code_verifier"]},
            callback_params=stolen,
        )


def test_lists_only_calendars_the_account_can_see_with_their_access(sandbox: Sandbox) -> None:
    calendars = {c.name: c for c in connect(sandbox).list_calendars()}
    assert set(calendars) == {EMAIL, "Team", "Holidays", "ana.colleague@example.com"}
    assert calendars[EMAIL].is_primary and calendars[EMAIL].access_role is AccessRole.OWNER
    assert calendars["Team"].access_role is AccessRole.WRITER
    assert calendars["ana.colleague@example.com"].access_role is AccessRole.FREE_BUSY
    assert "Ana private" not in calendars  # S10: never shared with this account


def test_free_busy_across_several_calendars_and_errors_are_never_free(sandbox: Sandbox) -> None:
    account = connect(sandbox)
    ids = {c.name: c.id for c in account.list_calendars()}
    start, end = this_week()
    result = account.free_busy(
        [ids[EMAIL], ids["Team"], ids["ana.colleague@example.com"], "nobody@nowhere"], start, end
    )
    assert len(result.busy[ids[EMAIL]]) == 4  # planning and lunch, two weeks
    assert len(result.busy[ids["Team"]]) == 2
    assert len(result.busy[ids["ana.colleague@example.com"]]) == 2  # free/busy-only still blocks
    assert "nobody@nowhere" not in result.busy
    assert result.errors["nobody@nowhere"] == "notFound"


def test_free_busy_is_chunked_to_fifty_calendars_per_query(sandbox: Sandbox) -> None:
    account = connect(sandbox)
    start, end = this_week()
    ids = [EMAIL] + [f"missing-{i}@example.com" for i in range(120)]
    result = account.free_busy(ids, start, end)  # the sandbox answers 400 above 50
    assert set(result.busy) == {EMAIL}
    assert len(result.errors) == 120


def test_create_event_with_attendees_is_idempotent(sandbox: Sandbox) -> None:
    account = connect(sandbox)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    event = NewEvent(
        summary="Intro call",
        start=start,
        end=start + timedelta(minutes=30),
        time_zone="Europe/Paris",
        idempotency_key="booking-42",
        description="Booked through Meetings",
        attendees=(Attendee("prospect@example.org", "Pat Prospect"),),
    )
    first = account.create_event(event)
    again = account.create_event(event)
    assert again.id == first.id
    assert first.attendees == ("prospect@example.org",)
    assert first.idempotency_key == "booking-42"
    stored = [e for e in sandbox.store.events.values() if e.summary == "Intro call"]
    assert len(stored) == 1
    assert stored[0].calendar_id == EMAIL  # S11: the primary calendar
    moved = account.update_event(
        first.id, start=start + timedelta(hours=1), end=start + timedelta(hours=1, minutes=30)
    )
    assert moved.start == start + timedelta(hours=1)
    account.cancel_event(first.id)
    account.cancel_event(first.id)  # cancelling twice is fine
    assert stored[0].status == "cancelled"


def test_incremental_sync_and_full_resync_on_a_stale_token(sandbox: Sandbox) -> None:
    account = connect(sandbox)
    start, end = this_week()
    first = account.list_changes(None, start=start, end=end)
    assert len(first.events) == 4 and first.sync_token
    added = sandbox.control(
        "POST",
        "/events",
        calendar_id=EMAIL,
        summary="Call with Zoe via Google",
        start=(start + timedelta(days=1, hours=16)).isoformat(),
        end=(start + timedelta(days=1, hours=17)).isoformat(),
    )
    changes = account.list_changes(first.sync_token, start=start, end=end)
    assert [e.summary for e in changes.events] == ["Call with Zoe via Google"]
    assert not changes.full_resync
    sandbox.control("DELETE", f"/events/{added['id']}")
    removed = account.list_changes(changes.sync_token, start=start, end=end)
    assert [(e.id, e.cancelled) for e in removed.events] == [(added["id"], True)]

    sandbox.fault(provider="google", path="*/events", kind="stale_sync_token")
    resync = account.list_changes(removed.sync_token, start=start, end=end)
    assert resync.full_resync
    assert len([e for e in resync.events if not e.cancelled]) == 4


def test_expired_access_tokens_are_refreshed_and_saved(sandbox: Sandbox) -> None:
    saved: list[dict] = []
    account = connect(sandbox, saved)
    before = account.credentials["access_token"]
    sandbox.control("POST", "/tokens/expire")
    assert account.list_calendars()  # 401 → refresh → retry
    assert saved and saved[-1]["access_token"] != before
    assert saved[-1]["refresh_token"] == account.credentials["refresh_token"]


def test_a_revoked_grant_needs_reconnect(sandbox: Sandbox) -> None:
    account = connect(sandbox)
    sandbox.control("POST", f"/accounts/google/{EMAIL}/revoke")
    with pytest.raises(NeedsReconnectError, match="reconnect"):
        account.list_calendars()


def test_invalid_grant_on_refresh_needs_reconnect(sandbox: Sandbox) -> None:
    account = connect(sandbox)
    sandbox.fault(provider="google", path="*/token", kind="invalid_grant")
    with pytest.raises(NeedsReconnectError):
        account.refresh_token()


@pytest.mark.parametrize(
    ("fault", "expected_sleeps"),
    [
        ({"status": 429, "retry_after": 2}, [2.0]),
        ({"status": 403, "reason": "rateLimitExceeded", "retry_after": 1}, [1.0]),
        ({"status": 500}, None),
        ({"status": 503, "count": 2}, None),
    ],
)
def test_transient_faults_are_retried_with_backoff(
    sandbox: Sandbox, fault: dict, expected_sleeps: list | None
) -> None:
    account = connect(sandbox)
    sandbox.fault(provider="google", path="*/calendarList", **fault)
    assert account.list_calendars()
    if expected_sleeps is not None:
        assert sandbox.sleeps == expected_sleeps  # Retry-After honoured exactly
    else:
        assert len(sandbox.sleeps) == fault.get("count", 1)


def test_a_slow_answer_times_out_and_is_retried(sandbox: Sandbox) -> None:
    account = connect(sandbox, timeout=0.5)
    sandbox.fault(provider="google", path="*/calendarList", kind="slow", delay_seconds=1.5)
    assert account.list_calendars()
    assert len(sandbox.sleeps) == 1


def test_persistent_failure_is_a_clear_error_and_busy_time_is_never_free(sandbox: Sandbox) -> None:
    account = connect(sandbox)
    sandbox.fault(provider="google", path="*/calendarList", status=500, count=10)
    with pytest.raises(ProviderUnavailableError, match="gave up after 4 attempts"):
        account.list_calendars()
    sandbox.fault(provider="google", path="*/freeBusy", status=503, count=10)
    start, end = this_week()
    result = account.free_busy([EMAIL], start, end)
    assert result.busy == {}
    assert "gave up" in result.errors[EMAIL]


def test_a_non_retryable_error_is_reported_not_retried(sandbox: Sandbox) -> None:
    account = connect(sandbox)
    sandbox.fault(provider="google", path="*/calendarList", status=400)
    with pytest.raises(ProviderError, match="400"):
        account.list_calendars()
    assert sandbox.sleeps == []


@pytest.mark.parametrize("which", ["refresh_token", "access_token"])
def test_revoking_either_token_ends_the_whole_grant(sandbox: Sandbox, which: str) -> None:
    """As Google's /revoke does: both tokens stop working, whichever was sent."""
    account = connect(sandbox)
    connector = sandbox.google()
    credentials = dict(account.credentials)
    connector.revoke({which: credentials[which]})
    with pytest.raises(NeedsReconnectError):  # the access token is refused, then the refresh
        connector.open(credentials, lambda _: None).list_calendars()
    with pytest.raises(NeedsReconnectError):
        connector.open(credentials, lambda _: None).refresh_token()


def test_the_revoke_endpoint_answers_as_google_does(sandbox: Sandbox) -> None:
    account = connect(sandbox)
    url = f"{sandbox.url}/google/revoke"
    token = account.credentials["refresh_token"]
    assert requests.post(url, data={"token": token}, timeout=10).status_code == 200
    again = requests.post(url, data={"token": token}, timeout=10)
    assert again.status_code == 400 and again.json()["error"] == "invalid_token"
    unknown = requests.post(url, data={"token": "never-issued"}, timeout=10)
    assert unknown.status_code == 400 and unknown.json()["error"] == "invalid_token"
    sandbox.google().revoke({"refresh_token": token})  # already gone counts as done


def test_a_revocation_google_cannot_answer_is_an_error(sandbox: Sandbox) -> None:
    account = connect(sandbox)
    sandbox.fault(provider="google", path="/google/revoke", kind="status", status=503)
    with pytest.raises(ProviderUnavailableError):
        sandbox.google().revoke(account.credentials)
    account.list_calendars()  # nothing was revoked


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


def test_a_google_meet_is_pending_at_first_then_read_again(sandbox: Sandbox) -> None:
    account = connect(sandbox)
    created = account.create_event(_meeting("booking-meet-1", video=VideoMeeting.GOOGLE_MEET))
    assert created.video_pending and created.join_url == ""
    again = account.get_event(created.id)
    assert not again.video_pending
    assert again.join_url.startswith("https://meet.sandbox.invalid/")
    assert again.join_url == sandbox.store.events[created.id].join_url


def test_no_meet_unless_asked_and_a_location_is_kept(sandbox: Sandbox) -> None:
    account = connect(sandbox)
    created = account.create_event(_meeting("booking-place-1", location="Office, 3 rue X"))
    assert not created.video_pending and created.join_url == ""
    assert sandbox.store.events[created.id].location == "Office, 3 rue X"
    # A Teams request is the Microsoft adapter's: Google makes nothing of it.
    teams = account.create_event(_meeting("booking-teams-1", video=VideoMeeting.MICROSOFT_TEAMS))
    assert account.get_event(teams.id).join_url == ""


def test_the_sandbox_ignores_conference_data_without_version_one(sandbox: Sandbox) -> None:
    """As Google does: conferenceDataVersion defaults to 0, which ignores createRequest."""
    connector = sandbox.google()
    start = connector.begin(redirect_uri=REDIRECT_URI, state="v0")
    token = connector.complete(
        flow=start.flow, callback_params=consent(start.url, EMAIL)
    ).credentials["access_token"]
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)
    body = {
        "summary": "Raw",
        "start": {"dateTime": when.isoformat()},
        "end": {"dateTime": (when + timedelta(minutes=30)).isoformat()},
        "conferenceData": {
            "createRequest": {"requestId": "r1", "conferenceSolutionKey": {"type": "hangoutsMeet"}}
        },
    }
    url = f"{sandbox.url}/google/calendar/v3/calendars/primary/events"
    headers = {"Authorization": f"Bearer {token}"}
    ignored = requests.post(url, json=body, headers=headers, timeout=10).json()
    assert "conferenceData" not in ignored
    honoured = requests.post(
        url, params={"conferenceDataVersion": 1}, json=body, headers=headers, timeout=10
    ).json()
    assert honoured["conferenceData"]["createRequest"]["status"]["statusCode"] == "pending"


def test_the_sandbox_counts_provider_requests_and_takes_a_latency(sandbox: Sandbox) -> None:
    """For the benchmark: requests per view, and a delay on every provider answer."""
    account = connect(sandbox)
    sandbox.control("DELETE", "/requests")
    sandbox.control("PUT", "/settings", latency_ms=20)
    assert sandbox.store.latency_seconds == 0.02
    account.list_calendars()
    seen = sandbox.control("GET", "/requests")
    assert seen["total"] == 1
    assert seen["requests"] == [["GET", "/google/calendar/v3/users/me/calendarList"]]
    sandbox.control("PUT", "/settings", latency_ms=0)
    for wrong in (-1, 10_001, "100", True):
        answer = requests.put(
            f"{sandbox.url}/control/settings",
            json={"latency_ms": wrong},
            headers={"Authorization": f"Bearer {CONTROL_TOKEN}"},
            timeout=10,
        )
        assert answer.status_code == 400
    assert sandbox.store.latency_seconds == 0
