"""The real authlib and google-api-python-client against the sandbox, over real HTTP."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import requests

from meetings_ui.domain.enums import VideoMeeting
from meetings_ui.providers.base import (
    AccessRole,
    Attendee,
    ConsentDeniedError,
    MissingScopesError,
    NeedsReconnectError,
    NewEvent,
    ProviderError,
    ProviderUnavailableError,
)
from meetings_ui.providers.google import SCOPES, GoogleAccount
from tests.sandbox import CONTROL_TOKEN, REDIRECT_URI, Sandbox, consent

EMAIL = "demo.google@example.com"


def connect(
    sandbox: Sandbox, saved: list | None = None, timeout: float = 10.0, email: str = EMAIL
) -> GoogleAccount:
    connector = sandbox.google(timeout=timeout)
    state = secrets.token_urlsafe(16)
    start = connector.begin(redirect_uri=REDIRECT_URI, state=state)
    connected = connector.complete(flow=start.flow, callback_params=consent(start.url, email))
    assert connected.email == email
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
    assert first.attendees == (Attendee("prospect@example.org", "Pat Prospect"),)
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


# --- Google's rules for events.list paging and sync (issue 12, item 4) -------------------


def calls_to(sandbox: Sandbox, suffix: str) -> int:
    """How many requests the sandbox received on paths ending in `suffix`."""
    return sum(1 for _, path in sandbox.store.requests if path.endswith(suffix))


def test_full_sync_over_several_pages_then_paged_incremental_sync(sandbox: Sandbox) -> None:
    """Every page repeats the first request plus pageToken, and the incremental calls send
    the full sync's parameters (less timeMin/timeMax): the sandbox refuses anything else."""
    account = connect(sandbox)
    start, end = this_week()
    for n in range(600):  # three pages of 250
        at = start + timedelta(days=4, minutes=n)
        sandbox.store.add_event(EMAIL, f"Slot {n}", at, at + timedelta(minutes=1))
    before = calls_to(sandbox, "/events")
    full = account.list_changes(None, start=start, end=end)
    assert calls_to(sandbox, "/events") - before == 3
    assert len(full.events) == 604 and full.sync_token and not full.full_resync

    for n in range(260):  # two pages of changes
        at = start + timedelta(days=5, minutes=n)
        sandbox.store.add_event(EMAIL, f"New {n}", at, at + timedelta(minutes=1))
    before = calls_to(sandbox, "/events")
    changes = account.list_changes(full.sync_token, start=start, end=end)
    assert calls_to(sandbox, "/events") - before == 2
    assert len(changes.events) == 260 and not changes.full_resync
    again = account.list_changes(changes.sync_token, start=start, end=end)
    assert again.events == [] and again.sync_token


def events_url(sandbox: Sandbox) -> str:
    return f"{sandbox.url}/google/calendar/v3/calendars/primary/events"


def test_the_sandbox_binds_page_and_sync_tokens_to_their_request(sandbox: Sandbox) -> None:
    """The sandbox's rule, as Google's: a pageToken only with the request that issued it;
    a syncToken never with timeMin/timeMax (or orderBy, q, ...), never with showDeleted
    false, and with the same parameters as the full sync; an expired one is 410."""
    account = connect(sandbox)
    headers = {"Authorization": f"Bearer {account.credentials['access_token']}"}
    start, end = this_week()
    full = {
        "timeMin": start.isoformat(),
        "timeMax": end.isoformat(),
        "singleEvents": "true",
        "showDeleted": "true",
        "maxResults": "2",
    }

    def get(**params: str) -> requests.Response:
        return requests.get(events_url(sandbox), params=params, headers=headers, timeout=10)

    first = get(**full)
    assert first.status_code == 200
    page_token = first.json()["nextPageToken"]
    assert get(**full, pageToken=page_token).status_code == 200
    alone = get(pageToken=page_token)  # what the old adapter sent for page two
    assert alone.status_code == 400
    error = alone.json()["error"]
    assert error["code"] == 400
    assert error["errors"][0]["reason"] == "invalid"
    assert error["errors"][0]["location"] == "pageToken"
    assert get(**{**full, "singleEvents": "false"}, pageToken=page_token).status_code == 400

    page, pages = first.json(), 1
    while "nextPageToken" in page:
        page = get(**full, pageToken=page["nextPageToken"]).json()
        pages += 1
    assert pages == 2 and page["nextSyncToken"]
    sync = {"syncToken": page["nextSyncToken"], "singleEvents": "true", "showDeleted": "true"}
    assert get(**sync, maxResults="2").status_code == 200
    for wrong, location in [
        ({**sync, "maxResults": "2", "timeMin": start.isoformat()}, "timeMin"),
        ({**sync, "maxResults": "2", "orderBy": "updated"}, "orderBy"),
        ({**sync, "maxResults": "2", "showDeleted": "false"}, "showDeleted"),
        ({"syncToken": sync["syncToken"], "showDeleted": "true", "maxResults": "2"}, "syncToken"),
    ]:
        refused = get(**wrong)
        assert refused.status_code == 400, wrong
        assert refused.json()["error"]["errors"][0]["location"] == location
    sandbox.fault(provider="google", path="*/events", kind="stale_sync_token")
    gone = get(**sync, maxResults="2")
    assert gone.status_code == 410
    assert gone.json()["error"]["errors"][0]["reason"] == "fullSyncRequired"


# --- all-day events in the calendar's time zone (item 5a) ----------------------------------


@pytest.mark.parametrize("time_zone", ["America/Los_Angeles", "Pacific/Auckland"])
def test_all_day_events_cover_the_calendars_midnights(sandbox: Sandbox, time_zone: str) -> None:
    """Midnight to midnight where the calendar is: Los Angeles is behind UTC, Auckland
    ahead, so a UTC reading would be wrong by most of a day either way."""
    email = "tz.person@example.com"
    sandbox.control("POST", "/accounts", provider="google", email=email, time_zone=time_zone)
    account = connect(sandbox, email=email)
    start, end = this_week()
    day = (start + timedelta(days=3)).date()
    sandbox.control(
        "POST",
        "/events",
        calendar_id=email,
        summary="Day off",
        start=day.isoformat(),
        end=(day + timedelta(days=1)).isoformat(),
        all_day=True,
    )
    zone = ZoneInfo(time_zone)
    midnight = datetime.combine(day, time(0), zone).astimezone(UTC)
    next_midnight = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
    assert midnight.hour != 0  # far from UTC, both ways

    served = requests.get(
        events_url(sandbox),
        params={"timeMin": start.isoformat(), "timeMax": end.isoformat()},
        headers={"Authorization": f"Bearer {account.credentials['access_token']}"},
        timeout=10,
    ).json()
    assert served["timeZone"] == time_zone
    assert served["items"][0]["start"] == {"date": day.isoformat()}  # stored as a date

    (event,) = account.list_changes(None, start=start, end=end).events
    assert (event.start, event.end) == (midnight, next_midnight)
    busy = account.free_busy([email], start, end).busy[email]
    assert [(b.start, b.end) for b in busy] == [(midnight, next_midnight)]


# --- granted scopes (item 5b) ---------------------------------------------------------------


@pytest.mark.parametrize("unticked", SCOPES)
def test_an_unticked_permission_fails_the_connection_and_says_which(
    sandbox: Sandbox, unticked: str
) -> None:
    connector = sandbox.google()
    start = connector.begin(redirect_uri=REDIRECT_URI, state="s9")
    answer = consent(start.url, EMAIL, untick=(unticked,))
    assert set(answer["scope"].split()) == set(SCOPES) - {unticked}  # as Google redirects
    with pytest.raises(MissingScopesError) as refused:
        connector.complete(flow=start.flow, callback_params=answer)
    assert refused.value.missing == (unticked,)
    assert unticked in str(refused.value)


def test_every_permission_ticked_connects_with_the_granted_scopes(sandbox: Sandbox) -> None:
    connector = sandbox.google()
    start = connector.begin(redirect_uri=REDIRECT_URI, state="s10")
    connected = connector.complete(flow=start.flow, callback_params=consent(start.url, EMAIL))
    assert set(connected.scopes) == set(SCOPES)


# --- rate limits are retried, quotas are not (item 5c) --------------------------------------


@pytest.mark.parametrize(
    ("status", "reason"),
    [(403, "rateLimitExceeded"), (403, "userRateLimitExceeded"), (429, "rateLimitExceeded")],
)
def test_rate_limits_are_retried_with_backoff(sandbox: Sandbox, status: int, reason: str) -> None:
    account = connect(sandbox)
    before = calls_to(sandbox, "/calendarList")
    sandbox.fault(provider="google", path="*/calendarList", status=status, reason=reason, count=2)
    assert account.list_calendars()
    assert calls_to(sandbox, "/calendarList") - before == 3  # two refused, then served
    assert len(sandbox.sleeps) == 2
    assert sandbox.sleeps[1] <= 2 * 0.01  # exponential backoff from the policy's base delay


@pytest.mark.parametrize("reason", ["quotaExceeded", "dailyLimitExceeded"])
def test_quota_errors_fail_at_once_with_a_long_retry_after(sandbox: Sandbox, reason: str) -> None:
    account = connect(sandbox)
    before = calls_to(sandbox, "/calendarList")
    sandbox.fault(provider="google", path="*/calendarList", status=403, reason=reason, count=5)
    with pytest.raises(ProviderUnavailableError, match=reason) as failed:
        account.list_calendars()
    assert calls_to(sandbox, "/calendarList") - before == 1  # never tried again
    assert sandbox.sleeps == []
    assert failed.value.retry_after is not None and failed.value.retry_after >= 3600


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("rateLimitExceeded", "Rate Limit Exceeded"),
        ("userRateLimitExceeded", "User Rate Limit Exceeded"),
        ("quotaExceeded", "Calendar usage limits exceeded."),
        ("dailyLimitExceeded", "Daily Limit Exceeded"),
    ],
)
def test_sandbox_usage_limit_faults_have_googles_error_body(
    sandbox: Sandbox, reason: str, message: str
) -> None:
    sandbox.fault(provider="google", path="*/calendarList", status=403, reason=reason)
    answer = requests.get(f"{sandbox.url}/google/calendar/v3/users/me/calendarList", timeout=10)
    assert answer.status_code == 403
    assert answer.json() == {
        "error": {
            "code": 403,
            "message": message,
            "errors": [{"domain": "usageLimits", "reason": reason, "message": message}],
        }
    }


def test_the_sandbox_refuses_calls_the_granted_scopes_do_not_cover(sandbox: Sandbox) -> None:
    """As Google: a token granted the calendar list only reads the calendar list; free/busy
    and events answer 403 insufficientPermissions."""
    calendar_list = "https://www.googleapis.com/auth/calendar.calendarlist.readonly"
    access, _ = sandbox.store.issue_tokens("google", "client", EMAIL, calendar_list)
    headers = {"Authorization": f"Bearer {access}"}
    api = f"{sandbox.url}/google/calendar/v3"
    assert requests.get(f"{api}/users/me/calendarList", headers=headers, timeout=10).ok
    start, end = this_week()
    refused = [
        requests.post(
            f"{api}/freeBusy",
            json={"timeMin": start.isoformat(), "timeMax": end.isoformat(), "items": []},
            headers=headers,
            timeout=10,
        ),
        requests.get(events_url(sandbox), headers=headers, timeout=10),
    ]
    for answer in refused:
        assert answer.status_code == 403
        assert answer.json()["error"]["errors"][0]["reason"] == "insufficientPermissions"


def test_changes_carry_attendees_with_their_names_and_the_organizer(sandbox: Sandbox) -> None:
    """What the CRM sync needs (S4): events.list items' attendees[].email/displayName and
    organizer.email."""
    account = connect(sandbox)
    start, end = this_week()
    first = account.list_changes(None, start=start, end=end)
    sandbox.control(
        "POST",
        "/events",
        calendar_id=EMAIL,
        summary="Demo for Lee",
        start=(start + timedelta(days=1, hours=16)).isoformat(),
        end=(start + timedelta(days=1, hours=17)).isoformat(),
        attendees=[{"email": "Lee@Example.org", "name": "Lee L"}],
    )
    (event,) = account.list_changes(first.sync_token, start=start, end=end).events
    assert event.attendees == (Attendee("Lee@Example.org", "Lee L"),)
    assert event.organizer == EMAIL


# --- the host's own busy events ("why isn't this time free?") ---------------------------------


def test_busy_events_carry_titles_and_privacy_of_owned_calendars(sandbox: Sandbox) -> None:
    """events.list of the calendars the account owns (what calendar.events.owned reads):
    private and confidential events say so; transparent and cancelled ones block nothing."""
    account = connect(sandbox)
    store = sandbox.store
    primary = store.primary_calendar("google", EMAIL)
    day = this_week()[0] + timedelta(days=15)  # a day without seeded events
    hour = timedelta(hours=1)
    store.add_event(primary.id, "Therapy", day + 9 * hour, day + 10 * hour, visibility="private")
    store.add_event(
        primary.id, "Board", day + 10 * hour, day + 11 * hour, visibility="confidential"
    )
    store.add_event(primary.id, "Open day", day + 11 * hour, day + 12 * hour, visibility="public")
    store.add_event(primary.id, "Gym", day + 12 * hour, day + 13 * hour, show_as="free")
    store.cancel_event(store.add_event(primary.id, "Gone", day + 13 * hour, day + 14 * hour))
    calendars = account.list_calendars()
    found = account.busy_events(calendars, day, day + 24 * hour)
    assert [(e.title, e.private, e.start, e.end) for e in found[primary.id]] == [
        ("Therapy", True, day + 9 * hour, day + 10 * hour),
        ("Board", True, day + 10 * hour, day + 11 * hour),
        ("Open day", False, day + 11 * hour, day + 12 * hour),
    ]
    shared = {c.name for c in calendars if c.access_role != AccessRole.OWNER}
    assert shared and not {c.name for c in calendars if c.id in found} & shared


def test_the_sandbox_hides_a_private_events_details_from_a_reader(sandbox: Sandbox) -> None:
    """Google's reader role: private events appear, their details hidden."""
    account = connect(sandbox)
    shared = sandbox.store.add_calendar(
        "google", "ana.colleague@example.com", "Ana reading", {EMAIL: "reader"}
    )
    day = this_week()[0] + timedelta(days=15)
    sandbox.store.add_event(
        shared.id, "Ana's appointment", day, day + timedelta(hours=1), visibility="private"
    )
    sandbox.store.add_event(shared.id, "Ana's talk", day, day + timedelta(hours=2))
    answer = requests.get(
        f"{sandbox.url}/google/calendar/v3/calendars/{shared.id}/events",
        params={"timeMin": day.isoformat(), "timeMax": (day + timedelta(days=1)).isoformat()},
        headers={"Authorization": f"Bearer {account.credentials['access_token']}"},
        timeout=10,
    )
    items = {item.get("summary", ""): item for item in answer.json()["items"]}
    assert set(items) == {"", "Ana's talk"}
    assert items[""]["visibility"] == "private" and items[""]["start"]["dateTime"]
    assert "visibility" not in items["Ana's talk"]  # the default is left out
